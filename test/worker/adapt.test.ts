// The worker's long jobs (measure / adaptLocal) through the bundled dist/worker.js: adapting to a device
// command and the device then listed and predicted, predictions answered during a measurement, one job
// at a time, the trust check, timing one model, and a cancellation mid-measurement that leaves the
// previous device file and its samples intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workerForTests } from '../cli/helpers';

const root = path.resolve(__dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'devices');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-worker-measure-'));
const adaptedDir = path.join(tmp, 'devices');
// The shell-script fake: no Node start-up per run (the command runner itself never uses a shell).
const fake = `/bin/sh ${JSON.stringify(path.join(fixtures, 'fake-device.sh'))} {model}`;
const board = { name: 'fake board', runner: 'command', space: 'nasbench201', command: fake };
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

const { worker, send } = workerForTests(adaptedDir, tmp);

test('a command device is measured only when the workspace is trusted', async () => {
  const r = await send('measure', { device: board, outDir: adaptedDir, extra: 0 }).reply;
  assert.equal(r.code, 'unsupported');
  assert.match(r.error!, /runs a command, which HELP does only in a trusted workspace/);
  const bad = await send('measure', { device: { ...board, command: `${fake}; touch x` }, outDir: adaptedDir, trusted: true }).reply;
  assert.equal(bad.code, 'bad-request');
  assert.match(bad.error!, /without a shell/);
});

test('measure: adapts to a device command with progress; the device is then listed and predicts', async () => {
  const job = send('measure', { device: board, outDir: adaptedDir, extra: 1, spec: CELL, trusted: true });
  // Predictions are answered while the measurement runs, and a second measurement is refused.
  const busy = await send('adaptLocal', { space: 'nasbench201', outDir: adaptedDir }).reply;
  assert.match(busy.error!, /a measurement is already running/);
  const p = await send('predict', { space: 'nasbench201', specs: [CELL], devices: ['gold_6226'] }).reply;
  assert.ok(p.result.ms.gold_6226[0] > 0);
  assert.ok(worker.pending(job.id), 'the measurement is still running');
  const r = await job.reply;
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.result.name, 'fake board');
  assert.equal(r.result.samples, 12, 'references + the edited architecture + 1 extra');
  assert.equal(path.basename(r.result.file), 'fake-board-1ab543cc5a69.nasbench201.json');
  assert.ok(fs.existsSync(r.result.samplesFile));
  const msgs = job.progress.map((x) => x!.message ?? '');
  assert.ok(msgs.some((m) => /^1 of 36 · pass 1 · \|/.test(m)), msgs.slice(0, 3).join(' / '));
  assert.ok(msgs.some((m) => /adapting to 12 measurements/.test(m)));
  const total = job.progress.reduce((a, x) => a + (x!.increment ?? 0), 0);
  assert.ok(Math.abs(total - 100) < 1e-6, `increments add up to 100, got ${total}`);
  const d = await send('devices', { space: 'nasbench201' }).reply;
  const dev = d.result[0].devices.find((x: { name: string }) => x.name === 'fake board');
  assert.equal(dev.origin, 'adapted');
  assert.equal(dev.samples, 12);
  assert.ok(!d.result[0].devices.some((x: { name: string }) => /samples/.test(x.name)));
  const pr = await send('predict', { space: 'nasbench201', specs: [CELL], devices: ['fake board'] }).reply;
  assert.ok(pr.result.ms['fake board'][0] > 0, JSON.stringify(pr.result));
});

test('a cancellation mid-measurement leaves the previous device file and samples intact', async () => {
  const file = path.join(adaptedDir, 'fake-board-1ab543cc5a69.nasbench201.json');
  const samples = path.join(adaptedDir, 'fake-board-1ab543cc5a69.nasbench201.samples.json');
  const before = fs.readFileSync(file);
  const beforeSamples = fs.readFileSync(samples);
  let cancelSent = false;
  const job = send('measure', { device: { ...board, command: `${fake} 0.06` }, outDir: adaptedDir, extra: 0, trusted: true }, (p) => {
    if (!cancelSent && /3 of 30/.test(p.message ?? '')) {
      cancelSent = true;
      worker.child.send({ id: worker.newId(), method: 'cancel', params: { id: job.id } });
    }
  });
  const t0 = Date.now();
  const r = await job.reply;
  assert.equal(r.code, 'cancelled', JSON.stringify(r));
  assert.ok(Date.now() - t0 < 15_000);
  assert.deepEqual(fs.readFileSync(file), before);
  assert.deepEqual(fs.readFileSync(samples), beforeSamples);
  assert.deepEqual(fs.readdirSync(adaptedDir).sort(), ['fake-board-1ab543cc5a69.nasbench201.json', 'fake-board-1ab543cc5a69.nasbench201.samples.json']);
  // The worker goes on serving.
  assert.equal((await send('ping').reply).result, 'pong');
});

test('measure with a model file times it on this machine (nothing saved)', async () => {
  const model = path.join(tmp, 'cell.onnx');
  const { writeNasBench201 } = await import('../../src/core/onnx/writer');
  fs.writeFileSync(model, writeNasBench201(CELL));
  const r = await send('measure', { device: { name: 'this machine', runner: 'onnxruntime' }, model, outDir: adaptedDir }).reply;
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.result.device, 'this machine');
  assert.ok(r.result.latency_ms > 0 && r.result.latency_ms < 1000);
  assert.ok(r.result.visits >= 15 && r.result.runs >= 150, JSON.stringify(r.result));
  assert.ok(r.result.median_ms >= r.result.latency_ms);
  assert.equal(fs.readdirSync(adaptedDir).length, 2);
  const missing = await send('measure', { device: { name: 'this machine', runner: 'onnxruntime' }, model: path.join(tmp, 'none.onnx'), outDir: adaptedDir }).reply;
  assert.equal(missing.code, 'bad-request');
  const hat = await send('adaptLocal', { space: 'hat', outDir: adaptedDir }).reply;
  assert.equal(hat.code, 'unsupported');
});

test('an unreachable command device fails within its first-run timeout, each failure logged', async () => {
  const hang = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(fixtures, 'hang.js'))} {model}`;
  const t0 = Date.now();
  const job = send('measure', { device: { name: 'silent board', runner: 'command', space: 'nasbench201', command: hang, firstRunTimeoutS: 0.5 }, outDir: adaptedDir, extra: 0, trusted: true });
  const r = await job.reply;
  assert.equal(r.code, 'failed');
  assert.match(r.error!, /did not answer its first run within 0\.5 s/);
  assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
  assert.ok(job.progress.some((p) => typeof p.log === 'string' && /failed: .*did not answer/.test(p.log)), JSON.stringify(job.progress));
  const bad = await send('measure', { device: { name: 'b', runner: 'command', command: hang, firstRunTimeoutS: -1 }, outDir: adaptedDir, trusted: true }).reply;
  assert.equal(bad.code, 'bad-request');
});

test('a model with an open input dimension: what it needs, said at once; with help.inputShapes it is measured', async () => {
  const { onnx } = require('onnx-proto') as typeof import('onnx-proto');
  const { OnnxBuilder } = await import('../../src/core/onnx/writer');
  const b = new OnnxBuilder();
  const u = b.node('Unsqueeze', ['input', b.int64Init('axes', [1])]);
  b.node('Conv', [u, b.floatInit('w', [4, 1, 64])], { kernel_shape: [64] });
  b.nodes[b.nodes.length - 1].output = ['output'];
  const vi = (name: string, ds: (number | string)[]) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: ds.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
  const model = path.join(tmp, 'audio.onnx');
  fs.writeFileSync(model, onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'a', node: b.nodes, initializer: b.initializers, input: [vi('input', ['batch', 'samples'])], output: [vi('output', ['batch', 4, 'f'])] } }).finish());
  const device = { name: 'this machine', runner: 'onnxruntime' };
  const t0 = Date.now();
  const r = await send('measure', { device, model, outDir: adaptedDir }).reply;
  assert.equal(r.code, 'unsupported');
  assert.match(r.error!, /input "input" has the shape \[batch, samples\], whose dimension "samples" the model leaves open/);
  assert.match(r.error!, /help\.inputShapes/);
  assert.ok(Date.now() - t0 < 5000);
  const ok = await send('measure', { device, model, outDir: adaptedDir, inputShapes: { input: [1, 256] } }).reply;
  assert.equal(ok.error, undefined, ok.error);
  assert.ok(ok.result.latency_ms > 0);
  const batch = await send('measure', { device, model, outDir: adaptedDir, inputShapes: { input: [1, 'x'] } }).reply;
  assert.equal(batch.code, 'bad-request');
});
