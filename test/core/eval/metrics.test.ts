import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mape, quantile, ranks, spearman, withinTolerance } from '../../../src/core/eval/metrics';
import { protocolTask } from '../../../src/core/eval/protocol';

test('ranks average ties', () => {
  assert.deepEqual(Array.from(ranks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
});

test('spearman: monotone is 1, reversed is -1, ties handled', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 35, 100]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // Hand-computed: ranks [1,2,3,4] vs [1.5,1.5,3,4] -> pearson = 0.9486833
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [5, 5, 6, 7]) - 0.9486833) < 1e-6);
});

test('mape and within tolerance', () => {
  assert.ok(Math.abs(mape([11, 9], [10, 10]) - 10) < 1e-9);
  assert.equal(withinTolerance([10.5, 12, 9.5], [10, 10, 10], 0.1), 2 / 3);
});

test('quantile interpolates', () => {
  assert.equal(quantile([4, 1, 3, 2, 5], 0.5), 3);
  assert.ok(Math.abs(quantile([0, 10], 0.1) - 1) < 1e-12);
});

test('protocol task: references first, shots from the train pool, trimmed queries from [N, N+1000)', () => {
  const lat = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1000);
  const refs = [1500, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const t = protocolTask('nasbench201', lat, refs, 10, 0);
  assert.deepEqual(t.support.slice(0, 10), refs);
  assert.equal(t.support.length, 20);
  for (const i of t.support.slice(10)) assert.ok(i < 900 && !refs.includes(i));
  assert.equal(new Set(t.support).size, 20);
  assert.ok(t.queries.every((i) => i >= 900 && i < 1900));
  assert.ok(t.queries.length >= 790 && t.queries.length <= 810, `queries ${t.queries.length}`);
  assert.deepEqual(protocolTask('nasbench201', lat, refs, 10, 0), t, 'deterministic by seed');
  assert.notDeepEqual(protocolTask('nasbench201', lat, refs, 10, 1).support, t.support);
});
