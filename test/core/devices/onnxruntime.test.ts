// The onnxruntime runner on models the project's writer makes (skipped without onnxruntime-node).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnnxBuilder, writeNasBench201, writeOfa } from '../../../src/core/onnx/writer';
import { InputShapeError, OnnxRuntimeRunner, planInputShapes } from '../../../src/core/devices/runners/onnxruntime';
import { MeasurementError } from '../../../src/core/devices/runners/runner';
import { measureArchitectures } from '../../../src/core/devices/measure';

let haveOrt = true;
try {
  require('onnxruntime-node');
} catch {
  haveOrt = false;
}
const skip = haveOrt ? false : 'onnxruntime-node not installed';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-ort-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const small = path.join(tmp, 'small.onnx');
const big = path.join(tmp, 'big.onnx');
fs.writeFileSync(small, writeNasBench201('|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|'));
fs.writeFileSync(big, writeNasBench201('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'));

test('a session times single runs of a written model', { skip }, async () => {
  const r = new OnnxRuntimeRunner({ threads: 1, graphOptimizationLevel: 'all' });
  assert.deepEqual(r.settings, { runner: 'onnxruntime', threads: 1, graphOptimizationLevel: 'all' });
  const s = await r.open(small);
  const xs = [await s.run(), await s.run(), await s.run()];
  await s.close();
  assert.ok(xs.every((x) => x > 0 && x < 1000), String(xs));
});

test('random input of the model input shape (OFA takes its resolution)', { skip }, async () => {
  const f = path.join(tmp, 'ofa.onnx');
  fs.writeFileSync(f, writeOfa({ ks: Array(20).fill(3), e: Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 128 }));
  const s = await new OnnxRuntimeRunner({ graphOptimizationLevel: 'basic', threads: 2 }).open(f);
  assert.ok((await s.run()) > 0);
  await s.close();
});

test('the protocol ranks a big network above a small one', { skip }, async () => {
  const r = await measureArchitectures(new OnnxRuntimeRunner(), [
    { arch: 'small', model: () => small },
    { arch: 'big', model: () => big },
  ], { protocol: { minPasses: 2, maxPasses: 3, batchRuns: 10, batchMs: 0, warmupRuns: 2, warmupMs: 0 } });
  assert.equal(r.samples.length, 2);
  assert.ok(r.samples[1].latency_ms > 2 * r.samples[0].latency_ms, JSON.stringify(r.samples));
});

test('an unreadable model is a failed measurement; bad settings are refused', { skip }, async () => {
  const bad = path.join(tmp, 'bad.onnx');
  fs.writeFileSync(bad, 'not a model');
  await assert.rejects(new OnnxRuntimeRunner().open(bad), (e: Error) => e instanceof MeasurementError && /onnxruntime cannot load the model/.test(e.message));
  assert.throws(() => new OnnxRuntimeRunner({ threads: 0 }), /threads/);
  assert.throws(() => new OnnxRuntimeRunner({ graphOptimizationLevel: 'max' as never }), /graph optimisation/);
});

/** An audio-like model: input "input" [batch, samples] (both open), a 1-D convolution of kernel 64, so that
 *  a made-up sample count of 1 cannot run. */
function audioModel(): string {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const b = new OnnxBuilder();
  const axes = b.int64Init('axes', [1]);
  const w = b.floatInit('w', [4, 1, 64]);
  const u = b.node('Unsqueeze', ['input', axes]);
  const y = b.node('Conv', [u, w], { kernel_shape: [64] });
  b.nodes[b.nodes.length - 1].output = ['output'];
  void y;
  const dims = (ds: (number | string)[]) => ({ dim: ds.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
  const vi = (name: string, ds: (number | string)[]) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: dims(ds) } } });
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'audio', node: b.nodes, initializer: b.initializers, input: [vi('input', ['batch', 'samples'])], output: [vi('output', ['batch', 4, 'frames'])] },
  }).finish();
  const f = path.join(tmp, 'audio.onnx');
  fs.writeFileSync(f, bytes);
  return f;
}

test('an input with an open dimension: refused at open, naming the input and what it needs (no made-up size)', { skip }, async () => {
  const f = audioModel();
  await assert.rejects(new OnnxRuntimeRunner().open(f), (e: Error) => {
    assert.ok(e instanceof InputShapeError && e.fatal, String(e));
    assert.match(e.message, /input "input" has the shape \[batch, samples\], whose dimension "samples" the model leaves open: give the input's shape, e\.g\. \{"input": \[1, N\]\}/);
    return true;
  });
  // The protocol stops at the first attempt.
  const t0 = Date.now();
  await assert.rejects(measureArchitectures(new OnnxRuntimeRunner(), [{ arch: 'audio', model: () => f }], { required: ['audio'] }), InputShapeError);
  assert.ok(Date.now() - t0 < 5000);
  // Given the shape, it runs; the batch alone is fed as 1, and said so.
  const r = new OnnxRuntimeRunner({ inputShapes: { input: [1, 512] } });
  const s = await r.open(f);
  assert.ok((await s.run()) > 0);
  await s.close();
  assert.deepEqual(planInputShapes([{ name: 'input', shape: ['batch', 3, 32, 32] }]), { shapes: { input: [1, 3, 32, 32] }, notes: ['input "input": open dimension "batch" (batch) fed as 1'] });
  assert.throws(() => planInputShapes([{ name: 'x', shape: ['batch', 3] }], { x: [1, 4] }), /does not fit the model's \[batch, 3\]/);
  assert.throws(() => planInputShapes([{ name: 'x', shape: [3] }], { x: [0] }), /positive integers/);
});
