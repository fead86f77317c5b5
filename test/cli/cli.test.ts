// CLI contracts and exit codes, through the bundled dist/cli.js as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, expectBadInput, root, runCli } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cli-'));

const run = (...args: string[]) => runCli(tmp, args);

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

test('adapt names a sample far above the others as a measurement spike and still adapts', () => {
  const shots = [17, 230, 411, 512, 640, 700, 777, 801, 850, 899];
  const samples = writeSamples('spiked.json', [...refIdx, ...shots], (s) => (s[15].latency_ms = 3 * gold[shots[5]]));
  const out = path.join(tmp, 'spiked-dev.json');
  const a = run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', out);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, new RegExp(`spiked\\.json: \\|.*\\| measured ${(3 * gold[shots[5]]).toFixed(3)} ms, far above .* measurement spike`));
  const dev = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(dev.adaptation.spikes.length, 1);
  assert.equal(dev.adaptation.spikes[0].arch, archs[shots[5]]);
});

test('predict on built-in devices prints a table; several devices', () => {
  const r = run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--device', 'pixel2', '--arch', archs[5]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gold_6226/);
  assert.match(r.stdout, /pixel2/);
  assert.match(r.stdout, /\d+(\.\d+)? ms/);
});

test('predict notes a cell whose output does not depend on its input (stderr; stdout stays the table)', () => {
  const cell = '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|';
  const r = run('predict', '--space', 'nasbench201', '--device', 'raspi4', '--arch', cell);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^note: \|nor_conv_3x3~0\|.*: no path from the cell input to its output/m);
  assert.doesNotMatch(r.stdout, /note:/);
  const j = run('predict', '--space', 'nasbench201', '--device', 'raspi4', '--arch', cell, '--json');
  assert.equal(j.stderr, '', 'no notes with --json');
});

test('devices lists table and profile devices', () => {
  const r = run('devices', '--space', 'nasbench201', '--json');
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { name: string; origin: string }[];
  assert.ok(list.some((d) => d.name === 'fpga' && d.origin === 'table'));
  assert.ok(list.some((d) => d.name === 'eyeriss' && d.origin === 'profile'));
  assert.ok(list.some((d) => d.name === 'pixel2' && d.origin === 'profile'));
});

test('devices says what each device is (text and --json)', () => {
  const j = JSON.parse(run('devices', '--space', 'nasbench201', '--json').stdout) as { name: string; kind: string; description: string; samples: number }[];
  assert.deepEqual(
    j.find((d) => d.name === 'titan_rtx_32'),
    { name: 'titan_rtx_32', space: 'nasbench201', origin: 'table', samples: 30, kind: 'GPU', description: 'Titan RTX GPU at batch 32' },
  );
  assert.equal(j.find((d) => d.name === 'pixel2')?.kind, 'phone');
  const r = run('devices', '--space', 'nasbench201');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^device +space +from +samples +what it is$/m);
  assert.match(r.stdout, /^titan_rtx_32 +nasbench201 +table +30 +Titan RTX GPU at batch 32$/m);
  assert.match(r.stdout, /^gold_6226 +nasbench201 +table +\d+ +Xeon Gold 6226 CPU$/m);
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

test('eval prints the protocol scores of HELP and both baselines', () => {
  const r = run('eval', '--space', 'nasbench201', '--seeds', '1', '--devices', 'fpga', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.results.length, 1);
  const fpga = out.results[0];
  assert.equal(fpga.device, 'fpga');
  for (const k of ['help', 'helpNetOnly', 'ridge', 'bestSource']) {
    assert.ok(fpga[k].spearman > 0.8 && fpga[k].spearman <= 1, `${k} spearman ${fpga[k].spearman}`);
    assert.ok(fpga[k].mape > 0 && fpga[k].within10 >= 0 && fpga[k].within10 <= 1);
  }
  assert.ok(!out.sources.includes('fpga'), 'the target is never a source');
  expectBadInput(run('eval', '--space', 'nasbench201', '--devices', 'pixel2'), /no full latency table for device "pixel2"/);
});

test('meta-train writes loadable weights, source bank and built-in devices (short run)', () => {
  const out = path.join(tmp, 'w', 'nasbench201.json');
  const r = spawnSync(process.execPath, [cli, 'meta-train', '--space', 'nasbench201', '--episodes', '3', '--tasks', '2', '--queries', '20', '--members', '2', '--valid', 'gold_6240', '--train', 'silver_4114,pixel3', '--out', out], { encoding: 'utf8', cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  const w = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(w.format, 'help-weights');
  assert.equal(w.members.length, 2);
  assert.deepEqual(w.trainDevices, ['silver_4114', 'pixel3']);
  assert.deepEqual(w.sourceDevices, ['silver_4114', 'pixel3', 'gold_6240']);
  assert.equal(fs.statSync(path.join(tmp, 'w', 'nasbench201-sources.bin')).size, 3 * 15625 * 4);
  // Same seed, same weights.
  const out2 = path.join(tmp, 'w2', 'nasbench201.json');
  const r2 = spawnSync(process.execPath, [cli, 'meta-train', '--space', 'nasbench201', '--episodes', '3', '--tasks', '2', '--queries', '20', '--members', '2', '--valid', 'gold_6240', '--train', 'silver_4114,pixel3', '--out', out2], { encoding: 'utf8', cwd: tmp });
  assert.equal(r2.status, 0, r2.stderr);
  const w2 = JSON.parse(fs.readFileSync(out2, 'utf8'));
  assert.deepEqual(w2.members.map((m: { params: unknown }) => m.params), w.members.map((m: { params: unknown }) => m.params));
  const p = run('predict', '--space', 'nasbench201', '--weights', out, '--device', 'fpga', '--arch', archs[0], '--json');
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).length, 1);
  expectBadInput(run('meta-train', '--space', 'nasbench201', '--train', 'no_such', '--out', out), /no full latency table for device "no_such"/);
});
