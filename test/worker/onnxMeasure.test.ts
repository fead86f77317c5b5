// "HELP: Measure on device..." for the onnx space in the worker (dist/worker.js): a help.devices entry with
// "space": "onnx" (or the onnx space chosen for a device without one) measures the onnx reference models with
// the device's runner and saves `<slug>-<hash>.onnx.json` atomically; trusted workspaces only for a command;
// a failed or cancelled run leaves the previous file as it was; the device list shows it. A model measured
// on a command device is handed a copy with its open input dims fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root, workerForTests } from '../cli/helpers';
import { ONNX_REFERENCES } from '../../src/core/onnx/referenceModels';
import { readOnnxFile } from '../../src/core/onnx/reader';
import { dynamicModel } from '../core/onnx/dynamicModel';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-worker-onnx-measure-'));
const adaptedDir = path.join(tmp, 'devices');
const fixtures = path.join(root, 'test', 'fixtures', 'devices');
const node = JSON.stringify(process.execPath);
const fast = `/bin/sh ${JSON.stringify(path.join(fixtures, 'fake-device.sh'))} {model}`;
const garbage = `${node} ${JSON.stringify(path.join(fixtures, 'garbage.js'))} {model}`;

const { worker, send } = workerForTests(adaptedDir, tmp);

const board = { name: 'board', runner: 'command', command: fast, space: 'onnx' };

test('measure on a command device of the onnx space (trusted workspaces only): the reference models measured, <slug>-<hash>.onnx.json saved', async () => {
  const untrusted = await send('measure', { device: board, outDir: adaptedDir }).reply;
  assert.equal(untrusted.code, 'unsupported', JSON.stringify(untrusted));
  assert.match(untrusted.error!, /only in a trusted workspace/);
  const job = send('measure', { device: board, outDir: adaptedDir, trusted: true });
  const r = await job.reply;
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.result.space, 'onnx');
  assert.equal(r.result.name, 'board');
  assert.equal(r.result.samples, ONNX_REFERENCES.length);
  assert.match(path.basename(r.result.file), /^board-[0-9a-f]{12}\.onnx\.json$/);
  assert.ok(r.result.errorBand >= 0);
  const saved = JSON.parse(fs.readFileSync(r.result.file, 'utf8'));
  assert.equal(saved.format, 'help-onnx-device');
  assert.equal(saved.name, 'board');
  const total = job.progress.reduce((a, x) => a + (x.increment ?? 0), 0);
  assert.ok(Math.abs(total - 100) < 1e-6, `increments add up to 100, got ${total}`);
  // A device without a space, with the onnx space chosen for it.
  const other = await send('measure', { device: { name: 'another board', runner: 'command', command: fast }, space: 'onnx', outDir: adaptedDir, trusted: true }).reply;
  assert.equal(other.error, undefined, other.error);
  assert.match(path.basename(other.result.file), /^another-board-[0-9a-f]{12}\.onnx\.json$/);
  // onnxLatency predicts on both; the device list shows both, adapted, with their error band, by file name.
  const model = path.join(tmp, 'mlp.onnx');
  fs.writeFileSync(model, ONNX_REFERENCES.find((x) => x.name === 'mlp')!.write());
  const p = await send('onnxLatency', { path: model }).reply;
  assert.deepEqual(p.result.devices.map((d: { name: string }) => d.name), ['another board', 'board']);
  const d = await send('devices', {}).reply;
  const onnx = d.result.find((s: { space: string }) => s.space === 'onnx');
  assert.deepEqual(
    onnx.devices.map((x: { name: string; origin: string; samples: number; errorBand: number }) => [x.name, x.origin, x.samples, x.errorBand]),
    [
      ['another board', 'adapted', ONNX_REFERENCES.length, other.result.errorBand],
      ['board', 'adapted', ONNX_REFERENCES.length, saved.errorBand],
    ],
  );
  const only = await send('devices', { space: 'onnx' }).reply;
  assert.deepEqual(only.result, [onnx]);
});

test('a failed or cancelled re-measurement leaves the previous device file as it was', async () => {
  const file = fs.readdirSync(adaptedDir).find((f) => f.startsWith('board-'))!;
  const beforeBytes = fs.readFileSync(path.join(adaptedDir, file));
  const failed = await send('measure', { device: { ...board, command: garbage }, outDir: adaptedDir, trusted: true }).reply;
  assert.equal(failed.code, 'failed', JSON.stringify(failed));
  assert.match(failed.error!, /did not print a latency/);
  let cancelSent = false;
  const job = send('measure', { device: board, outDir: adaptedDir, trusted: true }, (p) => {
    if (!cancelSent && /^2 of /.test(p.message ?? '')) {
      cancelSent = true;
      worker.child.send({ id: worker.newId(), method: 'cancel', params: { id: job.id } });
    }
  });
  const cancelled = await job.reply;
  assert.equal(cancelled.code, 'cancelled', JSON.stringify(cancelled));
  assert.deepEqual(fs.readFileSync(path.join(adaptedDir, file)), beforeBytes);
  assert.deepEqual(fs.readdirSync(adaptedDir).filter((f) => f.startsWith('.')), [], 'no temporary files');
});

test('a model with open input dims measured on a command device: a copy with them fixed (help.inputShapes), removed after', async () => {
  const model = path.join(tmp, 'dynamic.onnx');
  fs.writeFileSync(model, dynamicModel());
  const seen = path.join(tmp, 'seen');
  fs.mkdirSync(seen);
  const keep = { name: 'keeper', runner: 'command', command: `${node} ${JSON.stringify(path.join(fixtures, 'keep-copy.js'))} {model} ${JSON.stringify(seen)} 2.5` };
  const r = await send('measure', { device: keep, model, inputShapes: { x: [4, 7] }, outDir: adaptedDir, trusted: true }).reply;
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.result.latency_ms, 2.5);
  assert.deepEqual(readOnnxFile(path.join(seen, '0.onnx')).inputs.map((i) => i.shape), [[4, 7], [2, 3]]);
  assert.equal(fs.existsSync(fs.readFileSync(path.join(seen, '0.path'), 'utf8')), false, 'the copy is removed after');
  // Without shapes: 1, and the result's warnings say so.
  const one = await send('measure', { device: keep, model, outDir: adaptedDir, trusted: true }).reply;
  assert.equal(one.error, undefined, one.error);
  assert.ok(one.result.warnings.some((w: string) => /open dims 0 \(batch\), 1 \(n\) fed as 1/.test(w)), one.result.warnings.join('; '));
  // Weights in a side file: said plainly.
  const ext = path.join(tmp, 'ext');
  fs.mkdirSync(ext);
  fs.writeFileSync(path.join(ext, 'external.onnx'), dynamicModel({ external: true }));
  fs.writeFileSync(path.join(ext, 'w.bin'), Buffer.alloc(4));
  const bad = await send('measure', { device: keep, model: path.join(ext, 'external.onnx'), outDir: adaptedDir, trusted: true }).reply;
  assert.equal(bad.code, 'unsupported', JSON.stringify(bad));
  assert.match(bad.error!, /its weights are in a side file/);
});
