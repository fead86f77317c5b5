// The `onnx` space in the CLI: any ONNX model's latency from the kernel-cost model (src/core/onnx/latency.ts).
//   adapt-local --space onnx --out DEVICE.json [--shot FILE.onnx ...] [--input-shape NAME=DIMS ...] [--name NAME]
//               [--threads N] [--warmup N] [--runs N] [--passes MIN[-MAX]]
//   predict --device DEVICE.json --onnx FILE ... [--input-shape NAME=DIMS ...] [--json]
//   measure --onnx FILE [--input-shape NAME=DIMS ...] [--threads N] [--json]
import * as fs from 'fs';
import * as path from 'path';
import { Args } from './args';
import { protocolFrom } from './protocolArgs';
import { SpecError } from '../core/spaces/space';
import { neutraliseForDisplay } from '../core/text/safeText';
import { checkOutputPath, writeFileAtomicSync } from '../core/devices/atomic';
import { measureArchitectures, ProtocolOptions } from '../core/devices/measure';
import { OnnxRuntimeRunner } from '../core/devices/runners/onnxruntime';
import { ONNX_REFERENCES } from '../core/onnx/referenceModels';
import { modelCosts, predictCosts } from '../core/onnx/latency';
import { readOnnxFile } from '../core/onnx/reader';
import { adaptOnnxLocal, readOnnxDeviceFile } from '../core/onnx/adaptLocal';
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

function onnxRunner(args: Args, inputShapes?: InputShapes): OnnxRuntimeRunner {
  const runner = args.str('runner');
  if (runner !== undefined && runner !== 'onnxruntime') throw new SpecError(`--runner ${JSON.stringify(runner.slice(0, 40))}: the onnx space measures with onnxruntime here`);
  const threads = args.has('threads') ? args.int('threads', 1, 1) : 1;
  if (threads > 256) throw new SpecError(`--threads must be at most 256, got ${threads}`);
  return new OnnxRuntimeRunner({ threads, inputShapes });
}

export async function adaptLocalOnnx(args: Args): Promise<void> {
  args.only(['space', 'out', 'name', 'runner', 'threads', 'warmup', 'runs', 'passes', 'shot', 'input-shape']);
  const out = args.required('out');
  checkOutputPath(out);
  // Further shots: any models, measured beside the references (their dynamic dims fed --input-shape).
  const shotFiles = args.all('shot');
  const given = parseInputShapeArgs(args.all('input-shape'));
  const used = new Set<string>();
  const shots = shotFiles.map((f) => {
    const { model, shapes } = shapesFor(f, given, used);
    return { file: f, shapes, features: modelCosts(model, { inputShapes: shapes }).features };
  });
  checkAllUsed(given, used);
  const name = args.str('name') ?? 'this machine';
  const runner = onnxRunner(args);
  const protocol = protocolFrom(args);
  process.stderr.write(`adapting "${neutraliseForDisplay(name)}" to onnx: measuring ${ONNX_REFERENCES.length} reference models${shots.length ? ` and ${shots.length} shot${shots.length === 1 ? '' : 's'}` : ''} with onnxruntime (${runner.settings.threads} thread${runner.settings.threads === 1 ? '' : 's'})\n`);
  const r = await adaptOnnxLocal({ name, runner, protocol, shots: shots.map((s) => ({ file: s.file, features: s.features, runner: onnxRunner(args, s.shapes) })) });
  for (const w of r.warnings) process.stderr.write(`warning: ${neutraliseForDisplay(w)}\n`);
  writeFileAtomicSync(out, JSON.stringify(r.device, null, 1) + '\n');
  process.stderr.write(neutraliseForDisplay(`adapted "${name}" from ${r.device.samples.length} measurements in ${r.seconds.toFixed(1)} s (out-of-bag error +-${(r.device.errorBand * 100).toFixed(0)}%) -> ${out}`) + '\n');
}

export async function measureOnnx(args: Args): Promise<void> {
  args.only(['onnx', 'input-shape', 'json', 'out', 'name', 'runner', 'threads', 'warmup', 'runs', 'passes']);
  const files = args.all('onnx');
  if (files.length === 0) throw new SpecError('give --onnx FILE');
  const given = parseInputShapeArgs(args.all('input-shape'));
  const used = new Set<string>();
  const perFile = files.map((f) => {
    const { model, shapes } = shapesFor(f, given, used);
    for (const i of model.inputs) {
      if (Object.prototype.hasOwnProperty.call(shapes, i.name)) continue;
      (i.shape ?? []).forEach((d, k) => {
        if (typeof d !== 'number' || d < 1) process.stderr.write(neutraliseForDisplay(`note: ${f}: input ${JSON.stringify(i.name.slice(0, 60))} dim ${k}${typeof d === 'string' && d ? ` (${d.slice(0, 40)})` : ''} is dynamic: fed as 1 (give --input-shape ${i.name.slice(0, 60)}=...)`) + '\n');
      });
    }
    return shapes;
  });
  checkAllUsed(given, used);
  const out = args.str('out');
  if (out) checkOutputPath(out);
  const protocol = protocolFrom(args);
  const rows: { file: string; fastest_ms: number; median_ms: number; spread: number; runs: number }[] = [];
  for (let i = 0; i < files.length; i++) {
    const runner = onnxRunner(args, perFile[i]);
    const r = await measureArchitectures(runner, [{ arch: files[i], model: () => path.resolve(files[i]) }], { protocol, required: [files[i]] });
    for (const w of r.warnings) process.stderr.write(`warning: ${neutraliseForDisplay(w)}\n`);
    const s = r.samples[0];
    rows.push({ file: files[i], fastest_ms: s.latency_ms, median_ms: s.median_ms, spread: s.spread, runs: s.runs });
  }
  if (out) writeFileAtomicSync(out, JSON.stringify({ space: 'onnx', device: args.str('name') ?? 'this machine', samples: rows.map((r) => ({ arch: r.file, latency_ms: r.fastest_ms, median_ms: r.median_ms })) }, null, 1) + '\n');
  if (args.has('json')) process.stdout.write(JSON.stringify(rows) + '\n');
  else for (const r of rows) process.stdout.write(`${neutraliseForDisplay(r.file)}: ${fmtMs(r.fastest_ms)} ms fastest, ${fmtMs(r.median_ms)} ms median of ${r.runs} runs\n`);
}
