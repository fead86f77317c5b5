// Generators of hostile models for the onnx-space device tests and bench (test/hostile/onnx-devices.test.ts,
// bench/hostile/onnx-devices.ts), written as protobuf bytes directly (fast at any size).
import { lfield, vfield } from '../protoBytes';

/** A float ValueInfo of shape ["n", 8]. */
const openInfo = (name: string) => Buffer.concat([lfield(1, name), lfield(2, lfield(1, Buffer.concat([vfield(1, 1), lfield(2, Buffer.concat([lfield(1, lfield(2, 'n')), lfield(1, vfield(1, 8))]))])))]);

/** A model of `n` inputs ["n", 8], each through a Relu to its own output. */
export function manyOpenInputs(n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) parts.push(lfield(1, Buffer.concat([lfield(1, `x${i}`), lfield(2, `y${i}`), lfield(4, 'Relu')])));
  parts.push(lfield(2, 'g'));
  for (let i = 0; i < n; i++) parts.push(lfield(11, openInfo(`x${i}`)));
  for (let i = 0; i < n; i++) parts.push(lfield(12, openInfo(`y${i}`)));
  return Buffer.concat([vfield(1, 7), lfield(8, Buffer.concat([lfield(1, ''), vfield(2, 13)])), lfield(7, Buffer.concat(parts))]);
}

/** One open input ["n", 8] and `weightBytes` of float weights in a single initializer (raw_data). */
export function bigWeights(weightBytes: number): Buffer {
  const count = Math.floor(weightBytes / 4);
  const tensor = Buffer.concat([vfield(1, count), vfield(2, 1), lfield(8, 'w'), lfield(9, Buffer.alloc(count * 4))]);
  const graph = Buffer.concat([
    lfield(1, Buffer.concat([lfield(1, 'x'), lfield(2, 'y'), lfield(4, 'Relu')])),
    lfield(2, 'g'),
    lfield(5, tensor),
    lfield(11, openInfo('x')),
    lfield(12, openInfo('y')),
  ]);
  return Buffer.concat([vfield(1, 7), lfield(8, Buffer.concat([lfield(1, ''), vfield(2, 13)])), lfield(7, graph)]);
}
