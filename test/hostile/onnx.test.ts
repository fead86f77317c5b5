// Hostile ONNX files (issue 16 items 4-6): small files that cost minutes and gigabytes in the summary,
// Identity chains that overflowed the stack, a FIFO that blocked `inspect`, external data of absurd length.
// Each case completes within a generous bound with the limit named, or is one line with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readOnnxFile } from '../../src/core/onnx/reader';
import { recogniseOnnx } from '../../src/core/onnx/recognise';
import { inferShapes, MAX_CONST, summariseOnnx } from '../../src/core/onnx/summary';
import { cli, expectBadInput, root, runCli } from '../cli/helpers';
import { attributeHeavy, constantConcats, emptyEntries, externalData, identityChain, manyAxes, squeezeAxes, unsqueezeAxes, wideNode } from './onnxGen';
import { within } from './bounded';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-onnx-test-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

test('Unsqueeze with 50,000 axes: the output shape is unknown, over the rank limit, naming the node', () => {
  unsqueezeAxes(file('unsqueeze.onnx'), 50_000);
  const s = within(5, () => summariseOnnx(readOnnxFile(file('unsqueeze.onnx'))));
  assert.equal(s.outputs[0].shape, 'unknown');
  assert.match(s.limits.join('\n'), /node "y" \(Unsqueeze\): output shape unknown \(rank 50001, over 64\)/);
});

test('Squeeze and ReduceMean over 10,000 axes stay bounded and say why', () => {
  for (const op of ['Squeeze', 'ReduceMean'] as const) {
    // After an Unsqueeze to rank 10,001 (quadratic in the old code: minutes at 50,000).
    squeezeAxes(file(`${op}.onnx`), 10_000, op);
    const s = within(5, () => summariseOnnx(readOnnxFile(file(`${op}.onnx`))));
    assert.equal(s.outputs[0].shape, 'unknown');
    assert.match(s.limits.join('\n'), /node "u" \(Unsqueeze\): output shape unknown \(rank 10001, over 64\)/, op);
    // Directly on a rank-4 input.
    manyAxes(file(`${op}-4.onnx`), 10_000, op);
    const d = within(5, () => summariseOnnx(readOnnxFile(file(`${op}-4.onnx`))));
    assert.match(d.limits.join('\n'), new RegExp(`node "y" \\(${op}\\): output shape unknown \\(10000 axes, over 64\\)`), op);
  }
});

test('Concats of a Constant with 200,000 value_ints keep shapes, not values', () => {
  constantConcats(file('concat.onnx'), 200_000, 10);
  const m = readOnnxFile(file('concat.onnx'));
  const { shapes, consts } = within(5, () => inferShapes(m));
  assert.deepEqual(shapes.get('k9'), [400_000]);
  assert.equal(consts.get('c'), undefined);
  assert.equal(consts.get('k9'), undefined);
  assert.ok([...consts.values()].every((v) => v.length <= MAX_CONST));
  // Past 1 MiB of values, the list is not read at all (16M values cost 1.3 GB as int64 objects).
  constantConcats(file('concat-2m.onnx'), 2_000_000, 3);
  const s = within(5, () => summariseOnnx(readOnnxFile(file('concat-2m.onnx'))));
  assert.equal(s.outputs[0].shape, 'unknown');
  assert.match(s.limits.join('\n'), /node "c" \(Constant\): output shape unknown \(attribute "value_ints": over 1048576 bytes or 65536 strings of values, not read\)/);
});

test('a few MB of empty value infos or initializers: one line naming the limit, not gigabytes', () => {
  for (const kind of ['value_info', 'initializer'] as const) {
    emptyEntries(file(`${kind}.onnx`), 1_500_000, kind);
    within(10, () => assert.throws(() => readOnnxFile(file(`${kind}.onnx`)), /value_info\.onnx|initializer\.onnx: more than 1000000 initializers, graph inputs, outputs and value infos/));
  }
});

test('a few MB of tiny attributes: one line naming the limit', () => {
  attributeHeavy(file('attrs.onnx'), 5, 15_000, 0);
  within(10, () => assert.throws(() => readOnnxFile(file('attrs.onnx')), /attrs\.onnx: more than 1000000 node attributes \(this reader's limit\)/));
});

test('5 MB of nodes with 60,000-value lists: past the model-wide budget, lists are not read', () => {
  attributeHeavy(file('lists.onnx'), 5, 1, 60_000);
  const s = within(5, () => summariseOnnx(readOnnxFile(file('lists.onnx'))));
  assert.match(s.limits.join('\n'), /\(Relu\): output shape unknown \(attribute "a": attribute values of the model over 4000000, not read\)/);
});

test('external data of absurd length or past its file: weight bytes unknown, with the reason', () => {
  externalData(file('ext-huge.onnx'), 'w.bin', '99999999999999999999');
  fs.writeFileSync(file('w.bin'), Buffer.alloc(16));
  const huge = summariseOnnx(readOnnxFile(file('ext-huge.onnx')));
  assert.equal(huge.weightBytes, 'unknown');
  assert.match(huge.limits.join('\n'), /initializer "W": weight bytes unknown \(external data length "99999999999999999999" is not a byte count\)/);
  externalData(file('ext-past.onnx'), 'w.bin', '64');
  assert.match(summariseOnnx(readOnnxFile(file('ext-past.onnx'))).limits.join('\n'), /bytes 0\.\.64 past its end \(16 bytes\)/);
  externalData(file('ext-ok.onnx'), 'w.bin', '16');
  assert.equal(summariseOnnx(readOnnxFile(file('ext-ok.onnx'))).weightBytes, 16);
  externalData(file('ext-out.onnx'), '../w.bin', '16');
  assert.match(summariseOnnx(readOnnxFile(file('ext-out.onnx'))).limits.join('\n'), /"\.\.\/w\.bin" is not a path inside the model's folder/);
});

test('Identity chains of 12,000 nodes: inspect and predict --onnx finish (no stack overflow)', () => {
  identityChain(file('chain.onnx'), 12_000);
  const m = readOnnxFile(file('chain.onnx'));
  assert.equal(recogniseOnnx(m).space, null);
  const r = within(20, () => runCli(root, ['inspect', file('chain.onnx'), '--json']));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.summary.nodes, 24_002);
  assert.deepEqual(out.summary.outputs[0].shape, [1, 3]);
  const p = runCli(root, ['predict', '--onnx', file('chain.onnx'), '--device', 'titan_rtx_32']);
  expectBadInput(p, /chain\.onnx: not an architecture of a known space/);
});

test('one node with 60,000 inputs and 60,000 outputs: recognition is linear in the node', () => {
  wideNode(file('wide.onnx'), 60_000);
  const m = readOnnxFile(file('wide.onnx'));
  within(5, () => recogniseOnnx(m));
});

test('a FIFO named x.onnx is refused at once (it blocked inspect forever)', { skip: process.platform === 'win32' }, () => {
  const fifo = file('x.onnx');
  execFileSync('mkfifo', [fifo]);
  const r = spawnSync(process.execPath, [cli, 'inspect', fifo, '--json'], { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
  expectBadInput({ code: r.status, stdout: r.stdout, stderr: r.stderr }, /x\.onnx: not a regular file \(a FIFO\), not an ONNX file/);
  assert.throws(() => readOnnxFile(dir), /not a regular file \(a directory\)/);
});
