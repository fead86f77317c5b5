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
//
// That rule needs a first fit that the spike does not dominate. A reading orders of magnitude off (1e6 ms
// among 5-20 ms samples: a unit error, a hung run) drags a least-squares fit with ~20 free coefficients
// onto itself, most of all when few samples are given (the 10 references alone: the first reference at
// 1e6 ms went unflagged and the device predicted 254,448,625 ms), and through the reference statistics it
// wrecks the hardware embedding. So gross readings are screened first, without any fit (screenSamples):
//   - not a positive finite number, or above MAX_LATENCY_MS: the input is refused (SpecError, the sample
//     named);
//   - a gross spike: more than GROSS_FACTOR times the largest latency, relative to the device's median
//     sample, that any source device has for that architecture relative to its own median (on every
//     bundled device the ratio is at most 1.7: NAS-Bench-201 1.49, FBNet 1.70, OFA 1.25 over the built-in
//     samples, HAT 1.60 over every 30 rows of its tables). A reference
//     architecture cannot be left out (the hardware embedding needs all 10), so one is refused; any other
//     is left out of the network's adaptation and of the mapping, and reported with the spikes.
import type * as TF from '@tensorflow/tfjs';
import type { AdaptedHead, LatencyNet } from './help';
import { chooseCombination, combine, Combination, CombinationOptions, MIN_BAGGED_SAMPLES } from './combine';
import { SpecError } from '../spaces/space';

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
/**
 * A gross spike reads more than this many times the largest relative latency the source devices give its
 * architecture (see the header). Real devices reach 1.7x; 10x leaves a wide margin for devices unlike any
 * source while catching readings off by orders of magnitude.
 */
export const GROSS_FACTOR = 10;
/** Without source devices: a sample above this many times the median sample is judged against GROSS_FACTOR
 *  (in every bundled table the slowest architecture is at most 8.7x the table's median: NAS-Bench-201). */
export const FALLBACK_SPREAD = 10;
/** No single inference of these spaces takes this long (10,000 s; the slowest reading in any bundled table
 *  is 7 s, a HAT transformer on a Raspberry Pi): a larger value is not a latency, and it would overflow the
 *  squares of a fit (1e200 ms crashed `adapt`). */
export const MAX_LATENCY_MS = 1e7;

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

/** How adaptDevice names samples in its errors, and how many leading samples are the references. */
export interface SampleScreen {
  /** e.g. `samples.json: sample 3 (|nor_conv_3x3~0|+...)`; default `sample <i+1>`. */
  describe?: (i: number) => string;
  /** The first this many samples are the reference architectures (default 10). */
  references?: number;
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
  screen: SampleScreen = {},
): DeviceAdaptation {
  const gross = screenSamples(latencies, sources, screen);
  if (gross.length === 0) return adaptClean(net, emb, latencies, sources, cost, opts);
  // Gross spikes are left out of everything; the rest is adapted as usual and reports them with its spikes.
  const out = new Set(gross);
  const kept = latencies.map((_, i) => i).filter((i) => !out.has(i));
  const pick = <T>(xs: T[] | undefined) => xs && kept.map((i) => xs[i]);
  const keptEmb = emb.gather(kept);
  const inner = adaptClean(net, keptEmb, pick(latencies)!, pick(sources), pick(cost), opts);
  keptEmb.dispose();
  const f = Array.from(net.predictNormalised(inner.adapted, emb));
  const c = inner.combination;
  const spikes: Spike[] = [
    ...gross.map((i) => ({ sample: i, measuredMs: latencies[i], fittedMs: combine(c, f[i], sources?.[i], cost?.[i]) })),
    ...inner.spikes.map((s) => ({ ...s, sample: kept[s.sample] })),
  ];
  return { adapted: inner.adapted, net: f, combination: c, spikes };
}

function adaptClean(net: LatencyNet, emb: TF.Tensor2D, latencies: number[], sources: number[][] | undefined, cost: number[][] | undefined, opts: CombinationOptions): DeviceAdaptation {
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

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The fit-free screen of the header: throws a SpecError naming the sample for a latency that is not one
 * (non-finite, <= 0, above MAX_LATENCY_MS) and for a reference architecture that is a gross spike; returns
 * the other gross spikes (indices, ascending).
 */
export function screenSamples(latencies: number[], sources: number[][] | undefined, screen: SampleScreen = {}): number[] {
  const describe = screen.describe ?? ((i: number) => `sample ${i + 1}`);
  const references = screen.references ?? 10;
  latencies.forEach((y, i) => {
    if (typeof y !== 'number' || !Number.isFinite(y) || y <= 0) {
      throw new SpecError(`${describe(i)}: latency_ms must be a positive finite number of milliseconds, got ${JSON.stringify(y)}`);
    }
    if (y > MAX_LATENCY_MS) {
      throw new SpecError(`${describe(i)}: ${y} ms is not a latency of one inference (more than ${MAX_LATENCY_MS} ms); cannot adapt from it: measure it again`);
    }
  });
  const typical = median(latencies);
  // Each source device's median over the same architectures, to put its latencies on the device's scale.
  const k = sources?.[0]?.length ?? 0;
  const sourceMedians = Array.from({ length: k }, (_, j) => median(sources!.map((row) => row[j]).filter((v) => Number.isFinite(v) && v > 0)));
  const gross: number[] = [];
  latencies.forEach((y, i) => {
    // The largest relative latency of this architecture on any source device (its latency over the
    // source's median sample), or the widest spread of any bundled table when there are no sources.
    let spread = 0;
    for (let j = 0; j < k; j++) {
      const s = sources![i][j];
      if (Number.isFinite(s) && s > 0 && sourceMedians[j] > 0) spread = Math.max(spread, s / sourceMedians[j]);
    }
    const limit = GROSS_FACTOR * (spread > 0 ? spread : FALLBACK_SPREAD) * typical;
    if (!(y > limit)) return;
    if (i < references) {
      throw new SpecError(
        `${describe(i)}: ${y} ms is more than ${GROSS_FACTOR}x what any known device takes for this architecture relative to the other samples (at most ${limit.toPrecision(3)} ms here); ` +
          'this sample cannot be left out (a reference architecture never can), so the device cannot be adapted from it: measure it again',
      );
    }
    gross.push(i);
  });
  return gross;
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
