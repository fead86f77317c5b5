// The HELP commands of the command palette.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { findSpecs, FoundSpec } from '../core/spaces/findSpecs';
import { ScanBudget } from '../core/spaces/scanBudget';
import { findNearSpecs } from '../core/spaces/nearSpecs';
import type { AdaptResult, MeasureModelResult, SpaceDevices, WorkerProgress } from '../worker/protocol';
import { LatencyService } from './latency';
import { LatencyPanel } from './panel';
import { SpecIndex } from './specIndex';
import { Config } from './config';
import { formatMs, originText, shortError } from './lensText';
import { DeviceSetting, KNOWN_SPACES, validateDevice } from './settings';
import { WorkerError } from './worker-client';
import { globMatcher } from './glob';
import { neutraliseForDisplay } from '../core/text/safeText';
import { isMeasurableSpace as isMeasurable, MEASURABLE_SPACES } from '../core/devices/measurable';

// Device names (settings, adapted device files), file names and device output reach notifications through
// these messages: `shown` neutralises escape sequences, controls and bidi characters in a whole message.
const shown = (text: string) => neutraliseForDisplay(text);

export interface CommandContext {
  latency: LatencyService;
  panel: LatencyPanel;
  index: SpecIndex;
  config: Config;
  /** globalStorage devices/: the adapted DEVICE.json files. */
  adaptedDir: string;
  log(line: string): void;
}

function errorText(e: unknown): string {
  const err = e as WorkerError;
  if (err?.code === 'unknown-method') return `${err.message} (measuring devices is not part of this build yet)`;
  return err?.message ?? String(e);
}

/** The `onnx` space: any ONNX model, from its kernels (core/onnx/latency.ts). */
export const ONNX_SPACE = 'onnx';
export const ONNX_SPACE_LABEL = 'Any ONNX model (onnx)';

/** The space "HELP: Adapt to this machine" and "HELP: Measure on device..." adapt: the one being edited,
 *  else a pick of the measurable NAS spaces and the onnx space (the one the ONNX viewer and the explorer use
 *  for any model). */
async function chooseAdaptSpace(ctx: CommandContext, title = 'HELP: Adapt to this machine'): Promise<string | undefined> {
  const here = ctx.index.current(vscode.window.activeTextEditor);
  if (here) return here.space;
  const items = [...KNOWN_SPACES.filter(isMeasurable).map((s) => ({ label: s, space: s })), { label: ONNX_SPACE_LABEL, space: ONNX_SPACE, description: 'the ONNX viewer and the explorer, for any model' }];
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Search space' });
  return pick?.space;
}

/** Said before anything starts: measuring needs an ONNX model HELP can write for the space. */
function notMeasurable(space: string): void {
  void vscode.window.showInformationMessage(
    shown(`HELP: ${space} architectures cannot be measured: HELP writes ONNX models for ${MEASURABLE_SPACES.join(', ')} only. Their predictions use the built-in devices.`),
  );
}

/** The outcome of an adaptation: an information message, and the measurement's warnings if any. */
function reportAdapted(r: AdaptResult, log: (line: string) => void): void {
  log(`adapted "${r.name}" for ${r.space} from ${r.samples} measurements in ${r.seconds} s -> ${r.file} (raw samples ${r.samplesFile})`);
  for (const w of r.warnings) log(`  warning: ${w}`);
  const band = r.errorBand !== undefined ? ` (out-of-bag error ±${Math.round(r.errorBand * 100)}%)` : '';
  void vscode.window.showInformationMessage(shown(`HELP: adapted "${r.name}" for ${r.space} from ${r.samples} measurements in ${Math.round(r.seconds)} s${band}.`));
  if (r.warnings.length) void vscode.window.showWarningMessage(shown(`HELP: ${r.warnings.join('; ')}`));
}

/** Runs a long worker method with a cancellable notification showing its progress messages (the lines it
 *  logs, such as failed measurements, go to the HELP Output channel). */
function withWorkerProgress<T>(ctx: CommandContext, title: string, method: string, params: unknown): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: shown(title), cancellable: true }, (progress, token) =>
    ctx.latency.worker.request<T>(method, params, {
      timeoutMs: 0,
      token,
      onProgress: (p: WorkerProgress) => {
        if (typeof p.log === 'string') ctx.log(p.log);
        if (p.message !== undefined || p.increment !== undefined) progress.report({ message: p.message, increment: p.increment });
      },
    }),
  );
}

/** The end of a measurement that did not finish: cancelled (said so) or failed (logged and shown; a model
 *  that needs its input shapes gets the way to the setting). */
function reportUnfinished(ctx: CommandContext, what: string, e: unknown): void {
  if ((e as WorkerError).code === 'cancelled') {
    ctx.log(`${what}: cancelled`);
    void vscode.window.showInformationMessage(shown(`HELP: ${what} was cancelled; nothing was saved.`));
    return;
  }
  const text = errorText(e);
  ctx.log(`${what} failed: ${text}`);
  if (!text.includes('help.inputShapes')) {
    void vscode.window.showErrorMessage(shown(`HELP: ${what} failed: ${text}`));
    return;
  }
  void vscode.window.showErrorMessage(shown(`HELP: ${what} needs the shape of an input: ${text}`), 'Open Settings').then((pick) => {
    if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'help.inputShapes');
  });
}

/** The shapes help.inputShapes gives for a model file ({glob: {inputName: dims}}; the first glob matching
 *  its workspace-relative or absolute path), or undefined. The worker checks the shapes. */
function inputShapesFor(model: string): Record<string, number[]> | undefined {
  const raw = vscode.workspace.getConfiguration('help').get<unknown>('inputShapes');
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const rel = vscode.workspace.asRelativePath ? vscode.workspace.asRelativePath(model, false) : model;
  for (const [glob, shapes] of Object.entries(raw as Record<string, unknown>).slice(0, 256)) {
    if (!shapes || typeof shapes !== 'object' || Array.isArray(shapes)) continue;
    const matches = globMatcher(glob);
    if (matches(rel) || matches(model)) return shapes as Record<string, number[]>;
  }
  return undefined;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { latency, panel, config } = ctx;
  return [
    vscode.commands.registerCommand('help.showPanel', (arg?: { uri?: string; offset?: number }) => {
      let target;
      if (arg?.uri && typeof arg.offset === 'number') {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.uri);
        if (doc) target = panel.targetAt(doc, arg.offset);
      }
      panel.show(target);
    }),

    vscode.commands.registerCommand('help.adaptLocal', async () => {
      const space = await chooseAdaptSpace(ctx);
      if (!space) return;
      if (space !== ONNX_SPACE && !isMeasurable(space)) return notMeasurable(space);
      const s = config.get();
      const local = s.devices.find((d) => d.runner === 'onnxruntime' && (!d.space || d.space === space));
      try {
        fs.mkdirSync(ctx.adaptedDir, { recursive: true });
        const r = await withWorkerProgress<AdaptResult>(ctx, `HELP: adapting to this machine (${space})`, 'adaptLocal', {
          space,
          name: local?.name ?? 'this machine',
          threads: local?.threads,
          extra: s.adaptExtra,
          outDir: ctx.adaptedDir,
        });
        latency.invalidate();
        reportAdapted(r, ctx.log);
      } catch (e) {
        reportUnfinished(ctx, `adapting to this machine (${space})`, e);
      }
    }),

    vscode.commands.registerCommand('help.addDevice', async () => {
      const name = await vscode.window.showInputBox({
        title: 'HELP: Add device (1/4) name',
        prompt: 'A name for the device, e.g. jetson-nano or my laptop',
        validateInput: (v) => {
          const r = validateDevice({ name: v, runner: 'onnxruntime' }, 0);
          if (typeof r === 'string') return r.replace(/^help\.devices\[0\]( \("[^"]*"\))?: /, '');
          return config.get().devices.some((d) => d.name === v.trim()) ? 'a device of that name exists' : undefined;
        },
      });
      if (!name) return;
      const space = await vscode.window.showQuickPick(
        [
          { label: 'any', description: 'every space the architecture belongs to' },
          ...KNOWN_SPACES.map((s) => ({ label: s, description: '' })),
          { label: ONNX_SPACE, description: 'any ONNX model (the ONNX viewer and the explorer)' },
        ],
        {
          title: 'HELP: Add device (2/4) search space',
        },
      );
      if (!space) return;
      const runner = await vscode.window.showQuickPick(
        [
          { label: 'onnxruntime', description: 'measure with ONNX Runtime on this machine' },
          { label: 'command', description: 'run a command per model (trusted workspaces only)' },
        ],
        { title: 'HELP: Add device (3/4) how to measure' },
      );
      if (!runner) return;
      const device: DeviceSetting = { name: name.trim(), runner: runner.label as DeviceSetting['runner'] };
      if (space.label !== 'any') device.space = space.label;
      if (device.runner === 'command') {
        const command = await vscode.window.showInputBox({
          title: 'HELP: Add device (4/4) command',
          prompt: 'Command that runs {model} (an .onnx path) and prints the latency in ms (run without a shell; trusted workspaces only)',
          value: 'ssh my-board ./bench {model}',
          validateInput: (v) => (v.trim() ? undefined : 'a command is needed'),
        });
        if (!command) return;
        device.command = command;
      } else {
        const threads = await vscode.window.showInputBox({
          title: 'HELP: Add device (4/4) threads',
          prompt: 'Intra-op threads (empty: 1)',
          validateInput: (v) => (v.trim() === '' || (/^\d+$/.test(v.trim()) && +v >= 1 && +v <= 256) ? undefined : 'an integer from 1 to 256, or empty'),
        });
        if (threads === undefined) return;
        if (threads.trim()) device.threads = Number(threads);
      }
      const c = vscode.workspace.getConfiguration('help');
      const current = (c.inspect<unknown[]>('devices')?.globalValue ?? []) as unknown[];
      await c.update('devices', [...current, device], vscode.ConfigurationTarget.Global);
      void vscode.window.showInformationMessage(shown(`HELP: added device "${device.name}" to help.devices. Run "HELP: Measure on device..." to adapt to it.`));
    }),

    vscode.commands.registerCommand('help.measureOnDevice', async (arg?: { model?: string; local?: boolean }) => {
      const s = config.get();
      let device: DeviceSetting | undefined;
      if (arg?.local) device = s.devices.find((d) => d.runner === 'onnxruntime') ?? { name: 'this machine', runner: 'onnxruntime' };
      else {
        const items = [
          ...s.devices.map((d) => ({ label: shown(d.name), description: shown(`${d.runner}${d.space ? ` · ${d.space}` : ''}${d.command ? ` · ${d.command}` : ''}`), device: d })),
          { label: 'this machine', description: 'onnxruntime (built in)', device: { name: 'this machine', runner: 'onnxruntime' } as DeviceSetting },
          { label: '$(add) Add device…', description: '', device: undefined },
        ];
        const pick = await vscode.window.showQuickPick(items, { title: 'HELP: Measure on device' });
        if (!pick) return;
        if (!pick.device) return vscode.commands.executeCommand('help.addDevice');
        device = pick.device;
      }
      if (device.runner === 'command' && !vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(shown(`HELP: device "${device.name}" runs a command, which HELP does only in a trusted workspace.`));
        return;
      }
      let space: string | undefined;
      let spec: FoundSpec | undefined;
      if (!arg?.model) {
        spec = ctx.index.current(vscode.window.activeTextEditor);
        space = device.space ?? spec?.space ?? (await chooseAdaptSpace(ctx, 'HELP: Measure on device'));
        if (!space) return;
        if (space !== ONNX_SPACE && !isMeasurable(space)) return notMeasurable(space);
      }
      try {
        fs.mkdirSync(ctx.adaptedDir, { recursive: true });
        const r = await withWorkerProgress<AdaptResult | MeasureModelResult>(ctx, arg?.model ? `HELP: measuring ${path.basename(arg.model)} on ${device.name}` : `HELP: adapting to ${device.name}`, 'measure', {
          device,
          space,
          spec: space === ONNX_SPACE ? undefined : spec?.spec,
          model: arg?.model,
          // Both runners: onnxruntime feeds them, a command gets a copy of the model with them fixed.
          inputShapes: arg?.model ? inputShapesFor(arg.model) : undefined,
          extra: s.adaptExtra,
          outDir: ctx.adaptedDir,
          trusted: vscode.workspace.isTrusted,
        });
        if ('latency_ms' in r) {
          const note = r.warnings.length ? ` (${r.warnings.join('; ')})` : '';
          ctx.log(`measured ${r.model} on ${r.device}: fastest ${r.latency_ms} ms, median ${r.median_ms} ms, spread ${(100 * r.spread).toFixed(1)}% (${r.runs} timed runs in ${r.visits} visits)`);
          void vscode.window.showInformationMessage(shown(
            `HELP: ${path.basename(r.model)} runs in ${formatMs(r.latency_ms)} on ${r.device} (fastest of ${r.runs} timed runs; median ${formatMs(r.median_ms)})${note}.`),
          );
          // The ONNX viewer shows it against the predictions.
          return r;
        }
        latency.invalidate();
        reportAdapted(r, ctx.log);
      } catch (e) {
        reportUnfinished(ctx, arg?.model ? `measuring ${path.basename(arg.model)} on ${device.name}` : `adapting to ${device.name}`, e);
      }
    }),

    vscode.commands.registerCommand('help.removeAdaptedDevice', async () => {
      const files = fs.existsSync(ctx.adaptedDir) ? fs.readdirSync(ctx.adaptedDir).filter((f) => f.endsWith('.json') && !f.endsWith('.samples.json')) : [];
      const items = files.flatMap((f) => {
        const file = path.join(ctx.adaptedDir, f);
        try {
          const d = JSON.parse(fs.readFileSync(file, 'utf8'));
          return [{ label: shown(String(d.name)), description: shown(`${d.space} · ${originText({ name: d.name, space: d.space, origin: 'adapted', samples: d.samples?.length ?? 0, created: d.created, errorBand: d.errorBand })}`), file }];
        } catch {
          return [{ label: shown(f), description: 'unreadable device file', file }];
        }
      });
      if (items.length === 0) {
        void vscode.window.showInformationMessage('HELP: there are no adapted devices. "HELP: Adapt to this machine" makes one.');
        return;
      }
      const pick = await vscode.window.showQuickPick(items, { title: 'HELP: Remove adapted device' });
      if (!pick) return;
      const ok = await vscode.window.showWarningMessage(shown(`Remove the adapted device "${pick.label}"? Its measurements are deleted.`), { modal: true }, 'Remove');
      if (ok !== 'Remove') return;
      try {
        fs.unlinkSync(pick.file);
        fs.rmSync(pick.file.replace(/\.json$/, '.samples.json'), { force: true });
      } catch (e) {
        void vscode.window.showErrorMessage(shown(`HELP: cannot remove ${pick.file}: ${(e as Error).message}`));
        return;
      }
      latency.invalidate();
    }),

    vscode.commands.registerCommand('help.toggleCodeLens', async () => {
      const c = vscode.workspace.getConfiguration('help');
      const on = c.get<boolean>('codeLens.enabled', true);
      await c.update('codeLens.enabled', !on, vscode.ConfigurationTarget.Global);
      void vscode.window.setStatusBarMessage(`HELP: CodeLens ${on ? 'off' : 'on'}`, 3000);
    }),

    vscode.commands.registerCommand('help.showDevices', async () => {
      try {
        const spaces = await latency.worker.request<SpaceDevices[]>('devices', {});
        const items: vscode.QuickPickItem[] = [];
        for (const s of spaces) {
          items.push({ label: s.space, kind: vscode.QuickPickItemKind.Separator });
          if (s.error) items.push({ label: `$(info) ${shown(shortError(s.error))}` });
          // The onnx space's devices come by file name; the first is the primary one (listed first by the
          // ONNX viewer and the explorer tooltips).
          s.devices.forEach((d, k) => items.push({ label: shown(d.name), description: shown(`${originText(d)}${s.space === ONNX_SPACE && k === 0 ? ' · primary' : ''}`) }));
          if (s.space === ONNX_SPACE && s.devices.length === 0 && !s.error) items.push({ label: '$(info) no device yet: "HELP: Adapt to this machine" or "HELP: Measure on device..." makes one' });
        }
        await vscode.window.showQuickPick(items, { title: 'HELP: devices' });
      } catch (e) {
        void vscode.window.showErrorMessage(shown(`HELP: ${errorText(e)}`));
      }
    }),

    vscode.commands.registerCommand('help.predictSelection', async () => {
      const editor = vscode.window.activeTextEditor;
      const text = editor ? editor.document.getText(editor.selection.isEmpty ? undefined : editor.selection) : '';
      // The whole document when nothing is selected: scanned within the budget the editor's finders have,
      // on the extension host, so a huge file costs a bounded time.
      const budget = ScanBudget.forText(text.length);
      const spec = findSpecs(text, undefined, budget)[0];
      // Almost a spec: say what is wrong with it, as the diagnostics do.
      const near = spec ? undefined : findNearSpecs(text, [], budget)[0];
      if (near) {
        void vscode.window.showErrorMessage(shown(`HELP: ${near.message}`));
        return;
      }
      if (!spec) {
        if (!budget.ok) void vscode.window.showInformationMessage(`HELP: no architecture found before the scan stopped (${budget.exceeded}); select the architecture`);
        else void vscode.window.showInformationMessage('HELP: select an architecture first (e.g. a NAS-Bench-201 cell string)');
        return;
      }
      try {
        const prim = await latency.primary(spec.space);
        if (prim.error) throw new Error(prim.error);
        await latency.ensure(spec.space, [spec.spec], prim.devices);
        const parts = prim.devices.map((d) => `${d} ${formatMs(latency.cached(spec.space, spec.spec, d)?.ms ?? NaN)}`);
        void vscode.window.showInformationMessage(shown(`HELP  ${parts.join(' · ')}`));
      } catch (e) {
        void vscode.window.showErrorMessage(shown(`HELP: ${errorText(e)}`));
      }
    }),
  ];
}
