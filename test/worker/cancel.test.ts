// The worker under long requests: `ping` is answered at once (never queued behind a request), and a running
// request is cancelled at its next step, not after its last one; the worker then goes on serving.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkerProcess, WorkerReply } from '../cli/helpers';

const root = path.resolve(__dirname, '..', '..');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'nasbench201', 'architectures.json'), 'utf8'));
const CELL = archs[17];
const worker = new WorkerProcess();
after(() => worker.kill());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('ping is answered while a long prediction runs', async () => {
  assert.ok((await worker.send('predict', { space: 'nasbench201', specs: [CELL], devices: ['pixel2'] })).result, 'the predictor is loaded');
  const order: string[] = [];
  // The whole space: seconds of work, in steps.
  const long = worker.send('predict', { space: 'nasbench201', specs: archs, devices: ['pixel2'] }).then((r) => (order.push('predict'), r));
  await sleep(300);
  const t0 = Date.now();
  const pong = await worker.send('ping');
  order.push('ping');
  assert.equal(pong.result, 'pong');
  const waited = Date.now() - t0;
  const r = await long;
  assert.deepEqual(order, ['ping', 'predict'], `the ping waited ${waited} ms`);
  // Predicted in steps: the same numbers as one by one.
  assert.equal(r.result.ms.pixel2.length, archs.length);
  for (const k of [0, 1023, 1024, 15624]) {
    const one = await worker.send('predict', { space: 'nasbench201', specs: [archs[k]], devices: ['pixel2', 'no such device'] });
    assert.ok(Math.abs(one.result.ms.pixel2[0] - r.result.ms.pixel2[k]) <= 1e-6 * one.result.ms.pixel2[0], `architecture ${k}`);
    assert.ok(one.result.errors['no such device'] && one.result.ms['no such device'] === undefined);
  }
  assert.deepEqual((await worker.send('predict', { space: 'nasbench201', specs: [], devices: ['pixel2'] })).result.ms, { pixel2: [] });
});

test('a running prediction is cancelled at its next step, and the worker goes on', async () => {
  // Four times the space: tens of seconds if it ran to the end.
  const specs = [...archs, ...archs, ...archs, ...archs];
  const id = worker.newId();
  const long = worker.send('predict', { space: 'nasbench201', specs, devices: ['pixel2', 'gold_6226'] }, id);
  await sleep(500);
  const t0 = Date.now();
  worker.child.send({ id: worker.newId(), method: 'cancel', params: { id } });
  const r: WorkerReply = await long;
  const took = Date.now() - t0;
  assert.equal(r.code, 'cancelled', JSON.stringify(r).slice(0, 200));
  assert.ok(took < 8_000, `cancelled after ${took} ms`);
  const p = await worker.send('predict', { space: 'nasbench201', specs: [CELL], devices: ['pixel2'] });
  assert.ok(p.result.ms.pixel2[0] > 0);
});
