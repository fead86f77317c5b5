// A model summary: operator histogram, parameter count, multiply-accumulates per operator type (from a small
// shape inference that covers what CNNs use), input and output shapes. "unknown" where shapes cannot be
// inferred.
//
// Every step is bounded by the size of its node, and the whole by the file's: shapes have at most MAX_RANK
// dimensions, constants followed for shape arithmetic at most MAX_CONST elements, and all shapes and
// constants together at most MAX_ELEMENTS (a 300 KB Unsqueeze with 300,000 axes, or Concats of a Constant
// with a million values, cost minutes and gigabytes before). Past a limit a value is unknown, and
// `limits` says which node hit which limit.
import { neutraliseForDisplay } from '../text/safeText';
import { FLOAT_TYPES, OnnxModel, OnnxNode, ONNX_DATA_TYPES, tensorDataBytes } from './reader';

export interface OnnxSummary {
  producer: string;
  opsetVersion: number;
  irVersion: number;
  nodes: number;
  /** Operator type -> count, most frequent first. */
  operators: Record<string, number>;
  /** Elements of floating-point initializers. */
  parameters: number;
  /** Bytes of initializer data (inline and external); "unknown" when external data cannot be sized (see
   *  `limits`). */
  weightBytes: number | 'unknown';
  inputs: { name: string; type: string; shape: (number | string | null)[] | null }[];
  outputs: { name: string; type: string; shape: (number | string | null)[] | 'unknown' }[];
  /** Multiply-accumulates per operator type; "unknown" for types with a node whose shapes are unknown. */
  macsByOp: Record<string, number | 'unknown'>;
  /** Total over the operator types with known MACs. */
  macs: number;
  /** True when every node's MACs are known. */
  macsComplete: boolean;
  /** What the analysis left unknown because of a limit or an unusable value, naming the node or tensor
   *  (at most MAX_LIMIT_NOTES entries, the last one counting the rest); empty for ordinary models. */
  limits: string[];
}

/** Most dimensions a shape may have (the reader's limit on a tensor's dims, too). */
export const MAX_RANK = 64;
/** Most elements of a constant followed through shape arithmetic (Reshape targets, axes, pads). */
export const MAX_CONST = 1024;
/** Most elements of all inferred shapes and constants together. */
export const MAX_ELEMENTS = 1 << 23;
const MAX_LIMIT_NOTES = 20;
/** Graph inputs and outputs listed in a summary. */
const MAX_LISTED = 1000;

type Shape = number[];

const UNARY = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign', 'Mish', 'Gelu',
  'Clip', 'Identity', 'Dropout', 'BatchNormalization', 'InstanceNormalization', 'LayerNormalization', 'Cast', 'Softmax', 'LogSoftmax',
  'Neg', 'Abs', 'Sqrt', 'Exp', 'Log', 'Erf', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Not', 'LRN', 'QuantizeLinear', 'DequantizeLinear',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Less', 'Greater', 'Where', 'And', 'Or', 'PRelu']);
/** Elementwise ops counted as one operation per output element. */
const ELEMENTWISE_COST = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Clip', 'Add', 'Sub', 'Mul', 'Div', 'Sum', 'BatchNormalization', 'Softmax', 'Gelu', 'Elu', 'PRelu']);
/** Ops that compute nothing worth counting. */
const FREE = new Set(['Identity', 'Dropout', 'Cast', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Shape', 'Gather', 'Concat', 'Constant', 'ConstantOfShape', 'Slice', 'Pad', 'Split', 'Expand', 'Range']);

const prod = (s: Shape) => s.reduce((a, b) => a * b, 1);

function broadcast(a: Shape, b: Shape): Shape | undefined {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** Notes of what was left unknown, at most MAX_LIMIT_NOTES. */
class Limits {
  readonly notes: string[] = [];
  private more = 0;
  add(note: string): void {
    if (this.notes.length < MAX_LIMIT_NOTES - 1) this.notes.push(note);
    else this.more++;
  }
  list(): string[] {
    return this.more ? [...this.notes, `... and ${this.more} more`] : this.notes;
  }
}

/** Names a node in a note (bounded: names are user text). */
export function nodeLabel(n: OnnxNode): string {
  const name = JSON.stringify(n.name || n.outputs[0] || '');
  return `node ${name.length > 50 ? `${name.slice(0, 46)}..."` : name} (${n.opType.length > 40 ? `${n.opType.slice(0, 40)}...` : n.opType})`;
}

/** Past this, a value is over a limit. */
class Over extends Error {}

/** Infers tensor shapes (and small integer constants, for Reshape targets built from Shape ops). */
export function inferShapes(model: OnnxModel, limits = new Limits()): { shapes: Map<string, Shape>; consts: Map<string, number[]>; limits: Limits } {
  const shapes = new Map<string, Shape>();
  const consts = new Map<string, number[]>();
  const budget = { left: MAX_ELEMENTS };
  for (const t of model.initializers) {
    shapes.set(t.name, t.dims);
    if (t.values) consts.set(t.name, t.values);
  }
  for (const i of model.inputs) {
    // A symbolic batch dimension counts as 1 (the usual batch-1 inference); other symbols stay unknown.
    if (!i.shape || !i.shape.every((d, k) => typeof d === 'number' || k === 0)) continue;
    const s = i.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
    // Checked here once: shapes passed through nodes are not checked again.
    if (s.every((d) => Number.isSafeInteger(d)) && Number.isSafeInteger(prod(s))) shapes.set(i.name, s);
  }
  for (const n of model.nodes) {
    if (budget.left <= 0) {
      limits.add(`${nodeLabel(n)} and later: shapes unknown (all shapes together over ${MAX_ELEMENTS} elements)`);
      break;
    }
    try {
      for (const [k, v] of Object.entries(n.attributes)) if (v && typeof v === 'object' && 'omitted' in v) throw new Over(`attribute ${JSON.stringify(k.slice(0, 40))}: ${v.omitted}`);
      inferNode(n, shapes, consts, budget);
    } catch (e) {
      if (e instanceof Over) limits.add(`${nodeLabel(n)}: output shape unknown (${e.message})`);
      /* otherwise: left unknown (an input the node cannot take) */
    }
  }
  return { shapes, consts, limits };
}

/** Axes as a set of dimensions of a rank-`r` shape (each axis once; at most MAX_RANK of them). */
function axisSet(axes: number[], r: number): Set<number> {
  if (axes.length > MAX_RANK) throw new Over(`${axes.length} axes, over ${MAX_RANK}`);
  return new Set(axes.map((x) => (x + r) % r));
}

function inferNode(n: OnnxNode, shapes: Map<string, Shape>, consts: Map<string, number[]>, budget: { left: number }): void {
  const a = n.attributes;
  const ints = (k: string) => (Array.isArray(a[k]) ? (a[k] as number[]) : undefined);
  const int = (k: string, d: number) => (typeof a[k] === 'number' ? (a[k] as number) : d);
  const s0 = shapes.get(n.inputs[0]);
  const out = n.outputs[0];
  /** Records the output's shape and (small) value; a shape over MAX_RANK is over a limit. */
  const set = (s: Shape | undefined, v?: number[]) => {
    if (s === s0 && s) shapes.set(out, s); // passed through: checked when it was made, and shared
    else if (s && s.length > MAX_RANK) throw new Over(`rank ${s.length}, over ${MAX_RANK}`);
    else if (s && s.every((d) => Number.isSafeInteger(d) && d >= 0) && Number.isSafeInteger(prod(s))) {
      shapes.set(out, s);
      budget.left -= s.length + 1;
    }
    if (v && v.length <= MAX_CONST) {
      consts.set(out, v);
      if (v !== consts.get(n.inputs[0])) budget.left -= v.length; // a passed-through value is shared
    }
  };
  /** Fails before a computation whose output would have more than MAX_RANK dimensions. */
  const rank = (r: number) => {
    if (r > MAX_RANK) throw new Over(`rank ${r}, over ${MAX_RANK}`);
  };
  switch (n.opType) {
    case 'Constant': {
      const t = a.value;
      if (t && typeof t === 'object' && !Array.isArray(t) && 'dims' in t) set(t.dims, t.values);
      else if (typeof a.value_int === 'number') set([], [a.value_int]);
      else if (Array.isArray(a.value_ints)) set([(a.value_ints as number[]).length], a.value_ints as number[]);
      else if (typeof a.value_float === 'number') set([], [a.value_float]);
      return;
    }
    case 'Shape':
      if (s0) set([s0.length], s0.slice());
      return;
    case 'Gather': {
      const data = consts.get(n.inputs[0]);
      const idx = consts.get(n.inputs[1]);
      const is = shapes.get(n.inputs[1]);
      if (s0 && is) {
        const axis = (int('axis', 0) + s0.length) % s0.length;
        set([...s0.slice(0, axis), ...is, ...s0.slice(axis + 1)], data && idx && s0.length === 1 ? idx.map((i) => data[(i + data.length) % data.length]) : undefined);
      }
      return;
    }
    case 'Unsqueeze': {
      const axes = ints('axes') ?? consts.get(n.inputs[1]);
      if (s0 && axes) {
        const r = s0.length + axes.length;
        rank(r);
        const norm = axes.map((x) => (x + r) % r).sort((x, y) => x - y);
        const s = s0.slice();
        for (const ax of norm) s.splice(ax, 0, 1);
        set(s, consts.get(n.inputs[0]));
      }
      return;
    }
    case 'Squeeze': {
      const axes = ints('axes') ?? consts.get(n.inputs[1]);
      if (s0) {
        const drop = axes && axisSet(axes, s0.length);
        set(drop ? s0.filter((_, i) => !drop.has(i)) : s0.filter((d) => d !== 1), consts.get(n.inputs[0]));
      }
      return;
    }
    case 'Concat': {
      const ss = n.inputs.map((i) => shapes.get(i));
      if (ss.every((s) => s) && ss.length) {
        const r = ss[0]!.length;
        const axis = (int('axis', 0) + r) % r;
        const s = ss[0]!.slice();
        s[axis] = ss.reduce((acc, x) => acc + x![axis], 0);
        const vs = n.inputs.map((i) => consts.get(i));
        // Values only while small: a Concat of a large constant with itself, many times, grew without bound.
        const total = vs.reduce((acc, v) => acc + (v ? v.length : Infinity), 0);
        set(s, r === 1 && total <= MAX_CONST ? vs.flatMap((v) => v!) : undefined);
      }
      return;
    }
    case 'Cast':
    case 'Identity':
      set(s0, consts.get(n.inputs[0]));
      return;
    case 'Reshape': {
      const target = consts.get(n.inputs[1]);
      if (s0 && target) {
        const total = prod(s0);
        const s = target.map((d, i) => (d === 0 && !int('allowzero', 0) ? s0[i] : d));
        const known = s.filter((d) => d !== -1);
        if (s.includes(-1)) s[s.indexOf(-1)] = total / prod(known);
        if (prod(s) === total) set(s);
      }
      return;
    }
    case 'Flatten':
      if (s0) {
        const ax = (int('axis', 1) + s0.length) % (s0.length || 1);
        set([prod(s0.slice(0, ax)), prod(s0.slice(ax))]);
      }
      return;
    case 'Transpose':
      if (s0) {
        const perm = ints('perm') ?? s0.map((_, i) => s0.length - 1 - i);
        rank(perm.length);
        set(perm.map((p) => s0[p]));
      }
      return;
    case 'Conv': {
      const w = shapes.get(n.inputs[1]);
      if (!s0 || !w || s0.length < 3) return;
      const sp = s0.length - 2;
      const k = ints('kernel_shape') ?? w.slice(2);
      set([s0[0], w[0], ...spatial(s0.slice(2), k, ints('strides') ?? new Array(sp).fill(1), ints('pads'), ints('dilations') ?? new Array(sp).fill(1), a.auto_pad as string | undefined, false)]);
      return;
    }
    case 'MaxPool':
    case 'AveragePool': {
      const k = ints('kernel_shape');
      if (!s0 || !k) return;
      set([s0[0], s0[1], ...spatial(s0.slice(2), k, ints('strides') ?? k.map(() => 1), ints('pads'), ints('dilations') ?? k.map(() => 1), a.auto_pad as string | undefined, int('ceil_mode', 0) === 1)]);
      return;
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      if (s0) set([...s0.slice(0, 2), ...s0.slice(2).map(() => 1)]);
      return;
    case 'ReduceMean':
    case 'ReduceSum':
    case 'ReduceMax': {
      const axes = ints('axes') ?? consts.get(n.inputs[1]);
      if (!s0) return;
      const keep = int('keepdims', 1) === 1;
      const ax = axisSet(axes ?? s0.map((_, i) => i), s0.length);
      set(keep ? s0.map((d, i) => (ax.has(i) ? 1 : d)) : s0.filter((_, i) => !ax.has(i)));
      return;
    }
    case 'Gemm': {
      const b = shapes.get(n.inputs[1]);
      if (!s0 || !b || s0.length !== 2 || b.length !== 2) return;
      const m = int('transA', 0) ? s0[1] : s0[0];
      const nn = int('transB', 0) ? b[0] : b[1];
      set([m, nn]);
      return;
    }
    case 'MatMul': {
      const b = shapes.get(n.inputs[1]);
      if (!s0 || !b || s0.length < 1 || b.length < 1) return;
      const A = s0.length === 1 ? [1, s0[0]] : s0;
      const B = b.length === 1 ? [b[0], 1] : b;
      const batch = broadcast(A.slice(0, -2), B.slice(0, -2));
      if (!batch || A[A.length - 1] !== B[B.length - 2]) return;
      const s = [...batch, ...(s0.length === 1 ? [] : [A[A.length - 2]]), ...(b.length === 1 ? [] : [B[B.length - 1]])];
      set(s);
      return;
    }
    case 'Pad': {
      const pads = ints('pads') ?? consts.get(n.inputs[1]);
      if (s0 && pads && pads.length === 2 * s0.length) set(s0.map((d, i) => d + pads[i] + pads[i + s0.length]));
      return;
    }
    default:
      if (UNARY.has(n.opType) && s0) {
        set(s0);
        return;
      }
      if (BINARY.has(n.opType)) {
        const ss = n.inputs.filter((i) => i).map((i) => shapes.get(i));
        if (ss.every((s) => s)) {
          const s = ss.slice(1).reduce<Shape | undefined>((acc, x) => acc && broadcast(acc, x!), ss[0]);
          const vs = n.inputs.map((i) => consts.get(i));
          let v: number[] | undefined;
          if (vs.length === 2 && vs[0] && vs[1] && vs[0].length === vs[1].length) {
            const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => Math.trunc(x / y) }[n.opType as 'Add'];
            if (f) v = vs[0].map((x, i) => f(x, vs[1]![i]));
          }
          set(s, v);
        }
      }
  }
}

function spatial(x: Shape, k: number[], s: number[], pads: number[] | undefined, d: number[], autoPad: string | undefined, ceil: boolean): Shape {
  return x.map((xi, i) => {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(xi / s[i]);
    const p = pads ? pads[i] + pads[i + x.length] : 0;
    const eff = d[i] * (k[i] - 1) + 1;
    const v = (xi + p - eff) / s[i];
    return (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
  });
}

/** Multiply-accumulates of one node, or undefined when its shapes are unknown (0 for free ops). */
export function nodeMacs(n: OnnxNode, shapes: Map<string, Shape>): number | undefined {
  const out = shapes.get(n.outputs[0]);
  const s0 = shapes.get(n.inputs[0]);
  const a = n.attributes;
  switch (n.opType) {
    case 'Conv': {
      const w = shapes.get(n.inputs[1]);
      if (!out || !w) return undefined;
      return prod(out) * prod(w.slice(1));
    }
    case 'ConvTranspose': {
      const w = shapes.get(n.inputs[1]);
      if (!s0 || !w) return undefined;
      return prod(s0) * prod(w.slice(1));
    }
    case 'Gemm': {
      const b = shapes.get(n.inputs[1]);
      if (!out || !b || !s0) return undefined;
      const k = a.transA === 1 ? s0[0] : s0[1];
      return prod(out) * k;
    }
    case 'MatMul': {
      if (!out || !s0) return undefined;
      return prod(out) * s0[s0.length - 1];
    }
    case 'MaxPool':
    case 'AveragePool': {
      const k = a.kernel_shape as number[] | undefined;
      if (!out || !k) return undefined;
      return prod(out) * prod(k);
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'ReduceMean':
      return s0 ? prod(s0) : undefined;
    default:
      if (FREE.has(n.opType)) return 0;
      if (ELEMENTWISE_COST.has(n.opType)) return out ? prod(out) : undefined;
      return out ? 0 : undefined;
  }
}

export function summariseOnnx(model: OnnxModel): OnnxSummary {
  const { shapes, limits } = inferShapes(model);
  // Maps, not objects, while counting: an op type is the file's text ("__proto__").
  const ops = new Map<string, number>();
  for (const n of model.nodes) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  const operators = Object.fromEntries([...ops].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])));
  let parameters = 0;
  let weightBytes: number | 'unknown' = 0;
  for (const t of model.initializers) {
    if (FLOAT_TYPES.has(t.dataType)) parameters += t.size;
    const b = tensorDataBytes(t);
    if (b === undefined) {
      const name = JSON.stringify(t.name);
      limits.add(`initializer ${name.length > 50 ? `${name.slice(0, 46)}..."` : name}: weight bytes unknown (${t.external?.problem ?? 'external data of unknown size'})`);
      weightBytes = 'unknown';
    } else if (weightBytes !== 'unknown') weightBytes += b;
  }
  const byOp = new Map<string, number | 'unknown'>();
  let macs = 0;
  let complete = true;
  for (const n of model.nodes) {
    let m = nodeMacs(n, shapes);
    if (m !== undefined && !Number.isSafeInteger(m)) {
      limits.add(`${nodeLabel(n)}: MACs unknown (over 2^53)`);
      m = undefined;
    }
    const cur = byOp.get(n.opType);
    if (m === undefined) {
      complete = false;
      byOp.set(n.opType, 'unknown');
    } else if (cur !== 'unknown') byOp.set(n.opType, (cur ?? 0) + m);
  }
  for (const v of byOp.values()) if (v !== 'unknown') macs += v;
  const macsByOp: Record<string, number | 'unknown'> = Object.fromEntries([...byOp].filter(([, v]) => v !== 0));
  const typeName = (t: number) => (ONNX_DATA_TYPES[t] ?? String(t)).toLowerCase();
  // Graph inputs and outputs listed: the first MAX_LISTED (a file may declare millions).
  if (model.inputs.length > MAX_LISTED) limits.add(`inputs: the first ${MAX_LISTED} of ${model.inputs.length} listed`);
  if (model.outputs.length > MAX_LISTED) limits.add(`outputs: the first ${MAX_LISTED} of ${model.outputs.length} listed`);
  return {
    producer: [model.producer, model.producerVersion].filter((s) => s).join(' '),
    opsetVersion: model.opsetVersion,
    irVersion: model.irVersion,
    nodes: model.nodes.length,
    operators,
    parameters,
    weightBytes,
    inputs: model.inputs.slice(0, MAX_LISTED).map((i) => ({ name: i.name, type: typeName(i.elemType), shape: i.shape })),
    outputs: model.outputs.slice(0, MAX_LISTED).map((o) => ({ name: o.name, type: typeName(o.elemType), shape: o.shape ?? shapes.get(o.name) ?? 'unknown' })),
    macsByOp,
    macs,
    macsComplete: complete,
    limits: limits.list(),
  };
}

/** A few lines for people. */
export function formatSummary(s: OnnxSummary): string {
  const num = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : String(v));
  const shape = (sh: (number | string | null)[] | null | 'unknown') => (sh === null || sh === 'unknown' ? 'unknown' : sh.map((d) => (d === null ? '?' : d)).join('x'));
  const lines = [
    `producer: ${s.producer || 'unknown'}, opset ${s.opsetVersion}, IR ${s.irVersion}`,
    `inputs: ${s.inputs.map((i) => `${i.name} ${i.type} ${shape(i.shape)}`).join(', ') || 'none'}`,
    `outputs: ${s.outputs.map((o) => `${o.name} ${shape(o.shape)}`).join(', ') || 'none'}`,
    `nodes: ${s.nodes} (${Object.entries(s.operators).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `parameters: ${num(s.parameters)} (${s.weightBytes === 'unknown' ? 'unknown size' : `${num(s.weightBytes)}B`} of weights)`,
    `MACs: ${num(s.macs)}${s.macsComplete ? '' : ' (incomplete: some shapes unknown)'}${Object.keys(s.macsByOp).length ? ` (${Object.entries(s.macsByOp).sort((x, y) => (y[1] === 'unknown' ? 0 : y[1]) - (x[1] === 'unknown' ? 0 : x[1])).map(([k, v]) => `${k} ${v === 'unknown' ? 'unknown' : num(v)}`).join(', ')})` : ''}`,
  ];
  for (const l of s.limits) lines.push(`unknown: ${l}`);
  // Names are the file's text: no escape sequences or bidi overrides reach a terminal.
  return lines.map((l) => neutraliseForDisplay(l)).join('\n');
}
