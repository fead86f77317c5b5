// Multiply-accumulates, parameters and bytes moved per node and per operator class, over a model and its
// subgraphs, from the shapes of shapeInference.ts.
//
// Conventions (textbook counts, as fvcore/thop count them):
//   - MACs are those of Conv/ConvTranspose (output elements x input channels per group x kernel), Gemm and
//     MatMul (output elements x inner dimension), Einsum (product of every index's size), LSTM/GRU/RNN
//     (sequence x batch x directions x gates x hidden x (input + hidden)). Element-wise, normalisation,
//     pooling and resize work is reported as `elementOps` (output elements; pooling: output x kernel),
//     never as MACs.
//   - If: the branch taken when the condition is a known constant, otherwise the branch with more MACs.
//     Loop: the body times the trip count when it is a known constant; otherwise unknown.
//   - Parameters: elements of floating-point initializers, in every subgraph too (both If branches), and of
//     floating-point Constant nodes of 2 or more elements (weights some exports write as Constants),
//     attributed to the class of the first node that reads them.
//   - Bytes moved per execution: activations read (non-constant inputs) and written (outputs), weights read
//     (constant inputs), at each tensor's element size.
import { FLOAT_TYPES, OnnxNode, tensorDataBytes } from './reader';
import { einsum, elementBytes, Inference, Limits, nodeLabel, prod, REDUCE, subgraphsOf, UNARY, BINARY } from './shapeInference';

export const OP_CLASSES = [
  'conv', 'depthwiseConv', 'groupedConv', 'matmul', 'attentionMatmul', 'recurrent', 'elementwise', 'normalisation', 'pooling', 'resize', 'dataMovement', 'other',
] as const;
export type OpClass = (typeof OP_CLASSES)[number];

const NORMALISATION = new Set(['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'Softmax', 'LogSoftmax', 'Hardmax', 'LRN']);
const POOLING = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'ArgMax', 'ArgMin', 'TopK']);
const DATA_MOVEMENT = new Set([
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Expand', 'Tile', 'Pad',
  'Identity', 'Cast', 'CastLike', 'Shape', 'Size', 'ConstantOfShape', 'Constant', 'Range', 'DepthToSpace', 'SpaceToDepth', 'Dropout', 'ScatterND',
  'ScatterElements', 'OneHot', 'NonZero', 'Trilu',
]);
const MATMUL = new Set(['Gemm', 'MatMul', 'MatMulInteger', 'Einsum']);
/** Operators that may do MAC work but that this count does not cover: their MACs are unknown, not 0. */
const UNCOUNTED_MACS = /conv|matmul|gemm|attention|lstm|gru|rnn|einsum/i;

export interface ClassCost {
  /** Nodes of the class (executions: a Loop body's node counts once). */
  nodes: number;
  macs: number | 'unknown';
  /** Element operations of element-wise, normalisation, pooling and resize nodes (not MACs). */
  elementOps: number | 'unknown';
  parameters: number;
  activationBytesRead: number | 'unknown';
  activationBytesWritten: number | 'unknown';
  weightBytesRead: number | 'unknown';
}

/** Running sums of one graph (or subgraph). */
class Acc {
  macs = 0;
  macsKnown = true;
  byOp = new Map<string, number | 'unknown'>();
  classes = new Map<OpClass, { nodes: number; macs: number; macsKnown: boolean; ops: number; opsKnown: boolean; read: number; written: number; weights: number; bytesKnown: boolean }>();
  cls(c: OpClass) {
    let r = this.classes.get(c);
    if (!r) this.classes.set(c, (r = { nodes: 0, macs: 0, macsKnown: true, ops: 0, opsKnown: true, read: 0, written: 0, weights: 0, bytesKnown: true }));
    return r;
  }
  /** Adds `o` times `k` (k undefined: unknown count, MACs and bytes unknown where not zero). */
  addScaled(o: Acc, k: number | undefined): void {
    const f = k ?? 1;
    const unk = k === undefined;
    this.macs += o.macs * f;
    this.macsKnown &&= o.macsKnown && !(unk && o.macs > 0);
    for (const [op, v] of o.byOp) {
      const cur = this.byOp.get(op);
      const sum = v === 'unknown' || cur === 'unknown' || (unk && v > 0) ? 'unknown' : (cur ?? 0) + v * f;
      this.byOp.set(op, sum !== 'unknown' && !Number.isSafeInteger(sum) ? 'unknown' : sum);
    }
    for (const [c, r] of o.classes) {
      const t = this.cls(c);
      t.nodes += r.nodes;
      t.macs += r.macs * f;
      t.macsKnown &&= r.macsKnown && !(unk && r.macs > 0);
      t.ops += r.ops * f;
      t.opsKnown &&= r.opsKnown && !unk;
      t.read += r.read * f;
      t.written += r.written * f;
      t.weights += r.weights * f;
      t.bytesKnown &&= r.bytesKnown && !unk;
    }
  }
}

export interface NodeCost {
  node: OnnxNode;
  opClass: OpClass;
  /** Undefined when unknown. */
  macs: number | undefined;
  elementOps: number | undefined;
  activationBytesRead: number | undefined;
  activationBytesWritten: number | undefined;
  weightBytesRead: number | undefined;
  /** Executions per run (a Loop body's nodes: the trip count; undefined when unknown). */
  times: number | undefined;
}

export interface CostReport {
  macs: number;
  macsComplete: boolean;
  macsByOp: Record<string, number | 'unknown'>;
  byClass: Partial<Record<OpClass, ClassCost>>;
  parameters: number;
  weightBytes: number | 'unknown';
  /** Per node (subgraph nodes included), in execution order; empty unless asked for (perNode). */
  nodes: NodeCost[];
}

/** The operator class of a node. */
export function opClass(n: OnnxNode, inf: Inference, constant: Set<string>): OpClass {
  const op = n.opType;
  if (n.domain && n.domain !== 'ai.onnx') return 'other';
  if (op === 'Conv' || op === 'ConvTranspose') {
    const w = inf.shapes.get(n.inputs[1]);
    const g = typeof n.attributes.group === 'number' ? (n.attributes.group as number) : 1;
    if (g <= 1 || !w) return 'conv';
    const perGroupIn = op === 'Conv' ? w[1] : w[0] / g;
    // One input channel per group: depthwise (with or without a channel multiplier).
    return perGroupIn === 1 ? 'depthwiseConv' : 'groupedConv';
  }
  if (MATMUL.has(op)) return n.inputs.filter((i) => i).slice(0, 2).every((i) => !constant.has(i)) ? 'attentionMatmul' : 'matmul';
  if (op === 'LSTM' || op === 'GRU' || op === 'RNN') return 'recurrent';
  if (NORMALISATION.has(op)) return 'normalisation';
  if (POOLING.has(op) || REDUCE.has(op)) return 'pooling';
  if (op === 'Resize' || op === 'Upsample') return 'resize';
  if (DATA_MOVEMENT.has(op)) return 'dataMovement';
  if (UNARY.has(op) || BINARY.has(op)) return 'elementwise';
  return 'other';
}

/** MACs of one node; undefined when its shapes are unknown; 0 for nodes that do no multiply-accumulates. */
export function nodeMacs(n: OnnxNode, shapes: Map<string, number[]>): number | undefined {
  const out = shapes.get(n.outputs[0]);
  const s0 = shapes.get(n.inputs[0]);
  const a = n.attributes;
  switch (n.opType) {
    case 'Conv': {
      const w = shapes.get(n.inputs[1]);
      return out && w ? prod(out) * prod(w.slice(1)) : undefined;
    }
    case 'ConvTranspose': {
      const w = shapes.get(n.inputs[1]);
      return s0 && w ? prod(s0) * prod(w.slice(1)) : undefined;
    }
    case 'Gemm': {
      if (!out || !s0 || s0.length !== 2) return undefined;
      return prod(out) * (a.transA === 1 ? s0[0] : s0[1]);
    }
    case 'MatMul':
    case 'MatMulInteger':
      return out && s0 ? prod(out) * s0[s0.length - 1] : undefined;
    case 'Einsum': {
      const e = einsum(a.equation, n.inputs.map((i) => shapes.get(i)));
      return e ? e.macs : undefined;
    }
    case 'LSTM':
    case 'GRU':
    case 'RNN': {
      const w = shapes.get(n.inputs[1]);
      const r = shapes.get(n.inputs[2]);
      if (!s0 || !w || !r || s0.length !== 3) return undefined;
      const [seq, batch] = a.layout === 1 ? [s0[1], s0[0]] : [s0[0], s0[1]];
      // W: [dirs, gates*hidden, input], R: [dirs, gates*hidden, hidden].
      return seq * batch * w[0] * w[1] * (w[2] + r[2]);
    }
    default:
      if (n.domain && n.domain !== 'ai.onnx' && UNCOUNTED_MACS.test(n.opType)) return undefined;
      if (/^(QLinear|Conv|Fused|Attention|MultiHead)/.test(n.opType) && UNCOUNTED_MACS.test(n.opType)) return undefined;
      return 0;
  }
}

/** Element operations (not MACs) of one node; undefined when unknown. */
function nodeElementOps(n: OnnxNode, c: OpClass, shapes: Map<string, number[]>): number | undefined {
  const out = shapes.get(n.outputs[0]);
  const s0 = shapes.get(n.inputs[0]);
  if (c === 'pooling') {
    const k = n.attributes.kernel_shape;
    if (Array.isArray(k) && out) return prod(out) * prod(k as number[]);
    return s0 ? prod(s0) : undefined;
  }
  if (c === 'elementwise' || c === 'normalisation' || c === 'resize') return out ? prod(out) : undefined;
  return 0;
}

/** Costs of every node and their sums, per class and in total; `unknowns` gets the nodes whose MACs are
 *  unknown. `perNode`: keep each node's cost too (for breakdowns by node). */
export function countCosts(inf: Inference, unknowns: Limits, opts: { perNode?: boolean } = {}): CostReport {
  const { shapes, types, weights } = inf;
  const constant = new Set<string>();
  for (const t of weights.keys()) constant.add(t);
  const bytesOf = (t: string) => {
    const s = shapes.get(t);
    return s ? prod(s) * elementBytes(types.get(t)) : undefined;
  };
  const stack: Acc[] = [new Acc()];
  /** Closed subgraph sums of the control node being walked. */
  const closed = new Map<OnnxNode, Acc[]>();
  /** Executions per run of the current scope (a Loop body: the trip count). */
  const times: (number | undefined)[] = [1];
  const nodes: NodeCost[] = [];
  const paramsByClass = new Map<OpClass, number>();
  const attributed = new Set<string>();
  const unknownOps = new Set<string>();
  for (const ev of inf.events) {
    const n = ev.node;
    if (ev.kind === 'open') {
      stack.push(new Acc());
      const trip = n.opType === 'Loop' && n.inputs[0] ? inf.consts.get(n.inputs[0]) : undefined;
      const outer = times[times.length - 1];
      times.push(n.opType === 'Loop' ? (trip && trip.length === 1 && outer !== undefined ? trip[0] * outer : undefined) : outer);
      continue;
    }
    if (ev.kind === 'close') {
      const acc = stack.pop()!;
      times.pop();
      let l = closed.get(n);
      if (!l) closed.set(n, (l = []));
      l.push(acc);
      continue;
    }
    const top = stack[stack.length - 1];
    const gs = subgraphsOf(n);
    if (gs.length) {
      const accs = closed.get(n) ?? [];
      closed.delete(n);
      if (n.opType === 'If') {
        const cond = inf.consts.get(n.inputs[0]);
        const pick = cond && cond.length === 1 && accs.length === 2 ? accs[cond[0] ? 0 : 1] : accs.reduce<Acc | undefined>((m, x) => (!m || !x.macsKnown || (m.macsKnown && x.macs > m.macs) ? x : m), undefined);
        if (pick) top.addScaled(pick, 1);
      } else if (n.opType === 'Loop') {
        const trip = n.inputs[0] ? inf.consts.get(n.inputs[0]) : undefined;
        const k = trip && trip.length === 1 && Number.isSafeInteger(trip[0]) && trip[0] >= 0 ? trip[0] : undefined;
        for (const acc of accs) {
          if (k === undefined && acc.macs > 0) unknowns.add(`${nodeLabel(n)}: MACs unknown (trip count not a constant; the body has ${acc.macs} MACs per iteration)`);
          top.addScaled(acc, k);
        }
      } else {
        for (const acc of accs) top.addScaled(acc, undefined);
        if (accs.some((x) => x.macs > 0 || !x.macsKnown)) unknowns.add(`${nodeLabel(n)}: MACs unknown (${n.opType} subgraphs are not counted)`);
      }
      // Outputs of a control node are never constants: its subgraphs may read outer tensors that are not.
      // The control node itself (its subgraphs' nodes are listed on their own): a kernel of no work, run
      // once per execution of its scope.
      if (opts.perNode) nodes.push({ node: n, opClass: 'other', macs: 0, elementOps: 0, activationBytesRead: 0, activationBytesWritten: 0, weightBytesRead: 0, times: times[times.length - 1] });
      continue;
    }
    const c = opClass(n, inf, constant);
    let macs = nodeMacs(n, shapes);
    if (macs !== undefined && !Number.isSafeInteger(macs)) {
      inf.limits.add(`${nodeLabel(n)}: MACs unknown (over 2^53)`);
      macs = undefined;
    }
    const ops = nodeElementOps(n, c, shapes);
    let read = 0;
    let wts = 0;
    let bytesKnown = true;
    const seen = new Set<string>();
    for (const i of n.inputs) {
      if (!i || seen.has(i)) continue;
      seen.add(i);
      const b = bytesOf(i);
      if (b === undefined) bytesKnown = false;
      else if (constant.has(i)) wts += b;
      else read += b;
      const w = weights.get(i);
      if (w && !attributed.has(i)) {
        attributed.add(i);
        if (FLOAT_TYPES.has(w.dataType)) paramsByClass.set(c, (paramsByClass.get(c) ?? 0) + w.size);
      }
    }
    let written = 0;
    for (const o of n.outputs) {
      if (!o) continue;
      const b = bytesOf(o);
      if (b === undefined) bytesKnown = false;
      else written += b;
    }
    // A gather from a constant table (an embedding) reads the rows it outputs, not the table.
    if (n.opType.startsWith('Gather') && constant.has(n.inputs[0]) && bytesKnown) {
      const table = bytesOf(n.inputs[0])!;
      wts = wts - table + Math.min(table, written);
    }
    if (n.inputs.length ? n.inputs.every((i) => !i || constant.has(i)) : n.opType === 'Constant') for (const o of n.outputs) if (o) constant.add(o);
    const r = top.cls(c);
    r.nodes++;
    if (macs === undefined) {
      r.macsKnown = false;
      top.macsKnown = false;
      top.byOp.set(n.opType, 'unknown');
      if (!unknownOps.has(n.opType) || unknowns.size < 5) {
        unknownOps.add(n.opType);
        const reason = inf.why.get(n) ?? (n.inputs.some((i) => i && !shapes.has(i)) ? `input ${n.inputs.find((i) => i && !shapes.has(i))!.slice(0, 60)} has an unknown shape` : 'operator not covered by the MAC count');
        unknowns.add(`${nodeLabel(n)}: MACs unknown (${reason})`);
      }
    } else {
      r.macs += macs;
      top.macs += macs;
      const cur = top.byOp.get(n.opType);
      if (macs > 0 || cur !== undefined) top.byOp.set(n.opType, cur === 'unknown' ? 'unknown' : (cur ?? 0) + macs);
    }
    if (ops === undefined) r.opsKnown = false;
    else r.ops += ops;
    if (bytesKnown) {
      r.read += read;
      r.written += written;
      r.weights += wts;
    } else r.bytesKnown = false;
    if (opts.perNode) nodes.push({ node: n, opClass: c, macs, elementOps: ops, activationBytesRead: bytesKnown ? read : undefined, activationBytesWritten: bytesKnown ? written : undefined, weightBytesRead: bytesKnown ? wts : undefined, times: times[times.length - 1] });
  }
  const root = stack[0];
  // Parameters: every float initializer of the model and its subgraphs, read by a node or not.
  let parameters = 0;
  let weightBytes: number | 'unknown' = 0;
  for (const t of weights.values()) {
    if (FLOAT_TYPES.has(t.dataType)) parameters += t.size;
    const b = tensorDataBytes(t);
    if (b === undefined) {
      const name = JSON.stringify(t.name);
      inf.limits.add(`initializer ${name.length > 50 ? `${name.slice(0, 46)}..."` : name}: weight bytes unknown (${t.external?.problem ?? 'external data of unknown size'})`);
      weightBytes = 'unknown';
    } else if (weightBytes !== 'unknown') weightBytes += b;
  }
  const byClass: Partial<Record<OpClass, ClassCost>> = {};
  for (const c of OP_CLASSES) {
    const r = root.classes.get(c);
    const p = paramsByClass.get(c) ?? 0;
    if (!r && !p) continue;
    const known = (ok: boolean, v: number) => (ok && Number.isSafeInteger(Math.round(v)) ? v : 'unknown');
    byClass[c] = {
      nodes: r?.nodes ?? 0,
      macs: r ? known(r.macsKnown, r.macs) : 0,
      elementOps: r ? known(r.opsKnown, r.ops) : 0,
      parameters: p,
      activationBytesRead: r ? known(r.bytesKnown, r.read) : 0,
      activationBytesWritten: r ? known(r.bytesKnown, r.written) : 0,
      weightBytesRead: r ? known(r.bytesKnown, r.weights) : 0,
    };
  }
  let macs = 0;
  const macsByOp: Record<string, number | 'unknown'> = {};
  // A Map first: op types are the file's text ("__proto__").
  const ordered = [...root.byOp].filter(([, v]) => v !== 0);
  for (const [, v] of ordered) if (v !== 'unknown') macs += v;
  for (const [k, v] of ordered) Object.defineProperty(macsByOp, k, { value: v, enumerable: true, writable: true, configurable: true });
  return { macs, macsComplete: root.macsKnown && Number.isSafeInteger(macs), macsByOp, byClass, parameters, weightBytes, nodes };
}
