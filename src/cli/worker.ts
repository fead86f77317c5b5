// The background process the extension forks (child_process.fork of dist/worker.js): it owns tfjs and
// the predictors so that the extension host never loads a model. The protocol (src/extension/protocol.ts):
// requests {id, method, params} -> replies {id, result} | {id, error, code}, progress {id, progress}.
// Requests run one at a time in arrival order; a queued request can be cancelled; a bad request gets an
// error reply and never ends the process.
import * as fs from 'fs';
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
import type {
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
  for (const f of fs.readdirSync(adaptedDir).filter((f) => f.endsWith('.json')).sort()) {
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

async function devices(params: DevicesParams): Promise<SpaceDevices[]> {
  const spaces = params.space === undefined ? SPACE_NAMES : [spaceName(params.space)];
  const out: SpaceDevices[] = [];
  for (const space of spaces) {
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

async function predict(params: PredictParams): Promise<PredictResult> {
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
  try {
    const ms = p.predictOnDevices(ok.map((o) => o.handle), specs);
    ok.forEach((o, k) => (result.ms[o.name] = ms[k]));
  } catch {
    // One device breaking the batch must not cost the others: predict them one by one.
    for (const o of ok) {
      try {
        result.ms[o.name] = p.predictOnDevices([o.handle], specs)[0];
      } catch (e) {
        result.errors[o.name] = (e as Error).message.split('\n')[0];
      }
    }
  }
  return result;
}

// Predicted latencies of the whole space / the fixed sample, per device (sorted), computed once.
const spaceLatencies = new Map<string, { sorted: Float64Array; sampled: boolean }>();

async function histogram(params: HistogramParams): Promise<HistogramResult> {
  const space = spaceName(params.space);
  if (typeof params.device !== 'string') throw new WorkerError('bad-request', '"device" must be a device name');
  const p = await predictorFor(space);
  const adapted = adaptedDevices(space);
  const handle = resolveDevice(p, params.device, adapted);
  const key = `${space}\u0000${params.device}\u0000${handle.file.created}\u0000${handle.info.file ?? ''}`;
  let lat = spaceLatencies.get(key);
  if (!lat) {
    let ms: number[];
    let sampled = false;
    if (p instanceof LatencyPredictor && p.space.index) {
      ms = p.predictIndicesOnDevices([handle], Array.from({ length: p.space.index.size }, (_, i) => i))[0];
    } else {
      const sampler = SAMPLERS[space];
      const specs = sampler.sample(HISTOGRAM_SAMPLES, makeRng(HISTOGRAM_SEED)).map((a) => sampler.format(a));
      ms = p.predictOnDevices([handle], specs)[0];
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

/** An .onnx file: the architecture of a known space it is, or why not, and a summary of the model. */
function inspect(params: InspectParams): InspectResult {
  if (typeof params.path !== 'string' || params.path === '') throw new WorkerError('bad-request', '"path" must be an .onnx file path');
  const model = readOnnxFile(params.path);
  const r = recogniseOnnx(model);
  const summary = formatSummary(summariseOnnx(model)).split('\n');
  return r.space ? { space: r.space, spec: r.spec, notes: r.notes, summary } : { reason: r.reason, summary };
}

// ---- the request loop ----

type Handler = (params: Record<string, unknown>, ctx: { id: number; progress(p: WorkerProgress): void; cancelled(): boolean }) => Promise<unknown> | unknown;

const handlers: Record<string, Handler> = {
  ping: () => 'pong',
  init: (params) => {
    const p = params as InitParams;
    if (p.adaptedDir !== undefined && typeof p.adaptedDir !== 'string') throw new WorkerError('bad-request', '"adaptedDir" must be a folder path');
    adaptedDir = p.adaptedDir;
    return { spaces: SPACE_NAMES, pid: process.pid };
  },
  devices: (params) => devices(params as DevicesParams),
  predict: (params) => predict(params as unknown as PredictParams),
  histogram: (params) => histogram(params as unknown as HistogramParams),
  adaptedSamples: (params) => adaptedSamples(params as unknown as AdaptedSamplesParams),
  inspect: (params) => inspect(params as unknown as InspectParams),
};

interface Queued {
  id: number;
  method: string;
  params: unknown;
}

const queue: Queued[] = [];
const cancelled = new Set<number>();
let running: number | undefined;

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

async function pump(): Promise<void> {
  if (running !== undefined) return;
  running = -1;
  for (;;) {
    // Let messages that arrived during the last job (cancellations above all) in before the next one.
    await new Promise((r) => setImmediate(r));
    const job = queue.shift();
    if (!job) break;
    if (cancelled.delete(job.id)) {
      send({ id: job.id, error: 'cancelled', code: 'cancelled' });
      continue;
    }
    running = job.id;
    const id = job.id;
    try {
      const h = Object.prototype.hasOwnProperty.call(handlers, job.method) ? handlers[job.method] : undefined;
      if (!h) throw new WorkerError('unknown-method', `the HELP worker has no method "${job.method}" in this build`);
      const result = await h(obj(job.params), { id, progress: (progress) => send({ id, progress }), cancelled: () => cancelled.has(id) });
      if (cancelled.delete(id)) send({ id, error: 'cancelled', code: 'cancelled' });
      else send({ id, result });
    } catch (e) {
      cancelled.delete(id);
      fail(id, e);
    }
    running = -1;
  }
  running = undefined;
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
  if (m.method === 'cancel') {
    const target = (m.params as { id?: unknown } | undefined)?.id;
    if (typeof target === 'number') {
      const k = queue.findIndex((q) => q.id === target);
      if (k >= 0) {
        queue.splice(k, 1);
        send({ id: target, error: 'cancelled', code: 'cancelled' });
      } else if (running === target) cancelled.add(target);
    }
    send({ id: m.id, result: true });
    return;
  }
  queue.push({ id: m.id, method: m.method, params: m.params });
  void pump();
}

if (process.send) {
  process.on('message', onMessage);
  // A bug in one request must not end the process (and with it every cached predictor).
  process.on('uncaughtException', (e) => process.stderr.write(`HELP worker: uncaught: ${e.stack ?? e}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`HELP worker: unhandled rejection: ${(e as Error)?.stack ?? e}\n`));
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
}
