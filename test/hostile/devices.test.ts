// Hostile device files and device writes (issue 16, items 7-9 and the write paths of 14): DEVICE.json
// mutated field by field from a real adaptation, a tensor with a lying length, two names that slug alike,
// the raw samples of an interrupted save, temporary files of a killed writer, and outputs that cannot be
// written. A broken envelope or broken samples is exit 2 naming the field; a broken adaptation with valid
// samples is re-adapted from them with one warning naming the field, and then predicts what the intact
// device predicts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, expectBadInput, root, runCli } from '../cli/helpers';
import { loadPredictor } from '../../src/core/predictor/load';
import { LatencyPredictor, type DeviceFile } from '../../src/core/predictor/service';
import { deviceFileIn, saveAdapted, samplesPathFor, type SamplesRecord } from '../../src/core/devices/local';
import { writeFileAtomicSync } from '../../src/core/devices/atomic';
import { writeFileAtomic } from '../../src/core/predictor/weights';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-devices-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]) => runCli(tmp, args);

const data = path.join(root, 'data', 'nasbench201');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
const refIdx: number[] = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
const gold: number[] = JSON.parse(fs.readFileSync(path.join(data, 'latency', 'gold_6226.json'), 'utf8'));
const SHOTS = [17, 230, 411, 512, 640, 700, 777, 801, 850, 899];
const QUERIES = [1000, 1001, 1500, 3000, 15624].map((i) => archs[i]);
const samplesOf = (scale = 1) => [...refIdx, ...SHOTS].map((i) => ({ arch: archs[i], latency_ms: gold[i] * scale }));

const devPath = path.join(tmp, 'dev.json');
let intact: DeviceFile;
let p: LatencyPredictor;
let intactMs: number[];

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of the real device file with `mutate` applied, written as `name`.json. */
function mutant(name: string, mutate: (d: Mutable) => void): string {
  const d = JSON.parse(JSON.stringify(intact)) as Mutable;
  mutate(d);
  const f = path.join(tmp, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify(d));
  return f;
}

/** Reads a device file in process, returning it and the warnings it gave. */
function readWithWarnings(file: string): { device: DeviceFile; warnings: string[] } {
  const warnings: string[] = [];
  p.onWarning = (m) => warnings.push(m);
  try {
    return { device: p.readDeviceFile(file), warnings };
  } finally {
    p.onWarning = () => assert.fail('unexpected warning');
  }
}

before(async () => {
  // The real thing: a device adapted by the CLI from gold_6226's measurements.
  const samples = path.join(tmp, 'samples.json');
  fs.writeFileSync(samples, JSON.stringify({ space: 'nasbench201', device: 'my gold', samples: samplesOf() }));
  const r = run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', devPath);
  assert.equal(r.code, 0, r.stderr);
  intact = JSON.parse(fs.readFileSync(devPath, 'utf8'));
  p = (await loadPredictor('nasbench201')) as LatencyPredictor;
  p.onWarning = () => assert.fail('unexpected warning');
  intactMs = p.predict(p.open(p.readDeviceFile(devPath)), QUERIES);
});

// ---- item 7: the envelope and the samples (cannot be recomputed): exit 2 naming the field ----

const BAD_ENVELOPES: [string, (d: Mutable) => void, RegExp][] = [
  ['version-string', (d) => (d.version = '1'), /version: expected the number 1, got "1"$/],
  ['version-2', (d) => (d.version = 2), /version: device file version 2 is not supported \(expected 1\)/],
  ['format', (d) => (d.format = 'help-weights'), /format: expected "help-device", got "help-weights": not a HELP device file/],
  ['space', (d) => (d.space = 7), /space: expected "nasbench201", got 7/],
  ['name', (d) => (d.name = { x: 1 }), /name: expected a string, got an object/],
  ['samples-object', (d) => (d.samples = { length: 1e9 }), /samples: expected a non-empty array of samples, got an object/],
  ['sample-null', (d) => (d.samples[0] = null), /samples\[0\]: expected an object, got null/],
  ['sample-latency', (d) => (d.samples[3].latency_ms = 'fast'), /samples\[3\]\.latency_ms: expected a positive finite number of milliseconds, got "fast"/],
  ['sample-arch', (d) => (d.samples[2].arch = '|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|'), /samples\[2\]\.arch: .*conv_9x9/],
  // Broken adaptation AND broken samples: nothing to re-adapt from.
  ['both', (d) => ((d.adaptation.combination.coef[0] = 'x'), (d.samples[1].latency_ms = -1)), /samples\[1\]\.latency_ms: expected a positive finite/],
];

test('a broken envelope or broken samples is an error naming the field', () => {
  for (const [name, mutate, pattern] of BAD_ENVELOPES) {
    const f = mutant(name, mutate);
    assert.throws(() => p.readDeviceFile(f), (e: Error) => e.name === 'SpecError' && e.message.startsWith(`${f}: `) && pattern.test(e.message), name);
  }
});

test('predict and nas: exit 2 and one line naming the field', () => {
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', path.join(tmp, 'version-string.json'), '--arch', QUERIES[0]), /^error: .*version-string\.json: version: expected the number 1, got "1"$/);
  expectBadInput(run('nas', '--space', 'nasbench201', '--device', path.join(tmp, 'sample-null.json'), '--budget', '10'), /^error: .*sample-null\.json: samples\[0\]: expected an object, got null$/);
});

// ---- item 7: the adaptation (a cache of what the samples give): re-adapted with a warning ----

const BAD_ADAPTATIONS: [string, (d: Mutable) => void, RegExp][] = [
  ['coef-string', (d) => (d.adaptation.combination.coef[0] = 'x'), /adaptation\.combination\.coef\[0\]: expected a finite number, got "x"/],
  ['source-999', (d) => ((d.adaptation.combination.sources = [999]), d.adaptation.combination.coef.splice(1, 0, 0.5)), /adaptation\.combination\.sources\[0\]: expected a new source index from 0 to 20, got 999/],
  ['intercept-1e308', (d) => (d.adaptation.combination.intercept = 1e308), /adaptation: does not reproduce its samples: it gives 1\.00e\+308 ms/],
  ['coef-short', (d) => d.adaptation.combination.coef.shift(), /adaptation\.combination\.coef: expected an array of 5 finite numbers, got \[0\.1085/],
  ['head-null', (d) => (d.adaptation.head[3] = null), /adaptation\.head\[3\]: expected an object, got null/],
  ['head-shape', (d) => (d.adaptation.head[0].shape = [1, 2, 3]), /adaptation\.head\[0\]\.shape: expected \[1, 192, 64\], got \[1, 2, 3\]/],
  ['hw-truncated', (d) => (d.adaptation.hw.data = d.adaptation.hw.data.slice(8)), /adaptation\.hw\.data: expected a base64 string of 192 float32 numbers/],
  ['blend-no-parts', (d) => (d.adaptation.combination.kind = 'blend'), /adaptation\.combination\.parts: expected an array of 1 to 64 mappings, got nothing/],
  ['kind-unknown', (d) => (d.adaptation.combination.kind = 'magic'), /adaptation\.combination\.kind: expected one of net, /],
  ['std-zero', (d) => (d.adaptation.std = 0), /adaptation\.std: expected a positive finite number, got 0/],
  ['combination-missing', (d) => delete d.adaptation.combination, /adaptation\.combination: expected an object, got nothing/],
];

test('a broken adaptation is re-adapted from the samples, with one warning naming the field', () => {
  for (const [name, mutate, pattern] of BAD_ADAPTATIONS) {
    const f = mutant(name, mutate);
    const r = readWithWarnings(f);
    assert.equal(r.warnings.length, 1, `${name}: ${r.warnings.join(' | ')}`);
    assert.match(r.warnings[0], pattern, name);
    assert.match(r.warnings[0], /; re-adapted from its 20 samples$/);
    assert.deepEqual(p.predict(p.open(r.device), QUERIES), intactMs, name);
  }
});

test('a head tensor whose data claims a length of 1e9 is refused before anything is allocated', () => {
  const f = mutant('giant', (d) => (d.adaptation.head[0].data = { length: 1e9 }));
  // Peak memory of the CLI process itself, written by a preloaded hook when it exits.
  const hook = path.join(tmp, 'rss-hook.js');
  fs.writeFileSync(hook, `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--require', hook, cli, 'predict', '--space', 'nasbench201', '--device', f, '--arch', QUERIES[0], '--json'], { encoding: 'utf8', cwd: tmp, timeout: 60_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, r.stderr);
  assert.ok(seconds < 20, `${seconds} s`);
  const rssMb = Number(/maxrss (\d+)/.exec(r.stderr)![1]) / 1024;
  assert.ok(rssMb < 1024, `${rssMb} MB`);
  assert.match(r.stderr, /^warning: .*giant\.json: adaptation\.head\[0\]\.data: expected a base64 string of 12288 float32 numbers, got an object; re-adapted from its 20 samples$/m);
  assert.deepEqual(JSON.parse(r.stdout), [intactMs[0]]);
});

test('predict: the four files that printed wrong numbers print the intact device\'s, with one warning each', () => {
  const wrong = ['coef-string', 'source-999', 'intercept-1e308', 'coef-short'];
  const files = wrong.map((n) => {
    const mutate = BAD_ADAPTATIONS.find((m) => m[0] === n)![1];
    // Distinct names, so that --json keys them apart.
    return mutant(`${n}-cli`, (d) => (mutate(d), (d.name = n)));
  });
  const r = run('predict', '--space', 'nasbench201', ...files.flatMap((f) => ['--device', f]), ...QUERIES.flatMap((q) => ['--arch', q]), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const n of wrong) assert.deepEqual(out[n], intactMs, n);
  const warnings = r.stderr.trim().split('\n');
  assert.equal(warnings.length, 4, r.stderr);
  wrong.forEach((n, k) => assert.match(warnings[k], new RegExp(`^warning: .*${n}-cli\\.json: adaptation.*; re-adapted from its 20 samples$`)));
});

test('a device file must be a regular file of a sensible size', () => {
  const fifo = path.join(tmp, 'fifo.json');
  if (process.platform !== 'win32' && spawnSync('mkfifo', [fifo]).status === 0) {
    assert.throws(() => p.readDeviceFile(fifo), /fifo\.json: not a regular file/);
  }
  assert.throws(() => p.readDeviceFile(tmp), /not a regular file/);
});

// ---- item 8: names that slug alike map to distinct files ----

function fakeDevice(name: string): DeviceFile {
  return { ...intact, name };
}
const fakeRecord = (name: string) => ({ space: 'nasbench201', device: name, samples: samplesOf() }) as unknown as SamplesRecord;

test('"a b" and "a-b" get distinct files; an older file keeps serving its own name; a clash is refused', () => {
  const dir = path.join(tmp, 'store');
  fs.mkdirSync(dir);
  const names = ['a b', 'a-b', 'A-B', 'a/b', 'a\u202eb'];
  const files = names.map((n) => deviceFileIn(dir, 'nasbench201', n));
  assert.equal(new Set(files.map((f) => f.toLowerCase())).size, names.length, files.join(', '));
  names.forEach((n, k) => saveAdapted(files[k], fakeDevice(n), fakeRecord(n)));
  names.forEach((n, k) => assert.equal(JSON.parse(fs.readFileSync(files[k], 'utf8')).name, n));
  for (const f of files) assert.equal(path.dirname(f), dir);
  // A device saved before names were hashed: its exact name still finds its file, another name does not.
  const legacy = path.join(dir, 'board.nasbench201.json');
  fs.writeFileSync(legacy, JSON.stringify(fakeDevice('board')));
  assert.equal(deviceFileIn(dir, 'nasbench201', 'board'), legacy);
  assert.notEqual(deviceFileIn(dir, 'nasbench201', 'board!'), legacy);
  // A file at a name's path that holds another device (a hash clash) is not overwritten.
  const x = deviceFileIn(dir, 'nasbench201', 'x');
  fs.writeFileSync(x, JSON.stringify(fakeDevice('y')));
  assert.throws(() => deviceFileIn(dir, 'nasbench201', 'x'), /holds the device "y": not overwriting it with "x"/);
});

// ---- item 9: the device and its raw samples stay a pair; writes leave no temporary files ----

test('raw samples newer than their device (a save killed between the renames) are adapted from', () => {
  const dir = path.join(tmp, 'pair');
  fs.mkdirSync(dir);
  const file = deviceFileIn(dir, 'nasbench201', 'pair');
  saveAdapted(file, { ...intact, name: 'pair' }, fakeRecord('pair'));
  assert.deepEqual(p.predict(p.open(p.readDeviceFile(file)), QUERIES), intactMs);
  // The first rename of a second save happened (samples twice as slow), the second did not.
  fs.writeFileSync(samplesPathFor(file), JSON.stringify({ space: 'nasbench201', device: 'pair', samples: samplesOf(2) }));
  const r = readWithWarnings(file);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /the raw samples beside it \(pair-[0-9a-f]{12}\.nasbench201\.samples\.json\) are newer than it \(its save was interrupted\): adapted from their 20 samples/);
  const slow = p.predict(p.open(r.device), QUERIES);
  const expected = p.predict(p.open(p.adapt('pair', samplesOf(2))), QUERIES);
  slow.forEach((ms, k) => assert.ok(Math.abs(ms - expected[k]) < 1e-9 && ms > 1.5 * intactMs[k], `${ms} vs ${expected[k]}`));
  // Raw samples that cannot be adapted from are reported and the device is used as saved.
  fs.writeFileSync(samplesPathFor(file), '{"space": "nasbench201", "samples": [1]}');
  const g = readWithWarnings(file);
  assert.match(g.warnings[0], /do not belong to it and cannot be adapted from \(.*sample 1 is not an object\): using the device as saved/);
  assert.deepEqual(p.predict(p.open(g.device), QUERIES), intactMs);
});

test('one atomic write for devices and weights; a killed writer\'s temporary file is removed by the next write', () => {
  assert.equal(writeFileAtomic, writeFileAtomicSync);
  const dir = path.join(tmp, 'atomic');
  fs.mkdirSync(dir);
  const target = path.join(dir, 'dev.json');
  // A writer killed between its write and its rename: its pid no longer runs.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const stale = path.join(dir, `.dev.json.${dead}.0123456789abcdef.tmp`);
  fs.writeFileSync(stale, 'x'.repeat(295_000));
  // One of a writer that still runs (this process) is left alone.
  const live = path.join(dir, `.dev.json.${process.pid}.fedcba9876543210.tmp`);
  fs.writeFileSync(live, 'y');
  writeFileAtomicSync(target, '{}\n');
  assert.deepEqual(fs.readdirSync(dir).sort(), [path.basename(live), 'dev.json'].sort());
});

test('adapt --out a folder or into a missing folder: exit 2, one line, no temporary file', () => {
  const samples = path.join(tmp, 'samples.json');
  const outDir = path.join(tmp, 'out-dir');
  fs.mkdirSync(outDir);
  const before = fs.readdirSync(tmp).sort();
  expectBadInput(run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', outDir), /^error: cannot write .*out-dir: it is a folder \(EISDIR\)$/);
  expectBadInput(run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', path.join(tmp, 'nonexist', 'x.json')), /^error: cannot write .*nonexist\/x\.json: the folder .*nonexist does not exist \(ENOENT\)$/);
  assert.deepEqual(fs.readdirSync(tmp).sort(), before);
  assert.deepEqual(fs.readdirSync(outDir), []);
  // The write itself (past the check) fails the same way and removes its temporary file.
  assert.throws(() => writeFileAtomicSync(outDir, 'x'), (e: Error) => e.name === 'SpecError' && /it is a folder/.test(e.message));
  assert.deepEqual(fs.readdirSync(tmp).sort(), before);
});
