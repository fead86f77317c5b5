// The onnx space in the worker (dist/worker.js): "HELP: Adapt to this machine" for any ONNX model (progress,
// a cancellation that leaves nothing behind, the `<slug>-<hash>.onnx.json` file beside the NAS devices) and
// `onnxLatency`: any model's latency on every adapted onnx device, with its breakdown; nothing before one is
// adapted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workerForTests } from '../cli/helpers';
import { ONNX_REFERENCES } from '../../src/core/onnx/referenceModels';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-worker-onnx-'));
const adaptedDir = path.join(tmp, 'devices');
const model = path.join(tmp, 'not-a-nas-model.onnx');
fs.writeFileSync(model, ONNX_REFERENCES[0].write());

const { worker, send } = workerForTests(adaptedDir, tmp);

test('onnxLatency before any onnx device is adapted: no devices, not an error', async () => {
  const r = await send('onnxLatency', { path: model }).reply;
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r.result, { devices: [], notes: [] });
  const bad = await send('onnxLatency', { path: '' }).reply;
  assert.equal(bad.code, 'bad-request');
});

test('adaptLocal for the onnx space: cancelled mid-measurement, nothing is left behind', async () => {
  let cancelSent = false;
  const job = send('adaptLocal', { space: 'onnx', outDir: adaptedDir }, (p) => {
    if (!cancelSent && /^2 of /.test(p.message ?? '')) {
      cancelSent = true;
      worker.child.send({ id: worker.newId(), method: 'cancel', params: { id: job.id } });
    }
  });
  const r = await job.reply;
  assert.equal(r.code, 'cancelled', JSON.stringify(r));
  assert.deepEqual(fs.readdirSync(adaptedDir), []);
  assert.equal((await send('ping').reply).result, 'pong');
});

test('adaptLocal for the onnx space measures the references and saves <slug>-<hash>.onnx.json; onnxLatency then predicts any model', async () => {
  const job = send('adaptLocal', { space: 'onnx', name: 'my laptop', outDir: adaptedDir });
  const r = await job.reply;
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.result.space, 'onnx');
  assert.equal(r.result.samples, ONNX_REFERENCES.length);
  assert.match(path.basename(r.result.file), /^my-laptop-[0-9a-f]{12}\.onnx\.json$/);
  assert.ok(r.result.errorBand >= 0 && r.result.errorBand < 1);
  const saved = JSON.parse(fs.readFileSync(r.result.file, 'utf8'));
  assert.equal(saved.space, 'onnx');
  assert.equal(saved.name, 'my laptop');
  assert.deepEqual(fs.readdirSync(adaptedDir), [path.basename(r.result.file)]);
  const msgs = job.progress.map((x) => x.message ?? '');
  assert.ok(msgs.some((m) => /^1 of \d+ · pass 1 · /.test(m)), msgs.slice(0, 3).join(' / '));
  const total = job.progress.reduce((a, x) => a + (x.increment ?? 0), 0);
  assert.ok(Math.abs(total - 100) < 1e-6, `increments add up to 100, got ${total}`);
  // The NAS spaces' device lists do not take it for one of theirs.
  const d = await send('devices', { space: 'nasbench201' }).reply;
  assert.ok(!d.result[0].devices.some((x: { name: string }) => x.name === 'my laptop'));

  const p = await send('onnxLatency', { path: model }).reply;
  assert.equal(p.error, undefined, p.error);
  assert.equal(p.result.devices.length, 1);
  const dev = p.result.devices[0];
  assert.equal(dev.name, 'my laptop');
  assert.ok(dev.ms > 0 && Number.isFinite(dev.ms));
  assert.equal(dev.errorBand, saved.errorBand);
  const classSum = Object.values(dev.byClass as Record<string, number>).reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(classSum - dev.ms) < 1e-9 * Math.max(1, dev.ms), `classes add up to the total: ${classSum} vs ${dev.ms}`);
  assert.ok(dev.top.length > 0 && dev.top.length <= 10);
  for (let i = 1; i < dev.top.length; i++) assert.ok(dev.top[i - 1].ms >= dev.top[i].ms, 'most expensive first');
  assert.ok(dev.top.every((k: { name: string; kernelClass: string }) => typeof k.name === 'string' && typeof k.kernelClass === 'string'));
  // Adapting again under another name adds a second device; a changed file is read again.
  const second = await send('adaptLocal', { space: 'onnx', name: 'other', outDir: adaptedDir }).reply;
  assert.equal(second.error, undefined, second.error);
  const both = await send('onnxLatency', { path: model }).reply;
  assert.deepEqual(both.result.devices.map((x: { name: string }) => x.name).sort(), ['my laptop', 'other']);
});
