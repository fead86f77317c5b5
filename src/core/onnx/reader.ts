// Reads an ONNX ModelProto into a small graph model without materialising weight bytes.
//
// Decoding is onnx-proto's (the protobufjs decoders generated from onnx.proto) for every message whose bytes
// are small: nodes with their attributes, tensors and subgraphs (onnx.NodeProto), graph inputs, outputs and
// value infos (onnx.ValueInfoProto), initializers' header fields (onnx.TensorProto), and the model's and the
// graph's own fields with the opset imports (onnx.ModelProto, onnx.GraphProto over a copy of those fields).
// int64 fields come back as Long objects or numbers (whether protobufjs finds the long package) and are
// turned into numbers here.
//
// A hand-written cursor over the wire format (wire.ts) remains where onnx-proto cannot be used alone:
// protobufjs decodes a message from one buffer in memory, whole, and an ONNX file is mostly weight bytes.
//   - The top-level ModelProto and GraphProto fields are walked with positioned reads in small windows, so a
//     1 GB file costs a few MB; each small field is then handed to onnx-proto as a view of the bytes read.
//   - Initializers (and nodes over 64 KiB: Constants holding weights, If/Loop bodies with initializers) are
//     walked to make a slimmed copy for onnx-proto: raw_data and long typed data fields are cut out and only
//     their offset and length kept (in a table the copy's tensor doc_string points to), so weight bytes are
//     never read. External data (data_location = EXTERNAL) is recorded, never read.
//   - Framing is checked before protobufjs sees any bytes: by the walk (lengths against the data and the
//     enclosing message, counts, subgraph depth) and, for every buffer handed to onnx-proto, by checkFraming
//     against the wire types of onnx.proto. protobufjs trusts what it reads (a field with the wrong wire type
//     is read as the expected one, a nested length may run past its message, packed counts are unbounded),
//     so corrupt bytes would otherwise decode into garbage and hostile ones make it allocate or recurse
//     without bound.
// Every problem with the input (truncation, bad varints, lengths past the end, absurd counts, nesting too
// deep, cycles, and whatever protobufjs still throws, such as "index out of range") is a one-line OnnxError
// naming the file and what was being read.
import * as fs from 'fs';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { SpecError } from '../spaces/space';
import { checkFraming, Cursor, fileCursor, Out, Walker, WireError } from './wire';

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
  /** External data (data_location = EXTERNAL): the location and range as written, never read. `offset` and
   *  `length` are undefined when absent or not a byte count; `problem` says why the data's size is unknown
   *  (a range that is not a byte count, or, for files, past the end of the external file or no such file). */
  external?: { location: string; offset?: number; length?: number; problem?: string };
}

/** Bytes of a tensor's data as the file stores it (raw_data, or external data checked by the reader);
 *  undefined when unknown (see `external.problem`). Typed data fields count 0 (they are small here). */
export function tensorDataBytes(t: OnnxTensor): number | undefined {
  if (t.rawData) return t.rawData.length;
  if (!t.external) return 0;
  if (t.external.problem !== undefined) return undefined;
  if (t.external.length !== undefined) return t.external.length;
  const eb = ELEMENT_BYTES[t.dataType];
  return eb ? t.size * eb : undefined;
}

/** An ints, floats or strings attribute too long to read (over MAX_ATTR_LIST_BYTES or MAX_ATTR_LIST values):
 *  a million int64 values decode into a million objects. */
export interface OnnxOmittedList {
  omitted: string;
}

export type OnnxAttributeValue = number | number[] | string | string[] | OnnxTensor | OnnxTensor[] | OnnxSubgraph | OnnxSubgraph[] | OnnxOmittedList | null;

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

/** A subgraph of If/Loop/Scan: its nodes, initializers, and its inputs and outputs (bound by position to
 *  the If/Loop node's). */
export interface OnnxSubgraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
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
  /** Refuse graphs with more nodes than this, subgraphs included (default 300,000). */
  maxNodes?: number;
  /** Refuse graphs with more initializers, graph inputs, outputs and value infos than this, together
   *  (default 1,000,000): each costs memory whatever its size in the file (an empty one is 2 bytes). */
  maxEntries?: number;
}

/** Defaults of ReadOptions.maxNodes and maxEntries: what a 100 MB file of tiny nodes or entries costs to read
 *  and analyse stays under a few hundred MB and a few seconds (real graphs have well under 100,000 nodes). */
const MAX_NODES = 300_000;
const MAX_ENTRIES = 1_000_000;

const SMALL_TENSOR = 64;
/** raw_data up to this many bytes is kept, to decode small constants (the zero of `none`, shapes). */
const SMALL_RAW = SMALL_TENSOR * 8;
/** Typed data fields (float_data, int64_data, ...) are kept while they total at most this many bytes. */
const SMALL_TYPED = SMALL_TENSOR * 10;
const MAX_DIMS = 64;
const MAX_DEPTH = 8;
const MAX_STRING = 1 << 20;
const MAX_LIST = 1 << 24;
const MAX_NAMES_PER_NODE = 100_000;
/** Node inputs and outputs of the whole model: each is a string of its own (a 100 MB file of two-byte names
 *  would hold 25 million). */
const MAX_NODE_NAMES = 4_000_000;
/** Node attributes, and values of their lists (ints, floats, strings), over the whole model. */
const MAX_ATTRIBUTES = 1_000_000;
const MAX_LIST_VALUES = 4_000_000;
const MAX_OPSETS = 1000;
const MAX_EXTERNAL_ENTRIES = 100;
/** Lists of attribute values (ints, floats, strings) past these are not read (OnnxOmittedList). */
const MAX_ATTR_LIST_BYTES = 1 << 20;
const MAX_ATTR_LIST = 1 << 16;
/** doc_string of a slimmed attribute copy whose lists were left out. */
const OMITTED_MARK = '#omitted';
const OMITTED_MODEL_MARK = '#omitted-model';
/** Attribute strings longer than this are replaced by a placeholder ("<N bytes>"). */
const MAX_ATTR_STRING = 4096;
/** Nodes up to this size are decoded whole by onnx-proto; larger ones (Constants holding weights, If/Loop
 *  bodies with initializers) are slimmed first. */
const DIRECT_NODE = 1 << 16;
/** Value infos larger than this are refused (real ones are well under 1 KB). */
const MAX_VALUE_INFO = 1 << 20;
/** Cap of one slimmed copy (a node or a tensor without its weight data). */
const MAX_SLIM = 64 << 20;

/** One-line, bounded rendering of user text (names) for messages. */
function q(s: string): string {
  const j = JSON.stringify(s);
  return j.length > 60 ? `${j.slice(0, 56)}..."` : j;
}

const NO_ATTRIBUTES: Record<string, OnnxAttributeValue> = Object.freeze(Object.create(null));

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** An int64 as protobufjs decodes it (a number, or a Long when the long package is loaded) as a number:
 *  exact up to 2^53, approximate beyond. */
function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

/** An int64 that must be a non-negative safe integer (versions). */
function count(v: unknown, what: string): number {
  const n = num(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new WireError(`${what} out of range (${n})`);
  return n;
}

/** A bytes field (attribute s / strings) as text; long ones as a placeholder. */
function text(b: Uint8Array): string {
  if (b.length > MAX_ATTR_STRING) return `<${b.length} bytes>`;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

/** Runs an onnx-proto decoder over the bytes of one `kind` message, found at offset `at` of the input: `bytes`
 *  is a view of the input there (`view`), or a slimmed copy. The bytes are first checked by checkFraming;
 *  whatever protobufjs still throws (plain Errors and RangeErrors: "index out of range", "invalid wire type",
 *  a stack overflow) becomes, like a framing problem, a WireError naming what was read and where. */
function decode<T>(what: string, kind: string, at: number, view: boolean, bytes: Uint8Array, fn: (b: Uint8Array) => T): T {
  try {
    checkFraming(bytes, kind, view ? at : null);
    return fn(bytes);
  } catch (e) {
    const msg = String((e as Error)?.message ?? e).split('\n')[0];
    let problem: string;
    const wire = /invalid wire type (\d+) at offset (\d+)/.exec(msg);
    if (e instanceof WireError) problem = msg;
    else if (e instanceof RangeError && /call stack/i.test(msg)) problem = 'nested more than the decoder can follow';
    else if (/index out of range/.test(msg)) problem = `a field runs past the end of the message (${bytes.length} bytes)`;
    else if (wire) problem = `unsupported wire type ${wire[1]}${view ? ` at offset ${at + Number(wire[2])}` : ''}`;
    else if (/invalid varint/.test(msg)) problem = 'bad varint';
    else problem = `corrupt data (${msg.slice(0, 160)})`;
    throw new WireError(`${what} at offset ${at}: ${problem}`);
  }
}

/** onnx-proto's decoders used by the reader, by message name. */
const DECODE = {
  ModelProto: (b: Uint8Array) => onnx.ModelProto.decode(b),
  GraphProto: (b: Uint8Array) => onnx.GraphProto.decode(b),
  NodeProto: (b: Uint8Array) => onnx.NodeProto.decode(b),
  TensorProto: (b: Uint8Array) => onnx.TensorProto.decode(b),
  ValueInfoProto: (b: Uint8Array) => onnx.ValueInfoProto.decode(b),
};

/** What a slimmed copy left out of one TensorProto; the copy's doc_string ("#i") names its entry. */
interface SlimTensor {
  raw?: { offset: number; length: number; small?: Uint8Array };
  /** Typed data fields were too long to keep: the copy holds none or only part of them. */
  typedTooBig: boolean;
}

/** Where the tensors of a decoded message have their data: the message was decoded from a view of the input
 *  (raw_data offsets follow from positions in the view), or from a slimmed copy (offsets are in its table). */
type Source = { view: Uint8Array; base: number } | { table: SlimTensor[] };

type Graph = { name: string; nodes: OnnxNode[]; initializers: OnnxTensor[]; inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[]; valueInfo: OnnxValueInfo[] };

class ModelReader {
  private nodeCount = 0;
  private slimNodeCount = 0;
  private nameCount = 0;
  private attributeCount = 0;
  private listValues = 0;
  private entryCount = 0;
  private readonly w: Walker;
  constructor(
    private readonly c: Cursor,
    private readonly maxNodes: number,
    private readonly maxEntries: number,
  ) {
    this.w = new Walker(c);
  }

  /** Counts attributes over the whole model (each is an object or more). */
  private attributes(n: number): void {
    this.attributeCount += n;
    if (this.attributeCount > MAX_ATTRIBUTES) throw new WireError(`more than ${MAX_ATTRIBUTES} node attributes (this reader's limit)`);
  }

  /** Counts one initializer, graph input, output or value info against maxEntries. */
  private entry(): void {
    if (++this.entryCount > this.maxEntries) throw new WireError(`more than ${this.maxEntries} initializers, graph inputs, outputs and value infos (this reader's limit)`);
  }

  // --- the cursor's part: top-level ModelProto and GraphProto fields, slimmed copies ---------------------------

  /** Copies a length-delimited field (key at `at`, length next) of at most `max` bytes into `out`. */
  private copyLen(at: number, out: Out, max: number, what: string): void {
    const n = this.w.len();
    if (n > max) throw new WireError(`${what} of ${n} bytes (over ${max})`);
    this.c.skip(n);
    out.push(this.c.bytesAt(at, this.c.pos - at));
  }

  model(): Omit<OnnxModel, 'where' | 'byteLength'> {
    const { c, w } = this;
    // ir_version, producer_name, producer_version and opset_import are copied out and decoded by onnx-proto
    // as a ModelProto; the graph is walked; everything else (doc strings, metadata, functions, training
    // info) is skipped.
    const header = new Out(MAX_SLIM);
    let graph: Graph | undefined;
    let first = true;
    let opsets = 0;
    w.fields(c.size, (f, wire, at) => {
      // Sniff: a model starts with a known ModelProto field of the right wire type.
      if (first) {
        first = false;
        const known: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2 };
        if (known[f] !== wire) throw new WireError(`not an ONNX model (does not start with a ModelProto field)`);
      }
      switch (f) {
        case 1:
          w.want(wire, 0, 'ir_version');
          w.copy(wire, at, header);
          return true;
        case 2:
        case 3: {
          const what = f === 2 ? 'producer_name' : 'producer_version';
          w.want(wire, 2, what);
          this.copyLen(at, header, MAX_STRING, what);
          return true;
        }
        case 7: {
          if (graph) throw new WireError('two graph fields');
          w.want(wire, 2, 'graph');
          const n = w.len();
          graph = this.graph(c.pos + n);
          return true;
        }
        case 8:
          w.want(wire, 2, 'opset_import');
          if (++opsets > MAX_OPSETS) throw new WireError(`more than ${MAX_OPSETS} opset imports`);
          this.copyLen(at, header, 1 << 16, 'opset_import');
          return true;
        default:
          return false;
      }
    });
    if (first) throw new WireError('empty file');
    const m = decode('model fields', 'ModelProto', 0, false, header.bytes(), DECODE.ModelProto);
    const hasIr = hasOwn(m, 'irVersion');
    if (!graph) throw new WireError(`not an ONNX model (no graph field${hasIr ? '' : ', no ir_version'})`);
    if (!hasIr) throw new WireError('not an ONNX model (no ir_version field)');
    const opsetList = m.opsetImport.map((o) => ({ domain: o.domain ?? '', version: count(o.version, 'opset version') }));
    const def = opsetList.find((o) => o.domain === '' || o.domain === 'ai.onnx');
    return {
      irVersion: count(m.irVersion, 'ir_version'),
      opsetVersion: def?.version ?? 0,
      opsets: opsetList,
      producer: m.producerName ?? '',
      producerVersion: m.producerVersion ?? '',
      graphName: graph.name,
      inputs: graph.inputs,
      outputs: graph.outputs,
      valueInfo: graph.valueInfo,
      nodes: graph.nodes,
      initializers: graph.initializers,
    };
  }

  /** The main graph, ending at `end`: its fields are walked one by one, each decoded by onnx-proto. */
  private graph(end: number): Graph {
    const { c, w } = this;
    const begin = c.pos;
    const header = new Out(MAX_SLIM);
    const g: Graph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
    w.fields(end, (f, wire, at) => {
      switch (f) {
        case 1: {
          w.want(wire, 2, 'node');
          const n = w.len();
          const start = c.pos;
          // Past the model's budget of list values, small nodes are slimmed too: protobufjs would decode
          // every int64 of their lists into an object before they are dropped.
          if (n <= DIRECT_NODE && this.listValues <= MAX_LIST_VALUES) {
            const view = c.view(n);
            g.nodes.push(this.node(decode('node', 'NodeProto', start, true, view, DECODE.NodeProto), 0, { view, base: start }, c.pos));
          } else {
            const table: SlimTensor[] = [];
            const slim = this.slimNode(start + n, 0, table);
            g.nodes.push(this.node(decode('node', 'NodeProto', start, false, slim.bytes(), DECODE.NodeProto), 0, { table }, c.pos));
          }
          return true;
        }
        case 2:
          w.want(wire, 2, 'graph name');
          this.copyLen(at, header, MAX_STRING, 'graph name');
          return true;
        case 5: {
          w.want(wire, 2, 'initializer');
          const n = w.len();
          const start = c.pos;
          const table: SlimTensor[] = [];
          const slim = this.slimTensor(start + n, table);
          g.initializers.push(this.tensor(decode('initializer', 'TensorProto', start, false, slim.bytes(), DECODE.TensorProto), { table }));
          return true;
        }
        case 11:
        case 12:
        case 13: {
          w.want(wire, 2, 'value info');
          const list = f === 11 ? g.inputs : f === 12 ? g.outputs : g.valueInfo;
          this.entry();
          const n = w.len();
          const start = c.pos;
          if (n > MAX_VALUE_INFO) throw new WireError(`value info at offset ${start} of ${n} bytes (over ${MAX_VALUE_INFO})`);
          list.push(this.valueInfo(decode('value info', 'ValueInfoProto', start, true, c.view(n), DECODE.ValueInfoProto)));
          return true;
        }
        default:
          return false;
      }
    });
    g.name = decode('graph fields', 'GraphProto', begin, false, header.bytes(), DECODE.GraphProto).name ?? '';
    return g;
  }

  /** A copy of the TensorProto ending at `end` without its data: raw_data, typed data over SMALL_TYPED bytes,
   *  string_data and doc_string are left out, and a doc_string "#i" naming the entry of `table` that says
   *  where raw_data was is added. Counts are checked before anything is copied. */
  private slimTensor(end: number, table: SlimTensor[]): Out {
    this.entry(); // before anything is copied: a node may hold millions of tiny tensors
    const { c, w } = this;
    const out = new Out(MAX_SLIM);
    const rec: SlimTensor = { typedTooBig: false };
    let dims = 0;
    let dimBytes = 0;
    let typedBytes = 0;
    let typedCount = 0;
    let ext = 0;
    w.fields(end, (f, wire, at) => {
      switch (f) {
        case 1: // dims
          w.want(wire, 0, 'tensor dims', 2);
          // At most MAX_DIMS values: one at a time, or packed in at most 10 bytes per value.
          if (wire === 2) {
            const n = w.len();
            dimBytes += n;
            if (dimBytes > MAX_DIMS * 10) throw new WireError(`tensor dims: more than ${MAX_DIMS} values (packed in ${dimBytes} bytes)`);
            c.skip(n);
            out.push(c.bytesAt(at, c.pos - at));
          } else if (++dims > MAX_DIMS) throw new WireError(`tensor dims: more than ${MAX_DIMS} values`);
          else w.copy(wire, at, out);
          return true;
        case 2:
          w.want(wire, 0, 'tensor data_type');
          w.copy(wire, at, out);
          return true;
        case 3:
          w.want(wire, 2, 'tensor segment');
          this.copyLen(at, out, 64, 'tensor segment');
          return true;
        case 8:
          w.want(wire, 2, 'tensor name');
          this.copyLen(at, out, MAX_STRING, 'tensor name');
          return true;
        case 9: {
          w.want(wire, 2, 'raw_data');
          const n = w.len();
          rec.raw = { offset: c.pos, length: n };
          if (n <= SMALL_RAW) rec.raw.small = c.view(n);
          else c.skip(n);
          return true;
        }
        case 4: // float_data
        case 5: // int32_data
        case 7: // int64_data
        case 10: // double_data
        case 11: {
          // uint64_data
          const [one, what] = f === 4 ? [5, 'float_data'] : f === 10 ? [1, 'double_data'] : [0, 'int data'];
          w.want(wire, one, what, 2);
          if (rec.typedTooBig) return false;
          if (wire === 2) {
            const n = w.len();
            typedBytes += n;
            if (typedBytes > SMALL_TYPED) {
              rec.typedTooBig = true;
              c.skip(n);
            } else {
              c.skip(n);
              out.push(c.bytesAt(at, c.pos - at));
            }
            return true;
          }
          if (++typedCount > SMALL_TENSOR) {
            rec.typedTooBig = true;
            return false;
          }
          w.copy(wire, at, out);
          return true;
        }
        case 13:
          w.want(wire, 2, 'external_data');
          if (++ext > MAX_EXTERNAL_ENTRIES) throw new WireError('external_data: too many entries');
          this.copyLen(at, out, 2 * MAX_STRING, 'external_data');
          return true;
        case 14:
          w.want(wire, 0, 'data_location');
          w.copy(wire, at, out);
          return true;
        default:
          return false;
      }
    });
    table.push(rec);
    out.string(12, `#${table.length - 1}`);
    return out;
  }

  /** A copy of the NodeProto ending at `end` with every tensor in it slimmed (see slimTensor). */
  private slimNode(end: number, depth: number, table: SlimTensor[]): Out {
    const { c, w } = this;
    const out = new Out(MAX_SLIM);
    const what: Record<number, string> = { 1: 'node input', 2: 'node output', 3: 'node name', 4: 'op_type', 7: 'node domain' };
    let names = 0;
    w.fields(end, (f, wire, at) => {
      // Counted before the copy is decoded (node() checks the same limit on what it decodes).
      if ((f === 1 || f === 2) && ++names > 2 * MAX_NAMES_PER_NODE) throw new WireError(`a node with more than ${MAX_NAMES_PER_NODE} inputs or outputs`);
      if (f === 5) {
        w.want(wire, 2, 'attribute');
        this.attributes(1);
        const n = w.len();
        out.message(5, this.slimAttribute(c.pos + n, depth, table));
        return true;
      }
      if (what[f] === undefined) return false; // doc_string, unknown fields
      w.want(wire, 2, what[f]);
      this.copyLen(at, out, MAX_STRING, what[f]);
      return true;
    });
    return out;
  }

  private slimAttribute(end: number, depth: number, table: SlimTensor[]): Out {
    const { c, w } = this;
    const out = new Out(MAX_SLIM);
    // Lists of values: copied while small; past MAX_ATTR_LIST_BYTES or MAX_ATTR_LIST strings, none are kept.
    let listBytes = 0;
    let strings = 0;
    const overModel = this.listValues > MAX_LIST_VALUES;
    let omitted = false;
    w.fields(end, (f, wire, at) => {
      if ((f === 7 || f === 8 || f === 9) && overModel) omitted = true;
      if ((f === 7 || f === 8 || f === 9) && !omitted) {
        const start = c.pos;
        w.skipValue(wire, at);
        listBytes += c.pos - at;
        if (f === 9) strings++;
        omitted = listBytes > MAX_ATTR_LIST_BYTES || strings > MAX_ATTR_LIST;
        c.pos = start;
      }
      if ((f === 7 || f === 8 || f === 9) && omitted) return false;
      switch (f) {
        case 1: // name
        case 21: // ref_attr_name
          w.want(wire, 2, 'attribute name');
          this.copyLen(at, out, MAX_STRING, 'attribute name');
          return true;
        case 20: // type
        case 3: // i
          w.want(wire, 0, f === 3 ? 'attribute i' : 'attribute type');
          w.copy(wire, at, out);
          return true;
        case 2: // f
          w.want(wire, 5, 'attribute f');
          w.copy(wire, at, out);
          return true;
        case 7: // floats
        case 8: // ints
          w.want(wire, f === 7 ? 5 : 0, f === 7 ? 'attribute floats' : 'attribute ints', 2);
          w.copy(wire, at, out);
          return true;
        case 4: // s
        case 9: {
          // strings
          w.want(wire, 2, f === 4 ? 'attribute s' : 'attribute strings');
          const n = w.len();
          if (n > MAX_ATTR_STRING) {
            c.skip(n);
            out.string(f, `<${n} bytes>`);
          } else {
            c.skip(n);
            out.push(c.bytesAt(at, c.pos - at));
          }
          return true;
        }
        case 5: // t
        case 10: {
          // tensors
          w.want(wire, 2, f === 5 ? 'attribute t' : 'attribute tensors');
          const n = w.len();
          out.message(f, this.slimTensor(c.pos + n, table));
          return true;
        }
        case 6: // g
        case 11: {
          // graphs
          w.want(wire, 2, f === 6 ? 'attribute g' : 'attribute graphs');
          const n = w.len();
          out.message(f, this.slimGraph(c.pos + n, depth + 1, table));
          return true;
        }
        default:
          return false; // doc_string, sparse tensors, type protos: not kept
      }
    });
    if (omitted) out.string(13, overModel ? OMITTED_MODEL_MARK : OMITTED_MARK);
    return out;
  }

  /** A copy of a subgraph (of If/Loop/Scan) with its name, nodes, slimmed initializers, inputs and outputs. */
  private slimGraph(end: number, depth: number, table: SlimTensor[]): Out {
    if (depth > MAX_DEPTH) throw new WireError(`subgraphs nested more than ${MAX_DEPTH} deep`);
    const { c, w } = this;
    const out = new Out(MAX_SLIM);
    w.fields(end, (f, wire, at) => {
      switch (f) {
        case 1: {
          w.want(wire, 2, 'node');
          const n = w.len();
          // Counted before the copy is decoded: a subgraph of millions of tiny nodes is one decode.
          if (++this.slimNodeCount > this.maxNodes) throw new WireError(`more than ${this.maxNodes} nodes (this reader's limit)`);
          out.message(1, this.slimNode(c.pos + n, depth, table));
          return true;
        }
        case 2:
          w.want(wire, 2, 'graph name');
          this.copyLen(at, out, MAX_STRING, 'graph name');
          return true;
        case 5: {
          w.want(wire, 2, 'initializer');
          const n = w.len();
          out.message(5, this.slimTensor(c.pos + n, table));
          return true;
        }
        case 11:
        case 12:
          w.want(wire, 2, 'value info');
          this.copyLen(at, out, MAX_VALUE_INFO, 'value info');
          return true;
        default:
          return false;
      }
    });
    return out;
  }

  // --- from onnx-proto's messages to the reader's model ----------------------------------------------------

  /** `at`: the end of the top-level node the message belongs to (for messages). */
  private node(p: onnx.INodeProto, depth: number, src: Source, at: number): OnnxNode {
    if (++this.nodeCount > this.maxNodes) throw new WireError(`more than ${this.maxNodes} nodes (this reader's limit)`);
    // Exact-size copies: protobufjs grows these arrays by push (room for 17 names each).
    const inputs = p.input ? p.input.slice() : [];
    const outputs = p.output ? p.output.slice() : [];
    this.nameCount += inputs.length + outputs.length;
    if (this.nameCount > MAX_NODE_NAMES) throw new WireError(`more than ${MAX_NODE_NAMES} node inputs and outputs (this reader's limit)`);
    if (inputs.length > MAX_NAMES_PER_NODE) throw new WireError(`a node with more than ${MAX_NAMES_PER_NODE} inputs`);
    if (outputs.length > MAX_NAMES_PER_NODE) throw new WireError(`a node with more than ${MAX_NAMES_PER_NODE} outputs`);
    // A node without attributes shares one empty record: a null-prototype object per node costs hundreds of
    // bytes, and a file may hold a million tiny nodes.
    const attrs = p.attribute ?? [];
    if ('view' in src) this.attributes(attrs.length); // slimmed ones were counted by slimNode
    const n: OnnxNode = { opType: p.opType ?? '', domain: p.domain ?? '', name: p.name ?? '', inputs, outputs, attributes: attrs.length ? Object.create(null) : NO_ATTRIBUTES };
    for (const a of attrs) {
      const [name, value] = this.attribute(a, depth, src, at);
      n.attributes[name] = value;
    }
    if (n.opType === '') throw new WireError(`a node without op_type${n.name ? ` (${q(n.name)})` : ''} before offset ${at}`);
    return n;
  }

  private attribute(a: onnx.IAttributeProto, depth: number, src: Source, at: number): [string, OnnxAttributeValue] {
    const overModel = { omitted: `attribute values of the model over ${MAX_LIST_VALUES}, not read` };
    if ('table' in src && a.docString === OMITTED_MARK) {
      return [a.name ?? '', { omitted: `over ${MAX_ATTR_LIST_BYTES} bytes or ${MAX_ATTR_LIST} strings of values, not read` }];
    }
    if ('table' in src && a.docString === OMITTED_MODEL_MARK) return [a.name ?? '', overModel];
    // Values of lists over the whole model: past MAX_LIST_VALUES, lists are not kept (a 100 MB file of
    // small nodes, each with a 60,000-value list, would hold 100 million numbers).
    const values = (a.floats?.length ?? 0) + (a.ints?.length ?? 0) + (a.strings?.length ?? 0);
    this.listValues += values;
    if (values > 0 && this.listValues > MAX_LIST_VALUES) return [a.name ?? '', overModel];
    const f1 = hasOwn(a, 'f') ? (a.f ?? 0) : undefined;
    const i1 = hasOwn(a, 'i') ? num(a.i) : undefined;
    const s1 = hasOwn(a, 's') && a.s ? text(a.s) : undefined;
    const t1 = hasOwn(a, 't') && a.t ? this.tensor(a.t, src) : undefined;
    const g1 = hasOwn(a, 'g') && a.g ? this.subgraph(a.g, depth + 1, src, at) : undefined;
    const lists = [a.floats, a.ints, a.strings, a.tensors, a.graphs];
    if (lists.some((l) => l && l.length > MAX_LIST)) throw new WireError(`attribute ${q(a.name ?? '')}: more than ${MAX_LIST} values`);
    const floats = a.floats ?? [];
    const ints = (a.ints ?? []).map(num);
    const strings = (a.strings ?? []).map(text);
    const tensors = (a.tensors ?? []).map((t) => this.tensor(t, src));
    const graphs = (a.graphs ?? []).map((g) => this.subgraph(g, depth + 1, src, at));
    // AttributeProto.AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8,
    // TENSORS 9, GRAPHS 10. Old files may omit the type: take whichever field is set.
    let value: OnnxAttributeValue;
    switch (a.type ?? 0) {
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
    return [a.name ?? '', value];
  }

  private subgraph(g: onnx.IGraphProto, depth: number, src: Source, at: number): OnnxSubgraph {
    if (depth > MAX_DEPTH) throw new WireError(`subgraphs nested more than ${MAX_DEPTH} deep`);
    const initializers = g.initializer ?? [];
    if (initializers.length > MAX_LIST) throw new WireError(`more than ${MAX_LIST} initializers`);
    const io = (l: onnx.IValueInfoProto[] | null | undefined) => (l ?? []).map((v) => (this.entry(), this.valueInfo(v)));
    return { name: g.name ?? '', nodes: (g.node ?? []).map((n) => this.node(n, depth, src, at)), initializers: initializers.map((t) => this.tensor(t, src)), inputs: io(g.input), outputs: io(g.output) };
  }

  private tensor(p: onnx.ITensorProto, src: Source): OnnxTensor {
    if ('view' in src) this.entry(); // slimmed ones were counted by slimTensor
    const t: OnnxTensor = { name: p.name ?? '', dims: [], dataType: p.dataType ?? 0, size: 1 };
    const dims = p.dims ?? [];
    if (dims.length > MAX_DIMS) throw new WireError(`tensor dims: more than ${MAX_DIMS} values`);
    t.dims = dims.map(num);
    // Where raw_data is, and its bytes when small.
    let small: Uint8Array | undefined;
    let typedTooBig = false;
    if ('table' in src) {
      const m = /^#(\d+)$/.exec(p.docString ?? '');
      const rec = m ? src.table[Number(m[1])] : undefined;
      if (!rec) throw new WireError(`internal: tensor ${q(t.name)} lost the record of its data`);
      if (rec.raw) t.rawData = { offset: rec.raw.offset, length: rec.raw.length };
      small = rec.raw?.small;
      typedTooBig = rec.typedTooBig;
    } else if (hasOwn(p, 'rawData') && p.rawData) {
      const r = p.rawData;
      // protobufjs hands out views of the decoded bytes; an empty raw_data is a fresh buffer (offset: the message's).
      const offset = r.buffer === src.view.buffer ? src.base + (r.byteOffset - src.view.byteOffset) : src.base;
      t.rawData = { offset, length: r.length };
      if (r.length <= SMALL_RAW) small = r;
    }
    // Typed data fields: their values are kept only for small tensors.
    const typed: number[] = [];
    for (const v of p.floatData ?? []) typed.push(v);
    for (const v of p.int32Data ?? []) typed.push(v);
    for (const v of p.int64Data ?? []) typed.push(num(v));
    for (const v of p.doubleData ?? []) typed.push(v);
    for (const v of p.uint64Data ?? []) typed.push(num(v));
    if (typed.length > SMALL_TENSOR) typedTooBig = true;

    for (const d of t.dims) {
      if (d < 0) throw new WireError(`tensor ${q(t.name)}: negative dimension ${d}`);
      t.size *= d;
    }
    if (!Number.isSafeInteger(t.size)) throw new WireError(`tensor ${q(t.name)}: absurd element count (dims ${t.dims.join('x')})`);
    if (p.dataLocation === 1) {
      const entries = p.externalData ?? [];
      if (entries.length > MAX_EXTERNAL_ENTRIES) throw new WireError('external_data: too many entries');
      const ext: Record<string, string> = {};
      for (const e of entries) ext[e.key ?? ''] = e.value ?? '';
      // A byte count is a safe integer: "99999999999999999999" would otherwise read as 1e20.
      const problems: string[] = [];
      const int = (k: 'offset' | 'length') => {
        const v = ext[k];
        if (v === undefined) return undefined;
        if (v.length <= 16 && /^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
        problems.push(`external data ${k} ${q(v)} is not a byte count`);
        return undefined;
      };
      t.external = { location: ext.location ?? '', offset: int('offset'), length: int('length') };
      if (problems.length) t.external.problem = problems.join('; ');
    } else if (t.rawData) {
      const eb = ELEMENT_BYTES[t.dataType];
      if (eb && t.rawData.length !== t.size * eb) {
        throw new WireError(`tensor ${q(t.name)}: raw_data has ${t.rawData.length} bytes, dims ${t.dims.join('x') || 'scalar'} of ${ONNX_DATA_TYPES[t.dataType] ?? t.dataType} need ${t.size * eb}`);
      }
      if (eb && t.size <= SMALL_TENSOR && small) t.values = decodeRaw(Buffer.from(small.buffer, small.byteOffset, small.byteLength), t.dataType, t.size);
    } else if (!typedTooBig && typed.length > 0 && typed.length === t.size) {
      t.values = t.dataType === 10 ? typed.map(halfToFloat) : t.dataType === 16 ? typed.map(bf16ToFloat) : typed;
    }
    return t;
  }

  private valueInfo(p: onnx.IValueInfoProto): OnnxValueInfo {
    const v: OnnxValueInfo = { name: p.name ?? '', elemType: 0, shape: null };
    const tt = p.type?.tensorType;
    if (tt) {
      v.elemType = tt.elemType ?? 0;
      if (tt.shape) {
        const dims = tt.shape.dim ?? [];
        if (dims.length > MAX_DIMS) throw new WireError(`value ${q(v.name)}: more than ${MAX_DIMS} dimensions`);
        v.shape = dims.map((d) => (hasOwn(d, 'dimValue') ? num(d.dimValue) : hasOwn(d, 'dimParam') ? (d.dimParam ?? '') : null));
      }
    }
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

/** Orders nodes topologically; a cycle or a tensor produced twice is an error. Edges are kept in flat typed
 *  arrays (a million nodes would otherwise cost a million small arrays and sets). */
function topoSort(nodes: OnnxNode[]): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) {
      if (o === '') continue;
      if (producer.has(o)) throw new WireError(`tensor ${q(o)} is produced by two nodes`);
      producer.set(o, i);
    }
  });
  const N = nodes.length;
  // Each edge once per (producer, user) pair, its producer looked up once: `mark[p] === i` when node i
  // already counted producer p.
  let E = 0;
  for (const n of nodes) E += n.inputs.length;
  const edgeFrom = new Int32Array(E);
  const edgeTo = new Int32Array(E);
  const mark = new Int32Array(N).fill(-1);
  const indeg = new Int32Array(N);
  const userCount = new Int32Array(N + 1);
  let e = 0;
  for (let i = 0; i < N; i++) {
    const n = nodes[i];
    for (const inp of n.inputs) {
      const p = producer.get(inp);
      if (p === undefined || mark[p] === i) continue;
      if (p === i) throw new WireError(`graph has a cycle: node ${q(n.name || n.opType)} reads its own output ${q(inp)}`);
      mark[p] = i;
      edgeFrom[e] = p;
      edgeTo[e++] = i;
      indeg[i]++;
      userCount[p + 1]++;
    }
  }
  for (let i = 0; i < N; i++) userCount[i + 1] += userCount[i];
  const users = new Int32Array(userCount[N]);
  const fill = userCount.slice(0, N);
  for (let k = 0; k < e; k++) users[fill[edgeFrom[k]]++] = edgeTo[k];
  const order = new Int32Array(N);
  let len = 0;
  for (let i = 0; i < N; i++) if (indeg[i] === 0) order[len++] = i;
  for (let k = 0; k < len; k++) {
    const v = order[k];
    for (let e = userCount[v]; e < userCount[v + 1]; e++) if (--indeg[users[e]] === 0) order[len++] = users[e];
  }
  if (len !== N) {
    const stuck = nodes.findIndex((_, i) => indeg[i] > 0);
    const n = nodes[stuck];
    throw new WireError(`graph has a cycle through node ${q(n.name || n.opType)} (${n.opType})`);
  }
  // Keep the file order when it is already topological (the usual case).
  if (order.every((v, i) => v === i)) return nodes;
  return Array.from(order, (i) => nodes[i]);
}

function finish(c: Cursor, where: string, opts: ReadOptions): OnnxModel {
  try {
    const m = new ModelReader(c, opts.maxNodes ?? MAX_NODES, opts.maxEntries ?? MAX_ENTRIES).model();
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

/** Reads a model file through positioned reads: memory stays small whatever the file size. Only a regular
 *  file is read (a FIFO or a device would block or never end); external data is checked against its file's
 *  size (stat only, never opened), inside the model's folder. */
export function readOnnxFile(file: string, opts: ReadOptions = {}): OnnxModel {
  const notRegular = (st: fs.Stats) =>
    new OnnxError(`${file}: not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a file'}), not an ONNX file`);
  let fd: number;
  try {
    // stat first, and open without blocking: opening a FIFO for reading waits for a writer.
    const st = fs.statSync(file);
    if (!st.isFile()) throw notRegular(st);
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (e instanceof OnnxError) throw e;
    throw new OnnxError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let model: OnnxModel;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(st); // replaced between the stat and the open
    const max = opts.maxFileBytes ?? 8 * 1024 ** 3;
    if (st.size > max) throw new OnnxError(`${file}: ${st.size} bytes is over the limit of ${max} bytes for ONNX files`);
    model = finish(fileCursor(fd, st.size), file, opts);
  } finally {
    fs.closeSync(fd);
  }
  checkExternalData(model, path.dirname(file));
  return model;
}

/** Sets `external.problem` on every tensor whose external data is not within a regular file of the model's
 *  folder (by stat: sizes only, nothing is opened). */
function checkExternalData(model: OnnxModel, dir: string): void {
  const sizes = new Map<string, number | string>();
  const sizeOf = (location: string): number | string => {
    let r = sizes.get(location);
    if (r !== undefined) return r;
    const rel = path.normalize(location);
    if (location === '' || path.isAbsolute(location) || rel === '..' || rel.startsWith('..' + path.sep) || rel.includes('\0')) r = `external data location ${q(location)} is not a path inside the model's folder`;
    else {
      try {
        const st = fs.statSync(path.join(dir, rel));
        r = st.isFile() ? st.size : `external data ${q(location)} is not a regular file`;
      } catch (e) {
        r = `external data ${q(location)}: ${(e as NodeJS.ErrnoException).code ?? 'cannot stat'}`;
      }
    }
    sizes.set(location, r);
    return r;
  };
  const check = (t: OnnxTensor) => {
    const x = t.external;
    if (!x || x.problem !== undefined) return;
    const size = sizeOf(x.location);
    if (typeof size === 'string') {
      x.problem = size;
      return;
    }
    const eb = ELEMENT_BYTES[t.dataType];
    const length = x.length ?? (eb ? t.size * eb : undefined);
    const offset = x.offset ?? 0;
    if (length === undefined) x.problem = `external data of ${ONNX_DATA_TYPES[t.dataType] ?? t.dataType} without a length`;
    else if (offset + length > size) x.problem = `external data ${q(x.location)}: bytes ${offset}..${offset + length} past its end (${size} bytes)`;
  };
  // Initializers, and tensors held by nodes (Constant values) at any subgraph depth, without recursion.
  model.initializers.forEach(check);
  const graphs: { nodes: OnnxNode[]; initializers: OnnxTensor[] }[] = [model];
  while (graphs.length) {
    const g = graphs.pop()!;
    if (g !== model) g.initializers.forEach(check);
    for (const n of g.nodes) {
      for (const v of Object.values(n.attributes)) {
        for (const x of Array.isArray(v) ? v : [v]) {
          if (x && typeof x === 'object' && 'dims' in x) check(x);
          else if (x && typeof x === 'object' && 'nodes' in x) graphs.push(x);
        }
      }
    }
  }
}
