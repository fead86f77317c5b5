// The bundled meta-trained weights adapt: on a meta-test device (never used in meta-training), the
// Meta-SGD steps and more samples reduce the error on held-out architectures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../../src/core/predictor/tf';
import { LatencyPredictor } from '../../../src/core/predictor/service';
import { loadSpaceTables } from '../../../src/core/training/dataset';
import { protocolTask } from '../../../src/core/eval/protocol';
import { spearman } from '../../../src/core/eval/metrics';
import { normalise } from '../../../src/core/predictor/help';

test('Meta-SGD adaptation and more shots reduce held-out error on fpga', async () => {
  const tf = await loadTf();
  const p = LatencyPredictor.load(tf, 'nasbench201');
  const tables = loadSpaceTables('nasbench201');
  assert.ok(!p.weights.trainDevices.includes('fpga') && !p.weights.validDevices.includes('fpga'));
  const lat = tables.latency('fpga');
  const task = protocolTask('nasbench201', lat, tables.referenceIndices, 20, 0);
  const heldOut = task.queries.slice(0, 300);
  const embAll = (idx: number[]) => tf.gather((p as unknown as { allEmbeddings(): import('@tensorflow/tfjs').Tensor2D }).allEmbeddings(), idx) as import('@tensorflow/tfjs').Tensor2D;
  const mseFor = (support: number[], steps: number) => {
    const y = support.map((i) => lat[i]);
    const a = p.net.adapt(embAll(support), y, steps);
    const f = p.net.predictNormalised(a, embAll(heldOut));
    let mse = 0;
    heldOut.forEach((q, k) => (mse += (f[k] - normalise(lat[q], a.mean, a.std)) ** 2 / heldOut.length));
    const rho = spearman(f, heldOut.map((q) => lat[q]));
    p.net.dispose(a);
    return { mse, rho };
  };
  const support20 = task.support.slice(0, 20);
  const noSteps = mseFor(support20, 0);
  const adapted = mseFor(support20, 3);
  assert.ok(adapted.mse < noSteps.mse, `adapted ${adapted.mse} < unadapted ${noSteps.mse}`);
  assert.ok(adapted.rho > 0.9, `Spearman after adaptation ${adapted.rho}`);
  // The whole adaptation (Meta-SGD plus the millisecond mapping): more samples, lower error.
  const mapeWith = (support: number[]) => {
    const dev = p.open(p.adapt('fpga-test', support.map((i) => ({ arch: p.space.index!.specAt(i), latency_ms: lat[i] }))));
    const pred = p.predictIndices(dev, heldOut);
    return pred.reduce((s, v, k) => s + Math.abs(v - lat[heldOut[k]]) / lat[heldOut[k]], 0) / heldOut.length;
  };
  const refsOnly = mapeWith(task.support.slice(0, 10));
  const support30 = mapeWith(task.support);
  assert.ok(support30 < refsOnly, `MAPE with 30 samples ${support30} < with 10 ${refsOnly}`);
});

test('a device file round-trips and predicts the same', async () => {
  const tf = await loadTf();
  const p = LatencyPredictor.load(tf, 'nasbench201');
  const h = p.resolve('gold_6226');
  const specs = [p.space.index!.specAt(1000), p.space.index!.specAt(2000)];
  const a = p.predict(h, specs);
  const samples = h.file.samples;
  const again = p.adapt('copy', samples);
  assert.deepEqual(again.samples.map((s) => s.arch), samples.map((s) => s.arch));
  assert.equal(again.adaptation.combination.kind, h.file.adaptation.combination.kind);
  assert.ok(a.every((v) => v > 0 && Number.isFinite(v)));
});
