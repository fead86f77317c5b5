import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fbnetEdits, nb201Edits, nearestUnderBudget, NearestStats, ofaEdits } from '../../../src/core/nas/nearest';
import { parseFbnetSpec } from '../../../src/core/spaces/fbnet';
import { parseOfaSpec } from '../../../src/core/spaces/ofa';
import { SpecError } from '../../../src/core/spaces/space';

// Synthetic additive predictors (ms): each space's latency is a sum of per-choice costs.
const NB_COST: Record<string, number> = { nor_conv_3x3: 4, nor_conv_1x1: 2, avg_pool_3x3: 1, skip_connect: 0.2, none: 0 };
const nbMs = (specs: string[]) => specs.map((s) => 1 + [...s.matchAll(/(\w+)~\d/g)].reduce((t, m) => t + NB_COST[m[1]], 0));

const FB_COST: Record<string, number> = { skip: 0, k3_e1: 1, k3_e1_g2: 0.8, k3_e3: 2, k3_e6: 3.5, k5_e1: 1.3, k5_e1_g2: 1.1, k5_e3: 2.6, k5_e6: 4.5 };
const fbMs = (specs: string[]) => specs.map((s) => 1 + parseFbnetSpec(s).ops.reduce((t, o) => t + FB_COST[o], 0));

const ofaMs = (specs: string[]) =>
  specs.map((s) => {
    const a = parseOfaSpec(s);
    let t = 0;
    for (let b = 0; b < 20; b++) if (b % 4 < a.d[Math.floor(b / 4)]) t += (a.ks[b] * a.e[b]) / 10;
    return 2 + t * (a.r / 224) ** 2;
  });

const A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'; // 25 ms

test('NAS-Bench-201 edits: cells at Hamming distance k over the 6 edges', () => {
  const counts = [0, 1, 2, 3, 4, 5, 6].map((k) => nb201Edits.atDistance(A, k).length);
  assert.deepEqual(counts, [1, 24, 240, 1280, 3840, 6144, 4096]);
  assert.equal(counts.reduce((a, b) => a + b, 0), 15625);
  for (const s of nb201Edits.atDistance(A, 2).slice(0, 50)) assert.equal(nb201Edits.distance(A, s), 2);
  assert.equal(new Set(nb201Edits.neighbours(A)).size, 24);
});

test('nearest (NAS-Bench-201): exact fewest edits under the budget, sorted by edits then latency', () => {
  const stats: NearestStats = { evaluated: 0, found: 0, reached: 0, exact: false };
  // 25 ms; one conv3 -> none saves 4 ms: 21 ms needs 1 edit, 17 ms needs 2.
  const r = nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 21, limit: 50 }, stats);
  assert.ok(stats.exact);
  assert.equal(r[0].edits, 1);
  assert.equal(r[0].predicted_ms, 21);
  // Within 1 edit exactly the 6 "conv3 -> none" cells reach 21 ms.
  assert.equal(r.filter((x) => x.edits === 1).length, 6);
  assert.equal(stats.evaluated, 1 + 24 + 240, 'stops after the distance that filled the limit');
  const two = nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 17, limit: 3 });
  assert.deepEqual(two.map((x) => x.edits), [2, 2, 2]);
  assert.ok(two.every((x) => x.predicted_ms <= 17 && nb201Edits.distance(A, x.spec) === 2));
  // Already within budget: the start itself, 0 edits.
  assert.equal(nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 30 })[0].edits, 0);
  // Nothing at all fits / within maxEdits.
  assert.deepEqual(nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 0.5 }), []);
  assert.deepEqual(nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 17, maxEdits: 1 }), []);
  // admit: structural filter (keep at least 5 convolutions) -> budget 21 needs a conv3 -> conv1 change... 23 ms
  const r5 = nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 23, admit: (s) => (s.match(/nor_conv/g) ?? []).length >= 6 });
  assert.equal(r5[0].edits, 1);
  assert.match(r5[0].spec, /nor_conv_1x1/);
  // Accuracy is attached when known.
  const acc = nearestUnderBudget('nasbench201', A, nbMs, { budgetMs: 30, accuracy: (s) => (s === A ? 73.5 : undefined) });
  assert.equal(acc[0].accuracy, 73.5);
  assert.throws(() => nearestUnderBudget('nasbench201', '|bad|', nbMs, { budgetMs: 1 }), SpecError);
  assert.throws(() => nearestUnderBudget('hat', A, nbMs, { budgetMs: 1 }), /supports/);
});

test('nearest (FBNet): beam search finds the fewest layer edits under the budget', () => {
  const start = JSON.stringify(Array(22).fill('k5_e6')); // 1 + 22 * 4.5 = 100 ms
  assert.equal(fbMs([start])[0], 100);
  assert.equal(fbnetEdits.neighbours(start).length, 22 * 8);
  // Each edit saves at most 4.5 ms (-> skip): 90 ms needs 3 edits (86.5), 80 ms needs 5.
  for (const [budget, edits] of [
    [90, 3],
    [80, 5],
  ]) {
    const r = nearestUnderBudget('fbnet', start, fbMs, { budgetMs: budget, limit: 5 });
    assert.equal(r[0].edits, edits, `budget ${budget}`);
    assert.ok(r.every((x) => x.predicted_ms <= budget && fbnetEdits.distance(start, x.spec) === x.edits));
    assert.ok(r.every((x, k) => k === 0 || x.edits > r[k - 1].edits || x.predicted_ms >= r[k - 1].predicted_ms));
  }
  // maxSkips-like structural filter through admit: without skips each edit saves at most 3.7 ms.
  const noSkip = nearestUnderBudget('fbnet', start, fbMs, { budgetMs: 90, admit: (s) => !s.includes('skip') });
  assert.equal(noSkip[0].edits, 3);
  assert.ok(!noSkip[0].spec.includes('skip'));
  assert.deepEqual(nearestUnderBudget('fbnet', start, fbMs, { budgetMs: 50, maxEdits: 3 }), []);
});

test('nearest (OFA): edits over kernel, expansion, depth and resolution; skipped slots do not count', () => {
  const big = JSON.stringify({ ks: Array(20).fill(7), e: Array(20).fill(6), d: [4, 4, 4, 4, 4], r: 224 });
  const ms0 = ofaMs([big])[0]; // 2 + 20 * 4.2 = 86
  assert.ok(Math.abs(ms0 - 86) < 1e-9);
  // Resolution is one edit: 86 -> 2 + 84 * (128/224)^2 = 29.4 ms.
  const r = nearestUnderBudget('ofa', big, ofaMs, { budgetMs: 40, limit: 3 });
  assert.equal(r[0].edits, 1);
  assert.equal(parseOfaSpec(r[0].spec).r, 128);
  // Two edits: resolution plus one stage depth 4 -> 2 (saves 8.4 * (128/224)^2).
  const r2 = nearestUnderBudget('ofa', big, ofaMs, { budgetMs: 28, limit: 3 });
  assert.equal(r2[0].edits, 2);
  assert.ok(r2.every((x) => x.predicted_ms <= 28 && ofaEdits.distance(big, x.spec) === x.edits));
  // Distance: a value change in a skipped slot is not an edit; raising a depth runs the stored values.
  const a = parseOfaSpec(big);
  const shallow = { ...a, d: [2, 4, 4, 4, 4] };
  const shallowOther = { ...shallow, ks: [7, 7, 3, 3, ...a.ks.slice(4)] };
  assert.equal(ofaEdits.distance(JSON.stringify(shallow), JSON.stringify(shallowOther)), 0);
  assert.equal(ofaEdits.key(JSON.stringify(shallow)), ofaEdits.key(JSON.stringify(shallowOther)));
  assert.equal(ofaEdits.distance(JSON.stringify(shallowOther), big), 3, 'depth + the two runs that change kernel');
  // Neighbours only edit running slots: stage 1 at depth 2 offers 2 slots x (2 + 2) kernel/expansion edits.
  const n = ofaEdits.neighbours(JSON.stringify(shallow));
  assert.equal(n.length, 18 * 4 + 5 * 2 + 24);
});
