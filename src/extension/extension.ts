// The thin VS Code layer. Activation registers providers and commands only: no model is loaded here, and
// the background worker (dist/worker.js, which owns tfjs and the predictors) starts on the first request.
// perf first: its load time marks the start of the bundle (activation time = bundle evaluation + activate()).
import { cpuMs, LOADED_AT, LOADED_CPU, perf } from './perf';
import { VSCODE_LOADED_AT } from './vscodeLoaded';
import * as fs from 'fs';
import * as path from 'path';
// `import x = require()`, not `import * as`: the bundle (esbuild, cjs) would copy every key of the vscode API
// (~250) into a fresh object for each module importing it that way, about a millisecond apiece at activation.
import vscode = require('vscode');
import { WorkerClient } from './worker-client';
import { outputLogger } from './outputLog';
import { Config } from './config';
import { LatencyService } from './latency';
import { SpecIndex, SPEC_SELECTOR } from './specIndex';
import { LensController } from './codeLens';
import { SpecHoverProvider } from './hover';
import { LatencyPanel } from './panel';
import { OnnxEditorProvider } from './onnxEditor';
import { LatencyDecorations } from './decorations';
import { LatencyStatusBar } from './statusBar';
import { registerCommands } from './commands';
import { registerFasterArchitecture } from './fasterArchitecture';
import { SpecDiagnostics } from './diagnostics';
import { SpecQuickFixes } from './quickFixes';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'perf_hooks';

/** The bundle has been evaluated (every module above): LOADED_AT..MODULE_READY is its synchronous cost. */
const MODULE_READY = performance.now();
const MODULE_READY_CPU = cpuMs();

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const activateCpu = cpuMs();
  // The first and (below) the last of HELP's document change listeners: together they time all of HELP's
  // work per keystroke (listeners run in the order they were added).
  let changeStart = 0;
  let changeCpu = 0;
  context.subscriptions.push(
    vscode.workspace.onDidChangeTextDocument(() => {
      changeCpu = cpuMs();
      changeStart = performance.now();
    }),
  );
  const output = vscode.window.createOutputChannel('HELP');
  const log = outputLogger(output);
  const adaptedDir = path.join(context.globalStorageUri.fsPath, 'devices');
  try {
    fs.mkdirSync(adaptedDir, { recursive: true });
  } catch (e) {
    log(`cannot create ${adaptedDir}: ${(e as Error).message}`);
  }

  const worker = new WorkerClient(path.join(context.extensionPath, 'dist', 'worker.js'), { initParams: () => ({ adaptedDir }), log });
  const config = new Config(log);
  config.get(); // warns about invalid settings once, at activation
  const latency = new LatencyService(worker, config);
  const index = new SpecIndex(config, log);
  const lenses = new LensController(latency, index, config);
  const onnx = new OnnxEditorProvider(context.extensionUri, latency);
  const panel = new LatencyPanel(context.extensionUri, latency, index, onnx);
  const decorations = new LatencyDecorations(latency, index, config, onnx);
  const status = new LatencyStatusBar(latency, index);
  const diagnostics = new SpecDiagnostics(index, config, log);
  // A rewritten model is read again.
  const onnxWatcher = vscode.workspace.createFileSystemWatcher('**/*.onnx');

  context.subscriptions.push(
    output,
    { dispose: () => worker.dispose() },
    config,
    latency,
    lenses,
    panel,
    // After a window reload VS Code hands the open panel back (package.json: onWebviewPanel activation).
    vscode.window.registerWebviewPanelSerializer(LatencyPanel.viewType, { deserializeWebviewPanel: async (p, state) => panel.restore(p, state) }),
    decorations,
    status,
    vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, lenses),
    vscode.languages.registerHoverProvider(SPEC_SELECTOR, new SpecHoverProvider(latency, index)),
    diagnostics,
    vscode.languages.registerCodeActionsProvider(SPEC_SELECTOR, new SpecQuickFixes(diagnostics), SpecQuickFixes.metadata),
    vscode.window.registerCustomEditorProvider(OnnxEditorProvider.viewType, onnx, { supportsMultipleEditorsPerDocument: true }),
    vscode.window.registerFileDecorationProvider(decorations),
    onnxWatcher,
    ...[onnxWatcher.onDidChange, onnxWatcher.onDidCreate, onnxWatcher.onDidDelete].map((event) =>
      event((uri) => {
        onnx.forget(uri);
        decorations.refresh(uri);
      }),
    ),
    lenses.onDidUpdateValues((uri) => {
      decorations.refresh(uri);
      status.schedule();
    }),
    // Workspace help.devices entries count only once the workspace is trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => latency.invalidate()),
    ...registerCommands({ latency, panel, index, config, adaptedDir, log }),
    ...registerFasterArchitecture({ latency, index, log }),
    vscode.workspace.onDidCloseTextDocument((d) => index.forget(d)),
    vscode.commands.registerCommand('help._perfStats', (arg?: PerfStatsArgs) => perfStats(context, arg)),
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeTextDocument(() => perf.record('changeHandlers', performance.now() - changeStart, cpuMs() - changeCpu)),
    { dispose: () => loopMonitor?.disable() },
  );
  // Activation time as the extension can see it: evaluating the bundle plus activate(), both synchronous.
  // (VS Code's figure adds reading and compiling dist/extension.js; between the two steps it awaits its own
  // work, which is not the extension's.)
  const end = performance.now();
  // The process's CPU time over the same two stretches: the wall time above minus time the thread waited
  // for a core (a loaded machine).
  perf.values.activationCpuMs = round(MODULE_READY_CPU - LOADED_CPU + cpuMs() - activateCpu);
  perf.values.bundleEvalMs = round(MODULE_READY - LOADED_AT);
  perf.values.requireVscodeMs = round(VSCODE_LOADED_AT - LOADED_AT);
  perf.values.activateMs = round(end - activateStart);
  perf.values.activationMs = round(MODULE_READY - LOADED_AT + end - activateStart);
  log(`activated in ${perf.values.activationMs} ms (adapted devices in ${adaptedDir}; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
}

const round = (x: number) => Math.round(x * 1000) / 1000;

interface PerfStatsArgs {
  /** Start a new measurement window after reading this one. */
  reset?: boolean;
  /** With reset: also sample the extension host's event-loop delay until the next call. */
  eventLoop?: boolean;
  /** With reset: keep a timeline of HELP's tasks and marks (and, with eventLoop, of the host's stalls)
   *  until the next call, returned as `trace`. */
  trace?: boolean;
}

let loopMonitor: IntervalHistogram | undefined;
let stallTimer: NodeJS.Timeout | undefined;

/** Marks every stretch of > 10 ms in which the host thread ran something else (anyone's work, not only
 *  HELP's): a 2 ms timer that comes late. Only while tracing. */
function watchStalls(): void {
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    if (now - last > 12) perf.traceSpan('hostStall', now - last - 2, now);
    last = now;
    stallTimer = setTimeout(tick, 2);
  };
  stallTimer = setTimeout(tick, 2);
}

/** `help._perfStats` (hidden, for test/e2e/bench.mjs): HELP's timings since activation or the last reset,
 *  written to perf.json in the extension's log folder and returned. */
function perfStats(context: vscode.ExtensionContext, arg?: PerfStatsArgs): unknown {
  if (stallTimer) clearTimeout(stallTimer);
  stallTimer = undefined;
  // Both clocks at once, so that a reader can line the trace up with another process's Date.now().
  const snap: Record<string, unknown> = { at: new Date().toISOString(), clock: { epoch: performance.timeOrigin + performance.now(), date: Date.now() }, ...perf.snapshot() };
  if (loopMonitor) {
    const h = loopMonitor;
    snap.eventLoop = { maxMs: round(h.max / 1e6), p99Ms: round(h.percentile(99) / 1e6), meanMs: round(h.mean / 1e6), samples: h.count };
    h.disable();
    loopMonitor = undefined;
  }
  try {
    fs.mkdirSync(context.logUri.fsPath, { recursive: true });
    fs.writeFileSync(path.join(context.logUri.fsPath, 'perf.json'), JSON.stringify(snap, null, 1));
  } catch {
    /* the value is returned as well */
  }
  perf.setTracing(!!arg?.reset && !!arg.trace);
  if (arg?.reset) {
    perf.reset();
    if (arg.trace && arg.eventLoop) watchStalls();
    if (arg.eventLoop) {
      loopMonitor = monitorEventLoopDelay({ resolution: 2 });
      loopMonitor.enable();
    }
  }
  return snap;
}

export function deactivate(): void {}
