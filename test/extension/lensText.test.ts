// The CodeLens text, origins and badges (and the hover's latency text).
import './vscodeMock';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decorationTooltip, formatLens, formatMs, formatPrediction, LATENCY_BADGE, originText, shortError } from '../../src/extension/lensText';
import { hoverMarkdown } from '../../src/extension/hover';
import type { DeviceInfo } from '../../src/worker/protocol';

const adapted: DeviceInfo = { name: 'this machine', space: 'nasbench201', origin: 'adapted', samples: 20, created: '2025-11-23T10:00:00.000Z' };

test('the lens stays short: no provenance of adapted devices (it is in the hover)', () => {
  assert.equal(
    formatLens([
      { device: 'gold_6226', ms: 10.71 },
      { device: 'pixel2', ms: 14 },
      { device: 'this machine', ms: 3.1, info: adapted },
    ]),
    'HELP  gold_6226 10.7 ms · pixel2 14.0 ms · this machine 3.1 ms',
  );
});

test('a caveat comes first in the lens, marked ⚠', () => {
  assert.equal(formatLens([{ device: 'gold_6226', ms: 10.71 }], { caveat: 'dead code (1 op)' }), 'HELP  ⚠ dead code (1 op) · gold_6226 10.7 ms');
  assert.equal(formatLens([{ device: 'gold_6226', ms: 10.71 }], { caveat: 'no input→output path', stale: true }), 'HELP  ⚠ no input→output path · gold_6226 10.7 ms …');
});

test('stale values keep their text and gain "…"; missing and failed devices', () => {
  assert.equal(formatLens([{ device: 'gold_6226', ms: 10.7 }], { stale: true }), 'HELP  gold_6226 10.7 ms …');
  assert.equal(formatLens([{ device: 'a', ms: 1.5 }, { device: 'b', error: 'broken' }, { device: 'c' }]), 'HELP  a 1.5 ms · b — · c …');
  assert.equal(formatLens([]), 'HELP  …');
  assert.equal(formatLens([], { error: 'fbnet: not available yet' }), 'HELP  fbnet: not available yet');
});

test('milliseconds and seconds', () => {
  assert.equal(formatMs(0.4213), '0.42 ms');
  assert.equal(formatMs(10.66), '10.7 ms');
  assert.equal(formatMs(999.94), '999.9 ms');
  assert.equal(formatMs(4642), '4.64 s');
  assert.equal(formatMs(NaN), '?');
});

test('origins', () => {
  assert.equal(originText({ name: 'x', space: 's', origin: 'table', samples: 30 }), 'built-in table');
  assert.equal(originText({ name: 'x', space: 's', origin: 'profile', samples: 30 }), 'built-in profile');
  assert.equal(originText(adapted), 'adapted, 20 samples, 2025-11-23');
  assert.equal(originText(undefined), '');
});

test('the badge is no number (not read as a problem count); the tooltip names devices, what they are, and units', () => {
  assert.equal(LATENCY_BADGE.length, 1);
  assert.doesNotMatch(LATENCY_BADGE, /[\d.]/);
  assert.equal(
    decorationTooltip('nasbench201', [{ device: 'gold_6226', ms: 10.71, what: 'Xeon Gold 6226 CPU' }, { device: 'mine', ms: 1500 }, { device: 'x' }], 3),
    'HELP predicted latency, nasbench201 (first of 3 architectures): gold_6226 (Xeon Gold 6226 CPU) 10.7 ms · mine 1.50 s · x —',
  );
});

test('worker errors shortened to one line', () => {
  assert.equal(shortError('unknown device "x" for nasbench201 (built in: a, b, c; or give a DEVICE.json)'), 'unknown device "x" for nasbench201');
  assert.equal(shortError('a'.repeat(100), 10), `${'a'.repeat(9)}…`);
  assert.equal(shortError('one\ntwo'), 'one');
});

test('device names and errors in the lens are shown with escape sequences, controls and bidi neutralised', () => {
  const title = formatLens([
    { device: 'a\x1b[2J\x1b]0;t\x07\u202eb', ms: 1 },
    { device: 'c\x1b[31m', error: 'x' },
  ]);
  assert.equal(title, 'HELP  a\\u{202e}b 1.0 ms · c —');
  assert.equal(formatLens([], { error: 'no \u202edevice\x1b[0m' }), 'HELP  no \\u{202e}device');
});

test('a prediction at its device\'s floor is shown as a bound (≤) in the lens and the hover, with what it means', () => {
  assert.equal(formatPrediction(0.0013, true), '≤0.00 ms');
  assert.equal(formatPrediction(10.71), '10.7 ms');
  assert.equal(formatLens([{ device: 'raspi4', ms: 0.0171, atFloor: true }, { device: 'gold_6226', ms: 1.2 }]), 'HELP  raspi4 ≤0.02 ms · gold_6226 1.2 ms');
  const raspi: DeviceInfo = { name: 'raspi4', space: 'nasbench201', origin: 'table', samples: 30 };
  const gold: DeviceInfo = { name: 'gold_6226', space: 'nasbench201', origin: 'table', samples: 30 };
  const md = hoverMarkdown([{ info: raspi, prediction: { ms: 0.0171, atFloor: true } }, { info: gold, prediction: { ms: 1.2 } }], ['raspi4', 'gold_6226'], []);
  assert.match(md, /\*\*≤0\.02 ms\*\*/);
  assert.match(md, /≤: below anything that device was measured at/);
  assert.doesNotMatch(hoverMarkdown([{ info: gold, prediction: { ms: 1.2 } }], ['gold_6226'], []), /≤/);
});
