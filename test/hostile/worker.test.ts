// Hostile inputs for the background worker (issue 16, items 10 and 11), against the real dist/worker.js
// through the extension's WorkerClient:
// - a storm of requests that time out (as explorer decorations inspecting .onnx files, and the panel's
//   whole-space histograms, can make) while a measurement runs: every caller hears "timeout" at once, nothing is
//   restarted, the measurement goes on, and the worker answers within a bounded time afterwards;
// - a device command that prints a megabyte of escape sequences, controls and bidi characters: the error
//   reaches the caller bounded and neutralised, and the worker's stderr reaches the log neutralised.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerClient, WorkerError } from '../../src/extension/worker-client';
import { writeNasBench201 } from '../../src/core/onnx/writer';

const root = path.resolve(__dirname, '..', '..');
const workerPath = path.join(root, 'dist', 'worker.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-worker-'));
const archs: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'nasbench201', 'architectures.json'), 'utf8'));
const clients: WorkerClient[] = [];
after(() => {
  clients.forEach((c) => c.dispose());
  fs.rmSync(tmp, { recursive: true, force: true });
});
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

test('30 timed-out requests during a measurement: no restart, the measurement goes on, the worker answers', async () => {
  const log: string[] = [];
  const devices = path.join(tmp, 'devices');
  const c = new WorkerClient(workerPath, { log: (l) => log.push(l), initParams: () => ({ adaptedDir: devices }), pingTimeoutMs: 5_000, heartbeatMs: 500 });
  clients.push(c);
  const fake = `/bin/sh ${JSON.stringify(path.join(root, 'test', 'fixtures', 'devices', 'fake-device.sh'))} {model} 0.02`;
  let progress = 0;
  let started!: () => void;
  const first = new Promise<void>((r) => (started = r));
  let cancel = () => {};
  const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => ((cancel = l), { dispose() {} }) };
  const measurement = c.request('measure', { device: { name: 'board', runner: 'command', space: 'nasbench201', command: fake }, outDir: devices, extra: 0, trusted: true }, {
    token,
    onProgress: () => (progress++, started()),
  });
  let outcome: string | undefined;
  measurement.then(
    () => (outcome = 'done'),
    (e: WorkerError) => (outcome = e.code),
  );
  await first;
  // .onnx files as the explorer finds them, each inspected with a deadline too short to meet, and
  // histograms of the whole space (the panel), device after device, that cannot finish in time.
  const files = Array.from({ length: 20 }, (_, k) => {
    const f = path.join(tmp, `m${k}.onnx`);
    fs.writeFileSync(f, writeNasBench201(archs[k * 700]));
    return f;
  });
  const t0 = Date.now();
  const storm = [
    ...files.map((f) => c.request('inspect', { path: f }, { timeoutMs: 1 })),
    ...['pixel2', 'gold_6226', 'raspi4', 'fpga', 'eyeriss', 'pixel3', 'samsung_a50', 'samsung_s7', 'silver_4114', 'titan_rtx_1'].map((device) =>
      c.request('histogram', { space: 'nasbench201', device }, { timeoutMs: 200 }),
    ),
  ];
  const codes = await Promise.all(storm.map((p) => p.then(() => 'answered', (e: WorkerError) => e.code)));
  const stormMs = Date.now() - t0;
  assert.ok(codes.every((x) => x === 'timeout' || x === 'answered'), codes.join(' '));
  assert.ok(codes.filter((x) => x === 'timeout').length >= 10, codes.join(' '));
  assert.ok(stormMs < 5_000, `every caller heard back within ${stormMs} ms`);
  // The worker works off (cancels) the storm and answers.
  const t1 = Date.now();
  const r = await c.request<{ ms: Record<string, number[]> }>('predict', { space: 'nasbench201', specs: [archs[5]], devices: ['pixel2'] }, { timeoutMs: 20_000 });
  assert.ok(r.ms.pixel2[0] > 0);
  assert.ok(Date.now() - t1 < 10_000, `answered ${Date.now() - t1} ms after the storm`);
  assert.equal(c.starts, 1, log.join('\n'));
  assert.equal(outcome, undefined, 'the measurement is still running');
  const seen = progress;
  await new Promise((res) => setTimeout(res, 500));
  assert.ok(progress > seen, 'and makes progress');
  cancel();
  await assert.rejects(measurement, (e: WorkerError) => e.code === 'cancelled');
});

test('a device command printing a megabyte of escape sequences and bidi characters: a bounded, neutralised error', async () => {
  const devices = path.join(tmp, 'devices-2');
  fs.mkdirSync(devices);
  // Device files whose names carry escape sequences (the worker reports them as unreadable on stderr).
  for (let k = 0; k < 20; k++) fs.writeFileSync(path.join(devices, `d${k}\x1b[2J\x1b]0;t\x07\u202e${'\x1b['.repeat(50)}.json`), '{');
  // A megabyte of colours, titles, cursor moves, bidi overrides and unterminated sequences, then failure.
  const output = path.join(tmp, 'storm.txt');
  fs.writeFileSync(output, '\x1b[31m\x1b]0;title\x07\u202e\x1b[1A\r\x1b['.repeat(1 << 20 >> 5));
  const script = path.join(tmp, 'storm.sh');
  fs.writeFileSync(script, `cat ${JSON.stringify(output)}\nexit 1\n`);
  const log: string[] = [];
  const c = new WorkerClient(workerPath, { log: (l) => log.push(l), initParams: () => ({ adaptedDir: devices }) });
  clients.push(c);
  await c.request('devices', { space: 'nasbench201' });
  const progress: string[] = [];
  const t0 = Date.now();
  const err = await c
    .request('measure', { device: { name: `x\x1b[31m\u202e`, runner: 'command', space: 'nasbench201', command: `/bin/sh ${script} {model}` }, outDir: devices, extra: 0, trusted: true }, { onProgress: (p) => progress.push(p.message ?? '') })
    .then(() => undefined, (e: WorkerError) => e);
  assert.ok(err, 'the measurement fails');
  assert.ok(Date.now() - t0 < 15_000, `failed after ${Date.now() - t0} ms`);
  assert.ok(err.message.length < 2_000, `${err.message.length} characters`);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(log.filter((l) => /skipping/.test(l)).length, 20, log.join('\n'));
  for (const text of [err.message, ...progress, ...log]) assert.doesNotMatch(text, RAW, JSON.stringify(text.slice(0, 300)));
});
