// The background process the extension forks (child_process.fork of dist/worker.js): it owns tfjs and
// the predictors so that the extension host never loads a model. The protocol (src/extension/protocol.ts):
// requests {id, method, params} -> replies {id, result} | {id, error, code}, progress {id, progress}.
// Requests run one at a time in arrival order; a queued request can be cancelled; a bad request gets an
// error reply and never ends the process. `ping` is answered at once by the message handler, never queued:
// the extension uses it to tell a busy worker from a hung one (worker-client.ts). A running request is
// cancelled (the client's timeout or the user) at its next step: the handlers of long requests (inspect,
// predict and histogram over many architectures, searches) yield to the event loop between steps
// (Ctx.checkpoint), so that cancellations and pings are read, and stop there when cancelled. One step runs
// without yielding (an ONNX analysis, the first embedding of a whole space: seconds at most); the client
// counts the worker as hung only past a much longer ping deadline. Searches (nearestFaster: up to seconds)
// run in a lane of their own, yielding between steps, so that the lenses' predictions are answered in
// between. The long jobs (adaptLocal, measure: a minute of measurements) run beside that queue, one at a
// time, so that predictions keep being answered meanwhile; they have no timeout, can be cancelled at any
// point (between two timed runs; a device command is killed) and write their files only at the end,
// atomically.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadPredictor, SpacePredictor } from '../core/predictor/load';
import { LatencyPredictor, DeviceHandle, weightsPaths } from '../core/predictor/service';
import { getSpace, SPACE_NAMES } from '../core/spaces/registry';
import { makeRng, SearchSpace, SpecError } from '../core/spaces/space';
import { nasBench201Space } from '../core/spaces/nasbench201';
import { fbnetSpace } from '../core/spaces/fbnet';
import { ofaSpace } from '../core/spaces/ofa';
import { hatSpace } from '../core/spaces/hat';
import { readOnnxFile } from '../core/onnx/reader';
import { recogniseOnnx } from '../core/onnx/recognise';
import { formatSummary, summariseOnnx } from '../core/onnx/summary';
import { checkInputShapesValue } from '../core/onnx/inputShapes';
import { describeSpike } from '../core/predictor/adaptDevice';
import { deviceFileIn, measureAndAdapt, progressText, saveAdapted, DEFAULT_EXTRA } from '../core/devices/local';
import { measureArchitectures, MeasureProgress } from '../core/devices/measure';
import { checkMeasurable } from '../core/devices/models';
import { makeRunner } from '../core/devices/runners';
import { counted } from '../core/text/plural';
import { InputShapeError, OnnxRuntimeRunner } from '../core/devices/runners/onnxruntime';
import { CancelledError, MeasurementError, Runner } from '../core/devices/runners/runner';
import { EditSpace, getEditSpace, nearestUnderBudget, NearestResult, NearestStats, PredictMs } from '../core/nas/nearest';
import { evolveSteps } from '../core/nas/evolution';
import { deviceLatencyFloorMs } from '../core/predictor/combine';
import { parseCandidates } from '../core/nas/constrained';
import { deviceRelativeError, searchBudget } from '../core/nas/margin';
import { findBesidePackageJson } from '../core/paths';
import type {
  AdaptLocalParams,
  AdaptResult,
  MeasureModelResult,
  MeasureParams,
  NearestFasterCandidate,
  NearestFasterParams,
  NearestFasterResult,
  AdaptedSamplesParams,
  AdaptedSamplesResult,
  DeviceInfo,
  DevicesParams,
  HistogramParams,
  HistogramResult,
  InitParams,
  InspectParams,
  InspectResult,
  PredictParams,
  PredictResult,
  SpaceDevices,
  WorkerErrorCode,
  WorkerProgress,
  WorkerReplyMessage,
  WorkerRequestMessage,
} from '../extension/protocol';

/** Seed and size of the sample a histogram predicts for spaces too large to enumerate. */
export const HISTOGRAM_SEED = 2021;
export const HISTOGRAM_SAMPLES = 2000;

class WorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const SAMPLERS: Record<string, SearchSpace<unknown>> = {
  nasbench201: nasBench201Space as SearchSpace<unknown>,
  fbnet: fbnetSpace as SearchSpace<unknown>,
  ofa: ofaSpace as SearchSpace<unknown>,
  hat: hatSpace as SearchSpace<unknown>,
};

let adaptedDir: string | undefined;
const predictors = new Map<string, Promise<SpacePredictor>>();

function spaceName(space: unknown): string {
  if (typeof space !== 'string') throw new WorkerError('bad-request', `"space" must be one of ${SPACE_NAMES.join(', ')}`);
  try {
    return getSpace(space).name;
  } catch (e) {
    throw new WorkerError('bad-request', (e as Error).message);
  }
}

async function predictorFor(space: string): Promise<SpacePredictor> {
  const name = spaceName(space);
  let p = predictors.get(name);
  if (!p) {
    // Weights of a space may not exist (yet) in this build: say so plainly, and look again next time.
    if (!fs.existsSync(weightsPaths(name).weights)) {
      throw new WorkerError('no-weights', `no trained weights for ${name} in this build yet, so HELP cannot predict ${name} latency`);
    }
    p = loadPredictor(name);
    predictors.set(name, p);
    p.catch(() => predictors.delete(name));
  }
  return p;
}

// ---- adapted devices: DEVICE.json files in the folder given at init ----

interface AdaptedEntry {
  info: DeviceInfo;
  mtimeMs: number;
}

function adaptedDevices(space?: string): AdaptedEntry[] {
  if (!adaptedDir || !fs.existsSync(adaptedDir)) return [];
  const out: AdaptedEntry[] = [];
  // NAME.samples.json beside a device file holds its raw measurements, not a device.
  for (const f of fs.readdirSync(adaptedDir).filter((f) => f.endsWith('.json') && !f.endsWith('.samples.json')).sort()) {
    const file = path.join(adaptedDir, f);
    try {
      const d = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!d || d.format !== 'help-device' || typeof d.name !== 'string' || typeof d.space !== 'string' || !Array.isArray(d.samples)) continue;
      if (space && d.space !== space) continue;
      out.push({
        info: { name: d.name, space: d.space, origin: 'adapted', samples: d.samples.length, created: d.created, file },
        mtimeMs: fs.statSync(file).mtimeMs,
      });
    } catch (e) {
      process.stderr.write(`HELP worker: skipping ${file}: ${(e as Error).message.split('\n')[0]}\n`);
    }
  }
  return out;
}

// Adapted handles keyed by file and modification time, so that a re-adapted file is read again.
const adaptedHandles = new Map<string, DeviceHandle>();

function resolveDevice(p: SpacePredictor, name: string, adapted: AdaptedEntry[]): DeviceHandle {
  const a = adapted.find((e) => e.info.name === name || e.info.file === name);
  if (!a) return p.resolve(name);
  const key = `${a.info.file}\u0000${a.mtimeMs}`;
  let h = adaptedHandles.get(key);
  if (!h) {
    const file = a.info.file!;
    h = p instanceof LatencyPredictor ? p.open(p.readDeviceFile(file)) : p.resolve(file);
    h = { ...h, info: { ...h.info, name: a.info.name, file } };
    adaptedHandles.set(key, h);
  }
  return h;
}

function allDeviceNames(p: SpacePredictor, adapted: AdaptedEntry[]): string[] {
  return [...p.builtinDevices().map((d) => d.name), ...adapted.map((a) => a.info.name)];
}

// ---- methods ----

function obj(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw new WorkerError('bad-request', '"params" must be an object');
  return params as Record<string, unknown>;
}

async function devices(params: DevicesParams, ctx: Ctx): Promise<SpaceDevices[]> {
  const spaces = params.space === undefined ? SPACE_NAMES : [spaceName(params.space)];
  const out: SpaceDevices[] = [];
  for (const space of spaces) {
    await ctx.checkpoint();
    try {
      const p = await predictorFor(space);
      const builtins = p.builtinDevices();
      const adapted = adaptedDevices(space).map((a) => a.info).filter((a) => !builtins.some((b) => b.name === a.name));
      out.push({ space, devices: [...builtins, ...adapted] });
    } catch (e) {
      out.push({ space, devices: [], error: (e as Error).message.split('\n')[0], code: e instanceof WorkerError ? e.code : 'failed' });
    }
  }
  return out;
}

function canonicalSpecs(p: SpacePredictor, specs: unknown): string[] {
  if (!Array.isArray(specs)) throw new WorkerError('bad-request', '"specs" must be an array');
  return specs.map((s, k) => {
    try {
      return p.space.canonical(s);
    } catch (e) {
      throw new WorkerError('bad-request', `spec ${k + 1}: ${(e as Error).message.split('\n')[0]}`);
    }
  });
}

async function predict(params: PredictParams, ctx: Ctx): Promise<PredictResult> {
  const space = spaceName(params.space);
  const p = await predictorFor(space);
  const specs = canonicalSpecs(p, params.specs);
  const adapted = adaptedDevices(space);
  if (params.devices !== undefined && (!Array.isArray(params.devices) || params.devices.some((d) => typeof d !== 'string'))) {
    throw new WorkerError('bad-request', '"devices" must be an array of device names');
  }
  const names = params.devices ?? allDeviceNames(p, adapted);
  const result: PredictResult = { space, specs, ms: {}, errors: {}, info: {} };
  const ok: { name: string; handle: DeviceHandle }[] = [];
  for (const name of [...new Set(names)]) {
    try {
      const handle = resolveDevice(p, name, adapted);
      ok.push({ name, handle });
      result.info[name] = handle.info;
    } catch (e) {
      result.errors[name] = (e as Error).message.split('\n')[0];
    }
  }
  if (ok.length === 0) return result;
  for (const o of ok) result.ms[o.name] = [];
  // In steps of PREDICT_STEP architectures, with a checkpoint between two.
  for (let from = 0; from < specs.length; from += PREDICT_STEP) {
    if (from > 0) await ctx.checkpoint();
    const step = specs.slice(from, from + PREDICT_STEP);
    const live = ok.filter((o) => result.errors[o.name] === undefined);
    try {
      const ms = p.predictOnDevices(live.map((o) => o.handle), step);
      live.forEach((o, k) => result.ms[o.name].push(...ms[k]));
    } catch {
      // One device breaking the batch must not cost the others: predict them one by one.
      for (const o of live) {
        try {
          result.ms[o.name].push(...p.predictOnDevices([o.handle], step)[0]);
        } catch (e) {
          result.errors[o.name] = (e as Error).message.split('\n')[0];
          delete result.ms[o.name];
        }
      }
    }
  }
  return result;
}

// Predicted latencies of the whole space / the fixed sample, per device (sorted), computed once.
const spaceLatencies = new Map<string, { sorted: Float64Array; sampled: boolean }>();

async function histogram(params: HistogramParams, ctx: Ctx): Promise<HistogramResult> {
  const space = spaceName(params.space);
  if (typeof params.device !== 'string') throw new WorkerError('bad-request', '"device" must be a device name');
  const p = await predictorFor(space);
  const adapted = adaptedDevices(space);
  const handle = resolveDevice(p, params.device, adapted);
  const key = `${space}\u0000${params.device}\u0000${handle.file.created}\u0000${handle.info.file ?? ''}`;
  let lat = spaceLatencies.get(key);
  if (!lat) {
    const ms: number[] = [];
    let sampled = false;
    // In steps, with a checkpoint between two. (The first whole-space step embeds the space once, a few
    // seconds without yielding; later histograms and searches reuse it.)
    if (p instanceof LatencyPredictor && p.space.index) {
      const size = p.space.index.size;
      const step = 2 * PREDICT_STEP; // at least 2000: the whole space is embedded once and kept (service.ts)
      for (let from = 0; from < size; from += step) {
        if (from > 0) await ctx.checkpoint();
        const indices = Array.from({ length: Math.min(step, size - from) }, (_, i) => from + i);
        ms.push(...p.predictIndicesOnDevices([handle], indices)[0]);
      }
    } else {
      const sampler = SAMPLERS[space];
      const specs = sampler.sample(HISTOGRAM_SAMPLES, makeRng(HISTOGRAM_SEED)).map((a) => sampler.format(a));
      for (let from = 0; from < specs.length; from += PREDICT_STEP / 4) {
        if (from > 0) await ctx.checkpoint();
        ms.push(...p.predictOnDevices([handle], specs.slice(from, from + PREDICT_STEP / 4))[0]);
      }
      sampled = true;
    }
    lat = { sorted: Float64Array.from(ms).sort(), sampled };
    spaceLatencies.set(key, lat);
  }
  const { sorted, sampled } = lat;
  let current: number | undefined;
  if (params.spec !== undefined && params.spec !== null) current = p.predictOnDevices([handle], canonicalSpecs(p, [params.spec]))[0][0];
  const bins = Math.max(5, Math.min(200, Math.floor(Number(params.bins) || 40)));
  const min = Math.min(sorted[0], current ?? Infinity);
  const max = Math.max(sorted[sorted.length - 1], current ?? -Infinity);
  const width = (max - min) / bins || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  let faster: number | undefined;
  if (current !== undefined) {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < current) lo = mid + 1;
      else hi = mid;
    }
    faster = lo / sorted.length;
  }
  return {
    space,
    device: params.device,
    count: sorted.length,
    sampled,
    seed: sampled ? HISTOGRAM_SEED : undefined,
    edges,
    counts,
    min,
    max,
    median: sorted[sorted.length >> 1],
    current,
    fasterShare: faster,
  };
}

async function adaptedSamples(params: AdaptedSamplesParams): Promise<AdaptedSamplesResult> {
  const space = spaceName(params.space);
  if (typeof params.device !== 'string') throw new WorkerError('bad-request', '"device" must be a device name');
  const p = await predictorFor(space);
  const handle = resolveDevice(p, params.device, adaptedDevices(space));
  const samples = handle.file.samples ?? [];
  const predicted = samples.length ? p.predictOnDevices([handle], samples.map((s) => s.arch))[0] : [];
  return {
    space,
    device: params.device,
    origin: handle.info.origin,
    created: handle.info.created ?? (handle.file.created || undefined),
    samples: samples.map((s, k) => ({ arch: s.arch, measured: s.latency_ms, predicted: predicted[k] })),
  };
}

/** An .onnx file: the architecture of a known space it is, or why not, and a summary of the model. Each
 *  step (read, recognise, summarise) runs without yielding; a cancellation (the client's timeout) is seen
 *  between them. The steps themselves are bounded by the file's size (core/onnx). */
async function inspect(params: InspectParams, ctx: Ctx): Promise<InspectResult> {
  if (typeof params.path !== 'string' || params.path === '') throw new WorkerError('bad-request', '"path" must be an .onnx file path');
  const inputShapes = params.inputShapes === undefined ? {} : checkInputShapesValue(params.inputShapes, 'help.inputShapes');
  const model = readOnnxFile(params.path);
  // A glob may match models of other inputs: names the model lacks, or of another rank, are left out, and
  // the dims the model fixes are kept (the setting fills symbolic ones).
  const known: Record<string, number[]> = {};
  for (const i of model.inputs) {
    const given = Object.prototype.hasOwnProperty.call(inputShapes, i.name) ? inputShapes[i.name] : undefined;
    if (given && (!i.shape || i.shape.length === given.length)) known[i.name] = given.map((d, k) => (typeof i.shape?.[k] === 'number' && (i.shape[k] as number) >= 0 ? (i.shape[k] as number) : d));
  }
  await ctx.checkpoint();
  const r = recogniseOnnx(model);
  await ctx.checkpoint();
  const summarised = summariseOnnx(model, { inputShapes: known });
  await ctx.checkpoint();
  const summary = formatSummary(summarised).split('\n');
  return r.space ? { space: r.space, spec: r.spec, notes: r.notes, summary } : { reason: r.reason, summary };
}

// ---- measuring devices (long jobs) ----

type Ctx = {
  id: number;
  progress(p: WorkerProgress): void;
  cancelled(): boolean;
  signal: AbortSignal;
  /** Between two steps of a long request: lets waiting messages in (pings, cancellations), then throws
   *  "cancelled" if this request was cancelled meanwhile. */
  checkpoint(): Promise<void>;
};

const yieldToMessages = () => new Promise<void>((r) => setImmediate(r));

function makeCtx(id: number, cancelled: () => boolean, signal: AbortSignal): Ctx {
  return {
    id,
    progress: (progress) => send({ id, progress }),
    cancelled,
    signal,
    checkpoint: async () => {
      await yieldToMessages();
      if (cancelled()) throw new WorkerError('cancelled', 'cancelled');
    },
  };
}

/** Architectures predicted in one step (about 0.1-0.3 s of CPU) between two checkpoints. */
const PREDICT_STEP = 1024;

function optionalInt(v: unknown, name: string, lo: number, hi: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new WorkerError('bad-request', `"${name}" must be an integer from ${lo} to ${hi}`);
  return v;
}

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

async function adaptLocal(params: AdaptLocalParams, ctx: Ctx): Promise<AdaptResult> {
  const name = typeof params.name === 'string' && params.name.trim() ? params.name.trim() : 'this machine';
  const runner = runnerOf({ runner: 'onnxruntime', threads: optionalInt(params.threads, 'threads', 1, 256) });
  const extra = optionalInt(params.extra, 'extra', 0, 200) ?? DEFAULT_EXTRA;
  return adaptWith(ctx, { space: spaceName(params.space), name, runner, extra, outDir: outDirOf(params.outDir) });
}

async function measure(params: MeasureParams, ctx: Ctx): Promise<AdaptResult | MeasureModelResult> {
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
    return measureModel(params.model, d.name, runner, ctx);
  }
  const space = spaceName(d.space ?? params.space);
  const archs = typeof params.spec === 'string' && params.spec ? [params.spec] : undefined;
  const extra = optionalInt(params.extra, 'extra', 0, 200) ?? DEFAULT_EXTRA;
  return adaptWith(ctx, { space, name: d.name.trim(), runner, extra, archs, outDir: outDirOf(params.outDir) });
}

/** One model file, measured with the protocol (nothing saved). A command gets a private copy of the file,
 *  so its path holds no character a shell on the device side could read as syntax. */
async function measureModel(model: string, device: string, runner: Runner, ctx: Ctx): Promise<MeasureModelResult> {
  let tmp: string | undefined;
  let file = model;
  if (runner.kind === 'command') {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-model-'));
    file = path.join(tmp, 'model.onnx');
    fs.copyFileSync(model, file);
  }
  const r = reporter(ctx);
  try {
    const m = await measureArchitectures(runner, [{ arch: path.basename(model), model: () => file }], { signal: ctx.signal, onProgress: r.measured, onFailure: r.failed, required: [path.basename(model)] });
    const s = m.samples[0];
    const notes = runner instanceof OnnxRuntimeRunner ? [...runner.inputNotes] : [];
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

// ---- nearest faster architectures (the editor's "Find a faster architecture") ----

const NB201_ACCURACY_SOURCE = 'CIFAR-100 test accuracy (MetaD2A candidate cells)';
let nb201Accuracy: Map<string, number> | null | undefined;

/** CIFAR-100 accuracy of MetaD2A's candidate cells (data/nasbench201/metad2a_candidates.csv, when this
 *  installation has it), by canonical cell; null when it has not. Read once. */
function nasBench201Accuracy(): Map<string, number> | null {
  if (nb201Accuracy !== undefined) return nb201Accuracy;
  nb201Accuracy = null;
  const dir = process.env.HELP_DATA_DIR ?? findBesidePackageJson('data');
  const file = dir && path.join(dir, 'nasbench201', 'metad2a_candidates.csv');
  if (file && fs.existsSync(file)) {
    try {
      const cands = parseCandidates(fs.readFileSync(file, 'utf8'), (s) => nasBench201Space.format(nasBench201Space.parse(s)), file);
      nb201Accuracy = new Map(cands.filter((c) => c.accuracy !== undefined).map((c) => [c.spec, c.accuracy!]));
    } catch (e) {
      process.stderr.write(`HELP worker: ignoring ${file}: ${(e as Error).message.split('\n')[0]}\n`);
    }
  }
  return nb201Accuracy;
}

/**
 * The nearest architectures under a budget: nearestUnderBudget (nasbench201 exact, fbnet/ofa beam search),
 * run one edit distance further at a time over a prediction cache, so that each distance reports progress
 * and a cancellation is seen between two distances; for fbnet/ofa, regularised evolution towards few edits
 * when the beam finds nothing.
 */
async function nearestFaster(params: NearestFasterParams, ctx: Ctx): Promise<NearestFasterResult> {
  const t0 = Date.now();
  const space = spaceName(params.space);
  let edits: EditSpace;
  try {
    edits = getEditSpace(space);
  } catch {
    throw new WorkerError('unsupported', `HELP has no architecture search for ${space} (only for nasbench201, fbnet and ofa)`);
  }
  if (typeof params.device !== 'string' || params.device === '') throw new WorkerError('bad-request', '"device" must be a device name');
  const budgetMs = params.budgetMs;
  if (typeof budgetMs !== 'number' || !Number.isFinite(budgetMs) || budgetMs <= 0) throw new WorkerError('bad-request', '"budgetMs" must be a positive number of milliseconds');
  if (params.margin !== undefined && params.margin !== 'auto' && !(typeof params.margin === 'number' && params.margin >= 0 && params.margin <= 0.5)) {
    throw new WorkerError('bad-request', '"margin" must be "auto" or a number from 0 to 0.5');
  }
  const limit = optionalInt(params.limit, 'limit', 1, 50) ?? 10;
  const maxEdits = optionalInt(params.maxEdits, 'maxEdits', 1, 40) ?? (space === 'nasbench201' ? 6 : 8);
  const p = await predictorFor(space);
  if (!(p instanceof LatencyPredictor)) throw new WorkerError('unsupported', `HELP has no architecture search for ${space}`);
  const handle = resolveDevice(p, params.device, adaptedDevices(space));
  // Headroom for the device's prediction error, as the CLI's nas does (core/nas/margin.ts).
  const margin = typeof params.margin === 'number' ? params.margin : deviceRelativeError(handle);
  const searchMs = searchBudget(budgetMs, margin);
  let start: string;
  try {
    start = p.space.canonical(params.spec);
  } catch (e) {
    throw new WorkerError('bad-request', `spec: ${(e as Error).message.split('\n')[0]}`);
  }

  const cache = new Map<string, number>();
  const predict: PredictMs = (specs) => {
    const todo = [...new Set(specs.filter((s) => !cache.has(s)))];
    if (todo.length) {
      // By index where the space has one: past a few thousand cells the whole space is embedded once and
      // kept (shared with the histogram), so that later searches are fast.
      const index = p.space.index;
      const ms = index ? p.predictIndicesOnDevices([handle], todo.map((s) => index.indexOf(s)))[0] : p.predictOnDevices([handle], todo)[0];
      todo.forEach((s, k) => cache.set(s, Number.isFinite(ms[k]) ? ms[k] : Infinity));
    }
    return specs.map((s) => cache.get(s)!);
  };
  const table = space === 'nasbench201' ? nasBench201Accuracy() : null;
  const accuracy = (spec: string) => table?.get(spec);
  const current_ms = predict([start])[0];
  const startKey = edits.key(start);
  const admit = (spec: string) => edits.key(spec) !== startKey;
  const stats: NearestStats = { evaluated: 0, found: 0, reached: 0, exact: false };
  const withAccuracy = (c: { spec: string; edits: number; predicted_ms: number }): NearestFasterCandidate => {
    const a = accuracy(c.spec);
    return a === undefined ? { spec: c.spec, edits: c.edits, predicted_ms: c.predicted_ms } : { spec: c.spec, edits: c.edits, predicted_ms: c.predicted_ms, accuracy: a };
  };

  let found: NearestResult[] = [];
  let method: NearestFasterResult['method'] = space === 'nasbench201' ? 'exact' : 'beam';
  for (let k = 1; k <= maxEdits; k++) {
    // Distances below k are answered from the cache: each round predicts only distance k.
    found = nearestUnderBudget(edits, start, predict, { budgetMs: searchMs, floorMs: deviceLatencyFloorMs(handle), maxEdits: k, limit, accuracy, admit }, stats);
    ctx.progress({ message: `${k} edit${k === 1 ? '' : 's'}: ${cache.size} architectures predicted, ${found.length} within ${Number(searchMs.toPrecision(4))} ms` });
    if (found.length >= limit || stats.reached < k) break;
    await yieldToMessages();
    if (ctx.cancelled()) throw new WorkerError('cancelled', 'cancelled');
  }
  let fastest = stats.fastest ? withAccuracy(stats.fastest) : undefined;
  let candidates = found.map(withAccuracy);

  if (candidates.length === 0 && (space === 'fbnet' || space === 'ofa')) {
    await yieldToMessages();
    if (ctx.cancelled()) throw new WorkerError('cancelled', 'cancelled');
    ctx.progress({ message: `nothing within ${counted(stats.reached, 'edit')}: evolutionary search` });
    // One generation at a time, answering other requests (and seeing a cancellation) in between.
    const steps = evolveSteps(space, predict, { start }, { budgetMs: searchMs, floorMs: deviceLatencyFloorMs(handle), objective: 'edits', seed: 0 });
    let r;
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) {
        r = step.value;
        break;
      }
      await yieldToMessages();
      if (ctx.cancelled()) throw new WorkerError('cancelled', 'cancelled');
    }
    candidates = r.top
      .filter((t) => t.fits && t.edits !== undefined && t.edits > 0)
      .map((t) => ({ spec: t.spec, edits: t.edits!, predicted_ms: t.predicted_ms }))
      .sort((a, b) => a.edits - b.edits || a.predicted_ms - b.predicted_ms)
      .slice(0, limit);
    if (candidates.length) method = 'evolution';
    for (const t of r.top) {
      if (t.edits && (!fastest || t.predicted_ms < fastest.predicted_ms)) fastest = { spec: t.spec, edits: t.edits, predicted_ms: t.predicted_ms };
    }
  }

  const result: NearestFasterResult = {
    space,
    device: params.device,
    budgetMs,
    margin,
    searchBudgetMs: searchMs,
    start,
    current_ms,
    candidates,
    method,
    reached: stats.reached,
    evaluated: cache.size,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  const a = accuracy(start);
  if (a !== undefined) result.current_accuracy = a;
  if (fastest) result.fastest = fastest;
  if (table) result.accuracySource = NB201_ACCURACY_SOURCE;
  return result;
}

// ---- the request loop ----

type Handler = (params: Record<string, unknown>, ctx: Ctx) => Promise<unknown> | unknown;

const handlers: Record<string, Handler> = {
  init: (params) => {
    const p = params as InitParams;
    if (p.adaptedDir !== undefined && typeof p.adaptedDir !== 'string') throw new WorkerError('bad-request', '"adaptedDir" must be a folder path');
    adaptedDir = p.adaptedDir;
    return { spaces: SPACE_NAMES, pid: process.pid };
  },
  devices: (params, ctx) => devices(params as DevicesParams, ctx),
  predict: (params, ctx) => predict(params as unknown as PredictParams, ctx),
  histogram: (params, ctx) => histogram(params as unknown as HistogramParams, ctx),
  adaptedSamples: (params) => adaptedSamples(params as unknown as AdaptedSamplesParams),
  inspect: (params, ctx) => inspect(params as unknown as InspectParams, ctx),
  nearestFaster: (params, ctx) => nearestFaster(params as unknown as NearestFasterParams, ctx),
  adaptLocal: (params, ctx) => adaptLocal(params as unknown as AdaptLocalParams, ctx),
  measure: (params, ctx) => measure(params as unknown as MeasureParams, ctx),
};

/** Methods that run beside the queue (one at a time). */
const LONG_JOBS = new Set(['adaptLocal', 'measure']);
let longJob: { id: number; abort: AbortController } | undefined;

interface Queued {
  id: number;
  method: string;
  params: unknown;
}

/** A queue of requests run one at a time; `running` is the request's id (-1 between two). */
interface Lane {
  queue: Queued[];
  running: number | undefined;
}

/** Methods that run in the search lane, beside the main queue (they yield between steps). */
const SEARCH_JOBS = new Set(['nearestFaster']);
const mainLane: Lane = { queue: [], running: undefined };
const searchLane: Lane = { queue: [], running: undefined };
const cancelled = new Set<number>();

function send(msg: WorkerReplyMessage): void {
  try {
    process.send?.(msg);
  } catch (e) {
    process.stderr.write(`HELP worker: cannot reply: ${(e as Error).message}\n`);
  }
}

function fail(id: number, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  // SpecError (OnnxError included): the request's input is at fault, not the worker.
  const code: WorkerErrorCode = err instanceof WorkerError ? err.code : err instanceof SpecError ? 'bad-request' : 'failed';
  send({ id, error: (err.message || String(e)).split('\n')[0], code });
}

async function pump(lane: Lane): Promise<void> {
  if (lane.running !== undefined) return;
  lane.running = -1;
  for (;;) {
    // Let messages that arrived during the last job (cancellations above all) in before the next one.
    await new Promise((r) => setImmediate(r));
    const job = lane.queue.shift();
    if (!job) break;
    if (cancelled.delete(job.id)) {
      send({ id: job.id, error: 'cancelled', code: 'cancelled' });
      continue;
    }
    lane.running = job.id;
    const id = job.id;
    try {
      const h = Object.prototype.hasOwnProperty.call(handlers, job.method) ? handlers[job.method] : undefined;
      if (!h) throw new WorkerError('unknown-method', `the HELP worker has no method "${job.method}" in this build`);
      const result = await h(obj(job.params), makeCtx(id, () => cancelled.has(id), new AbortController().signal));
      if (cancelled.delete(id)) send({ id, error: 'cancelled', code: 'cancelled' });
      else send({ id, result });
    } catch (e) {
      cancelled.delete(id);
      fail(id, e);
    }
    lane.running = -1;
  }
  lane.running = undefined;
}

function onMessage(msg: unknown): void {
  const m = msg as WorkerRequestMessage;
  if (!m || typeof m !== 'object' || typeof m.id !== 'number' || !Number.isFinite(m.id)) {
    process.stderr.write(`HELP worker: ignoring a message without a numeric id\n`);
    return;
  }
  if (typeof m.method !== 'string') {
    send({ id: m.id, error: '"method" must be a string', code: 'bad-request' });
    return;
  }
  // Answered here, not queued: a reply says the process and its event loop are alive, however busy.
  if (m.method === 'ping') {
    send({ id: m.id, result: 'pong' });
    return;
  }
  if (m.method === 'cancel') {
    const target = (m.params as { id?: unknown } | undefined)?.id;
    if (typeof target === 'number') {
      const lane = [mainLane, searchLane].find((l) => l.queue.some((q) => q.id === target));
      if (longJob?.id === target) longJob.abort.abort();
      else if (lane) {
        lane.queue.splice(lane.queue.findIndex((q) => q.id === target), 1);
        send({ id: target, error: 'cancelled', code: 'cancelled' });
      } else if (mainLane.running === target || searchLane.running === target) cancelled.add(target);
    }
    send({ id: m.id, result: true });
    return;
  }
  if (LONG_JOBS.has(m.method)) {
    void runLongJob(m.id, m.method, m.params);
    return;
  }
  const lane = SEARCH_JOBS.has(m.method) ? searchLane : mainLane;
  lane.queue.push({ id: m.id, method: m.method, params: m.params });
  void pump(lane);
}

async function runLongJob(id: number, method: string, params: unknown): Promise<void> {
  if (longJob) {
    send({ id, error: 'a measurement is already running; cancel it or wait for it to finish', code: 'failed' });
    return;
  }
  const abort = new AbortController();
  longJob = { id, abort };
  try {
    // A job that returns has saved its files: its result stands even if a cancellation came too late.
    const result = await handlers[method](obj(params), makeCtx(id, () => abort.signal.aborted, abort.signal));
    send({ id, result });
  } catch (e) {
    if (abort.signal.aborted) send({ id, error: 'cancelled', code: 'cancelled' });
    else fail(id, e);
  } finally {
    longJob = undefined;
  }
}

if (process.send) {
  process.on('message', onMessage);
  // A bug in one request must not end the process (and with it every cached predictor).
  process.on('uncaughtException', (e) => process.stderr.write(`HELP worker: uncaught: ${e.stack ?? e}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`HELP worker: unhandled rejection: ${(e as Error)?.stack ?? e}\n`));
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
}
