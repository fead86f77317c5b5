// The kernels onnxruntime (CPU, graph optimisation "all") executes for a graph, after its fusions, each with
// a class and cost features, for the latency model of the `onnx` space (src/core/onnx/latency.ts).
//
// Fusions followed (those of onnxruntime's CPU graph transformers):
//   - constant folding: a node whose inputs are all constants (initializers, Constant nodes, Shape of a
//     tensor of known shape when no graph input has a symbolic dim, and everything computed from them) is
//     folded at load time: no kernel; Loop and If nodes are never folded (their bodies may read outer
//     tensors) and are kernels of their own;
//   - Conv + BatchNormalization, Conv + Add (residual) + activation, Conv + activation (Relu, Clip,
//     Sigmoid, Tanh, LeakyRelu, HardSigmoid), MatMul + Add (bias) -> Gemm, Gemm/MatMul + activation,
//     MatMul + scalar Mul/Div (MatMulScale);
//   - LayerNorm (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add) and Gelu (Div, Erf, Add, Mul,
//     Mul) patterns into one kernel each; Swish x * Sigmoid(x) into one (QuickGelu);
//   - a Transpose undoing the Transpose it reads: both removed;
//   - memory-only ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout) cost nothing (a view).
// Other element-wise chains are not fused by onnxruntime's CPU provider: one kernel per node.
//
// The walk is one pass over countCosts' per-node list (linear in the nodes); subgraph nodes count once per
// execution of their scope (Loop: the trip count when known, else once), both If branches included.
import { OnnxNode } from './reader';
import { countCosts, NodeCost, OpClass } from './macs';
import { Inference, Limits, REDUCE } from './shapeInference';

export const KERNEL_CLASSES = ['conv', 'depthwiseConv', 'groupedConv', 'matmul', 'attention', 'recurrent', 'elementwise', 'normalisation', 'pooling', 'resize', 'memory', 'other'] as const;
export type KernelClass = (typeof KERNEL_CLASSES)[number];

export interface DataDependentBranch {
  /** The If node's name. */
  ifName: string;
  /** 0: then_branch, 1: else_branch. */
  index: number;
}

export interface Kernel {
  /** The first node's name (or operator and index when unnamed). */
  name: string;
  /** Operator types fused into this kernel, in order. */
  ops: string[];
  /** The nodes fused into it, in order (onnxruntime names a fused kernel after one of their output
   *  tensors or names; bench/kernel-profile.ts matches its profile by them). */
  nodes: OnnxNode[];
  kernelClass: KernelClass;
  macs: number;
  /** Activations read from outside the kernel and written by its last node, bytes. */
  bytesRead: number;
  bytesWritten: number;
  weightBytes: number;
  /** Recurrent kernels: sequential steps (sequence length x directions); else 0. */
  steps: number;
  /** Executions per run (a Loop body: its trip count). */
  times: number;
  /** Layout reorders onnxruntime inserts before this kernel (between its blocked-layout convolutions and
   *  other kernels), and the bytes they copy. */
  reorders: number;
  reorderBytes: number;
  /** Reductions over axes that are not the innermost ones: output elements (onnxruntime's strided path
   *  costs per output, whatever the bytes). */
  stridedReduceOutputs: number;
  /** Loop and If nodes: executions of their subgraph per execution of the node (Loop: the trip count when
   *  known, else 1); else 0. */
  subgraphRuns: number;
  /** Convolutions: output channels; else 0. */
  outChannels: number;
  /** Convolutions: input channels per group (dense: all of them; depthwise 1); else 0. */
  groupWidth: number;
  /** A convolution onnxruntime runs on its generic path (im2col or col2im and a matrix product) instead of
   *  its blocked-layout (NCHWc) 2-D kernels: 1-D and 3-D convolutions, and every ConvTranspose. Grouped
   *  convolutions (kernelClass 'groupedConv') run there too and are priced as a class of their own. */
  genericConv: boolean;
  /** Elements of a generic-path convolution's im2col buffer (Conv: output positions x kernel taps x input
   *  channels, none for a pointwise stride-1 convolution) or col2im buffer (ConvTranspose: input positions x
   *  kernel taps x output channels); else 0. */
  im2colElements: number;
  /** Inside a branch of an If whose condition depends on the data (the outermost such If): its `times`
   *  count half of the runs, the expected cost when either branch is as likely. */
  branch?: DataDependentBranch;
  /** Cost nothing (a view or folded at load time). */
  free: boolean;
  /** A shape of one of its nodes is unknown: its features are lower bounds. */
  unknown: boolean;
}

const MEMORY_FREE = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);
const CONV_ACTIVATIONS = new Set(['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'HardSigmoid', 'HardSwish']);
const LAYERNORM_OPS = new Set(['ReduceMean', 'Sub', 'Pow', 'Add', 'Sqrt', 'Div', 'Mul']);
const GELU_OPS = new Set(['Div', 'Erf', 'Add', 'Mul']);
const MAC_CLASSES = new Set<KernelClass>(['conv', 'depthwiseConv', 'groupedConv', 'matmul', 'attention', 'recurrent']);

function kernelClassOf(c: OpClass, op: string): KernelClass {
  if (c === 'attentionMatmul') return 'attention';
  if (c === 'dataMovement') return 'memory';
  if (op === 'Softmax' || op === 'LogSoftmax') return 'normalisation';
  return c;
}

interface Open {
  k: Kernel;
  /** The node kinds a kernel may still absorb: 'conv' (BN, residual Add, activation), 'act' (activation
   *  only), 'matmul' (bias Add, scale, activation), 'pattern' (LayerNorm/Gelu candidates), 'closed'. */
  stage: 'conv' | 'act' | 'hswish' | 'matmul' | 'pattern' | 'closed';
  /** Tensors produced inside the kernel. */
  inner: Set<string>;
  /** Tensors read from outside (pattern kernels: its inputs). */
  outer: Set<string>;
  /** Pattern kernels: the node costs, to split back when the chain is no LayerNorm or Gelu. */
  members: NodeCost[];
  /** The tensor the kernel's last node wrote. */
  out: string;
}

const num = (v: number | undefined) => v ?? 0;

function label(n: OnnxNode, i: number): string {
  return n.name || `${n.opType}#${i}`;
}

/** A Loop's trip count when it is a known constant, else 1. */
function loopTrips(inf: Inference, n: OnnxNode): number {
  const trip = n.inputs[0] ? inf.consts.get(n.inputs[0]) : undefined;
  return trip && trip.length === 1 && Number.isFinite(trip[0]) && trip[0] >= 0 ? trip[0] : 1;
}

/** Input channels per group of a Conv/ConvTranspose (1 when unknown). */
function groupWidthOf(inf: Inference, n: OnnxNode): number {
  const w = inf.shapes.get(n.inputs[1]);
  const g = typeof n.attributes.group === 'number' ? (n.attributes.group as number) : 1;
  if (!w || w.length < 2 || g < 1) return 1;
  return Math.max(1, n.opType === 'Conv' ? w[1] : w[0] / g);
}

/** Whether a Conv/ConvTranspose runs on onnxruntime's generic path, and its im2col/col2im buffer elements. */
function genericConvOf(inf: Inference, n: OnnxNode): { genericConv: boolean; im2colElements: number } {
  const none = { genericConv: false, im2colElements: 0 };
  if (n.opType !== 'Conv' && n.opType !== 'ConvTranspose') return none;
  const w = inf.shapes.get(n.inputs[1]);
  const rank = w ? w.length - 2 : 2;
  if (n.opType === 'Conv' && rank === 2) return none;
  const g = typeof n.attributes.group === 'number' && (n.attributes.group as number) >= 1 ? (n.attributes.group as number) : 1;
  const x = inf.shapes.get(n.inputs[0]);
  const y = inf.shapes.get(n.outputs[0]);
  if (!w || !x || !y || w.length < 3) return { genericConv: true, im2colElements: 0 };
  const taps = w.slice(2).reduce((a, b) => a * b, 1);
  const positions = (s: number[]) => s.slice(2).reduce((a, b) => a * b, 1);
  if (n.opType === 'ConvTranspose') return { genericConv: true, im2colElements: positions(x) * taps * w[1] * g };
  const ints = (v: unknown) => (Array.isArray(v) ? (v as number[]) : []);
  const pointwise = taps === 1 && ints(n.attributes.strides).every((v) => v === 1) && ints(n.attributes.pads).every((v) => v === 0);
  return { genericConv: true, im2colElements: pointwise ? 0 : positions(y) * taps * w[1] * g };
}

/** Output elements of a Reduce node whose axes are not a suffix of its input's axes (else 0). */
function stridedReduceOutputs(inf: Inference, n: OnnxNode): number {
  const s0 = inf.shapes.get(n.inputs[0]);
  if (!s0 || !s0.length) return 0;
  const a = n.attributes.axes;
  const axes = Array.isArray(a) ? (a as number[]) : n.inputs[1] ? inf.consts.get(n.inputs[1]) : undefined;
  if (!axes || !axes.length) return 0;
  const r = s0.length;
  const sorted = [...new Set(axes.map((x) => (x < 0 ? x + r : x)))].sort((x, y) => x - y);
  if (sorted.every((x, i) => x === r - sorted.length + i)) return 0;
  const outShape = inf.shapes.get(n.outputs[0]);
  return outShape ? outShape.reduce((x, y) => x * y, 1) : 0;
}

/** Share of the runs in which each node inside an If branch executes: the taken branch of a constant
 *  condition (1; the other 0), else 1/2 each (the expected cost when the condition is data-dependent).
 *  Also, per node inside a data-dependent If, the outermost such If and which of its branches holds it. */
function ifBranchShares(inf: Inference): { share: Map<OnnxNode, number>; branch: Map<OnnxNode, DataDependentBranch> } {
  const share = new Map<OnnxNode, number>();
  const branch = new Map<OnnxNode, DataDependentBranch>();
  const stack: { share: number; branch?: DataDependentBranch }[] = [{ share: 1 }];
  for (const ev of inf.events) {
    const top = stack[stack.length - 1];
    if (ev.kind === 'open') {
      if (ev.node.opType !== 'If') {
        stack.push(top);
        continue;
      }
      const cond = inf.consts.get(ev.node.inputs[0]);
      const known = cond && cond.length === 1;
      const here = known ? ((cond![0] ? 0 : 1) === ev.index ? 1 : 0) : 0.5;
      stack.push({ share: top.share * here, branch: top.branch ?? (known ? undefined : { ifName: ev.node.name || `If#${ev.node.outputs[0] ?? ''}`, index: ev.index }) });
    } else if (ev.kind === 'close') stack.pop();
    else if (stack.length > 1) {
      share.set(ev.node, top.share);
      if (top.branch) branch.set(ev.node, top.branch);
    }
  }
  return { share, branch };
}

/** The kernels of a graph (after `inferShapes`), in execution order. */
export function kernelsOf(inf: Inference, unknowns = new Limits()): Kernel[] {
  const costs = countCosts(inf, unknowns, { perNode: true });
  const indexOf = new Map<NodeCost, number>(costs.nodes.map((c, i) => [c, i]));
  const { share, branch } = ifBranchShares(inf);
  const consumers = new Map<string, number>();
  for (const c of costs.nodes) for (const i of c.node.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  // Constants after load-time folding: initializers, and every output of a node with only constant inputs;
  // Shape of a tensor of known shape too (onnxruntime folds it when the shape is static).
  const constant = new Set<string>(inf.weights.keys());
  const producer = new Map<string, Open>();
  const out: Open[] = [];
  const bytesOf = (c: NodeCost) => num(c.activationBytesRead) + num(c.activationBytesWritten) + num(c.weightBytesRead);
  const newKernel = (c: NodeCost, idx: number, stage: Open['stage']): Open => {
    const n = c.node;
    const cls = kernelClassOf(c.opClass, n.opType);
    const k: Kernel = {
      name: label(n, idx),
      ops: [n.opType],
      nodes: [n],
      kernelClass: cls,
      macs: num(c.macs),
      bytesRead: num(c.activationBytesRead),
      bytesWritten: num(c.activationBytesWritten),
      weightBytes: num(c.weightBytesRead),
      steps: 0,
      times: c.times ?? 1,
      reorders: 0,
      reorderBytes: 0,
      stridedReduceOutputs: REDUCE.has(n.opType) ? stridedReduceOutputs(inf, n) : 0,
      subgraphRuns: n.opType === 'If' ? 1 : n.opType === 'Loop' ? loopTrips(inf, n) : 0,
      outChannels: n.opType === 'Conv' ? (inf.shapes.get(n.inputs[1])?.[0] ?? 0) : 0,
      groupWidth: cls === 'conv' || cls === 'depthwiseConv' || cls === 'groupedConv' ? groupWidthOf(inf, n) : 0,
      ...genericConvOf(inf, n),
      branch: branch.get(n),
      free: false,
      unknown: c.macs === undefined || c.activationBytesRead === undefined,
    };
    if (cls === 'recurrent') {
      const s0 = inf.shapes.get(n.inputs[0]);
      const w = inf.shapes.get(n.inputs[1]);
      if (s0 && w && s0.length === 3) k.steps = (n.attributes.layout === 1 ? s0[1] : s0[0]) * w[0];
    }
    // onnxruntime reorders a tensor between its blocked layout (2-D dense and depthwise convolutions) and
    // the plain one every other kernel reads, grouped and generic-path convolutions included.
    const blocked = (x: Kernel) => (x.kernelClass === 'conv' || x.kernelClass === 'depthwiseConv') && !x.genericConv;
    for (const t of n.inputs) {
      const p = t ? producer.get(t) : undefined;
      if (!p || p.k.free || blocked(p.k) === blocked(k)) continue;
      const s = inf.shapes.get(t);
      if (!s || s.length !== 4) continue;
      k.reorders++;
      k.reorderBytes += s.reduce((a, b) => a * b, 1) * 8;
    }
    const o: Open = { k, stage, inner: new Set(n.outputs.filter((x) => x)), outer: new Set(n.inputs.filter((x) => x && !constant.has(x))), members: [c], out: n.outputs[0] };
    return o;
  };
  /** A kernel that costs nothing: a view, or removed by the runtime. */
  const makeFree = (k: Kernel) => {
    k.free = true;
    k.kernelClass = 'memory';
    k.bytesRead = k.bytesWritten = k.weightBytes = 0;
  };
  const freeKernel = (c: NodeCost, idx: number): Open => {
    const o = newKernel(c, idx, 'closed');
    makeFree(o.k);
    return o;
  };
  const absorb = (o: Open, c: NodeCost, extraRead: number) => {
    const n = c.node;
    o.k.ops.push(n.opType);
    o.k.nodes.push(n);
    o.k.macs += num(c.macs);
    o.k.bytesRead += extraRead;
    o.k.bytesWritten = num(c.activationBytesWritten);
    o.k.weightBytes += num(c.weightBytesRead);
    o.k.unknown ||= c.activationBytesRead === undefined;
    for (const x of n.outputs) if (x) o.inner.add(x);
    o.members.push(c);
    o.out = n.outputs[0];
    for (const x of n.outputs) if (x) producer.set(x, o);
  };
  costs.nodes.forEach((c0, idx) => {
    const f = share.get(c0.node) ?? 1;
    if (f === 0) return;
    const c = f === 1 ? c0 : { ...c0, times: (c0.times ?? 1) * f };
    const n = c.node;
    const ins = n.inputs.filter((x) => x);
    const nonConst = ins.filter((x) => !constant.has(x));
    // onnxruntime folds Shape only when the graph's input dims are all fixed (its own shape inference then
    // knows them); a model exported with a dynamic batch runs every Shape -> Gather -> Concat chain.
    const shapeFolded = n.opType === 'Shape' && inf.shapes.has(n.inputs[0]) && !inf.dynamicInputs;
    // A node with a subgraph may read outer tensors that are not constants: never folded.
    const hasSubgraph = n.opType === 'Loop' || n.opType === 'If' || n.opType === 'Scan';
    if ((!hasSubgraph && nonConst.length === 0 && (ins.length > 0 || n.opType === 'Constant')) || shapeFolded) {
      for (const x of n.outputs) if (x) constant.add(x);
      return;
    }
    // A Transpose undoing the Transpose it reads (read by it alone): onnxruntime's transpose optimizer
    // removes both.
    if (n.opType === 'Transpose' && nonConst.length === 1) {
      const p = producer.get(nonConst[0]);
      const inner = p && p.k.ops.length === 1 && p.k.ops[0] === 'Transpose' && !p.k.free && consumers.get(nonConst[0]) === 1 ? p : undefined;
      const permOf = (x: OnnxNode) => (Array.isArray(x.attributes.perm) ? (x.attributes.perm as number[]) : undefined);
      const outerPerm = permOf(n);
      const innerNode = inner?.members[0].node;
      const innerPerm = innerNode ? permOf(innerNode) : undefined;
      if (inner && outerPerm && innerPerm && outerPerm.length === innerPerm.length && outerPerm.every((q, i) => innerPerm[q] === i)) {
        makeFree(inner.k);
        out.push(freeKernel(c, idx));
        return;
      }
    }
    if (MEMORY_FREE.has(n.opType)) {
      out.push(freeKernel(c, idx));
      return;
    }
    // Fusion into the open conv/matmul kernel producing one of its activation inputs, read by this node
    // alone (a HardSwish written as x * HardSigmoid(x) reads it twice).
    const op = n.opType;
    const openAt = (t: string) => {
      const p = producer.get(t);
      return p && p.out === t && p.stage !== 'closed' && p.stage !== 'pattern' ? p : undefined;
    };
    if (op === 'Mul' && nonConst.length === 2) {
      const p = producer.get(nonConst[0]);
      if (p && p.stage === 'hswish' && nonConst.every((x) => p.inner.has(x))) {
        absorb(p, c, 0);
        p.stage = 'closed';
        return;
      }
    }
    // Swish x * Sigmoid(x): onnxruntime's QuickGelu fusion makes it one element-wise kernel.
    if (op === 'Mul' && nonConst.length === 2) {
      const [a, b] = nonConst;
      for (const [x, sg] of [[a, b], [b, a]]) {
        const p = producer.get(sg);
        if (p && p.out === sg && p.k.ops.length === 1 && p.k.ops[0] === 'Sigmoid' && p.outer.has(x) && consumers.get(sg) === 1) {
          absorb(p, c, 0);
          p.k.kernelClass = 'elementwise';
          p.stage = 'closed';
          return;
        }
      }
    }
    if (op === 'HardSigmoid' && nonConst.length === 1) {
      const p = openAt(nonConst[0]);
      if (p && (p.stage === 'conv' || p.stage === 'act') && consumers.get(p.out) === 2) {
        absorb(p, c, 0);
        p.stage = 'hswish';
        return;
      }
    }
    const srcInput = nonConst.find((x) => openAt(x) && consumers.get(x) === 1);
    const src = srcInput ? openAt(srcInput) : undefined;
    if (src && srcInput) {
      const other = nonConst.filter((x) => x !== srcInput);
      const inputBytes = (t: string) => {
        const s = inf.shapes.get(t);
        return s ? s.reduce((a, b) => a * b, 1) * 4 : 0;
      };
      if (src.stage === 'conv' && op === 'BatchNormalization' && nonConst.length === 1 && src.k.ops.length === 1) return absorb(src, c, 0);
      if (src.stage === 'conv' && op === 'Add' && other.length === 1 && !src.inner.has(other[0])) {
        absorb(src, c, inputBytes(other[0]));
        src.stage = 'act';
        return;
      }
      if ((src.stage === 'conv' || src.stage === 'act' || src.stage === 'matmul') && CONV_ACTIVATIONS.has(op) && other.length === 0) {
        absorb(src, c, 0);
        src.stage = 'closed';
        return;
      }
      if (src.stage === 'matmul' && (op === 'Add' || op === 'Mul' || op === 'Div') && other.length === 0 && src.k.ops.length < 3) return absorb(src, c, 0);
    }
    // LayerNorm / Gelu candidates: element-wise or reduce nodes reading only the chain and its inputs.
    if ((LAYERNORM_OPS.has(n.opType) || GELU_OPS.has(n.opType)) && (c.opClass === 'elementwise' || c.opClass === 'pooling')) {
      const chain = nonConst.map((x) => producer.get(x)).find((p) => p && p.stage === 'pattern');
      if (chain && nonConst.every((x) => chain.inner.has(x) || chain.outer.has(x)) && nonConst.some((x) => chain.inner.has(x)) && chain.members.length < 12) {
        absorb(chain, c, 0);
        return;
      }
      const o = newKernel(c, idx, 'pattern');
      for (const x of n.outputs) if (x) producer.set(x, o);
      out.push(o);
      return;
    }
    const cls = kernelClassOf(c.opClass, n.opType);
    const stage: Open['stage'] = cls === 'conv' || cls === 'depthwiseConv' || cls === 'groupedConv' ? (n.opType === 'Conv' ? 'conv' : 'closed') : cls === 'matmul' || cls === 'attention' ? 'matmul' : 'closed';
    const o = newKernel(c, idx, stage);
    for (const x of n.outputs) if (x) producer.set(x, o);
    out.push(o);
  });
  // Pattern chains: one kernel when they are a LayerNorm or a Gelu, else one kernel per node.
  const kernels: Kernel[] = [];
  for (const o of out) {
    if (o.stage !== 'pattern' || o.members.length === 1) {
      kernels.push(o.k);
      continue;
    }
    const ops = new Set(o.k.ops);
    const layerNorm = ops.has('ReduceMean') && ops.has('Sqrt') && o.members.length >= 5;
    const gelu = ops.has('Erf') && o.members.length >= 4;
    if (layerNorm || gelu) {
      // One pass: reads the chain's inputs once, writes the last output.
      let read = 0;
      for (const t of o.outer) {
        const s = inf.shapes.get(t);
        if (s) read += s.reduce((a, b) => a * b, 1) * 4;
      }
      o.k.bytesRead = read;
      o.k.kernelClass = layerNorm ? 'normalisation' : 'elementwise';
      kernels.push(o.k);
      continue;
    }
    o.members.forEach((c) => kernels.push(newKernel(c, indexOf.get(c) ?? 0, 'closed').k));
  }
  return kernels;
}

/** Per class: kernels, MACs and bytes (read + written + weights), times the executions. */
export function kernelTotals(kernels: Kernel[]): Record<KernelClass, { kernels: number; macs: number; bytes: number }> {
  const t = Object.fromEntries(KERNEL_CLASSES.map((c) => [c, { kernels: 0, macs: 0, bytes: 0 }])) as Record<KernelClass, { kernels: number; macs: number; bytes: number }>;
  for (const k of kernels) {
    if (k.free) continue;
    const r = t[k.kernelClass];
    r.kernels += k.times;
    r.macs += k.macs * k.times;
    r.bytes += (k.bytesRead + k.bytesWritten + k.weightBytes) * k.times;
  }
  return t;
}

export const isMacClass = (c: KernelClass) => MAC_CLASSES.has(c);
