// Shared by the ONNX tests and the bench: a model file with one big Gemm initializer whose raw_data is a
// hole (sparse file), so a 1 GB model costs no disk and no time to make.
import * as fs from 'node:fs';
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
