// The CLI's ONNX contracts: `inspect FILE.onnx` and `predict --onnx FILE`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { root, runCli } from './helpers';

const fixture = (...p: string[]) => path.join(root, 'test', 'fixtures', 'onnx', ...p);

const run = (...args: string[]) => runCli(root, args);

test('inspect names the space and spec of an exported model', () => {
  const r = run('inspect', fixture('torch', 'fbnet-a.onnx'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.space, 'fbnet');
  assert.equal(JSON.parse(out.spec).length, 22);
  const text = run('inspect', fixture('torch', 'resnet-small.onnx'));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /lies outside the known spaces/);
});

test('inspect of a hostile file is one line naming the file, exit 2', () => {
  const r = run('inspect', fixture('hostile', 'truncated-half.onnx'));
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /truncated-half\.onnx/);
});

test('predict --onnx infers the space and equals predict --arch with the recognised spec', () => {
  const model = fixture('torch', 'ofa-a.onnx');
  const spec = JSON.parse(run('inspect', model, '--json').stdout).spec as string;
  const a = run('predict', '--onnx', model, '--device', 'titan_rtx_32', '--json');
  const b = run('predict', '--space', 'ofa', '--arch', spec, '--device', 'titan_rtx_32', '--json');
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout));
  // In place of --arch, too.
  const c = run('predict', '--arch', model, '--device', 'titan_rtx_32', '--json');
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), JSON.parse(b.stdout));
  assert.equal(JSON.parse(a.stdout).length, 1);
  assert.ok(JSON.parse(a.stdout)[0] > 0);
});

test('predict --onnx refuses a model of another space or of no space', () => {
  const other = run('predict', '--space', 'nasbench201', '--onnx', fixture('torch', 'ofa-a.onnx'), '--device', 'titan_rtx_1');
  assert.equal(other.code, 2);
  assert.match(other.stderr, /ofa-a\.onnx: is an architecture of ofa, not nasbench201/);
  const none = run('predict', '--onnx', fixture('torch', 'resnet-small.onnx'), '--device', 'fpga');
  assert.equal(none.code, 2);
  assert.match(none.stderr, /resnet-small\.onnx: not an architecture of a known space/);
});

test('inspect --input-shape: given shapes are used; a wrong name, rank or fixed dim is one line, exit 2', () => {
  const model = fixture('torch', 'resnet-small.onnx');
  const ok = run('inspect', model, '--json', '--input-shape', 'input=1x3x32x32');
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).summary.inputs[0].shape, [1, 3, 32, 32]);
  for (const [arg, re] of [
    ['nope=1x3', /--input-shape "nope": the model has no such input \(inputs: "input"\)/],
    ['input=1x3', /--input-shape "input": 2 dims, the model declares 4/],
    ['input=1x3x16x16', /--input-shape "input": dim 2 is 16, the model fixes it at 32/],
    ['input=1xfoo', /dims must be positive integers/],
  ] as [string, RegExp][]) {
    const r = run('inspect', model, '--input-shape', arg);
    assert.equal(r.code, 2, arg);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, re);
  }
});
