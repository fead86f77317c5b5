// A model summary: operator histogram, parameter count, multiply-accumulates per operator type (from a small
// shape inference that covers what CNNs use), input and output shapes. "unknown" where shapes cannot be
// inferred.
import { FLOAT_TYPES, OnnxModel, OnnxNode, ONNX_DATA_TYPES } from './reader';

export interface OnnxSummary {
  producer: string;
  opsetVersion: number;
  irVersion: number;
  nodes: number;
  /** Operator type -> count, most frequent first. */
  operators: Record<string, number>;
  /** Elements of floating-point initializers. */
  parameters: number;
  /** Bytes of initializer data (inline and external). */
  weightBytes: number;
  inputs: { name: string; type: string; shape: (number | string | null)[] | null }[];
  outputs: { name: string; type: string; shape: (number | string | null)[] | 'unknown' }[];
  /** Multiply-accumulates per operator type; "unknown" for types with a node whose shapes are unknown. */
  macsByOp: Record<string, number | 'unknown'>;
  /** Total over the operator types with known MACs. */
  macs: number;
  /** True when every node's MACs are known. */
  macsComplete: boolean;
}

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

/** Infers tensor shapes (and small integer constants, for Reshape targets built from Shape ops). */
export function inferShapes(model: OnnxModel): { shapes: Map<string, Shape>; consts: Map<string, number[]> } {
  const shapes = new Map<string, Shape>();
  const consts = new Map<string, number[]>();
  for (const t of model.initializers) {
    shapes.set(t.name, t.dims);
    if (t.values) consts.set(t.name, t.values);
  }
  for (const i of model.inputs) {
    // A symbolic batch dimension counts as 1 (the usual batch-1 inference); other symbols stay unknown.
    if (i.shape && i.shape.every((d, k) => typeof d === 'number' || k === 0)) shapes.set(i.name, i.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1)));
  }
  for (const n of model.nodes) {
    try {
      inferNode(n, shapes, consts);
    } catch {
      /* leave unknown */
    }
  }
  return { shapes, consts };
}

function inferNode(n: OnnxNode, shapes: Map<string, Shape>, consts: Map<string, number[]>): void {
  const a = n.attributes;
  const ints = (k: string) => (Array.isArray(a[k]) ? (a[k] as number[]) : undefined);
  const int = (k: string, d: number) => (typeof a[k] === 'number' ? (a[k] as number) : d);
  const s0 = shapes.get(n.inputs[0]);
  const out = n.outputs[0];
  const set = (s: Shape | undefined, v?: number[]) => {
    if (s && s.every((d) => Number.isInteger(d) && d >= 0)) shapes.set(out, s);
    if (v) consts.set(out, v);
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
        const norm = axes.map((x) => (x + r) % r).sort((x, y) => x - y);
        const s = s0.slice();
        for (const ax of norm) s.splice(ax, 0, 1);
        set(s, consts.get(n.inputs[0]));
      }
      return;
    }
    case 'Squeeze': {
      const axes = ints('axes') ?? consts.get(n.inputs[1]);
      if (s0) set(axes ? s0.filter((_, i) => !axes.map((x) => (x + s0.length) % s0.length).includes(i)) : s0.filter((d) => d !== 1), consts.get(n.inputs[0]));
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
        set(s, r === 1 && vs.every((v) => v) ? vs.flatMap((v) => v!) : undefined);
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
      const ax = (axes ?? s0.map((_, i) => i)).map((x) => (x + s0.length) % s0.length);
      set(keep ? s0.map((d, i) => (ax.includes(i) ? 1 : d)) : s0.filter((_, i) => !ax.includes(i)));
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
  const { shapes } = inferShapes(model);
  const ops: Record<string, number> = {};
  for (const n of model.nodes) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
  const operators = Object.fromEntries(Object.entries(ops).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])));
  let parameters = 0;
  let weightBytes = 0;
  for (const t of model.initializers) {
    if (FLOAT_TYPES.has(t.dataType)) parameters += t.size;
    weightBytes += t.rawData?.length ?? t.external?.length ?? 0;
  }
  const macsByOp: Record<string, number | 'unknown'> = {};
  let macs = 0;
  let complete = true;
  for (const n of model.nodes) {
    const m = nodeMacs(n, shapes);
    const cur = macsByOp[n.opType];
    if (m === undefined) {
      complete = false;
      macsByOp[n.opType] = 'unknown';
    } else if (cur !== 'unknown') macsByOp[n.opType] = (cur ?? 0) + m;
  }
  for (const v of Object.values(macsByOp)) if (v !== 'unknown') macs += v;
  for (const k of Object.keys(macsByOp)) if (macsByOp[k] === 0) delete macsByOp[k];
  const typeName = (t: number) => (ONNX_DATA_TYPES[t] ?? String(t)).toLowerCase();
  return {
    producer: [model.producer, model.producerVersion].filter((s) => s).join(' '),
    opsetVersion: model.opsetVersion,
    irVersion: model.irVersion,
    nodes: model.nodes.length,
    operators,
    parameters,
    weightBytes,
    inputs: model.inputs.map((i) => ({ name: i.name, type: typeName(i.elemType), shape: i.shape })),
    outputs: model.outputs.map((o) => ({ name: o.name, type: typeName(o.elemType), shape: o.shape ?? shapes.get(o.name) ?? 'unknown' })),
    macsByOp,
    macs,
    macsComplete: complete,
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
    `parameters: ${num(s.parameters)} (${num(s.weightBytes)}B of weights)`,
    `MACs: ${num(s.macs)}${s.macsComplete ? '' : ' (incomplete: some shapes unknown)'}${Object.keys(s.macsByOp).length ? ` (${Object.entries(s.macsByOp).sort((x, y) => (y[1] === 'unknown' ? 0 : y[1]) - (x[1] === 'unknown' ? 0 : x[1])).map(([k, v]) => `${k} ${v === 'unknown' ? 'unknown' : num(v)}`).join(', ')})` : ''}`,
  ];
  return lines.join('\n');
}
