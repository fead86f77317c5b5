// The protobuf wire-level part of the ONNX reader (see reader.ts for what is walked and why): a cursor over
// a buffer or a file (positioned reads in small windows), a walker over the fields of a message with every
// length checked against the data and its enclosing message, an output for the slimmed copies of messages
// that onnx-proto then decodes, and the framing check (wire types of onnx.proto) of every buffer handed to
// onnx-proto.

import * as fs from 'fs';

/** Signals a problem at a byte offset; turned into an OnnxError naming the file by the reader. */
export class WireError extends Error {}

const WINDOW = 1 << 16;

/** A cursor over the bytes of a buffer or a file (positioned reads into a sliding window). Windows are
 *  replaced, never overwritten, so views handed out stay valid. */
export class Cursor {
  pos = 0;
  private buf: Buffer;
  private bufStart = 0;
  constructor(
    readonly size: number,
    private readonly readAt: ((pos: number, len: number) => Buffer) | null,
    whole?: Buffer,
  ) {
    this.buf = whole ?? Buffer.alloc(0);
  }

  private ensure(n: number): void {
    if (this.pos + n > this.size) throw new WireError(`truncated: needs ${n} byte(s) at offset ${this.pos}, the data ends at ${this.size}`);
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    if (!this.readAt) throw new WireError(`internal: offset ${this.pos} outside the buffer`);
    const len = Math.min(Math.max(n, WINDOW), this.size - this.pos);
    this.buf = this.readAt(this.pos, len);
    this.bufStart = this.pos;
    if (this.buf.length < n) throw new WireError(`truncated: the file ended while reading offset ${this.pos}`);
  }

  byte(): number {
    this.ensure(1);
    return this.buf[this.pos++ - this.bufStart];
  }

  /** A varint as [low 32 bits, high 32 bits]. */
  varint64(): [number, number] {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    throw new WireError(`bad varint at offset ${start} (more than 10 bytes)`);
  }

  /** A non-negative varint that must be exact (keys, lengths). */
  uint(): number {
    const at = this.pos;
    const [lo, hi] = this.varint64();
    if (hi >= 0x200000) throw new WireError(`varint at offset ${at} too large (${hi >= 0x80000000 ? 'negative' : 'over 2^53'})`);
    return hi * 4294967296 + lo;
  }

  /** The next n bytes, a view (no copy) when they are in the buffer or window; read fresh otherwise. */
  view(n: number): Buffer {
    this.ensure(n);
    const o = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(o, o + n);
  }

  /** The n bytes at `from` (already walked), without moving the cursor: a view when still in the window. */
  bytesAt(from: number, n: number): Buffer {
    if (from >= this.bufStart && from + n <= this.bufStart + this.buf.length) return this.buf.subarray(from - this.bufStart, from - this.bufStart + n);
    if (!this.readAt || from + n > this.size) throw new WireError(`internal: bytes ${from}..${from + n} outside the data`);
    const b = this.readAt(from, n);
    if (b.length < n) throw new WireError(`truncated: the file ended while reading offset ${from}`);
    return b;
  }

  skip(n: number): void {
    if (this.pos + n > this.size) throw new WireError(`truncated: a field of ${n} byte(s) at offset ${this.pos} runs past the end (${this.size})`);
    this.pos += n;
  }
}

/** Consumes one field (key already read, `at` is the key's offset) and returns true, or returns false to have
 *  it skipped. */
/** A cursor over an open file of `size` bytes (positioned reads; a short file yields short windows). */
export function fileCursor(fd: number, size: number): Cursor {
  return new Cursor(size, (pos, len) => {
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, b, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return got === len ? b : b.subarray(0, got);
  });
}

export type FieldFn = (field: number, wire: number, at: number) => boolean;

/** Walks the fields of messages through a cursor, checking every length against the data and the end of the
 *  enclosing message. */
export class Walker {
  /** End of the message being walked: no field may reach past it. */
  private limit: number;
  constructor(readonly c: Cursor) {
    this.limit = c.size;
  }

  /** Walks the fields of a message ending at `end`. */
  fields(end: number, fn: FieldFn): void {
    const c = this.c;
    const outer = this.limit;
    if (end > outer) throw new WireError(`a message at offset ${c.pos} runs past the end of its enclosing message (${outer})`);
    this.limit = end;
    while (c.pos < end) {
      const at = c.pos;
      const key = c.uint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 0) throw new WireError(`invalid field number 0 at offset ${at}`);
      if (!fn(field, wire, at)) this.skipValue(wire, at);
      if (c.pos > end) throw new WireError(`a field at offset ${at} runs past the end of its message (${end})`);
    }
    this.limit = outer;
  }

  skipValue(wire: number, at: number): void {
    const c = this.c;
    switch (wire) {
      case 0:
        c.varint64();
        return;
      case 1:
        c.skip(8);
        return;
      case 2:
        c.skip(this.len());
        return;
      case 5:
        c.skip(4);
        return;
      default:
        throw new WireError(`unsupported wire type ${wire} at offset ${at}`);
    }
  }

  /** A length prefix; returns the length after checking it fits in the data and the enclosing message. */
  len(): number {
    const at = this.c.pos;
    const n = this.c.uint();
    if (this.c.pos + n > this.c.size) throw new WireError(`length ${n} at offset ${at} runs past the end of the data (${this.c.size} bytes: truncated or corrupt)`);
    if (this.c.pos + n > this.limit) throw new WireError(`length ${n} at offset ${at} runs past the end of its enclosing message (${this.limit})`);
    return n;
  }

  /** Expects wire type `want` (or `alt`) for a field, else fails. */
  want(wire: number, want: number, what: string, alt = want): void {
    if (wire !== want && wire !== alt) throw new WireError(`${what}: wrong wire type ${wire} (expected ${want}) near offset ${this.c.pos}`);
  }

  /** Skips the value of the field whose key is at `at` and appends the whole field (key and value) to `out`. */
  copy(wire: number, at: number, out: Out): void {
    this.skipValue(wire, at);
    out.push(this.c.bytesAt(at, this.c.pos - at));
  }
}

/** Bytes of a message being assembled (a slimmed copy), with a size cap so that hostile input cannot make it
 *  grow without bound. One growing buffer: a node may hold a million tiny attributes, and a list of parts
 *  per message cost more in objects than the bytes themselves. */
export class Out {
  private buf = Buffer.allocUnsafe(64);
  size = 0;
  constructor(private readonly cap: number) {}

  private room(n: number): void {
    if (this.size + n > this.cap) throw new WireError(`message structure over ${this.cap} bytes (without weight data)`);
    if (this.size + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.min(Math.max(2 * this.buf.length, this.size + n), this.cap + 10));
    this.buf.copy(grown, 0, 0, this.size);
    this.buf = grown;
  }

  push(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.size);
    this.size += b.length;
  }

  varint(n: number): void {
    let len = 1;
    for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) len++;
    this.room(len);
    while (n >= 0x80) {
      this.buf[this.size++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.size++] = n;
  }

  /** A length-delimited field holding `inner`'s bytes. */
  message(field: number, inner: Out): void {
    this.varint(field * 8 + 2);
    this.varint(inner.size);
    this.push(inner.bytes());
  }

  /** A length-delimited field holding a UTF-8 string. */
  string(field: number, s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.varint(field * 8 + 2);
    this.varint(b.length);
    this.push(b);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.size);
  }
}

// --- framing check of the bytes handed to onnx-proto --------------------------------------------------------
// protobufjs's generated decoders trust what they read: a field with the wrong wire type is read as if it
// had the right one, a nested length may run past its enclosing message, a packed run may end inside a
// varint, and keys and lengths are read as 32-bit values (a longer varint is skipped blindly). So every
// buffer is checked against the wire types of onnx.proto first; protobufjs then only decodes well-framed
// bytes, and corrupt input is refused instead of being decoded into garbage.

const V = 1 << 0; // varint
const F64 = 1 << 1; // fixed64
const L = 1 << 2; // length-delimited
const F32 = 1 << 5; // fixed32

interface FieldSpec {
  name: string;
  /** Allowed wire types (bit per wire type). */
  wires: number;
  /** A message of this kind (when length-delimited). */
  child?: string;
  /** Element wire type when packed (length-delimited repeated numbers). */
  packed?: 0 | 1 | 5;
  /** Read by protobufjs as 32-bit varints (int32, enums): at most 5 bytes, or 10 for negative values. */
  i32?: boolean;
}

const s = (name: string, wires = L, more: Partial<FieldSpec> = {}): FieldSpec => ({ name, wires, ...more });
const msg = (name: string, child: string): FieldSpec => ({ name, wires: L, child });
const int32 = (name: string): FieldSpec => ({ name, wires: V, i32: true });

/** Wire types of the onnx.proto messages the reader hands to onnx-proto (fields not listed: any wire type). */
const ONNX_WIRE: Record<string, Record<number, FieldSpec>> = {
  ModelProto: { 1: s('ir_version', V), 2: s('producer_name'), 3: s('producer_version'), 4: s('domain'), 5: s('model_version', V), 6: s('doc_string'), 7: msg('graph', 'GraphProto'), 8: msg('opset_import', 'OperatorSetIdProto') },
  OperatorSetIdProto: { 1: s('opset domain'), 2: s('opset version', V) },
  GraphProto: {
    1: msg('node', 'NodeProto'), 2: s('graph name'), 5: msg('initializer', 'TensorProto'), 15: msg('sparse_initializer', 'SparseTensorProto'), 10: s('doc_string'),
    11: msg('graph input', 'ValueInfoProto'), 12: msg('graph output', 'ValueInfoProto'), 13: msg('value_info', 'ValueInfoProto'), 14: s('quantization_annotation'),
  },
  NodeProto: { 1: s('node input'), 2: s('node output'), 3: s('node name'), 4: s('op_type'), 5: msg('attribute', 'AttributeProto'), 6: s('doc_string'), 7: s('node domain') },
  AttributeProto: {
    1: s('attribute name'), 21: s('ref_attr_name'), 13: s('doc_string'), 20: int32('attribute type'), 2: s('attribute f', F32), 3: s('attribute i', V), 4: s('attribute s'),
    5: msg('attribute t', 'TensorProto'), 6: msg('attribute g', 'GraphProto'), 22: msg('attribute sparse_tensor', 'SparseTensorProto'), 14: msg('attribute tp', 'TypeProto'),
    7: s('attribute floats', F32 | L, { packed: 5 }), 8: s('attribute ints', V | L, { packed: 0 }), 9: s('attribute strings'), 10: msg('attribute tensors', 'TensorProto'),
    11: msg('attribute graphs', 'GraphProto'), 23: msg('attribute sparse_tensors', 'SparseTensorProto'), 15: msg('attribute type_protos', 'TypeProto'),
  },
  TensorProto: {
    1: s('tensor dims', V | L, { packed: 0 }), 2: int32('tensor data_type'), 3: msg('tensor segment', 'Segment'), 4: s('float_data', F32 | L, { packed: 5 }),
    5: s('int32_data', V | L, { packed: 0, i32: true }), 6: s('string_data'), 7: s('int64_data', V | L, { packed: 0 }), 8: s('tensor name'), 9: s('raw_data'),
    10: s('double_data', F64 | L, { packed: 1 }), 11: s('uint64_data', V | L, { packed: 0 }), 12: s('doc_string'), 13: msg('external_data', 'StringStringEntryProto'),
    14: int32('data_location'),
  },
  Segment: { 1: s('segment begin', V), 2: s('segment end', V) },
  StringStringEntryProto: { 1: s('key'), 2: s('value') },
  SparseTensorProto: { 1: msg('sparse values', 'TensorProto'), 2: msg('sparse indices', 'TensorProto'), 3: s('sparse dims', V | L, { packed: 0 }) },
  ValueInfoProto: { 1: s('value name'), 2: msg('type', 'TypeProto'), 3: s('doc_string') },
  TypeProto: { 1: msg('tensor_type', 'TypeTensor'), 4: msg('sequence_type', 'TypeElem'), 5: msg('map_type', 'TypeMap'), 9: msg('optional_type', 'TypeElem'), 8: msg('sparse_tensor_type', 'TypeTensor'), 6: s('denotation') },
  TypeTensor: { 1: int32('elem_type'), 2: msg('shape', 'TensorShapeProto') },
  TypeElem: { 1: msg('elem_type', 'TypeProto') },
  TypeMap: { 1: int32('key_type'), 2: msg('value_type', 'TypeProto') },
  TensorShapeProto: { 1: msg('dim', 'Dimension') },
  Dimension: { 1: s('dim_value', V), 2: s('dim_param'), 3: s('denotation') },
};

/** Messages nested deeper than this are refused before protobufjs (which recurses) sees them. */
const MAX_NESTING = 64;

/** Checks that `b` is a well-framed `kind` message (see above). `base`: the offset of `b` in the input, for
 *  messages; null when `b` is a copy. */
export function checkFraming(b: Uint8Array, kind: string, base: number | null): void {
  new FrameCheck(b, base).walk(b.length, kind, 0);
}

class FrameCheck {
  private pos = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly base: number | null,
  ) {}

  private where(p: number): string {
    return this.base === null ? '' : ` at offset ${this.base + p}`;
  }

  /** A key or a length: as protobufjs reads them, at most 5 bytes and under 2^32. */
  private u32(end: number, what: string): number {
    const b = this.b;
    const at = this.pos;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= end) throw new WireError(`${what}${this.where(at)} runs past the end of its message`);
      const x = b[this.pos++];
      v += (x & 0x7f) * mul;
      mul *= 128;
      if (x < 0x80) {
        if (v > 0xffffffff) break;
        return v;
      }
    }
    throw new WireError(`bad varint${this.where(at)} (${what} over 32 bits)`);
  }

  /** Skips a varint value; `i32`: as protobufjs reads 32-bit varints (5 bytes, or 10 for negatives). */
  private skipVarint(end: number, i32: boolean | undefined, what: string, packed: boolean): void {
    const b = this.b;
    const at = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) throw new WireError(`${what}${this.where(at)}: a varint runs past the end of its ${packed ? 'packed field' : 'message'}`);
      if (b[this.pos++] < 0x80) {
        if (i32 && i >= 5 && i !== 9) throw new WireError(`bad varint${this.where(at)} (${what}: ${i + 1} bytes for a 32-bit value)`);
        return;
      }
    }
    throw new WireError(`bad varint${this.where(at)} (more than 10 bytes)`);
  }

  walk(end: number, kind: string, depth: number): void {
    if (depth > MAX_NESTING) throw new WireError(`messages nested more than ${MAX_NESTING} deep${this.where(this.pos)}`);
    const schema = ONNX_WIRE[kind];
    while (this.pos < end) {
      const at = this.pos;
      const key = this.u32(end, 'a field key');
      const field = key >>> 3;
      const wire = key & 7;
      if (field === 0) throw new WireError(`invalid field number 0${this.where(at)}`);
      const spec: FieldSpec | undefined = schema[field];
      if (spec && !(spec.wires & (1 << wire))) {
        const expected = [0, 1, 2, 5].filter((w) => spec.wires & (1 << w)).join(' or ');
        throw new WireError(`${spec.name}: wrong wire type ${wire} (expected ${expected})${this.where(at)}`);
      }
      switch (wire) {
        case 0:
          this.skipVarint(end, spec?.i32, spec?.name ?? `field ${field}`, false);
          break;
        case 1:
        case 5: {
          const n = wire === 1 ? 8 : 4;
          if (this.pos + n > end) throw new WireError(`${spec?.name ?? `field ${field}`}${this.where(at)} runs past the end of its message`);
          this.pos += n;
          break;
        }
        case 2: {
          const what = spec?.name ?? `field ${field}`;
          const n = this.u32(end, `the length of ${what}`);
          if (this.pos + n > end) throw new WireError(`${what}: length ${n}${this.where(at)} runs past the end of its enclosing message`);
          const fieldEnd = this.pos + n;
          if (spec?.child) this.walk(fieldEnd, spec.child, depth + 1);
          else if (spec?.packed === 0) while (this.pos < fieldEnd) this.skipVarint(fieldEnd, spec.i32, what, true);
          else if (spec?.packed !== undefined && n % (spec.packed === 1 ? 8 : 4) !== 0) throw new WireError(`${what}: packed length ${n}${this.where(at)} is not a multiple of ${spec.packed === 1 ? 8 : 4}`);
          this.pos = fieldEnd;
          break;
        }
        default:
          throw new WireError(`unsupported wire type ${wire}${this.where(at)}`);
      }
    }
  }
}
