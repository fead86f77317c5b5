// WorkerClient against the real dist/worker.js: replies, restart after the worker dies, timeouts,
// cancellation, no process before the first request.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { WorkerClient, WorkerError } from '../../src/extension/worker-client';

const workerPath = path.resolve(__dirname, '..', '..', 'dist', 'worker.js');
const lines: string[] = [];
const client = new WorkerClient(workerPath, { log: (l) => lines.push(l), initParams: () => ({}) });
after(() => client.dispose());

test('no worker process until the first request', async () => {
  assert.equal(client.running, false);
  assert.equal(await client.request('ping'), 'pong');
  assert.equal(client.running, true);
  assert.equal(client.starts, 1);
});

test('worker errors carry their code', async () => {
  await assert.rejects(client.request('nope'), (e: WorkerError) => e.code === 'unknown-method' && /no method "nope"/.test(e.message));
});

test('a dead worker is restarted by the next request', async () => {
  const pending = client.request('histogram', { space: 'nasbench201', device: 'gold_6226' }, { timeoutMs: 60_000 });
  client['child']!.kill('SIGKILL');
  await assert.rejects(pending, (e: WorkerError) => e.code === 'exited');
  assert.equal(await client.request('ping'), 'pong');
  assert.equal(client.starts, 2);
  assert.ok(lines.some((l) => /worker exited/.test(l)));
});

test('a request that takes too long times out and the worker is restarted', async () => {
  await assert.rejects(client.request('histogram', { space: 'nasbench201', device: 'pixel2' }, { timeoutMs: 30 }), (e: WorkerError) => e.code === 'timeout');
  assert.equal(await client.request('ping'), 'pong');
  assert.equal(client.starts, 3);
});

test('cancellation rejects at once', async () => {
  let fire = () => {};
  const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => ((fire = l), { dispose() {} }) };
  const p = client.request('predict', { space: 'nasbench201', specs: ['|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'] }, { token });
  fire();
  await assert.rejects(p, (e: WorkerError) => e.code === 'cancelled');
  assert.equal(await client.request('ping'), 'pong');
});
