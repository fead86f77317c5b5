// From normalised network output to milliseconds, and transfer from source devices.
//
// HELP rescales its normalised output with the min/max of the device's samples. We instead fit, on the
// device's measured samples, a small linear model in milliseconds and pick among candidates by closed-form
// leave-one-out error (so the choice is made from the samples alone, never from held-out data):
//   net        y = a*f + b                       (f: adapted HELP output; replaces min/max rescaling)
//   net+src k  y = a*f + c*s_k + b               (transfer from one source device's measured latency;
//                                                a ridge-penalised at 0, 0.03 or 0.3)
//   net+bank   y = a*f + sum_k c_k*s_k + b       (ridge over the whole source bank, f unpenalised)
//   net+cost   y = a*f + sum_j d_j*x_j + b       (x: the space's analytic cost features, MACs, traffic, ...;
//                                                ridge-penalised, f unpenalised)
//   cost       y = sum_j d_j*x_j + b             (the cost features alone: on devices whose latency is a sum
//                                                of per-layer costs the network's output only adds noise)
//   sources    sum_k w_k (a_k*s_k + b_k)         (optional per space: each source device calibrated alone,
//                                                then stacked, i.e. a convex mix of calibrated devices)
// Source latencies s_k come from the bundled tables of the meta-training devices (the NAS-Bench-201
// table covers the whole space). The network output is always in the model: the meta-learned prior is
// what the few samples correct, and it is what generalises to devices unlike any source.
//
// Which families win, and with what weights, is itself fitted on 20 samples and jumps from one sample to
// the next. So the whole choice is bagged (subagging, Buehlmann & Yu 2002): it is repeated on BAGS random
// subsets of BAG_FRACTION of the samples and the chosen mappings are averaged. Every candidate is linear in
// (network output, source latencies, cost features), so the average is one linear mapping again, and the
// samples each subset left out give an honest (out-of-bag) error for it.
import { applyLinear, fitRidge, RidgeFit } from './linear';
import { makeRng, shuffleInPlace } from '../spaces/space';

/** `source-models`: the HAT predictor's ridge over source devices' latency models (transfer.ts). */
export type CombinationKind = 'net' | 'net+source' | 'net+bank' | 'net+cost' | 'cost' | 'blend' | 'bagged' | 'source-models';

export interface Combination {
  kind: CombinationKind;
  /** Source-bank columns used, in coefficient order after the network output. */
  sources: number[];
  intercept: number;
  /** Whether the space's cost features follow the sources in the coefficients. */
  cost?: boolean;
  /** Coefficient of the network output first (absent for `cost`), then one per source, then one per cost
   *  feature. */
  coef: number[];
  looMse: number;
  /** `blend`: the candidates averaged, with their weights (non-negative, summing to 1). */
  parts?: Combination[];
  weights?: number[];
  /** `bagged`: how many subsets were averaged. */
  bags?: number;
  /** Leave-one-out residuals on the samples (used to weigh a blend; not stored). */
  looResiduals?: number[];
}

/** Bumped whenever the candidates or a space's cost features change (stored adaptations are then redone).
 *  7: gross spikes are screened out before the network adapts (adaptDevice.ts). */
export const MAPPING_VERSION = 7;

export const BANK_PENALTIES = [0.03, 0.3, 3, 30];
export const NET_PENALTIES = [0, 0.03, 0.3];
export const COST_PENALTIES = [0.01, 0.1, 1, 10];
/** The cost-only fit has no network output to lean on, so it may go to weaker penalties. */
export const COST_ONLY_PENALTIES = [0.0003, 0.003, 0.03, 0.3, 3];
/**
 * A single source device replaces part of the meta-learned prior only when it explains the samples this
 * many times better (leave-one-out MSE). The best of ~20 sources always looks better on 20 samples than
 * it is; on the meta-validation devices, single-source fits with up to 2.6x lower leave-one-out error
 * still ranked held-out architectures worse than the network alone, while true near-twins (the same GPU
 * generation at the same batch size) come out 10x lower.
 */
export const SINGLE_SOURCE_FACTOR = 3;

/**
 * Subagging of the choice. On the NAS-Bench-201 meta-validation devices (20 seeds) 30 subsets of 80% lifted
 * every device (mean 0.9689 -> 0.9695); 70% or 90%, or 100 subsets, gave the same within 0.0001.
 */
export const BAGS = 30;
export const BAG_FRACTION = 0.8;
/** Below this many samples a subset is too small to choose among families, and the choice is not bagged. */
export const MIN_BAGGED_SAMPLES = 10;

export interface CombinationOptions {
  /**
   * Add the `sources` family: every source device calibrated to the target on its own (y = a_k*s_k + b_k),
   * stacked into a convex mix. Where the source bank is a set of latency *models* and the network is the
   * weaker prior (FBNet), the mix of calibrated devices lifted every meta-validation device (mean 0.9596
   * -> 0.9621) where a free-signed ridge over ~20 collinear sources cannot; where the bank is measured and
   * the network strong (NAS-Bench-201) it cost 0.006 of the validation mean, and for OFA it was neutral,
   * so it is a per-space choice (PredictorSpace.convexSources).
   */
  convexSources?: boolean;
  /** Subsets to average (default BAGS; 0 or 1 chooses once on all samples). */
  bags?: number;
}

/**
 * The millisecond mapping of a device from its samples: the network output `net`, the source devices'
 * latencies (`sources`, one row per sample) and the cost features (`cost`) of its measured architectures,
 * and their latencies `y`.
 */
export function chooseCombination(net: number[], sources: number[][] | undefined, y: number[], cost?: number[][], opts: CombinationOptions = {}): Combination {
  const bags = opts.bags ?? BAGS;
  const n = y.length;
  const size = Math.round(n * BAG_FRACTION);
  // Nothing to choose between without sources or cost features: the scale-and-offset fit stands alone.
  if (bags <= 1 || n < MIN_BAGGED_SAMPLES || (!sources?.[0]?.length && !cost?.[0]?.length)) return chooseOnSamples(net, sources, y, cost, opts);
  const k = sources?.[0]?.length ?? 0;
  const m = cost?.[0]?.length ?? 0;
  // A fixed seed: the same samples always give the same device.
  const rng = makeRng(0x5eed);
  const terms: LinearTerms[] = [];
  // Out-of-bag predictions: each sample predicted by the subsets that did not see it (every subset leaves
  // out n - size >= 2 samples, so some samples always have one).
  const oobSum = new Array(n).fill(0);
  const oobCount = new Array(n).fill(0);
  for (let b = 0; b < bags; b++) {
    const idx = shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng)
      .slice(0, size)
      .sort((a, c) => a - c);
    const pick = <T>(xs: T[] | undefined) => xs && idx.map((i) => xs[i]);
    const t = linearTerms(chooseOnSamples(pick(net)!, pick(sources), pick(y)!, pick(cost), opts), k, m);
    terms.push(t);
    const seen = new Set(idx);
    for (let i = 0; i < n; i++) {
      if (seen.has(i)) continue;
      oobSum[i] += evalTerms(t, net[i], sources?.[i], cost?.[i]);
      oobCount[i]++;
    }
  }
  const mean = averageTerms(terms);
  const residuals = y.map((yi, i) => yi - oobSum[i] / oobCount[i]).filter((_, i) => oobCount[i] > 0);
  const looMse = residuals.reduce((s, e) => s + e * e, 0) / residuals.length;
  const used = mean.sources.map((c, j) => (c !== 0 ? j : -1)).filter((j) => j >= 0);
  return {
    kind: 'bagged',
    sources: used,
    intercept: mean.intercept,
    coef: [mean.net, ...used.map((j) => mean.sources[j]), ...(m > 0 ? mean.cost : [])],
    cost: m > 0 || undefined,
    looMse,
    bags,
  };
}

/** What a combination's `looMse` is: the error of each sample predicted without it. */
export function mappingErrorName(c: Combination): string {
  return c.kind === 'bagged' ? 'out-of-bag' : 'leave-one-out';
}

/** A mapping as one linear function of (network output, every source, every cost feature). */
interface LinearTerms {
  intercept: number;
  net: number;
  sources: number[];
  cost: number[];
}

function linearTerms(c: Combination, k: number, m: number): LinearTerms {
  if (c.parts) return averageTerms(c.parts.map((p) => linearTerms(p, k, m)), c.weights);
  const t: LinearTerms = { intercept: c.intercept, net: 0, sources: new Array(k).fill(0), cost: new Array(m).fill(0) };
  let q = 0;
  if (c.kind !== 'cost') t.net = c.coef[q++];
  for (const j of c.sources) t.sources[j] += c.coef[q++];
  if (c.cost) for (let j = 0; j < m; j++) t.cost[j] = c.coef[q++];
  return t;
}

function averageTerms(ts: LinearTerms[], weights?: number[]): LinearTerms {
  const w = weights ?? ts.map(() => 1 / ts.length);
  const sum = (f: (t: LinearTerms) => number) => ts.reduce((s, t, i) => s + w[i] * f(t), 0);
  return {
    intercept: sum((t) => t.intercept),
    net: sum((t) => t.net),
    sources: ts[0].sources.map((_, j) => sum((t) => t.sources[j])),
    cost: ts[0].cost.map((_, j) => sum((t) => t.cost[j])),
  };
}

function evalTerms(t: LinearTerms, net: number, sourceRow?: ArrayLike<number>, costRow?: ArrayLike<number>): number {
  let s = t.intercept + t.net * net;
  for (let j = 0; j < t.sources.length; j++) if (t.sources[j] !== 0) s += t.sources[j] * sourceRow![j];
  for (let j = 0; j < t.cost.length; j++) s += t.cost[j] * costRow![j];
  return s;
}

/** The choice on one set of samples: each family's best penalty, then the single-source rule or a blend. */
export function chooseOnSamples(net: number[], sources: number[][] | undefined, y: number[], cost?: number[][], opts: CombinationOptions = {}): Combination {
  const fit = (kind: CombinationKind, cols: number[], f: RidgeFit): Combination => ({
    kind,
    sources: cols,
    intercept: f.intercept,
    coef: f.coef,
    looMse: f.looMse,
    looResiduals: f.looResiduals,
  });
  const better = (a: Combination | undefined, b: Combination) => (!a || b.looMse < a.looMse ? b : a);
  // The best penalty of each family; the families are then blended (stackBlend).
  const families: Combination[] = [fit('net', [], fitRidge(net.map((f) => [f]), y, [0]))];
  const m = cost?.[0]?.length ?? 0;
  if (cost && m > 0) {
    let withNet: Combination | undefined;
    for (const lam of COST_PENALTIES) {
      withNet = better(withNet, { ...fit('net+cost', [], fitRidge(net.map((f, i) => [f, ...cost[i]]), y, [0, ...cost[0].map(() => lam)])), cost: true });
    }
    let alone: Combination | undefined;
    for (const lam of COST_ONLY_PENALTIES) alone = better(alone, { ...fit('cost', [], fitRidge(cost, y, cost[0].map(() => lam))), cost: true });
    families.push(withNet!, alone!);
  }
  const k = sources?.[0]?.length ?? 0;
  let single: Combination | undefined;
  if (sources && k > 0) {
    const all = Array.from({ length: k }, (_, j) => j);
    let bank: Combination | undefined;
    for (const lam of BANK_PENALTIES) bank = better(bank, fit('net+bank', all, fitRidge(net.map((f, i) => [f, ...sources[i]]), y, [0, ...all.map(() => lam)])));
    families.push(bank!);
    for (let j = 0; j < k; j++) {
      // When one source device explains the target, the network's share is shrunk rather than forced.
      for (const pn of NET_PENALTIES) single = better(single, fit('net+source', [j], fitRidge(net.map((f, i) => [f, sources[i][j]]), y, [pn, 0])));
    }
  }
  if (opts.convexSources && sources && k > 0) families.push(convexSourceMix(sources, y));
  const best = families.reduce((a, b) => better(a, b));
  if (single && single.looMse * SINGLE_SOURCE_FACTOR < best.looMse) return strip(single);
  return process.env.HELP_BLEND === '0' ? strip(best) : stackBlend(families);
}

/**
 * The `sources` family: each source device calibrated alone (y = a_k*s_k + b_k, network coefficient 0),
 * stacked. Its leave-one-out residuals are the weighted residuals of the calibrations (the weights are
 * fitted on them too, so they are a little optimistic, as the validation above takes into account).
 */
export function convexSourceMix(sources: number[][], y: number[]): Combination {
  const k = sources[0].length;
  const per: Combination[] = [];
  for (let j = 0; j < k; j++) {
    const f = fitRidge(sources.map((row) => [row[j]]), y, [0]);
    per.push({ kind: 'net+source', sources: [j], intercept: f.intercept, coef: [0, ...f.coef], looMse: f.looMse, looResiduals: f.looResiduals });
  }
  const mix = stackBlend(per);
  const parts = mix.parts ?? [mix];
  const weights = mix.weights ?? [1];
  const bySource = new Map(per.map((c) => [c.sources[0], c.looResiduals!]));
  const residuals = y.map((_, i) => parts.reduce((s, p, q) => s + weights[q] * bySource.get(p.sources[0])![i], 0));
  return { ...mix, looResiduals: residuals, looMse: residuals.reduce((s, e) => s + e * e, 0) / residuals.length };
}

/** Drops what is only needed while choosing. */
function strip(c: Combination): Combination {
  const { looResiduals: _r, ...rest } = c;
  return rest.parts ? { ...rest, parts: rest.parts.map(strip) } : rest;
}

/**
 * Stacking (Breiman 1996) over the families' best fits: weights on the simplex minimising the squared
 * leave-one-out error of the weighted average. Picking the single lowest leave-one-out error among
 * candidates is noisy on 20 samples (two families often differ by less than the noise of their error
 * estimates); the average of close candidates is steadier and is never worse on the samples than the
 * best one. Solved by exponentiated gradient, a few hundred steps over at most four weights.
 */
export function stackBlend(cands: Combination[]): Combination {
  const r = cands.map((c) => c.looResiduals!);
  const n = r[0].length;
  const k = cands.length;
  const gram = r.map((a) => r.map((b) => a.reduce((s, v, i) => s + v * b[i], 0) / n));
  let w = new Array(k).fill(1 / k);
  const scale = Math.max(...gram.map((row, i) => row[i]));
  for (let step = 0; step < 500; step++) {
    const g = gram.map((row) => row.reduce((s, v, j) => s + v * w[j], 0));
    const e = w.map((wi, i) => wi * Math.exp((-2 * g[i]) / scale));
    const z = e.reduce((s, v) => s + v, 0);
    w = e.map((v) => v / z);
  }
  const mse = w.reduce((s, wi, i) => s + wi * gram[i].reduce((t, v, j) => t + v * w[j], 0), 0);
  const keep = w.map((wi, i) => i).filter((i) => w[i] > 0.02);
  if (keep.length === 1) return strip(cands[keep[0]]);
  const total = keep.reduce((s, i) => s + w[i], 0);
  const parts = keep.map((i) => strip(cands[i]));
  return {
    kind: 'blend',
    sources: [...new Set(parts.flatMap((p) => p.sources))].sort((a, b) => a - b),
    intercept: 0,
    coef: [],
    cost: parts.some((p) => p.cost) || undefined,
    looMse: mse,
    parts,
    weights: keep.map((i) => w[i] / total),
  };
}

/**
 * The smallest latency a device's data supports, as a fraction of its smallest measured sample. A linear
 * mapping extrapolates below the samples, and on a device whose samples end near zero it reaches 0 and
 * below (raspi4: 13 of the 15,625 NAS-Bench-201 cells, e.g. -0.40 ms for a cell measured at 2.83 ms).
 * In every bundled table (NAS-Bench-201, FBNet, OFA; 25, 26 and 11 devices) the fastest architecture of
 * the whole space is at least 0.08 x the smallest of the device's 30 built-in samples (the lowest ratios:
 * pixel3 0.003 / 0.035 ms and raspi4 0.011 / 0.137 ms, cells whose output does not depend on the input),
 * (median ratio 0.75, 0.97 and 0.79 in the three spaces). A floor at 1% of the smallest sample is 8x below anything measured: it changes only
 * values the data rules out, and predictions at the floor say "below anything this device was measured at"
 * (a search does not take them as fitting a budget: core/nas/margin.ts fitsBudget).
 */
export const LATENCY_FLOOR_FRACTION = 0.01;

/** The prediction floor (ms) of a device from its measured latencies (its adaptation samples): 0 when none is usable. */
export function latencyFloorMs(measuredMs: Iterable<number>): number {
  let min = Infinity;
  for (const v of measuredMs) if (Number.isFinite(v) && v > 0 && v < min) min = v;
  return Number.isFinite(min) ? LATENCY_FLOOR_FRACTION * min : 0;
}

/** latencyFloorMs of a device (a DeviceHandle, or anything carrying its samples). */
export function deviceLatencyFloorMs(device: { file: { samples: { latency_ms: number }[] } }): number {
  return latencyFloorMs(device.file.samples.map((s) => s.latency_ms));
}

/** A prediction raised to the floor. NaN stays NaN (a broken mapping must show, not pass for a latency). */
export function atLeastFloor(ms: number, floorMs: number): number {
  return ms < floorMs ? floorMs : ms;
}

/** Milliseconds from the network output and (when the combination uses them) the source latencies and
 *  cost features of the architecture. */
export function combine(c: Combination, net: number, sourceRow?: ArrayLike<number>, costRow?: ArrayLike<number>): number {
  if (c.kind === 'blend') return c.parts!.reduce((s, p, i) => s + c.weights![i] * combine(p, net, sourceRow, costRow), 0);
  const row = c.kind === 'cost' ? [] : [net, ...c.sources.map((j) => (sourceRow ? sourceRow[j] : NaN))];
  const costs = c.cost ? c.coef.length - row.length : 0;
  for (let j = 0; j < costs; j++) row.push(costRow ? costRow[j] : NaN);
  return applyLinear(c, row);
}
