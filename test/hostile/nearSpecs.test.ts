// Hostile inputs for the near-miss finder (diagnostics on text that is almost a spec, issue 17 item 1):
// megabytes of brackets of one kind, endless cell-like runs, hundreds of thousands of near-misses, a YAML
// list of 200,000 op names. Each must finish in bounded time, report at most MAX_NEAR_SPECS, and stop at a
// spent budget saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findNearSpecs, MAX_NEAR_SPECS } from '../../src/core/spaces/nearSpecs';
import { ScanBudget, unlimited } from '../../src/core/spaces/scanBudget';
import { bounded } from './bounded';

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const BAD_CELL = CELL.replace('nor_conv_3x3~0|+', 'nor_conv_5x5~0|+');
const OFA_BAD = `{"ks": [${Array(20).fill(9).join(',')}], "e": [${Array(20).fill(3).join(',')}], "d": [2,2,2,2,2], "r": 224}`;

test('brackets of one kind only: each "[" is read once (no search of the whole text per bracket)', () => {
  // A version that looked for the next "(" from every "[" took ~1 s for 200k "[" and grew quadratically.
  for (const open of ['[', '(', '[(', '["', '(#\n']) {
    const text = open.repeat(Math.ceil(1_000_000 / open.length));
    assert.deepEqual(bounded(`1 MB of ${JSON.stringify(open)}`, 3000, () => findNearSpecs(text, [], unlimited())), []);
  }
});

test('an endless cell-like run and endless "|" are skipped in linear time', () => {
  for (const unit of ['|nor_conv_3x3~0|+', '|', '|+', 'none~0|']) {
    const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
    assert.deepEqual(bounded(`1 MB of ${JSON.stringify(unit)}`, 3000, () => findNearSpecs(text, [], unlimited())), []);
  }
});

test('hundreds of thousands of near-misses: reported up to the cap, quickly', () => {
  const cases: [string, string][] = [
    ['cells', `${BAD_CELL}\n`.repeat(20_000)],
    ['FBNet lists', `${JSON.stringify(Array(21).fill('skip'))}\n`.repeat(10_000)],
    ['OFA configs', `${OFA_BAD}\n`.repeat(10_000)],
  ];
  for (const [what, text] of cases) {
    const found = bounded(what, 5000, () => findNearSpecs(text, [], unlimited()));
    assert.equal(found.length, MAX_NEAR_SPECS, what);
  }
});

test('a YAML list of 200,000 op names is one near-miss (wrong length)', () => {
  const text = `ops:\n${'  - k3_e1\n'.repeat(200_000)}`;
  const found = bounded('200k block items', 5000, () => findNearSpecs(text, [], unlimited()));
  assert.equal(found.length, 1);
  assert.match(found[0].message, /expected 22 ops \(one per searchable layer\), got 200000/);
});

test('a spent budget stops the scan and says why', () => {
  const text = `${BAD_CELL}\n`.repeat(20_000);
  const budget = new ScanBudget(10_000);
  const found = findNearSpecs(text, [], budget);
  assert.ok(found.length < MAX_NEAR_SPECS);
  assert.match(budget.exceeded ?? '', /work budget of 10000 steps spent/);
});
