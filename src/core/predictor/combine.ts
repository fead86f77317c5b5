// From normalised network output to milliseconds, and transfer from source devices.
//
// HELP rescales its normalised output with the min/max of the device's samples. We instead fit, on the
// device's measured samples, a small linear model in milliseconds and pick among candidates by closed-form
// leave-one-out error (so the choice is made from the samples alone, never from held-out data):
//   net        y = a*f + b                       (f: adapted HELP output; replaces min/max rescaling)
//   net+src k  y = a*f + c*s_k + b               (transfer from one source device's measured latency;
//                                                a ridge-penalised at 0, 0.03 or 0.3)
//   net+bank   y = a*f + sum_k c_k*s_k + b       (ridge over the whole source bank, f unpenalised)
// Source latencies s_k come from the bundled tables of the meta-training devices (the NAS-Bench-201
// table covers the whole space). The network output is always in the model: the meta-learned prior is
// what the few samples correct, and it is what generalises to devices unlike any source.
import { applyLinear, fitRidge, RidgeFit } from './linear';

export type CombinationKind = 'net' | 'net+source' | 'net+bank';

export interface Combination {
  kind: CombinationKind;
  /** Source-bank columns used, in coefficient order after the network output. */
  sources: number[];
  intercept: number;
  /** Coefficient of the network output first, then one per source. */
  coef: number[];
  looMse: number;
}

export const BANK_PENALTIES = [0.003, 0.03, 0.3, 3];
export const NET_PENALTIES = [0, 0.03, 0.3];

export function chooseCombination(net: number[], sources: number[][] | undefined, y: number[]): Combination {
  const cands: Combination[] = [];
  const add = (kind: CombinationKind, cols: number[], fit: RidgeFit) =>
    cands.push({ kind, sources: cols, intercept: fit.intercept, coef: fit.coef, looMse: fit.looMse });
  add('net', [], fitRidge(net.map((f) => [f]), y, [0]));
  const k = sources?.[0]?.length ?? 0;
  if (sources && k > 0) {
    for (let j = 0; j < k; j++) {
      // When one source device explains the target, the network's share is shrunk rather than forced.
      for (const pn of NET_PENALTIES) add('net+source', [j], fitRidge(net.map((f, i) => [f, sources[i][j]]), y, [pn, 0]));
    }
    const all = Array.from({ length: k }, (_, j) => j);
    for (const lam of BANK_PENALTIES) {
      add('net+bank', all, fitRidge(net.map((f, i) => [f, ...sources[i]]), y, [0, ...all.map(() => lam)]));
    }
  }
  return cands.reduce((a, b) => (b.looMse < a.looMse ? b : a));
}

/** Milliseconds from the network output and (when the combination uses them) the source latencies. */
export function combine(c: Combination, net: number, sourceRow?: ArrayLike<number>): number {
  const row = [net, ...c.sources.map((j) => (sourceRow ? sourceRow[j] : NaN))];
  return applyLinear(c, row);
}
