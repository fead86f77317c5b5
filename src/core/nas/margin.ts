// A safety margin for latency budgets. A search that keeps every architecture whose *predicted* latency fits
// the budget also keeps those the predictor underestimates, and the most accurate of them sits close to the
// budget, so about half of those picks break it when measured. The device's own samples say how wrong the
// predictions tend to be: the out-of-bag error of its millisecond mapping (combine.ts), relative to its
// latencies. Searching under budget / (1 + k * that error) trades a little accuracy for budgets that hold.

export interface MarginSource {
  /** Out-of-bag (or leave-one-out) mean squared error of the device's mapping, in ms^2 (Combination.looMse). */
  looMse: number;
  /** The device's measured latencies (its adaptation samples), in ms. */
  samplesMs: number[];
}

/**
 * Relative prediction error of a device estimated from its samples: the root of the leave-one-out MSE over
 * the root mean square of its latencies (errors grow with latency, so the ratio is the typical relative
 * error). 0 when the mapping reproduces the samples exactly (a device whose table is in the source bank).
 */
export function relativeErrorEstimate(m: MarginSource): number {
  const y = m.samplesMs.filter((v) => Number.isFinite(v) && v > 0);
  if (y.length === 0 || !Number.isFinite(m.looMse) || m.looMse <= 0) return 0;
  const rms = Math.sqrt(y.reduce((s, v) => s + v * v, 0) / y.length);
  return Math.sqrt(m.looMse) / rms;
}

/** relativeErrorEstimate of an adapted device (a DeviceHandle): its mapping's error over its samples. */
export function deviceRelativeError(device: { combination: { looMse: number }; file: { samples: { latency_ms: number }[] } }): number {
  return relativeErrorEstimate({ looMse: device.combination.looMse, samplesMs: device.file.samples.map((s) => s.latency_ms) });
}

/**
 * Whether a predicted latency can be a latency of the device: finite, positive and above the device's
 * prediction floor (combine.ts latencyFloorMs; the predictor raises anything lower to the floor, so a value
 * at the floor means "below anything the device's data supports", not a latency). A search treats any other
 * value as unknown: it never fits a budget and is never the fastest.
 */
export function plausibleMs(ms: number, floorMs = 0): boolean {
  return Number.isFinite(ms) && ms > 0 && ms > floorMs;
}

/** A predicted latency fits a budget: plausible (above) and at most the budget. */
export function fitsBudget(ms: number, budgetMs: number, floorMs = 0): boolean {
  return plausibleMs(ms, floorMs) && ms <= budgetMs;
}

/** The budget a search uses so that a pick keeps `sigmas` estimated errors of headroom. */
export function searchBudget(budgetMs: number, relativeError: number, sigmas = 1): number {
  return budgetMs / (1 + sigmas * Math.max(0, relativeError));
}

/**
 * `--margin`: "auto" (one estimated relative error of the device), or a percentage ("3", "3%"; "0" turns
 * the margin off). Returns the relative margin, or undefined for a malformed value.
 */
export function parseMargin(raw: string | undefined, estimate: () => number): number | undefined {
  if (raw === undefined || raw === 'auto') return estimate();
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(raw);
  if (!m) return undefined;
  const pct = Number(m[1]);
  return pct < 100 ? pct / 100 : undefined;
}
