// A copy of a model whose graph inputs have their open (symbolic or unknown) dims fixed, for devices reached
// through the command runner: the device command gets a model path only, so the shapes chosen for open dims
// (help.inputShapes / --input-shape, else 1) must be in the file itself. Only the ValueInfo of the graph's
// inputs is rewritten (ModelProto.graph = 7, GraphProto.input = 11); every other field, weights included, is
// copied byte for byte from the source in ranges (one pass over the top-level and graph fields, the file read
// and written in bounded chunks, never decoded as a whole).
import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../spaces/space';
import { neutraliseForDisplay } from '../text/safeText';
import { checkInputShapesFor, InputShapes } from './inputShapes';
import { OnnxModel, OnnxNode, OnnxTensor, readOnnxFile } from './reader';
import { Cursor, fileCursor, Out, Walker, WireError } from './wire';

/** A graph input's ValueInfo above this size is not a ValueInfo anyone writes: refused, not rewritten. */
const MAX_VALUE_INFO_BYTES = 1 << 20;
const CHUNK = 1 << 20;
/** Notes on inputs fed 1 (a model may have thousands of inputs): the first ones, then a count. */
const MAX_NOTES = 20;

const isOpen = (d: number | string | null) => !(typeof d === 'number' && Number.isInteger(d) && d > 0);
const cut = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 59)}…` : s);

/** The shapes to write for the inputs that have open dims: the given shape, else each open dim as 1 (said
 *  in a note). Inputs whose dims are all fixed are left alone. `given` may hold names the model lacks. */
export function planFixedInputs(model: OnnxModel, given: InputShapes = {}): { dims: Map<string, number[]>; notes: string[] } {
  const mine: InputShapes = {};
  for (const i of model.inputs) if (Object.prototype.hasOwnProperty.call(given, i.name)) mine[i.name] = given[i.name];
  checkInputShapesFor(model, mine);
  const dims = new Map<string, number[]>();
  const notes: string[] = [];
  let skipped = 0;
  for (const i of model.inputs) {
    if (!i.shape) {
      if (mine[i.name]) notes.push(`input ${cut(i.name)} declares no shape: passed to the device as it is`);
      continue;
    }
    if (!i.shape.some(isOpen)) continue;
    if (mine[i.name]) {
      dims.set(i.name, [...mine[i.name]]);
      continue;
    }
    dims.set(i.name, i.shape.map((d) => (isOpen(d) ? 1 : (d as number))));
    if (notes.length >= MAX_NOTES) {
      skipped++;
      continue;
    }
    const open = i.shape.map((d, k) => (isOpen(d) ? (typeof d === 'string' && d ? `${k} (${d.slice(0, 40)})` : `${k}`) : '')).filter((x) => x);
    notes.push(`input ${cut(i.name)}: open dim${open.length === 1 ? '' : 's'} ${open.slice(0, 4).join(', ')}${open.length > 4 ? ', …' : ''} fed as 1 (give its shape in help.inputShapes or --input-shape)`);
  }
  if (skipped) notes.push(`and ${skipped} more input${skipped === 1 ? '' : 's'} with open dims fed as 1`);
  return { dims, notes };
}

/** The first tensor (initializer or node attribute, at any subgraph depth) whose data lives in a side file. */
export function externalDataLocation(model: OnnxModel): string | undefined {
  const graphs: { nodes: OnnxNode[]; initializers: OnnxTensor[] }[] = [model];
  while (graphs.length) {
    const g = graphs.pop()!;
    for (const t of g.initializers) if (t.external) return t.external.location;
    for (const n of g.nodes) {
      for (const v of Object.values(n.attributes)) {
        for (const x of Array.isArray(v) ? v : [v]) {
          if (x && typeof x === 'object' && 'dims' in x && (x as OnnxTensor).external) return (x as OnnxTensor).external!.location;
          if (x && typeof x === 'object' && 'nodes' in x) graphs.push(x);
        }
      }
    }
  }
  return undefined;
}

// ---- the targeted rewrite ----------------------------------------------------------------------------------

/** A piece of the output: new bytes, or a range of the source file. */
type Segment = Buffer | { from: number; to: number };

const segLength = (s: Segment) => (Buffer.isBuffer(s) ? s.length : s.to - s.from);

function pushRange(out: Segment[], from: number, to: number): void {
  const last = out[out.length - 1];
  if (last && !Buffer.isBuffer(last) && last.to === from) last.to = to;
  else out.push({ from, to });
}

function varintBytes(n: number): Buffer {
  const o = new Out(16);
  o.varint(n);
  return Buffer.from(o.bytes());
}

/** Walks the fields of a small message held in memory. */
function eachField(b: Buffer, fn: (field: number, wire: number, at: number, w: Walker) => void): void {
  const w = new Walker(new Cursor(b.length, null, b));
  w.fields(b.length, (field, wire, at) => {
    fn(field, wire, at, w);
    return true;
  });
}

/** Bytes of a length-delimited value (the cursor after the key). */
function lengthDelimited(w: Walker): Buffer {
  const n = w.len();
  return w.c.view(n);
}

function rewriteDims(shape: Buffer, dims: number[], name: string): Out {
  const out = new Out(MAX_VALUE_INFO_BYTES);
  let k = 0;
  eachField(shape, (field, wire, at, w) => {
    if (field !== 1 || wire !== 2) return w.copy(wire, at, out);
    const dim = lengthDelimited(w);
    if (k >= dims.length) throw new WireError(`input ${cut(name)}: more dims than its declared shape`);
    const d = new Out(MAX_VALUE_INFO_BYTES);
    d.varint(1 * 8 + 0);
    d.varint(dims[k++]);
    // Keep the denotation (3); drop dim_value (1) and dim_param (2).
    eachField(dim, (f, wi, a, w2) => (f === 3 ? w2.copy(wi, a, d) : w2.skipValue(wi, a)));
    out.message(1, d);
  });
  return out;
}

/** TypeProto → tensor_type (1) → shape (2) rewritten; anything else copied. */
function rewriteType(type: Buffer, dims: number[], name: string): Out {
  const out = new Out(MAX_VALUE_INFO_BYTES);
  eachField(type, (field, wire, at, w) => {
    if (field !== 1 || wire !== 2) return w.copy(wire, at, out);
    const tensor = new Out(MAX_VALUE_INFO_BYTES);
    eachField(lengthDelimited(w), (f, wi, a, w2) => {
      if (f !== 2 || wi !== 2) return w2.copy(wi, a, tensor);
      tensor.message(2, rewriteDims(lengthDelimited(w2), dims, name));
    });
    out.message(1, tensor);
  });
  return out;
}

/** A graph input's ValueInfoProto with the planned dims, or undefined when it is not one to change. */
function rewriteValueInfo(info: Buffer, plan: Map<string, number[]>): Buffer | undefined {
  let name: string | undefined;
  eachField(info, (field, wire, at, w) => {
    if (field === 1 && wire === 2) name = lengthDelimited(w).toString('utf8');
    else w.skipValue(wire, at);
  });
  const dims = name === undefined ? undefined : plan.get(name);
  if (!dims) return undefined;
  const out = new Out(MAX_VALUE_INFO_BYTES);
  eachField(info, (field, wire, at, w) => {
    if (field !== 2 || wire !== 2) return w.copy(wire, at, out);
    out.message(2, rewriteType(lengthDelimited(w), dims, name!));
  });
  return Buffer.from(out.bytes());
}

/** The output's segments: the model's fields in order, each graph's inputs rewritten per `plan`. */
function rewrittenSegments(c: Cursor, plan: Map<string, number[]>): Segment[] {
  const w = new Walker(c);
  const out: Segment[] = [];
  w.fields(c.size, (field, wire, at) => {
    if (field !== 7 || wire !== 2) {
      w.skipValue(wire, at);
      pushRange(out, at, c.pos);
      return true;
    }
    const n = w.len();
    const end = c.pos + n;
    const graph: Segment[] = [];
    w.fields(end, (gf, gw, gat) => {
      if (gf === 11 && gw === 2) {
        const len = w.len();
        if (len > MAX_VALUE_INFO_BYTES) throw new WireError(`a graph input of ${len} bytes at offset ${gat}`);
        const start = c.pos;
        const fixed = rewriteValueInfo(Buffer.from(c.view(len)), plan);
        if (!fixed) pushRange(graph, gat, start + len);
        else graph.push(varintBytes(11 * 8 + 2), varintBytes(fixed.length), fixed);
        return true;
      }
      w.skipValue(gw, gat);
      pushRange(graph, gat, c.pos);
      return true;
    });
    out.push(varintBytes(7 * 8 + 2), varintBytes(graph.reduce((a, s) => a + segLength(s), 0)));
    for (const s of graph) if (Buffer.isBuffer(s)) out.push(s);
    else pushRange(out, s.from, s.to);
    return true;
  });
  return out;
}

/** Writes `dest` (created exclusively) as `src` with the graph inputs' dims of `plan`. */
export function writeFixedInputs(src: string, dest: string, plan: Map<string, number[]>): void {
  const fd = fs.openSync(src, 'r');
  let outFd: number | undefined;
  try {
    const size = fs.fstatSync(fd).size;
    let segments: Segment[];
    try {
      segments = rewrittenSegments(fileCursor(fd, size), plan);
    } catch (e) {
      if (e instanceof WireError) throw new SpecError(`${neutraliseForDisplay(src)}: cannot fix its input dims (${e.message})`);
      throw e;
    }
    outFd = fs.openSync(dest, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const s of segments) {
      if (Buffer.isBuffer(s)) {
        fs.writeSync(outFd, s);
        continue;
      }
      for (let pos = s.from; pos < s.to; ) {
        const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, s.to - pos), pos);
        if (n === 0) throw new SpecError(`${neutraliseForDisplay(src)}: changed while being copied`);
        fs.writeSync(outFd, buf, 0, n);
        pos += n;
      }
    }
  } finally {
    fs.closeSync(fd);
    if (outFd !== undefined) fs.closeSync(outFd);
  }
}

/** Why a model with external data cannot be handed to a device command. */
export function externalDataMessage(src: string, location: string, openDims: boolean): string {
  return `${neutraliseForDisplay(src)}: its weights are in a side file (external data ${neutraliseForDisplay(cut(location))}), and a device command gets one .onnx file: ${openDims ? 'to fix its open input dims HELP hands it a copy, which would lose them; ' : ''}save the model with its weights inside (onnx.save_model(m, f, save_as_external_data=False)) to measure it on this device`;
}

/**
 * The file a command runner gets for `src`, in the private folder `dir`: a copy with the open input dims
 * fixed (see planFixedInputs), or, when no dim is open, `src` itself (`always`: a plain copy, so that the
 * path the device sees is HELP's own). A model with weights in side files (external data) cannot be handed
 * over as one file: a SpecError says so.
 */
export function commandModelFile(src: string, dir: string, given: InputShapes = {}, o: { always?: boolean; model?: OnnxModel } = {}): { file: string; notes: string[] } {
  // `model`: the caller's reading of `src`, when it has one (a model of 200,000 inputs takes seconds to read).
  const model = o.model ?? readOnnxFile(src);
  const { dims, notes } = planFixedInputs(model, given);
  if (dims.size === 0 && !o.always) return { file: src, notes };
  const external = externalDataLocation(model);
  if (external !== undefined) throw new SpecError(externalDataMessage(src, external, dims.size > 0));
  const file = path.join(dir, `${fs.readdirSync(dir).length}-model.onnx`);
  if (dims.size === 0) fs.copyFileSync(src, file, fs.constants.COPYFILE_EXCL);
  else writeFixedInputs(src, file, dims);
  return { file, notes };
}
