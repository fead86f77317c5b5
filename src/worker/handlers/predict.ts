// The prediction handlers: devices, predict, histogram, adaptedSamples.
import { deviceLatencyFloorMs } from '../../core/predictor/combine';
import { SpacePredictor } from '../../core/predictor/load';
import { LatencyPredictor, DeviceHandle } from '../../core/predictor/service';
import { SPACE_NAMES } from '../../core/spaces/registry';
import { makeRng } from '../../core/spaces/space';
import { SEARCH_SPACES } from '../../core/spaces/searchSpaces';
import type {
  AdaptedSamplesParams,
  AdaptedSamplesResult,
  DevicesParams,
  HistogramParams,
  HistogramResult,
  PredictParams,
  PredictResult,
  SpaceDevices,
} from '../protocol';
import { Ctx, WorkerError } from '../context';
import { adaptedDevices, allDeviceNames, predictorFor, resolveDevice, spaceName } from '../predictors';
import { onnxDeviceInfos } from './onnxLatency';

/** Seed and size of the sample a histogram predicts for spaces too large to enumerate. */
export const HISTOGRAM_SEED = 2021;
export const HISTOGRAM_SAMPLES = 2000;

/** Architectures predicted in one step (about 0.1-0.3 s of CPU) between two checkpoints. */
const PREDICT_STEP = 1024;

export async function devices(params: DevicesParams, ctx: Ctx): Promise<SpaceDevices[]> {
  // The onnx space (any ONNX model) has adapted devices only: listed after the NAS spaces.
  if (params.space === 'onnx') return [{ space: 'onnx', devices: onnxDeviceInfos() }];
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
  if (params.space === undefined) out.push({ space: 'onnx', devices: onnxDeviceInfos() });
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

export async function predict(params: PredictParams, ctx: Ctx): Promise<PredictResult> {
  const space = spaceName(params.space);
  const p = await predictorFor(space);
  const specs = canonicalSpecs(p, params.specs);
  const adapted = adaptedDevices(space);
  if (params.devices !== undefined && (!Array.isArray(params.devices) || params.devices.some((d) => typeof d !== 'string'))) {
    throw new WorkerError('bad-request', '"devices" must be an array of device names');
  }
  const names = params.devices ?? allDeviceNames(p, adapted);
  const result: PredictResult = { space, specs, ms: {}, errors: {}, info: {}, floors: {} };
  const ok: { name: string; handle: DeviceHandle }[] = [];
  for (const name of [...new Set(names)]) {
    try {
      const handle = resolveDevice(p, name, adapted);
      ok.push({ name, handle });
      result.info[name] = handle.info;
      result.floors![name] = deviceLatencyFloorMs(handle);
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

export async function histogram(params: HistogramParams, ctx: Ctx): Promise<HistogramResult> {
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
      const sampler = SEARCH_SPACES[space];
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

export async function adaptedSamples(params: AdaptedSamplesParams): Promise<AdaptedSamplesResult> {
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
