// `specs FILE [--json]`: the editor's finders from the command line, whole-text and chunked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expectBadInput, runCli } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-specs-'));
const run = (...args: string[]) => runCli(tmp, args);

const CELL = '|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|';
const FBNET = Array.from({ length: 22 }, (_, i) => (i % 3 === 0 ? 'skip' : 'k3_e1')).map((o) => `'${o}'`);
const OFA = '{"ks": [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5], "e": [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4], "d": [2, 3, 4, 2, 3], "r": 224}';

test('specs: space, spec, line and column of each spec, found whole-text and in chunks', () => {
  const file = path.join(tmp, 'model.py');
  fs.writeFileSync(file, `import torch\n\ncell = "${CELL}"\n\ndef f():\n    blocks = [${FBNET.join(', ')}]\n    cfg = ${OFA}\n`);
  const r = run('specs', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.specs.map((s: { space: string; line: number; column: number; foundBy: string[] }) => [s.space, s.line, s.column, s.foundBy.join('+')]),
    [
      ['nasbench201', 3, 9, 'whole+chunked'],
      ['fbnet', 6, 14, 'whole+chunked'],
      ['ofa', 7, 11, 'whole+chunked'],
    ],
  );
  assert.equal(report.specs[0].spec, CELL);
  assert.equal(report.specs[1].spec, JSON.stringify(FBNET.map((o) => o.slice(1, -1))));
  assert.ok(report.specs.every((s: { error?: string }) => s.error === undefined));
  assert.deepEqual([report.whole, report.chunked], [{ count: 3 }, { count: 3 }]);

  const text = run('specs', file);
  assert.equal(text.code, 0, text.stderr);
  const lines = text.stdout.trim().split('\n');
  assert.match(lines[0], /model\.py: 3 specs \(whole text\), 3 in chunks/);
  assert.match(lines[1], /model\.py:3:9 +nasbench201 +\|nor_conv_3x3~0\|/);
  assert.match(lines[3], /model\.py:7:11 +ofa +\{"ks":\[3,5,7/);
});

test('specs: near-misses with the parser message, the problem position and the suggested fix', () => {
  const file = path.join(tmp, 'near.py');
  const bad = CELL.replace('|+|skip_connect~0|avg_pool_3x3~1|', '|+|skip_connect~0|avg_pool_3x3~3|');
  fs.writeFileSync(file, `ok = "${CELL}"
bad = "${bad}"
prose = "a | b + c | d"
`);
  const r = run('specs', file, '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.specs.length, 1);
  assert.equal(report.near.length, 1);
  const n = report.near[0];
  assert.equal(n.space, 'nasbench201');
  assert.match(n.message, /node 2, edge 3->2: wrong input index 3 \(node 2 takes inputs 0\.\.1\)/);
  assert.deepEqual([n.line, n.column], [2, 8 + bad.indexOf('~3')]);
  assert.deepEqual(n.fixes.map((f: { text: string }) => f.text), ['1']);
  assert.equal(n.preferred, true);
  const text = run('specs', file);
  assert.match(text.stdout, /1 near-miss \(almost a spec\):\n.*near\.py:2:\d+ +nasbench201 +NAS-Bench-201 cell: node 2, edge 3->2: wrong input index 3 .*fix: Replace with `~1`/);
});

test('specs: a file without specs lists none; a hostile one finishes and lists what it has', () => {
  const empty = path.join(tmp, 'empty.txt');
  fs.writeFileSync(empty, 'nothing here {} [] ()\n');
  const r = run('specs', empty, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).specs, []);
  assert.deepEqual(JSON.parse(r.stdout).near, []);
  // Banner comments around a list (exponential for the old FBNet pattern) and 100 KB of "{ks:" (quadratic).
  const hostile = path.join(tmp, 'hostile.py');
  fs.writeFileSync(hostile, `blocks = [\n  ${'#'.repeat(40)}\n  'k3_e1',\n]\n${'{ks:'.repeat(25_000)}\narch = [${FBNET.join(', ')}]\n`);
  const t0 = Date.now();
  const h = run('specs', hostile, '--json');
  assert.equal(h.code, 0, h.stderr);
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  assert.deepEqual(JSON.parse(h.stdout).specs.map((s: { space: string }) => s.space), ['fbnet']);
});

test('specs: unreadable file, directory, FIFO and usage errors exit 2 with one line', () => {
  expectBadInput(run('specs', path.join(tmp, 'missing.txt')), /cannot read .*missing\.txt: ENOENT/);
  expectBadInput(run('specs', tmp), /is a directory/);
  expectBadInput(run('specs'), /usage: specs FILE/);
  expectBadInput(run('specs', 'a', 'b'), /unexpected argument "b" for specs/);
  const fifo = path.join(tmp, 'fifo.txt');
  if (spawnSync('mkfifo', [fifo]).status === 0) expectBadInput(run('specs', fifo), /not a regular file/);
});
