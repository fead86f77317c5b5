// The millisecond mapping: candidates, cost-only fits and the stacked blend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAGS, chooseCombination, chooseOnSamples, combine, convexSourceMix, stackBlend } from '../../../src/core/predictor/combine';
import { makeRng } from '../../../src/core/spaces/space';

function data(n: number, seed: number) {
  const rng = makeRng(seed);
  const cost = Array.from({ length: n }, () => [rng() * 10, rng() * 5]);
  return { rng, cost };
}

test('a latency that is a sum of costs is mapped by the cost features alone', () => {
  const { rng, cost } = data(20, 1);
  const y = cost.map(([a, b]) => 2 + 0.5 * a + 1.5 * b);
  const net = cost.map(() => rng()); // an uninformative network output
  const once = chooseOnSamples(net, undefined, y, cost);
  assert.ok(once.kind === 'cost' || (once.kind === 'blend' && once.parts!.some((p) => p.kind === 'cost')), once.kind);
  const probe = [3, 4];
  for (const c of [once, chooseCombination(net, undefined, y, cost)]) {
    assert.ok(Math.abs(combine(c, 0.5, undefined, probe) - (2 + 1.5 + 6)) < 0.05, c.kind);
    // The uninformative network output plays (almost) no part.
    assert.ok(Math.abs(combine(c, 0, undefined, probe) - combine(c, 1, undefined, probe)) < 0.05, c.kind);
  }
});

test('two candidates with independent errors are blended, weights on the simplex', () => {
  const rng = makeRng(2);
  const noise = () => Array.from({ length: 20 }, () => rng() - 0.5);
  const cand = (kind: 'net' | 'cost', r: number[], intercept: number) => ({ kind, sources: [], intercept, coef: kind === 'net' ? [1] : [], looMse: r.reduce((s, v) => s + v * v, 0) / r.length, looResiduals: r, ...(kind === 'cost' ? { cost: true } : {}) });
  const a = cand('net', noise(), 1);
  const b = cand('cost', noise(), 3);
  const c = stackBlend([a, b]);
  assert.equal(c.kind, 'blend');
  assert.equal(c.parts!.length, 2);
  assert.ok(Math.abs(c.weights!.reduce((s, w) => s + w, 0) - 1) < 1e-9);
  assert.ok(c.weights!.every((w) => w > 0.2), String(c.weights));
  assert.ok(c.looMse < Math.min(a.looMse, b.looMse));
  // net part: 1 + 1*f; cost part: 3 (no features): the blend is their weighted mean.
  assert.ok(Math.abs(combine(c, 2, undefined, []) - (c.weights![0] * 3 + c.weights![1] * 3)) < 1e-9);
  assert.equal(JSON.stringify(c).includes('looResiduals'), false);
  // A candidate that is worse everywhere gets no weight.
  const worse = cand('cost', a.looResiduals.map((v) => v * 3), 0);
  assert.equal(stackBlend([a, worse]).kind, 'net');
});

test('the blend is never worse on the samples than its best part (leave-one-out)', () => {
  for (let seed = 0; seed < 5; seed++) {
    const { rng, cost } = data(20, 10 + seed);
    const y = cost.map(([a, b]) => a * b + rng());
    const net = cost.map(([a, b]) => a * b + (rng() - 0.5) * 4);
    const c = chooseCombination(net, undefined, y, cost, { bags: 0 });
    const alone = chooseCombination(net, undefined, y);
    assert.ok(c.looMse <= alone.looMse + 1e-9, `seed ${seed}: ${c.looMse} > ${alone.looMse}`);
  }
});

test('convex source mix: each source calibrated alone, stacked; the network plays no part', () => {
  const rng = makeRng(5);
  // Three source devices; the target is source 1 stretched and shifted, plus a little noise.
  const rows = Array.from({ length: 20 }, () => [1 + rng() * 9, 1 + rng() * 9, 1 + rng() * 9]);
  const y = rows.map((r) => 0.5 + 2 * r[1] + 0.05 * (rng() - 0.5));
  const mix = convexSourceMix(rows, y);
  assert.ok(mix.looMse < 0.01, String(mix.looMse));
  assert.equal(mix.looResiduals!.length, 20);
  // Whatever the weights, the prediction follows source 1 and ignores the network output.
  const probe = [5, 4, 7];
  assert.ok(Math.abs(combine(mix, 123, probe) - 8.5) < 0.1, String(combine(mix, 123, probe)));
  assert.equal(combine(mix, 123, probe), combine(mix, -7, probe));
  // As a family of the choice (asked for per space), the result still follows source 1.
  const net = rows.map(() => rng());
  const chosen = chooseCombination(net, rows, y, undefined, { convexSources: true });
  assert.ok(Math.abs(combine(chosen, 0.5, probe) - 8.5) < 0.1, String(combine(chosen, 0.5, probe)));
});

test('the bagged choice: one linear mapping, the same every time, with an out-of-bag error', () => {
  const rng = makeRng(7);
  const rows = Array.from({ length: 20 }, () => [1 + rng() * 9, 1 + rng() * 9]);
  const cost = rows.map(() => [rng() * 10, rng() * 5]);
  const net = rows.map((r) => r[0] + (rng() - 0.5));
  const y = rows.map((r, i) => 1 + r[0] + 0.5 * r[1] + 0.2 * cost[i][0] + 0.3 * (rng() - 0.5));
  const c = chooseCombination(net, rows, y, cost);
  assert.equal(c.kind, 'bagged');
  assert.equal(c.bags, BAGS);
  assert.equal(c.parts, undefined);
  // Network coefficient, one per source used, one per cost feature.
  assert.equal(c.coef.length, 1 + c.sources.length + 2);
  assert.equal(JSON.stringify(chooseCombination(net, rows, y, cost)), JSON.stringify(c));
  assert.equal(JSON.stringify(c).includes('looResiduals'), false);
  // Out-of-bag error: honest, so not below the noise, and of the order of the single choice's.
  const once = chooseOnSamples(net, rows, y, cost);
  assert.ok(c.looMse > 0.3 * once.looMse && c.looMse < 3 * once.looMse, `${c.looMse} vs ${once.looMse}`);
  const probe = [4, 6];
  const probeCost = [5, 2];
  assert.ok(Math.abs(combine(c, 4, probe, probeCost) - (1 + 4 + 3 + 1)) < 0.6, String(combine(c, 4, probe, probeCost)));
  // An exact relation is kept exactly by every subset.
  const exact = net.map((f) => 3 * f + 2);
  const e = chooseCombination(net, rows, exact, cost);
  assert.ok(e.looMse < 1e-6, String(e.looMse));
  assert.ok(Math.abs(combine(e, 5, probe, probeCost) - 17) < 1e-3);
});

test('without sources or cost features there is nothing to bag: the scale-and-offset fit', () => {
  const rng = makeRng(8);
  const net = Array.from({ length: 20 }, () => rng());
  const y = net.map((f) => 2 * f + 1 + 0.01 * rng());
  assert.equal(chooseCombination(net, undefined, y).kind, 'net');
  // Too few samples to choose on subsets: chosen once.
  assert.notEqual(chooseCombination(net.slice(0, 8), undefined, y.slice(0, 8), net.slice(0, 8).map((f) => [f])).kind, 'bagged');
});
