// CLI contracts and exit codes, through the bundled dist/cli.js as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectBadInput(r: ReturnType<typeof run>, pattern: RegExp) {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
  assert.match(lines[0], pattern);
}

const data = path.join(root, 'data', 'nasbench201');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
const refIdx: number[] = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
const gold: number[] = JSON.parse(fs.readFileSync(path.join(data, 'latency', 'gold_6226.json'), 'utf8'));

function writeSamples(name: string, indices: number[], mutate?: (s: { arch: unknown; latency_ms: unknown }[]) => void) {
  const samples: { arch: unknown; latency_ms: unknown }[] = indices.map((i) => ({ arch: archs[i], latency_ms: gold[i] }));
  mutate?.(samples);
  const f = path.join(tmp, name);
  fs.writeFileSync(f, JSON.stringify({ space: 'nasbench201', device: 'my_gold', samples }));
  return f;
}

test('references: the 10 reference cell strings, as text and JSON', () => {
  const r = run('references', '--space', 'nasbench201', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), refIdx.map((i) => archs[i]));
  const t = run('references', '--space', 'nasbench201');
  assert.deepEqual(t.stdout.trim().split('\n'), refIdx.map((i) => archs[i]));
});

test('adapt then predict --json gives exactly a JSON array of ms in input order', () => {
  const shots = [17, 230, 411, 512, 640, 700, 777, 801, 850, 899];
  const samples = writeSamples('samples.json', [...refIdx, ...shots]);
  const out = path.join(tmp, 'dev.json');
  const a = run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', out);
  assert.equal(a.code, 0, a.stderr);
  const dev = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(dev.format, 'help-device');
  assert.equal(dev.version, 1);
  assert.equal(dev.name, 'my_gold');
  assert.equal(dev.samples.length, 20);
  const queries = [1000, 1001, 1002, 1003, 1500];
  const archsFile = path.join(tmp, 'archs.json');
  fs.writeFileSync(archsFile, JSON.stringify(queries.map((i) => archs[i])));
  const p = run('predict', '--space', 'nasbench201', '--device', out, '--archs', archsFile, '--json');
  assert.equal(p.code, 0, p.stderr);
  const ms = JSON.parse(p.stdout);
  assert.ok(Array.isArray(ms) && ms.length === queries.length);
  assert.equal(p.stdout.trim(), JSON.stringify(ms), 'stdout is only the array');
  queries.forEach((q, k) => {
    assert.ok(ms[k] > 0 && Math.abs(ms[k] - gold[q]) / gold[q] < 0.25, `arch ${q}: ${ms[k]} vs measured ${gold[q]}`);
  });
});

test('predict on built-in devices prints a table; several devices', () => {
  const r = run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--device', 'pixel2', '--arch', archs[5]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gold_6226/);
  assert.match(r.stdout, /pixel2/);
  assert.match(r.stdout, /\d+(\.\d+)? ms/);
});

test('devices lists table and profile devices', () => {
  const r = run('devices', '--space', 'nasbench201', '--json');
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { name: string; origin: string }[];
  assert.ok(list.some((d) => d.name === 'fpga' && d.origin === 'table'));
  assert.ok(list.some((d) => d.name === 'eyeriss' && d.origin === 'profile'));
  assert.ok(list.some((d) => d.name === 'pixel2' && d.origin === 'profile'));
});

test('bad input exits 2 with one line', () => {
  expectBadInput(run('references', '--space', 'nope'), /unknown space "nope"/);
  expectBadInput(run('frobnicate'), /unknown command/);
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'no_such_device', '--arch', archs[0]), /unknown device "no_such_device"/);
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--arch', '|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|'), /unknown operation "conv_5x5"/);
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--archs', path.join(tmp, 'missing.json')), /cannot read .*missing\.json/);
  const garbage = path.join(tmp, 'garbage.json');
  fs.writeFileSync(garbage, '{not json');
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--archs', garbage), /not valid JSON/);
  const missingRef = writeSamples('missing-ref.json', [...refIdx.slice(1), 17, 230]);
  expectBadInput(run('adapt', '--space', 'nasbench201', '--samples', missingRef, '--out', path.join(tmp, 'x.json')), /missing 1 of the 10 reference/);
  for (const bad of [NaN, -1, 0, 'fast']) {
    const f = writeSamples('bad-lat.json', [...refIdx, 17], (s) => {
      s[10].latency_ms = bad;
    });
    expectBadInput(run('adapt', '--space', 'nasbench201', '--samples', f, '--out', path.join(tmp, 'x.json')), /sample 11: latency_ms must be a positive/);
  }
  assert.ok(!fs.existsSync(path.join(tmp, 'x.json')), 'no device written on bad input');
  const badDev = path.join(tmp, 'bad-device.json');
  fs.writeFileSync(badDev, JSON.stringify({ format: 'something-else' }));
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', badDev, '--arch', archs[0]), /not a HELP device file/);
});
