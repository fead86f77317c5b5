// Generators of hostile ONNX files (issue 16 items 4-6), shared by test/hostile/onnx.test.ts and
// bench/hostile/onnx.ts. Protobuf bytes are written directly (no onnx-proto encode), streamed to the file,
// so that a 16M-entry graph costs its size on disk and little memory to make.
import * as fs from 'node:fs';
import { key, lfield, valueInfo, varint, vfield } from '../protoBytes';

export { valueInfo };

/** An INTS attribute, packed. */
function intsAttr(name: string, values: ArrayLike<number>): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < values.length; i++) parts.push(varint(values[i]));
  return Buffer.concat([lfield(1, name), vfield(20, 7), lfield(8, Buffer.concat(parts))]);
}
const intAttr = (name: string, v: number) => Buffer.concat([lfield(1, name), vfield(20, 2), vfield(3, v)]);

/** A NodeProto. */
export function node(op: string, inputs: string[], outputs: string[], attrs: Buffer[] = []): Buffer {
  return Buffer.concat([...inputs.map((i) => lfield(1, i)), ...outputs.map((o) => lfield(2, o)), lfield(4, op), ...attrs.map((a) => lfield(5, a))]);
}

/** A float32 initializer with raw_data (zeros). */
export function floatInit(name: string, dims: number[]): Buffer {
  const n = dims.reduce((a, b) => a * b, 1);
  return Buffer.concat([...dims.map((d) => vfield(1, d)), vfield(2, 1), lfield(8, name), lfield(9, Buffer.alloc(4 * n))]);
}

/** Writes a ModelProto whose graph holds `fields` (already-framed GraphProto fields: a list, or a generator
 *  of `count` copies of one field plus the list), streamed. Returns the file size. */
export function writeModel(file: string, fields: Buffer[], repeat?: { field: Buffer; count: number }, opset = 13): number {
  const repeated = repeat ? repeat.field.length * repeat.count : 0;
  const graphLen = fields.reduce((a, b) => a + b.length, 0) + repeated;
  const head = Buffer.concat([vfield(1, 8), lfield(2, 'hostile'), lfield(8, vfield(2, opset)), key(7, 2), varint(graphLen)]);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head);
    for (const f of fields) fs.writeSync(fd, f);
    if (repeat) {
      const per = Math.max(1, Math.floor((1 << 20) / repeat.field.length));
      const chunk = Buffer.concat(new Array(per).fill(repeat.field));
      let left = repeat.count;
      while (left > 0) {
        const k = Math.min(per, left);
        fs.writeSync(fd, chunk, 0, k * repeat.field.length);
        left -= k;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return head.length + graphLen;
}

const g = {
  node: (b: Buffer) => lfield(1, b),
  init: (b: Buffer) => lfield(5, b),
  input: (b: Buffer) => lfield(11, b),
  output: (b: Buffer) => lfield(12, b),
};

/** One Unsqueeze (axes as an attribute, opset 11) adding `n` axes to a [1] input (axes all 0: 1 byte each). */
export function unsqueezeAxes(file: string, n: number): number {
  return writeModel(file, [g.input(valueInfo('x', [1])), g.node(node('Unsqueeze', ['x'], ['y'], [intsAttr('axes', new Uint8Array(n))])), g.output(valueInfo('y'))], undefined, 11);
}

/** Unsqueeze to rank n+1, then `op` (Squeeze or ReduceMean) over n axes (opset 11: axes as attributes). */
export function squeezeAxes(file: string, n: number, op: 'Squeeze' | 'ReduceMean'): number {
  const axes = new Int32Array(n);
  for (let i = 0; i < n; i++) axes[i] = i;
  return writeModel(
    file,
    [
      g.input(valueInfo('x', [1])),
      g.node(node('Unsqueeze', ['x'], ['u'], [intsAttr('axes', new Uint8Array(n))])),
      g.node(node(op, ['u'], ['y'], [intsAttr('axes', axes), ...(op === 'ReduceMean' ? [intAttr('keepdims', 1)] : [])])),
      g.output(valueInfo('y')),
    ],
    undefined,
    11,
  );
}

/** `op` (Squeeze or ReduceMean) over `n` axes of a [1, 1, 1, 1] input (opset 11: axes as attributes). */
export function manyAxes(file: string, n: number, op: 'Squeeze' | 'ReduceMean'): number {
  const axes = new Int32Array(n);
  for (let i = 0; i < n; i++) axes[i] = i % 4;
  return writeModel(file, [g.input(valueInfo('x', [1, 1, 1, 1])), g.node(node(op, ['x'], ['y'], [intsAttr('axes', axes)])), g.output(valueInfo('y'))], undefined, 11);
}

/** A Constant with `n` value_ints and `concats` Concat nodes, each of the constant with itself. */
export function constantConcats(file: string, n: number, concats: number): number {
  const fields = [g.node(node('Constant', [], ['c'], [Buffer.concat([lfield(1, 'value_ints'), vfield(20, 7), lfield(8, Buffer.alloc(n, 1))])]))];
  for (let i = 0; i < concats; i++) fields.push(g.node(node('Concat', ['c', 'c'], [`k${i}`], [intAttr('axis', 0)])));
  fields.push(g.output(valueInfo(`k${concats - 1}`)));
  return writeModel(file, fields);
}

/** `n` empty initializers, graph inputs or value infos (2 bytes each). */
export function emptyEntries(file: string, n: number, kind: 'initializer' | 'input' | 'value_info'): number {
  const field = { initializer: 5, input: 11, value_info: 13 }[kind];
  return writeModel(file, [], { field: Buffer.from([field * 8 + 2, 0]), count: n });
}

/** Two chains of `n` Identity nodes each: one from a Gemm weight (followed by constTensor), one from a scalar
 *  multiplying the input (followed by constValues). */
export function identityChain(file: string, n: number): number {
  const fields = [g.input(valueInfo('x', [1, 4])), g.init(floatInit('W', [3, 4])), g.init(floatInit('Z', []))];
  for (const [from, prefix] of [['W', 'w'], ['Z', 'z']]) {
    for (let i = 0; i < n; i++) fields.push(g.node(node('Identity', [i === 0 ? from : `${prefix}${i - 1}`], [`${prefix}${i}`])));
  }
  fields.push(g.node(node('Mul', ['x', `z${n - 1}`], ['m'])));
  fields.push(g.node(node('Gemm', ['m', `w${n - 1}`], ['y'], [intAttr('transB', 1)])));
  fields.push(g.output(valueInfo('y', [1, 3])));
  return writeModel(file, fields);
}

/** An initializer whose external data has the given offset and length (strings as written). */
export function externalData(file: string, location: string, length: string, offset = '0'): number {
  const entry = (k: string, v: string) => lfield(13, Buffer.concat([lfield(1, k), lfield(2, v)]));
  const t = Buffer.concat([vfield(1, 4), vfield(2, 1), lfield(8, 'W'), entry('location', location), entry('offset', offset), entry('length', length), vfield(14, 1)]);
  return writeModel(file, [g.input(valueInfo('x', [1, 4])), g.init(t), g.node(node('MatMul', ['x', 'W'], ['y'])), g.output(valueInfo('y', [1]))]);
}

/** One node with `n` inputs (all the same initializer) and `n` outputs: per-output work over all the inputs
 *  is quadratic. */
export function wideNode(file: string, n: number): number {
  const outputs = Array.from({ length: n }, (_, i) => `o${i.toString(36)}`);
  return writeModel(file, [g.input(valueInfo('x', [1, 4])), g.init(floatInit('W', [4])), g.node(node('Add', ['x', ...new Array(n - 1).fill('W')], outputs)), g.output(valueInfo('o0'))]);
}

/** About `mb` MB of Relu nodes, each with `perNode` attributes: an INTS list of `values` one-byte values
 *  each (or a one-field INT attribute when `values` is 0). */
export function attributeHeavy(file: string, mb: number, perNode: number, values: number): number {
  const attr = values ? intsAttr('a', new Uint8Array(values)) : Buffer.from([0x18, 0x01]); // i = 1
  const one = g.node(node('Relu', ['x'], [], new Array(perNode).fill(attr)));
  return writeModel(file, [g.input(valueInfo('x', [1, 4]))], { field: one, count: Math.max(1, Math.floor((mb << 20) / one.length)) });
}

/** One node with `n` inputs named "ab" (4 bytes each in the file). */
export function manyInputNames(file: string, n: number): number {
  const names = Buffer.concat(new Array(n).fill(lfield(1, 'ab')));
  const body = Buffer.concat([names, lfield(2, 'y'), lfield(4, 'Sum')]);
  return writeModel(file, [g.input(valueInfo('ab', [1])), g.node(body), g.output(valueInfo('y'))]);
}

/** `n` Relu nodes in a chain (about 20 bytes each): a large file of nothing but small nodes. */
export function reluChain(file: string, n: number): number {
  const fields = [g.input(valueInfo('x', [1, 3, 8, 8]))];
  let batch: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    batch.push(g.node(node('Relu', [i === 0 ? 'x' : `t${(i - 1).toString(36)}`], [`t${i.toString(36)}`])));
    if (batch.length === 65536) fields.push(Buffer.concat(batch)), (batch = []);
  }
  fields.push(Buffer.concat(batch));
  fields.push(g.output(valueInfo(`t${(n - 1).toString(36)}`, [1, 3, 8, 8])));
  return writeModel(file, fields);
}

/** Subgraphs nested `depth` deep (If nodes whose then_branch holds an If node ...), in one node. */
export function nestedSubgraphs(file: string, depth: number): number {
  let inner = node('Relu', ['x'], ['y']);
  for (let i = 0; i < depth; i++) {
    const graph = Buffer.concat([lfield(1, inner), lfield(2, `g${i}`)]);
    inner = node('If', ['c'], ['y'], [Buffer.concat([lfield(1, 'then_branch'), vfield(20, 5), lfield(6, graph)])]);
  }
  return writeModel(file, [g.input(valueInfo('x', [1])), g.node(inner), g.output(valueInfo('y', [1]))]);
}
