// The onnx space's device model: costs fitted from samples, the prior, spikes, the error band, device files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptOnnxDevice, COST_FEATURES, fitCosts, kernelFeatures, modelCosts, OnnxSample, predictCosts, PRIOR_COSTS, validateOnnxDevice } from '../../../src/core/onnx/latency';
import { ONNX_REFERENCES } from '../../../src/core/onnx/referenceModels';
import { readOnnxBytes } from '../../../src/core/onnx/reader';

const refs = ONNX_REFERENCES.map((r) => ({ name: r.name, features: modelCosts(readOnnxBytes(r.write())).features }));
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, j) => s + v * b[j], 0);

test('a device whose costs are 3x the prior is recovered from the references alone', () => {
  const truth = PRIOR_COSTS.map((c) => 3 * c);
  const samples: OnnxSample[] = refs.map((r) => ({ arch: r.name, latency_ms: dot(r.features, truth), features: r.features, reference: true }));
  const d = adaptOnnxDevice('x3', samples, 1);
  for (const r of refs) assert.ok(Math.abs(dot(r.features, d.costs) / dot(r.features, truth) - 1) < 0.02, r.name);
  assert.ok(d.errorBand < 0.02, String(d.errorBand));
});

test('costs stay non-negative and a slow conv unit is found from the samples', () => {
  const truth = PRIOR_COSTS.slice();
  truth[1] *= 4; // dense convolution 4x slower than the prior's ratio
  const x = refs.map((r) => r.features);
  const y = x.map((f) => dot(f, truth));
  const c = fitCosts(x, y);
  assert.ok(c.every((v) => v >= 0));
  const conv = refs.find((r) => r.name === 'conv-l')!;
  assert.ok(Math.abs(dot(conv.features, c) / dot(conv.features, truth) - 1) < 0.1);
});

test('a spiking shot is left out; references never are', () => {
  const samples: OnnxSample[] = refs.map((r) => ({ arch: r.name, latency_ms: dot(r.features, PRIOR_COSTS), features: r.features, reference: true }));
  // The spike rule leaves out at most 10% of the shots: 10 shots, one spike.
  const shots: OnnxSample[] = refs.slice(0, 10).map((r, i) => ({ arch: `shot${i}`, latency_ms: dot(r.features, PRIOR_COSTS) * (i === 3 ? 20 : 1 + 0.01 * i), features: r.features.map((v) => v * 1.5), reference: false }));
  for (const s of shots) if (s.arch !== 'shot3') s.latency_ms *= 1.5;
  const d = adaptOnnxDevice('spiky', [...samples, ...shots], 1);
  assert.deepEqual(d.spikes.map((s) => s.arch), ['shot3']);
});

test('prediction is the sum over kernels, with a breakdown by class and the top kernels', () => {
  const mc = modelCosts(readOnnxBytes(ONNX_REFERENCES.find((r) => r.name === 'transformer-s')!.write()));
  const p = predictCosts({ costs: PRIOR_COSTS.slice(), errorBand: 0.1 }, mc);
  // The kernels' sum plus the per-run cost (which no kernel carries).
  const sumKernels = mc.kernels.reduce((s, k) => s + dot(kernelFeatures(k), PRIOR_COSTS), 0) + PRIOR_COSTS[COST_FEATURES.indexOf('runs')];
  assert.ok(Math.abs(p.ms - sumKernels) < 1e-9);
  assert.ok(Math.abs(p.ms - dot(mc.features, PRIOR_COSTS)) < 1e-9);
  assert.ok(Math.abs(Object.values(p.byClass).reduce((s, v) => s + v!, 0) - p.ms) < 1e-9);
  assert.ok(p.byClass.matmul! > 0 && p.byClass.attention! > 0 && p.byClass.normalisation! > 0);
  assert.equal(p.top.length, 10);
  assert.ok(p.top[0].ms >= p.top[9].ms);
});

test('device files are validated field by field', () => {
  const samples: OnnxSample[] = refs.map((r) => ({ arch: r.name, latency_ms: dot(r.features, PRIOR_COSTS), features: r.features, reference: true }));
  const d = JSON.parse(JSON.stringify(adaptOnnxDevice('ok', samples, 1)));
  assert.equal(validateOnnxDevice(d, 'f.json').name, 'ok');
  assert.throws(() => validateOnnxDevice({ ...d, costs: [1, -1, ...d.costs.slice(2)] }, 'f.json'), /f\.json: costs: expected \d+ non-negative/);
  assert.throws(() => validateOnnxDevice({ ...d, bags: [[1]] }, 'f.json'), /bags\[0\]/);
  assert.throws(() => validateOnnxDevice({ ...d, samples: [{ arch: 'a', latency_ms: 0 }] }, 'f.json'), /samples\[0\]/);
  assert.throws(() => validateOnnxDevice({ ...d, format: 'help-device' }, 'f.json'), /format/);
  assert.equal(COST_FEATURES.length, PRIOR_COSTS.length);
});
