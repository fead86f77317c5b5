// Protobuf wire bytes written by hand, for tests and benches that need ONNX files the encoder would refuse
// or that are too big to build as objects (hostile counts, sparse multi-GB initializers).

export function varint(n: number): Buffer {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}

/** A field key: field number and wire type. */
export const key = (f: number, w: number) => varint(f * 8 + w);
/** A varint field. */
export const vfield = (f: number, n: number) => Buffer.concat([key(f, 0), varint(n)]);
/** A length-delimited field. */
export const lfield = (f: number, b: Buffer | string) => {
  const x = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([key(f, 2), varint(x.length), x]);
};

/** A ValueInfoProto of a float tensor with the given dims (no type at all without them). */
export const valueInfo = (name: string, dims?: number[]) =>
  dims ? Buffer.concat([lfield(1, name), lfield(2, lfield(1, Buffer.concat([vfield(1, 1), lfield(2, Buffer.concat(dims.map((d) => lfield(1, vfield(1, d)))))])))]) : lfield(1, name);
