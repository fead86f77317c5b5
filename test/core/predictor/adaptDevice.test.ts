// Measurement spikes: a sample far above what the others give it is left out of the millisecond mapping;
// a sample far below is kept (it is the device), and so are samples at the edge of the design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../../src/core/predictor/tf';
import { LatencyPredictor } from '../../../src/core/predictor/service';
import { loadSpaceTables } from '../../../src/core/training/dataset';
import { protocolTask } from '../../../src/core/eval/protocol';
import { findSpikes, GROSS_FACTOR, MAX_SPIKE_SHARE, robustScale, screenSamples, SPIKE_LIMIT } from '../../../src/core/predictor/adaptDevice';
import { SpecError } from '../../../src/core/spaces/space';

test('robust scale is 1.4826 x the median absolute residual', () => {
  assert.ok(Math.abs(robustScale([1, -2, 3, -4, 100]) - 1.4826 * 3) < 1e-12);
  assert.ok(Math.abs(robustScale([1, -2, 3, -4]) - 1.4826 * 2.5) < 1e-12);
});

test('only residuals far above the fit are spikes, largest first, at most a tenth of the samples', () => {
  const base = Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.1 : -0.1) * (1 + i / 20));
  assert.deepEqual(findSpikes(base), []);
  const up = [...base];
  up[3] = 5;
  up[7] = 9;
  up[11] = 2;
  // 20 samples: at most 2, the largest first.
  assert.equal(Math.floor(20 * MAX_SPIKE_SHARE), 2);
  assert.deepEqual(findSpikes(up), [7, 3]);
  const down = [...base];
  down[5] = -9;
  assert.deepEqual(findSpikes(down), [], 'a reading far below the fit is kept');
  const limit = SPIKE_LIMIT * robustScale(base);
  const edge = [...base];
  edge[0] = limit * 0.9;
  assert.deepEqual(findSpikes(edge), [], 'within the limit');
  assert.deepEqual(findSpikes(new Array(20).fill(0)), [], 'an exact fit has no spikes');
});

test('a spiked sample is left out of the mapping, reported in the device file, and helps the predictions', async () => {
  const tf = await loadTf();
  const p = LatencyPredictor.load(tf, 'nasbench201');
  const tables = loadSpaceTables('nasbench201');
  const lat = tables.latency('gold_6226');
  const task = protocolTask('nasbench201', lat, tables.referenceIndices, 10, 0);
  const samples = task.support.map((i) => ({ arch: p.space.index!.specAt(i), latency_ms: lat[i] }));
  const clean = p.adapt('clean', samples);
  assert.equal(clean.adaptation.spikes, undefined, 'no spikes in a clean table');
  // A background task doubles one shot's reading.
  const spiked = samples.map((s, k) => (k === 14 ? { ...s, latency_ms: s.latency_ms * 2 } : s));
  const dev = p.adapt('spiked', spiked);
  assert.deepEqual(dev.adaptation.spikes?.map((s) => s.arch), [samples[14].arch]);
  assert.ok(Math.abs(dev.adaptation.spikes![0].fitted_ms - lat[task.support[14]]) < 0.1 * lat[task.support[14]], 'the fit without the spike is near the true latency');
  const mape = (file: typeof dev) => {
    const pred = p.predictIndices(p.open(file), task.queries.slice(0, 500));
    return pred.reduce((s, v, k) => s + Math.abs(v - lat[task.queries[k]]) / lat[task.queries[k]], 0) / pred.length;
  };
  assert.ok(mape(dev) < 1.2 * mape(clean), `MAPE with the spike left out ${mape(dev)} vs clean ${mape(clean)}`);
  // A reading far below is the device (e.g. a cell the runtime prunes), never a spike.
  const low = p.adapt('low', samples.map((s, k) => (k === 14 ? { ...s, latency_ms: s.latency_ms * 0.3 } : s)));
  assert.equal(low.adaptation.spikes, undefined);
});

test('a device the mapping reproduces exactly (a source device of the bank) has no spikes', async () => {
  const tf = await loadTf();
  const p = LatencyPredictor.load(tf, 'nasbench201');
  const tables = loadSpaceTables('nasbench201');
  assert.ok(p.weights.trainDevices.includes('2080ti_256'));
  const lat = tables.latency('2080ti_256');
  const task = protocolTask('nasbench201', lat, tables.referenceIndices, 20, 1);
  const dev = p.adapt('twin', task.support.map((i) => ({ arch: p.space.index!.specAt(i), latency_ms: lat[i] })));
  // Its residuals are rounding errors: their robust scale is ~0, so without the 5% floor they would be "spikes".
  assert.equal(dev.adaptation.spikes, undefined);
});

test('gross spikes are found without a fit, wherever they sit; a gross reference or a non-latency is refused', () => {
  const y = Array.from({ length: 14 }, (_, i) => 5 + i);
  // Source devices say architecture 12 is 2x their median: up to GROSS_FACTOR x 2 x the device's median is a latency.
  const sources = y.map((_, i) => [i === 12 ? 20 : 10, i === 12 ? 6 : 3]);
  assert.deepEqual(screenSamples(y, sources), []);
  const median = 11.5;
  const within = y.map((v, i) => (i === 12 ? 0.99 * GROSS_FACTOR * 2 * median : v));
  assert.deepEqual(screenSamples(within, sources), []);
  const beyond = y.map((v, i) => (i === 12 || i === 13 ? 1e6 : v));
  assert.deepEqual(screenSamples(beyond, sources), [12, 13], 'every gross spike, not a share of them');
  // A reference (the first 10) cannot be left out.
  assert.throws(() => screenSamples(y.map((v, i) => (i === 0 ? 1e6 : v)), sources, { describe: (i) => `s.json: sample ${i + 1}` }), /s\.json: sample 1: 1000000 ms is more than/);
  for (const bad of [NaN, -1, 0, Infinity, 1e200]) assert.throws(() => screenSamples(y.map((v, i) => (i === 13 ? bad : v)), sources), SpecError);
  // No sources: judged against the widest spread of any bundled table.
  assert.deepEqual(screenSamples(y.map((v, i) => (i === 13 ? 1e5 : v)), undefined), [13]);
  assert.deepEqual(screenSamples(y.map((v, i) => (i === 13 ? 500 : v)), undefined), []);
});
