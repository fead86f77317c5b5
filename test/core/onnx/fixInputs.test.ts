// The copy a command runner gets of a model with open input dims (fixInputs.ts): its graph inputs' dims fixed
// to the chosen shapes (else 1, said in a note), everything else byte for byte, the original untouched; a
// model with external data refused with a clear message.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { dynamicModel, tensorType } from './dynamicModel';
import { commandModelFile, planFixedInputs } from '../../../src/core/onnx/fixInputs';
import { readOnnxFile } from '../../../src/core/onnx/reader';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-fix-inputs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const src = path.join(tmp, 'dynamic.onnx');
fs.writeFileSync(src, dynamicModel());

test('the copy has the given shapes in its graph inputs; outputs, nodes and weights are as they were; the original is untouched', async () => {
  const before = fs.readFileSync(src);
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  const c = commandModelFile(src, dir, { x: [4, 7], other: [1] });
  assert.notEqual(c.file, src);
  assert.equal(path.dirname(c.file), dir);
  assert.deepEqual(c.notes, []);
  assert.deepEqual(fs.readFileSync(src), before, 'the original is untouched');
  const m = readOnnxFile(c.file);
  assert.deepEqual(m.inputs.map((i) => [i.name, i.shape]), [['x', [4, 7]], ['mask', [2, 3]]]);
  assert.deepEqual(m.outputs.map((i) => i.shape), [['batch', 'n'], [2, 3]]);
  const d = onnx.ModelProto.decode(fs.readFileSync(c.file));
  const o = onnx.ModelProto.decode(before);
  const dims = d.graph!.input![0].type!.tensorType!.shape!.dim!;
  assert.equal(dims[0].denotation, 'DATA_BATCH', 'the denotation is kept');
  assert.deepEqual(dims.map((x) => [Number(x.dimValue), x.dimParam || '']), [[4, ''], [7, '']]);
  assert.deepEqual(d.graph!.node, o.graph!.node);
  assert.deepEqual(d.graph!.initializer, o.graph!.initializer);
  assert.deepEqual(d.graph!.output, o.graph!.output);
  assert.deepEqual(d.graph!.input![2], o.graph!.input![2], 'an initializer listed as an input stays as it is');
  assert.equal(d.producerName, 'fix-inputs-test');
  // A runtime that sees the file alone takes the fixed shapes.
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(c.file);
  const meta = session.inputMetadata.find((i) => i.name === 'x') as unknown as { shape: readonly unknown[] };
  assert.deepEqual(meta.shape, [4, 7]);
  const r = await session.run({ x: new ort.Tensor('float32', new Float32Array(28), [4, 7]), mask: new ort.Tensor('float32', new Float32Array(6), [2, 3]) });
  assert.deepEqual(r.y.dims, [4, 7]);
  await session.release();
});

test('without given shapes the open dims are 1, and a note says so; a wrong shape is refused', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  const c = commandModelFile(src, dir);
  assert.deepEqual(readOnnxFile(c.file).inputs.map((i) => i.shape), [[1, 1], [2, 3]]);
  assert.equal(c.notes.length, 1);
  assert.match(c.notes[0], /input "x": open dims 0 \(batch\), 1 \(n\) fed as 1/);
  assert.throws(() => planFixedInputs(readOnnxFile(src), { x: [1, 2, 3] }), /3 dims, the model declares 2/);
  assert.throws(() => planFixedInputs(readOnnxFile(src), { mask: [2, 4] }), /the model fixes it at 3/);
});

test('a model without open dims is handed over as it is (or copied as it is when asked)', () => {
  const fixed = path.join(tmp, 'fixed.onnx');
  fs.writeFileSync(fixed, fs.readFileSync(commandModelFile(src, fs.mkdtempSync(path.join(tmp, 'copy-')), { x: [2, 2] }).file));
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  assert.equal(commandModelFile(fixed, dir).file, fixed);
  const always = commandModelFile(fixed, dir, {}, { always: true });
  assert.notEqual(always.file, fixed);
  assert.deepEqual(fs.readFileSync(always.file), fs.readFileSync(fixed));
});

test('a model with its weights in a side file gets a clear message instead of a copy that cannot work', () => {
  const sub = fs.mkdtempSync(path.join(tmp, 'external-'));
  const file = path.join(sub, 'external.onnx');
  fs.writeFileSync(file, dynamicModel({ external: true }));
  fs.writeFileSync(path.join(sub, 'w.bin'), Buffer.alloc(4));
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  assert.throws(() => commandModelFile(file, dir, { x: [1, 2] }), /external\.onnx: its weights are in a side file \(external data "w\.bin"\).*save the model with its weights inside/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('the rewrite is one pass over the fields: a graph of 200,000 nodes is copied in well under 10 s', () => {
  const nodes: onnx.INodeProto[] = Array.from({ length: 200_000 }, (_, i) => ({ opType: 'Relu', input: [i === 0 ? 'x' : `t${i - 1}`], output: [`t${i}`] }));
  const big = path.join(tmp, 'big.onnx');
  fs.writeFileSync(
    big,
    onnx.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'g', node: nodes, input: [{ name: 'x', type: tensorType([{ dimParam: 'n' }, { dimValue: 8 }]) }], output: [{ name: 't199999', type: tensorType([{ dimParam: 'n' }, { dimValue: 8 }]) }] },
    }).finish(),
  );
  const t0 = Date.now();
  const c = commandModelFile(big, fs.mkdtempSync(path.join(tmp, 'copy-')), { x: [3, 8] });
  assert.ok(Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
  assert.equal(fs.statSync(c.file).size, fs.statSync(big).size - 1 /* "n" as a dim_param (3 bytes) became dim_value 3 (2 bytes) */);
  assert.deepEqual(readOnnxFile(c.file).inputs[0].shape, [3, 8]);
});
