import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readOnnxBytes, readOnnxFile } from '../../../src/core/onnx/reader';
import { summariseOnnx } from '../../../src/core/onnx/summary';
import { writeNasBench201 } from '../../../src/core/onnx/writer';
import { inspectCommand } from '../../../src/cli/inspect';
import { writeBigGemmModel } from './helpers';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'onnx');

test('summary of the tiny model: histogram, parameters, MACs by hand', () => {
  const s = summariseOnnx(readOnnxFile(path.join(fixtures, 'written', 'tiny.onnx')));
  assert.deepEqual(s.operators, { BatchNormalization: 1, Conv: 1, Flatten: 1, Gemm: 1, GlobalAveragePool: 1, Relu: 1 });
  assert.equal(s.parameters, 8 * 3 * 9 + 4 * 8 + 8 * 10 + 10);
  assert.equal(s.macsByOp.Conv, 16 * 16 * 8 * 27);
  assert.equal(s.macsByOp.Gemm, 80);
  assert.ok(s.macsComplete);
  assert.deepEqual(s.inputs, [{ name: 'input', type: 'float', shape: [1, 3, 16, 16] }]);
});

test('summary of the outside model (a small ResNet from PyTorch)', () => {
  const s = summariseOnnx(readOnnxFile(path.join(fixtures, 'torch', 'resnet-small.onnx')));
  assert.equal(s.operators.Conv, 9);
  assert.ok(s.macsComplete);
  // 3x3 convs: stem 16x32x32x27, block1 2x 16x32x32x144, block2 (16->32 /2) 32x16x16x144 + 32x16x16x288
  // + 1x1 shortcut 32x16x16x16, block3 64x8x8x288 + 64x8x8x576 + 64x8x8x32.
  const conv = 16 * 1024 * 27 + 2 * 16 * 1024 * 144 + 32 * 256 * 144 + 32 * 256 * 288 + 32 * 256 * 16 + 64 * 64 * 288 + 64 * 64 * 576 + 64 * 64 * 32;
  assert.equal(s.macsByOp.Conv, conv);
  assert.equal(s.macsByOp.Gemm, 640);
});

test('MACs are inferred through Shape/Gather/Concat/Reshape (dynamic batch export)', () => {
  const s = summariseOnnx(readOnnxFile(path.join(fixtures, 'torch', 'nb201-c.onnx')));
  assert.ok(s.macsComplete, JSON.stringify(s.macsByOp));
  assert.equal(s.macsByOp.Gemm, 6400);
});

test('unknown shapes say unknown, naming the node', () => {
  const m = readOnnxBytes(writeNasBench201('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'));
  m.inputs[0].shape = null;
  const s = summariseOnnx(m);
  assert.equal(s.macsByOp.Conv, 'unknown');
  assert.equal(s.macsComplete, false);
  assert.equal(s.byClass.conv?.macs, 'unknown');
  assert.match(s.unknowns.join('\n'), /node "Conv_0" \(Conv\): MACs unknown \(input "?input"? has an unknown shape\)/);
  assert.match(s.assumedDims.join('\n'), /input "input": no shape declared/);
});

test('symbolic input dims: assumed 1 and said so, or taken from inputShapes', () => {
  const m = readOnnxBytes(writeNasBench201('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'));
  m.inputs[0].shape = ['n', 3, 'h', 'w'];
  const assumed = summariseOnnx(m);
  assert.deepEqual(assumed.assumedDims, ['input "input" dim 0 ("n") assumed 1', 'input "input" dim 2 ("h") assumed 1', 'input "input" dim 3 ("w") assumed 1']);
  const given = summariseOnnx(m, { inputShapes: { input: [1, 3, 32, 32] } });
  assert.deepEqual(given.assumedDims, []);
  assert.ok(given.macsComplete);
  const full = summariseOnnx(readOnnxBytes(writeNasBench201('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|')));
  assert.equal(given.macs, full.macs);
  assert.deepEqual(given.inputs[0].shape, [1, 3, 32, 32]);
});

test('inspect: recognised model, outside model, JSON', async () => {
  const nb = path.join(fixtures, 'torch', 'nb201-a.onnx');
  const text = await inspectCommand(nb, false);
  assert.match(text, /^space: nasbench201/);
  assert.ok(text.includes('spec: |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'));
  const out = path.join(fixtures, 'torch', 'resnet-small.onnx');
  const t2 = await inspectCommand(out, false);
  assert.match(t2, /lies outside the known spaces/);
  assert.match(t2, /MACs: /);
  const j = JSON.parse(await inspectCommand(out, true));
  assert.equal(j.space, null);
  assert.equal(j.spec, null);
  assert.equal(j.summary.operators.Conv, 9);
  const j2 = JSON.parse(await inspectCommand(path.join(fixtures, 'torch', 'ofa-a.onnx'), true));
  assert.equal(j2.space, 'ofa');
  assert.equal(JSON.parse(j2.spec).r, 160);
  await assert.rejects(inspectCommand(path.join(fixtures, 'hostile', 'cycle.onnx'), false), /cycle/);
});

test('inspect of a 100 MB model is fast', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-'));
  try {
    const f = path.join(dir, 'big.onnx');
    writeBigGemmModel(f, 5120, 5120);
    const t = Date.now();
    const j = JSON.parse(await inspectCommand(f, true));
    assert.ok(Date.now() - t < 1000);
    assert.equal(j.summary.parameters, 5120 * 5120);
    assert.equal(j.summary.macs, 5120 * 5120);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
