// Few-shot adaptation of one device: Meta-SGD on its samples, then the millisecond mapping chosen on them,
// with measurement spikes left out of the mapping.
//
// Latency measurements on phones and shared CPUs have one-sided spikes (interference, throttling, a
// background task): a sample reads far above what the device does for that architecture, never below.
// Least squares on 20 samples follows such a sample, and every architecture pays for it. So, after a
// first choice, a sample more than SPIKE_LIMIT robust standard deviations *above* its fitted latency (and
// at least MIN_SPIKE above it) is left out and the mapping is chosen again on the others (at most
// MAX_SPIKE_SHARE of the samples).
//   - The residual is the in-sample one, not the out-of-bag one: out of bag, the samples at the edge of
//     the design (the largest architecture, the only one of its kind) look like outliers because the
//     fit extrapolates to them; in sample they do not, while a spike among similar samples still does.
//   - Only upward: a reading far *below* the fit is the device (raspi4 runs cells whose output does not
//     depend on the input in 0.011 ms), not noise.
//   - The network keeps every sample: its hardware embedding is the 10 reference latencies as measured,
//     as in meta-training (re-adapting it on cleaned latencies lost 0.01 on samsung_s7).
import type * as TF from '@tensorflow/tfjs';
import type { AdaptedHead, LatencyNet } from './help';
import { chooseCombination, combine, Combination, CombinationOptions, MIN_BAGGED_SAMPLES } from './combine';

export const SPIKE_LIMIT = 5;
/**
 * A spike reads at least this much (relative) above its fit. Below it, leaving a sample out cannot matter,
 * and a device whose samples the mapping reproduces almost exactly (a built-in table device is its own
 * source) would otherwise see rounding errors flagged, its robust scale being ~0. 2%, 5% or none gave the
 * same on the validation and held-out devices (10%: 0.0002 less).
 */
export const MIN_SPIKE = 0.05;
/** More samples than this share far above the fit are the device, not noise. */
export const MAX_SPIKE_SHARE = 0.1;

export interface Spike {
  /** Index into the samples. */
  sample: number;
  measuredMs: number;
  /** What the mapping chosen on all samples gives for it. */
  fittedMs: number;
}

/** A spike as the device file stores it (`adaptation.spikes`). */
export interface SpikeRecord {
  arch: string;
  latency_ms: number;
  fitted_ms: number;
}

export interface DeviceAdaptation {
  adapted: AdaptedHead;
  /** The adapted network's normalised output on the samples. */
  net: number[];
  combination: Combination;
  /** Samples left out of the mapping as measurement spikes. */
  spikes: Spike[];
}

export function adaptDevice(
  net: LatencyNet,
  emb: TF.Tensor2D,
  latencies: number[],
  sources: number[][] | undefined,
  cost: number[][] | undefined,
  opts: CombinationOptions = {},
): DeviceAdaptation {
  const adapted = net.adapt(emb, latencies);
  const f = Array.from(net.predictNormalised(adapted, emb));
  const first = chooseCombination(f, sources, latencies, cost, opts);
  // Too few samples to tell a spike from the device.
  if (latencies.length < MIN_BAGGED_SAMPLES) return { adapted, net: f, combination: first, spikes: [] };
  const fitted = latencies.map((_, i) => combine(first, f[i], sources?.[i], cost?.[i]));
  const spikes = findSpikes(latencies.map((y, i) => y - fitted[i]))
    .filter((i) => latencies[i] > (1 + MIN_SPIKE) * fitted[i])
    .map((i) => ({ sample: i, measuredMs: latencies[i], fittedMs: fitted[i] }));
  if (spikes.length === 0) return { adapted, net: f, combination: first, spikes };
  const out = new Set(spikes.map((s) => s.sample));
  const keep = <T>(xs: T[] | undefined) => xs && xs.filter((_, i) => !out.has(i));
  // The error the device reports, which the search margin uses, stays the first choice's, spikes
  // included: measured latencies of a deployed model spike too (bench:margin: leaving them out of the
  // error too took OFA titan_rtx_1 from 15 to 19 budget violations in 45).
  const combination = { ...chooseCombination(keep(f)!, keep(sources), keep(latencies)!, keep(cost), opts), looMse: first.looMse };
  return { adapted, net: f, combination, spikes };
}

/** 1.4826 x the median absolute residual: the standard deviation, were the residuals Gaussian. */
export function robustScale(residuals: number[]): number {
  const abs = residuals.map(Math.abs).sort((a, b) => a - b);
  const mid = abs.length >> 1;
  return 1.4826 * (abs.length % 2 ? abs[mid] : (abs[mid - 1] + abs[mid]) / 2);
}

/** Indices of the residuals (measured minus fitted) more than SPIKE_LIMIT robust standard deviations
 *  above zero, largest first, at most MAX_SPIKE_SHARE of them. */
export function findSpikes(residuals: number[]): number[] {
  const limit = SPIKE_LIMIT * robustScale(residuals);
  if (!(limit > 0)) return [];
  return residuals
    .map((r, i) => ({ r, i }))
    .filter((x) => x.r > limit)
    .sort((a, b) => b.r - a.r)
    .slice(0, Math.floor(residuals.length * MAX_SPIKE_SHARE))
    .map((x) => x.i);
}

/** One line for a user about a sample left out as a spike. */
export function describeSpike(s: SpikeRecord): string {
  return `${s.arch} measured ${s.latency_ms.toFixed(3)} ms, far above the ${s.fitted_ms.toFixed(3)} ms the other samples give it: left out of the millisecond mapping as a measurement spike (measure it again if it is real)`;
}
