// The `onnx` space in the CLI: any ONNX model's latency from the kernel-cost model (src/core/onnx/latency.ts).
//   adapt-local --space onnx --out DEVICE.json [--shot FILE.onnx ...] [--input-shape NAME=DIMS ...] [--name NAME]
//               [--runner onnxruntime|command --command T ...] [--threads N] [--warmup N] [--runs N] [--passes MIN[-MAX]]
//   measure --space onnx [--runner ... --command T] --out SAMPLES.json, then adapt --space onnx --samples SAMPLES.json --out DEVICE.json
//   predict --device DEVICE.json --onnx FILE ... [--input-shape NAME=DIMS ...] [--json]
//   measure --onnx FILE [--input-shape NAME=DIMS ...] [--runner ... --command T] [--threads N] [--json]
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Args } from './args';
import { describeRunner, progressPrinter, protocolFrom, RUNNER_FLAGS, runnerFrom, withCancellation } from './protocolArgs';
import { SpecError } from '../core/spaces/space';
import { neutraliseForDisplay } from '../core/text/safeText';
import { checkOutputPath, writeFileAtomicSync } from '../core/devices/atomic';
import { measureArchitectures } from '../core/devices/measure';
import { samplesRecord } from '../core/devices/local';
import type { Runner } from '../core/devices/runners/runner';
import { readRegularFile } from '../core/predictor/deviceFile';
import { ONNX_REFERENCES, ONNX_REFERENCES_VERSION } from '../core/onnx/referenceModels';
import { commandModelFile, externalDataLocation, externalDataMessage, planFixedInputs } from '../core/onnx/fixInputs';
import { modelCosts, predictCosts } from '../core/onnx/latency';
import { readOnnxFile } from '../core/onnx/reader';
import { adaptOnnxFromSamples, adaptOnnxLocal, measureOnnxReferences, readOnnxDeviceFile } from '../core/onnx/adaptLocal';
import { checkInputShapesFor, InputShapes, parseInputShapeArgs } from '../core/onnx/inputShapes';

const fmtMs = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.01 ? v.toFixed(2) : v.toPrecision(2));

export { readOnnxDeviceFile };

/** True when `--space onnx` is given, or every --device is an onnx device file. */
export function isOnnxPredict(args: Args): boolean {
  if (args.str('space') === 'onnx') return true;
  if (args.has('space')) return false;
  const devices = args.all('device');
  return devices.length > 0 && devices.every((d) => /\.json$/i.test(d) && fs.existsSync(d) && readOnnxDeviceFile(d) !== undefined);
}

/** --input-shape values that name inputs of this model (each given name must be an input of some model). */
function shapesFor(file: string, given: InputShapes, used: Set<string>) {
  const model = readOnnxFile(file);
  const mine: InputShapes = {};
  for (const [k, v] of Object.entries(given)) {
    if (!model.inputs.some((i) => i.name === k)) continue;
    mine[k] = v;
    used.add(k);
  }
  checkInputShapesFor(model, mine);
  return { model, shapes: mine };
}

function checkAllUsed(given: InputShapes, used: Set<string>): void {
  for (const k of Object.keys(given)) if (!used.has(k)) throw new SpecError(`--input-shape ${JSON.stringify(k.slice(0, 60))}: no given model has an input of that name`);
}

export async function predictOnnx(args: Args): Promise<void> {
  args.only(['space', 'device', 'onnx', 'arch', 'json', 'input-shape', 'weights']);
  const files = [...args.all('onnx'), ...args.all('arch')];
  if (files.length === 0) throw new SpecError('give --onnx FILE (the onnx space predicts ONNX models)');
  const devicePaths = args.all('device');
  if (devicePaths.length === 0) throw new SpecError('missing --device DEVICE.json (adapt one with: adapt-local --space onnx --out DEVICE.json)');
  const devices = devicePaths.map((p) => {
    const d = readOnnxDeviceFile(p);
    if (!d) throw new SpecError(`${p}: not a device of the onnx space (adapt one with: adapt-local --space onnx --out DEVICE.json)`);
    return d;
  });
  const given = parseInputShapeArgs(args.all('input-shape'));
  const used = new Set<string>();
  const costs = files.map((f) => {
    const { model, shapes } = shapesFor(f, given, used);
    return modelCosts(model, { inputShapes: shapes });
  });
  checkAllUsed(given, used);
  const results = devices.map((d) => costs.map((c) => predictCosts(d, c)));
  files.forEach((f, i) => {
    for (const n of costs[i].notes.slice(0, 5)) process.stderr.write(neutraliseForDisplay(`note: ${f}: ${n}`) + '\n');
    devices.forEach((d, k) => {
      const r = results[k][i].branchRange;
      if (r) process.stderr.write(neutraliseForDisplay(`note: ${f}: ${d.name}: ${r.ifs === 1 ? 'an If branch depends' : `${r.ifs} If branches depend`} on the data: ${r.low.toPrecision(3)} to ${r.high.toPrecision(3)} ms by the branch taken (the prediction counts each branch in half of the runs)`) + '\n');
    });
  });
  if (args.has('json')) {
    const ms = results.map((r) => r.map((p) => Number(p.ms.toPrecision(6))));
    if (devices.length === 1) process.stdout.write(JSON.stringify(ms[0]) + '\n');
    else process.stdout.write(JSON.stringify(Object.fromEntries(devices.map((d, k) => [d.name, ms[k]]))) + '\n');
    return;
  }
  const names = devices.map((d) => neutraliseForDisplay(d.name));
  const lines = [`${'model'.padEnd(40)}  ${names.map((n) => n.padStart(18)).join('  ')}`];
  files.forEach((f, i) => {
    const shown = neutraliseForDisplay(path.basename(f));
    lines.push(`${(shown.length > 40 ? shown.slice(0, 37) + '...' : shown).padEnd(40)}  ${results.map((r) => `${fmtMs(r[i].ms)} ms +-${Math.round(r[i].errorBand * 100)}%`.padStart(18)).join('  ')}`);
  });
  process.stdout.write(lines.join('\n') + '\n');
}

/** The runner of --runner/--command/--threads/... (onnxruntime by default); onnxruntime feeds `inputShapes`. */
function onnxRunner(args: Args, inputShapes?: InputShapes): Runner {
  return runnerFrom(args, 'onnxruntime', inputShapes);
}

/** A device's default name from its file: `board.onnx.json`, `board.samples.json` and `board.json` are "board". */
const fileStem = (file: string) => path.basename(file).replace(/(\.onnx|\.samples)?\.json$/i, '') || 'device';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function adaptLocalOnnx(args: Args): Promise<void> {
  args.only(['space', 'out', 'name', 'shot', 'input-shape', ...RUNNER_FLAGS]);
  const out = args.required('out');
  checkOutputPath(out);
  // Further shots: any models, measured beside the references (their dynamic dims fed --input-shape; a
  // command gets a copy with them fixed).
  const shotFiles = args.all('shot');
  const given = parseInputShapeArgs(args.all('input-shape'));
  const used = new Set<string>();
  const shots = shotFiles.map((f) => {
    const { model, shapes } = shapesFor(f, given, used);
    return { file: f, shapes, features: modelCosts(model, { inputShapes: shapes }).features };
  });
  checkAllUsed(given, used);
  const runner = onnxRunner(args);
  const name = args.str('name') ?? (runner.kind === 'onnxruntime' ? 'this machine' : fileStem(out));
  const protocol = protocolFrom(args);
  const ui = progressPrinter();
  ui.phase(`adapting "${name}" to onnx: measuring ${ONNX_REFERENCES.length} reference models${shots.length ? ` and ${plural(shots.length, 'shot')}` : ''} with ${describeRunner(runner)}`);
  const r = await withCancellation((signal) =>
    adaptOnnxLocal({
      name,
      runner,
      protocol,
      signal,
      onProgress: ui.progress,
      shots: shots.map((s) => ({ file: s.file, features: s.features, inputShapes: s.shapes, runner: runner.kind === 'command' ? runner : onnxRunner(args, s.shapes) })),
    }),
  );
  ui.done();
  for (const w of r.warnings) process.stderr.write(`warning: ${neutraliseForDisplay(w)}\n`);
  writeFileAtomicSync(out, JSON.stringify(r.device, null, 1) + '\n');
  process.stderr.write(neutraliseForDisplay(`adapted "${name}" from ${r.device.samples.length} measurements in ${r.seconds.toFixed(1)} s (out-of-bag error +-${(r.device.errorBand * 100).toFixed(0)}%) -> ${out}`) + '\n');
}

/** `measure --space onnx`: the onnx reference models measured on a device, written as SAMPLES.json for
 *  `adapt --space onnx` (the NAS spaces' two-step path, e.g. for a device measured elsewhere). */
export async function measureOnnxSpace(args: Args): Promise<void> {
  args.only(['space', 'references', 'out', 'name', ...RUNNER_FLAGS]);
  const out = args.required('out');
  checkOutputPath(out);
  const runner = onnxRunner(args);
  const protocol = protocolFrom(args);
  const name = args.str('name') ?? (runner.kind === 'onnxruntime' ? 'this machine' : fileStem(out));
  const ui = progressPrinter();
  ui.phase(`measuring the ${ONNX_REFERENCES.length} onnx reference models with ${describeRunner(runner)}`);
  const started = new Date();
  const result = await withCancellation((signal) => measureOnnxReferences(runner, { protocol, signal, onProgress: ui.progress }));
  ui.done();
  for (const w of result.warnings) process.stderr.write(`warning: ${neutraliseForDisplay(w)}\n`);
  writeFileAtomicSync(out, JSON.stringify({ ...samplesRecord('onnx', name, runner, result, started), referencesVersion: ONNX_REFERENCES_VERSION }, null, 1) + '\n');
  process.stderr.write(`measured ${result.samples.length} of ${ONNX_REFERENCES.length} reference models in ${result.seconds.toFixed(1)} s (${result.visits} batches) -> ${neutraliseForDisplay(out)}\n`);
}

/** A SAMPLES.json is at most this large (the onnx space has about 10 reference models). */
const MAX_SAMPLES_FILE_BYTES = 16 << 20;

/** `adapt --space onnx --samples SAMPLES.json --out DEVICE.json`: the onnx device fitted to measured samples. */
export async function adaptOnnxSamples(args: Args): Promise<void> {
  args.only(['space', 'samples', 'out', 'name']);
  const samplesPath = args.required('samples');
  const out = args.required('out');
  checkOutputPath(out);
  let value: unknown;
  const bytes = readRegularFile(samplesPath, 'samples file', MAX_SAMPLES_FILE_BYTES);
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new SpecError(`${samplesPath}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const t0 = Date.now();
  const { device, warnings } = adaptOnnxFromSamples(samplesPath, value, args.str('name'), fileStem(out));
  for (const w of warnings) process.stderr.write(neutraliseForDisplay(`${samplesPath}: ${w}`) + '\n');
  writeFileAtomicSync(out, JSON.stringify(device, null, 1) + '\n');
  process.stderr.write(neutraliseForDisplay(`adapted "${device.name}" for onnx from ${device.samples.length} samples in ${Date.now() - t0} ms (out-of-bag error +-${(device.errorBand * 100).toFixed(0)}%) -> ${out}`) + '\n');
}

const MAX_DIM_NOTES = 10;

export async function measureOnnx(args: Args): Promise<void> {
  args.only(['onnx', 'input-shape', 'json', 'out', 'name', ...RUNNER_FLAGS]);
  const files = args.all('onnx');
  if (files.length === 0) throw new SpecError('give --onnx FILE');
  const given = parseInputShapeArgs(args.all('input-shape'));
  const used = new Set<string>();
  const command = onnxRunner(args);
  const perFile = files.map((f) => {
    const { model, shapes } = shapesFor(f, given, used);
    // A model a command cannot be handed (weights in side files) is refused before anything is said or run.
    if (command.kind === 'command' && planFixedInputs(model, shapes).dims.size > 0) {
      const external = externalDataLocation(model);
      if (external !== undefined) throw new SpecError(externalDataMessage(f, external, true));
    }
    // One note per open dim, the first MAX_DIM_NOTES of them (a model may have thousands of inputs).
    let open = 0;
    for (const i of model.inputs) {
      if (Object.prototype.hasOwnProperty.call(shapes, i.name)) continue;
      (i.shape ?? []).forEach((d, k) => {
        if (typeof d === 'number' && d >= 1) return;
        if (open++ < MAX_DIM_NOTES) process.stderr.write(neutraliseForDisplay(`note: ${f}: input ${JSON.stringify(i.name.slice(0, 60))} dim ${k}${typeof d === 'string' && d ? ` (${d.slice(0, 40)})` : ''} is dynamic: fed as 1 (give --input-shape ${i.name.slice(0, 60)}=...)`) + '\n');
      });
    }
    if (open > MAX_DIM_NOTES) process.stderr.write(neutraliseForDisplay(`note: ${f}: and ${open - MAX_DIM_NOTES} more dynamic dims fed as 1`) + '\n');
    return { shapes, model: command.kind === 'command' ? model : undefined };
  });
  checkAllUsed(given, used);
  const out = args.str('out');
  if (out) checkOutputPath(out);
  const protocol = protocolFrom(args);
  // One command runner for every file (it has answered once after the first); it gets each model with its
  // open input dims fixed (a copy in a private folder, removed after), since it is handed a path only.
  const tmp = command.kind === 'command' ? fs.mkdtempSync(path.join(os.tmpdir(), 'help-measure-')) : undefined;
  const rows: { file: string; fastest_ms: number; median_ms: number; spread: number; runs: number }[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const runner = tmp ? command : onnxRunner(args, perFile[i].shapes);
      const file = tmp ? commandModelFile(files[i], tmp, perFile[i].shapes, { model: perFile[i].model }).file : path.resolve(files[i]);
      const r = await withCancellation((signal) => measureArchitectures(runner, [{ arch: files[i], model: () => file }], { protocol, signal, required: [files[i]] }));
      for (const w of r.warnings) process.stderr.write(`warning: ${neutraliseForDisplay(w)}\n`);
      const s = r.samples[0];
      rows.push({ file: files[i], fastest_ms: s.latency_ms, median_ms: s.median_ms, spread: s.spread, runs: s.runs });
    }
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (out) writeFileAtomicSync(out, JSON.stringify({ space: 'onnx', device: args.str('name') ?? (command.kind === 'onnxruntime' ? 'this machine' : fileStem(out)), samples: rows.map((r) => ({ arch: r.file, latency_ms: r.fastest_ms, median_ms: r.median_ms })) }, null, 1) + '\n');
  if (args.has('json')) process.stdout.write(JSON.stringify(rows) + '\n');
  else for (const r of rows) process.stdout.write(`${neutraliseForDisplay(r.file)}: ${fmtMs(r.fastest_ms)} ms fastest, ${fmtMs(r.median_ms)} ms median of ${r.runs} runs\n`);
}
