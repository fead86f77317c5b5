import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evolve, evolveSteps, validateConstraints, violations } from '../../../src/core/nas/evolution';
import { fbnetEdits, ofaEdits } from '../../../src/core/nas/nearest';
import { parseFbnetSpec } from '../../../src/core/spaces/fbnet';
import { parseOfaSpec } from '../../../src/core/spaces/ofa';
import { SpecError } from '../../../src/core/spaces/space';

const FB_COST: Record<string, number> = { skip: 0, k3_e1: 1, k3_e1_g2: 0.8, k3_e3: 2, k3_e6: 3.5, k5_e1: 1.3, k5_e1_g2: 1.1, k5_e3: 2.6, k5_e6: 4.5 };
/** Synthetic FBNet latency: per-layer op cost, later layers of each group of 5 a bit dearer. */
function fbMs(specs: string[]): number[] {
  return specs.map((s) => 1 + parseFbnetSpec(s).ops.reduce((t, o, l) => t + FB_COST[o] * (1 + (l % 5) / 10), 0));
}
function ofaMs(specs: string[]): number[] {
  return specs.map((s) => {
    const a = parseOfaSpec(s);
    let t = 0;
    for (let b = 0; b < 20; b++) if (b % 4 < a.d[Math.floor(b / 4)]) t += (a.ks[b] * a.e[b]) / 10;
    return 2 + t * (a.r / 224) ** 2;
  });
}

/** Counts calls and checks every predicted architecture satisfies the constraints. */
function checked(space: string, f: (s: string[]) => number[], c: Parameters<typeof violations>[2]) {
  const log = { calls: 0, specs: 0 };
  const fn = (specs: string[]) => {
    log.calls++;
    log.specs += specs.length;
    for (const s of specs) assert.deepEqual(violations(space, s, c), [], s);
    return f(specs);
  };
  return { fn, log };
}

test('FBNet evolution: at most k skip layers, near the optimum of an additive latency, batched calls', () => {
  const c = { maxSkips: 3 };
  const { fn, log } = checked('fbnet', fbMs, c);
  const r = evolve('fbnet', fn, c, { seed: 1, budgetMs: 30 });
  const skips = parseFbnetSpec(r.best.spec).ops.filter((o) => o === 'skip').length;
  assert.ok(skips <= 3);
  // Optimum: 3 skips on the dearest layers, k3_e1_g2 elsewhere: 1 + 0.8 * (26.1 - 4.2) = 18.52 ms.
  assert.ok(r.best.predicted_ms <= 18.52 * 1.03, `best ${r.best.predicted_ms}`);
  assert.ok(r.best.fits);
  assert.ok(log.calls < log.specs / 10, `batched: ${log.calls} calls for ${log.specs} architectures`);
  assert.equal(r.evaluations, log.specs, 'an architecture is predicted once');
  assert.ok(r.history.every((v, k) => k === 0 || v <= r.history[k - 1]), 'best never gets worse');
});

test('evolution is deterministic by seed', () => {
  const a = evolve('fbnet', fbMs, { maxSkips: 2 }, { seed: 7, generations: 10 });
  const b = evolve('fbnet', fbMs, { maxSkips: 2 }, { seed: 7, generations: 10 });
  assert.deepEqual(a, b);
  const c = evolve('fbnet', fbMs, { maxSkips: 2 }, { seed: 8, generations: 10, polishSteps: 0 });
  const d = evolve('fbnet', fbMs, { maxSkips: 2 }, { seed: 7, generations: 10, polishSteps: 0 });
  assert.notDeepEqual(c.history, d.history);
  const o1 = evolve('ofa', ofaMs, { minStageDepth: 3 }, { seed: 3, generations: 5 });
  const o2 = evolve('ofa', ofaMs, { minStageDepth: 3 }, { seed: 3, generations: 5 });
  assert.deepEqual(o1, o2);
});

test('OFA evolution: minimum depth per stage / total and minimum resolution are respected', () => {
  const c = { minStageDepth: [2, 3, 3, 4, 2], minResolution: 160 };
  const { fn } = checked('ofa', ofaMs, c);
  const r = evolve('ofa', fn, c, { seed: 2 });
  const a = parseOfaSpec(r.best.spec);
  assert.deepEqual(a.d, [2, 3, 3, 4, 2]);
  assert.equal(a.r, 160);
  // Optimum: every running block k3 e3 (0.9 each), 14 blocks, r = 160.
  const opt = 2 + 14 * 0.9 * (160 / 224) ** 2;
  assert.ok(Math.abs(r.best.predicted_ms - opt) < 1e-9, `best ${r.best.predicted_ms} vs ${opt}`);

  const t = { minTotalDepth: 17 };
  const { fn: fn2 } = checked('ofa', ofaMs, t);
  const r2 = evolve('ofa', fn2, t, { seed: 2, generations: 20 });
  assert.equal(parseOfaSpec(r2.best.spec).d.reduce((x, y) => x + y, 0), 17);
});

test('evolution from a start: within max edits, fewest edits under the budget', () => {
  const start = JSON.stringify(Array(22).fill('k5_e6'));
  const base = fbMs([start])[0];
  const c = { start, maxEdits: 6, maxSkips: 4 };
  const { fn } = checked('fbnet', fbMs, c);
  // Latency objective: the fastest within 6 edits (and <= 4 skips).
  const fast = evolve('fbnet', fn, c, { seed: 4 });
  assert.ok(fbnetEdits.distance(start, fast.best.spec) <= 6);
  assert.ok(fast.best.predicted_ms < base);
  // Edits objective: the budget needs at least 3 edits (each saves at most 4.5 * 1.4 = 6.3 ms).
  const budget = base - 15;
  const few = evolve('fbnet', fn, c, { seed: 4, objective: 'edits', budgetMs: budget });
  assert.ok(few.best.fits);
  assert.ok(few.best.predicted_ms <= budget);
  assert.equal(few.best.edits, 3);
  assert.equal(fbnetEdits.distance(start, few.best.spec), 3);
  // OFA: within 2 edits of a big network the resolution and one depth are the best moves.
  const big = JSON.stringify({ ks: Array(20).fill(7), e: Array(20).fill(6), d: [4, 4, 4, 4, 4], r: 224 });
  const o = evolve('ofa', ofaMs, { start: big, maxEdits: 2, minResolution: 160 }, { seed: 5 });
  assert.ok(ofaEdits.distance(big, o.best.spec) <= 2);
  const oa = parseOfaSpec(o.best.spec);
  assert.equal(oa.r, 160);
  assert.equal(oa.d.filter((d) => d === 2).length, 1);
  // A budget no architecture within the limits can meet: the best does not fit.
  const no = evolve('fbnet', fbMs, c, { seed: 4, objective: 'edits', budgetMs: 5, generations: 5 });
  assert.equal(no.best.fits, false);
});

test('constraints are validated with one-line SpecErrors', () => {
  assert.throws(() => validateConstraints('fbnet', { minResolution: 160 }), /applies to ofa/);
  assert.throws(() => validateConstraints('ofa', { maxSkips: 2 }), /applies to fbnet/);
  assert.throws(() => validateConstraints('ofa', { minStageDepth: 5 }), /stage depth/);
  assert.throws(() => validateConstraints('ofa', { minStageDepth: [2, 3] }), /5 stage depths/);
  assert.throws(() => validateConstraints('ofa', { minResolution: 300 }), /128\.\.224/);
  assert.throws(() => validateConstraints('ofa', { minResolution: 200, maxResolution: 150 }), /no OFA resolution/);
  assert.throws(() => validateConstraints('fbnet', { maxEdits: 3 }), /needs a start/);
  assert.throws(() => evolve('nasbench201', fbMs), SpecError);
  assert.throws(() => evolve('fbnet', fbMs, { start: '[1,2]' }), /start architecture/);
  assert.throws(() => evolve('fbnet', fbMs, {}, { objective: 'edits', budgetMs: 3 }), /needs a start/);
});

test('evolveSteps pauses after every generation and polishing step, and ends with evolve\'s result', () => {
  const steps = evolveSteps('fbnet', fbMs, { maxSkips: 2 }, { seed: 7, generations: 10 });
  let pauses = 0;
  let s = steps.next();
  for (; !s.done; s = steps.next()) pauses++;
  const whole = evolve('fbnet', fbMs, { maxSkips: 2 }, { seed: 7, generations: 10 });
  assert.deepEqual(s.value, whole);
  // One pause per generation (10) and per polishing step that improved the best.
  assert.equal(pauses, whole.history.length - 1);
  assert.ok(pauses >= 10);
});
