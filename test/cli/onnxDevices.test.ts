// The onnx space on a device reached through a command, as the NAS spaces are: measure --space onnx writes
// the reference models' SAMPLES.json, adapt --space onnx fits the device from it (bad samples: exit 2, one
// line naming the file and the field, no device written), adapt-local --space onnx --runner command in one
// go (a failing or silent device leaves the old file), measure --onnx on a command device hands it a copy
// with the open input dims fixed, and devices --adapted lists onnx devices with their error band.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, root, runCli } from './helpers';
import { ONNX_REFERENCES, ONNX_REFERENCES_VERSION } from '../../src/core/onnx/referenceModels';
import { readOnnxFile } from '../../src/core/onnx/reader';
import { dynamicModel } from '../core/onnx/dynamicModel';

const fixtures = path.join(root, 'test', 'fixtures', 'devices');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cli-onnx-devices-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const node = JSON.stringify(process.execPath);
const fast = `/bin/sh ${JSON.stringify(path.join(fixtures, 'fake-device.sh'))} {model}`;
const garbage = `${node} ${JSON.stringify(path.join(fixtures, 'garbage.js'))} {model}`;
const hang = `${node} ${JSON.stringify(path.join(fixtures, 'hang.js'))} {model}`;
const QUICK = ['--passes', '1', '--runs', '1', '--warmup', '0'];
const run = (...args: string[]) => runCli(tmp, args);
const devicesDir = path.join(tmp, 'devices');
fs.mkdirSync(devicesDir);
const samples = path.join(tmp, 'board.samples.json');
const device = path.join(devicesDir, 'board.onnx.json');

test('measure --space onnx with a device command, then adapt --space onnx: an onnx device that predicts any model', () => {
  const m = run('measure', '--space', 'onnx', '--runner', 'command', '--command', fast, '--out', samples, ...QUICK);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stderr, new RegExp(`measured ${ONNX_REFERENCES.length} of ${ONNX_REFERENCES.length} reference models`));
  const s = JSON.parse(fs.readFileSync(samples, 'utf8'));
  assert.equal(s.space, 'onnx');
  assert.equal(s.device, 'board');
  assert.equal(s.referencesVersion, ONNX_REFERENCES_VERSION);
  assert.deepEqual(s.samples.map((x: { arch: string }) => x.arch).sort(), ONNX_REFERENCES.map((r) => r.name).sort());
  assert.equal(s.measurement.runner.runner, 'command');
  // fake-device.sh prints the model file's size in MB: the device follows the models' sizes.
  for (const x of s.samples) assert.ok(x.latency_ms > 0 && x.latency_ms < 100, JSON.stringify(x));

  const a = run('adapt', '--space', 'onnx', '--samples', samples, '--out', device);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /adapted "board" for onnx from \d+ samples/);
  const d = JSON.parse(fs.readFileSync(device, 'utf8'));
  assert.equal(d.format, 'help-onnx-device');
  assert.equal(d.name, 'board');
  assert.equal(d.samples.length, ONNX_REFERENCES.length);

  const model = path.join(tmp, 'mlp.onnx');
  fs.writeFileSync(model, ONNX_REFERENCES.find((r) => r.name === 'mlp')!.write());
  const p = run('predict', '--device', device, '--onnx', model, '--json');
  assert.equal(p.code, 0, p.stderr);
  const ms = JSON.parse(p.stdout);
  assert.equal(ms.length, 1);
  assert.ok(ms[0] > 0);
});

test('adapt --space onnx: bad samples exit 2 with one line naming the file and the field; the old device stays', () => {
  const before = fs.readFileSync(device);
  const good = JSON.parse(fs.readFileSync(samples, 'utf8'));
  const cases: [unknown, RegExp][] = [
    [{ ...good, samples: good.samples.map((x: object, i: number) => (i === 3 ? { ...x, latency_ms: 'fast' } : x)) }, /bad\.json: samples\[3\]\.latency_ms: expected a positive number of ms, got "fast"/],
    [{ ...good, samples: good.samples.map((x: object, i: number) => (i === 1 ? { ...x, latency_ms: -2 } : x)) }, /bad\.json: samples\[1\]\.latency_ms: expected a positive number/],
    [{ ...good, samples: good.samples.slice(1) }, new RegExp(`bad\\.json: samples: no latency of the reference model ${good.samples[0].arch}`)],
    [{ ...good, samples: [...good.samples, { arch: 'resnet50', latency_ms: 3 }] }, /bad\.json: samples\[\d+\]\.arch: "resnet50" is not an onnx reference model/],
    [{ ...good, samples: [...good.samples, good.samples[0]] }, /bad\.json: samples\[\d+\]\.arch: .* is given twice/],
    [{ ...good, space: 'nasbench201' }, /bad\.json: space: the samples are for space "nasbench201", not onnx/],
    [{ ...good, referencesVersion: ONNX_REFERENCES_VERSION + 1 }, /bad\.json: referencesVersion: .*measure again/],
    [{ ...good, samples: 'none' }, /bad\.json: samples: expected a list/],
    [JSON.parse(fs.readFileSync(device, 'utf8')), /bad\.json: format: .*a device file, not measured samples/],
    [[1, 2], /bad\.json: samples file: expected/],
  ];
  const bad = path.join(tmp, 'bad.json');
  for (const [value, pattern] of cases) {
    fs.writeFileSync(bad, JSON.stringify(value));
    expectBadInput(run('adapt', '--space', 'onnx', '--samples', bad, '--out', device), pattern);
    assert.deepEqual(fs.readFileSync(device), before);
  }
  fs.writeFileSync(bad, '{"space": "onnx", "samples": [');
  expectBadInput(run('adapt', '--space', 'onnx', '--samples', bad, '--out', device), /bad\.json: not valid JSON/);
  expectBadInput(run('adapt', '--space', 'onnx', '--samples', path.join(tmp, 'missing.json'), '--out', device), /cannot read samples file .*missing\.json: ENOENT/);
  // The NAS spaces refuse the onnx samples, naming the file.
  expectBadInput(run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', path.join(tmp, 'x.json')), /board\.samples\.json: samples are for space "onnx", not nasbench201/);
  // measure --space onnx takes the runner flags, not the NAS spaces' architecture lists.
  expectBadInput(run('measure', '--space', 'onnx', '--runner', 'command', '--command', fast, '--archs', 'a.json', '--out', samples), /unknown option --archs/);
  expectBadInput(run('measure', '--space', 'onnx', '--runner', 'command', '--out', samples), /needs a command template/);
  assert.deepEqual(fs.readdirSync(devicesDir), ['board.onnx.json']);
});

test('adapt-local --space onnx --runner command: one go; a device printing garbage or never answering leaves the old file', () => {
  const out = path.join(devicesDir, 'board2.onnx.json');
  const r = run('adapt-local', '--space', 'onnx', '--runner', 'command', '--command', fast, '--out', out, ...QUICK);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /adapting "board2" to onnx: measuring \d+ reference models with command/);
  const before = fs.readFileSync(out);
  assert.equal(JSON.parse(before.toString()).name, 'board2');

  const g = run('adapt-local', '--space', 'onnx', '--runner', 'command', '--command', garbage, '--out', out, ...QUICK);
  assert.equal(g.code, 1, g.stderr);
  assert.match(g.stderr.trim().split('\n').pop()!, /^error: .*did not print a latency.*"Model loaded in 12 ms throughput: very fast"/);
  assert.deepEqual(fs.readFileSync(out), before);

  const t0 = Date.now();
  const h = run('adapt-local', '--space', 'onnx', '--runner', 'command', '--command', hang, '--first-run-timeout-s', '1', '--out', out, ...QUICK);
  assert.equal(h.code, 1, h.stderr);
  assert.match(h.stderr.trim().split('\n').pop()!, /^error: the device did not answer its first run within 1 s/);
  assert.ok(Date.now() - t0 < 30_000, `${Date.now() - t0} ms`);
  assert.deepEqual(fs.readFileSync(out), before);
  const m = run('measure', '--space', 'onnx', '--runner', 'command', '--command', garbage, '--out', path.join(tmp, 'garbage.samples.json'), ...QUICK);
  assert.equal(m.code, 1, m.stderr);
  assert.equal(fs.existsSync(path.join(tmp, 'garbage.samples.json')), false);
  assert.deepEqual(fs.readdirSync(devicesDir).filter((f) => f.startsWith('.')), [], 'no temporary files');
});

test('measure --onnx on a command device: the device gets a copy with the open input dims fixed, removed after', () => {
  const model = path.join(tmp, 'dynamic.onnx');
  fs.writeFileSync(model, dynamicModel());
  const before = fs.readFileSync(model);
  const seen = path.join(tmp, 'seen');
  fs.mkdirSync(seen);
  // A device that keeps a copy of what it was given (and where) and prints a latency.
  const keep = `${node} ${JSON.stringify(path.join(fixtures, 'keep-copy.js'))} {model} ${JSON.stringify(seen)} ${JSON.stringify('latency_ms: 1.5')}`;
  const r = run('measure', '--onnx', model, '--input-shape', 'x=4x7', '--runner', 'command', '--command', keep, '--json', ...QUICK);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout)[0].fastest_ms, 1.5);
  const copies = fs.readdirSync(seen).filter((f) => f.endsWith('.onnx'));
  assert.ok(copies.length >= 1);
  for (const c of copies) assert.deepEqual(readOnnxFile(path.join(seen, c)).inputs.map((i) => i.shape), [[4, 7], [2, 3]]);
  const given = fs.readFileSync(path.join(seen, '0.path'), 'utf8');
  assert.notEqual(given, model);
  assert.equal(fs.existsSync(given), false, 'the private copy is removed after');
  assert.deepEqual(fs.readFileSync(model), before, 'the original is untouched');

  // Without --input-shape: 1, and a note says so.
  const one = run('measure', '--onnx', model, '--runner', 'command', '--command', keep, '--json', ...QUICK);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /dynamic: fed as 1/);
  const last = fs.readdirSync(seen).filter((f) => f.endsWith('.onnx')).length - 1;
  assert.deepEqual(readOnnxFile(path.join(seen, `${last}.onnx`)).inputs[0].shape, [1, 1]);

  // Weights in a side file: a clear message (exit 2, one line) rather than a copy that cannot load.
  const ext = path.join(tmp, 'ext');
  fs.mkdirSync(ext);
  fs.writeFileSync(path.join(ext, 'external.onnx'), dynamicModel({ external: true }));
  fs.writeFileSync(path.join(ext, 'w.bin'), Buffer.alloc(4));
  expectBadInput(run('measure', '--onnx', path.join(ext, 'external.onnx'), '--runner', 'command', '--command', keep, ...QUICK), /external\.onnx: its weights are in a side file/);
});

test('devices --adapted DIR lists the onnx devices (adapted, with their error band; the first by file name is the primary)', () => {
  const r = run('devices', '--space', 'onnx', '--adapted', devicesDir, '--json');
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  // By file name: board.onnx.json before board2.onnx.json.
  assert.deepEqual(rows.map((x: { name: string }) => x.name), ['board', 'board2']);
  const band = JSON.parse(fs.readFileSync(device, 'utf8')).errorBand;
  assert.deepEqual({ ...rows[0], description: undefined, kind: undefined }, { name: 'board', space: 'onnx', origin: 'adapted', samples: ONNX_REFERENCES.length, errorBand: band, file: device, primary: true, description: undefined, kind: undefined });
  assert.equal(rows[1].primary, undefined);
  const text = run('devices', '--adapted', devicesDir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`\\nboard +onnx +adapted +${ONNX_REFERENCES.length} +out-of-bag error \\+-\\d+%, primary onnx device\\n`));
  assert.match(text.stdout, new RegExp(`\\nboard2 +onnx +adapted +${ONNX_REFERENCES.length} +out-of-bag error \\+-\\d+%\\n`));
  assert.match(text.stdout, /\ngold_6226 +nasbench201 +table/);
  // Removed: gone from the list; the other becomes the primary.
  fs.renameSync(device, path.join(tmp, 'board.onnx.json'));
  const after = JSON.parse(run('devices', '--space', 'onnx', '--adapted', devicesDir, '--json').stdout);
  assert.deepEqual(after.map((x: { name: string; primary?: boolean }) => [x.name, x.primary]), [['board2', true]]);
  const none = run('devices', '--space', 'onnx', '--json');
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '[]\n');
  assert.match(none.stderr, /--adapted DIR/);
  expectBadInput(run('devices', '--adapted', path.join(tmp, 'nope')), /--adapted .*nope: ENOENT/);
});
