// Shared by the ONNX tests and the bench: a model file with one big Gemm initializer whose raw_data is a
// hole (sparse file), so a 1 GB model costs no disk and no time to make; a model with a data-dependent If.
import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';
import { key, lfield, valueInfo, varint, vfield } from '../../protoBytes';

/** Writes input[1, K] x W[K, N] (Gemm) with W's raw_data of K*N*4 bytes; `dense` writes real zero bytes. */
export function writeBigGemmModel(file: string, K: number, N: number, dense = false): number {
  const n = K * N * 4;
  const tensorHead = Buffer.concat([vfield(1, K), vfield(1, N), vfield(2, 1), lfield(8, 'W'), key(9, 2), varint(n)]);
  const tensorLen = tensorHead.length + n;
  const graphHead = Buffer.concat([
    lfield(1, Buffer.concat([lfield(1, 'input'), lfield(1, 'W'), lfield(2, 'output'), lfield(4, 'Gemm')])),
    lfield(11, valueInfo('input', [1, K])),
    lfield(12, valueInfo('output', [1, N])),
    key(5, 2),
    varint(tensorLen),
    tensorHead,
  ]);
  const graphLen = graphHead.length + n;
  const head = Buffer.concat([vfield(1, 8), lfield(2, 'bench'), lfield(8, vfield(2, 13)), key(7, 2), varint(graphLen), graphHead]);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, head, 0, head.length, 0);
    if (dense) {
      const chunk = Buffer.alloc(1 << 22);
      for (let off = 0; off < n; off += chunk.length) fs.writeSync(fd, chunk, 0, Math.min(chunk.length, n - off), head.length + off);
    }
    fs.ftruncateSync(fd, head.length + n);
  } finally {
    fs.closeSync(fd);
  }
  return head.length + n;
}

/** A model whose If picks between two chains of MatMuls on x [rows, width]: `thenWidths` and `elseWidths`
 *  are the output widths of each chain's MatMuls (named mm_<branch>, mm2_<branch>, ...; the last widths of
 *  both chains must agree). The condition is a graph input ('input': data-dependent) or a Constant false
 *  ('const': the else branch runs). */
export function ifMatMulModel(cond: 'input' | 'const', rows: number, width: number, thenWidths: number[], elseWidths: number[]): Uint8Array {
  const T = onnx.TensorProto.DataType;
  const A = onnx.AttributeProto.AttributeType;
  const f32 = (name: string, dims: number[]) => ({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });
  const vi = (name: string, dims: number[], t = T.FLOAT) => ({ name, type: { tensorType: { elemType: t, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const branch = (name: string, widths: number[]) => {
    const tensor = (i: number) => (i === widths.length - 1 ? `y_${name}` : `h${i}_${name}`);
    return {
      name,
      node: widths.map((_, i) => ({ opType: 'MatMul', input: [i ? tensor(i - 1) : 'x', `w${i}_${name}`], output: [tensor(i)], name: i ? `mm${i + 1}_${name}` : `mm_${name}` })),
      initializer: widths.map((w, i) => f32(`w${i}_${name}`, [i ? widths[i - 1] : width, w])),
      output: [vi(`y_${name}`, [rows, widths[widths.length - 1]])],
    };
  };
  const nodes: onnx.INodeProto[] = [];
  if (cond === 'const') nodes.push({ opType: 'Constant', input: [], output: ['c'], name: 'c', attribute: [{ name: 'value', type: A.TENSOR, t: { name: 'cv', dims: [], dataType: T.BOOL, int32Data: [0] } }] });
  nodes.push({ opType: 'If', input: [cond === 'const' ? 'c' : 'cond'], output: ['y'], name: 'if', attribute: [
    { name: 'then_branch', type: A.GRAPH, g: branch('then', thenWidths) },
    { name: 'else_branch', type: A.GRAPH, g: branch('else', elseWidths) },
  ] });
  const inputs = [vi('x', [rows, width]), ...(cond === 'input' ? [vi('cond', [], T.BOOL)] : [])];
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', node: nodes, input: inputs, output: [vi('y', [rows, thenWidths[thenWidths.length - 1]])] } }).finish();
}
