// The long jobs: adaptLocal (adapt to this machine) and measure (a device setting: adapt to it, or time one
// model file). They run beside the request queue (main.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LatencyPredictor } from '../../core/predictor/service';
import { describeSpike } from '../../core/predictor/adaptDevice';
import { deviceFileIn, measureAndAdapt, progressText, saveAdapted, DEFAULT_EXTRA } from '../../core/devices/local';
import { measureArchitectures, MeasureProgress } from '../../core/devices/measure';
import { checkMeasurable } from '../../core/devices/models';
import { makeRunner } from '../../core/devices/runners';
import { InputShapeError, OnnxRuntimeRunner } from '../../core/devices/runners/onnxruntime';
import { CancelledError, MeasurementError, Runner } from '../../core/devices/runners/runner';
import type { AdaptLocalParams, AdaptResult, MeasureModelResult, MeasureParams } from '../protocol';
import { Ctx, optionalInt, WorkerError } from '../context';
import { predictorFor, spaceName } from '../predictors';
import { adaptOnnxWith } from './onnxLatency';
import { commandModelFile } from '../../core/onnx/fixInputs';
import { SpecError } from '../../core/spaces/space';

/** help.inputShapes' entry for a model: {inputName: [dims]} (at most 256 inputs of at most 64 dims). */
function inputShapesOf(v: unknown): Record<string, number[]> | undefined {
  if (v === undefined || v === null) return undefined;
  const bad = () => new WorkerError('bad-request', '"inputShapes" must map input names to lists of positive integers');
  if (typeof v !== 'object' || Array.isArray(v)) throw bad();
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 256) throw bad();
  const out: Record<string, number[]> = {};
  for (const [name, dims] of entries) {
    if (!Array.isArray(dims) || dims.length > 64 || !dims.every((d) => Number.isInteger(d) && d > 0 && d < 2 ** 31)) throw bad();
    out[name] = dims as number[];
  }
  return out;
}

function optionalSeconds(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !(v > 0) || v > 86400) throw new WorkerError('bad-request', `"${name}" must be a number of seconds from 0 to 86400`);
  return v;
}

function outDirOf(v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new WorkerError('bad-request', '"outDir" must be the folder for adapted devices');
  fs.mkdirSync(v, { recursive: true });
  return v;
}

function runnerOf(spec: Parameters<typeof makeRunner>[0]): Runner {
  try {
    return makeRunner(spec);
  } catch (e) {
    throw new WorkerError('bad-request', (e as Error).message);
  }
}

/** Progress as the extension's notification shows it (under its title "HELP: adapting to ..."): planned
 *  visits share 90%, saving the rest. */
function reporter(ctx: Ctx) {
  const started = Date.now();
  return {
    phase: (message: string) => ctx.progress({ message }),
    measured: (p: MeasureProgress) => ctx.progress({ message: progressText(p, 40), increment: !p.waiting && p.visit <= p.planned ? 90 / p.planned : 0 }),
    failed: (arch: string, message: string) => ctx.progress({ log: `measurement of ${arch} failed: ${message}` }),
    elapsed: () => (Date.now() - started) / 1000,
  };
}

async function adaptWith(ctx: Ctx, o: { space: string; name: string; runner: Runner; extra: number; outDir: string; archs?: string[] }): Promise<AdaptResult> {
  const space = spaceName(o.space);
  try {
    checkMeasurable(space);
  } catch (e) {
    throw new WorkerError('unsupported', (e as Error).message);
  }
  const p = await predictorFor(space);
  if (!(p instanceof LatencyPredictor)) throw new WorkerError('unsupported', `${space} has no HELP network to adapt`);
  const r = reporter(ctx);
  const file = deviceFileIn(o.outDir, space, o.name);
  try {
    const a = await measureAndAdapt({ predictor: p, name: o.name, runner: o.runner, extra: o.extra, archs: o.archs, signal: ctx.signal, onProgress: r.measured, onFailure: r.failed, onPhase: r.phase });
    const saved = saveAdapted(file, a.device, a.record);
    ctx.progress({ message: 'saved', increment: 10 });
    const c = a.device.adaptation.combination;
    return {
      space,
      name: o.name,
      file: saved.device,
      samplesFile: saved.samples,
      samples: a.device.samples.length,
      dropped: a.result.dropped,
      warnings: [...a.result.warnings, ...(a.device.adaptation.spikes ?? []).map(describeSpike)],
      seconds: Math.round(r.elapsed() * 10) / 10,
      looRmseMs: Math.sqrt(c.looMse),
    };
  } catch (e) {
    if (e instanceof CancelledError) throw new WorkerError('cancelled', 'cancelled');
    if (e instanceof MeasurementError) throw new WorkerError('failed', e.message);
    throw e;
  }
}

export async function adaptLocal(params: AdaptLocalParams, ctx: Ctx): Promise<AdaptResult> {
  const name = typeof params.name === 'string' && params.name.trim() ? params.name.trim() : 'this machine';
  const runner = runnerOf({ runner: 'onnxruntime', threads: optionalInt(params.threads, 'threads', 1, 256) });
  if (params.space === 'onnx') return adaptOnnxWith(ctx, { name, runner, outDir: outDirOf(params.outDir) });
  const extra = optionalInt(params.extra, 'extra', 0, 200) ?? DEFAULT_EXTRA;
  return adaptWith(ctx, { space: spaceName(params.space), name, runner, extra, outDir: outDirOf(params.outDir) });
}

export async function measure(params: MeasureParams, ctx: Ctx): Promise<AdaptResult | MeasureModelResult> {
  const d = params.device as MeasureParams['device'] | undefined;
  if (!d || typeof d !== 'object' || typeof d.name !== 'string' || !d.name.trim()) throw new WorkerError('bad-request', '"device" must be a device setting {name, runner, ...}');
  // Defence in depth: the extension checks workspace trust before it asks; a command runs only when it says so.
  if (d.runner === 'command' && params.trusted !== true) throw new WorkerError('unsupported', `device "${d.name}" runs a command, which HELP does only in a trusted workspace`);
  const runner = runnerOf({
    runner: d.runner,
    command: d.command,
    threads: optionalInt(d.threads, 'threads', 1, 256),
    timeoutS: optionalSeconds(d.timeoutS, 'timeoutS'),
    firstRunTimeoutS: optionalSeconds(d.firstRunTimeoutS, 'firstRunTimeoutS'),
    inputShapes: d.runner === 'command' ? undefined : inputShapesOf(params.inputShapes),
  });
  if (params.model !== undefined && params.model !== null) {
    if (typeof params.model !== 'string' || !fs.existsSync(params.model)) throw new WorkerError('bad-request', `"model" must be an existing .onnx file`);
    return measureModel(params.model, d.name, runner, ctx, inputShapesOf(params.inputShapes));
  }
  // A device of the onnx space (or the onnx space chosen for a device without one): its reference models.
  if ((d.space ?? params.space) === 'onnx') return adaptOnnxWith(ctx, { name: d.name.trim(), runner, outDir: outDirOf(params.outDir) });
  const space = spaceName(d.space ?? params.space);
  const archs = typeof params.spec === 'string' && params.spec ? [params.spec] : undefined;
  const extra = optionalInt(params.extra, 'extra', 0, 200) ?? DEFAULT_EXTRA;
  return adaptWith(ctx, { space, name: d.name.trim(), runner, extra, archs, outDir: outDirOf(params.outDir) });
}

/** One model file, measured with the protocol (nothing saved). A command gets a private copy of the file,
 *  so its path holds no character a shell on the device side could read as syntax, and the device command,
 *  which gets a path only, finds the open input dims fixed in it (help.inputShapes, else 1: see fixInputs.ts). */
async function measureModel(model: string, device: string, runner: Runner, ctx: Ctx, inputShapes?: Record<string, number[]>): Promise<MeasureModelResult> {
  let tmp: string | undefined;
  let file = model;
  const notes: string[] = [];
  if (runner.kind === 'command') {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-model-'));
    try {
      const c = commandModelFile(model, tmp, inputShapes ?? {}, { always: true });
      file = c.file;
      notes.push(...c.notes);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (e instanceof SpecError) throw new WorkerError('unsupported', e.message);
      throw e;
    }
  }
  const r = reporter(ctx);
  try {
    const m = await measureArchitectures(runner, [{ arch: path.basename(model), model: () => file }], { signal: ctx.signal, onProgress: r.measured, onFailure: r.failed, required: [path.basename(model)] });
    const s = m.samples[0];
    if (runner instanceof OnnxRuntimeRunner) notes.push(...runner.inputNotes);
    return { device, model, latency_ms: s.latency_ms, median_ms: s.median_ms, spread: s.spread, runs: s.runs, visits: s.minima.length, warnings: [...notes, ...m.warnings], seconds: Math.round(m.seconds * 10) / 10 };
  } catch (e) {
    if (e instanceof CancelledError) throw new WorkerError('cancelled', 'cancelled');
    if (e instanceof InputShapeError) throw new WorkerError('unsupported', `${e.message}; in the editor, under a pattern of the file in the help.inputShapes setting, e.g. {"**/${path.basename(model).slice(0, 80)}": {...}}`);
    if (e instanceof MeasurementError) throw new WorkerError('failed', e.message);
    throw e;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
