// The cost features of the onnx space's second version: what onnxruntime runs that a MAC count misses
// (Shape chains of dynamic models, Loop iterations, strided reductions, activation passes, padded channels,
// cold weights), the non-negative fit, the per-device pull towards the prior, and the bundled prior.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { readOnnxBytes } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shapeInference';
import { kernelsOf } from '../../../src/core/onnx/kernels';
import { genericConvTrainingModels, nasSpaceTrainingModels, ONNX_REFERENCES, priorTrainingModels } from '../../../src/core/onnx/referenceModels';
import { chooseLambda, COST_FEATURES, deviceCentre, kernelFeatures, LAMBDA_GRID, modelCosts, nnlsGram, OnnxSample, PRIOR_COSTS, validateOnnxDevice } from '../../../src/core/onnx/latency';
import { OnnxBuilder } from '../../../src/core/onnx/writer';

const at = (name: (typeof COST_FEATURES)[number]) => COST_FEATURES.indexOf(name);
const ref = (name: string) => ONNX_REFERENCES.find((r) => r.name === name)!;
const costsOf = (bytes: Uint8Array) => modelCosts(readOnnxBytes(bytes));
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, j) => s + v * b[j], 0);

/** x -> Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape(x): the chain torch writes for a flatten
 *  that keeps the batch; `dynamic` declares the batch dim symbolic. */
function shapeChainModel(dynamic: boolean): Uint8Array {
  const b = new OnnxBuilder(13, 1);
  const s = b.node('Shape', ['input']);
  const g = b.node('Gather', [s, b.int64Init('zero', [0])], { axis: 0 });
  const u = b.node('Unsqueeze', [g, b.int64Init('axes', [0])]);
  const c = b.node('Concat', [u, b.int64Init('rest', [-1])], { axis: 0 });
  const r = b.node('Reshape', ['input', c]);
  const m = onnx.ModelProto.decode(b.encode('input', [1, 8, 4, 4], b.node('Relu', [r]), [1, 128]));
  if (dynamic) m.graph!.input![0].type!.tensorType!.shape!.dim![0] = { dimParam: 'batch' };
  return onnx.ModelProto.encode(m).finish();
}

test('a model with a symbolic batch runs its Shape chain (onnxruntime cannot fold it); a static one does not', () => {
  const live = (bytes: Uint8Array) => costsOf(bytes).kernels.filter((k) => !k.free).map((k) => k.ops.join('+'));
  assert.deepEqual(live(shapeChainModel(false)), ['Relu']);
  // Unsqueeze is a view (free) either way.
  assert.deepEqual(live(shapeChainModel(true)), ['Shape', 'Gather', 'Concat', 'Relu']);
});

test('a Loop node is a kernel that runs its body trip-count times; its body kernels run as often', () => {
  const mc = costsOf(ref('loop').write());
  const loop = mc.kernels.find((k) => k.ops[0] === 'Loop')!;
  assert.equal(loop.subgraphRuns, 40);
  assert.equal(mc.features[at('subgraphRuns')], 40);
  assert.ok(mc.kernels.filter((k) => k.ops[0] === 'Gemm').every((k) => k.times === 40));
});

test('a ReduceMean over inner axes costs by bytes; one over a middle axis (x.mean(3).mean(2)) by outputs', () => {
  const reduces = costsOf(ref('dwsep-swish').write()).kernels.filter((k) => k.ops[0] === 'ReduceMean');
  assert.equal(reduces.length, 8);
  // Pairs: first over W (a suffix: 0), then over H of [1, C, H, 1] (C outputs).
  for (let i = 0; i < reduces.length; i += 2) {
    assert.equal(reduces[i].stridedReduceOutputs, 0);
    assert.ok(reduces[i + 1].stridedReduceOutputs >= 96, String(reduces[i + 1].stridedReduceOutputs));
  }
});

test('Clip after a convolution is a second pass over its output; ReLU is not', () => {
  const pass = (name: string) => costsOf(ref(name).write()).features[at('activationPassBytes')];
  assert.ok(pass('dwsep-xl') > 0);
  assert.equal(pass('conv-s'), 0);
});

test('output channels short of a block of 16 cost their padding; full blocks cost none', () => {
  const b = new OnnxBuilder(13, 2);
  const y = b.conv('input', 16, 24, 1, 1, 0, 1, { bn: false });
  const k = kernelsOf(inferShapes(readOnnxBytes(b.encode('input', [1, 16, 8, 8], y, [1, 24, 8, 8])))).find((x) => x.ops[0] === 'Conv')!;
  assert.equal(k.outChannels, 24);
  assert.ok(Math.abs(kernelFeatures(k)[at('paddedConvMacs')] - k.macs * (32 / 24 - 1)) < 1e-6);
  const full = kernelsOf(inferShapes(readOnnxBytes(ref('conv-s').write()))).filter((x) => x.kernelClass === 'conv');
  assert.ok(full.every((x) => kernelFeatures(x)[at('paddedConvMacs')] === 0));
});

test('weights count as cold only when a run touches more bytes than a last-level cache holds', () => {
  const bigMlp = priorTrainingModels(154).find((m) => /3 Gemm \+ ReLU layers of width 2048/.test(m.about));
  assert.ok(bigMlp, 'the training set has a 3-layer 2048-wide MLP');
  const cold = costsOf(bigMlp.write()); // 48 MB of weights
  assert.ok(cold.coldWeights && cold.features[at('coldWeightBytes')] > 45e6);
  const hot = costsOf(ref('mlp').write()); // 16 MB of weights, nothing else: stays in a 32 MB cache
  assert.ok(!hot.coldWeights && hot.features[at('coldWeightBytes')] === 0);
});

test('in a cold model, convolutions with few output positions per weight read them cold; larger ones do not', () => {
  // 512 -> 512 3x3 convolutions (9.4 MB each): at 7x7 (49 multiply-adds per weight) the weights stream from
  // memory, at 28x28 (784) the arithmetic hides them. Five of them make the run touch > 24 MB.
  const kernel = (hw: number) => {
    const b = new OnnxBuilder(13, 1, false);
    let x = 'input';
    for (let i = 0; i < 5; i++) x = b.relu(b.conv(x, 512, 512, 3, 1, 1));
    const mc = modelCosts(readOnnxBytes(b.encode('input', [1, 512, hw, hw], x, [1, 512, hw, hw])));
    assert.ok(mc.coldWeights);
    const k = mc.kernels.find((x) => x.ops[0] === 'Conv')!;
    return { k, f: kernelFeatures(k, true) };
  };
  const small = kernel(7);
  assert.ok(small.k.weightBytes > 512 * 512 * 9 * 4 && small.f[at('coldWeightBytes')] === small.k.weightBytes);
  assert.equal(kernel(28).f[at('coldWeightBytes')], 0);
});

test('GRU and LSTM multiply-adds are priced apart; both count their sequential steps', () => {
  const gru = costsOf(ref('gru').write()).features;
  const lstm = costsOf(ref('lstm').write()).features;
  assert.ok(gru[at('gruMacs')] > 0 && gru[at('recurrentMacs')] === 0 && gru[at('recurrentSteps')] > 0);
  assert.ok(lstm[at('recurrentMacs')] > 0 && lstm[at('gruMacs')] === 0 && lstm[at('recurrentSteps')] > 0);
});

test('the mobile reference is a whole network: 6 stages down to 5x5, a head convolution, many depthwise kernels', () => {
  const mc = costsOf(ref('mobile').write());
  const dw = mc.kernels.filter((k) => k.kernelClass === 'depthwiseConv');
  assert.equal(dw.length, 12); // blocks 1+2+3+3+2+1
  const smallest = Math.min(...dw.map((k) => k.bytesWritten / 4 / k.outChannels));
  assert.equal(smallest, 25);
  assert.ok(mc.kernels.some((k) => k.kernelClass === 'conv' && k.outChannels === 960));
});

test('nnlsGram finds the best non-negative solution (brute force over every support on random problems)', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (let trial = 0; trial < 40; trial++) {
    const p = 5;
    const a = Array.from({ length: 8 }, () => Array.from({ length: p }, rnd));
    const bvec = Array.from({ length: 8 }, rnd);
    const g = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => a.reduce((s, r) => s + r[i] * r[j], 0)));
    const h = Array.from({ length: p }, (_, i) => a.reduce((s, r, k) => s + r[i] * bvec[k], 0));
    const obj = (u: number[]) => a.reduce((s, r, k) => s + (dot(r, u) - bvec[k]) ** 2, 0);
    const u = nnlsGram(g, h);
    assert.ok(u.every((v) => v >= 0));
    // Brute force: every support's unconstrained solution that is non-negative.
    let best = obj(new Array(p).fill(0));
    for (let mask = 1; mask < 1 << p; mask++) {
      const idx = [...Array(p).keys()].filter((j) => mask & (1 << j));
      const m = idx.map((i) => idx.map((j) => g[i][j]));
      const rhs = idx.map((i) => h[i]);
      // Gaussian elimination (small, well-conditioned enough for random data).
      const n = idx.length;
      const aug = m.map((r, i) => [...r, rhs[i]]);
      for (let c = 0; c < n; c++) {
        let piv = c;
        for (let r = c + 1; r < n; r++) if (Math.abs(aug[r][c]) > Math.abs(aug[piv][c])) piv = r;
        [aug[c], aug[piv]] = [aug[piv], aug[c]];
        for (let r = 0; r < n; r++) if (r !== c) {
          const f = aug[r][c] / aug[c][c];
          for (let k = c; k <= n; k++) aug[r][k] -= f * aug[c][k];
        }
      }
      const sol = aug.map((r, i) => r[n] / r[i]);
      if (sol.some((v) => v < 0)) continue;
      const full = new Array(p).fill(0);
      idx.forEach((j, i) => (full[j] = sol[i]));
      best = Math.min(best, obj(full));
    }
    assert.ok(obj(u) <= best + 1e-9 * (1 + best), `trial ${trial}: ${obj(u)} > ${best}`);
  }
});

test('the pull towards the prior: strongest when the device follows it, weaker when its ratios differ', () => {
  const refs = ONNX_REFERENCES.map((r) => ({ name: r.name, features: costsOf(r.write()).features }));
  const like = refs.map((r): OnnxSample => ({ arch: r.name, latency_ms: dot(r.features, PRIOR_COSTS), features: r.features, reference: true }));
  assert.equal(chooseLambda(like).lambda, Math.max(...LAMBDA_GRID));
  // Convolutions and matrix products 3x faster than the prior says (several cores), the rest as it says.
  const fast = PRIOR_COSTS.map((c, j) => (['convMacs', 'matmulMacs', 'dwGroupedMacs', 'groupedMacs'].includes(COST_FEATURES[j]) ? c / 3 : c));
  const unlike = refs.map((r): OnnxSample => ({ arch: r.name, latency_ms: dot(r.features, fast), features: r.features, reference: true }));
  assert.ok(chooseLambda(unlike).lambda < Math.max(...LAMBDA_GRID));
});

test('the bundled prior names the features the code computes, one positive cost each', () => {
  const prior = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../weights/onnx-prior.json'), 'utf8')) as { features: string[]; costs: number[] };
  assert.deepEqual(prior.features, [...COST_FEATURES]);
  assert.equal(prior.costs.length, COST_FEATURES.length);
  assert.ok(prior.costs.every((c) => c > 0 && Number.isFinite(c)));
});

test('a device file of the first onnx-space version is refused with a message to adapt again', () => {
  const v1 = { format: 'help-onnx-device', version: 1, space: 'onnx', name: 'old', referencesVersion: 1, costs: new Array(11).fill(1e-8), bags: [], errorBand: 0.1, samples: [], spikes: [] };
  assert.throws(() => validateOnnxDevice(v1, 'old.onnx.json'), /old\.onnx\.json: version: adapted by an earlier version of the onnx space \(1;.*adapt the device again/);
});

/** A model of one convolution node (any rank) on `input`, then Relu. */
function oneConv(op: 'Conv' | 'ConvTranspose', inShape: number[], wShape: number[], attrs: Record<string, number[] | number>, outShape: number[]): Uint8Array {
  const b = new OnnxBuilder(13, 1);
  const w = b.floatInit('w', wShape);
  const y = b.node(op, ['input', w], attrs);
  return b.encode('input', inShape, b.relu(y), outShape);
}

test('1-D convolutions and ConvTranspose run on the generic path: their MACs and im2col/col2im elements, hand-computed', () => {
  // Conv1d 16 -> 32, kernel 5, stride 2, pad 2 over 100 samples: 50 outputs; im2col 50 x 5 x 16.
  const c1 = costsOf(oneConv('Conv', [1, 16, 100], [32, 16, 5], { kernel_shape: [5], strides: [2], pads: [2, 2] }, [1, 32, 50]));
  const k1 = c1.kernels.find((k) => k.ops[0] === 'Conv')!;
  assert.equal(k1.genericConv, true);
  assert.equal(k1.macs, 50 * 32 * 16 * 5);
  assert.equal(k1.im2colElements, 50 * 5 * 16);
  const f1 = kernelFeatures(k1);
  assert.equal(f1[at('genericConvMacs')], 50 * 32 * 16 * 5);
  assert.equal(f1[at('im2colElements')], 50 * 5 * 16);
  assert.equal(f1[at('convMacs')], 0);
  assert.equal(f1[at('paddedConvMacs')], 0);
  // A pointwise stride-1 1-D convolution is one matrix product: no im2col buffer.
  const k2 = costsOf(oneConv('Conv', [1, 16, 100], [24, 16, 1], { kernel_shape: [1] }, [1, 24, 100])).kernels.find((k) => k.ops[0] === 'Conv')!;
  assert.equal(k2.genericConv, true);
  assert.equal(k2.im2colElements, 0);
  // ConvTranspose 2x2 stride 2, 64 -> 32 channels on 8x8: col2im buffer 8 x 8 input positions x 4 taps x 32.
  const k3 = costsOf(oneConv('ConvTranspose', [1, 64, 8, 8], [64, 32, 2, 2], { kernel_shape: [2, 2], strides: [2, 2] }, [1, 32, 16, 16])).kernels.find((k) => k.ops[0] === 'ConvTranspose')!;
  assert.equal(k3.genericConv, true);
  assert.equal(k3.im2colElements, 8 * 8 * 4 * 32);
  assert.equal(kernelFeatures(k3)[at('genericConvMacs')], 64 * 32 * 4 * 64);
  // A 2-D convolution stays on the blocked path.
  const k4 = costsOf(oneConv('Conv', [1, 16, 8, 8], [32, 16, 3, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, [1, 32, 8, 8])).kernels.find((k) => k.ops[0] === 'Conv')!;
  assert.equal(k4.genericConv, false);
  assert.equal(k4.im2colElements, 0);
  assert.equal(kernelFeatures(k4)[at('genericConvMacs')], 0);
  assert.ok(kernelFeatures(k4)[at('convMacs')] > 0);
});

test('layout reorders: around a grouped convolution (generic path) between blocked ones, not between two blocked ones', () => {
  const b = new OnnxBuilder(13, 1);
  const a1 = b.relu(b.conv('input', 16, 32, 1, 1, 0, 1, { bn: false }));
  const g = b.relu(b.conv(a1, 32, 32, 3, 1, 1, 4, { bn: false }));
  const a2 = b.relu(b.conv(g, 32, 32, 1, 1, 0, 1, { bn: false }));
  const a3 = b.relu(b.conv(a2, 32, 32, 1, 1, 0, 1, { bn: false }));
  const mc = costsOf(b.encode('input', [1, 16, 8, 8], a3, [1, 32, 8, 8]));
  const convs = mc.kernels.filter((k) => k.ops[0] === 'Conv');
  assert.deepEqual(convs.map((k) => k.kernelClass), ['conv', 'groupedConv', 'conv', 'conv']);
  assert.deepEqual(convs.map((k) => k.reorders), [0, 1, 1, 0]);
});

test('the conv1d reference exercises the generic path; the NAS-space and generic-path training models are none of the references', () => {
  const mc = costsOf(ref('conv1d').write());
  assert.ok(mc.features[at('genericConvMacs')] > 0 && mc.features[at('im2colElements')] > 0 && mc.features[at('convMacs')] === 0);
  const names = new Set(ONNX_REFERENCES.map((r) => r.name));
  const extra = [...nasSpaceTrainingModels(3), ...genericConvTrainingModels(3)];
  assert.deepEqual(extra.map((m) => m.name), ['fbnet-0', 'fbnet-1', 'fbnet-2', 'ofa-0', 'ofa-1', 'ofa-2', 'nb201-0', 'nb201-1', 'conv1d-0', 'conv1d-1', 'unet-2']);
  assert.ok(extra.every((m) => !names.has(m.name)));
  const unet = costsOf(extra[extra.length - 1].write());
  assert.ok(unet.kernels.some((k) => k.ops[0] === 'ConvTranspose' && k.genericConv && k.im2colElements > 0));
});

test('a device\'s centre has two scales: throughput and per-call costs apart (a second thread halves a convolution, not a launch)', () => {
  const x = ONNX_REFERENCES.map((r) => costsOf(r.write()).features);
  const perCall = new Set(['kernels', 'runs', 'subgraphRuns', 'recurrentSteps', 'stridedReduceOutputs']);
  const device = (throughput: number, calls: number) => PRIOR_COSTS.map((c, j) => c * (perCall.has(COST_FEATURES[j]) ? calls : throughput));
  for (const [t, c] of [[0.5, 1], [2, 3], [1, 1]]) {
    const truth = device(t, c);
    const centre = deviceCentre(x, x.map((r) => dot(r, truth)), PRIOR_COSTS);
    centre.forEach((v, j) => assert.ok(Math.abs(v / truth[j] - 1) < 1e-6, `${COST_FEATURES[j]}: ${v} vs ${truth[j]}`));
  }
  // Per-call costs 10x the throughput scale: kept within 4x.
  const centre = deviceCentre(x, x.map((r) => dot(r, device(0.1, 1))), PRIOR_COSTS);
  const k = COST_FEATURES.indexOf('kernels');
  const m = COST_FEATURES.indexOf('convMacs');
  assert.ok(Math.abs(centre[k] / PRIOR_COSTS[k] / (centre[m] / PRIOR_COSTS[m]) - 4) < 1e-9);
});
