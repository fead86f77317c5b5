import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCandidates, searchWholeSpace, selectWithinBudget } from '../../../src/core/nas/constrained';
import { formatTable4Markdown, table4Rows, violationRate } from '../../../src/core/nas/table4';
import { getSpace } from '../../../src/core/spaces/registry';
import { SpecError } from '../../../src/core/spaces/space';

const nb = getSpace('nasbench201');
const A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const B = '|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const C = '|skip_connect~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|nor_conv_1x1~2|';
const D = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

test('selectWithinBudget: the most accurate candidate within the budget; ties go to the faster one', () => {
  const cands = [
    { spec: A, accuracy: 73 },
    { spec: B, accuracy: 71 },
    { spec: C, accuracy: 71 },
    { spec: D, accuracy: 10 },
  ];
  const ms = [30, 12, 9, 1];
  const r = selectWithinBudget(cands, ms, 20);
  assert.equal(r.best?.spec, C, 'tie at 71%: the faster');
  assert.deepEqual(r.feasible.map((c) => c.spec), [C, B, D]);
  assert.equal(r.fastest?.spec, D);
  assert.equal(r.total, 4);
  // A budget that admits everything picks the most accurate overall; the budget is inclusive.
  assert.equal(selectWithinBudget(cands, ms, 30).best?.spec, A);
  assert.equal(selectWithinBudget(cands, ms, 29.99).best?.spec, C);
  // Nothing fits: no best, the fastest is still reported.
  const none = selectWithinBudget(cands, ms, 0.5);
  assert.equal(none.best, undefined);
  assert.equal(none.feasible.length, 0);
  assert.equal(none.fastest?.predicted_ms, 1);
  // Candidates without accuracy rank after those with one.
  assert.equal(selectWithinBudget([{ spec: A }, { spec: B, accuracy: 50 }], [1, 2], 5).best?.spec, B);
  assert.throws(() => selectWithinBudget(cands, ms, -1), SpecError);
  assert.throws(() => selectWithinBudget(cands, [1, 2], 5));
});

test("selectWithinBudget firstFeasible: HELP's rule (most accurate of the first k fitting in list order)", () => {
  const cands = [
    { spec: A, accuracy: 60 },
    { spec: B, accuracy: 70 },
    { spec: C, accuracy: 65 },
    { spec: D, accuracy: 90 },
  ];
  const ms = [5, 50, 5, 5];
  assert.equal(selectWithinBudget(cands, ms, 10, { firstFeasible: 2 }).best?.spec, C);
  assert.equal(selectWithinBudget(cands, ms, 10, { firstFeasible: 3 }).best?.spec, D);
  assert.equal(selectWithinBudget(cands, ms, 10).best?.spec, D);
});

test('parseCandidates reads the MetaD2A list (leading scalar line skipped) and names bad lines', () => {
  const file = path.resolve(__dirname, '..', '..', '..', 'data', 'nasbench201', 'metad2a_candidates.csv');
  const text = fs.readFileSync(file, 'utf8');
  const cands = parseCandidates(text, (s) => nb.canonical(s));
  assert.equal(cands.length, text.trim().split('\n').length - 1);
  assert.ok(cands.every((c) => typeof c.accuracy === 'number' && c.accuracy > 0 && c.accuracy < 100));
  assert.equal(cands[0].spec, '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|');
  assert.ok(Math.abs(cands[0].accuracy! - 72.42) < 0.01);

  const ok = parseCandidates(`# mine\n${A}, 70\n\n${B}\n`, (s) => nb.canonical(s));
  assert.deepEqual(ok, [{ spec: A, accuracy: 70 }, { spec: B }]);
  assert.throws(() => parseCandidates(`${A}, 70\n|bogus~0|, 3`, (s) => nb.canonical(s), 'x.csv'), (e: unknown) => e instanceof SpecError && /^x\.csv: line 2: /.test((e as Error).message));
  assert.throws(() => parseCandidates(`${A}, seventy`, (s) => nb.canonical(s)), /accuracy "seventy" is not a number/);
  assert.throws(() => parseCandidates('117.0\n', (s) => nb.canonical(s)), /no candidates/);
});

// A synthetic additive predictor over the 6 edges: conv3 4 ms, conv1 2 ms, pool 1 ms, skip 0.2, none 0.
const COST: Record<string, number> = { nor_conv_3x3: 4, nor_conv_1x1: 2, avg_pool_3x3: 1, skip_connect: 0.2, none: 0 };
const additive = (spec: string) => 1 + [...spec.matchAll(/(\w+)~\d/g)].reduce((s, m) => s + COST[m[1]], 0);

test('searchWholeSpace: one prediction call for all 15,625 cells; fastest / nearest / accuracy objectives', () => {
  const index = nb.index!;
  let calls = 0;
  const predictIndices = (ix: number[]) => {
    calls++;
    return ix.map((i) => additive(index.specAt(i)));
  };
  const fastest = searchWholeSpace(nb, predictIndices, { objective: { kind: 'fastest' }, constraints: { minConvs: 2 } });
  assert.equal(calls, 1);
  assert.equal(fastest.predicted.length, 15625);
  // Two conv1x1 (2 ms each) and four none: 1 + 4 = 5 ms.
  assert.equal(fastest.best?.predicted_ms, 5);
  assert.equal((fastest.best!.spec.match(/nor_conv_1x1/g) ?? []).length, 2);

  // Nearest from A (24 ms): under 17 ms needs two conv3 -> none (16 ms... 1 + 4*4 = 17) or cheaper: 2 edits.
  const near = searchWholeSpace(nb, predictIndices, { budgetMs: 17, objective: { kind: 'nearest', start: A }, limit: 5 });
  assert.equal(near.best?.edits, 2);
  assert.ok(near.ranked.every((h) => h.predicted_ms <= 17));
  assert.ok(near.ranked.every((h, k) => k === 0 || h.edits! > near.ranked[k - 1].edits! || h.predicted_ms >= near.ranked[k - 1].predicted_ms));
  // maxEdits caps the distance: within 1 edit nothing fits 17 ms.
  const capped = searchWholeSpace(nb, predictIndices, { budgetMs: 17, objective: { kind: 'nearest', start: A }, constraints: { maxEdits: 1 } });
  assert.equal(capped.best, undefined);
  assert.equal(capped.admissible, 25);
  assert.equal(capped.fastest?.predicted_ms, 21);

  const acc = new Map([
    [A, 80],
    [B, 75],
    [C, 70],
  ]);
  const byAcc = searchWholeSpace(nb, predictIndices, { budgetMs: 20, objective: { kind: 'accuracy', accuracy: acc } });
  assert.equal(byAcc.best?.spec, B);
  assert.equal(byAcc.feasible, 2);
});

test('table4Rows: ours, HELP rule and oracle, with violations counted from measured latencies', () => {
  const cands = [
    { spec: A, accuracy: 73 },
    { spec: B, accuracy: 71 },
    { spec: C, accuracy: 68 },
  ];
  const rows = table4Rows(cands, () => ({ predicted: [9.9, 8, 5], measured: [10.5, 8.1, 5] }), [{ device: 'dev', budgets: [10, 6] }]);
  assert.equal(rows.length, 2);
  assert.equal(rows[0].pick?.spec, A);
  assert.equal(rows[0].pick?.violates, true);
  assert.equal(rows[0].oracle?.spec, B);
  assert.equal(rows[1].pick?.spec, C);
  assert.equal(rows[1].pick?.violates, false);
  assert.deepEqual(violationRate(rows), { violations: 1, measured: 2, rate: 0.5 });
  const md = formatTable4Markdown(rows);
  assert.match(md, /^\| device \| budget \(searched\) \|/);
  // Cell strings are escaped so the table keeps its columns.
  assert.ok(md.includes('\\|nor_conv_3x3~0\\|'));
  assert.match(md, /ours 1\/2 \(50%\)/);
  // With a 2% margin the search budget is 10 / 1.02 = 9.80 ms: A (predicted 9.9) no longer fits, B does.
  const safe = table4Rows(cands, () => ({ predicted: [9.9, 8, 5], measured: [10.5, 8.1, 5], margin: 0.02 }), [{ device: 'dev', budgets: [10] }]);
  assert.ok(Math.abs(safe[0].search_budget_ms - 10 / 1.02) < 1e-12);
  assert.equal(safe[0].pick?.spec, B);
  assert.equal(safe[0].pick?.violates, false);
  assert.equal(safe[0].noMargin?.spec, A);
  assert.deepEqual(violationRate(safe, 'noMargin'), { violations: 1, measured: 1, rate: 1 });
  assert.match(formatTable4Markdown(safe), /\| 10 ms \(9\.80\) \|.*\| 10\.50 ms \(\*\*violates\*\*\) \/ 73\.00% \|/);
});
