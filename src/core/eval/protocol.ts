// The paper's meta-test protocol (dataset README): the train pool is architectures [0, N) and the
// queries are [N, N+1000), trimmed to the 10%-90% quantiles of the device's latency; the predictor sees
// the 10 reference architectures plus `shots` random architectures of the train pool.
import { makeRng } from '../spaces/space';
import { quantile } from './metrics';

export const TRAIN_POOL: Record<string, number> = { nasbench201: 900, fbnet: 4000, ofa: 4000 };

export interface ProtocolTask {
  /** Reference architectures first, then the shots. */
  support: number[];
  queries: number[];
}

export function sampleWithoutReplacement(n: number, k: number, rng: () => number, exclude: Set<number> = new Set()): number[] {
  const out: number[] = [];
  const seen = new Set(exclude);
  while (out.length < k) {
    const i = Math.floor(rng() * n);
    if (!seen.has(i)) {
      seen.add(i);
      out.push(i);
    }
  }
  return out;
}

export function protocolTask(
  space: string,
  latency: ArrayLike<number>,
  referenceIndices: number[],
  shots: number,
  seed: number,
): ProtocolTask {
  const n = TRAIN_POOL[space];
  if (!n) throw new Error(`no meta-test protocol for space ${space}`);
  const rng = makeRng(1000 + seed);
  const picked = sampleWithoutReplacement(n, shots, rng, new Set(referenceIndices));
  const q = Array.from({ length: 1000 }, (_, i) => n + i);
  const qv = q.map((i) => latency[i]);
  const lo = quantile(qv, 0.1);
  const hi = quantile(qv, 0.9);
  return { support: [...referenceIndices, ...picked], queries: q.filter((i) => latency[i] >= lo && latency[i] <= hi) };
}
