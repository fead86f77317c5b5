// Hostile text echoed by the CLI (issue 16, items 11 and 14): bidi overrides (U+202E), ANSI escape
// sequences and binary bytes in device names, architecture strings, file names, option names and runner
// output must reach the terminal neutralised (escaped or stripped), in error messages, tables and progress
// lines alike. Through the bundled dist/cli.js (`node esbuild.js` first), as a user runs it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliResult, expectBadInput, root, runCli } from '../cli/helpers';
import { lfield, valueInfo, vfield } from '../protoBytes';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const run = (...args: string[]) => runCli(tmp, args);

const RLO = '\u202e';
/** Recolours, retitles the terminal, clears the screen, then a C1 CSI, a bidi override and binary bytes (no
 *  NUL: arguments cannot hold one; HOSTILE_DATA, in files, does). */
const HOSTILE = `\x1b[31m\x1b]0;pwned\x07\x1b[2J\x9b${RLO}gnp.exe\x01\x7f`;
const HOSTILE_DATA = `${HOSTILE}\x00\x02`;

const data = path.join(root, 'data', 'nasbench201');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
const refIdx: number[] = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
const gold: number[] = JSON.parse(fs.readFileSync(path.join(data, 'latency', 'gold_6226.json'), 'utf8'));
const CELL = archs[5];

/** No escape, control, bidi or invisible character reaches the terminal (newlines between lines only). */
function assertInert(text: string, where: string) {
  const bad = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u.exec(text);
  assert.equal(bad, null, `${where}: raw U+${bad?.[0].codePointAt(0)!.toString(16).padStart(4, '0')} in ${JSON.stringify(text.slice(0, 400))}`);
}

/** Exit 2, one line, nothing raw, and the bidi override shown as an escape. */
function expectNeutralisedError(r: CliResult, pattern: RegExp) {
  expectBadInput(r, pattern);
  assertInert(r.stderr, 'stderr');
  assertInert(r.stdout, 'stdout');
  assert.match(r.stderr, /\\u\{202e\}/, `the override is shown as an escape: ${r.stderr}`);
}

test('a device name given on the command line is echoed escaped in the error', () => {
  expectNeutralisedError(run('predict', '--space', 'nasbench201', '--device', `evil${HOSTILE}`, '--arch', CELL), /^error: unknown device "evil\\x9b\\u\{202e\}gnp\.exe\\x01\\x7f" for nasbench201/);
  expectNeutralisedError(run('nas', '--space', 'nasbench201', '--device', `evil${HOSTILE}`, '--budget', '5'), /unknown device "evil/);
});

test('an architecture string (argument or file entry, with binary bytes) is echoed escaped', () => {
  const bad = (h: string) => `|nor${RLO}${h}~0|+|none~0|none~1|+|none~0|none~1|none~2|`;
  expectNeutralisedError(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--arch', bad(HOSTILE)), /^error: --arch 1: /);
  const file = path.join(tmp, 'archs.json');
  fs.writeFileSync(file, JSON.stringify([CELL, bad(HOSTILE_DATA)]));
  expectNeutralisedError(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--archs', file), /archs\.json: entry 2: /);
});

test('a file name is echoed escaped', () => {
  const missing = path.join(tmp, `no${HOSTILE}.json`);
  expectNeutralisedError(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--archs', missing), /cannot read architectures file .*ENOENT/);
  expectNeutralisedError(run('adapt', '--space', 'nasbench201', '--samples', missing, '--out', path.join(tmp, 'd.json')), /cannot read samples file/);
  expectNeutralisedError(run('inspect', missing.replace(/\.json$/, '.onnx')), /gnp\.exe\\x01\\x7f\.onnx: cannot read/);
});

test('option names, commands and extra arguments are echoed escaped', () => {
  expectNeutralisedError(run('predict', `--js${HOSTILE}`), /^error: unknown option --js/);
  expectNeutralisedError(run(`frob${HOSTILE}`), /^error: unknown command "frob/);
  expectNeutralisedError(run('references', '--space', 'nasbench201', `x${HOSTILE}`), /^error: unexpected argument "x/);
  expectNeutralisedError(run('references', '--space', `nope${HOSTILE}`), /unknown space "nope/);
});

test('a newline in echoed text keeps the error on one line; a huge echo is cut', () => {
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'a\nb\nc', '--arch', CELL), /unknown device "a\\x0ab\\x0ac"/);
  const r = run('predict', '--space', 'nasbench201', '--device', 'd'.repeat(100_000), '--arch', CELL);
  expectBadInput(r, /unknown device "ddd.*\.\.\. \(\d+ more characters\)$/);
  assert.ok(r.stderr.length < 3000, `${r.stderr.length} characters on stderr`);
});

test('a device named with ANSI codes and a bidi override in its samples file shows escaped in adapt, predict and nas', () => {
  const samples = path.join(tmp, 'samples.json');
  const name = `\x1b[31mred\x1b[0m${RLO}lab\x07`;
  const shots = [17, 230, 411, 512, 640];
  fs.writeFileSync(samples, JSON.stringify({ space: 'nasbench201', device: name, samples: [...refIdx, ...shots].map((i) => ({ arch: archs[i], latency_ms: gold[i] })) }));
  const device = path.join(tmp, 'device.json');
  const a = run('adapt', '--space', 'nasbench201', '--samples', samples, '--out', device);
  assert.equal(a.code, 0, a.stderr);
  assertInert(a.stderr, 'adapt stderr');
  assert.match(a.stderr, /adapted "red\\u\{202e\}lab\\x07"/);

  const p = run('predict', '--space', 'nasbench201', '--device', device, '--device', 'gold_6226', '--arch', CELL);
  assert.equal(p.code, 0, p.stderr);
  assertInert(p.stdout, 'predict table');
  const [header, row] = p.stdout.trimEnd().split('\n');
  assert.match(header, /red\\u\{202e\}lab\\x07 {2}gold_6226$/);
  // The columns stay aligned: each value ends where its (escaped) header ends.
  assert.equal(row.length, header.length, `${header}\n${row}`);
  // --json is data: the name exactly as written (JSON escapes its control characters).
  const j = run('predict', '--space', 'nasbench201', '--device', device, '--device', 'gold_6226', '--arch', CELL, '--json');
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(Object.keys(JSON.parse(j.stdout)), [name, 'gold_6226']);

  const n = run('nas', '--space', 'nasbench201', '--device', device, '--budget', '50', '--start', CELL, '--max-edits', '1');
  assert.equal(n.code, 0, n.stderr);
  assertInert(n.stdout, 'nas report');
  assert.match(n.stdout, /^nas nasbench201 on red\\u\{202e\}lab\\x07, budget 50 ms/);
});

test('runner output quoted in measurement warnings and errors is neutralised', () => {
  const script = path.join(tmp, 'hostile-device.js');
  fs.writeFileSync(script, `process.stdout.write(${JSON.stringify(`\x1b]0;pwned\x07\x1b[31mnot a number ${RLO}evil\x00`)}); process.exit(3);\n`);
  const list = path.join(tmp, 'one.json');
  fs.writeFileSync(list, JSON.stringify([CELL]));
  const r = run('measure', '--space', 'nasbench201', '--runner', 'command', '--command', `${JSON.stringify(process.execPath)} ${JSON.stringify(script)} {model}`,
    '--archs', list, '--out', path.join(tmp, 'm.json'), '--passes', '1', '--runs', '1', '--warmup', '0', '--name', `board${RLO}`);
  assert.notEqual(r.code, 0, 'nothing could be measured');
  assertInert(r.stderr, 'measure stderr');
  assert.match(r.stderr, /not a number \\u\{202e\}evil/, r.stderr);
});

/** A one-node ONNX model whose producer, tensor, node and operator names all carry `h`. */
function onnxWithNames(file: string, h: string) {
  const node = lfield(1, Buffer.concat([lfield(1, `in${h}`), lfield(2, `out${h}`), lfield(3, `node${h}`), lfield(4, `Op${h}`)]));
  const graph = Buffer.concat([node, lfield(2, `g${h}`), lfield(11, valueInfo(`in${h}`, [1, 4])), lfield(12, valueInfo(`out${h}`, [1, 4]))]);
  fs.writeFileSync(file, Buffer.concat([vfield(1, 8), lfield(2, `producer${h}`), lfield(8, vfield(2, 13)), lfield(7, graph)]));
}

test('inspect shows names from the model with escape sequences and bidi overrides neutralised', () => {
  const file = path.join(tmp, 'names.onnx');
  onnxWithNames(file, HOSTILE_DATA);
  const r = run('inspect', file);
  assert.equal(r.code, 0, r.stderr);
  assertInert(r.stdout, 'inspect summary');
  assert.match(r.stdout, /producer: producer\\x9b\\u\{202e\}gnp\.exe\\x01\\x7f\\x00\\x02/);
  assert.match(r.stdout, /\(Op\\x9b\\u\{202e\}gnp\.exe/);
  const j = run('inspect', file, '--json');
  assert.equal(j.code, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).summary.producer.startsWith(`producer${HOSTILE_DATA}`), true);
});

test('an option repeated 50,000 times is parsed in linear time', () => {
  // Each repetition used to copy the values gathered so far: 50k took 33 s.
  const t0 = Date.now();
  const r = run('devices', '--json', ...Array.from({ length: 50_000 }, () => ['--space', 'nasbench201']).flat());
  const ms = Date.now() - t0;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).length > 0);
  assert.ok(ms < 8000, `${ms} ms`);
});
