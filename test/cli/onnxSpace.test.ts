// CLI contracts of the onnx space: adapt-local --space onnx (short protocol), predict --device DEVICE.json
// --onnx FILE --json (a JSON array of ms in input order, any model), measure --onnx with dynamic dims,
// device-file validation and bad input (exit 2, one line).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './helpers';
import { ifMatMulModel } from '../core/onnx/helpers';
import { ONNX_REFERENCES } from '../../src/core/onnx/referenceModels';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-cli-onnx-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const QUICK = ['--passes', '1', '--runs', '1', '--warmup', '0'];
const device = path.join(tmp, 'dev.json');
const models = ['mlp', 'conv-l', 'transformer-s'].map((n) => {
  const f = path.join(tmp, `${n}.onnx`);
  fs.writeFileSync(f, ONNX_REFERENCES.find((r) => r.name === n)!.write());
  return f;
});

function oneLine(r: { code: number | null; stderr: string }, pattern: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

test('adapt-local --space onnx writes a validated device; predict prints a JSON array in input order', () => {
  const a = runCli(tmp, ['adapt-local', '--space', 'onnx', '--out', device, ...QUICK]);
  assert.equal(a.code, 0, a.stderr);
  const d = JSON.parse(fs.readFileSync(device, 'utf8'));
  assert.equal(d.space, 'onnx');
  assert.equal(d.samples.length, ONNX_REFERENCES.length);
  const p = runCli(tmp, ['predict', '--device', device, '--onnx', models[0], '--onnx', models[1], '--onnx', models[2], '--json']);
  assert.equal(p.code, 0, p.stderr);
  const ms = JSON.parse(p.stdout);
  assert.equal(ms.length, 3);
  assert.ok(ms.every((v: number) => typeof v === 'number' && v > 0));
  // conv-l (685 M MACs) is far slower than the mlp (4 M MACs).
  assert.ok(ms[1] > 5 * ms[0], String(ms));
  const q = runCli(tmp, ['predict', '--device', device, '--onnx', models[1], '--onnx', models[0], '--json']);
  assert.deepEqual(JSON.parse(q.stdout), [ms[1], ms[0]]);
});

test('predict on a model whose If branch depends on its input: the mean on stdout, each branch in a note on stderr', () => {
  // then: one 256x256 MatMul on x [64, 256]; else: four.
  const file = path.join(tmp, 'gated.onnx');
  fs.writeFileSync(file, ifMatMulModel('input', 64, 256, [256], [256, 256, 256, 256]));
  const p = runCli(tmp, ['predict', '--device', device, '--onnx', file, '--json']);
  assert.equal(p.code, 0, p.stderr);
  const [ms] = JSON.parse(p.stdout);
  const m = /note: .*gated\.onnx: .*: an If branch depends on the data: ([\d.e+-]+) to ([\d.e+-]+) ms by the branch taken/.exec(p.stderr);
  assert.ok(m, p.stderr);
  const [low, high] = [Number(m[1]), Number(m[2])];
  assert.ok(low < ms && ms < high, `${low} < ${ms} < ${high}`);
  // The costlier branch does four times the multiply-adds.
  assert.ok(high > 2 * low, `${low} ${high}`);
});

test('bad input: exit 2 and one line', () => {
  if (!fs.existsSync(device)) fs.writeFileSync(device, '{}');
  const broken = path.join(tmp, 'broken.json');
  const d = JSON.parse(fs.readFileSync(device, 'utf8'));
  fs.writeFileSync(broken, JSON.stringify({ ...d, costs: [1, 2] }));
  oneLine(runCli(tmp, ['predict', '--space', 'onnx', '--device', broken, '--onnx', models[0], '--json']), /broken\.json: costs: expected \d+ non-negative/);
  oneLine(runCli(tmp, ['predict', '--device', device, '--onnx', path.join(tmp, 'missing.onnx'), '--json']), /missing\.onnx/);
  oneLine(runCli(tmp, ['predict', '--device', device, '--onnx', models[0], '--input-shape', 'nope=1x2', '--json']), /--input-shape "nope"/);
  oneLine(runCli(tmp, ['predict', '--device', device, '--onnx', models[0], '--input-shape', 'input=1x7', '--json']), /dim 1 is 7, the model fixes it at 1024/);
  oneLine(runCli(tmp, ['adapt-local', '--space', 'onnx', '--out', path.join(tmp, 'no', 'such', 'dir', 'x.json'), ...QUICK]), /./);
  oneLine(runCli(tmp, ['measure', '--onnx', models[0], '--passes', 'x']), /--passes/);
});

test('measure --onnx measures any model and takes --input-shape', () => {
  const r = runCli(tmp, ['measure', '--onnx', models[0], '--input-shape', 'input=1x1024', '--json', ...QUICK]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  assert.equal(rows.length, 1);
  assert.ok(rows[0].fastest_ms > 0 && rows[0].median_ms >= rows[0].fastest_ms);
});

test('adapt-local --space onnx --shot adds a measured shot beside the references', () => {
  const out = path.join(tmp, 'shot.json');
  const a = runCli(tmp, ['adapt-local', '--space', 'onnx', '--out', out, '--shot', models[0], '--input-shape', 'input=1x1024', ...QUICK]);
  assert.equal(a.code, 0, a.stderr);
  const d = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(d.samples.length, ONNX_REFERENCES.length + 1);
  assert.deepEqual([d.samples.at(-1).arch, d.samples.at(-1).reference], [models[0], false]);
  oneLine(runCli(tmp, ['adapt-local', '--space', 'onnx', '--out', out, '--shot', path.join(tmp, 'nope.onnx'), ...QUICK]), /nope\.onnx/);
});
