// Shape inference (and constant folding of the small integer tensors exports compute shapes with) for the
// operators real exports use, inside If/Loop subgraphs too.
//
// Bounds, as before: shapes have at most MAX_RANK dimensions, constants followed at most MAX_CONST elements,
// all shapes and constants together at most MAX_ELEMENTS; subgraphs are walked with an explicit stack (no
// recursion over the file's nesting), and every node is visited once, so the work is linear in the graph.
// Past a limit a value is unknown, and `limits` says which node hit which limit; a node whose inputs are
// known but whose output cannot be inferred is named in `unknowns` with the reason.
//
// Names are one namespace across a graph and its subgraphs (ONNX forbids shadowing), so one map holds
// every scope's shapes: a subgraph sees the outer names it uses.
import { FLOAT_TYPES, OnnxModel, OnnxNode, OnnxSubgraph, OnnxTensor } from './reader';

/** Most dimensions a shape may have (the reader's limit on a tensor's dims, too). */
export const MAX_RANK = 64;
/** Most elements of a constant followed through shape arithmetic (Reshape targets, axes, pads). */
export const MAX_CONST = 1024;
/** Most elements of all inferred shapes and constants together. */
export const MAX_ELEMENTS = 1 << 23;
const MAX_NOTES = 20;
/** Longest Einsum equation parsed. */
const MAX_EQUATION = 256;

export type Shape = number[];

/** Notes of what was left unknown, at most MAX_NOTES. */
export class Limits {
  readonly notes: string[] = [];
  private more = 0;
  add(note: string): void {
    if (this.notes.length < MAX_NOTES - 1) this.notes.push(note);
    else this.more++;
  }
  get size(): number {
    return this.notes.length + this.more;
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

/** A tensor name in a note (bounded). */
export function tensorLabel(t: string): string {
  const name = JSON.stringify(t);
  return name.length > 50 ? `${name.slice(0, 46)}..."` : name;
}

/** Past this, a value is over a limit. */
class Over extends Error {}
/** The node's output cannot be inferred, for the reason given. */
class Unsupported extends Error {}

export const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function broadcast(a: Shape, b: Shape): Shape | undefined {
  const n = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Bytes per element of an ONNX data type (4 when unknown: float). */
export function elementBytes(t: number | undefined): number {
  return ({ 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1 } as Record<number, number>)[t ?? 1] ?? 4;
}
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

/** Events of a walk over a graph and its subgraphs, in execution order: a control node's subgraphs are
 *  opened and closed before the node itself. */
export type WalkEvent = { kind: 'node'; node: OnnxNode } | { kind: 'open' | 'close'; node: OnnxNode; graph: OnnxSubgraph; index: number };

/** The subgraphs of a node (If: then, else; Loop/Scan: body). */
export function subgraphsOf(n: OnnxNode): OnnxSubgraph[] {
  const gs: OnnxSubgraph[] = [];
  for (const k of ['then_branch', 'else_branch', 'body']) {
    const g = n.attributes[k];
    if (g && typeof g === 'object' && !Array.isArray(g) && 'nodes' in g) gs.push(g as OnnxSubgraph);
  }
  return gs;
}

/** All events of a model, without recursion (subgraph nesting is the file's). */
export function walk(model: OnnxModel): WalkEvent[] {
  const out: WalkEvent[] = [];
  type Task = { list: OnnxNode[]; i: number } | { ev: WalkEvent };
  const stack: Task[] = [{ list: model.nodes, i: 0 }];
  while (stack.length) {
    const t = stack[stack.length - 1];
    if ('ev' in t) {
      stack.pop();
      out.push(t.ev);
      continue;
    }
    if (t.i >= t.list.length) {
      stack.pop();
      continue;
    }
    const n = t.list[t.i++];
    const gs = subgraphsOf(n);
    if (!gs.length) {
      out.push({ kind: 'node', node: n });
      continue;
    }
    stack.push({ ev: { kind: 'node', node: n } });
    for (let k = gs.length - 1; k >= 0; k--) {
      stack.push({ ev: { kind: 'close', node: n, graph: gs[k], index: k } });
      stack.push({ list: gs[k].nodes, i: 0 });
      stack.push({ ev: { kind: 'open', node: n, graph: gs[k], index: k } });
    }
  }
  return out;
}

export interface InferOptions {
  /** Shapes of graph inputs by name (from --input-shape or help.inputShapes); they replace the declared ones. */
  inputShapes?: Record<string, number[]>;
}

export interface Inference {
  shapes: Map<string, Shape>;
  /** Small constant values (shape arithmetic, axes, scales). */
  consts: Map<string, number[]>;
  /** ONNX element type per tensor, where known. */
  types: Map<string, number>;
  /** Initializers of the model and of every subgraph, by name. */
  weights: Map<string, OnnxTensor>;
  limits: Limits;
  /** Nodes whose inputs are known but whose outputs could not be inferred, with the reason. */
  unknowns: Limits;
  /** The reason per node left unknown (see `unknowns`). */
  why: Map<OnnxNode, string>;
  /** Input dimensions assumed (symbolic or unknown dims taken as 1), one note each. */
  assumed: string[];
  /** Events of the walk (kept for the MAC count, which follows the same order). */
  events: WalkEvent[];
  /** A graph input declares an open (symbolic or unknown) dim: a runtime then cannot fold Shape nodes at
   *  load time, whatever sizes were given here. */
  dynamicInputs: boolean;
}

/** Infers tensor shapes, types and small integer constants over the model and its subgraphs. */
export function inferShapes(model: OnnxModel, limits = new Limits(), opts: InferOptions = {}): Inference {
  const shapes = new Map<string, Shape>();
  const consts = new Map<string, number[]>();
  const types = new Map<string, number>();
  const weights = new Map<string, OnnxTensor>();
  const unknowns = new Limits();
  const why = new Map<OnnxNode, string>();
  const assumed: string[] = [];
  let dynamicInputs = false;
  const budget = { left: MAX_ELEMENTS };
  const addInit = (t: OnnxTensor) => {
    weights.set(t.name, t);
    shapes.set(t.name, t.dims);
    types.set(t.name, t.dataType);
    if (t.values) consts.set(t.name, t.values);
  };
  for (const t of model.initializers) addInit(t);
  for (const i of model.inputs) {
    types.set(i.name, i.elemType);
    if (!weights.has(i.name) && (!i.shape || i.shape.some((d) => !(typeof d === 'number' && d >= 0)))) dynamicInputs = true;
    const given = opts.inputShapes && Object.prototype.hasOwnProperty.call(opts.inputShapes, i.name) ? opts.inputShapes[i.name] : undefined;
    let s: number[];
    if (given) s = given.slice();
    else if (!i.shape) {
      assumed.push(`input ${tensorLabel(i.name)}: no shape declared, left unknown (give one with --input-shape or help.inputShapes)`);
      continue;
    } else {
      s = i.shape.map((d, k) => {
        if (typeof d === 'number' && d >= 0) return d;
        assumed.push(`input ${tensorLabel(i.name)} dim ${k}${typeof d === 'string' && d ? ` (${tensorLabel(d)})` : ''} assumed 1`);
        return 1;
      });
    }
    // Checked here once: shapes passed through nodes are not checked again.
    if (s.length <= MAX_RANK && s.every((d) => Number.isSafeInteger(d) && d >= 0) && Number.isSafeInteger(prod(s))) shapes.set(i.name, s);
  }
  const events = walk(model);
  let stopped = false;
  for (const ev of events) {
    if (stopped) break;
    if (ev.kind === 'close') continue;
    const n = ev.node;
    if (budget.left <= 0) {
      limits.add(`${nodeLabel(n)} and later: shapes unknown (all shapes together over ${MAX_ELEMENTS} elements)`);
      stopped = true;
      break;
    }
    if (ev.kind === 'open') {
      for (const t of ev.graph.initializers) addInit(t);
      bindSubgraphInputs(n, ev.graph, shapes, types);
      continue;
    }
    try {
      for (const [k, v] of Object.entries(n.attributes)) if (v && typeof v === 'object' && 'omitted' in v) throw new Over(`attribute ${JSON.stringify(k.slice(0, 40))}: ${v.omitted}`);
      if (subgraphsOf(n).length) {
        const reason = inferControl(n, { shapes, consts, types });
        if (reason) throw new Unsupported(reason);
        continue;
      }
      inferNode(n, shapes, consts, types, budget);
      // Weights some exporters write as Constant nodes (torch, with constant folding of frozen branches):
      // float tensors of 2 or more elements count as parameters, as initializers do.
      const cv = n.opType === 'Constant' ? n.attributes.value : undefined;
      if (cv && typeof cv === 'object' && !Array.isArray(cv) && 'dims' in cv && FLOAT_TYPES.has((cv as OnnxTensor).dataType) && (cv as OnnxTensor).size >= 2 && n.outputs[0]) {
        weights.set(n.outputs[0], { ...(cv as OnnxTensor), name: n.outputs[0] });
      }
      if (n.outputs[0] && !shapes.has(n.outputs[0])) {
        const missing = n.inputs.find((x) => x && !shapes.has(x));
        if (missing === undefined) {
          throw new Unsupported(DATA_DEPENDENT.has(n.opType) ? 'the output shape depends on the data' : supported(n.opType) ? 'an input it needs is not a known constant, or the shapes do not fit' : 'operator not covered by the shape inference');
        }
      }
    } catch (e) {
      if (e instanceof Over) limits.add(`${nodeLabel(n)}: output shape unknown (${e.message})`);
      else if (e instanceof Unsupported) {
        why.set(n, e.message);
        unknowns.add(`${nodeLabel(n)}: output shape unknown (${e.message})`);
      }
      /* otherwise: left unknown (an input the node cannot take) */
    }
  }
  return { shapes, consts, types, weights, limits, unknowns, why, assumed, events, dynamicInputs };
}

/** Loop body inputs: iteration number, condition, then the carried values (shapes of the Loop's inputs). */
/** (Carried values change between iterations: their values are never taken as constants.) */
function bindSubgraphInputs(n: OnnxNode, g: OnnxSubgraph, shapes: Map<string, Shape>, types: Map<string, number>): void {
  if (n.opType !== 'Loop') return;
  g.inputs.forEach((vi, k) => {
    if (!vi.name) return;
    if (k === 0) {
      shapes.set(vi.name, []);
      types.set(vi.name, 7);
    } else if (k === 1) {
      shapes.set(vi.name, []);
      types.set(vi.name, 9);
    } else {
      const outer = n.inputs[k];
      const s = outer ? shapes.get(outer) : undefined;
      if (s) shapes.set(vi.name, s);
      const t = outer ? types.get(outer) : undefined;
      if (t !== undefined) types.set(vi.name, t);
    }
  });
}

const COVERED = new Set([
  'Constant', 'Shape', 'Size', 'Gather', 'GatherElements', 'Unsqueeze', 'Squeeze', 'Concat', 'Split', 'Cast', 'CastLike', 'Identity', 'Reshape', 'Flatten',
  'Transpose', 'Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'Gemm', 'MatMul',
  'MatMulInteger', 'Pad', 'LSTM', 'GRU', 'RNN', 'LayerNormalization', 'Resize', 'Upsample', 'Slice', 'Expand', 'Where', 'ConstantOfShape', 'Range',
  'Tile', 'Einsum', 'If', 'Loop', 'TopK', 'ArgMax', 'ArgMin', 'DepthToSpace', 'SpaceToDepth', 'Dropout', 'BatchNormalization', 'OneHot',
]);
/** Operators whose output shape depends on input values, not shapes. */
const DATA_DEPENDENT = new Set(['NonZero', 'NonMaxSuppression', 'Unique', 'Compress', 'StringSplit']);
function supported(op: string): boolean {
  return COVERED.has(op) || UNARY.has(op) || BINARY.has(op) || REDUCE.has(op);
}

/** Shape-preserving operators (output 0 has input 0's shape). */
export const UNARY = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign', 'Mish', 'Gelu', 'ThresholdedRelu',
  'Clip', 'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'Softmax', 'LogSoftmax', 'Hardmax',
  'Neg', 'Abs', 'Sqrt', 'Exp', 'Log', 'Erf', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Not', 'LRN', 'QuantizeLinear', 'DequantizeLinear',
  'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Tanh', 'IsNaN', 'IsInf', 'CumSum', 'Trilu', 'ScatterND', 'ScatterElements', 'Shrink',
  'BitwiseNot', 'DynamicQuantizeLinear',
]);
/** Element-wise operators with numpy broadcasting over all inputs. */
export const BINARY = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor',
  'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'Where',
]);
export const REDUCE = new Set(['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);
const BOOL_OUT = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);

/** Values of an element-wise op on small constants (scalars broadcast; other shapes left unknown). */
function foldValues(op: string, vs: (number[] | undefined)[], intOut: boolean): number[] | undefined {
  if (!vs.length || vs.some((v) => !v || v.length === 0)) return undefined;
  // Spreads of a node's inputs would overflow the stack for a node of 100,000 inputs: reduce instead.
  const len = vs.reduce((m, v) => Math.max(m, v!.length), 0);
  if (len > MAX_CONST || vs.some((v) => v!.length !== len && v!.length !== 1)) return undefined;
  const at = (k: number, i: number) => (vs[k]!.length === 1 ? vs[k]![0] : vs[k]![i]);
  const f: Record<string, (i: number) => number> = {
    Add: (i) => at(0, i) + at(1, i),
    Sub: (i) => at(0, i) - at(1, i),
    Mul: (i) => at(0, i) * at(1, i),
    Div: (i) => (intOut ? Math.trunc(at(0, i) / at(1, i)) : at(0, i) / at(1, i)),
    Mod: (i) => at(0, i) % at(1, i),
    Pow: (i) => at(0, i) ** at(1, i),
    Max: (i) => vs.reduce((m, _, k) => Math.max(m, at(k, i)), -Infinity),
    Min: (i) => vs.reduce((m, _, k) => Math.min(m, at(k, i)), Infinity),
    Equal: (i) => +(at(0, i) === at(1, i)),
    Less: (i) => +(at(0, i) < at(1, i)),
    LessOrEqual: (i) => +(at(0, i) <= at(1, i)),
    Greater: (i) => +(at(0, i) > at(1, i)),
    GreaterOrEqual: (i) => +(at(0, i) >= at(1, i)),
    And: (i) => +(!!at(0, i) && !!at(1, i)),
    Or: (i) => +(!!at(0, i) || !!at(1, i)),
    Not: (i) => +!at(0, i),
    Neg: (i) => -at(0, i),
    Abs: (i) => Math.abs(at(0, i)),
    Floor: (i) => Math.floor(at(0, i)),
    Ceil: (i) => Math.ceil(at(0, i)),
    Sqrt: (i) => Math.sqrt(at(0, i)),
    Where: (i) => (at(0, i) ? at(1, i) : at(2, i)),
  };
  const g = f[op];
  if (!g || (op === 'Where' ? vs.length !== 3 : ['Not', 'Neg', 'Abs', 'Floor', 'Ceil', 'Sqrt'].includes(op) ? vs.length !== 1 : ['Max', 'Min'].includes(op) ? false : vs.length !== 2)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(g(i));
  return out.every((x) => Number.isFinite(x)) ? out : undefined;
}

/** Normalises an axis of a rank-r shape, or throws. */
function axisOf(x: number, r: number): number {
  const a = x < 0 ? x + r : x;
  if (!(a >= 0 && a < Math.max(r, 1))) throw new Unsupported(`axis ${x} out of range for rank ${r}`);
  return a;
}

/** Axes as a set of dimensions of a rank-`r` shape (each axis once; at most MAX_RANK of them). */
function axisSet(axes: number[], r: number): Set<number> {
  if (axes.length > MAX_RANK) throw new Over(`${axes.length} axes, over ${MAX_RANK}`);
  return new Set(axes.map((x) => axisOf(x, r)));
}

function inferNode(n: OnnxNode, shapes: Map<string, Shape>, consts: Map<string, number[]>, types: Map<string, number>, budget: { left: number }): void {
  const a = n.attributes;
  const ints = (k: string) => (Array.isArray(a[k]) ? (a[k] as number[]) : undefined);
  const int = (k: string, d: number) => (typeof a[k] === 'number' ? (a[k] as number) : d);
  const input = (k: number) => (n.inputs[k] ? n.inputs[k] : undefined);
  const shapeOf = (k: number) => {
    const t = input(k);
    return t === undefined ? undefined : shapes.get(t);
  };
  const constOf = (k: number) => {
    const t = input(k);
    return t === undefined ? undefined : consts.get(t);
  };
  const s0 = shapeOf(0);
  const v0 = constOf(0);
  const t0 = input(0) !== undefined ? types.get(n.inputs[0]) : undefined;
  // Output types first (used by the folds below).
  const outType = (() => {
    switch (n.opType) {
      case 'Cast':
        return int('to', 1);
      case 'CastLike':
        return input(1) !== undefined ? types.get(n.inputs[1]) : undefined;
      case 'Shape':
      case 'Size':
      case 'ArgMax':
      case 'ArgMin':
      case 'NonZero':
        return 7;
      case 'ConstantOfShape': {
        const v = a.value;
        return v && typeof v === 'object' && !Array.isArray(v) && 'dataType' in v ? (v as OnnxTensor).dataType : 1;
      }
      case 'Constant': {
        const v = a.value;
        if (v && typeof v === 'object' && !Array.isArray(v) && 'dataType' in v) return (v as OnnxTensor).dataType;
        return typeof a.value_int === 'number' || Array.isArray(a.value_ints) ? 7 : 1;
      }
      case 'Where':
        return input(1) !== undefined ? types.get(n.inputs[1]) : undefined;
      default:
        return BOOL_OUT.has(n.opType) ? 9 : t0;
    }
  })();
  if (outType !== undefined) for (const o of n.outputs) if (o) types.set(o, outType);
  const intOut = outType !== undefined && INT_TYPES.has(outType);
  /** Records output k's shape and (small) value; a shape over MAX_RANK is over a limit. */
  const setAt = (k: number, s: Shape | undefined, v?: number[]) => {
    const out = n.outputs[k];
    if (!out) return;
    if (s && s === s0) shapes.set(out, s); // passed through: checked when it was made, and shared
    else if (s && s.length > MAX_RANK) throw new Over(`rank ${s.length}, over ${MAX_RANK}`);
    else if (s && s.every((d) => Number.isSafeInteger(d) && d >= 0) && Number.isSafeInteger(prod(s))) {
      shapes.set(out, s);
      budget.left -= s.length + 1;
    } else return;
    if (v && v.length <= MAX_CONST && v.length === prod(s)) {
      consts.set(out, v);
      if (v !== v0) budget.left -= v.length; // a passed-through value is shared
    }
  };
  const set = (s: Shape | undefined, v?: number[]) => setAt(0, s, v);
  /** Fails before a computation whose output would have more than MAX_RANK dimensions. */
  const rank = (r: number) => {
    if (r > MAX_RANK) throw new Over(`rank ${r}, over ${MAX_RANK}`);
  };
  const need = <T>(x: T | undefined, what: string): T => {
    if (x === undefined) throw new Unsupported(what);
    return x;
  };
  switch (n.opType) {
    case 'Constant': {
      const t = a.value;
      if (t && typeof t === 'object' && !Array.isArray(t) && 'dims' in t) set((t as OnnxTensor).dims, (t as OnnxTensor).values);
      else if (typeof a.value_int === 'number') set([], [a.value_int]);
      else if (Array.isArray(a.value_ints)) set([(a.value_ints as number[]).length], a.value_ints as number[]);
      else if (typeof a.value_float === 'number') set([], [a.value_float]);
      else if (Array.isArray(a.value_floats)) set([(a.value_floats as number[]).length], a.value_floats as number[]);
      return;
    }
    case 'Shape': {
      if (!s0) return;
      const r = s0.length;
      const clampIdx = (x: number) => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
      const v = s0.slice(clampIdx(int('start', 0)), clampIdx(int('end', r)));
      set([v.length], v);
      return;
    }
    case 'Size':
      if (s0) set([], [prod(s0)]);
      return;
    case 'Gather': {
      const is = shapeOf(1);
      if (!s0 || !is) return;
      rank(s0.length + is.length);
      const axis = axisOf(int('axis', 0), s0.length);
      const idx = constOf(1);
      const vals = v0 && idx && s0.length === 1 ? idx.map((i) => v0[i < 0 ? i + v0.length : i]) : undefined;
      set([...s0.slice(0, axis), ...is, ...s0.slice(axis + 1)], vals && vals.every((x) => x !== undefined) ? vals : undefined);
      return;
    }
    case 'GatherElements':
      set(shapeOf(1));
      return;
    case 'Unsqueeze': {
      const axes = ints('axes') ?? constOf(1);
      if (!s0) return;
      need(axes, 'axes not constant');
      const r = s0.length + axes!.length;
      rank(r);
      const norm = [...axisSet(axes!, r)].sort((x, y) => x - y);
      const s = s0.slice();
      for (const ax of norm) s.splice(ax, 0, 1);
      set(s, v0);
      return;
    }
    case 'Squeeze': {
      const axes = ints('axes') ?? constOf(1);
      if (!s0) return;
      if (!axes && input(1) !== undefined) throw new Unsupported('axes not constant');
      const drop = axes && axisSet(axes, s0.length);
      set(drop ? s0.filter((_, i) => !drop.has(i)) : s0.filter((d) => d !== 1), v0);
      return;
    }
    case 'Concat': {
      const ss = n.inputs.map((i) => shapes.get(i));
      if (!ss.length || !ss.every((s) => s)) return;
      const r = ss[0]!.length;
      if (!ss.every((s) => s!.length === r)) throw new Unsupported('inputs of different ranks');
      const axis = axisOf(int('axis', 0), r);
      const s = ss[0]!.slice();
      s[axis] = ss.reduce((acc, x) => acc + x![axis], 0);
      const vs = n.inputs.map((i) => consts.get(i));
      // Values only while small: a Concat of a large constant with itself, many times, grew without bound.
      const total = vs.reduce((acc, v) => acc + (v ? v.length : Infinity), 0);
      set(s, r === 1 && total <= MAX_CONST ? vs.flatMap((v) => v!) : undefined);
      return;
    }
    case 'Split': {
      if (!s0) return;
      const axis = axisOf(int('axis', 0), s0.length);
      const outs = n.outputs.length;
      let parts = ints('split') ?? constOf(1);
      if (!parts && input(1) !== undefined) throw new Unsupported('split sizes not constant');
      if (!parts) {
        const k = int('num_outputs', outs);
        const each = Math.ceil(s0[axis] / k);
        parts = Array.from({ length: outs }, (_, i) => Math.max(0, Math.min(each, s0[axis] - i * each)));
      }
      if (parts.length !== outs) throw new Unsupported(`${parts.length} split sizes for ${outs} outputs`);
      let at = 0;
      parts.forEach((p, i) => {
        const s = s0.slice();
        s[axis] = p;
        setAt(i, s, v0 && s0.length === 1 ? v0.slice(at, at + p) : undefined);
        at += p;
      });
      return;
    }
    case 'Cast':
      set(s0, v0 && intOut ? v0.map((x) => Math.trunc(x)) : v0);
      return;
    case 'CastLike':
    case 'Identity':
      set(s0, v0);
      return;
    case 'Reshape': {
      const target = ints('shape') ?? constOf(1);
      if (!s0) return;
      need(target, 'target shape not constant');
      rank(target!.length);
      const total = prod(s0);
      const allowzero = int('allowzero', 0) === 1;
      const s = target!.map((d, i) => (d === 0 && !allowzero ? s0[i] : d));
      if (s.some((d) => d === undefined) || s.filter((d) => d === -1).length > 1) throw new Unsupported('target shape not valid for the input');
      const rest = prod(s.filter((d) => d !== -1));
      if (s.includes(-1)) s[s.indexOf(-1)] = rest ? total / rest : 0;
      if (prod(s) !== total) throw new Unsupported(`target shape ${target!.join('x')} does not fit ${s0.join('x')}`);
      set(s, v0);
      return;
    }
    case 'Flatten':
      if (s0) {
        const ax0 = int('axis', 1);
        const ax = ax0 < 0 ? ax0 + s0.length : ax0;
        set([prod(s0.slice(0, ax)), prod(s0.slice(ax))], v0);
      }
      return;
    case 'Transpose':
      if (s0) {
        const perm = ints('perm') ?? s0.map((_, i) => s0.length - 1 - i);
        rank(perm.length);
        if (perm.length !== s0.length) throw new Unsupported('perm of the wrong length');
        set(perm.map((p) => s0[p]));
      }
      return;
    case 'Conv': {
      const w = shapeOf(1);
      if (!s0 || !w || s0.length < 3) return;
      const sp = s0.length - 2;
      const k = ints('kernel_shape') ?? w.slice(2);
      set([s0[0], w[0], ...spatial(s0.slice(2), k, ints('strides') ?? new Array(sp).fill(1), ints('pads'), ints('dilations') ?? new Array(sp).fill(1), a.auto_pad as string | undefined, false)]);
      return;
    }
    case 'ConvTranspose': {
      const w = shapeOf(1);
      if (!s0 || !w || s0.length < 3) return;
      const sp = s0.length - 2;
      const k = ints('kernel_shape') ?? w.slice(2);
      const st = ints('strides') ?? new Array(sp).fill(1);
      const d = ints('dilations') ?? new Array(sp).fill(1);
      const op = ints('output_padding') ?? new Array(sp).fill(0);
      const os = ints('output_shape');
      const pads = ints('pads') ?? new Array(2 * sp).fill(0);
      const autoPad = a.auto_pad as string | undefined;
      const cout = w[1] * int('group', 1);
      const x = s0.slice(2);
      const outSp = os
        ? os.slice(os.length - sp)
        : x.map((xi, i) => (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? xi * st[i] : st[i] * (xi - 1) + op[i] + ((k[i] - 1) * d[i] + 1) - pads[i] - pads[i + sp]));
      set([s0[0], cout, ...outSp]);
      return;
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      const k = ints('kernel_shape');
      if (!s0) return;
      need(k, 'no kernel_shape');
      const s = [s0[0], s0[1], ...spatial(s0.slice(2), k!, ints('strides') ?? k!.map(() => 1), ints('pads'), ints('dilations') ?? k!.map(() => 1), a.auto_pad as string | undefined, int('ceil_mode', 0) === 1)];
      set(s);
      setAt(1, s);
      return;
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      if (s0) set([...s0.slice(0, 2), ...s0.slice(2).map(() => 1)]);
      return;
    case 'ArgMax':
    case 'ArgMin': {
      if (!s0) return;
      const ax = axisOf(int('axis', 0), s0.length);
      set(int('keepdims', 1) === 1 ? s0.map((d, i) => (i === ax ? 1 : d)) : s0.filter((_, i) => i !== ax));
      return;
    }
    case 'TopK': {
      const k = constOf(1);
      if (!s0) return;
      need(k, 'K not constant');
      const ax = axisOf(int('axis', -1), s0.length);
      const s = s0.map((d, i) => (i === ax ? k![0] : d));
      set(s);
      setAt(1, s);
      return;
    }
    case 'Gemm': {
      const b = shapeOf(1);
      if (!s0 || !b) return;
      if (s0.length !== 2 || b.length !== 2) throw new Unsupported('Gemm inputs are not matrices');
      const m = int('transA', 0) ? s0[1] : s0[0];
      const nn = int('transB', 0) ? b[0] : b[1];
      set([m, nn]);
      return;
    }
    case 'MatMul':
    case 'MatMulInteger': {
      const b = shapeOf(1);
      if (!s0 || !b) return;
      const s = matmulShape(s0, b);
      if (!s) throw new Unsupported(`shapes ${s0.join('x')} and ${b.join('x')} do not multiply`);
      set(s);
      return;
    }
    case 'Einsum': {
      const eq = einsum(a.equation, n.inputs.map((i) => shapes.get(i)));
      if (eq === null) throw new Unsupported('equation not parsed (too long, ellipsis, or not matching the inputs)');
      if (eq) set(eq.out);
      return;
    }
    case 'Pad': {
      const pads = ints('pads') ?? constOf(1);
      if (!s0) return;
      need(pads, 'pads not constant');
      const axes = constOf(3);
      if (axes) {
        const ax = axes.map((x) => axisOf(x, s0.length));
        if (pads!.length !== 2 * ax.length) throw new Unsupported('pads do not match axes');
        const s = s0.slice();
        ax.forEach((x, i) => (s[x] += pads![i] + pads![i + ax.length]));
        set(s);
      } else if (pads!.length === 2 * s0.length) set(s0.map((d, i) => d + pads![i] + pads![i + s0.length]));
      else throw new Unsupported('pads do not match the rank');
      return;
    }
    case 'LSTM':
    case 'GRU':
    case 'RNN': {
      const w = shapeOf(1);
      if (!s0 || !w || s0.length !== 3 || w.length !== 3) return;
      const layout = int('layout', 0);
      const gates = n.opType === 'LSTM' ? 4 : n.opType === 'GRU' ? 3 : 1;
      const hidden = int('hidden_size', w[1] / gates);
      const dirs = w[0];
      const [seq, batch] = layout === 1 ? [s0[1], s0[0]] : [s0[0], s0[1]];
      setAt(0, layout === 1 ? [batch, seq, dirs, hidden] : [seq, dirs, batch, hidden]);
      const state = layout === 1 ? [batch, dirs, hidden] : [dirs, batch, hidden];
      setAt(1, state);
      setAt(2, state);
      return;
    }
    case 'LayerNormalization': {
      if (!s0) return;
      set(s0);
      const ax = axisOf(int('axis', -1), s0.length);
      const stat = s0.map((d, i) => (i < ax ? d : 1));
      setAt(1, stat);
      setAt(2, stat);
      return;
    }
    case 'BatchNormalization':
    case 'Dropout':
      if (!s0) return;
      set(s0);
      if (n.opType === 'Dropout') setAt(1, s0);
      return;
    case 'Resize':
    case 'Upsample': {
      if (!s0) return;
      const sizes = n.opType === 'Resize' ? constOf(3) : undefined;
      const scales = n.opType === 'Upsample' ? (Array.isArray(a.scales) ? (a.scales as number[]) : constOf(1)) : constOf(2) ?? (n.inputs.length === 2 ? constOf(1) : undefined);
      const axes = ints('axes');
      const ax = axes ? axes.map((x) => axisOf(x, s0.length)) : s0.map((_, i) => i);
      const s = s0.slice();
      if (sizes && sizes.length) {
        if (sizes.length !== ax.length) throw new Unsupported('sizes do not match the rank');
        ax.forEach((x, i) => (s[x] = sizes[i]));
      } else if (scales && scales.length) {
        if (scales.length !== ax.length) throw new Unsupported('scales do not match the rank');
        ax.forEach((x, i) => (s[x] = Math.floor(s0[x] * scales[i] + 1e-9)));
      } else throw new Unsupported('neither scales nor sizes is a known constant');
      set(s);
      return;
    }
    case 'Slice': {
      if (!s0) return;
      const old = n.inputs.length === 1;
      const starts = old ? ints('starts') : constOf(1);
      const ends = old ? ints('ends') : constOf(2);
      const axes = old ? ints('axes') : input(3) !== undefined ? constOf(3) : undefined;
      const steps = !old && input(4) !== undefined ? constOf(4) : undefined;
      if (!starts || !ends || (!old && input(3) !== undefined && !axes) || (!old && input(4) !== undefined && !steps)) throw new Unsupported('starts, ends, axes or steps not constant');
      if (starts.length !== ends.length) throw new Unsupported('starts and ends of different lengths');
      const s = s0.slice();
      const ranges = s0.map((d) => [0, d, 1]);
      starts.forEach((st, i) => {
        const ax = axisOf(axes ? axes[i] : i, s0.length);
        const dim = s0[ax];
        const step = steps ? steps[i] : 1;
        if (!step) throw new Unsupported('step 0');
        const clampS = (x: number) => (x < 0 ? x + dim : x);
        let b = clampS(st);
        let e = clampS(ends[i]);
        if (step > 0) {
          b = Math.min(Math.max(b, 0), dim);
          e = Math.min(Math.max(e, 0), dim);
          s[ax] = Math.max(0, Math.ceil((e - b) / step));
        } else {
          b = Math.min(Math.max(b, 0), dim - 1);
          e = Math.min(Math.max(e, -1), dim - 1);
          s[ax] = Math.max(0, Math.ceil((e - b) / step));
        }
        ranges[ax] = [b, e, step];
      });
      let v: number[] | undefined;
      if (v0 && s0.length === 1) {
        const [b, , step] = ranges[0];
        v = Array.from({ length: s[0] }, (_, i) => v0[b + i * step]);
      }
      set(s, v);
      return;
    }
    case 'Expand': {
      const target = constOf(1);
      if (!s0) return;
      need(target, 'target shape not constant');
      rank(target!.length);
      const s = broadcast(s0, target!);
      if (!s) throw new Unsupported('target shape does not broadcast');
      set(s, v0 && v0.length === 1 && prod(s) <= MAX_CONST ? new Array(prod(s)).fill(v0[0]) : v0 && prod(s) === v0.length ? v0 : undefined);
      return;
    }
    case 'ConstantOfShape': {
      const target = v0;
      if (!s0) return;
      need(target, 'shape not constant');
      rank(target!.length);
      const t = a.value;
      const fill = t && typeof t === 'object' && !Array.isArray(t) && 'values' in t ? ((t as OnnxTensor).values?.[0] ?? 0) : 0;
      const size = prod(target!);
      setAt(0, target!.slice(), Number.isSafeInteger(size) && size <= MAX_CONST ? new Array(size).fill(fill) : undefined);
      return;
    }
    case 'Range': {
      const [st, lim, d] = [constOf(0), constOf(1), constOf(2)];
      if (!st || !lim || !d) throw new Unsupported('start, limit or delta not constant');
      const len = Math.max(Math.ceil((lim[0] - st[0]) / d[0]), 0);
      if (!Number.isSafeInteger(len)) throw new Unsupported('length not finite');
      set([len], len <= MAX_CONST ? Array.from({ length: len }, (_, i) => st[0] + i * d[0]) : undefined);
      return;
    }
    case 'Tile': {
      const rep = constOf(1);
      if (!s0) return;
      need(rep, 'repeats not constant');
      if (rep!.length !== s0.length) throw new Unsupported('repeats do not match the rank');
      set(s0.map((x, i) => x * rep![i]));
      return;
    }
    case 'OneHot': {
      const depth = constOf(1);
      if (!s0) return;
      need(depth, 'depth not constant');
      const r = s0.length + 1;
      rank(r);
      const ax = axisOf(int('axis', -1), r);
      const s = s0.slice();
      s.splice(ax, 0, depth![0]);
      set(s);
      return;
    }
    case 'DepthToSpace':
    case 'SpaceToDepth': {
      if (!s0 || s0.length !== 4) return;
      const b = int('blocksize', 1);
      set(n.opType === 'DepthToSpace' ? [s0[0], s0[1] / (b * b), s0[2] * b, s0[3] * b] : [s0[0], s0[1] * b * b, s0[2] / b, s0[3] / b]);
      return;
    }
    case 'If':
    case 'Loop':
      return; // after their subgraphs: see inferControl
    default:
      if (REDUCE.has(n.opType)) {
        if (!s0) return;
        let axes = ints('axes') ?? constOf(1);
        if (!axes && input(1) !== undefined) throw new Unsupported('axes not constant');
        if (!axes || !axes.length) {
          if (int('noop_with_empty_axes', 0) === 1) {
            set(s0, v0);
            return;
          }
          axes = s0.map((_, i) => i);
        }
        const keep = int('keepdims', 1) === 1;
        const ax = axisSet(axes, s0.length);
        set(keep ? s0.map((d, i) => (ax.has(i) ? 1 : d)) : s0.filter((_, i) => !ax.has(i)));
        return;
      }
      if (UNARY.has(n.opType) && !BINARY.has(n.opType)) {
        if (s0) set(s0, foldValues(n.opType, [v0], intOut));
        return;
      }
      if (BINARY.has(n.opType)) {
        const ss = n.inputs.filter((i) => i).map((i) => shapes.get(i));
        if (!ss.length || !ss.every((s) => s)) return;
        rank(ss.reduce((m, x) => Math.max(m, x!.length), 0));
        const s = ss.slice(1).reduce<Shape | undefined>((acc, x) => acc && broadcast(acc, x!), ss[0]);
        if (!s) throw new Unsupported(`shapes ${ss.map((x) => x!.join('x') || 'scalar').join(', ')} do not broadcast`);
        set(s, foldValues(n.opType, n.inputs.map((i) => consts.get(i)), intOut));
      }
  }
}

/** If and Loop outputs, once their subgraphs are inferred. */
export function inferControl(n: OnnxNode, inf: Pick<Inference, 'shapes' | 'consts' | 'types'>): string | undefined {
  const { shapes, consts, types } = inf;
  const gs = subgraphsOf(n);
  if (n.opType === 'If') {
    const [thenG, elseG] = gs;
    if (!thenG || !elseG) return 'branches missing';
    const cond = consts.get(n.inputs[0]);
    const pick = cond && cond.length === 1 ? (cond[0] ? [thenG] : [elseG]) : [thenG, elseG];
    let reason: string | undefined;
    n.outputs.forEach((o, k) => {
      if (!o) return;
      const ss = pick.map((g) => (g.outputs[k] ? shapes.get(g.outputs[k].name) : undefined));
      const ts = pick.map((g) => (g.outputs[k] ? types.get(g.outputs[k].name) : undefined));
      if (ts[0] !== undefined) types.set(o, ts[0]);
      if (ss.every((s) => s) && ss.every((s) => s!.length === ss[0]!.length && s!.every((d, i) => d === ss[0]![i]))) {
        shapes.set(o, ss[0]!);
        const vs = pick.map((g) => consts.get(g.outputs[k].name));
        if (vs.length === 1 && vs[0]) consts.set(o, vs[0]);
      } else reason ??= ss.every((s) => s) ? `output ${k}: the branches give different shapes` : `output ${k}: unknown in a branch`;
    });
    return reason;
  }
  if (n.opType === 'Loop') {
    const body = gs[0];
    if (!body) return 'body missing';
    const carried = Math.max(0, n.inputs.length - 2);
    const trip = n.inputs[0] ? consts.get(n.inputs[0]) : undefined;
    let reason: string | undefined;
    n.outputs.forEach((o, k) => {
      if (!o) return;
      const bo = body.outputs[k + 1];
      const s = bo ? shapes.get(bo.name) : undefined;
      if (bo && types.has(bo.name)) types.set(o, types.get(bo.name)!);
      if (!s) {
        reason ??= `output ${k}: unknown in the body`;
        return;
      }
      if (k < carried) shapes.set(o, s);
      else if (trip && trip.length === 1) shapes.set(o, [trip[0], ...s]);
      else reason ??= 'trip count not constant (scan outputs unknown)';
    });
    return reason;
  }
  return 'Scan and other control flow are not inferred';
}

export function matmulShape(s0: Shape, b: Shape): Shape | undefined {
  if (s0.length < 1 || b.length < 1) return undefined;
  const A = s0.length === 1 ? [1, s0[0]] : s0;
  const B = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast(A.slice(0, -2), B.slice(0, -2));
  if (!batch || A[A.length - 1] !== B[B.length - 2]) return undefined;
  return [...batch, ...(s0.length === 1 ? [] : [A[A.length - 2]]), ...(b.length === 1 ? [] : [B[B.length - 1]])];
}

/** An Einsum's output shape and the product of every index's size (its MACs); undefined when an input
 *  shape is unknown, null when the equation is not one this parses. */
export function einsum(eq: unknown, ins: (Shape | undefined)[]): { out: Shape; macs: number } | null | undefined {
  if (typeof eq !== 'string' || eq.length > MAX_EQUATION || eq.includes('.')) return null;
  if (ins.some((s) => !s)) return undefined;
  const [lhs, rhs0] = eq.replace(/\s/g, '').split('->');
  const terms = lhs.split(',');
  if (terms.length !== ins.length) return null;
  const size = new Map<string, number>();
  for (let k = 0; k < terms.length; k++) {
    if (terms[k].length !== ins[k]!.length) return null;
    for (let i = 0; i < terms[k].length; i++) {
      const c = terms[k][i];
      const d = ins[k]![i];
      const cur = size.get(c);
      if (cur === undefined || cur === 1) size.set(c, d);
      else if (d !== 1 && d !== cur) return null;
    }
  }
  let rhs = rhs0;
  if (rhs === undefined) {
    const once = [...size.keys()].filter((c) => lhs.split(c).length === 2).sort();
    rhs = once.join('');
  }
  const out: Shape = [];
  for (const c of rhs) {
    const d = size.get(c);
    if (d === undefined) return null;
    out.push(d);
  }
  return { out, macs: prod([...size.values()]) };
}

function spatial(x: Shape, k: number[], s: number[], pads: number[] | undefined, d: number[], autoPad: string | undefined, ceil: boolean): Shape {
  return x.map((xi, i) => {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(xi / s[i]);
    const p = pads && autoPad !== 'VALID' ? pads[i] + pads[i + x.length] : 0;
    const eff = d[i] * (k[i] - 1) + 1;
    const v = (xi + p - eff) / s[i];
    let o = (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
    // ceil_mode: the last window must start inside the input or its left padding (as onnxruntime and torch).
    if (ceil && (o - 1) * s[i] >= xi + (pads ? pads[i] : 0)) o--;
    return o;
  });
}
