// Shape inference and MACs per operator against hand-computed values; If/Loop subgraphs; symbolic dims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onnx } from 'onnx-proto';
import { readOnnxBytes } from '../../../src/core/onnx/reader';
import { summariseOnnx } from '../../../src/core/onnx/summary';
import { inferShapes } from '../../../src/core/onnx/shapeInference';
import { parseInputShapeArgs } from '../../../src/core/onnx/inputShapes';
import { inputShapesFor } from '../../../src/extension/inputShapes';

type Attr = number | number[] | string | onnx.IGraphProto | { floats: number[] } | { tensor: onnx.ITensorProto };
const T = onnx.TensorProto.DataType;

function attr(name: string, v: Attr): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (typeof v === 'number') return Number.isInteger(v) && name !== 'epsilon' ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
  if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
  if ('tensor' in v) return { name, type: A.TENSOR, t: v.tensor };
  return { name, type: A.GRAPH, g: v };
}
const node = (op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): onnx.INodeProto => ({
  opType: op,
  input: inputs,
  output: outputs,
  name: outputs[0],
  attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
});
const f32 = (name: string, dims: number[]): onnx.ITensorProto => ({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });
const i64 = (name: string, values: number[], dims = [values.length]): onnx.ITensorProto => ({ name, dims, dataType: T.INT64, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
const b1 = (name: string, v: boolean): onnx.ITensorProto => ({ name, dims: [], dataType: T.BOOL, rawData: new Uint8Array([v ? 1 : 0]) });
const vi = (name: string, dims: (number | string)[] | null, elemType: number = T.FLOAT): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
});
const graph = (nodes: onnx.INodeProto[], inits: onnx.ITensorProto[] = [], inputs: onnx.IValueInfoProto[] = [], outputs: string[] = []): onnx.IGraphProto => ({
  name: 'g',
  node: nodes,
  initializer: inits,
  input: inputs,
  output: outputs.map((o) => vi(o, null)),
});
function model(g: onnx.IGraphProto, opset = 17) {
  return readOnnxBytes(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: g }).finish());
}
/** One model; returns its shapes and summary. */
function run(nodes: onnx.INodeProto[], inits: onnx.ITensorProto[], inputs: onnx.IValueInfoProto[], opset = 17) {
  const m = model(graph(nodes, inits, inputs, [nodes[nodes.length - 1].output![0]]), opset);
  return { inf: inferShapes(m), s: summariseOnnx(m), m };
}

test('Conv: groups, dilations, pads, auto_pad; depthwise and grouped classes', () => {
  const { inf, s } = run(
    [
      node('Conv', ['x', 'w'], ['y'], { group: 4, dilations: [2, 2], pads: [1, 1, 1, 1], strides: [2, 2] }),
      node('Conv', ['x', 'dw'], ['z'], { group: 8, auto_pad: 'SAME_UPPER', strides: [2, 2] }),
    ],
    [f32('w', [16, 2, 3, 3]), f32('dw', [8, 1, 3, 3])],
    [vi('x', [1, 8, 15, 15])],
  );
  // (15 + 2 - (2*2+1)) / 2 + 1 = 7; SAME_UPPER: ceil(15/2) = 8.
  assert.deepEqual(inf.shapes.get('y'), [1, 16, 7, 7]);
  assert.deepEqual(inf.shapes.get('z'), [1, 8, 8, 8]);
  assert.equal(s.byClass.groupedConv?.macs, 16 * 49 * 2 * 9);
  assert.equal(s.byClass.depthwiseConv?.macs, 8 * 64 * 9);
  assert.equal(s.macs, 16 * 49 * 2 * 9 + 8 * 64 * 9);
  assert.equal(s.byClass.groupedConv?.parameters, 16 * 2 * 9);
  assert.equal(s.byClass.groupedConv?.weightBytesRead, 16 * 2 * 9 * 4);
  assert.equal(s.byClass.groupedConv?.activationBytesRead, 8 * 225 * 4);
  assert.equal(s.byClass.groupedConv?.activationBytesWritten, 16 * 49 * 4);
});

test('ConvTranspose: stride, pads, output_padding, output_shape, group', () => {
  const { inf, s } = run(
    [
      node('ConvTranspose', ['x', 'w'], ['a'], { strides: [2, 2], pads: [1, 1, 1, 1] }),
      node('ConvTranspose', ['x', 'w'], ['b'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }),
      node('ConvTranspose', ['x', 'w'], ['c'], { strides: [2, 2], output_shape: [16, 16] }),
      node('ConvTranspose', ['x', 'wg'], ['d'], { strides: [2, 2], group: 2 }),
    ],
    [f32('w', [4, 2, 4, 4]), f32('wg', [4, 3, 2, 2])],
    [vi('x', [1, 4, 8, 8])],
  );
  assert.deepEqual(inf.shapes.get('a'), [1, 2, 16, 16]); // 2*7 + 4 - 2
  assert.deepEqual(inf.shapes.get('b'), [1, 2, 17, 17]);
  assert.deepEqual(inf.shapes.get('c'), [1, 2, 16, 16]);
  assert.deepEqual(inf.shapes.get('d'), [1, 6, 16, 16]); // 2*7 + 2
  // Every input element meets Cout/group x k x k weights.
  assert.equal(s.macsByOp.ConvTranspose, 3 * 256 * 32 + 256 * 12);
  assert.ok(s.macsComplete);
});

test('MatMul: batched with broadcasting, 1-D operands; activation x activation is attention-like', () => {
  const { inf, s } = run(
    [
      node('MatMul', ['a', 'b'], ['ab']),
      node('MatMul', ['v', 'w'], ['vw']),
      node('MatMul', ['w2', 'v'], ['wv']),
      node('Gemm', ['g', 'gw'], ['gy'], { transA: 1, transB: 1 }),
    ],
    [f32('w', [6, 7]), f32('w2', [3, 6]), f32('gw', [9, 5])],
    [vi('a', [2, 1, 5, 6]), vi('b', [3, 6, 7]), vi('v', [6]), vi('g', [5, 4])],
  );
  assert.deepEqual(inf.shapes.get('ab'), [2, 3, 5, 7]);
  assert.deepEqual(inf.shapes.get('vw'), [7]);
  assert.deepEqual(inf.shapes.get('wv'), [3]);
  assert.deepEqual(inf.shapes.get('gy'), [4, 9]);
  assert.equal(s.byClass.attentionMatmul?.macs, 2 * 3 * 5 * 7 * 6);
  assert.equal(s.byClass.matmul?.macs, 42 + 18 + 4 * 9 * 5);
});

test('LSTM, GRU and RNN: all outputs, directions, layout; MACs per step', () => {
  const { inf, s } = run(
    [
      node('LSTM', ['x', 'W', 'R'], ['y', 'yh', 'yc'], { hidden_size: 32, direction: 'bidirectional' }),
      node('GRU', ['xb', 'Wg', 'Rg'], ['gy', 'gh'], { hidden_size: 8, layout: 1 }),
      node('RNN', ['x', 'Wr', 'Rr'], ['ry'], { hidden_size: 4 }),
    ],
    [f32('W', [2, 128, 16]), f32('R', [2, 128, 32]), f32('Wg', [1, 24, 16]), f32('Rg', [1, 24, 8]), f32('Wr', [1, 4, 16]), f32('Rr', [1, 4, 4])],
    [vi('x', [10, 1, 16]), vi('xb', [3, 10, 16])],
  );
  assert.deepEqual(inf.shapes.get('y'), [10, 2, 1, 32]);
  assert.deepEqual(inf.shapes.get('yh'), [2, 1, 32]);
  assert.deepEqual(inf.shapes.get('yc'), [2, 1, 32]);
  assert.deepEqual(inf.shapes.get('gy'), [3, 10, 1, 8]);
  assert.deepEqual(inf.shapes.get('gh'), [3, 1, 8]);
  assert.equal(s.macsByOp.LSTM, 10 * 1 * 2 * 128 * (16 + 32));
  assert.equal(s.macsByOp.GRU, 10 * 3 * 24 * (16 + 8));
  assert.equal(s.macsByOp.RNN, 10 * 4 * (16 + 4));
  assert.equal(s.byClass.recurrent?.parameters, 2 * 128 * 48 + 24 * 24 + 4 * 20);
});

test('shape sub-graphs fold: Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Slice, Expand, Where, ConstantOfShape', () => {
  const { inf, s } = run(
    [
      node('Shape', ['x'], ['sh']),
      node('Gather', ['sh', 'zero'], ['n']), // scalar index: rank 0
      node('Unsqueeze', ['n', 'ax0'], ['n1']),
      node('Concat', ['n1', 'm1'], ['target'], { axis: 0 }),
      node('Reshape', ['x', 'target'], ['flat']),
      node('Shape', ['x'], ['tail'], { start: -2 }),
      node('Slice', ['x', 'st', 'en', 'axs', 'steps'], ['sl']),
      node('ConstantOfShape', ['two'], ['ones'], { value: { tensor: i64('', [1], [1]) } }),
      node('Equal', ['tgt', 'm1'], ['eq']),
      node('Where', ['eq', 'ones', 'tgt'], ['wh']),
      node('Expand', ['b', 'wh'], ['ex']),
      node('Mul', ['ex', 'ex'], ['out']),
    ],
    [i64('zero', [0], []), i64('ax0', [0]), i64('m1', [-1]), i64('st', [-1, 0]), i64('en', [-1000, 2 ** 31 - 1]), i64('axs', [2, -1]), i64('steps', [-2, 3]), i64('two', [2]), i64('tgt', [-1, 3])],
    [vi('x', [1, 3, 5, 8]), vi('b', [3, 1])],
  );
  assert.deepEqual(inf.consts.get('target'), [1, -1]);
  assert.deepEqual(inf.shapes.get('n'), []);
  assert.deepEqual(inf.shapes.get('flat'), [1, 120]);
  assert.deepEqual(inf.consts.get('tail'), [5, 8]);
  // Axis 2 from the last to the start by -2: 4, 2, 0 (3 values); axis 3 from 0 to the end by 3: 0, 3, 6.
  assert.deepEqual(inf.shapes.get('sl'), [1, 3, 3, 3]);
  assert.deepEqual(inf.consts.get('ones'), [1, 1]);
  assert.deepEqual(inf.consts.get('wh'), [1, 3]);
  assert.deepEqual(inf.shapes.get('ex'), [3, 3]);
  assert.deepEqual(s.unknowns, []);
});

test('Concat/Split, Squeeze/Unsqueeze by opset, reductions, pooling with ceil_mode, Resize, Transpose, Einsum', () => {
  const { inf, s } = run(
    [
      node('Split', ['x', 'parts'], ['p0', 'p1'], { axis: 1 }),
      node('Split', ['x'], ['q0', 'q1', 'q2'], { axis: 1, num_outputs: 3 }),
      node('Concat', ['p1', 'p0'], ['cc'], { axis: -3 }),
      node('ReduceMean', ['x', 'rax'], ['rm'], { keepdims: 0 }),
      node('ReduceSum', ['x'], ['rs'], { noop_with_empty_axes: 1 }),
      node('MaxPool', ['x'], ['mp'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
      node('AveragePool', ['x'], ['ap'], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1] }),
      node('Resize', ['x', '', 'scales'], ['rz'], { mode: 'nearest' }),
      node('Resize', ['x', '', '', 'sizes'], ['rz2']),
      node('Transpose', ['x'], ['tr'], { perm: [0, 2, 3, 1] }),
      node('Einsum', ['q', 'k'], ['att'], { equation: 'bhid,bhjd->bhij' }),
      node('LayerNormalization', ['q', 'lnw'], ['ln', 'lm', 'ls'], { axis: -1 }),
      node('Softmax', ['att'], ['sm'], { axis: -1 }),
    ],
    [i64('parts', [2, 4]), i64('rax', [2, 3]), { name: 'scales', dims: [4], dataType: T.FLOAT, floatData: [1, 1, 2, 2] }, i64('sizes', [1, 6, 4, 5]), f32('lnw', [16])],
    [vi('x', [1, 6, 7, 7]), vi('q', [1, 2, 10, 16]), vi('k', [1, 2, 12, 16])],
  );
  assert.deepEqual(inf.shapes.get('p0'), [1, 2, 7, 7]);
  assert.deepEqual(inf.shapes.get('p1'), [1, 4, 7, 7]);
  assert.deepEqual(inf.shapes.get('q2'), [1, 2, 7, 7]);
  assert.deepEqual(inf.shapes.get('cc'), [1, 6, 7, 7]);
  assert.deepEqual(inf.shapes.get('rm'), [1, 6]);
  assert.deepEqual(inf.shapes.get('rs'), [1, 6, 7, 7]);
  assert.deepEqual(inf.shapes.get('mp'), [1, 6, 3, 3]); // ceil((7-3)/2)+1 = 3
  assert.deepEqual(inf.shapes.get('ap'), [1, 6, 4, 4]);
  assert.deepEqual(inf.shapes.get('rz'), [1, 6, 14, 14]);
  assert.deepEqual(inf.shapes.get('rz2'), [1, 6, 4, 5]);
  assert.deepEqual(inf.shapes.get('tr'), [1, 7, 7, 6]);
  assert.deepEqual(inf.shapes.get('att'), [1, 2, 10, 12]);
  assert.deepEqual(inf.shapes.get('lm'), [1, 2, 10, 1]);
  assert.equal(s.macsByOp.Einsum, 2 * 10 * 12 * 16);
  assert.equal(s.byClass.resize?.elementOps, 6 * 196 + 6 * 20);
  assert.equal(s.byClass.pooling?.elementOps, 6 * 9 * 9 + 6 * 16 * 4 + 294 + 294);
  assert.ok(s.macsComplete);
});

test('Squeeze/Unsqueeze with axes as attribute (opset 11)', () => {
  const { inf } = run([node('Unsqueeze', ['x'], ['u'], { axes: [0, -1] }), node('Squeeze', ['u'], ['s'], { axes: [0] })], [], [vi('x', [3, 4])], 11);
  assert.deepEqual(inf.shapes.get('u'), [1, 3, 4, 1]);
  assert.deepEqual(inf.shapes.get('s'), [3, 4, 1]);
});

test('If: weights inside branches are parameters; MACs of the larger branch, or of the branch a constant condition takes', () => {
  const thenG = graph([node('MatMul', ['x', 'tw'], ['ty'])], [f32('tw', [8, 16])], [], ['ty']);
  const elseG = graph([node('MatMul', ['x', 'ew1'], ['eh']), node('MatMul', ['eh', 'ew2'], ['ey'])], [f32('ew1', [8, 32]), f32('ew2', [32, 16])], [], ['ey']);
  const mk = (cond: onnx.ITensorProto[], condInput: onnx.IValueInfoProto[]) =>
    summariseOnnx(model(graph([node('If', ['c'], ['y'], { then_branch: thenG, else_branch: elseG }), node('Relu', ['y'], ['out'])], cond, [vi('x', [4, 8]), ...condInput], ['out'])));
  const s = mk([], [vi('c', [], T.BOOL)]);
  assert.equal(s.parameters, 8 * 16 + 8 * 32 + 32 * 16);
  assert.equal(s.byClass.matmul?.parameters, 8 * 16 + 8 * 32 + 32 * 16);
  assert.equal(s.macs, 4 * 32 * 8 + 4 * 16 * 32);
  assert.deepEqual(s.outputs[0].shape, [4, 16]);
  assert.ok(s.macsComplete);
  const t = mk([b1('c', true)], []);
  assert.equal(t.macs, 4 * 16 * 8);
  assert.equal(t.parameters, s.parameters);
});

test('If whose branches disagree says unknown, naming the node', () => {
  const thenG = graph([node('Relu', ['x'], ['ty'])], [], [], ['ty']);
  const elseG = graph([node('Transpose', ['x'], ['ey'])], [], [], ['ey']);
  const s = summariseOnnx(model(graph([node('If', ['c'], ['y'], { then_branch: thenG, else_branch: elseG }), node('MatMul', ['y', 'w'], ['out'])], [f32('w', [8, 2])], [vi('x', [4, 8]), vi('c', [], T.BOOL)], ['out'])));
  assert.equal(s.macsComplete, false);
  assert.match(s.unknowns.join('\n'), /node "y" \(If\): output shape unknown \(output 0: the branches give different shapes\)/);
  assert.equal(s.macsByOp.MatMul, 'unknown');
});

test('Loop: body MACs times a constant trip count; outer names visible in the body', () => {
  const body = graph([node('MatMul', ['h', 'w'], ['h2']), node('Identity', ['cond'], ['cond2'])], [], [vi('i', [], T.INT64), vi('cond', [], T.BOOL), vi('h', null)], ['cond2', 'h2']);
  const mk = (trip: onnx.ITensorProto[]) =>
    summariseOnnx(model(graph([node('Loop', ['M', 'c0', 'h0'], ['hn'], { body }), node('Relu', ['hn'], ['out'])], [f32('w', [8, 8]), b1('c0', true), ...trip], [vi('h0', [1, 8]), ...(trip.length ? [] : [vi('M', [], T.INT64)])], ['out'])));
  const s = mk([i64('M', [5], [])]);
  assert.equal(s.macs, 5 * 64);
  assert.ok(s.macsComplete);
  assert.deepEqual(s.outputs[0].shape, [1, 8]);
  const u = mk([]);
  assert.equal(u.macsComplete, false);
  assert.match(u.unknowns.join('\n'), /\(Loop\): MACs unknown \(trip count not a constant/);
});

test('dynamic dims: assumed 1 and said so; --input-shape and help.inputShapes give them', () => {
  const nodes = [node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] })];
  const g = graph(nodes, [f32('w', [4, 3, 3, 3])], [vi('x', ['batch', 3, 'h', 'w'])], ['y']);
  const m = model(g);
  const assumed = summariseOnnx(m);
  assert.equal(assumed.macs, 4 * 27);
  assert.equal(assumed.assumedDims.length, 3);
  const given = summariseOnnx(m, { inputShapes: parseInputShapeArgs(['x=2x3x10x10']) });
  assert.equal(given.macs, 2 * 4 * 100 * 27);
  assert.deepEqual(given.assumedDims, []);
  assert.deepEqual({ ...inputShapesFor({ '**/silero*.onnx': { input: [1, 512] }, '**/other.onnx': { x: [1] } }, '/models/silero_vad.onnx') }, { input: [1, 512] });
  assert.equal(inputShapesFor({ '**/silero*.onnx': { input: [1, 512] } }, '/models/x.onnx'), undefined);
  assert.throws(() => parseInputShapeArgs(['x=1x0']), /positive integer/);
  assert.throws(() => parseInputShapeArgs(['x1x3']), /expected NAME=DIMS/);
});

test('an operator the analysis does not know: MACs unknown, not 0, naming it', () => {
  const g = graph([{ opType: 'FusedConv', domain: 'com.microsoft', input: ['x', 'w'], output: ['y'], name: 'fc' }, node('Relu', ['y'], ['out'])], [f32('w', [4, 3, 3, 3])], [vi('x', [1, 3, 8, 8])], ['out']);
  const s = summariseOnnx(readOnnxBytes(onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }], graph: g }).finish()));
  assert.equal(s.macsComplete, false);
  assert.equal(s.macsByOp.FusedConv, 'unknown');
  assert.match(s.unknowns.join('\n'), /node "fc" \(FusedConv\): output shape unknown \(operator not covered by the shape inference\)/);
});

test('bytes moved: an embedding Gather reads the rows it outputs, not its table; parameters by class', () => {
  const { s } = run([node('Gather', ['emb', 'ids'], ['e']), node('MatMul', ['e', 'w'], ['y'])], [f32('emb', [1000, 16]), f32('w', [16, 4])], [vi('ids', [1, 8], T.INT64)]);
  const dm = s.byClass.dataMovement!;
  assert.equal(dm.parameters, 16_000);
  assert.equal(dm.weightBytesRead, 8 * 16 * 4);
  assert.equal(dm.activationBytesRead, 8 * 8);
  assert.equal(dm.activationBytesWritten, 8 * 16 * 4);
  assert.equal(s.byClass.matmul?.macs, 8 * 16 * 4);
  assert.equal(s.parameters, 16_000 + 64);
});

test('Range, Tile, Pad, Flatten, Cast, TopK, DepthToSpace; a data-dependent shape is named as such', () => {
  const { inf, s } = run(
    [
      node('Range', ['r0', 'r1', 'r2'], ['rg']),
      node('Tile', ['x', 'reps'], ['tl']),
      node('Pad', ['x', 'pads'], ['pd']),
      node('Flatten', ['x'], ['fl'], { axis: -1 }),
      node('Cast', ['x'], ['cs'], { to: 7 }),
      node('TopK', ['x', 'k'], ['tv', 'ti'], { axis: 1 }),
      node('DepthToSpace', ['x'], ['d2s'], { blocksize: 2 }),
      node('NonZero', ['x'], ['nz']),
      node('Relu', ['nz'], ['out']),
    ],
    [i64('r0', [2], []), i64('r1', [11], []), i64('r2', [3], []), i64('reps', [1, 2, 1, 3]), i64('pads', [0, 0, 1, 2, 0, 0, 3, 4]), i64('k', [2])],
    [vi('x', [1, 4, 5, 6])],
  );
  assert.deepEqual(inf.consts.get('rg'), [2, 5, 8]);
  assert.deepEqual(inf.shapes.get('tl'), [1, 8, 5, 18]);
  assert.deepEqual(inf.shapes.get('pd'), [1, 4, 9, 12]);
  assert.deepEqual(inf.shapes.get('fl'), [20, 6]);
  assert.equal(inf.types.get('cs'), 7);
  assert.deepEqual(inf.shapes.get('ti'), [1, 2, 5, 6]);
  assert.deepEqual(inf.shapes.get('d2s'), [1, 1, 10, 12]);
  assert.match(s.unknowns.join('\n'), /node "nz" \(NonZero\): output shape unknown \(the output shape depends on the data\)/);
  // Bytes of a class with an unknown shape are unknown, not 0.
  assert.equal(s.byClass.elementwise?.activationBytesRead, 'unknown');
});
