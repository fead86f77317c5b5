// The latency panel's chart arithmetic (media/chartScale.js, loaded by the webview before panel.js): axes
// with round ticks, the log-scale decision, units and tick labels, and the "predicted faster" phrase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import chart = require('../../media/chartScale');

test('log scale only when latencies span more than 20x; non-positive and missing values ignored', () => {
  assert.equal(chart.LOG_SPAN, 20);
  // HAT: a GPU at 18 ms next to a Raspberry Pi at 5.24 s.
  assert.equal(chart.wantsLog([18.2, 40, 5240]), true);
  assert.equal(chart.wantsLog([3.1, 9.7, 22]), false);
  assert.equal(chart.wantsLog([1, 20]), false);
  assert.equal(chart.wantsLog([1, 20.5]), true);
  assert.equal(chart.wantsLog([0, undefined, NaN, -5, 4, 8]), false);
  assert.equal(chart.wantsLog([]), false);
  assert.deepEqual(chart.positiveRange([0, 2, Infinity, 7, 'x']), { lo: 2, hi: 7 });
});

test('linear axes: round ticks covering the data (from 0 for bars and counts), or inside a fixed domain', () => {
  // The histogram's count axis: no bare "1258", round ticks up to above it.
  const counts = chart.linearAxis(0, 1258, 4, false);
  assert.deepEqual(counts.ticks, [0, 500, 1000, 1500]);
  assert.equal(counts.hi, 1500);
  assert.equal(counts.pos(750), 0.5);
  // Bars from 0.
  const bars = chart.latencyAxis([3.1, 9.7, 22], { zero: true });
  assert.equal(bars.log, false);
  assert.deepEqual(bars.ticks, [0, 5, 10, 15, 20, 25]);
  // The histogram's latency axis: the bins' range is fixed, ticks inside it only.
  const x = chart.linearAxis(12.34, 27.9, 6, true);
  assert.deepEqual([x.lo, x.hi], [12.34, 27.9]);
  assert.ok(x.ticks.every((t) => t >= 12.34 && t <= 27.9) && x.ticks.length >= 3, String(x.ticks));
  assert.equal(x.pos(12.34), 0);
  // Small values keep exact decimals (no 0.30000000000000004).
  assert.deepEqual(chart.linearAxis(0, 0.9, 3, false).ticks, [0, 0.5, 1]);
  assert.deepEqual(chart.linearAxis(0.1, 0.35, 5, false).ticks, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  // One value: a range around it, not below 0.
  const one = chart.linearAxis(5, 5, 4, false);
  assert.ok(one.lo >= 0 && one.lo < 5 && one.hi > 5, `${one.lo}..${one.hi}`);
  assert.ok(Number.isFinite(one.pos(5)));
});

test('log axes: whole decades, 1-2-5 ticks over at most two decades', () => {
  const hat = chart.latencyAxis([18.2, 40, 5240], { zero: true });
  assert.equal(hat.log, true);
  assert.deepEqual([hat.lo, hat.hi], [10, 10000]);
  assert.deepEqual(hat.ticks, [10, 100, 1000, 10000]);
  assert.ok(Math.abs(hat.pos(100) - 1 / 3) < 1e-9);
  // The GPU bar is no sliver: a tenth of the way or more.
  assert.ok(hat.pos(18.2) > 0.08);
  const narrow = chart.logAxis(2, 60);
  assert.deepEqual(narrow.ticks, [1, 2, 5, 10, 20, 50, 100]);
  // A forced linear axis over a wide spread, and no log axis without positive values.
  assert.equal(chart.latencyAxis([1, 100], { log: false }).log, false);
  assert.equal(chart.latencyAxis([0, 0]).log, false);
  // Bounded whatever the input.
  assert.ok(chart.logAxis(0, 1e300).ticks.length <= 14);
  assert.ok(chart.linearAxis(NaN, Infinity, 5, false).ticks.length <= 50);
  assert.ok(chart.linearAxis(0, 1e300, 5, false).ticks.length <= 50);
});

test('units and tick labels: ms below a second, s from a second; counts shortened', () => {
  assert.deepEqual(chart.unitFor(999), { unit: 'ms', div: 1 });
  assert.deepEqual(chart.unitFor(10000), { unit: 's', div: 1000 });
  assert.equal(chart.tickLabel(0), '0');
  assert.equal(chart.tickLabel(0.05), '0.05');
  assert.equal(chart.tickLabel(2.5), '2.5');
  assert.equal(chart.tickLabel(120), '120');
  assert.equal(chart.tickLabel(5240, 1000), '5.24');
  assert.equal(chart.tickLabel(10000, 1000), '10');
  assert.equal(chart.countLabel(1258), '1258');
  assert.equal(chart.countLabel(15625), '15.6k');
  assert.equal(chart.countLabel(2_500_000), '2.5M');
});

test('"predicted faster" reads naturally at the extremes', () => {
  const n = 15625;
  assert.equal(chart.fasterPhrase(0, n), 'none of them is predicted faster than this one: it is the fastest');
  assert.equal(chart.fasterPhrase(1, n), 'all 15,625 are predicted faster than this one: it is the slowest');
  // 99.99% would print as "100.0%"; 0.006% as "0.0%".
  assert.equal(chart.fasterPhrase((n - 1) / n, n), 'all but 1 of them are predicted faster than this one');
  assert.equal(chart.fasterPhrase(1 / n, n), 'only 1 of them is predicted faster than this one');
  assert.equal(chart.fasterPhrase(3 / n, n), 'only 3 of them are predicted faster than this one');
  assert.equal(chart.fasterPhrase(0.4321, n), '43.2% of them are predicted faster than this one');
  assert.equal(chart.fasterPhrase(0.999, 1000), '99.9% of them are predicted faster than this one');
  assert.equal(chart.fasterPhrase(0.5, 0), '');
  assert.equal(chart.fasterPhrase(undefined, n), '');
  for (let k = 0; k <= 200; k++) assert.doesNotMatch(chart.fasterPhrase(k / 200, 200), /100\.0%|\b0\.0%/);
});
