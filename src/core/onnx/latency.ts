// The latency model of the `onnx` space: any graph's latency on a device as a sum over its kernels
// (kernels.ts) of per-class costs, the device being a small vector of costs fitted from measurements of
// the reference models (referenceModels.ts) and optional further shots.
//
// Features of a kernel (times its executions): COST_FEATURES below, each there because onnxruntime's
// per-kernel profile showed a cost the others missed (docs/research.md, "the kernel-cost model"), plus one
// per-run cost that no kernel carries. A device's costs are non-negative ms per unit.
//
// The fit: relative (per-sample 1/y weighted) least squares, non-negative (Lawson-Hanson, nnlsGram),
// regularised towards a prior: PRIOR_COSTS (weights/onnx-prior.json, fitted by
// scripts/train-onnx-prior.ts on generated models measured on the development machine) times the device's
// scales (one for throughput costs, one for per-call costs: deviceCentre), with a penalty on the relative
// deviation of each cost from that centre, chosen per device by leave-one-out (chooseLambda). With 19
// references and 26 costs the prior keeps what the references barely exercise at sane ratios. Bagged (30
// fits on 80% of the samples, as the NAS spaces' mapping): the prediction is the bag mean and the error band
// the out-of-bag RMS relative error. Spike rule: a shot (not a reference) whose log residual is more than
// SPIKE_LIMIT robust deviations above the fit is left out, as adaptDevice.ts does.
import { SpecError } from '../spaces/space';
import { findSpikes } from '../predictor/adaptDevice';
import { solveSpd } from '../predictor/linear';
import { makeRng } from '../spaces/space';
import { Kernel, KernelClass, kernelsOf } from './kernels';
import { OnnxModel } from './reader';
import { inferShapes, InferOptions, Limits } from './shapeInference';
import onnxPrior from '../../../weights/onnx-prior.json';

export const COST_FEATURES = [
  'kernels',
  'convMacs',
  'dwGroupedMacs',
  'matmulMacs',
  'recurrentMacs',
  'recurrentSteps',
  'memoryBytes',
  'macBytes',
  'poolingBytes',
  'reduceBytes',
  'largeActivationBytes',
  'dwGroupedBytes',
  'weightBytes',
  'transcendentalBytes',
  'stridedReduceOutputs',
  'resizeBytes',
  'coldWeightBytes',
  'groupedMacs',
  'im2colElements',
  'convTapOutputs',
  'subgraphRuns',
  'activationPassBytes',
  'paddedConvMacs',
  'runs',
  'gruMacs',
  'genericConvMacs',
] as const;
/** The per-run cost (feeding inputs, the session's own work), once per model, not per kernel. */
const RUN_FEATURE = COST_FEATURES.indexOf('runs');
export const ONNX_DEVICE_FORMAT = 'help-onnx-device';
/** 2: the features above (weights, depthwise bytes and transcendental kernels apart) and references v2.
 *  3: cold weights priced up to COLD_WEIGHT_REUSE multiply-adds per weight, references v3 (a whole mobile
 *  network), the prior measured by the devices' own rule.
 *  4: 1-D convolutions and ConvTranspose priced on onnxruntime's generic path (genericConvMacs, their
 *  im2col/col2im buffers), layout reorders around grouped convolutions, references v4 (a 1-D stack). */
export const ONNX_DEVICE_VERSION = 4;

/** ms per unit: the prior of every device (only the ratios matter: a device rescales them), fitted on
 *  generated training models measured on the development machine (weights/onnx-prior.json, made by
 *  `npm run train:onnx-prior`). */
export const PRIOR_COSTS: readonly number[] = onnxPrior.costs;
export const LAMBDA = 0.03;
/** Activation bytes above which a kernel's working set leaves a core's L2 (1 MB per core here; 4 MB covers
 *  the usual 0.5-2 MB L2s with input and output both live). */
export const LARGE_ACTIVATION_BYTES = 1 << 20;
/** Bytes a run touches (weights and activations) above which weights no longer stay in the last-level
 *  cache between runs (32 MB on the development machine; 8-64 MB on the usual desktops and servers). */
export const COLD_WEIGHT_BYTES = 24 << 20;
/** Multiply-adds per weight (output positions of a convolution, rows of a matrix product) below which a
 *  cold weight's read from memory is not hidden behind the arithmetic: a Gemm on one row (1), the last
 *  stages of a ResNet at 7x7 and 14x14 (49, 196 > 64: only the 7x7 ones). onnxruntime's profile of
 *  ResNet-18 showed its 9.4 MB 7x7 convolutions ~20% slower per multiply-add than its 14x14 ones. */
export const COLD_WEIGHT_REUSE = 64;
const BAGS = 30;
const BAG_FRACTION = 0.8;

/** Activations a MAC kernel applies as a pass of its own over the output. */
const PASS_ACTIVATIONS = new Set(['Clip', 'HardSigmoid', 'HardSwish', 'Sigmoid', 'Tanh', 'LeakyRelu']);

/** Kernels evaluating exp, erf, sqrt or a division per element (and the normalisations built on them). */
const TRANSCENDENTAL_OPS = new Set(['Sigmoid', 'Tanh', 'Erf', 'Exp', 'Log', 'Softmax', 'LogSoftmax', 'Softplus', 'Gelu', 'Elu', 'Selu', 'Sqrt', 'Reciprocal', 'Pow', 'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'LpNormalization', 'Mish', 'HardSwish']);

export function kernelFeatures(k: Kernel, coldWeights = false): number[] {
  const f = new Array(COST_FEATURES.length).fill(0);
  if (k.free) return f;
  const t = k.times;
  const act = (k.bytesRead + k.bytesWritten) * t;
  // Weights read again by every iteration of a Loop body stay in cache: counted once.
  const weights = k.weightBytes * Math.min(t, 1);
  f[0] = t * (1 + k.reorders);
  const c: KernelClass = k.kernelClass;
  if ((c === 'conv' || c === 'depthwiseConv') && k.genericConv) {
    // 1-D and 3-D convolutions and ConvTranspose: an im2col (col2im) buffer and a plain matrix product,
    // well below the blocked 2-D kernels' rate (a 1-D audio front end ran 1.5-1.8x its 2-D price).
    f[25] = k.macs * t;
    f[18] = k.im2colElements * t;
  }
  else if (c === 'conv') {
    f[1] = k.macs * t;
    // Output positions x kernel taps (MACs / input channels): few input channels run below the dense rate.
    if (k.ops[0] === 'Conv') f[19] = (k.macs / Math.max(1, k.groupWidth)) * t;
  }
  else if (c === 'depthwiseConv') f[2] = k.macs * t;
  else if (c === 'groupedConv') {
    // A grouped convolution runs as an im2col buffer (output positions x input channels x kernel area,
    // MACs / channels per group) and one small matrix product per group: few channels per group run far
    // below a dense convolution's rate.
    f[17] = k.macs * t;
    f[18] = (k.macs / Math.max(1, k.groupWidth)) * t;
  }
  else if (c === 'matmul' || c === 'attention') f[3] = k.macs * t;
  else if (c === 'recurrent') {
    // onnxruntime's GRU and LSTM are different kernels whose rates part ways with the thread count.
    if (k.ops[0] === 'GRU') f[24] = k.macs * t;
    else f[4] = k.macs * t;
    f[5] = k.steps * t;
  }
  if (k.macs > 0) {
    f[7] = act;
    if (c === 'depthwiseConv' || c === 'groupedConv') f[11] = act;
    f[12] = weights;
  } else if (k.ops[0].startsWith('Reduce') && k.ops.length === 1) f[9] = act + weights;
  else if (c === 'pooling') f[8] = act + weights;
  else if (c === 'resize') f[15] = act + weights;
  else if (c === 'normalisation' || k.ops.some((o) => TRANSCENDENTAL_OPS.has(o))) f[13] = act + weights;
  else f[6] = act + weights;
  f[6] += k.reorderBytes * t;
  f[14] = k.stridedReduceOutputs * t;
  // A Loop iteration or an If branch: the runtime sets up and runs a subgraph each time.
  f[20] = k.subgraphRuns * t;
  if (k.macs > 0) {
    // A fused activation other than ReLU is a second pass over the output (onnxruntime's blocked
    // convolutions apply only ReLU inside the kernel).
    if (k.ops[0] === 'Conv' && k.ops.slice(1).some((o) => PASS_ACTIVATIONS.has(o))) f[21] = k.bytesWritten * t;
    // Output channels padded up to a whole block of 16 lanes: the padding's MACs are computed too.
    if (((c === 'conv' && !k.genericConv) || c === 'groupedConv') && k.outChannels > 0) f[22] = k.macs * (Math.ceil(k.outChannels / 16) * 16 / k.outChannels - 1) * t;
  }
  // Weights of a model too large for the last-level cache, each used by few multiply-adds (a Gemm on one
  // row), stream from memory on every run: bandwidth, not arithmetic, sets the time.
  if (coldWeights && k.macs > 0 && k.macs < COLD_WEIGHT_REUSE * (k.weightBytes / 4)) f[16] = weights;
  // Activations of a kernel whose working set outgrows a core's L2 stream from L3 or memory.
  const a1 = k.bytesRead + k.bytesWritten;
  if (a1 > LARGE_ACTIVATION_BYTES) f[10] = a1 * t;
  return f;
}

export interface ModelCosts {
  kernels: Kernel[];
  /** The model's weights exceed COLD_WEIGHT_BYTES. */
  coldWeights: boolean;
  features: number[];
  /** Notes: assumed input dims, unknown shapes. */
  notes: string[];
}

/** A graph's features: its kernels' summed, and one run. */
export function summedFeatures(kernels: readonly Kernel[]): { features: number[]; coldWeights: boolean } {
  const features = new Array(COST_FEATURES.length).fill(0);
  // Weights stay in the last-level cache between runs only when everything a run touches fits there.
  const coldWeights = kernels.reduce((s, k) => s + (k.free ? 0 : (k.weightBytes + k.bytesRead + k.bytesWritten) * Math.min(k.times, 1)), 0) > COLD_WEIGHT_BYTES;
  for (const k of kernels) kernelFeatures(k, coldWeights).forEach((v, j) => (features[j] += v));
  features[RUN_FEATURE] = 1;
  return { features, coldWeights };
}

/** The kernels and summed features of a model. */
export function modelCosts(model: OnnxModel, opts: InferOptions = {}): ModelCosts {
  const limits = new Limits();
  const inf = inferShapes(model, limits, opts);
  const kernels = kernelsOf(inf, inf.unknowns);
  const { features, coldWeights } = summedFeatures(kernels);
  const unknown = kernels.filter((k) => k.unknown).length;
  const notes = [...inf.assumed];
  if (unknown) notes.push(`${unknown} kernel${unknown === 1 ? '' : 's'} with unknown shapes: the prediction is a lower bound`);
  return { kernels, coldWeights, features, notes };
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, j) => s + v * b[j], 0);

/** Non-negative least squares on normal equations (Lawson and Hanson): minimises u'Gu - 2h'u over u >= 0.
 *  A variable set to zero is checked again at every outer step (an active set that only drops variables
 *  can lock out a cost the data need once a collinear one has gone). */
export function nnlsGram(g: number[][], h: number[]): number[] {
  const p = h.length;
  const u = new Array(p).fill(0);
  const passive = new Array(p).fill(false);
  const grad = () => h.map((v, j) => v - g[j].reduce((s, gj, k) => s + gj * u[k], 0));
  const solveOn = (idx: number[]) => {
    const z = new Array(p).fill(0);
    const sol = solveSpd(idx.map((a) => idx.map((b) => g[a][b])), idx.map((a) => h[a]));
    idx.forEach((j, i) => (z[j] = sol[i]));
    return z;
  };
  const scale = Math.max(1e-300, ...h.map(Math.abs));
  for (let outer = 0; outer < 3 * p; outer++) {
    const w = grad();
    let best = -1;
    for (let j = 0; j < p; j++) if (!passive[j] && w[j] > 1e-12 * scale && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < 3 * p; inner++) {
      const idx = passive.map((a, j) => (a ? j : -1)).filter((j) => j >= 0);
      const z = solveOn(idx);
      if (idx.every((j) => z[j] > 0)) {
        for (let j = 0; j < p; j++) u[j] = z[j];
        break;
      }
      let alpha = 1;
      for (const j of idx) if (z[j] <= 0) alpha = Math.min(alpha, u[j] / Math.max(u[j] - z[j], 1e-300));
      for (let j = 0; j < p; j++) u[j] += alpha * (z[j] - u[j]);
      for (const j of idx) if (u[j] <= 1e-15) {
        u[j] = 0;
        passive[j] = false;
      }
    }
  }
  return u;
}

/** Per-call costs (a kernel launch, a run, a subgraph run, a recurrent step, a strided-reduction output):
 *  they need not scale with a device's arithmetic speed (a second thread halves a convolution, not a
 *  launch). */
const OVERHEAD_FEATURES = new Set<string>(['kernels', 'runs', 'subgraphRuns', 'recurrentSteps', 'stridedReduceOutputs']);
const OVERHEAD = COST_FEATURES.map((f) => OVERHEAD_FEATURES.has(f));
/** How far a device's per-call scale may stray from its throughput scale. */
const OVERHEAD_SCALE_RANGE = 4;

/** The prior times one scale: the geometric mean of measured over prior-predicted. */
function scaledPrior(x: number[][], y: number[], prior: readonly number[]): number[] {
  const logRatio = x.map((r, i) => Math.log(y[i] / Math.max(dot(r, prior), 1e-12)));
  const scale = Math.exp(logRatio.reduce((a, b) => a + b, 0) / Math.max(1, y.length));
  return prior.map((v) => v * scale);
}

/** The centre a device's costs are pulled towards: the prior with two scales, one for the throughput costs
 *  and one for the per-call costs (OVERHEAD_FEATURES), fitted to the samples by relative least squares and
 *  kept within OVERHEAD_SCALE_RANGE of each other; one scale (scaledPrior) when the samples cannot tell them
 *  apart. On this machine with two threads the references' throughput doubles while launches do not: one
 *  scale priced small models 15-30% under (docs/research.md). */
export function deviceCentre(x: number[][], y: number[], prior: readonly number[]): number[] {
  let aa = 0;
  let ab = 0;
  let bb = 0;
  let ay = 0;
  let by = 0;
  x.forEach((r, i) => {
    let c = 0;
    let o = 0;
    r.forEach((v, j) => (OVERHEAD[j] ? (o += v * prior[j]) : (c += v * prior[j])));
    c /= y[i];
    o /= y[i];
    aa += c * c;
    ab += c * o;
    bb += o * o;
    ay += c;
    by += o;
  });
  const det = aa * bb - ab * ab;
  const sc = (ay * bb - by * ab) / det;
  const so = (aa * by - ab * ay) / det;
  if (!(det > 1e-9 * aa * bb) || !(sc > 0) || !Number.isFinite(so)) return scaledPrior(x, y, prior);
  const soKept = Math.min(OVERHEAD_SCALE_RANGE * sc, Math.max(sc / OVERHEAD_SCALE_RANGE, so));
  return prior.map((v, j) => v * (OVERHEAD[j] ? soKept : sc));
}

/** Relative, non-negative least squares regularised towards a centre (see the header; default: the prior
 *  times one scale). `scaleBy`: the per-row divisor of the residual (default: the row's own latency, a
 *  relative error). */
export function fitCosts(x: number[][], y: number[], prior: readonly number[] = PRIOR_COSTS, lambda = LAMBDA, scaleBy: readonly number[] = y, centreGiven?: readonly number[]): number[] {
  const p = prior.length;
  const centre = centreGiven ?? scaledPrior(x, y, prior);
  // Unknowns u_j = theta_j / centre_j; rows scaled by 1/y (relative error); the penalty lambda (u_j - 1)^2
  // pulls each cost towards its scaled prior.
  const g = Array.from({ length: p }, () => new Array(p).fill(0));
  const h = new Array(p).fill(0);
  x.forEach((r, i) => {
    const z = r.map((v, j) => (v * centre[j]) / scaleBy[i]);
    const t = y[i] / scaleBy[i];
    for (let a = 0; a < p; a++) {
      if (!z[a]) continue;
      h[a] += z[a] * t;
      for (let b = 0; b < p; b++) g[a][b] += z[a] * z[b];
    }
  });
  for (let a = 0; a < p; a++) {
    g[a][a] += lambda + 1e-9;
    h[a] += lambda;
  }
  const u = nnlsGram(g, h);
  return u.map((v, j) => Math.max(0, v) * centre[j]);
}

export interface OnnxSample {
  /** A reference's name, or a shot's file. */
  arch: string;
  latency_ms: number;
  features: number[];
  reference: boolean;
}

export interface OnnxDevice {
  format: typeof ONNX_DEVICE_FORMAT;
  version: number;
  space: 'onnx';
  name: string;
  referencesVersion: number;
  features: string[];
  /** Mean of the bags' costs (ms per unit). */
  costs: number[];
  /** Each bag's costs. */
  bags: number[][];
  /** Out-of-bag RMS relative error (0.1: +-10%). */
  errorBand: number;
  /** The pull towards the prior the fit used (chooseLambda). */
  lambda?: number;
  samples: { arch: string; latency_ms: number; features: number[]; reference: boolean }[];
  spikes: { arch: string; latency_ms: number; fitted_ms: number }[];
  created: string;
}

/** Fits a device from samples (bagged, spike rule, out-of-bag error band). */
/** The pull towards the prior a device's own samples support best: leave-one-out relative error of the fit
 *  over LAMBDA_GRID (a device like the development machine keeps the prior's ratios; one unlike it, e.g.
 *  with convolutions on several cores, moves its costs further). Ties go to the larger pull. */
export const LAMBDA_GRID: readonly number[] = [0.003, 0.01, 0.03, 0.1, 0.3];
export function chooseLambda(samples: readonly OnnxSample[], prior: readonly number[] = PRIOR_COSTS, centre?: readonly number[]): { lambda: number; looError: number } {
  let best = { lambda: LAMBDA, looError: Infinity };
  for (const lambda of [...LAMBDA_GRID].reverse()) {
    let se = 0;
    samples.forEach((s, i) => {
      const rest = samples.filter((_, k) => k !== i);
      const c = fitCosts(rest.map((r) => r.features), rest.map((r) => r.latency_ms), prior, lambda, undefined, centre);
      se += (dot(s.features, c) / s.latency_ms - 1) ** 2;
    });
    const e = Math.sqrt(se / Math.max(1, samples.length));
    if (e < best.looError * 0.98) best = { lambda, looError: e };
  }
  return best;
}

export function adaptOnnxDevice(name: string, samples: OnnxSample[], referencesVersion: number, opts: { lambda?: number; prior?: readonly number[]; bags?: number } = {}): OnnxDevice {
  if (samples.length < 3) throw new SpecError(`an onnx device needs at least 3 measured samples, got ${samples.length}`);
  for (const s of samples) if (!(s.latency_ms > 0 && Number.isFinite(s.latency_ms))) throw new SpecError(`sample ${s.arch}: latency_ms must be a positive number, got ${s.latency_ms}`);
  const prior = opts.prior ?? PRIOR_COSTS;
  // One centre for the full fit, the pull's choice and every bag (a centre refitted per bag of 15 references
  // strays, and the out-of-bag band with it).
  const centre = deviceCentre(samples.map((s) => s.features), samples.map((s) => s.latency_ms), prior);
  const lambda = opts.lambda ?? chooseLambda(samples, prior, centre).lambda;
  const full = fitCosts(samples.map((s) => s.features), samples.map((s) => s.latency_ms), prior, lambda, undefined, centre);
  // Spike rule on the shots (references are never left out).
  const resid = samples.map((s) => Math.log(s.latency_ms / Math.max(dot(s.features, full), 1e-9)));
  const shotIdx = samples.map((s, i) => (s.reference ? -1 : i)).filter((i) => i >= 0);
  const spikeIdx = new Set(shotIdx.length >= 5 ? findSpikes(shotIdx.map((i) => resid[i])).map((k) => shotIdx[k]) : []);
  const kept = samples.filter((_, i) => !spikeIdx.has(i));
  // Spikes left out of the centre too.
  const keptCentre = spikeIdx.size ? deviceCentre(kept.map((s) => s.features), kept.map((s) => s.latency_ms), prior) : centre;
  const rng = makeRng(2021);
  const nBags = opts.bags ?? BAGS;
  const bags: number[][] = [];
  const oobSum = kept.map(() => 0);
  const oobN = kept.map(() => 0);
  for (let b = 0; b < nBags; b++) {
    const inBag = kept.map(() => rng() < BAG_FRACTION);
    if (inBag.filter((v) => v).length < 3) inBag.fill(true);
    const pick = kept.filter((_, i) => inBag[i]);
    const c = fitCosts(pick.map((s) => s.features), pick.map((s) => s.latency_ms), prior, lambda, undefined, keptCentre);
    bags.push(c);
    kept.forEach((s, i) => {
      if (inBag[i]) return;
      oobSum[i] += dot(s.features, c);
      oobN[i]++;
    });
  }
  const costs = full.map((_, j) => bags.reduce((a, c) => a + c[j], 0) / bags.length);
  let se = 0;
  let n = 0;
  kept.forEach((s, i) => {
    if (!oobN[i]) return;
    se += (oobSum[i] / oobN[i] / s.latency_ms - 1) ** 2;
    n++;
  });
  return {
    format: ONNX_DEVICE_FORMAT,
    version: ONNX_DEVICE_VERSION,
    space: 'onnx',
    name,
    referencesVersion,
    features: [...COST_FEATURES],
    costs,
    bags,
    errorBand: n ? Math.sqrt(se / n) : 0,
    lambda,
    samples: samples.map((s) => ({ arch: s.arch, latency_ms: s.latency_ms, features: s.features, reference: s.reference })),
    spikes: [...spikeIdx].map((i) => ({ arch: samples[i].arch, latency_ms: samples[i].latency_ms, fitted_ms: dot(samples[i].features, full) })),
    created: new Date().toISOString(),
  };
}

export interface OnnxPrediction {
  ms: number;
  /** +- relative error (out-of-bag). */
  errorBand: number;
  /** ms per kernel class, and the most expensive kernels. */
  byClass: Partial<Record<KernelClass, number>>;
  top: { name: string; ops: string; kernelClass: KernelClass; ms: number }[];
  notes: string[];
  /** Models with data-dependent If branches: the latency when every such If takes its cheaper branch, and
   *  when it takes its costlier one (`ms` is their expectation, half of each). */
  branchRange?: { low: number; high: number; ifs: number };
}

export function predictCosts(device: Pick<OnnxDevice, 'costs' | 'errorBand'>, mc: ModelCosts, top = 10): OnnxPrediction {
  const byClass: Partial<Record<KernelClass, number>> = {};
  const parts: { k: Kernel; ms: number }[] = [];
  let ms = 0;
  for (const k of mc.kernels) {
    if (k.free) continue;
    const v = dot(kernelFeatures(k, mc.coldWeights), device.costs);
    ms += v;
    byClass[k.kernelClass] = (byClass[k.kernelClass] ?? 0) + v;
    parts.push({ k, ms: v });
  }
  // The per-run cost belongs to no kernel: shown with the other kernels' time.
  const run = device.costs[RUN_FEATURE] ?? 0;
  ms += run;
  if (run > 0) byClass.other = (byClass.other ?? 0) + run;
  // Per data-dependent If: each branch's cost when taken (its kernels count half the runs in `ms`).
  const branches = new Map<string, [number, number]>();
  for (const p of parts) {
    if (!p.k.branch) continue;
    const b = branches.get(p.k.branch.ifName) ?? [0, 0];
    b[p.k.branch.index === 0 ? 0 : 1] += 2 * p.ms;
    branches.set(p.k.branch.ifName, b);
  }
  let low = ms;
  let high = ms;
  for (const [a, b] of branches.values()) {
    low += Math.min(a, b) - (a + b) / 2;
    high += Math.max(a, b) - (a + b) / 2;
  }
  parts.sort((a, b) => b.ms - a.ms);
  return {
    ms,
    errorBand: device.errorBand,
    byClass,
    top: parts.slice(0, top).map((p) => ({ name: p.k.name, ops: p.k.ops.join('+'), kernelClass: p.k.kernelClass, ms: p.ms })),
    notes: mc.notes,
    ...(branches.size ? { branchRange: { low, high, ifs: branches.size } } : {}),
  };
}

// --- device files -------------------------------------------------------------------------------------

const MAX_SAMPLES = 10000;
const MAX_BAGS = 1000;

function finiteNonNeg(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** Checks a parsed onnx device file; a SpecError names the file and the field. */
export function validateOnnxDevice(v: unknown, file: string): OnnxDevice {
  const fail = (field: string, problem: string): never => {
    throw new SpecError(`${file}: ${field}: ${problem}`);
  };
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail('device', 'expected a JSON object');
  const d = v as Record<string, unknown>;
  if (d.format !== ONNX_DEVICE_FORMAT) fail('format', `expected "${ONNX_DEVICE_FORMAT}"`);
  if (typeof d.version === 'number' && d.version >= 1 && d.version < ONNX_DEVICE_VERSION && Number.isInteger(d.version))
    fail('version', `adapted by an earlier version of the onnx space (${d.version}; this HELP reads ${ONNX_DEVICE_VERSION}, with other costs and reference models): adapt the device again ("HELP: Adapt to this machine" or adapt-local --space onnx)`);
  if (d.version !== ONNX_DEVICE_VERSION) fail('version', `expected ${ONNX_DEVICE_VERSION}`);
  if (d.space !== 'onnx') fail('space', 'expected "onnx"');
  if (typeof d.name !== 'string' || !d.name || d.name.length > 256) fail('name', 'expected a non-empty string of at most 256 characters');
  if (typeof d.referencesVersion !== 'number') fail('referencesVersion', 'expected a number');
  const p = COST_FEATURES.length;
  const costsOk = (c: unknown) => Array.isArray(c) && c.length === p && c.every(finiteNonNeg);
  if (!costsOk(d.costs)) fail('costs', `expected ${p} non-negative finite numbers`);
  if (!Array.isArray(d.bags) || d.bags.length > MAX_BAGS) fail('bags', `expected a list of at most ${MAX_BAGS}`);
  (d.bags as unknown[]).forEach((b, i) => costsOk(b) || fail(`bags[${i}]`, `expected ${p} non-negative finite numbers`));
  if (!finiteNonNeg(d.errorBand)) fail('errorBand', 'expected a non-negative finite number');
  if (!Array.isArray(d.samples) || d.samples.length > MAX_SAMPLES) fail('samples', `expected a list of at most ${MAX_SAMPLES}`);
  (d.samples as unknown[]).forEach((s, i) => {
    const r = s as Record<string, unknown>;
    if (!r || typeof r !== 'object' || typeof r.arch !== 'string' || !(typeof r.latency_ms === 'number' && r.latency_ms > 0 && Number.isFinite(r.latency_ms))) fail(`samples[${i}]`, 'expected {"arch": string, "latency_ms": positive number, ...}');
  });
  if (!Array.isArray(d.spikes)) fail('spikes', 'expected a list');
  if (d.features !== undefined && (!Array.isArray(d.features) || d.features.join(',') !== COST_FEATURES.join(','))) fail('features', `expected ${JSON.stringify(COST_FEATURES)}`);
  return d as unknown as OnnxDevice;
}
