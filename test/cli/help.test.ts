// The CLI's own error paths: per-command help, -h, --version, unknown options named (with a suggestion),
// extra arguments refused, all through the bundled dist/cli.js as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, root, runCli } from './helpers';
import { COMMAND_HELP } from '../../src/cli/help';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cli-help-'));
const run = (...args: string[]) => runCli(tmp, args);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

/** The commands the CLI registers: those its global usage lists, plus the internal meta-train-member. */
function publicCommands(): string[] {
  const r = run('--help');
  return Object.keys(COMMAND_HELP).filter((c) => !COMMAND_HELP[c].hidden && r.stdout.includes(`\n  ${c} `));
}

test('every command has its own help on stdout, exit 0, listing each of its options', () => {
  const commands = publicCommands();
  for (const c of ['references', 'adapt', 'predict', 'devices', 'eval', 'meta-train', 'bundle', 'nas', 'inspect', 'measure', 'adapt-local']) {
    assert.ok(commands.includes(c), `${c} in the global usage`);
  }
  for (const c of [...commands, 'meta-train-member']) {
    for (const form of [[c, '--help'], [c, '-h'], ['help', c]]) {
      const r = run(...form);
      assert.equal(r.code, 0, `${form.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', form.join(' '));
      assert.match(r.stdout, new RegExp(`^usage: node dist/cli\\.js ${c} `), form.join(' '));
      assert.doesNotMatch(r.stdout, /<command>/, `${form.join(' ')}: not the global usage`);
      for (const o of COMMAND_HELP[c].options) assert.match(r.stdout, new RegExp(`\\n  --${o.name}\\b`), `${form.join(' ')} lists --${o.name}`);
    }
  }
});

test('--help wins over other arguments, even bad ones', () => {
  const r = run('predict', '--space', 'nasbench201', '--jsno', '--help');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^usage: node dist\/cli\.js predict /);
});

test('-h, --help and help alone print the global usage, exit 0', () => {
  for (const form of [['-h'], ['--help'], ['help']]) {
    const r = run(...form);
    assert.equal(r.code, 0, `${form.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /usage: node dist\/cli\.js <command> \[options\]/);
    assert.match(r.stdout, /\n {2}predict --space S/);
  }
});

test('--version prints the package version, exit 0', () => {
  for (const form of [['--version'], ['predict', '--version']]) {
    const r = run(...form);
    assert.equal(r.code, 0, `${form.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
});

test('an unknown option is refused by name, with the closest known option when there is one', () => {
  // Before the fix `--jsno` took the next argument as its value, or said "needs a value" at the end.
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--jsno'), /^error: unknown option --jsno for predict \(did you mean --json\?\)$/);
  expectBadInput(run('predict', '--jsno', '--space', 'nasbench201'), /^error: unknown option --jsno for predict \(did you mean --json\?\)$/);
  expectBadInput(run('adapt', '--space', 'nasbench201', '--sample', 'x.json', '--out', 'y.json'), /unknown option --sample for adapt \(did you mean --samples\?\)/);
  expectBadInput(run('nas', '--budgte', '3'), /unknown option --budgte for nas \(did you mean --budget\?\)/);
  expectBadInput(run('devices', '--frobnicate'), /^error: unknown option --frobnicate for devices \(known: --space --adapted --json --weights\)$/);
  expectBadInput(run('devices', '-x'), /^error: unknown option -x for devices/);
  expectBadInput(run('--jsno'), /^error: unknown option --jsno/);
});

test('an unexpected positional argument is refused by name', () => {
  expectBadInput(run('references', '--space', 'nasbench201', '--json', 'extra'), /^error: unexpected argument "extra" for references/);
  expectBadInput(run('predict', '--space', 'nasbench201', '--device', 'gold_6226', '--json', 'extra'), /^error: unexpected argument "extra" for predict/);
  expectBadInput(run('inspect', 'a.onnx', 'b.onnx'), /^error: unexpected argument "b\.onnx" for inspect/);
  expectBadInput(run('help', 'predict', 'extra'), /^error: unexpected argument "extra" for help/);
});

test('option values: a missing value, a value on a flag that takes none, --name=value and --', () => {
  expectBadInput(run('adapt', '--space', 'nasbench201', '--samples'), /^error: --samples needs a value/);
  expectBadInput(run('adapt', '--space', 'nasbench201', '--samples', '--out', 'x.json'), /^error: --samples needs a value/);
  expectBadInput(run('references', '--space', 'nasbench201', '--json=yes'), /^error: --json takes no value$/);
  const eq = run('references', '--space=nasbench201', '--json');
  assert.equal(eq.code, 0, eq.stderr);
  assert.equal(JSON.parse(eq.stdout).length, 10);
  // Options may still come before the command.
  const before = run('--space', 'nasbench201', 'references');
  assert.equal(before.code, 0, before.stderr);
  // After `--`, an argument starting with a dash is a file name.
  expectBadInput(run('inspect', '--', '-model.onnx'), /-model\.onnx/);
});

test('unknown commands, with and without --help, exit 2 with one line', () => {
  expectBadInput(run('frobnicate'), /^error: unknown command "frobnicate"/);
  expectBadInput(run('frobnicate', '--help'), /^error: unknown command "frobnicate"/);
  expectBadInput(run('help', 'frobnicate'), /^error: unknown command "frobnicate"/);
});

test('no command prints the usage on stderr, exit 2, nothing on stdout', () => {
  const r = run();
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /usage: node dist\/cli\.js <command>/);
});
