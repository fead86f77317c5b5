// Kernels after onnxruntime's fusions, on the reference models written by the repo's writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readOnnxBytes } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shapeInference';
import { kernelsOf, kernelTotals } from '../../../src/core/onnx/kernels';
import { ONNX_REFERENCES } from '../../../src/core/onnx/referenceModels';
import { COST_FEATURES, modelCosts, predictCosts } from '../../../src/core/onnx/latency';
import { OnnxBuilder } from '../../../src/core/onnx/writer';
import { ifMatMulModel } from './helpers';

const kernelsFor = (name: string) => kernelsOf(inferShapes(readOnnxBytes(ONNX_REFERENCES.find((r) => r.name === name)!.write())));

test('Conv + BN + ReLU and Conv + BN + Add + ReLU are one kernel each', () => {
  const ks = kernelsFor('conv-s').filter((k) => !k.free);
  const convs = ks.filter((k) => k.kernelClass === 'conv');
  assert.equal(convs.length, 7);
  assert.ok(convs.every((k) => k.ops[0] === 'Conv' && k.ops[1] === 'BatchNormalization'));
  assert.equal(convs.filter((k) => k.ops.join('+') === 'Conv+BatchNormalization+Add+Relu').length, 2);
  // No element-wise kernel is left: every BN, ReLU and residual Add fused.
  assert.equal(ks.filter((k) => k.kernelClass === 'elementwise' || k.kernelClass === 'normalisation').length, 0);
  // The first conv: 3 -> 32 channels, 3x3, stride 2 at 64x64: 32x32x32 outputs x 27.
  assert.equal(convs[0].macs, 32 * 32 * 32 * 27);
});

test('transformer: LayerNorm and Gelu patterns fuse, MatMul + bias Add fuses, Reshape is free', () => {
  const ks = kernelsFor('transformer-s');
  const live = ks.filter((k) => !k.free);
  const ln = live.filter((k) => k.ops.includes('ReduceMean'));
  assert.equal(ln.length, 5);
  assert.ok(ln.every((k) => k.kernelClass === 'normalisation' && k.ops.length >= 9));
  const gelu = live.filter((k) => k.ops.includes('Erf'));
  assert.deepEqual(gelu.map((k) => k.ops.join('+')), ['Div+Erf+Add+Mul+Mul', 'Div+Erf+Add+Mul+Mul']);
  assert.equal(live.filter((k) => k.ops.join('+') === 'MatMul+Add').length, 12);
  assert.ok(ks.filter((k) => k.ops[0] === 'Reshape').every((k) => k.free && k.bytesRead === 0));
  // Attention: q @ k^T and att @ v per block, both activations.
  assert.equal(kernelTotals(ks).attention.kernels, 4);
  // q @ k^T: [1,4,64,32] x [1,4,32,64] = 4*64*64*32 MACs.
  assert.equal(live.find((k) => k.kernelClass === 'attention')!.macs, 4 * 64 * 64 * 32);
});

test('MLP: Gemm + ReLU per layer; LSTM: one recurrent kernel with its steps', () => {
  const mlp = kernelsFor('mlp').filter((k) => !k.free);
  assert.deepEqual(mlp.map((k) => k.ops.join('+')), ['Gemm+Relu', 'Gemm+Relu', 'Gemm+Relu', 'Gemm+Relu']);
  assert.equal(kernelTotals(mlp).matmul.macs, 4 * 1024 * 1024);
  const lstm = kernelsFor('lstm').filter((k) => k.kernelClass === 'recurrent');
  assert.equal(lstm.length, 1);
  assert.equal(lstm[0].steps, 100);
  assert.equal(lstm[0].macs, 100 * 4 * 128 * (64 + 128));
});

test('element-wise chains that onnxruntime does not fuse stay one kernel per node; x * Sigmoid(x) is one (QuickGelu)', () => {
  const ks = kernelsFor('elementwise').filter((k) => !k.free);
  // Per round: Swish (Sigmoid+Mul), Add (bias), Add (residual), Clip: 4 element-wise kernels.
  assert.equal(ks.filter((k) => k.kernelClass === 'elementwise').length, 12);
  assert.equal(ks.filter((k) => k.ops.join('+') === 'Sigmoid+Mul').length, 3);
  assert.ok(ks.every((k) => k.ops.length === 1 || k.ops.join('+') === 'Sigmoid+Mul'));
});

test('HardSwish written as x * HardSigmoid(x) fuses into its conv; the squeeze-excite gate stays a Mul', () => {
  const ks = kernelsFor('dwsep-s').filter((k) => !k.free);
  assert.equal(ks.filter((k) => k.ops.join('+') === 'Conv+BatchNormalization+HardSigmoid+Mul').length, 8);
  // The only element-wise kernels left: one SE Mul per block (4 blocks).
  assert.deepEqual(ks.filter((k) => k.kernelClass === 'elementwise').map((k) => k.ops.join('+')), ['Mul', 'Mul', 'Mul', 'Mul']);
  // Layout reorders around the blocked convolutions: before each SE pooling and each SE Mul at least.
  assert.ok(ks.reduce((s, k) => s + k.reorders, 0) >= 8);
});

test('the HardSwish operator (opset 14) fuses into its conv as x * HardSigmoid(x) does, priced the same (onnxruntime runs no HardSwish node of MobileNetV3)', () => {
  const model = (opset: number) => {
    const b = new OnnxBuilder(opset, 1);
    const y = b.hswish(b.conv('input', 16, 32, 3, 1, 1));
    return readOnnxBytes(b.encode('input', [1, 16, 8, 8], b.relu(b.conv(y, 32, 32, 1, 1, 0)), [1, 32, 8, 8]));
  };
  const ops = (opset: number) => kernelsOf(inferShapes(model(opset))).filter((k) => !k.free).map((k) => k.ops.join('+'));
  assert.deepEqual(ops(13), ['Conv+BatchNormalization+HardSigmoid+Mul', 'Conv+BatchNormalization+Relu']);
  assert.deepEqual(ops(14), ['Conv+BatchNormalization+HardSwish', 'Conv+BatchNormalization+Relu']);
  const priced = (opset: number) => modelCosts(model(opset)).features;
  assert.deepEqual(priced(14), priced(13));
});

test('If branches: half a share each when the condition is data-dependent, all of the taken branch when constant', () => {
  // then: x[1, 64] -> 32; else: -> 96 -> 32.
  const model = (cond: 'input' | 'const') => readOnnxBytes(ifMatMulModel(cond, 1, 64, [32], [96, 32]));
  const dynamic = kernelsOf(inferShapes(model('input'))).filter((k) => k.kernelClass === 'matmul');
  assert.deepEqual(dynamic.map((k) => [k.name, k.times, k.branch?.index]), [['mm_then', 0.5, 0], ['mm_else', 0.5, 1], ['mm2_else', 0.5, 1]]);
  const constant = kernelsOf(inferShapes(model('const'))).filter((k) => k.kernelClass === 'matmul');
  assert.deepEqual(constant.map((k) => [k.name, k.times, k.branch]), [['mm_else', 1, undefined], ['mm2_else', 1, undefined]]);
  // The prediction is the mean of the branches; the range is each branch taken every time. With only
  // matmulMacs priced (1 ms per multiply-add): then 64x32, else 64x96 + 96x32.
  const costs = COST_FEATURES.map((f) => (f === 'matmulMacs' ? 1 : 0));
  const p = predictCosts({ costs, errorBand: 0.1 }, modelCosts(model('input')));
  const [a, b] = [64 * 32, 64 * 96 + 96 * 32];
  assert.equal(p.ms, (a + b) / 2);
  assert.deepEqual(p.branchRange, { low: a, high: b, ifs: 1 });
  assert.equal(predictCosts({ costs, errorBand: 0.1 }, modelCosts(model('const'))).branchRange, undefined);
});
