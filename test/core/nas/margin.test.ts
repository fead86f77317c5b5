import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMargin, relativeErrorEstimate, searchBudget } from '../../../src/core/nas/margin';

test('relative error: root leave-one-out MSE over the root mean square latency', () => {
  // Samples 3 and 4 ms (rms 3.5355), LOO RMSE 0.1 ms: 2.83%.
  assert.ok(Math.abs(relativeErrorEstimate({ looMse: 0.01, samplesMs: [3, 4] }) - 0.1 / Math.sqrt(12.5)) < 1e-12);
  // A mapping that reproduces its samples, no samples, or a broken estimate: no margin.
  assert.equal(relativeErrorEstimate({ looMse: 0, samplesMs: [3, 4] }), 0);
  assert.equal(relativeErrorEstimate({ looMse: 0.01, samplesMs: [] }), 0);
  assert.equal(relativeErrorEstimate({ looMse: NaN, samplesMs: [3] }), 0);
});

test('search budget keeps the margin as headroom', () => {
  assert.equal(searchBudget(10, 0), 10);
  assert.ok(Math.abs(searchBudget(10, 0.05) - 10 / 1.05) < 1e-12);
  assert.ok(Math.abs(searchBudget(10, 0.05, 2) - 10 / 1.1) < 1e-12);
  assert.equal(searchBudget(10, -1), 10);
});

test('--margin values', () => {
  assert.equal(parseMargin(undefined, () => 0.03), 0.03);
  assert.equal(parseMargin('auto', () => 0.03), 0.03);
  assert.equal(parseMargin('0', () => 0.03), 0);
  assert.equal(parseMargin('2.5', () => 0.03), 0.025);
  assert.equal(parseMargin('4%', () => 0.03), 0.04);
  for (const bad of ['', 'x', '-1', '100', '1e2', '3 %x']) assert.equal(parseMargin(bad, () => 0.03), undefined, bad);
});
