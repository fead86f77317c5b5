// Every prediction is a positive, finite latency: every built-in device (measured tables and few-shot
// profiles) over the whole NAS-Bench-201 space and over random FBNet and OFA architectures (their spaces
// have ~1e21 and ~1e19 architectures). Before the floor (combine.ts latencyFloorMs), raspi4 predicted
// <= 0 ms for 13 of the 15,625 cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../../src/core/predictor/tf';
import { LatencyPredictor } from '../../../src/core/predictor/service';
import { deviceLatencyFloorMs, latencyFloorMs, LATENCY_FLOOR_FRACTION } from '../../../src/core/predictor/combine';
import { makeRng } from '../../../src/core/spaces/space';
import { formatFbnetSpec, sampleFbnet } from '../../../src/core/spaces/fbnet';
import { formatOfaSpec, sampleOfa } from '../../../src/core/spaces/ofa';

const RANDOM_ARCHS = 2000;

function checkAll(p: LatencyPredictor, ms: number[][], label: (k: number) => string) {
  p.builtinDevices().forEach((d, j) => {
    assert.equal(ms[j].length > 0, true);
    const floor = deviceLatencyFloorMs(p.resolve(d.name));
    assert.ok(floor > 0, `${d.name}: a positive floor`);
    ms[j].forEach((v, k) => {
      if (!(Number.isFinite(v) && v > 0 && v >= floor)) assert.fail(`${p.space.name} ${d.name} (${d.origin}): ${label(k)} predicted ${v} ms (floor ${floor})`);
    });
  });
}

test('the floor is a small fraction of the smallest measured sample', () => {
  assert.equal(latencyFloorMs([5, 0.2, 3]), LATENCY_FLOOR_FRACTION * 0.2);
  assert.equal(latencyFloorMs([NaN, -1, 0, 4]), LATENCY_FLOOR_FRACTION * 4, 'unusable values are ignored');
  assert.equal(latencyFloorMs([]), 0);
});

test('NAS-Bench-201: every built-in device predicts a positive latency for all 15,625 cells', async () => {
  const p = LatencyPredictor.load(await loadTf(), 'nasbench201');
  const devices = p.builtinDevices();
  assert.ok(devices.some((d) => d.origin === 'profile') && devices.some((d) => d.name === 'raspi4'));
  const all = Array.from({ length: p.space.index!.size }, (_, i) => i);
  const ms = p.predictIndicesOnDevices(devices.map((d) => p.resolve(d.name)), all);
  checkAll(p, ms, (k) => p.space.index!.specAt(k));
});

for (const [space, sample] of [
  ['fbnet', (n: number) => sampleFbnet(n, makeRng(16)).map(formatFbnetSpec)],
  ['ofa', (n: number) => sampleOfa(n, makeRng(16)).map(formatOfaSpec)],
] as const) {
  test(`${space}: every built-in device predicts a positive latency for ${RANDOM_ARCHS} random architectures`, async () => {
    const p = LatencyPredictor.load(await loadTf(), space);
    const specs = sample(RANDOM_ARCHS).map((s) => p.space.canonical(s));
    const devices = p.builtinDevices();
    assert.ok(devices.some((d) => d.origin === 'profile'));
    const ms = p.predictOnDevices(devices.map((d) => p.resolve(d.name)), specs);
    checkAll(p, ms, (k) => specs[k]);
  });
}

test('raspi4: the cell that predicted -0.40 ms (measured 2.83 ms) predicts a positive latency', async () => {
  const p = LatencyPredictor.load(await loadTf(), 'nasbench201');
  const [v] = p.predict(p.resolve('raspi4'), [p.space.canonical('|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|skip_connect~2|')]);
  assert.ok(v > 0 && Number.isFinite(v), `${v} ms`);
});
