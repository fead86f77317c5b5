// A structural view of a read ONNX graph for recognition: tensors are followed back through the operations
// that do not change what an architecture is (Identity, Dropout, BatchNormalization, activations, Pad,
// Reshape/Flatten/Transpose, casts, elementwise ops with a constant operand, x * f(x) activations such as
// h-swish), so that exports with BN folded or kept, renamed nodes and extra Identity nodes look alike.
import { OnnxModel, OnnxNode, OnnxTensor } from './reader';

/** What produced a (resolved) tensor. */
export type CoreNode =
  | { kind: 'input'; name: string }
  | { kind: 'conv'; node: OnnxNode; x: string; cin: number; cout: number; k: number; kw: number; stride: number; group: number }
  | { kind: 'pool'; node: OnnxNode; x: string; type: 'avg' | 'max'; k: number; stride: number }
  | { kind: 'gap'; node: OnnxNode; x: string }
  | { kind: 'linear'; node: OnnxNode; x: string; cin: number; cout: number }
  | { kind: 'add'; node: OnnxNode; terms: string[] }
  | { kind: 'zero'; node: OnnxNode; x: string }
  | { kind: 'mul'; node: OnnxNode; a: string; b: string }
  | { kind: 'other'; node: OnnxNode | null; name: string };

const PASS_UNARY = new Set([
  'Identity', 'Dropout', 'BatchNormalization', 'InstanceNormalization', 'Relu', 'LeakyRelu', 'PRelu', 'Clip', 'Sigmoid', 'HardSigmoid',
  'HardSwish', 'Tanh', 'Elu', 'Selu', 'Celu', 'Softplus', 'Mish', 'Gelu', 'Cast', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze',
  'Transpose', 'Pad', 'Neg', 'Abs', 'Sqrt', 'Exp', 'Log', 'Erf', 'Reciprocal',
]);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']);
/** What constValues and constTensor look through. */
const VALUE_PASS = new Set(['Identity', 'Cast']);
const TENSOR_PASS = new Set(['Identity', 'Cast', 'DequantizeLinear']);

export class GraphView {
  readonly producer = new Map<string, OnnxNode>();
  readonly initializers = new Map<string, OnnxTensor>();
  readonly graphInputs = new Set<string>();
  private readonly constCache = new Map<string, boolean>();
  private readonly resolveCache = new Map<string, string>();
  private readonly coreCache = new Map<string, CoreNode>();
  private readonly constValuesCache = new Map<string, number[] | null>();
  private readonly nodeConst = new Map<OnnxNode, boolean>();
  private readonly nodeDynamic = new Map<OnnxNode, string[]>();
  private readonly constTensorCache = new Map<string, OnnxTensor | null>();

  constructor(readonly model: OnnxModel) {
    for (const t of model.initializers) this.initializers.set(t.name, t);
    for (const i of model.inputs) this.graphInputs.add(i.name);
    for (const n of model.nodes) for (const o of n.outputs) if (o) this.producer.set(o, n);
    this.fill();
  }

  /** True when a tensor does not depend on any graph input (initializers, Constant nodes, folds of them). */
  isConst(t: string): boolean {
    if (t === '') return true;
    const hit = this.constCache.get(t);
    if (hit !== undefined) return hit;
    let v: boolean;
    if (this.initializers.has(t)) v = !this.graphInputs.has(t);
    else {
      const p = this.producer.get(t);
      v = p ? this.isConstNode(p) : false;
    }
    this.constCache.set(t, v);
    return v;
  }

  /** Whether a node's outputs are constant: once per node (a node may have 100,000 inputs and as many
   *  outputs). Its inputs are earlier in the sorted nodes, so their constness is already cached. */
  private isConstNode(p: OnnxNode): boolean {
    let v = p.outputs.length > 1 ? this.nodeConst.get(p) : undefined;
    if (v === undefined) {
      v = (p.inputs.length > 0 || p.opType === 'Constant' || p.opType === 'ConstantOfShape') && p.inputs.every((i) => this.constCache.get(i) ?? this.isConstLeaf(i));
      if (p.outputs.length > 1) this.nodeConst.set(p, v); // one output: cached by tensor already
    }
    return v;
  }

  /** Constness of a tensor no node of the graph produces (or one not cached yet: treated as produced by
   *  none, which never happens in sorted nodes). */
  private isConstLeaf(t: string): boolean {
    return t === '' || (this.initializers.has(t) && !this.graphInputs.has(t));
  }

  /** The inputs of a node that are not constant, once per node. */
  private dynamicInputs(p: OnnxNode): string[] {
    let d = this.nodeDynamic.get(p);
    if (d) return d;
    d = p.inputs.filter((i) => i && !this.isConst(i));
    if (d.length === p.inputs.length) d = p.inputs; // the usual case: no copy kept
    if (p.outputs.length > 1) this.nodeDynamic.set(p, d);
    return d;
  }

  /** Fills the caches in topological order, so that every later lookup is shallow whatever the graph depth
   *  (done by the constructor; kept for callers). */
  precompute(): this {
    return this;
  }

  /** One pass in node order: a node's inputs are settled before it, its outputs (each produced by it
   *  alone) are set here, with as few map lookups as possible (a graph may have 500,000 nodes). */
  private fill(): void {
    for (const n of this.model.nodes) {
      const nodeConst = this.isConstNode(n);
      for (const o of n.outputs) {
        if (!o) continue;
        const v = this.initializers.has(o) ? !this.graphInputs.has(o) : nodeConst;
        this.constCache.set(o, v);
        if (!v) this.resolveCache.set(o, this.resolveVia(o, n));
      }
    }
  }

  /** Small constant values of a tensor (initializer or Constant node, through Identity/Cast), when known. */
  constValues(t: string): number[] | undefined {
    return this.followConst(t, this.constValuesCache, VALUE_PASS, (init, p) => {
      if (init) return init.values ?? null;
      if (p?.opType !== 'Constant') return undefined;
      const v = p.attributes.value;
      if (v && typeof v === 'object' && !Array.isArray(v) && 'dims' in v) return (v as OnnxTensor).values ?? null;
      if (typeof p.attributes.value_float === 'number') return [p.attributes.value_float as number];
      if (typeof p.attributes.value_int === 'number') return [p.attributes.value_int as number];
      return null;
    });
  }

  /** Follows `t` back through the operations in `pass` to what `at` finds (a value, or null for nothing),
   *  memoised for every tensor on the way. A loop, not recursion: such a chain may be as long as the graph
   *  (12,000 Identity nodes overflowed the stack), and memoising keeps many lookups down one chain linear. */
  private followConst<T>(t0: string, cache: Map<string, T | null>, pass: Set<string>, at: (init: OnnxTensor | undefined, p: OnnxNode | undefined) => T | null | undefined): T | undefined {
    const path: string[] = [];
    let t = t0;
    let r: T | null = null;
    for (;;) {
      const hit = cache.get(t);
      if (hit !== undefined) {
        r = hit;
        break;
      }
      path.push(t);
      const init = this.initializers.get(t);
      const p = init ? undefined : this.producer.get(t);
      const found = at(init, p);
      if (found !== undefined) {
        r = found;
        break;
      }
      // Nodes are sorted and each tensor has one producer: the chain ends (a bound all the same).
      if (!p || !pass.has(p.opType) || path.length > this.model.nodes.length) break;
      t = p.inputs[0] ?? '';
    }
    for (const x of path) cache.set(x, r);
    return r ?? undefined;
  }

  private isZeroConst(t: string): boolean {
    const v = this.constValues(t);
    return !!v && v.length > 0 && v.every((x) => x === 0);
  }

  /** The tensor a value is, structurally: followed back through pass-through operations. */
  resolve(t: string): string {
    const hit = this.resolveCache.get(t);
    if (hit !== undefined) return hit;
    const p = this.producer.get(t);
    const r = p && !this.isConst(t) ? this.resolveVia(t, p) : t;
    this.resolveCache.set(t, r);
    return r;
  }

  /** resolve() of a non-constant tensor `t` produced by `p` (the caller caches it). */
  private resolveVia(t: string, p: OnnxNode): string {
    if (PASS_UNARY.has(p.opType) && p.inputs[0] && !this.isConst(p.inputs[0])) return this.resolve(p.inputs[0]);
    if (BINARY.has(p.opType)) {
      const dyn = this.dynamicInputs(p);
      if (dyn.length === 1) {
        // x op constant: pass-through, except a multiplication by zero (NAS-Bench-201's `none`).
        const other = p.inputs.find((i) => i !== dyn[0]);
        if (!(p.opType === 'Mul' && other !== undefined && this.isZeroConst(other))) return this.resolve(dyn[0]);
      } else if (dyn.length === 2 && p.opType !== 'Add') {
        // x * f(x) (h-swish, swish), x / f(x): the same source on both sides.
        const a = this.resolve(dyn[0]);
        if (a === this.resolve(dyn[1])) return a;
      }
    } else if (p.opType === 'ReduceMean' || p.opType === 'GlobalAveragePool') {
      // x.mean(3).mean(2): a mean of a mean is one global pool.
      const inner = this.resolve(p.inputs[0]);
      const ip = this.producer.get(inner);
      if (ip && (ip.opType === 'ReduceMean' || ip.opType === 'GlobalAveragePool')) return inner;
    }
    return t;
  }

  /** What produced a resolved tensor. */
  core(t0: string): CoreNode {
    const t = this.resolve(t0);
    const hit = this.coreCache.get(t);
    if (hit) return hit;
    const c = this.computeCore(t);
    this.coreCache.set(t, c);
    return c;
  }

  private computeCore(t: string): CoreNode {
    const p = this.producer.get(t);
    if (!p) return this.graphInputs.has(t) ? { kind: 'input', name: t } : { kind: 'other', node: null, name: t };
    const other: CoreNode = { kind: 'other', node: p, name: t };
    const ints = (k: string) => (Array.isArray(p.attributes[k]) ? (p.attributes[k] as number[]) : undefined);
    const int = (k: string, d: number) => (typeof p.attributes[k] === 'number' ? (p.attributes[k] as number) : d);
    switch (p.opType) {
      case 'Conv': {
        const w = this.initializers.get(p.inputs[1]) ?? this.constTensor(p.inputs[1]);
        if (!w || w.dims.length !== 4) return other;
        const group = int('group', 1);
        const strides = ints('strides') ?? [1, 1];
        return { kind: 'conv', node: p, x: this.resolve(p.inputs[0]), cin: w.dims[1] * group, cout: w.dims[0], k: w.dims[2], kw: w.dims[3], stride: strides[0], group };
      }
      case 'AveragePool':
      case 'MaxPool': {
        const k = ints('kernel_shape') ?? [1, 1];
        const s = ints('strides') ?? [1, 1];
        return { kind: 'pool', node: p, x: this.resolve(p.inputs[0]), type: p.opType === 'MaxPool' ? 'max' : 'avg', k: k[0], stride: s[0] };
      }
      case 'GlobalAveragePool':
        return { kind: 'gap', node: p, x: this.resolve(p.inputs[0]) };
      case 'ReduceMean': {
        let axes = ints('axes');
        if (!axes && p.inputs[1]) axes = this.constValues(p.inputs[1]);
        if (!axes || !axes.every((a) => a === 2 || a === 3 || a === -1 || a === -2)) return other;
        const inner = this.resolve(p.inputs[0]);
        const ip = this.producer.get(inner);
        const x = ip && (ip.opType === 'ReduceMean' || ip.opType === 'GlobalAveragePool') ? this.resolve(ip.inputs[0]) : inner;
        return { kind: 'gap', node: p, x };
      }
      case 'Gemm': {
        const w = this.initializers.get(p.inputs[1]) ?? this.constTensor(p.inputs[1]);
        if (!w || w.dims.length !== 2) return other;
        const tb = int('transB', 0) === 1;
        return { kind: 'linear', node: p, x: this.resolve(p.inputs[0]), cin: tb ? w.dims[1] : w.dims[0], cout: tb ? w.dims[0] : w.dims[1] };
      }
      case 'MatMul': {
        const w = this.initializers.get(p.inputs[1]) ?? this.constTensor(p.inputs[1]);
        if (!w || w.dims.length !== 2) return other;
        return { kind: 'linear', node: p, x: this.resolve(p.inputs[0]), cin: w.dims[0], cout: w.dims[1] };
      }
      case 'Sum':
      case 'Add': {
        const dyn = this.dynamicInputs(p);
        if (dyn.length < 2) return other;
        return { kind: 'add', node: p, terms: dyn.map((i) => this.resolve(i)) };
      }
      case 'Mul': {
        const dyn = this.dynamicInputs(p);
        if (dyn.length === 1) return { kind: 'zero', node: p, x: this.resolve(dyn[0]) };
        if (dyn.length === 2) return { kind: 'mul', node: p, a: this.resolve(dyn[0]), b: this.resolve(dyn[1]) };
        return other;
      }
      default:
        return other;
    }
  }

  /** A constant tensor's metadata (initializer, or the value of a Constant node), for weights: through
   *  Identity/Cast (some exporters share initializers that way), or a DequantizeLinear. */
  constTensor(t: string): OnnxTensor | undefined {
    return this.followConst(t, this.constTensorCache, TENSOR_PASS, (init, p) => {
      if (init) return init;
      if (p?.opType !== 'Constant') return undefined;
      const v = p.attributes.value;
      return v && typeof v === 'object' && !Array.isArray(v) && 'dims' in v ? (v as OnnxTensor) : null;
    });
  }
}
