// Which architectures a new device measures besides the space's 10 references.
//
// The K extra architectures are chosen to be spread over the latency range: a fixed pool of random
// architectures (seed 2021, 1,000 of them, the references left out) is predicted on every built-in device
// of the space; each device's log latencies are standardised and averaged over the devices, which gives a
// device-neutral latency score (no built-in device's quirks dominate, and the choice does not depend on
// the device being measured); the pool is sorted by that score and the architectures at the K evenly
// spaced quantiles (i + 0.5) / K, i = 0..K-1, are taken. They cover fast, typical and slow architectures
// in proportion to how common they are, which is what the Spearman and MAPE over random architectures
// reward. The choice is deterministic for given bundled weights.
import type { LatencyPredictor } from '../predictor/service';
import { makeRng, SpecError } from '../spaces/space';
import { SEARCH_SPACES } from '../spaces/searchSpaces';
import { getSpace } from '../spaces/registry';

export const CHOOSE_SEED = 2021;
export const CHOOSE_POOL = 1000;

/** `n` distinct canonical random specs of a space from a seed, none of them in `exclude`. */
export function sampleSpecs(space: string, n: number, seed: number, exclude: Iterable<string> = []): string[] {
  // HAT's devices are never measured: it has no shots to choose.
  const sampler = space === 'hat' ? undefined : SEARCH_SPACES[space];
  if (!sampler) throw new SpecError(`no sampler for ${space}`);
  const canonical = getSpace(space).canonical;
  const rng = makeRng(seed);
  const skip = new Set(exclude);
  const out: string[] = [];
  for (let tries = 0; out.length < n && tries < 50; tries++) {
    for (const a of sampler.sample(n - out.length, rng)) {
      const s = canonical(sampler.format(a));
      if (skip.has(s)) continue;
      skip.add(s);
      out.push(s);
    }
  }
  return out;
}

/** The device-neutral latency score of specs: mean over the built-in devices of standardised log ms. */
export function neutralScores(p: LatencyPredictor, specs: string[]): number[] {
  const handles = p.builtinDevices().map((d) => p.resolve(d.name));
  if (handles.length === 0) throw new Error(`${p.space.name} has no built-in devices to choose architectures with`);
  const ms = p.predictOnDevices(handles, specs);
  const score = new Array<number>(specs.length).fill(0);
  for (const row of ms) {
    const logs = row.map((v) => Math.log(Math.max(v, 1e-6)));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length) || 1;
    logs.forEach((v, i) => (score[i] += (v - mean) / sd / ms.length));
  }
  return score;
}

/** The `k` extra architectures to measure on a new device (see the comment at the top). */
export function chooseExtraArchitectures(p: LatencyPredictor, k: number, o: { seed?: number; pool?: number; exclude?: Iterable<string> } = {}): string[] {
  if (k <= 0) return [];
  const refs = p.space.references;
  const pool = sampleSpecs(p.space.name, Math.max(o.pool ?? CHOOSE_POOL, k), o.seed ?? CHOOSE_SEED, [...refs, ...(o.exclude ?? [])]);
  const score = neutralScores(p, pool);
  const order = pool.map((_, i) => i).sort((a, b) => score[a] - score[b]);
  const picked: string[] = [];
  for (let i = 0; i < k && i < order.length; i++) picked.push(pool[order[Math.min(order.length - 1, Math.floor(((i + 0.5) / k) * order.length))]]);
  return [...new Set(picked)];
}
