// The two baselines the predictor must beat, both fitted on the same measured samples it sees:
//  (a) ridge regression of the target's latencies on the source devices' latencies of the same
//      architectures (features standardised, ridge strength chosen by leave-one-out error);
//  (b) the single source device most correlated (Pearson) with the target on the samples, rescaled
//      linearly (least squares).
import { applyLinear, fitRidge } from '../predictor/linear';
import { pearson } from './metrics';

export const RIDGE_PENALTIES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];

/** Returns a predictor over source rows (one latency per source device). */
export function fitSourceRidge(sources: number[][], y: number[]): (row: ArrayLike<number>) => number {
  const p = sources[0].length;
  let best: ReturnType<typeof fitRidge> | undefined;
  for (const lam of RIDGE_PENALTIES) {
    const fit = fitRidge(sources, y, new Array(p).fill(lam));
    if (!best || fit.looMse < best.looMse) best = fit;
  }
  const fit = best!;
  return (row) => applyLinear(fit, row);
}

export function fitBestSource(sources: number[][], y: number[]): { source: number; predict: (row: ArrayLike<number>) => number } {
  const p = sources[0].length;
  let bestJ = 0;
  let bestR = -Infinity;
  for (let j = 0; j < p; j++) {
    const r = pearson(sources.map((s) => s[j]), y);
    if (r > bestR) {
      bestR = r;
      bestJ = j;
    }
  }
  const fit = fitRidge(sources.map((s) => [s[bestJ]]), y, [0]);
  return { source: bestJ, predict: (row) => fit.intercept + fit.coef[0] * row[bestJ] };
}
