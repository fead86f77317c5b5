// Hostile graphs for the shape inference and MAC count (issue 15 item 1): many If subgraphs, a Loop with an
// absurd trip count, a node with 100,000 inputs, a long Einsum equation. Each completes within a generous
// bound and says "unknown" where a count is not computable, never a wrong number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { readOnnxBytes } from '../../src/core/onnx/reader';
import { summariseOnnx } from '../../src/core/onnx/summary';
import { within } from './bounded';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const vi = (name: string, dims: number[] | null, elemType: number = T.FLOAT): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
const f32 = (name: string, dims: number[]): onnx.ITensorProto => ({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });
const i64 = (name: string, v: bigint): onnx.ITensorProto => ({ name, dims: [], dataType: T.INT64, rawData: new Uint8Array(new BigInt64Array([v]).buffer) });
const read = (g: onnx.IGraphProto) => readOnnxBytes(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g }).finish());

test('5,000 If nodes, each with weights in both branches: linear time, every weight and the larger branch counted', () => {
  const N = 5_000;
  const nodes: onnx.INodeProto[] = [];
  let x = 'x';
  for (let i = 0; i < N; i++) {
    const branch = (tag: string): onnx.IGraphProto => ({
      name: `${tag}${i}`,
      node: [{ opType: 'MatMul', input: [x, `${tag}w${i}`], output: [`${tag}y${i}`] }],
      initializer: [f32(`${tag}w${i}`, [4, 4])],
      output: [vi(`${tag}y${i}`, null)],
    });
    nodes.push({ opType: 'If', input: ['c'], output: [`h${i}`], name: `if${i}`, attribute: [{ name: 'then_branch', type: A.GRAPH, g: branch('t') }, { name: 'else_branch', type: A.GRAPH, g: branch('e') }] });
    x = `h${i}`;
  }
  const m = read({ name: 'g', node: nodes, input: [vi('x', [1, 4]), vi('c', [], T.BOOL)], output: [vi(x, null)] });
  const s = within(10, () => summariseOnnx(m));
  assert.equal(s.parameters, N * 2 * 16);
  assert.equal(s.macs, N * 16);
  assert.ok(s.macsComplete);
});

test('a Loop with a trip count of 2^62: MACs unknown (over 2^53), not a wrong number', () => {
  const body: onnx.IGraphProto = {
    name: 'b',
    node: [{ opType: 'MatMul', input: ['h', 'w'], output: ['h2'] }, { opType: 'Identity', input: ['cond'], output: ['c2'] }],
    input: [vi('i', [], T.INT64), vi('cond', [], T.BOOL), vi('h', null)],
    output: [vi('c2', null), vi('h2', null)],
  };
  const m = read({
    name: 'g',
    node: [{ opType: 'Loop', input: ['M', '', 'h0'], output: ['hn'], name: 'loop', attribute: [{ name: 'body', type: A.GRAPH, g: body }] }],
    initializer: [f32('w', [64, 64]), i64('M', 2n ** 62n)],
    input: [vi('h0', [1, 64])],
    output: [vi('hn', null)],
  });
  const s = within(5, () => summariseOnnx(m));
  assert.equal(s.macsComplete, false);
  assert.equal(s.macsByOp.MatMul, 'unknown');
  assert.equal(s.byClass.matmul?.macs, 'unknown');
});

test('a Sum of 100,000 inputs and an Einsum with a 100,000-character equation stay bounded', () => {
  const inputs = Array.from({ length: 100_000 }, () => 'x');
  const eq = `${'a'.repeat(50_000)},${'a'.repeat(50_000)}->a`;
  const m = read({
    name: 'g',
    node: [
      { opType: 'Sum', input: inputs, output: ['s'], name: 'sum' },
      { opType: 'Einsum', input: ['s', 's'], output: ['e'], name: 'ein', attribute: [{ name: 'equation', type: A.STRING, s: new TextEncoder().encode(eq) }] },
    ],
    input: [vi('x', [1, 8])],
    output: [vi('e', null)],
  });
  const s = within(5, () => summariseOnnx(m));
  assert.equal(s.macsByOp.Einsum, 'unknown');
  assert.match(s.unknowns.join('\n'), /node "ein" \(Einsum\): output shape unknown \(equation not parsed/);
});
