// `nas` CLI contract, through the bundled dist/cli.js (run `node esbuild.js` first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliResult, expectBadInput as expectOneLineError, root, runCli } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-nas-'));
const data = path.join(root, 'data', 'nasbench201');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
const gold: number[] = JSON.parse(fs.readFileSync(path.join(data, 'latency', 'gold_6226.json'), 'utf8'));

const run = (args: string[], env: Record<string, string> = {}) => runCli(tmp, args, env);

function expectBadInput(r: CliResult, pattern: RegExp) {
  expectOneLineError(r, pattern);
  assert.equal(r.stdout, '');
}

test('nas --json: one JSON object with the chosen spec, predicted and measured ms, accuracy, feasible count', () => {
  const r = run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '11', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const o = JSON.parse(lines[0]);
  assert.equal(o.space, 'nasbench201');
  assert.equal(o.device, 'gold_6226');
  assert.equal(o.budget_ms, 11);
  assert.equal(o.mode, 'candidates');
  assert.match(o.spec, /^\|.+~0\|\+\|.+~2\|$/);
  // gold_6226 is adapted from 20 samples: the search keeps its estimated error as headroom.
  assert.ok(o.margin > 0 && o.margin < 0.2, String(o.margin));
  assert.ok(Math.abs(o.search_budget_ms - 11 / (1 + o.margin)) < 1e-9);
  assert.ok(o.predicted_ms > 0 && o.predicted_ms <= o.search_budget_ms);
  assert.ok(o.accuracy > 60 && o.accuracy < 80);
  assert.equal(o.searched, 500);
  assert.ok(Number.isInteger(o.feasible) && o.feasible > 0 && o.feasible <= 500);
  // gold_6226 has a full table: the measured latency of the chosen cell is reported.
  assert.equal(o.measured_ms, gold[archs.indexOf(o.spec)]);
  assert.equal(o.violates_budget, o.measured_ms > 11);
  // The choice is the most accurate of the feasible list.
  assert.ok(o.top.every((t: { accuracy: number; predicted_ms: number }) => t.accuracy <= o.accuracy && t.predicted_ms <= o.search_budget_ms));
});

test('nas --margin: 0 searches right up to the budget, a percentage sets the headroom, anything else exits 2', () => {
  const plain = JSON.parse(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '11', '--margin', '0', '--json']).stdout);
  assert.equal(plain.margin, 0);
  assert.equal(plain.search_budget_ms, 11);
  assert.ok(plain.predicted_ms <= 11);
  const five = JSON.parse(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '11', '--margin', '5%', '--json']).stdout);
  assert.equal(five.margin, 0.05);
  assert.ok(Math.abs(five.search_budget_ms - 11 / 1.05) < 1e-9);
  assert.ok(five.predicted_ms <= five.search_budget_ms);
  // Less headroom never picks a less accurate candidate.
  assert.ok(plain.accuracy >= five.accuracy);
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '11', '--margin', 'lots']), /--margin must be "auto" or a percentage/);
  const text = run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '11']);
  assert.match(text.stdout, /searched under \d+\.\d\d ms \(margin \d+\.\d%/);
});

test('nas text output; a profile-only device has no measured latency', () => {
  const r = run(['nas', '--space', 'nasbench201', '--device', 'pixel2', '--budget', '20']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^nas nasbench201 on pixel2, budget 20 ms: 500 candidates/);
  assert.match(r.stdout, /\narchitecture +\|/);
  assert.match(r.stdout, /\npredicted +\d+\.\d\d ms/);
  assert.match(r.stdout, /\naccuracy +\d+\.\d\d%/);
  assert.match(r.stdout, /\nmeasured +n\/a/);
  const j = JSON.parse(run(['nas', '--space', 'nasbench201', '--device', 'pixel2', '--budget', '20', '--json']).stdout);
  assert.equal(j.measured_ms, null);
  assert.equal(j.violates_budget, null);
});

test('nas: a budget below every candidate exits 2 naming the fastest', () => {
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '0.5', '--json']), /^error: no candidate within 0\.\d\d ms \(the budget less a \d+\.\d% margin for prediction error; --margin 0 turns it off\) \(fastest: \d+\.\d\d ms\)$/);
});

test('nas: bad input exits 2 with one line', () => {
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'no_such_device', '--budget', '10']), /unknown device "no_such_device"/);
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '-3']), /--budget must be a positive number/);
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226']), /missing --budget/);
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '10', '--max-skips', '2']), /unknown option --max-skips/);
  expectBadInput(run(['nas', '--space', 'hat', '--device', 'x', '--budget', '10']), /nas supports nasbench201, fbnet and ofa/);
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '10', '--candidates', path.join(tmp, 'missing.csv')]), /cannot read candidates file/);
  const bad = path.join(tmp, 'bad.csv');
  fs.writeFileSync(bad, `${archs[0]}, 70\n|nor_conv_3x3~0|+|oops|, 71\n`);
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '10', '--candidates', bad]), /bad\.csv: line 2: NAS-Bench-201 cell/);
  expectBadInput(run(['nas', '--space', 'ofa', '--device', 'x', '--budget', '10', '--max-skips', '2']), /--max-skips applies to fbnet/);
  expectBadInput(run(['nas', '--space', 'fbnet', '--device', 'x', '--budget', '10', '--max-edits', '2']), /--max-edits needs --start SPEC/);
});

test('nas --candidates FILE, and a clear message when no candidate list is available', () => {
  const mine = path.join(tmp, 'mine.csv');
  // Two candidates: the more accurate one is much slower on gold_6226.
  const slow = archs.reduce((b, _, i) => (gold[i] > gold[b] ? i : b), 0);
  const fast = archs.reduce((b, _, i) => (gold[i] < gold[b] ? i : b), 0);
  fs.writeFileSync(mine, `${archs[slow]}, 90\n${archs[fast]}, 10\n`);
  const o = JSON.parse(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', String(gold[fast] * 2), '--candidates', mine, '--json']).stdout);
  assert.equal(o.spec, archs[fast]);
  assert.equal(o.accuracy, 10);
  assert.equal(o.feasible, 1);
  assert.equal(o.searched, 2);
  // An installed extension has no data/: without --candidates (or --start) nas says what to give.
  expectBadInput(run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '10'], { HELP_DATA_DIR: path.join(tmp, 'nodata') }), /no candidate list .*--candidates FILE/);
});

test('nas --start: the fewest edge changes within the budget', () => {
  const start = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
  const r = run(['nas', '--space', 'nasbench201', '--device', 'gold_6226', '--budget', '12', '--start', start, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.mode, 'nearest');
  assert.ok(o.edits >= 1 && o.edits <= 6);
  assert.ok(o.predicted_ms <= 12);
  const diff = (a: string, b: string) => {
    const ops = (s: string) => [...s.matchAll(/(\w+)~\d/g)].map((m) => m[1]);
    return ops(a).filter((op, e) => op !== ops(b)[e]).length;
  };
  assert.equal(diff(start, o.spec), o.edits);
  assert.ok(o.top.every((t: { edits: number }) => t.edits >= o.edits));
  assert.equal(o.measured_ms, gold[archs.indexOf(o.spec)]);
});
