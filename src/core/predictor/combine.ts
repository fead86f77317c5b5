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
// Source latencies s_k come from the bundled tables of the meta-training devices (the NAS-Bench-201
// table covers the whole space). The network output is always in the model: the meta-learned prior is
// what the few samples correct, and it is what generalises to devices unlike any source.
import { applyLinear, fitRidge, RidgeFit } from './linear';

/** `source-models`: the HAT predictor's ridge over source devices' latency models (transfer.ts). */
export type CombinationKind = 'net' | 'net+source' | 'net+bank' | 'net+cost' | 'source-models';

export interface Combination {
  kind: CombinationKind;
  /** Source-bank columns used, in coefficient order after the network output. */
  sources: number[];
  intercept: number;
  /** Whether the space's cost features follow the sources in the coefficients. */
  cost?: boolean;
  /** Coefficient of the network output first, then one per source, then one per cost feature. */
  coef: number[];
  looMse: number;
}

export const BANK_PENALTIES = [0.03, 0.3, 3, 30];
export const NET_PENALTIES = [0, 0.03, 0.3];
export const COST_PENALTIES = [0.01, 0.1, 1, 10];
/**
 * A single source device replaces part of the meta-learned prior only when it explains the samples this
 * many times better (leave-one-out MSE). The best of ~20 sources always looks better on 20 samples than
 * it is; on the meta-validation devices, single-source fits with up to 2.6x lower leave-one-out error
 * still ranked held-out architectures worse than the network alone, while true near-twins (the same GPU
 * generation at the same batch size) come out 10x lower.
 */
export const SINGLE_SOURCE_FACTOR = 3;

export function chooseCombination(net: number[], sources: number[][] | undefined, y: number[], cost?: number[][]): Combination {
  const fit = (kind: CombinationKind, cols: number[], f: RidgeFit): Combination => ({
    kind,
    sources: cols,
    intercept: f.intercept,
    coef: f.coef,
    looMse: f.looMse,
  });
  const better = (a: Combination, b: Combination) => (b.looMse < a.looMse ? b : a);
  let best = fit('net', [], fitRidge(net.map((f) => [f]), y, [0]));
  const m = cost?.[0]?.length ?? 0;
  if (cost && m > 0) {
    for (const lam of COST_PENALTIES) {
      const c = fit('net+cost', [], fitRidge(net.map((f, i) => [f, ...cost[i]]), y, [0, ...cost[0].map(() => lam)]));
      best = better(best, { ...c, cost: true });
    }
  }
  const k = sources?.[0]?.length ?? 0;
  if (!sources || k === 0) return best;
  const all = Array.from({ length: k }, (_, j) => j);
  for (const lam of BANK_PENALTIES) {
    best = better(best, fit('net+bank', all, fitRidge(net.map((f, i) => [f, ...sources[i]]), y, [0, ...all.map(() => lam)])));
  }
  let single: Combination | undefined;
  for (let j = 0; j < k; j++) {
    // When one source device explains the target, the network's share is shrunk rather than forced.
    for (const pn of NET_PENALTIES) {
      const c = fit('net+source', [j], fitRidge(net.map((f, i) => [f, sources[i][j]]), y, [pn, 0]));
      single = single ? better(single, c) : c;
    }
  }
  return single && single.looMse * SINGLE_SOURCE_FACTOR < best.looMse ? single : best;
}

/** Milliseconds from the network output and (when the combination uses them) the source latencies and
 *  cost features of the architecture. */
export function combine(c: Combination, net: number, sourceRow?: ArrayLike<number>, costRow?: ArrayLike<number>): number {
  const row = [net, ...c.sources.map((j) => (sourceRow ? sourceRow[j] : NaN))];
  const costs = c.cost ? c.coef.length - row.length : 0;
  for (let j = 0; j < costs; j++) row.push(costRow ? costRow[j] : NaN);
  return applyLinear(c, row);
}
