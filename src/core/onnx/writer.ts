// Writes real ONNX networks (random weights from a fixed seed, batch 1) for architectures of the three
// spaces, encoded with onnx-proto:
//   - NAS-Bench-201: the official TinyNetwork (C=16, N=5) with a cell on every normal layer;
//   - FBNet as in HW-NAS-Bench (FBNet_Infer, CIFAR setting);
//   - OFA MobileNetV3-Large, width 1.0 (with SE and h-swish where MobileNetV3 has them).
import { onnx } from 'onnx-proto';
import { formatNasBench201Cell, NasBench201Cell, NB201_EDGES, parseNasBench201Cell } from '../spaces/nasbench201';
import { FbnetArch, fbnetBlock, fbnetLayers, FBNET_INPUT_SIZE, FBNET_STEM_CHANNELS, parseFbnetSpec } from '../spaces/fbnet';
import { OfaArch, ofaMakeDivisible, OFA_BLOCKS_PER_STAGE, OFA_STAGES, OFA_STAGE_CHANNELS, OFA_STAGE_HSWISH, OFA_STAGE_SE, OFA_STAGE_STRIDES, parseOfaSpec } from '../spaces/ofa';
import { makeRng, Rng } from '../spaces/space';

export interface WriteOptions {
  /** Default opset (ai.onnx) version; 11..17 (default 13). */
  opset?: number;
  /** Seed of the random weights (default 0). */
  seed?: number;
  /** Fold BatchNorm into the preceding convolution (as torch.onnx.export in eval mode does); default false. */
  foldBn?: boolean;
  /** NAS-Bench-201 `none` edges: multiplied by zero as the official code does ('mul', default), or left out
   *  ('drop'). */
  none?: 'mul' | 'drop';
  /** Name of the graph input (default "input"). */
  inputName?: string;
  /** Producer name written into the model (default "help-latency"). */
  producer?: string;
}

/** Builds an ONNX graph node by node with deterministic names and weights. */
export class OnnxBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;
  readonly rng: Rng;
  constructor(
    readonly opset = 13,
    seed = 0,
    readonly foldBn = false,
  ) {
    this.rng = makeRng(seed);
  }

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** A float32 initializer from values, or random values (uniform, scaled by `scale`). */
  floatInit(prefix: string, dims: number[], values?: ArrayLike<number>, scale = 0.1, offset = 0): string {
    const name = this.fresh(prefix);
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (values) data.set(values);
    else for (let i = 0; i < n; i++) data[i] = offset + (this.rng() * 2 - 1) * scale;
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  int64Init(prefix: string, values: number[]): string {
    const name = this.fresh(prefix);
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  scalar(prefix: string, v: number): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dims: [], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(new Float32Array([v]).buffer) });
    return name;
  }

  node(opType: string, inputs: string[], attrs: Record<string, number | number[] | string> = {}, nOut = 1): string {
    const outputs = Array.from({ length: nOut }, () => this.fresh(opType.toLowerCase()));
    const attribute: onnx.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      if (Number.isInteger(v) && !['alpha', 'beta', 'epsilon', 'momentum'].includes(name)) return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
      return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
    });
    this.nodes.push({ opType, input: inputs, output: outputs, name: `${opType}_${this.nodes.length}`, attribute });
    return outputs[0];
  }

  /** Conv (+ BatchNorm, kept or folded into a conv bias). `bias` forces a bias without BN. */
  conv(x: string, cin: number, cout: number, k: number, stride: number, pad: number, group = 1, o: { bn?: boolean; bias?: boolean } = {}): string {
    const bn = o.bn ?? true;
    const fanIn = (cin / group) * k * k;
    const w = this.floatInit('w', [cout, cin / group, k, k], undefined, Math.sqrt(3 / fanIn));
    const inputs = [x, w];
    if (o.bias || (bn && this.foldBn)) inputs.push(this.floatInit('b', [cout], undefined, 0.05));
    let y = this.node('Conv', inputs, { dilations: [1, 1], group, kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [stride, stride] });
    if (bn && !this.foldBn) y = this.bn(y, cout);
    return y;
  }

  bn(x: string, c: number): string {
    const scale = this.floatInit('bn_scale', [c], undefined, 0.1, 1);
    const bias = this.floatInit('bn_bias', [c], undefined, 0.05);
    const mean = this.floatInit('bn_mean', [c], undefined, 0.05);
    const variance = this.floatInit('bn_var', [c], undefined, 0.1, 1);
    return this.node('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: 1e-5 });
  }

  relu(x: string): string {
    return this.node('Relu', [x]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  hswish(x: string): string {
    if (this.opset >= 14) return this.node('HardSwish', [x]);
    return this.node('Mul', [x, this.node('HardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 })]);
  }

  gap(x: string): string {
    return this.node('GlobalAveragePool', [x]);
  }

  /** Flatten + Gemm (weights transposed, as torch writes nn.Linear). */
  linear(x: string, cin: number, cout: number): string {
    const f = this.node('Flatten', [x], { axis: 1 });
    const w = this.floatInit('fc_w', [cout, cin], undefined, Math.sqrt(3 / cin));
    const b = this.floatInit('fc_b', [cout], undefined, 0.01);
    return this.node('Gemm', [f, w, b], { alpha: 1.0, beta: 1.0, transB: 1 });
  }

  /** Encodes the model: one input [1, 3, size, size] named `inputName`, one output. */
  encode(inputName: string, inputShape: number[], output: string, outputShape: number[], producer = 'help-latency'): Uint8Array {
    const vi = (name: string, shape: number[]): onnx.IValueInfoProto => ({
      name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
    });
    // Rename the output tensor to a stable name.
    const last = this.nodes.find((n) => n.output!.includes(output))!;
    last.output = last.output!.map((o) => (o === output ? 'output' : o));
    const model: onnx.IModelProto = {
      irVersion: 8,
      producerName: producer,
      producerVersion: '0.1.0',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: 'main', node: this.nodes, initializer: this.initializers, input: [vi(inputName, inputShape)], output: [vi('output', outputShape)] },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

function checkOpset(o: WriteOptions): number {
  const opset = o.opset ?? 13;
  if (!Number.isInteger(opset) || opset < 11 || opset > 17) throw new RangeError(`opset ${opset} not supported by the writer (11..17)`);
  return opset;
}

/** NAS-Bench-201 TinyNetwork (C=16, N=5, CIFAR-100: input 1x3x32x32, 100 classes). */
export function writeNasBench201(cell: NasBench201Cell | string, o: WriteOptions = {}): Uint8Array {
  const c = typeof cell === 'string' ? parseNasBench201Cell(cell) : cell;
  formatNasBench201Cell(c); // validates
  const b = new OnnxBuilder(checkOpset(o), o.seed ?? 0, o.foldBn ?? false);
  const input = o.inputName ?? 'input';
  const reluConvBn = (x: string, cin: number, cout: number, k: number, stride: number) => b.conv(b.relu(x), cin, cout, k, stride, Math.floor(k / 2));
  let x = b.conv(input, 3, 16, 3, 1, 1);
  let C = 16;
  const dropNone = o.none === 'drop';
  let zeroConst: string | undefined;
  const zero = () => (zeroConst ??= b.scalar('zero', 0));
  const cellOf = (t0: string): string => {
    // nodes[k]: the tensor of node k, or null when it is identically zero (only with none = 'drop').
    const nodes: (string | null)[] = [t0];
    let zeroTensor: string | undefined;
    for (let k = 1; k <= 3; k++) {
      const terms: string[] = [];
      for (let j = 0; j < k; j++) {
        const op = c.ops[NB201_EDGES.findIndex(([f, t]) => f === j && t === k)];
        const src = nodes[j];
        if (dropNone) {
          if (op === 'none') continue;
          if (src === null) {
            // skip/pool of zero is zero; a ReLU-Conv-BN of zero is not (the BN shift): give it a zero tensor.
            if (op === 'skip_connect' || op === 'avg_pool_3x3') continue;
            zeroTensor ??= b.node('Mul', [t0, zero()]);
          }
        }
        const s = src ?? zeroTensor!;
        if (op === 'none') terms.push(b.node('Mul', [s, zero()]));
        else if (op === 'skip_connect') terms.push(s);
        else if (op === 'nor_conv_1x1') terms.push(reluConvBn(s, C, C, 1, 1));
        else if (op === 'nor_conv_3x3') terms.push(reluConvBn(s, C, C, 3, 1));
        else terms.push(b.node('AveragePool', [s], { count_include_pad: 0, kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] }));
      }
      // Python's sum(): a left fold over the terms.
      if (terms.length === 0) nodes.push(null);
      else nodes.push(terms.slice(1).reduce((acc, t) => b.add(acc, t), terms[0]));
    }
    return nodes[3] ?? (zeroTensor ??= b.node('Mul', [t0, zero()]));
  };
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0) {
      // ResNetBasicblock(C, 2C, stride 2): ReLU-Conv3x3/2-BN, ReLU-Conv3x3-BN; shortcut AvgPool2x2 + Conv1x1.
      const a = reluConvBn(x, C, 2 * C, 3, 2);
      const bb = reluConvBn(a, 2 * C, 2 * C, 3, 1);
      const pool = b.node('AveragePool', [x], { kernel_shape: [2, 2], pads: [0, 0, 0, 0], strides: [2, 2] });
      const res = b.conv(pool, C, 2 * C, 1, 1, 0, 1, { bn: false });
      x = b.add(res, bb);
      C *= 2;
    }
    for (let i = 0; i < 5; i++) x = cellOf(x);
  }
  x = b.relu(b.bn(x, C));
  const out = b.linear(b.gap(x), C, 100);
  return b.encode(input, [1, 3, 32, 32], out, [1, 100], o.producer);
}

/** FBNet as in HW-NAS-Bench (FBNet_Infer, CIFAR-100 setting: input 1x3x32x32, 100 classes). */
export function writeFbnet(arch: FbnetArch | string | string[], o: WriteOptions = {}): Uint8Array {
  const a = typeof arch === 'object' && !Array.isArray(arch) ? parseFbnetSpec(arch.ops) : parseFbnetSpec(arch);
  const b = new OnnxBuilder(checkOpset(o), o.seed ?? 0, o.foldBn ?? false);
  const input = o.inputName ?? 'input';
  let x = b.relu(b.conv(input, 3, FBNET_STEM_CHANNELS, 3, 1, 1));
  let size = FBNET_INPUT_SIZE;
  fbnetLayers().forEach((l, i) => {
    const blk = fbnetBlock(a.ops[i]);
    if (!blk) {
      if (l.stride !== 1 || l.cin !== l.cout) x = b.relu(b.conv(x, l.cin, l.cout, 1, l.stride, 0));
      size /= l.stride;
      return;
    }
    const mid = l.cin * blk.expansion;
    const g = blk.groups;
    let y = b.relu(b.conv(x, l.cin, mid, 1, 1, 0, g));
    if (g > 1) {
      // Channel shuffle: [N, g, C/g, H, W] -> transpose(1, 2) -> [N, C, H, W].
      y = b.node('Reshape', [y, b.int64Init('shape', [1, g, mid / g, size, size])]);
      y = b.node('Transpose', [y], { perm: [0, 2, 1, 3, 4] });
      y = b.node('Reshape', [y, b.int64Init('shape', [1, mid, size, size])]);
    }
    const pad = Math.ceil((blk.kernel - l.stride) / 2);
    y = b.relu(b.conv(y, mid, mid, blk.kernel, l.stride, pad, mid));
    y = b.conv(y, mid, l.cout, 1, 1, 0, g);
    size /= l.stride;
    x = l.cin === l.cout && l.stride === 1 ? b.add(y, x) : y;
  });
  x = b.relu(b.conv(x, 352, 1504, 1, 1, 0));
  const out = b.linear(b.gap(x), 1504, 100);
  return b.encode(input, [1, 3, 32, 32], out, [1, 100], o.producer);
}

/** OFA MobileNetV3-Large, width 1.0 (input 1x3xRxR, 1000 classes). */
export function writeOfa(arch: OfaArch | string, o: WriteOptions = {}): Uint8Array {
  const a = parseOfaSpec(arch);
  const b = new OnnxBuilder(checkOpset(o), o.seed ?? 0, o.foldBn ?? false);
  const input = o.inputName ?? 'input';
  const act = (x: string, hs: boolean) => (hs ? b.hswish(x) : b.relu(x));
  let x = b.hswish(b.conv(input, 3, 16, 3, 2, 1));
  // The fixed first block: depthwise 3x3 + pointwise 16 -> 16, identity shortcut.
  x = b.add(b.conv(b.relu(b.conv(x, 16, 16, 3, 1, 1, 16)), 16, 16, 1, 1, 0), x);
  let cin = 16;
  for (let s = 0; s < OFA_STAGES; s++) {
    const cout = OFA_STAGE_CHANNELS[s];
    const hs = OFA_STAGE_HSWISH[s];
    for (let j = 0; j < a.d[s]; j++) {
      const slot = s * OFA_BLOCKS_PER_STAGE + j;
      const stride = j === 0 ? OFA_STAGE_STRIDES[s] : 1;
      const k = a.ks[slot];
      const mid = ofaMakeDivisible(Math.round(cin * a.e[slot]));
      let y = act(b.conv(x, cin, mid, 1, 1, 0), hs);
      y = act(b.conv(y, mid, mid, k, stride, Math.floor(k / 2), mid), hs);
      if (OFA_STAGE_SE[s]) {
        const seMid = ofaMakeDivisible(Math.floor(mid / 4));
        let g = b.relu(b.conv(b.gap(y), mid, seMid, 1, 1, 0, 1, { bn: false, bias: true }));
        g = b.conv(g, seMid, mid, 1, 1, 0, 1, { bn: false, bias: true });
        y = b.node('Mul', [y, b.node('HardSigmoid', [g], { alpha: 1 / 6, beta: 0.5 })]);
      }
      y = b.conv(y, mid, cout, 1, 1, 0);
      x = stride === 1 && cin === cout ? b.add(y, x) : y;
      cin = cout;
    }
  }
  x = b.hswish(b.conv(x, 160, 960, 1, 1, 0));
  x = b.hswish(b.conv(b.gap(x), 960, 1280, 1, 1, 0, 1, { bn: false }));
  const out = b.linear(x, 1280, 1000);
  return b.encode(input, [1, 3, a.r, a.r], out, [1, 1000], o.producer);
}

/** Writes a model for a SPEC of one of the three spaces. */
export function writeOnnxFor(space: 'nasbench201' | 'fbnet' | 'ofa', spec: unknown, o: WriteOptions = {}): Uint8Array {
  if (space === 'nasbench201') return writeNasBench201(spec as string, o);
  if (space === 'fbnet') return writeFbnet(spec as string, o);
  return writeOfa(spec as string, o);
}
