// The fixed reference models of the `onnx` space: small real networks written by the repo's own ONNX
// writer (random weights from a fixed seed, batch 1, opset 13), spanning the kernel classes of kernels.ts.
// Their measured latencies on a device are its hardware embedding (src/core/onnx/latency.ts fits the
// device's per-class costs from them). Changing one changes every adapted onnx device: bump
// ONNX_REFERENCES_VERSION then.
import { OnnxBuilder, writeFbnet, writeNasBench201, writeOfa } from './writer';
import { sampleFbnet } from '../spaces/fbnet';
import { sampleOfa } from '../spaces/ofa';
import { nasBench201Space } from '../spaces/nasbench201';
import { makeRng } from '../spaces/space';
import { onnx } from 'onnx-proto';

/** 3: a full-depth mobile network joined the references. 4: 1-D convolutions joined them. */
export const ONNX_REFERENCES_VERSION = 4;

type Shape = number[];

/** Generic builders over OnnxBuilder, tracking shapes (the writer's encode needs the output's). */
class Net {
  readonly b: OnnxBuilder;
  constructor(seed: number) {
    this.b = new OnnxBuilder(13, seed, false);
  }
  /** Conv + BN + optional ReLU on [1, C, H, W]. */
  conv(x: string, s: Shape, cout: number, k: number, stride = 1, group = 1, relu = true): [string, Shape] {
    let y = this.b.conv(x, s[1], cout, k, stride, Math.floor(k / 2), group);
    if (relu) y = this.b.relu(y);
    const hw = (v: number) => Math.floor((v + 2 * Math.floor(k / 2) - k) / stride) + 1;
    return [y, [1, cout, hw(s[2]), hw(s[3])]];
  }
  /** x @ W + b on [..., din] (MatMul + Add, as torch writes nn.Linear on 3-D input). */
  linear(x: string, s: Shape, dout: number): [string, Shape] {
    const din = s[s.length - 1];
    const w = this.b.floatInit('w', [din, dout], undefined, Math.sqrt(3 / din));
    const bias = this.b.floatInit('b', [dout], undefined, 0.01);
    return [this.b.node('Add', [this.b.node('MatMul', [x, w]), bias]), [...s.slice(0, -1), dout]];
  }
  /** LayerNorm over the last axis as opset-13 exports write it (onnxruntime fuses the pattern). */
  layerNorm(x: string, d: number): string {
    const b = this.b;
    const mean = b.node('ReduceMean', [x], { axes: [-1], keepdims: 1 });
    const diff = b.node('Sub', [x, mean]);
    const v = b.node('ReduceMean', [b.node('Pow', [diff, b.scalar('two', 2)])], { axes: [-1], keepdims: 1 });
    const norm = b.node('Div', [diff, b.node('Sqrt', [b.node('Add', [v, b.scalar('eps', 1e-5)])])]);
    return b.node('Add', [b.node('Mul', [norm, b.floatInit('g', [d], undefined, 0.1, 1)]), b.floatInit('beta', [d], undefined, 0.05)]);
  }
  gelu(x: string): string {
    const b = this.b;
    const e = b.node('Erf', [b.node('Div', [x, b.scalar('sqrt2', Math.SQRT2)])]);
    return b.node('Mul', [b.node('Mul', [x, b.node('Add', [e, b.scalar('one', 1)])]), b.scalar('half', 0.5)]);
  }
  /** A pre-norm transformer block on [1, S, D] with `heads` heads and an MLP of ratio 4. */
  transformerBlock(x: string, s: Shape, heads: number): string {
    const b = this.b;
    const [, S, D] = s;
    const dh = D / heads;
    const h = this.layerNorm(x, D);
    const split = (t: string, perm: number[]) => b.node('Transpose', [b.node('Reshape', [t, b.int64Init('shape', [1, S, heads, dh])])], { perm });
    const q = split(this.linear(h, s, D)[0], [0, 2, 1, 3]);
    const k = split(this.linear(h, s, D)[0], [0, 2, 3, 1]);
    const v = split(this.linear(h, s, D)[0], [0, 2, 1, 3]);
    const att = b.node('Softmax', [b.node('Div', [b.node('MatMul', [q, k]), b.scalar('scale', Math.sqrt(dh))])], { axis: -1 });
    const ctx = b.node('Reshape', [b.node('Transpose', [b.node('MatMul', [att, v])], { perm: [0, 2, 1, 3] }), b.int64Init('shape', [1, S, D])]);
    const x1 = b.add(x, this.linear(ctx, s, D)[0]);
    const [m1, s1] = this.linear(this.layerNorm(x1, D), s, 4 * D);
    return b.add(x1, this.linear(this.gelu(m1), s1, D)[0]);
  }
}

export interface ReferenceModel {
  name: string;
  /** What it exercises. */
  about: string;
  inputName: string;
  inputShape: number[];
  write(): Uint8Array;
}

function convStack(name: string, size: number, widths: number[], seed: number): ReferenceModel {
  return {
    name,
    about: `dense 3x3 convolutions with BN, ReLU and residual adds at ${size}x${size}, widths ${widths.join('/')}`,
    inputName: 'input',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      let [x, s] = n.conv('input', [1, 3, size, size], widths[0], 3, 2);
      for (const w of widths) {
        [x, s] = n.conv(x, s, w, 3, s[1] === w ? 1 : 2);
        const [y, sy] = n.conv(x, s, w, 3);
        const [z] = n.conv(y, sy, w, 3, 1, 1, false);
        x = n.b.relu(n.b.add(z, x));
      }
      const out = n.b.linear(n.b.gap(x), s[1], 100);
      return n.b.encode('input', [1, 3, size, size], out, [1, 100]);
    },
  };
}

type Activation = 'hswish' | 'relu' | 'relu6' | 'swish';
/** Squeeze-excite's pooling: GlobalAveragePool, one ReduceMean over H and W, or two (W then H, as some
 *  exports write x.mean(3).mean(2)), or none. */
type Squeeze = 'gap' | 'reduce' | 'reduce2' | 'none';

interface InvertedResidualOptions {
  kernel?: number;
  act?: Activation;
  se?: Squeeze;
  /** Per stage (one per width): blocks (default 2), the first block's stride (default 2), the depthwise
   *  kernel (default `kernel`). */
  blocks?: number[];
  strides?: number[];
  kernels?: number[];
  /** The stem's stride (default 2). */
  stemStride?: number;
  /** A 1x1 convolution to this width (with the activation) before the pooling, as MobileNets end. */
  head?: number;
}

/** Inverted-residual stacks (MobileNetV2/V3, EfficientNet, FBNet and OFA blocks). */
export function dwSeparable(name: string, size: number, widths: number[], expansion: number, seed: number, seReduce = false, o: InvertedResidualOptions = {}): ReferenceModel {
  const kernel = o.kernel ?? 3;
  const actName = o.act ?? 'hswish';
  const se: Squeeze = o.se ?? (seReduce ? 'reduce' : 'gap');
  return {
    name,
    about: `inverted residuals (1x1 expand x${expansion}, depthwise ${kernel}x${kernel}, ${se === 'none' ? 'no squeeze-excite' : `squeeze-excite by ${se === 'gap' ? 'GlobalAveragePool' : se === 'reduce' ? 'ReduceMean' : 'two ReduceMeans'}`}, ${actName}, 1x1 project) at ${size}x${size}`,
    inputName: 'input',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      const b = n.b;
      const act = (y: string) =>
        actName === 'hswish' ? b.hswish(y) : actName === 'relu' ? b.relu(y) : actName === 'relu6' ? b.node('Clip', [y, b.scalar('zero', 0), b.scalar('six', 6)]) : b.node('Mul', [y, b.node('Sigmoid', [y])]);
      let [x, s] = n.conv('input', [1, 3, size, size], 16, 3, o.stemStride ?? 2);
      widths.forEach((w, stage) => {
        const k = o.kernels?.[stage] ?? kernel;
        for (let r = 0; r < (o.blocks?.[stage] ?? 2); r++) {
          const stride = r === 0 ? (o.strides?.[stage] ?? 2) : 1;
          const mid = s[1] * expansion;
          let [y, sy] = n.conv(x, s, mid, 1, 1, 1, false);
          y = act(y);
          [y, sy] = n.conv(y, sy, mid, k, stride, mid, false);
          y = act(y);
          if (se !== 'none') {
            const squeezed =
              se === 'reduce' ? b.node('ReduceMean', [y], { axes: [2, 3], keepdims: 1 }) : se === 'reduce2' ? b.node('ReduceMean', [b.node('ReduceMean', [y], { axes: [3], keepdims: 1 })], { axes: [2], keepdims: 1 }) : b.gap(y);
            const r4 = Math.round(mid / 4);
            const g = b.conv(b.relu(b.conv(squeezed, mid, r4, 1, 1, 0, 1, { bn: false, bias: true })), r4, mid, 1, 1, 0, 1, { bn: false, bias: true });
            y = b.node('Mul', [y, actName === 'swish' ? b.node('Sigmoid', [g]) : b.node('HardSigmoid', [g], { alpha: 1 / 6, beta: 0.5 })]);
          }
          const [z, sz] = n.conv(y, sy, w, 1, 1, 1, false);
          x = stride === 1 && s[1] === w ? b.add(z, x) : z;
          s = sz;
        }
      });
      if (o.head) {
        const [h] = n.conv(x, s, o.head, 1, 1, 1, false);
        x = act(h);
        s = [1, o.head, s[2], s[3]];
      }
      const out = b.linear(b.gap(x), s[1], 100);
      return b.encode('input', [1, 3, size, size], out, [1, 100]);
    },
  };
}

/** Pre-activation blocks (ReLU, 3x3 conv, BN; the ReLU runs as its own kernel) with 3x3 average pooling
 *  branches and residual adds, at a small resolution: many small kernels. */
function preActivation(name: string, size: number, widths: number[], seed: number): ReferenceModel {
  return {
    name,
    about: `pre-activation blocks (ReLU, 3x3 conv, BN), 3x3 average pooling and residual adds at ${size}x${size}, widths ${widths.join('/')}`,
    inputName: 'input',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      const b = n.b;
      let x = b.conv('input', 3, widths[0], 3, 1, 1);
      let c = widths[0];
      let hw = size;
      for (const w of widths) {
        if (w !== c) {
          x = b.conv(b.relu(x), c, w, 3, 2, 1);
          c = w;
          hw = Math.floor((hw + 1) / 2);
        }
        for (let r = 0; r < 2; r++) {
          const y = b.conv(b.relu(x), c, c, 3, 1, 1);
          const p = b.node('AveragePool', [x], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1], count_include_pad: 0 });
          x = b.add(b.add(b.conv(b.relu(y), c, c, 1, 1, 0), p), x);
        }
      }
      const out = b.linear(b.gap(b.relu(x)), c, 10);
      return b.encode('input', [1, 3, size, size], out, [1, 10]);
    },
  };
}

/** A convolution stem then a wide classifier: the final Gemm streams its weights from memory. */
function classifierHead(name: string, size: number, features: number, classes: number, seed: number): ReferenceModel {
  return {
    name,
    about: `a strided convolution stem, a 1x1 convolution to ${features} channels and a ${features}x${classes} classifier at ${size}x${size}`,
    inputName: 'input',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      const b = n.b;
      let [x, s] = n.conv('input', [1, 3, size, size], 32, 3, 2);
      [x, s] = n.conv(x, s, 64, 3, 2);
      [x, s] = n.conv(x, s, features, 1);
      const out = b.linear(b.gap(x), features, classes);
      return b.encode('input', [1, 3, size, size], out, [1, classes]);
    },
  };
}

function groupedStack(name: string, size: number, width: number, groups: number, seed: number): ReferenceModel {
  return {
    name,
    about: `grouped 3x3 convolutions (${groups} groups) between 1x1 convolutions at ${size}x${size}, width ${width}`,
    inputName: 'input',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      let [x, s] = n.conv('input', [1, 3, size, size], width, 3, 2);
      for (let r = 0; r < 4; r++) {
        const [y, sy] = n.conv(x, s, width, 1);
        const [z, sz] = n.conv(y, sy, width, 3, 1, groups);
        const [u] = n.conv(z, sz, width, 1, 1, 1, false);
        x = n.b.relu(n.b.add(u, x));
      }
      const out = n.b.linear(n.b.gap(x), s[1], 100);
      return n.b.encode('input', [1, 3, size, size], out, [1, 100]);
    },
  };
}

function transformer(name: string, seq: number, dim: number, heads: number, blocks: number, seed: number): ReferenceModel {
  return {
    name,
    about: `${blocks} pre-norm transformer blocks, sequence ${seq}, width ${dim}, ${heads} heads (LayerNorm, attention, Gelu MLP)`,
    inputName: 'tokens',
    inputShape: [1, seq, dim],
    write() {
      const n = new Net(seed);
      let x = 'tokens';
      for (let i = 0; i < blocks; i++) x = n.transformerBlock(x, [1, seq, dim], heads);
      const out = n.layerNorm(x, dim);
      return n.b.encode('tokens', [1, seq, dim], out, [1, seq, dim]);
    },
  };
}

function lstm(name: string, seq: number, input: number, hidden: number, seed: number, o: { gru?: boolean; bidirectional?: boolean } = {}): ReferenceModel {
  const op = o.gru ? 'GRU' : 'LSTM';
  const gates = o.gru ? 3 : 4;
  const dirs = o.bidirectional ? 2 : 1;
  return {
    name,
    about: `one ${o.bidirectional ? 'bidirectional ' : ''}${op} layer, sequence ${seq}, input ${input}, hidden ${hidden}, then a linear layer`,
    inputName: 'features',
    inputShape: [seq, 1, input],
    write() {
      const n = new Net(seed);
      const b = n.b;
      const sc = 1 / Math.sqrt(hidden);
      const W = b.floatInit('W', [dirs, gates * hidden, input], undefined, sc);
      const R = b.floatInit('R', [dirs, gates * hidden, hidden], undefined, sc);
      const B = b.floatInit('B', [dirs, 2 * gates * hidden], undefined, sc);
      const attrs: Record<string, number | string> = { hidden_size: hidden };
      if (o.bidirectional) attrs.direction = 'bidirectional';
      const y = b.node(op, ['features', W, R, B], attrs, 1);
      const [out] = n.linear(y, [seq, dirs, 1, hidden], 32);
      return b.encode('features', [seq, 1, input], out, [seq, dirs, 1, 32]);
    },
  };
}

/** An Elman RNN stepped by a Loop node (as TorchScript exports a scripted recurrence): each iteration runs the
 *  body subgraph (Gather of the step, two Gemms, Tanh). */
function loopRnn(name: string, seq: number, input: number, hidden: number, seed: number): ReferenceModel {
  return {
    name,
    about: `an Elman RNN stepped by a Loop node over ${seq} steps, input ${input}, hidden ${hidden}, then a linear layer`,
    inputName: 'features',
    inputShape: [seq, 1, input],
    write() {
      const n = new Net(seed);
      const b = n.b;
      const T = onnx.TensorProto.DataType;
      const vi = (nm: string, elemType: number, shape: number[]): onnx.IValueInfoProto => ({ name: nm, type: { tensorType: { elemType, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
      const sc = 1 / Math.sqrt(hidden);
      const wx = b.floatInit('wx', [hidden, input], undefined, sc);
      const wh = b.floatInit('wh', [hidden, hidden], undefined, sc);
      const bias = b.floatInit('bias', [hidden], undefined, sc);
      const h0 = b.floatInit('h0', [1, hidden], new Float32Array(hidden));
      const trip = b.fresh('trip');
      b.initializers.push({ name: trip, dims: [], dataType: T.INT64, rawData: new Uint8Array(new BigInt64Array([BigInt(seq)]).buffer) });
      const cond = b.fresh('cond');
      b.initializers.push({ name: cond, dims: [], dataType: T.BOOL, rawData: new Uint8Array([1]) });
      // The body's nodes, built with the same builder (unique names) and moved into the subgraph.
      const start = b.nodes.length;
      const iter = b.fresh('iter');
      const condIn = b.fresh('cond_in');
      const hPrev = b.fresh('h_prev');
      const xt = b.node('Gather', ['features', iter], { axis: 0 });
      const h = b.node('Tanh', [b.add(b.node('Gemm', [xt, wx, bias], { transB: 1 }), b.node('Gemm', [hPrev, wh], { transB: 1 }))]);
      const condOut = b.node('Identity', [condIn]);
      const hScan = b.node('Identity', [h]);
      const body = b.nodes.splice(start);
      const outs = [b.fresh('h_last'), b.fresh('hs')];
      b.nodes.push({
        opType: 'Loop',
        name: `Loop_${b.nodes.length}`,
        input: [trip, cond, h0],
        output: outs,
        attribute: [
          {
            name: 'body',
            type: onnx.AttributeProto.AttributeType.GRAPH,
            g: { name: 'body', node: body, input: [vi(iter, T.INT64, []), vi(condIn, T.BOOL, []), vi(hPrev, T.FLOAT, [1, hidden])], output: [vi(condOut, T.BOOL, []), vi(h, T.FLOAT, [1, hidden]), vi(hScan, T.FLOAT, [1, hidden])] },
          },
        ],
      });
      const [out] = n.linear(outs[1], [seq, 1, hidden], 32);
      return b.encode('features', [seq, 1, input], out, [seq, 1, 32]);
    },
  };
}

function mlp(name: string, width: number, layers: number, seed: number): ReferenceModel {
  return {
    name,
    about: `${layers} Gemm + ReLU layers of width ${width} on one vector (weight-bandwidth bound)`,
    inputName: 'input',
    inputShape: [1, width],
    write() {
      const n = new Net(seed);
      const b = n.b;
      let x = 'input';
      for (let i = 0; i < layers; i++) {
        const w = b.floatInit('fc_w', [width, width], undefined, Math.sqrt(3 / width));
        x = b.relu(b.node('Gemm', [x, w, b.floatInit('fc_b', [width], undefined, 0.01)], { alpha: 1.0, beta: 1.0, transB: 1 }));
      }
      return b.encode('input', [1, width], x, [1, width]);
    },
  };
}

function upsampling(name: string, size: number, width: number, seed: number): ReferenceModel {
  return {
    name,
    about: `an encoder-decoder at ${size}x${size}: strided convolutions, max pooling, ConvTranspose and Resize, with skip concatenations`,
    inputName: 'image',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      const b = n.b;
      const [e1, s1] = n.conv('image', [1, 3, size, size], width, 3);
      const p1 = b.node('MaxPool', [e1], { kernel_shape: [2, 2], strides: [2, 2] });
      const [e2, s2] = n.conv(p1, [1, width, s1[2] / 2, s1[3] / 2], 2 * width, 3);
      const p2 = b.node('MaxPool', [e2], { kernel_shape: [2, 2], strides: [2, 2] });
      const [e3] = n.conv(p2, [1, 2 * width, s2[2] / 2, s2[3] / 2], 4 * width, 3);
      // Up 1: ConvTranspose 2x2 stride 2.
      const wt = b.floatInit('wt', [4 * width, 2 * width, 2, 2], undefined, 0.1);
      const u1 = b.node('ConvTranspose', [e3, wt, b.floatInit('bt', [2 * width], undefined, 0.01)], { kernel_shape: [2, 2], strides: [2, 2] });
      const c1 = b.node('Concat', [u1, e2], { axis: 1 });
      const [d1] = n.conv(c1, [1, 4 * width, s2[2], s2[3]], 2 * width, 3);
      // Up 2: nearest Resize x2.
      const u2 = b.node('Resize', [d1, '', b.floatInit('scales', [4], [1, 1, 2, 2])], { mode: 'nearest' });
      const c2 = b.node('Concat', [u2, e1], { axis: 1 });
      const [d2] = n.conv(c2, [1, 3 * width, size, size], width, 3);
      const out = b.conv(d2, width, 2, 1, 1, 0, 1, { bn: false, bias: true });
      return b.encode('image', [1, 3, size, size], out, [1, 2, size, size]);
    },
  };
}

/** 1-D convolutions over a sequence ([1, channels, length]: an audio front end, a text or temporal CNN),
 *  each with a bias and ReLU, then a mean over time and a linear layer. onnxruntime runs 1-D convolutions
 *  on its generic im2col path, not its blocked 2-D kernels. */
function conv1dStack(name: string, channels: number, length: number, layers: readonly { width: number; kernel: number; stride: number }[], seed: number): ReferenceModel {
  return {
    name,
    about: `${layers.length} 1-D convolutions (widths ${layers.map((l) => l.width).join('/')}, kernels ${layers.map((l) => l.kernel).join('/')}, strides ${layers.map((l) => l.stride).join('/')}) over ${channels}x${length}`,
    inputName: 'signal',
    inputShape: [1, channels, length],
    write() {
      const b = new OnnxBuilder(13, seed, false);
      let x = 'signal';
      let c = channels;
      for (const l of layers) {
        const pad = Math.floor(l.kernel / 2);
        const w = b.floatInit('w', [l.width, c, l.kernel], undefined, Math.sqrt(3 / (c * l.kernel)));
        x = b.relu(b.node('Conv', [x, w, b.floatInit('b', [l.width], undefined, 0.05)], { dilations: [1], group: 1, kernel_shape: [l.kernel], pads: [pad, pad], strides: [l.stride] }));
        c = l.width;
      }
      const pooled = b.node('ReduceMean', [x], { axes: [2], keepdims: 0 });
      const out = b.node('Gemm', [pooled, b.floatInit('fc_w', [10, c], undefined, Math.sqrt(3 / c)), b.floatInit('fc_b', [10], undefined, 0.01)], { alpha: 1.0, beta: 1.0, transB: 1 });
      return b.encode('signal', [1, channels, length], out, [1, 10]);
    },
  };
}

/** A UNet: `depth` levels of two 3x3 convolutions (BN, ReLU) and max pooling down, ConvTranspose 2x2 up,
 *  skip concatenations, a 1x1 convolution to 2 classes. Large activations at full resolution. */
function unet(name: string, size: number, base: number, depth: number, seed: number): ReferenceModel {
  return {
    name,
    about: `a UNet at ${size}x${size}, base width ${base}, depth ${depth} (ConvTranspose up, skip Concats)`,
    inputName: 'image',
    inputShape: [1, 3, size, size],
    write() {
      const n = new Net(seed);
      const b = n.b;
      const double = (x: string, s: Shape, w: number): [string, Shape] => {
        const [y, sy] = n.conv(x, s, w, 3);
        return n.conv(y, sy, w, 3);
      };
      let [x, s] = double('image', [1, 3, size, size], base);
      const skips: [string, Shape][] = [];
      for (let level = 1; level <= depth; level++) {
        skips.push([x, s]);
        const p = b.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
        [x, s] = double(p, [1, s[1], s[2] / 2, s[3] / 2], base << level);
      }
      for (let level = depth - 1; level >= 0; level--) {
        const [skip, ss] = skips[level];
        const wt = b.floatInit('wt', [s[1], ss[1], 2, 2], undefined, Math.sqrt(3 / (s[1] * 4)));
        const up = b.node('ConvTranspose', [x, wt, b.floatInit('bt', [ss[1]], undefined, 0.01)], { kernel_shape: [2, 2], strides: [2, 2] });
        [x, s] = double(b.node('Concat', [up, skip], { axis: 1 }), [1, 2 * ss[1], ss[2], ss[3]], ss[1]);
      }
      const out = b.conv(x, s[1], 2, 1, 1, 0, 1, { bn: false, bias: true });
      return b.encode('image', [1, 3, size, size], out, [1, 2, size, size]);
    },
  };
}

function elementwise(name: string, size: number, channels: number, seed: number): ReferenceModel {
  return {
    name,
    about: `element-wise chains, pooling and data movement on 1x${channels}x${size}x${size} (memory-bandwidth bound)`,
    inputName: 'input',
    inputShape: [1, channels, size, size],
    write() {
      const n = new Net(seed);
      const b = n.b;
      let x = 'input';
      for (let i = 0; i < 3; i++) {
        const sg = b.node('Sigmoid', [x]);
        const m = b.node('Mul', [x, sg]);
        const a = b.node('Add', [m, b.floatInit('bias', [channels, 1, 1], undefined, 0.1)]);
        const pool = b.node('AveragePool', [a], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
        const t = b.node('Transpose', [b.node('Transpose', [pool], { perm: [0, 2, 3, 1] })], { perm: [0, 3, 1, 2] });
        x = b.node('Clip', [b.add(t, x), b.scalar('lo', -3), b.scalar('hi', 3)]);
      }
      const out = b.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
      return b.encode('input', [1, channels, size, size], out, [1, channels, size / 2, size / 2]);
    },
  };
}

/** The reference models, in a fixed order (their latencies are the device's hardware embedding). */
export const ONNX_REFERENCES: readonly ReferenceModel[] = [
  convStack('conv-s', 64, [32, 64], 1),
  convStack('conv-l', 128, [48, 96, 192], 2),
  dwSeparable('dwsep-s', 96, [24, 40], 4, 3),
  dwSeparable('dwsep-l', 160, [24, 48, 96], 6, 4, true),
  dwSeparable('dwsep-xl', 224, [24, 32], 6, 12, false, { act: 'relu6', se: 'none' }),
  groupedStack('grouped', 56, 128, 8, 5),
  transformer('transformer-s', 64, 128, 4, 2, 6),
  transformer('transformer-l', 197, 192, 3, 2, 7),
  lstm('lstm', 100, 64, 128, 8),
  mlp('mlp', 1024, 4, 9),
  upsampling('upsampling', 96, 16, 10),
  elementwise('elementwise', 56, 64, 11),
  preActivation('preact', 32, [16, 32, 64], 13),
  dwSeparable('dwsep-swish', 112, [24, 40], 6, 14, false, { kernel: 5, act: 'swish', se: 'reduce2' }),
  classifierHead('head', 64, 1280, 1000, 15),
  lstm('gru', 64, 40, 64, 16, { gru: true, bidirectional: true }),
  loopRnn('loop', 40, 32, 64, 17),
  // A whole MobileNetV3-like network: 6 stages of 1-3 blocks down to 5x5, mixed 3x3/5x5 depthwise, a head
  // convolution (the two-block stacks above never reach such depths and widths).
  dwSeparable('mobile', 160, [16, 24, 40, 80, 112, 192], 4, 18, false, { act: 'hswish', se: 'gap', blocks: [1, 2, 3, 3, 2, 1], strides: [1, 2, 2, 2, 1, 2], kernels: [3, 3, 5, 3, 5, 5], head: 960 }),
  // 1-D convolutions over 40 features x 400 frames (onnxruntime's generic convolution path).
  conv1dStack('conv1d', 40, 400, [{ width: 64, kernel: 7, stride: 2 }, { width: 96, kernel: 5, stride: 2 }, { width: 128, kernel: 3, stride: 1 }], 19),
];

/** Generated training models for the prior (scripts/train-onnx-prior.ts): the reference generators at
 *  random sizes from a fixed seed (never a benchmark model). */
export function priorTrainingModels(count: number, seed = 2024): ReferenceModel[] {
  const rng = makeRng(seed);
  const pick = <T>(v: readonly T[]): T => v[Math.floor(rng() * v.length)];
  const out: ReferenceModel[] = [];
  const kinds = ['conv', 'dwsep', 'grouped', 'transformer', 'recurrent', 'mlp', 'upsampling', 'elementwise', 'preact', 'head', 'loop'] as const;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    const s = 100 + i;
    const name = `train-${i}-${kind}`;
    // Sizes from toy to ImageNet scale (real models run at 224x224 with up to 512 channels: activations and
    // weights then outgrow the caches, which small models never show).
    if (kind === 'conv') {
      const base = pick([16, 24, 32, 48, 64]);
      out.push(convStack(name, pick([32, 56, 64, 96, 112, 128, 224]), pick([[base], [base, 2 * base], [base, 2 * base, 4 * base], [base, 2 * base, 4 * base, 8 * base]]), s));
    } else if (kind === 'dwsep') {
      const w = pick([[16, 24], [24, 40], [24, 32, 64], [16, 24, 40, 80], [24, 40, 80, 112, 160]]);
      // Activation and squeeze-excite cycle (every pairing over the set), sizes are drawn.
      const j = Math.floor(i / kinds.length);
      const act = (['hswish', 'relu', 'relu6', 'swish'] as const)[j % 4];
      const se = (['gap', 'reduce', 'reduce2', 'none'] as const)[(j + Math.floor(j / 4)) % 4];
      out.push(dwSeparable(name, pick([64, 96, 112, 160, 224]), w, pick([3, 4, 6]), s, false, { kernel: pick([3, 5]), act, se }));
    } else if (kind === 'grouped') out.push(groupedStack(name, pick([28, 56, 64, 112]), pick([64, 128, 256]), pick([2, 4, 8, 16, 32]), s));
    else if (kind === 'transformer') {
      const heads = pick([2, 4, 8, 12]);
      out.push(transformer(name, pick([16, 32, 64, 128, 197, 256]), heads * pick([16, 32, 64]), heads, pick([1, 2, 3]), s));
    } else if (kind === 'recurrent') out.push(lstm(name, pick([16, 50, 100, 200]), pick([16, 40, 64, 128]), pick([32, 64, 128, 256, 512]), s, { gru: rng() < 0.5, bidirectional: rng() < 0.5 }));
    else if (kind === 'mlp') out.push(mlp(name, pick([128, 256, 512, 1024, 2048]), pick([2, 3, 4, 6]), s));
    else if (kind === 'upsampling') out.push(upsampling(name, pick([32, 64, 96, 128, 256]), pick([8, 16, 32, 64]), s));
    else if (kind === 'elementwise') out.push(elementwise(name, pick([14, 28, 56, 112]), pick([16, 32, 64, 128]), s));
    else if (kind === 'preact') out.push(preActivation(name, pick([16, 32, 64]), pick([[16, 32, 64], [32, 64, 128], [16, 32]]), s));
    else if (kind === 'loop') out.push(loopRnn(name, pick([10, 25, 50, 100]), pick([16, 40, 80]), pick([32, 64, 128, 256]), s));
    else out.push(classifierHead(name, pick([32, 64, 96, 160, 224]), pick([512, 1024, 1280, 2048]), pick([100, 1000]), s));
  }
  return out;
}

/** Full-depth mobile networks for the prior (scripts/train-onnx-prior.ts): 5-7 stages of 1-4 inverted
 *  residuals each down to 7x7 (ImageNet inputs) or 4x4 (CIFAR-size inputs), widths up to 320, a head
 *  convolution, as MobileNetV2/V3, EfficientNet, FBNet and OFA are built. priorTrainingModels' two-block
 *  stages never reach those depths and widths, and its prior under-predicted such networks by 1.2-1.5x
 *  (docs/research.md). */
export function mobileTrainingModels(count: number, seed = 2025): ReferenceModel[] {
  const rng = makeRng(seed);
  const pick = <T>(v: readonly T[]): T => v[Math.floor(rng() * v.length)];
  const ladder = [16, 24, 40, 80, 112, 192, 320];
  const out: ReferenceModel[] = [];
  for (let i = 0; i < count; i++) {
    const size = pick([32, 64, 96, 128, 160, 192, 224]);
    const stages = pick([5, 6, 7]);
    const mult = pick([0.5, 0.75, 1, 1.25]);
    const widths = ladder.slice(0, stages).map((w) => Math.max(8, Math.round((w * mult) / 8) * 8));
    // Strides as MobileNetV2 places them; small inputs keep the early resolution (FBNet on CIFAR).
    const strides = (size <= 64 ? [1, 1, 2, 2, 1, 2, 1] : [1, 2, 2, 2, 1, 2, 1]).slice(0, stages);
    const blocks = widths.map((_, j) => (j === 0 || j === stages - 1 ? 1 : pick([1, 2, 3, 4])));
    const kernels = widths.map(() => pick([3, 3, 5, 7]));
    const act = (['hswish', 'relu', 'relu6', 'swish'] as const)[i % 4];
    const se = (['none', 'gap', 'none', 'reduce', 'none', 'reduce2'] as const)[Math.floor(i / 4 + i) % 6];
    out.push(dwSeparable(`mobile-${i}`, size, widths, pick([3, 4, 6]), 500 + i, false, { act, se, blocks, strides, kernels, stemStride: size <= 64 ? 1 : 2, head: pick([0, 960, 1280, 1536]) }));
  }
  return out;
}

/** Architectures of the three NAS spaces, sampled from a fixed seed and written by the repo's writer with
 *  BatchNorm folded (as torch exports them), for the prior (scripts/train-onnx-prior.ts): FBNet's grouped
 *  1x1 convolutions and channel shuffles at 32x32, OFA's squeeze-excite blocks at 160-224, NAS-Bench-201's
 *  many small kernels. A prior without them under-predicted such samples by 1.1-1.3x against 1.0 for its
 *  own mobile networks (docs/research.md). */
export function nasSpaceTrainingModels(perSpace: number, seed = 2026): ReferenceModel[] {
  const rng = makeRng(seed);
  const out: ReferenceModel[] = [];
  sampleFbnet(perSpace, rng).forEach((a, i) => out.push({ name: `fbnet-${i}`, about: `FBNet ${a.ops.join(' ')}`, inputName: 'input', inputShape: [1, 3, 32, 32], write: () => writeFbnet(a, { foldBn: true, seed: 600 + i }) }));
  sampleOfa(perSpace, rng).forEach((a, i) => out.push({ name: `ofa-${i}`, about: `OFA at ${a.r}`, inputName: 'input', inputShape: [1, 3, a.r, a.r], write: () => writeOfa(a, { foldBn: true, seed: 700 + i }) }));
  nasBench201Space.sample(Math.ceil(perSpace / 2), rng).forEach((a, i) => out.push({ name: `nb201-${i}`, about: 'NAS-Bench-201 cell', inputName: 'input', inputShape: [1, 3, 32, 32], write: () => writeNasBench201(a, { foldBn: true, seed: 800 + i }) }));
  return out;
}

/** 1-D convolution stacks (raw audio front ends with wide strided kernels, spectrogram and text CNNs) and
 *  UNets of 2-4 levels, for the prior (scripts/train-onnx-prior.ts): onnxruntime's generic convolution
 *  path (1-D convolutions, ConvTranspose) that no other training model reaches. */
export function genericConvTrainingModels(count: number, seed = 2027): ReferenceModel[] {
  const rng = makeRng(seed);
  const pick = <T>(v: readonly T[]): T => v[Math.floor(rng() * v.length)];
  const out: ReferenceModel[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 2) {
      out.push(unet(`unet-${i}`, pick([64, 96, 128, 160, 192, 224]), pick([8, 16, 24, 32, 48]), pick([2, 3, 4]), 900 + i));
      continue;
    }
    const raw = i % 3 === 0;
    const channels = raw ? 1 : pick([13, 40, 64, 80, 128, 256]);
    const length = raw ? pick([512, 1024, 1600, 4000, 8000, 16000]) : pick([50, 100, 200, 400, 800]);
    const layers: { width: number; kernel: number; stride: number }[] = [];
    let left = length;
    const depth = pick([2, 3, 4, 5, 6]);
    for (let j = 0; j < depth && left >= 8; j++) {
      const first = j === 0 && raw;
      const l = { width: pick([16, 32, 48, 64, 96, 128, 256, 512]), kernel: first ? pick([9, 10, 15, 31]) : pick([1, 3, 3, 5, 7, 11]), stride: first ? pick([2, 4, 5, 8]) : pick([1, 1, 2]) };
      layers.push(l);
      left = Math.floor(left / l.stride);
    }
    out.push(conv1dStack(`conv1d-${i}`, channels, length, layers, 900 + i));
  }
  return out;
}
