// The onnxruntime runner on models the project's writer makes (skipped without onnxruntime-node).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNasBench201, writeOfa } from '../../../src/core/onnx/writer';
import { OnnxRuntimeRunner } from '../../../src/core/devices/runners/onnxruntime';
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
