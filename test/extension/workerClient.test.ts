// WorkerClient against the real dist/worker.js: replies, restart after the worker dies, timeouts that cancel
// the request but keep the worker (and a running measurement), restart of a worker that stops answering,
// cancellation, no process before the first request, worker text neutralised before it is shown.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelToken, WorkerClient, WorkerError } from '../../src/extension/worker-client';
import type { WorkerProgress } from '../../src/worker/protocol';

const root = path.resolve(__dirname, '..', '..');
const workerPath = path.join(root, 'dist', 'worker.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-worker-client-'));
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const lines: string[] = [];
const client = new WorkerClient(workerPath, { log: (l) => lines.push(l), initParams: () => ({}) });
const clients = [client];
after(() => {
  for (const c of clients) c.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A cancellation token the test fires. */
function cancelToken(): CancelToken & { fire(): void } {
  let listener = () => {};
  const t = {
    isCancellationRequested: false,
    onCancellationRequested: (l: () => void) => ((listener = l), { dispose() {} }),
    fire: () => {
      t.isCancellationRequested = true;
      listener();
    },
  };
  return t;
}

/** `p`'s outcome, or "still pending" after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: WorkerError; pending?: true }> {
  return Promise.race([
    p.then((value) => ({ value }), (error: WorkerError) => ({ error })),
    new Promise<{ pending: true }>((r) => setTimeout(() => r({ pending: true }), ms).unref()),
  ]);
}

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

test('a request that takes too long is cancelled in the worker, which goes on serving', async () => {
  const archs: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'nasbench201', 'architectures.json'), 'utf8'));
  const t0 = Date.now();
  await assert.rejects(client.request('predict', { space: 'nasbench201', specs: archs, devices: ['pixel2'] }, { timeoutMs: 300 }), (e: WorkerError) => e.code === 'timeout');
  assert.ok(Date.now() - t0 < 5_000, 'the caller hears of the timeout at once');
  // The next request is answered by the same process once the cancelled one stops at its next step.
  const r = await client.request<{ ms: Record<string, number[]> }>('predict', { space: 'nasbench201', specs: [CELL], devices: ['pixel2'] }, { timeoutMs: 60_000 });
  assert.ok(r.ms.pixel2[0] > 0);
  assert.equal(client.starts, 2, 'no restart');
  assert.ok(lines.some((l) => /request predict timed out after 0.3 s; cancelled/.test(l)), lines.join('\n'));
});

test('cancellation rejects at once', async () => {
  const token = cancelToken();
  const p = client.request('predict', { space: 'nasbench201', specs: [CELL] }, { token });
  token.fire();
  await assert.rejects(p, (e: WorkerError) => e.code === 'cancelled');
  assert.equal(await client.request('ping'), 'pong');
});

test("another request's timeout, or a worker busy for a while, never ends a running measurement", async () => {
  const log: string[] = [];
  const c = new WorkerClient(workerPath, { log: (l) => log.push(l), initParams: () => ({ adaptedDir: path.join(tmp, 'devices') }), pingTimeoutMs: 300, heartbeatMs: 100 });
  clients.push(c);
  const fake = `/bin/sh ${JSON.stringify(path.join(root, 'test', 'fixtures', 'devices', 'fake-device.sh'))} {model} 0.05`;
  const token = cancelToken();
  let firstProgress!: () => void;
  const started = new Promise<void>((r) => (firstProgress = r));
  const progress: WorkerProgress[] = [];
  const measurement = c.request('measure', { device: { name: 'slow board', runner: 'command', space: 'nasbench201', command: fake }, outDir: path.join(tmp, 'devices'), extra: 0, trusted: true }, {
    token,
    onProgress: (p) => (progress.push(p), firstProgress()),
  });
  await started;
  // A histogram of the whole space takes seconds: it times out, and is cancelled, while the measurement runs.
  await assert.rejects(c.request('histogram', { space: 'nasbench201', device: 'pixel2' }, { timeoutMs: 30 }), (e: WorkerError) => e.code === 'timeout');
  assert.equal(await c.request('ping', undefined, { timeoutMs: 10_000 }), 'pong');
  // The worker stops answering for ten ping deadlines while the measurement is pending: it is not killed.
  const pid = c['child']!.pid!;
  process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, 3_000));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  assert.ok(log.some((l) => /not restarted while the measurement is pending/.test(l)), log.join('\n'));
  const seen = progress.length;
  assert.deepEqual(await within(measurement, 3_000), { pending: true }, 'the measurement is still running');
  assert.ok(progress.length > seen, 'and makes progress');
  assert.equal(c.starts, 1);
  token.fire();
  await assert.rejects(measurement, (e: WorkerError) => e.code === 'cancelled');
  assert.equal(await c.request('ping'), 'pong');
  assert.equal(c.starts, 1);
});

test('a worker that stops answering is restarted, even when no request has a timeout', async () => {
  const log: string[] = [];
  const c = new WorkerClient(workerPath, { log: (l) => log.push(l), initParams: () => ({}), pingTimeoutMs: 300, heartbeatMs: 100 });
  clients.push(c);
  assert.equal(await c.request('ping'), 'pong');
  const pid = c['child']!.pid!;
  process.kill(pid, 'SIGSTOP');
  const stuck = c.request('devices', {}, { timeoutMs: 0 });
  const r = await within(stuck, 10_000);
  // Whatever happened, a stopped process must not outlive the test (it would keep the test runner waiting).
  if (r.pending) process.kill(pid, 'SIGKILL');
  assert.equal(r.error?.code, 'exited', JSON.stringify(r));
  assert.ok(log.some((l) => /has not answered for \d+ s; restarting it/.test(l)), log.join('\n'));
  assert.equal(await c.request('ping'), 'pong');
  assert.equal(c.starts, 2);
  // The silent process was ended (SIGKILL: a stopped process ignores SIGTERM until it continues).
  await new Promise((res) => setTimeout(res, 200));
  assert.throws(() => process.kill(pid, 0));
});

test('worker errors, progress and stderr reach the caller and the log without escape sequences or bidi characters', async () => {
  const devicesDir = path.join(tmp, 'hostile-devices');
  fs.mkdirSync(devicesDir);
  // A device file with escape sequences in its name, which the worker reports (on stderr) as unreadable.
  fs.writeFileSync(path.join(devicesDir, 'x\x1b[2J\x1b]0;title\x07\u202eevil.json'), '{ not json');
  // A device command that fails, printing colours and a bidi override.
  const script = path.join(tmp, 'hostile-device.sh');
  fs.writeFileSync(script, `printf '\\033[31mboom\\342\\200\\256 \\033[0m'\nexit 3\n`);
  const log: string[] = [];
  const c = new WorkerClient(workerPath, { log: (l) => log.push(l), initParams: () => ({ adaptedDir: devicesDir }) });
  clients.push(c);
  await c.request('devices', { space: 'nasbench201' });
  const progress: string[] = [];
  const err = await c
    .request('measure', { device: { name: 'bad\x1b[31m board', runner: 'command', space: 'nasbench201', command: `/bin/sh ${script} {model}` }, outDir: devicesDir, extra: 0, trusted: true }, { onProgress: (p) => progress.push(p.message ?? '') })
    .then(
      () => undefined,
      (e: WorkerError) => e,
    );
  assert.ok(err, 'the measurement fails');
  assert.match(err.message, /boom/);
  await new Promise((r) => setTimeout(r, 100)); // stderr may trail the reply
  assert.ok(log.some((l) => /skipping .*evil/.test(l)), log.join('\n'));
  for (const text of [err.message, ...progress, ...log]) {
    assert.doesNotMatch(text, /[\x1b\x07\u202e]/, JSON.stringify(text));
  }
});
