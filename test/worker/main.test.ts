// The worker's IPC protocol, through the bundled dist/worker.js as the extension forks it (npm test builds
// it first): devices (built-in + adapted from the folder given at init), predict with per-device errors,
// histogram, adaptedSamples, cancellation, and bad requests answered with errors while the worker lives on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerProcess } from '../cli/helpers';

const root = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-worker-'));
const adaptedDir = path.join(tmp, 'devices');
fs.mkdirSync(adaptedDir);
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const CELL2 = '|avg_pool_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';

let worker: WorkerProcess;
const send = (method: unknown, params?: unknown) => worker.send(method, params);

after(() => {
  worker?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('an adapted device made by the CLI, for the folder given at init', () => {
  const data = path.join(root, 'data', 'nasbench201');
  const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
  const refs: number[] = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
  const gold: number[] = JSON.parse(fs.readFileSync(path.join(data, 'latency', 'gold_6226.json'), 'utf8'));
  const samples = [...refs, 17, 230, 411, 512, 640, 700, 777, 801, 850, 899].map((i) => ({ arch: archs[i], latency_ms: gold[i] }));
  const sf = path.join(tmp, 'samples.json');
  fs.writeFileSync(sf, JSON.stringify({ space: 'nasbench201', device: 'mine', samples }));
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'adapt', '--space', 'nasbench201', '--samples', sf, '--out', path.join(adaptedDir, 'mine.json'), '--name', 'mine'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  fs.writeFileSync(path.join(adaptedDir, 'broken.json'), '{ not json');
  worker = new WorkerProcess();
});

test('ping and init', async () => {
  assert.deepEqual(await send('ping'), { id: worker.nextId - 1, result: 'pong' });
  const r = await send('init', { adaptedDir });
  assert.deepEqual(r.result.spaces, ['nasbench201', 'fbnet', 'ofa', 'hat']);
});

test('devices: every space, built-in + adapted; a space without weights says so', async () => {
  const r = await send('devices', {});
  const by = Object.fromEntries((r.result as any[]).map((s) => [s.space, s]));
  // The onnx space (any ONNX model) last: adapted devices only, none here.
  assert.deepEqual(Object.keys(by), ['nasbench201', 'fbnet', 'ofa', 'hat', 'onnx']);
  assert.deepEqual(by.onnx, { space: 'onnx', devices: [] });
  const nb = by.nasbench201;
  assert.equal(nb.error, undefined);
  assert.ok(nb.devices.some((d: any) => d.name === 'gold_6226' && d.origin === 'table' && d.samples === 30));
  assert.ok(nb.devices.some((d: any) => d.name === 'pixel2' && d.origin === 'profile'));
  const mine = nb.devices.find((d: any) => d.name === 'mine');
  assert.equal(mine.origin, 'adapted');
  assert.equal(mine.samples, 20);
  assert.ok(mine.created);
  assert.ok(by.hat.devices.length >= 8);
  for (const s of ['fbnet', 'ofa']) {
    const hasWeights = fs.existsSync(path.join(root, 'weights', `${s}.json`));
    if (hasWeights) assert.ok(by[s].devices.length > 0, s);
    else {
      assert.equal(by[s].code, 'no-weights', s);
      assert.match(by[s].error, new RegExp(`no trained weights for ${s}`));
    }
  }
  const one = await send('devices', { space: 'hat' });
  assert.deepEqual(one.result.map((s: any) => s.space), ['hat']);
});

test('predict: ms per device, errors per device', async () => {
  const r = await send('predict', { space: 'nasbench201', specs: [CELL, CELL2], devices: ['gold_6226', 'mine', 'nope'] });
  const res = r.result;
  assert.deepEqual(res.specs, [CELL, CELL2]);
  for (const d of ['gold_6226', 'mine']) {
    assert.equal(res.ms[d].length, 2);
    assert.ok(res.ms[d].every((v: number) => v > 0 && Number.isFinite(v)), d);
    assert.ok(res.ms[d][1] < res.ms[d][0], `${d}: the pooling cell is faster`);
  }
  assert.equal(res.info.mine.origin, 'adapted');
  assert.deepEqual(Object.keys(res.errors), ['nope']);
  assert.match(res.errors.nope, /unknown device "nope"/);
  // Adapted from gold_6226's own table: close to the built-in device.
  assert.ok(Math.abs(res.ms.mine[0] - res.ms.gold_6226[0]) / res.ms.gold_6226[0] < 0.2);
  const all = await send('predict', { space: 'hat', specs: [fs.readFileSync(path.join(root, 'data', 'examples', 'hat', fs.readdirSync(path.join(root, 'data', 'examples', 'hat'))[0]), 'utf8')] });
  assert.ok(Object.keys(all.result.ms).length >= 8);
});

test('histogram: the whole NAS-Bench-201 space, the current cell marked; HAT sampled with a fixed seed', async () => {
  const r = await send('histogram', { space: 'nasbench201', device: 'gold_6226', spec: CELL, bins: 30 });
  const h = r.result;
  assert.equal(h.count, 15625);
  assert.equal(h.sampled, false);
  assert.equal(h.counts.length, 30);
  assert.equal(h.edges.length, 31);
  assert.equal(h.counts.reduce((a: number, b: number) => a + b, 0), 15625);
  assert.ok(h.current > h.min && h.current < h.max);
  assert.ok(h.fasterShare > 0 && h.fasterShare < 1);
  const a = (await send('histogram', { space: 'hat', device: 'wmt14ende_cpu_xeon' })).result;
  const b = (await send('histogram', { space: 'hat', device: 'wmt14ende_cpu_xeon' })).result;
  assert.equal(a.count, 2000);
  assert.equal(a.sampled, true);
  assert.deepEqual(a.counts, b.counts);
});

test('adaptedSamples: predicted vs measured for the device samples', async () => {
  const r = (await send('adaptedSamples', { space: 'nasbench201', device: 'mine' })).result;
  assert.equal(r.origin, 'adapted');
  assert.equal(r.samples.length, 20);
  for (const s of r.samples) assert.ok(s.measured > 0 && s.predicted > 0);
});

test('bad requests get error replies and the worker lives on', async () => {
  const cases: [unknown, unknown, string, RegExp][] = [
    ['nope', {}, 'unknown-method', /no method "nope"/],
    [42, {}, 'bad-request', /"method" must be a string/],
    ['predict', 'x', 'bad-request', /"params" must be an object/],
    ['predict', { space: 'cifar', specs: [] }, 'bad-request', /unknown space "cifar"/],
    ['predict', { space: 'nasbench201', specs: ['|nope~0|'] }, 'bad-request', /spec 1/],
    ['predict', { space: 'nasbench201', specs: 'x' }, 'bad-request', /"specs" must be an array/],
    ['predict', { space: 'nasbench201', specs: [CELL], devices: 'gold_6226' }, 'bad-request', /"devices" must be an array/],
    ['histogram', { space: 'nasbench201', device: 'nope' }, 'bad-request', /unknown device/],
    ['inspect', { path: '/nonexistent/x.onnx' }, 'bad-request', /x\.onnx: cannot read/],
    ['inspect', {}, 'bad-request', /"path"/],
    ['adaptedSamples', { space: 'nasbench201' }, 'bad-request', /"device"/],
  ];
  for (const [method, params, code, re] of cases) {
    const r = await send(method, params);
    assert.equal(r.code, code, `${String(method)}: ${r.error}`);
    assert.match(r.error!, re);
    assert.equal(r.error!.includes('\n'), false);
  }
  // Messages without an id are ignored; the worker still answers.
  worker.child.send('garbage');
  worker.child.send({ method: 'ping' });
  worker.child.send({ id: 'x', method: 'ping' });
  assert.equal((await send('ping')).result, 'pong');
  assert.equal(worker.child.exitCode, null);
});

test('a queued request can be cancelled', async () => {
  const slow = send('histogram', { space: 'nasbench201', device: 'titan_rtx_256', spec: CELL });
  const queued = send('predict', { space: 'nasbench201', specs: [CELL], devices: ['gold_6226'] });
  const cancelAck = send('cancel', { id: worker.nextId - 1 });
  assert.equal((await cancelAck).result, true);
  const q = await queued;
  assert.equal(q.code, 'cancelled');
  assert.equal((await slow).result.count, 15625);
});

test('inspect: an ONNX NAS-Bench-201 network is recognised, with a summary; other models get the reason', async () => {
  const writer = path.join(root, 'src', 'core', 'onnx', 'writer.ts');
  if (!fs.existsSync(writer)) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeNasBench201 } = require(writer);
  const file = path.join(tmp, 'cell.onnx');
  fs.writeFileSync(file, writeNasBench201(CELL));
  const r = (await send('inspect', { path: file })).result;
  assert.equal(r.space, 'nasbench201');
  assert.equal(r.spec, CELL);
  assert.ok(r.summary.some((l: string) => /^nodes: \d+/.test(l)));
  // help.inputShapes, as the extension passes it: names the model lacks are left out, dims the model fixes
  // kept; bad dims refused.
  const shaped = (await send('inspect', { path: file, inputShapes: { input: [1, 3, 64, 64], other: [5] } })).result;
  assert.deepEqual(shaped.summary, r.summary);
  const badShape = await send('inspect', { path: file, inputShapes: { input: [1, 'x'] } });
  assert.equal(badShape.code, 'bad-request');
  assert.match(badShape.error!, /help\.inputShapes "input": dim "x" is not a positive integer/);
  const bad = path.join(tmp, 'bad.onnx');
  fs.writeFileSync(bad, Buffer.from([8, 7, 18, 100, 1, 2]));
  const b = await send('inspect', { path: bad });
  assert.equal(b.code, 'bad-request');
  assert.match(b.error!, /bad\.onnx/);
});
