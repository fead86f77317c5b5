// Reads an ONNX ModelProto into a small graph model without materialising weight bytes.
//
// The protobuf wire format is walked by hand (field numbers from onnx.proto, the same schema onnx-proto
// encodes), through a cursor over either a buffer or a file read with positioned reads in small windows.
// Initializers' raw_data and long typed data fields are skipped: only their offset and length are kept, so
// a 1 GB model costs a few MB of memory. External data (data_location = EXTERNAL) is recorded, never read.
// Every problem with the input (truncation, bad varints, lengths past the end, absurd counts, nesting too
// deep, cycles) is a one-line OnnxError naming the file.
import * as fs from 'fs';
import { SpecError } from '../spaces/space';

export class OnnxError extends SpecError {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxError';
  }
}

/** ONNX TensorProto.DataType names by number. */
export const ONNX_DATA_TYPES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
};
/** Bytes per element in raw_data (0: not fixed-size). */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1 };
export const FLOAT_TYPES = new Set([1, 10, 11, 16, 17, 18, 19, 20]);

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Element count (product of dims; 1 for a scalar). */
  size: number;
  /** Decoded values of small numeric tensors (at most SMALL_TENSOR elements); undefined otherwise. */
  values?: number[];
  /** Where the raw_data bytes are in the file or buffer (absolute offset), never copied. */
  rawData?: { offset: number; length: number };
  /** External data (data_location = EXTERNAL): the location and range as written, never read. */
  external?: { location: string; offset?: number; length?: number };
}

export type OnnxAttributeValue = number | number[] | string | string[] | OnnxTensor | OnnxTensor[] | OnnxSubgraph | OnnxSubgraph[] | null;

export interface OnnxNode {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttributeValue>;
}

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor type; 0 when not a tensor or not given. */
  elemType: number;
  /** Dimensions: a number, a symbolic name, or null when unknown; null when no shape is given. */
  shape: (number | string | null)[] | null;
}

/** A subgraph of If/Loop/Scan: kept only as node and initializer lists. */
export interface OnnxSubgraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
}

export interface OnnxModel {
  /** Where the model came from (file path or caller-given label). */
  where: string;
  byteLength: number;
  irVersion: number;
  /** Opset of the default (ai.onnx) domain; 0 when not given. */
  opsetVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  producerVersion: string;
  graphName: string;
  /** Graph inputs that are not initializers (older IRs list initializers as inputs too). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  /** Nodes in topological order. */
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
}

export interface ReadOptions {
  /** Refuse files larger than this (default 8 GiB; protobuf itself stops at 2 GiB). */
  maxFileBytes?: number;
  /** Refuse graphs with more nodes than this, subgraphs included (default 2,000,000). */
  maxNodes?: number;
}

const SMALL_TENSOR = 64;
const MAX_DIMS = 64;
const MAX_DEPTH = 8;
const MAX_STRING = 1 << 20;
const MAX_LIST = 1 << 24;
const MAX_NAMES_PER_NODE = 100_000;
const WINDOW = 1 << 16;

// Field numbers (onnx.proto).
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, domain: 4, modelVersion: 5, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14, trainingInfo: 20, functions: 25 };
const GRAPH = { node: 1, name: 2, initializer: 5, docString: 10, input: 11, output: 12, valueInfo: 13, sparseInitializer: 15 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 };
const ATTR = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, tensors: 10, graphs: 11, type: 20 };
const TENSOR = { dims: 1, dataType: 2, segment: 3, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8, rawData: 9, doubleData: 10, uint64Data: 11, docString: 12, externalData: 13, dataLocation: 14 };

/** One-line, bounded rendering of user text (names) for messages. */
function q(s: string): string {
  const j = JSON.stringify(s);
  return j.length > 60 ? `${j.slice(0, 56)}..."` : j;
}

/** Signals a problem at a byte offset; turned into an OnnxError naming the file by the caller. */
class WireError extends Error {}

/** A cursor over the bytes of a buffer or a file (positioned reads into a sliding window). */
class Cursor {
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

  /** A varint read as a signed 64-bit integer (exact up to 2^53, approximate beyond). */
  int64(): number {
    const [lo, hi] = this.varint64();
    if (hi & 0x80000000) return -((~hi >>> 0) * 4294967296 + (~lo >>> 0) + 1);
    return hi * 4294967296 + lo;
  }

  /** A non-negative varint that must be exact (lengths, counts, enums). */
  uint(): number {
    const at = this.pos;
    const [lo, hi] = this.varint64();
    if (hi >= 0x200000) throw new WireError(`varint at offset ${at} too large (${hi >= 0x80000000 ? 'negative' : 'over 2^53'})`);
    return hi * 4294967296 + lo;
  }

  int32(): number {
    const [lo] = this.varint64();
    return lo | 0;
  }

  float32(): number {
    this.ensure(4);
    const v = this.buf.readFloatLE(this.pos - this.bufStart);
    this.pos += 4;
    return v;
  }

  float64(): number {
    this.ensure(8);
    const v = this.buf.readDoubleLE(this.pos - this.bufStart);
    this.pos += 8;
    return v;
  }

  /** A copy of n bytes (only for small fields). */
  bytes(n: number): Buffer {
    this.ensure(n);
    const o = this.pos - this.bufStart;
    this.pos += n;
    return Buffer.from(this.buf.subarray(o, o + n));
  }

  string(n: number, what: string): string {
    if (n > MAX_STRING) throw new WireError(`${what} of ${n} bytes (over ${MAX_STRING})`);
    this.ensure(n);
    const o = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.toString('utf8', o, o + n);
  }

  skip(n: number): void {
    if (this.pos + n > this.size) throw new WireError(`truncated: a field of ${n} byte(s) at offset ${this.pos} runs past the end (${this.size})`);
    this.pos += n;
  }
}

type FieldFn = (field: number, wire: number) => boolean;

class Parser {
  private nodeCount = 0;
  /** End of the message being read: no field may reach past it. */
  private limit: number;
  constructor(
    private readonly c: Cursor,
    private readonly maxNodes: number,
  ) {
    this.limit = c.size;
  }

  /** Walks the fields of a message ending at `end`; `fn` consumes a field and returns true, or returns false
   *  to have it skipped. */
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
      if (!fn(field, wire)) this.skipValue(wire, at);
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

  /** A length prefix; returns the length after checking it fits in the data. */
  len(): number {
    const at = this.c.pos;
    const n = this.c.uint();
    if (this.c.pos + n > this.c.size) throw new WireError(`length ${n} at offset ${at} runs past the end of the data (${this.c.size})`);
    if (this.c.pos + n > this.limit) throw new WireError(`length ${n} at offset ${at} runs past the end of its enclosing message (${this.limit})`);
    return n;
  }

  /** Expects wire type `want` for a field, else fails. */
  want(wire: number, want: number, what: string): void {
    if (wire !== want) throw new WireError(`${what}: wrong wire type ${wire} (expected ${want}) near offset ${this.c.pos}`);
  }

  str(wire: number, what: string): string {
    this.want(wire, 2, what);
    return this.c.string(this.len(), what);
  }

  /** Reads a sub-message: calls `fn` for its fields within its length. */
  sub(wire: number, what: string, fn: FieldFn): void {
    this.want(wire, 2, what);
    const n = this.len();
    this.fields(this.c.pos + n, fn);
  }

  /** Repeated integers, packed (wire 2) or one at a time (wire 0), appended to `out`. */
  ints(wire: number, out: number[], limit: number, what: string, signed = true): void {
    const c = this.c;
    if (wire === 0) {
      out.push(signed ? c.int64() : c.uint());
    } else if (wire === 2) {
      const n = this.len();
      const end = c.pos + n;
      while (c.pos < end) {
        if (out.length >= limit) throw new WireError(`${what}: more than ${limit} values`);
        out.push(signed ? c.int64() : c.uint());
      }
      if (c.pos !== end) throw new WireError(`${what}: packed values run past their field`);
    } else throw new WireError(`${what}: wrong wire type ${wire}`);
    if (out.length > limit) throw new WireError(`${what}: more than ${limit} values`);
  }

  /** Repeated fixed32 floats / fixed64 doubles. */
  fixed(wire: number, out: number[], limit: number, what: string, bytes: 4 | 8): void {
    const c = this.c;
    const one = () => (bytes === 4 ? c.float32() : c.float64());
    if (wire === (bytes === 4 ? 5 : 1)) out.push(one());
    else if (wire === 2) {
      const n = this.len();
      if (n % bytes !== 0) throw new WireError(`${what}: packed length ${n} is not a multiple of ${bytes}`);
      if (out.length + n / bytes > limit) throw new WireError(`${what}: more than ${limit} values`);
      for (let i = 0; i < n / bytes; i++) out.push(one());
    } else throw new WireError(`${what}: wrong wire type ${wire}`);
    if (out.length > limit) throw new WireError(`${what}: more than ${limit} values`);
  }

  model(where: string): Omit<OnnxModel, 'where' | 'byteLength'> {
    const c = this.c;
    let irVersion: number | undefined;
    let producer = '';
    let producerVersion = '';
    const opsets: { domain: string; version: number }[] = [];
    let graph: ReturnType<Parser['graph']> | undefined;
    let first = true;
    this.fields(c.size, (f, w) => {
      // Sniff: a model starts with a known ModelProto field of the right wire type.
      if (first) {
        first = false;
        const known: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2 };
        if (known[f] !== w) throw new WireError(`not an ONNX model (does not start with a ModelProto field)`);
      }
      switch (f) {
        case MODEL.irVersion:
          this.want(w, 0, 'ir_version');
          irVersion = c.uint();
          return true;
        case MODEL.producerName:
          producer = this.str(w, 'producer_name');
          return true;
        case MODEL.producerVersion:
          producerVersion = this.str(w, 'producer_version');
          return true;
        case MODEL.graph:
          if (graph) throw new WireError('two graph fields');
          this.want(w, 2, 'graph');
          graph = this.graph(this.len(), 0);
          return true;
        case MODEL.opsetImport: {
          const o = { domain: '', version: 0 };
          this.sub(w, 'opset_import', (f2, w2) => {
            if (f2 === 1) o.domain = this.str(w2, 'opset domain');
            else if (f2 === 2) {
              this.want(w2, 0, 'opset version');
              o.version = c.uint();
            } else return false;
            return true;
          });
          if (opsets.length > 1000) throw new WireError('more than 1000 opset imports');
          opsets.push(o);
          return true;
        }
        default:
          return false;
      }
    });
    if (first) throw new WireError('empty file');
    if (!graph) throw new WireError(`not an ONNX model (no graph field${irVersion === undefined ? ', no ir_version' : ''})`);
    if (irVersion === undefined) throw new WireError('not an ONNX model (no ir_version field)');
    const def = opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
    void where;
    return {
      irVersion,
      opsetVersion: def?.version ?? 0,
      opsets,
      producer,
      producerVersion,
      graphName: graph.name,
      inputs: graph.inputs,
      outputs: graph.outputs,
      valueInfo: graph.valueInfo,
      nodes: graph.nodes,
      initializers: graph.initializers,
    };
  }

  graph(length: number, depth: number) {
    if (depth > MAX_DEPTH) throw new WireError(`subgraphs nested more than ${MAX_DEPTH} deep`);
    const g = { name: '', nodes: [] as OnnxNode[], initializers: [] as OnnxTensor[], inputs: [] as OnnxValueInfo[], outputs: [] as OnnxValueInfo[], valueInfo: [] as OnnxValueInfo[] };
    const end = this.c.pos + length;
    this.fields(end, (f, w) => {
      switch (f) {
        case GRAPH.node:
          this.want(w, 2, 'node');
          if (++this.nodeCount > this.maxNodes) throw new WireError(`more than ${this.maxNodes} nodes`);
          g.nodes.push(this.node(this.len(), depth));
          return true;
        case GRAPH.name:
          g.name = this.str(w, 'graph name');
          return true;
        case GRAPH.initializer:
          this.want(w, 2, 'initializer');
          if (g.initializers.length >= MAX_LIST) throw new WireError(`more than ${MAX_LIST} initializers`);
          g.initializers.push(this.tensor(this.len()));
          return true;
        case GRAPH.input:
        case GRAPH.output:
        case GRAPH.valueInfo: {
          this.want(w, 2, 'value info');
          const list = f === GRAPH.input ? g.inputs : f === GRAPH.output ? g.outputs : g.valueInfo;
          if (list.length >= MAX_LIST) throw new WireError(`more than ${MAX_LIST} graph inputs/outputs/value infos`);
          list.push(this.valueInfo(this.len()));
          return true;
        }
        default:
          return false;
      }
    });
    return g;
  }

  node(length: number, depth: number): OnnxNode {
    const c = this.c;
    const n: OnnxNode = { opType: '', domain: '', name: '', inputs: [], outputs: [], attributes: Object.create(null) };
    this.fields(c.pos + length, (f, w) => {
      switch (f) {
        case NODE.input:
        case NODE.output: {
          const list = f === NODE.input ? n.inputs : n.outputs;
          if (list.length >= MAX_NAMES_PER_NODE) throw new WireError(`a node with more than ${MAX_NAMES_PER_NODE} ${f === NODE.input ? 'inputs' : 'outputs'}`);
          list.push(this.str(w, 'node input/output'));
          return true;
        }
        case NODE.name:
          n.name = this.str(w, 'node name');
          return true;
        case NODE.opType:
          n.opType = this.str(w, 'op_type');
          return true;
        case NODE.domain:
          n.domain = this.str(w, 'node domain');
          return true;
        case NODE.attribute: {
          this.want(w, 2, 'attribute');
          const [name, value] = this.attribute(this.len(), depth);
          n.attributes[name] = value;
          return true;
        }
        default:
          return false;
      }
    });
    if (n.opType === '') throw new WireError(`a node without op_type${n.name ? ` (${q(n.name)})` : ''} before offset ${c.pos}`);
    return n;
  }

  attribute(length: number, depth: number): [string, OnnxAttributeValue] {
    const c = this.c;
    let name = '';
    let type = 0;
    let f1: number | undefined;
    let i1: number | undefined;
    let s1: string | undefined;
    let t1: OnnxTensor | undefined;
    let g1: OnnxSubgraph | undefined;
    const floats: number[] = [];
    const ints: number[] = [];
    const strings: string[] = [];
    const tensors: OnnxTensor[] = [];
    const graphs: OnnxSubgraph[] = [];
    this.fields(c.pos + length, (f, w) => {
      switch (f) {
        case ATTR.name:
          name = this.str(w, 'attribute name');
          return true;
        case ATTR.type:
          this.want(w, 0, 'attribute type');
          type = c.uint();
          return true;
        case ATTR.f:
          this.want(w, 5, 'attribute f');
          f1 = c.float32();
          return true;
        case ATTR.i:
          this.want(w, 0, 'attribute i');
          i1 = c.int64();
          return true;
        case ATTR.s: {
          this.want(w, 2, 'attribute s');
          const len = this.len();
          if (len > 4096) {
            c.skip(len);
            s1 = `<${len} bytes>`;
          } else s1 = c.string(len, 'attribute s');
          return true;
        }
        case ATTR.t:
          this.want(w, 2, 'attribute t');
          t1 = this.tensor(this.len());
          return true;
        case ATTR.g: {
          this.want(w, 2, 'attribute g');
          const sg = this.graph(this.len(), depth + 1);
          g1 = { name: sg.name, nodes: sg.nodes, initializers: sg.initializers };
          return true;
        }
        case ATTR.floats:
          this.fixed(w, floats, MAX_LIST, 'attribute floats', 4);
          return true;
        case ATTR.ints:
          this.ints(w, ints, MAX_LIST, 'attribute ints');
          return true;
        case ATTR.strings: {
          this.want(w, 2, 'attribute strings');
          if (strings.length >= MAX_LIST) throw new WireError('attribute strings: too many values');
          const len = this.len();
          if (len > 4096) {
            c.skip(len);
            strings.push(`<${len} bytes>`);
          } else strings.push(c.string(len, 'attribute strings'));
          return true;
        }
        case ATTR.tensors:
          this.want(w, 2, 'attribute tensors');
          if (tensors.length >= MAX_LIST) throw new WireError('attribute tensors: too many values');
          tensors.push(this.tensor(this.len()));
          return true;
        case ATTR.graphs: {
          this.want(w, 2, 'attribute graphs');
          const sg = this.graph(this.len(), depth + 1);
          graphs.push({ name: sg.name, nodes: sg.nodes, initializers: sg.initializers });
          return true;
        }
        default:
          return false;
      }
    });
    // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8,
    // TENSORS 9, GRAPHS 10. Old files may omit the type: take whichever field is set.
    let value: OnnxAttributeValue = null;
    switch (type) {
      case 1: value = f1 ?? 0; break;
      case 2: value = i1 ?? 0; break;
      case 3: value = s1 ?? ''; break;
      case 4: value = t1 ?? null; break;
      case 5: value = g1 ?? null; break;
      case 6: value = floats; break;
      case 7: value = ints; break;
      case 8: value = strings; break;
      case 9: value = tensors; break;
      case 10: value = graphs; break;
      default:
        value = f1 ?? i1 ?? s1 ?? t1 ?? g1 ?? (floats.length ? floats : ints.length ? ints : strings.length ? strings : tensors.length ? tensors : graphs.length ? graphs : null);
    }
    return [name, value];
  }

  tensor(length: number): OnnxTensor {
    const c = this.c;
    const end = c.pos + length;
    const t: OnnxTensor = { name: '', dims: [], dataType: 0, size: 1 };
    // Typed data fields: decoded only while small; otherwise counted and skipped.
    const typed: number[] = [];
    let typedCount = 0;
    let typedTooBig = false;
    let location = 0;
    let smallRaw: Buffer | undefined;
    const ext: Record<string, string> = {};
    const typedField = (w: number, kind: 'f32' | 'f64' | 'int' | 'uint') => {
      if (typedTooBig) {
        if (w === 2) c.skip(this.len());
        else this.skipValue(w, c.pos);
        return;
      }
      if (w === 2) {
        const n = this.len();
        // A packed field longer than any small tensor is skipped untouched.
        if (n > SMALL_TENSOR * 10) {
          typedTooBig = true;
          c.skip(n);
          return;
        }
        const fieldEnd = c.pos + n;
        while (c.pos < fieldEnd) {
          typed.push(kind === 'f32' ? c.float32() : kind === 'f64' ? c.float64() : kind === 'int' ? c.int64() : c.int64());
          typedCount++;
        }
        if (c.pos !== fieldEnd) throw new WireError('tensor data: packed values run past their field');
      } else {
        typed.push(kind === 'f32' ? (this.want(w, 5, 'float_data'), c.float32()) : kind === 'f64' ? (this.want(w, 1, 'double_data'), c.float64()) : (this.want(w, 0, 'int data'), c.int64()));
        typedCount++;
      }
      if (typedCount > SMALL_TENSOR) typedTooBig = true;
    };
    this.fields(end, (f, w) => {
      switch (f) {
        case TENSOR.dims:
          this.ints(w, t.dims, MAX_DIMS, 'tensor dims');
          return true;
        case TENSOR.dataType:
          this.want(w, 0, 'tensor data_type');
          t.dataType = c.uint();
          return true;
        case TENSOR.name:
          t.name = this.str(w, 'tensor name');
          return true;
        case TENSOR.rawData: {
          this.want(w, 2, 'raw_data');
          const n = this.len();
          t.rawData = { offset: c.pos, length: n };
          // Small data is copied while the cursor is on it (decoded once dims and type are known).
          if (n <= SMALL_TENSOR * 8) smallRaw = c.bytes(n);
          else c.skip(n);
          return true;
        }
        case TENSOR.floatData:
          typedField(w, 'f32');
          return true;
        case TENSOR.doubleData:
          typedField(w, 'f64');
          return true;
        case TENSOR.int32Data:
        case TENSOR.int64Data:
          typedField(w, 'int');
          return true;
        case TENSOR.uint64Data:
          typedField(w, 'uint');
          return true;
        case TENSOR.dataLocation:
          this.want(w, 0, 'data_location');
          location = c.uint();
          return true;
        case TENSOR.externalData: {
          let k = '';
          let v = '';
          this.sub(w, 'external_data', (f2, w2) => {
            if (f2 === 1) k = this.str(w2, 'external_data key');
            else if (f2 === 2) v = this.str(w2, 'external_data value');
            else return false;
            return true;
          });
          if (Object.keys(ext).length > 100) throw new WireError('external_data: too many entries');
          ext[k] = v;
          return true;
        }
        default:
          return false;
      }
    });
    for (const d of t.dims) {
      if (d < 0) throw new WireError(`tensor ${q(t.name)}: negative dimension ${d}`);
      t.size *= d;
    }
    if (!Number.isSafeInteger(t.size)) throw new WireError(`tensor ${q(t.name)}: absurd element count (dims ${t.dims.join('x')})`);
    if (location === 1) {
      const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
      t.external = { location: ext.location ?? '', offset: num(ext.offset), length: num(ext.length) };
    } else if (t.rawData) {
      const eb = ELEMENT_BYTES[t.dataType];
      if (eb && t.rawData.length !== t.size * eb) {
        throw new WireError(`tensor ${q(t.name)}: raw_data has ${t.rawData.length} bytes, dims ${t.dims.join('x') || 'scalar'} of ${ONNX_DATA_TYPES[t.dataType] ?? t.dataType} need ${t.size * eb}`);
      }
      if (eb && t.size <= SMALL_TENSOR && smallRaw) t.values = decodeRaw(smallRaw, t.dataType, t.size);
    } else if (!typedTooBig && typedCount > 0 && typedCount === t.size) {
      t.values = t.dataType === 10 ? typed.map(halfToFloat) : typed;
    }
    return t;
  }

  valueInfo(length: number): OnnxValueInfo {
    const c = this.c;
    const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
    this.fields(c.pos + length, (f, w) => {
      if (f === 1) v.name = this.str(w, 'value name');
      else if (f === 2)
        // TypeProto: tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1, dim_param = 2 } } }
        this.sub(w, 'type', (f2, w2) => {
          if (f2 !== 1) return false;
          this.sub(w2, 'tensor_type', (f3, w3) => {
            if (f3 === 1) {
              this.want(w3, 0, 'elem_type');
              v.elemType = c.uint();
            } else if (f3 === 2) {
              const shape: (number | string | null)[] = [];
              this.sub(w3, 'shape', (f4, w4) => {
                if (f4 !== 1) return false;
                if (shape.length >= MAX_DIMS) throw new WireError(`value ${q(v.name)}: more than ${MAX_DIMS} dimensions`);
                let d: number | string | null = null;
                this.sub(w4, 'dim', (f5, w5) => {
                  if (f5 === 1) {
                    this.want(w5, 0, 'dim_value');
                    d = c.int64();
                  } else if (f5 === 2) d = this.str(w5, 'dim_param');
                  else return false;
                  return true;
                });
                shape.push(d);
                return true;
              });
              v.shape = shape;
            } else return false;
            return true;
          });
          return true;
        });
      else return false;
      return true;
    });
    return v;
  }
}

function decodeRaw(b: Buffer, type: number, n: number): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (type) {
      case 1: out.push(b.readFloatLE(4 * i)); break;
      case 2: out.push(b.readUInt8(i)); break;
      case 3: out.push(b.readInt8(i)); break;
      case 4: out.push(b.readUInt16LE(2 * i)); break;
      case 5: out.push(b.readInt16LE(2 * i)); break;
      case 6: out.push(b.readInt32LE(4 * i)); break;
      case 7: out.push(Number(b.readBigInt64LE(8 * i))); break;
      case 9: out.push(b.readUInt8(i)); break;
      case 10: out.push(halfToFloat(b.readUInt16LE(2 * i))); break;
      case 11: out.push(b.readDoubleLE(8 * i)); break;
      case 12: out.push(b.readUInt32LE(4 * i)); break;
      case 13: out.push(Number(b.readBigUInt64LE(8 * i))); break;
      case 16: out.push(bf16ToFloat(b.readUInt16LE(2 * i))); break;
      default: return undefined;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function bf16ToFloat(h: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt32LE((h << 16) >>> 0);
  return b.readFloatLE(0);
}

/** Orders nodes topologically; a cycle or a tensor produced twice is an error. */
function topoSort(nodes: OnnxNode[]): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o)) throw new WireError(`tensor ${q(o)} is produced by two nodes`);
      producer.set(o, i);
    }
  });
  const indeg = new Int32Array(nodes.length);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const seen = new Set<number>();
    for (const inp of n.inputs) {
      const p = producer.get(inp);
      if (p === undefined || seen.has(p)) continue;
      if (p === i) throw new WireError(`graph has a cycle: node ${q(n.name || n.opType)} reads its own output ${q(inp)}`);
      seen.add(p);
      indeg[i]++;
      users[p].push(i);
    }
  });
  const order: number[] = [];
  for (let i = 0; i < nodes.length; i++) if (indeg[i] === 0) order.push(i);
  for (let k = 0; k < order.length; k++) {
    for (const u of users[order[k]]) if (--indeg[u] === 0) order.push(u);
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.findIndex((_, i) => indeg[i] > 0);
    const n = nodes[stuck];
    throw new WireError(`graph has a cycle through node ${q(n.name || n.opType)} (${n.opType})`);
  }
  // Keep the file order when it is already topological (the usual case).
  if (order.every((v, i) => v === i)) return nodes;
  return order.map((i) => nodes[i]);
}

function finish(c: Cursor, where: string, opts: ReadOptions): OnnxModel {
  try {
    const m = new Parser(c, opts.maxNodes ?? 2_000_000).model(where);
    m.nodes = topoSort(m.nodes);
    const init = new Set(m.initializers.map((t) => t.name));
    m.inputs = m.inputs.filter((i) => !init.has(i.name));
    return { where, byteLength: c.size, ...m };
  } catch (e) {
    if (e instanceof WireError) throw new OnnxError(`${where}: ${e.message}`);
    if (e instanceof OnnxError) throw e;
    // Nothing else should escape; if it does, it is still the input's fault, reported in one line.
    throw new OnnxError(`${where}: corrupt ONNX data (${String((e as Error)?.message ?? e).split('\n')[0]})`);
  }
}

/** Reads a model held in memory; `where` names it in messages. */
export function readOnnxBytes(buf: Uint8Array, where = '<buffer>', opts: ReadOptions = {}): OnnxModel {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return finish(new Cursor(b.length, null, b), where, opts);
}

/** Reads a model file through positioned reads: memory stays small whatever the file size. */
export function readOnnxFile(file: string, opts: ReadOptions = {}): OnnxModel {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new OnnxError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new OnnxError(`${file}: is a directory, not an ONNX file`);
    const max = opts.maxFileBytes ?? 8 * 1024 ** 3;
    if (st.size > max) throw new OnnxError(`${file}: ${st.size} bytes is over the limit of ${max} bytes for ONNX files`);
    const readAt = (pos: number, len: number) => {
      const b = Buffer.allocUnsafe(len);
      let got = 0;
      while (got < len) {
        const n = fs.readSync(fd, b, got, len - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return got === len ? b : b.subarray(0, got);
    };
    return finish(new Cursor(st.size, readAt), file, opts);
  } finally {
    fs.closeSync(fd);
  }
}
