// CLI contracts of `measure` and `adapt-local` through the bundled dist/cli.js (npm test builds it): the
// SAMPLES.json they write, bad input (exit 2, one line), device failures (exit 1, nothing written),
// adaptation in one go with the raw samples beside DEVICE.json, and Ctrl-C leaving the old file.
// Fast: a fake device command (test/fixtures/devices) and a short protocol; one real onnxruntime run.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, root, runCli } from './helpers';

const fixtures = path.join(root, 'test', 'fixtures', 'devices');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cli-measure-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const node = JSON.stringify(process.execPath);
const fake = `${node} ${JSON.stringify(path.join(fixtures, 'fake-device.js'))} {model}`;
const fast = `/bin/sh ${JSON.stringify(path.join(fixtures, 'fake-device.sh'))} {model}`;
const failing = `${node} ${JSON.stringify(path.join(fixtures, 'fail.js'))} {model}`;
const QUICK = ['--passes', '1', '--runs', '1', '--warmup', '0'];
const refs: string[] = JSON.parse(spawnSync(process.execPath, [cli, 'references', '--space', 'nasbench201', '--json'], { encoding: 'utf8' }).stdout);
const A = '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|';
const B = '|skip_connect~0|+|nor_conv_1x1~0|none~1|+|none~0|none~1|avg_pool_3x3~2|';
const archs = path.join(tmp, 'archs.json');
fs.writeFileSync(archs, JSON.stringify([B, A]));

const run = (...args: string[]) => runCli(tmp, args);

test('measure --archs with a device command writes SAMPLES.json with the spread per sample', () => {
  const out = path.join(tmp, 'samples.json');
  const r = run('measure', '--space', 'nasbench201', '--runner', 'command', '--command', fake, '--archs', archs, '--out', out, '--name', 'board', ...QUICK);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /measured 2 of 2 architectures/);
  const s = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(s.space, 'nasbench201');
  assert.equal(s.device, 'board');
  assert.deepEqual(s.samples.map((x: { arch: string }) => x.arch), [B, A]);
  for (const x of s.samples) {
    assert.ok(x.latency_ms > 0);
    assert.equal(typeof x.spread, 'number');
  }
  assert.equal(s.measurement.runner.runner, 'command');
  assert.equal(s.measurement.protocol.minPasses, 1);
  assert.deepEqual(s.measurement.dropped, []);
});

test('measure --references: the 10 references first; the file feeds `adapt`', () => {
  const out = path.join(tmp, 'refs.json');
  const r = run('measure', '--space', 'nasbench201', '--runner', 'command', '--command', fake, '--references', '--extra', '0', '--archs', archs, '--out', out, ...QUICK);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.deepEqual(s.samples.map((x: { arch: string }) => x.arch), [...refs, B, A]);
  const dev = path.join(tmp, 'from-samples.json');
  const a = run('adapt', '--space', 'nasbench201', '--samples', out, '--out', dev);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(JSON.parse(fs.readFileSync(dev, 'utf8')).samples.length, 12);
});

test('bad input: exit 2 and one line', () => {
  const out = path.join(tmp, 'bad.json');
  const cases: [string[], RegExp][] = [
    [['measure', '--space', 'nasbench201', '--runner', 'gpu', '--archs', archs, '--out', out], /unknown runner "gpu"/],
    [['measure', '--space', 'nasbench201', '--runner', 'command', '--archs', archs, '--out', out], /needs a command template/],
    [['measure', '--space', 'nasbench201', '--runner', 'command', '--command', 'bench x.onnx', '--archs', archs, '--out', out], /must contain \{model\}/],
    [['measure', '--space', 'nasbench201', '--runner', 'command', '--command', `${fake}; touch pwned`, '--archs', archs, '--out', out], /without a shell/],
    [['measure', '--space', 'nasbench201', '--runner', 'command', '--command', fake, '--threads', '2', '--archs', archs, '--out', out], /onnxruntime runner only/],
    [['measure', '--space', 'nasbench201', '--runner', 'onnxruntime', '--command', fake, '--archs', archs, '--out', out], /only with the command runner/],
    [['measure', '--space', 'nasbench201', '--runner', 'command', '--command', fake, '--timeout-s', '0', '--archs', archs, '--out', out], /--timeout-s must be a positive number/],
    [['measure', '--space', 'nasbench201', '--threads', '0', '--archs', archs, '--out', out], /--threads must be an integer >= 1/],
    [['measure', '--space', 'nasbench201', '--graph-opt', 'max', '--archs', archs, '--out', out], /graph optimisation level/],
    [['measure', '--space', 'nasbench201', '--passes', '3-2', '--archs', archs, '--out', out], /--passes must be MIN or MIN-MAX/],
    [['measure', '--space', 'nasbench201', '--out', out], /give --archs ARCHS.json or --references/],
    [['measure', '--space', 'nasbench201', '--extra', '3', '--archs', archs, '--out', out], /--extra goes with --references/],
    [['measure', '--space', 'nasbench201', '--archs', path.join(tmp, 'missing.json'), '--out', out], /cannot read architectures file .*ENOENT/],
    [['measure', '--space', 'hat', '--archs', archs, '--out', out], /hat architectures cannot be measured/],
    [['measure', '--space', 'nasbench201', '--archs', archs, '--out', path.join(tmp, 'no', 'such', 'dir', 'x.json')], /folder .* does not exist/],
    [['measure', '--space', 'nasbench201', '--archs', archs], /missing --out/],
    [['adapt-local', '--space', 'nasbench201', '--extra', '-1', '--out', out], /--extra must be an integer >= 0/],
    [['adapt-local', '--space', 'mnist', '--out', out], /unknown space|mnist/],
    [['adapt-local', '--space', 'nasbench201', '--archs', archs, '--out', out], /unknown option --archs/],
  ];
  const bad = path.join(tmp, 'bad-archs.json');
  fs.writeFileSync(bad, JSON.stringify(['|nor_conv_3x3~0|']));
  cases.push([['measure', '--space', 'nasbench201', '--archs', bad, '--out', out], /architecture 1:/]);
  for (const [args, pattern] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} (${r.stderr})`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: one line: ${r.stderr}`);
    assert.match(lines[0], pattern, args.join(' '));
  }
  assert.equal(fs.existsSync(out), false);
  assert.equal(fs.existsSync(path.join(tmp, 'pwned')), false);
});

test('a failing device: exit 1 with its error quoted, nothing written', () => {
  const out = path.join(tmp, 'failed.json');
  const r = run('measure', '--space', 'nasbench201', '--runner', 'command', '--command', failing, '--archs', archs, '--out', out, ...QUICK);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim().split('\n').pop()!, /^error: .*exited with code 3: "error: no devices\/emulators found"/);
  assert.equal(fs.existsSync(out), false);
});

test('adapt-local with a device command: DEVICE.json and its raw samples; a failed re-run keeps them', () => {
  const out = path.join(tmp, 'board.json');
  const r = run('adapt-local', '--space', 'nasbench201', '--runner', 'command', '--command', fast, '--extra', '2', '--out', out, ...QUICK);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /adapted "board" from 12 measurements/);
  const dev = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(dev.format, 'help-device');
  assert.equal(dev.samples.length, 12);
  const raw = JSON.parse(fs.readFileSync(path.join(tmp, 'board.samples.json'), 'utf8'));
  assert.equal(raw.samples.length, 12);
  assert.equal(raw.measurement.runner.command, fast);
  const p = run('predict', '--space', 'nasbench201', '--device', out, '--arch', A, '--json');
  assert.equal(p.code, 0, p.stderr);
  assert.ok(JSON.parse(p.stdout)[0] > 0);
  const before = fs.readFileSync(out);
  const again = run('adapt-local', '--space', 'nasbench201', '--runner', 'command', '--command', failing, '--extra', '0', '--out', out, ...QUICK);
  assert.equal(again.code, 1);
  assert.deepEqual(fs.readFileSync(out), before);
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.includes('board')).sort(), ['board.json', 'board.samples.json']);
});

test('adapt-local on this machine with onnxruntime (short protocol)', () => {
  const out = path.join(tmp, 'here.json');
  const r = run('adapt-local', '--space', 'nasbench201', '--extra', '1', '--threads', '1', '--out', out, '--passes', '1', '--runs', '5', '--warmup', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /measuring the 10 references and 1 more with onnxruntime \(1 thread, graph optimisation all\)/);
  const dev = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(dev.name, 'this machine');
  assert.equal(dev.samples.length, 11);
  const raw = JSON.parse(fs.readFileSync(path.join(tmp, 'here.samples.json'), 'utf8'));
  assert.deepEqual(raw.measurement.runner, { runner: 'onnxruntime', threads: 1, graphOptimizationLevel: 'all' });
  assert.ok(raw.samples.every((s: { latency_ms: number }) => s.latency_ms > 0.01 && s.latency_ms < 1000));
});

test('Ctrl-C during adapt-local: exit 130, nothing written, the old DEVICE.json intact', async () => {
  const out = path.join(tmp, 'board.json');
  const before = fs.readFileSync(out);
  const child = spawn(process.execPath, [cli, 'adapt-local', '--space', 'nasbench201', '--runner', 'command', '--command', `${fast} 0.1`, '--extra', '0', '--out', out, ...QUICK], { cwd: tmp });
  let err = '';
  child.stderr.setEncoding('utf8');
  const started = new Promise<void>((resolve) =>
    child.stderr.on('data', (s: string) => {
      err += s;
      if (/\d+ of \d+/.test(err)) resolve();
    }),
  );
  await started;
  await new Promise((r) => setTimeout(r, 250));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, err);
  assert.match(err, /cancelled; nothing was written/);
  assert.deepEqual(fs.readFileSync(out), before);
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith('.')), [], 'no temporary files');
});
