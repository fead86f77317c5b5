// The HELP predictor (Lee et al., NeurIPS 2021) as pure functions over a dictionary of tensors, so that
// the Meta-SGD inner loop can be differentiated by the outer loop (tf.grads inside tf.variableGrads).
//
//   arch graph --GCN--> a (architecture embedding)         10 reference latencies --MLP--> h (hardware embedding)
//   h --z-modulator--> per-unit (1+gamma, beta) for each head layer: W' = W*(1+gamma), b' = b + beta
//   head([a, h]; W', b') --Meta-SGD steps on the support set (per-parameter learned step sizes)--> latency
//
// Latencies are normalised per device by the mean and standard deviation of its 10 reference latencies,
// which makes the model scale-free; calibration.ts maps outputs back to milliseconds.
import type * as TF from '@tensorflow/tfjs';

export interface HelpConfig {
  nodes: number;
  features: number;
  gcnHidden: number;
  gcnLayers: number;
  hwInput: number;
  hwHidden: number;
  headHidden: number[];
  innerSteps: number;
  initInnerLr: number;
  /** Size of the flattened node features fed to the head's linear path (0: no linear path). */
  linearInputs: number;
}

export const DEFAULT_CONFIG: HelpConfig = {
  nodes: 9,
  features: 8,
  gcnHidden: 64,
  gcnLayers: 3,
  hwInput: 10,
  hwHidden: 64,
  headHidden: [64, 64],
  innerSteps: 3,
  initInnerLr: 0.02,
  linearInputs: 72,
};

export type Params = Record<string, TF.Tensor>;

/** Names of the head parameters, which the inner loop adapts, in layer order. */
export function headParamNames(cfg: HelpConfig): string[] {
  const names: string[] = [];
  for (let l = 0; l <= cfg.headHidden.length; l++) names.push(`head${l}.w`, `head${l}.b`);
  if (cfg.linearInputs) names.push('lin.w');
  return names;
}

/** Architecture embedding width: flattened node features (linear path), then GCN mean and global node. */
export function archDim(cfg: HelpConfig): number {
  return cfg.linearInputs + 2 * cfg.gcnHidden;
}

function headDims(cfg: HelpConfig): [number, number][] {
  const dims: [number, number][] = [];
  let prev = archDim(cfg) + cfg.hwHidden;
  for (const h of cfg.headHidden) {
    dims.push([prev, h]);
    prev = h;
  }
  dims.push([prev, 1]);
  return dims;
}

/** Glorot-uniform initial parameters from a seeded generator. */
export function initParams(tf: typeof TF, cfg: HelpConfig, seed: number): Record<string, TF.Variable> {
  let s = seed;
  const glorot = (fanIn: number, fanOut: number) => {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return tf.randomUniform([fanIn, fanOut], -lim, lim, 'float32', s++);
  };
  const p: Record<string, TF.Variable> = {};
  let prev = cfg.features;
  for (let l = 0; l < cfg.gcnLayers; l++) {
    p[`gcn${l}.w`] = tf.variable(glorot(prev, cfg.gcnHidden), true, `gcn${l}.w`);
    p[`gcn${l}.b`] = tf.variable(tf.zeros([cfg.gcnHidden]), true, `gcn${l}.b`);
    prev = cfg.gcnHidden;
  }
  p['hw0.w'] = tf.variable(glorot(cfg.hwInput, cfg.hwHidden), true, 'hw0.w');
  p['hw0.b'] = tf.variable(tf.zeros([cfg.hwHidden]), true, 'hw0.b');
  p['hw1.w'] = tf.variable(glorot(cfg.hwHidden, cfg.hwHidden), true, 'hw1.w');
  p['hw1.b'] = tf.variable(tf.zeros([cfg.hwHidden]), true, 'hw1.b');
  headDims(cfg).forEach(([i, o], l) => {
    p[`head${l}.w`] = tf.variable(glorot(i, o), true, `head${l}.w`);
    p[`head${l}.b`] = tf.variable(tf.zeros([o]), true, `head${l}.b`);
    // z-modulator: starts as the identity (no modulation) and learns how hardware reshapes the head.
    p[`zmul${l}.w`] = tf.variable(tf.zeros([cfg.hwHidden, o]), true, `zmul${l}.w`);
    p[`zmul${l}.b`] = tf.variable(tf.zeros([o]), true, `zmul${l}.b`);
    p[`zadd${l}.w`] = tf.variable(tf.zeros([cfg.hwHidden, o]), true, `zadd${l}.w`);
    p[`zadd${l}.b`] = tf.variable(tf.zeros([o]), true, `zadd${l}.b`);
    // Meta-SGD: one learned step size per head parameter.
    p[`lr${l}.w`] = tf.variable(tf.fill([i, o], cfg.initInnerLr), true, `lr${l}.w`);
    p[`lr${l}.b`] = tf.variable(tf.fill([o], cfg.initInnerLr), true, `lr${l}.b`);
  });
  if (cfg.linearInputs) {
    // Linear path: latency as a sum of per-node (per-operation) costs, the structure of many devices.
    p['lin.w'] = tf.variable(tf.zeros([cfg.linearInputs, 1]), true, 'lin.w');
    p['zlinmul.w'] = tf.variable(tf.zeros([cfg.hwHidden, cfg.linearInputs]), true, 'zlinmul.w');
    p['zlinadd.w'] = tf.variable(tf.zeros([cfg.hwHidden, cfg.linearInputs]), true, 'zlinadd.w');
    p['lrlin.w'] = tf.variable(tf.fill([cfg.linearInputs, 1], cfg.initInnerLr), true, 'lrlin.w');
  }
  return p;
}

/** GCN over a batch of graphs: x [B, N, F], adjNorm [B, N, N] (row-normalised) -> [B, 2H]. */
export function encodeArchitectures(tf: typeof TF, p: Params, cfg: HelpConfig, x: TF.Tensor3D, adjNorm: TF.Tensor3D): TF.Tensor2D {
  let h: TF.Tensor3D = x;
  for (let l = 0; l < cfg.gcnLayers; l++) {
    const msg = tf.matMul(adjNorm, h) as TF.Tensor3D;
    const [b, n, f] = msg.shape;
    const lin = tf.add(tf.matMul(msg.reshape([b * n, f]), p[`gcn${l}.w`] as TF.Tensor2D), p[`gcn${l}.b`]);
    h = tf.relu(lin).reshape([b, n, cfg.gcnHidden]) as TF.Tensor3D;
  }
  // Mean over nodes keeps per-node (per-operation) costs additive; the global node adds context.
  const mean = tf.mean(h, 1) as TF.Tensor2D;
  const global = tf.squeeze(tf.slice(h, [0, cfg.nodes - 1, 0], [-1, 1, -1]), [1]) as TF.Tensor2D;
  if (!cfg.linearInputs) return tf.concat([mean, global], 1);
  const flat = x.reshape([x.shape[0], cfg.linearInputs]) as TF.Tensor2D;
  return tf.concat([flat, mean, global], 1);
}

/** Hardware branch: normalised reference latencies [T, 10] -> [T, hwHidden]. */
export function encodeHardware(tf: typeof TF, p: Params, refs: TF.Tensor2D): TF.Tensor2D {
  const h0 = tf.relu(tf.add(tf.matMul(refs, p['hw0.w'] as TF.Tensor2D), p['hw0.b']));
  return tf.relu(tf.add(tf.matMul(h0, p['hw1.w'] as TF.Tensor2D), p['hw1.b'])) as TF.Tensor2D;
}

/** Per-task head parameters after z-modulation: W [T, in, out], b [T, 1, out]. */
export function modulatedHead(tf: typeof TF, p: Params, cfg: HelpConfig, hw: TF.Tensor2D): TF.Tensor[] {
  const out: TF.Tensor[] = [];
  const t = hw.shape[0];
  headDims(cfg).forEach(([i, o], l) => {
    const gamma = tf.tanh(tf.add(tf.matMul(hw, p[`zmul${l}.w`] as TF.Tensor2D), p[`zmul${l}.b`])); // [T, o]
    const beta = tf.add(tf.matMul(hw, p[`zadd${l}.w`] as TF.Tensor2D), p[`zadd${l}.b`]); // [T, o]
    const w = tf.mul(p[`head${l}.w`].expandDims(0), tf.add(1, gamma).reshape([t, 1, o]));
    const b = tf.add(p[`head${l}.b`].reshape([1, 1, o]), beta.reshape([t, 1, o]));
    out.push(w, b);
    void i;
  });
  if (cfg.linearInputs) {
    const li = cfg.linearInputs;
    const gamma = tf.tanh(tf.matMul(hw, p['zlinmul.w'] as TF.Tensor2D)).reshape([t, li, 1]);
    const beta = tf.matMul(hw, p['zlinadd.w'] as TF.Tensor2D).reshape([t, li, 1]);
    out.push(tf.add(tf.mul(p['lin.w'].expandDims(0), tf.add(1, gamma)), beta));
  }
  return out;
}

/** Head forward: features [T, N, D] with per-task parameters -> [T, N]. */
export function headForward(tf: typeof TF, head: TF.Tensor[], features: TF.Tensor3D): TF.Tensor2D {
  let h: TF.Tensor = features;
  const layers = Math.floor(head.length / 2);
  for (let l = 0; l < layers; l++) {
    h = tf.add(tf.matMul(h as TF.Tensor3D, head[2 * l] as TF.Tensor3D), head[2 * l + 1]);
    if (l < layers - 1) h = tf.relu(h);
  }
  if (head.length % 2 === 1) {
    // Linear path over the first `linearInputs` features (the flattened node one-hots).
    const v = head[head.length - 1] as TF.Tensor3D;
    const lin = tf.slice(features, [0, 0, 0], [-1, -1, v.shape[1]]) as TF.Tensor3D;
    h = tf.add(h, tf.matMul(lin, v));
  }
  return tf.squeeze(h, [2]) as TF.Tensor2D;
}

/** Joins architecture embeddings [T, N, 2H] with each task's hardware embedding [T, hwHidden]. */
export function joinFeatures(tf: typeof TF, arch: TF.Tensor3D, hw: TF.Tensor2D): TF.Tensor3D {
  const [t, n] = arch.shape;
  const tiled = tf.tile(hw.reshape([t, 1, hw.shape[1]]), [1, n, 1]);
  return tf.concat([arch, tiled], 2) as TF.Tensor3D;
}

/**
 * Meta-SGD inner loop: `steps` gradient steps on the support MSE with per-parameter step sizes.
 * Differentiable end to end, so the outer loss trains the initial head, the modulator and the step sizes.
 */
export function adaptHead(
  tf: typeof TF,
  p: Params,
  cfg: HelpConfig,
  head: TF.Tensor[],
  supportFeatures: TF.Tensor3D,
  supportTargets: TF.Tensor2D,
  steps = cfg.innerSteps,
): TF.Tensor[] {
  let cur = head;
  const lrs: TF.Tensor[] = [];
  for (let l = 0; l < Math.floor(head.length / 2); l++) lrs.push(p[`lr${l}.w`], p[`lr${l}.b`]);
  if (head.length % 2 === 1) lrs.push(p['lrlin.w']);
  for (let s = 0; s < steps; s++) {
    const lossOf = (...hp: TF.Tensor[]) => {
      const pred = headForward(tf, hp, supportFeatures);
      // Sum over tasks of each task's mean squared error: tasks do not share head parameters.
      return tf.sum(tf.mean(tf.square(tf.sub(pred, supportTargets)), 1));
    };
    const grads = tf.grads(lossOf)(cur);
    cur = cur.map((w, i) => {
      const lr = lrs[i].shape.length === 1 ? lrs[i].reshape([1, 1, -1]) : lrs[i].expandDims(0);
      return tf.sub(w, tf.mul(lr, grads[i]));
    });
  }
  return cur;
}

/** Normalised reference latencies and the (mean, std) used to normalise a device's latencies. */
export function referenceStats(refs: ArrayLike<number>): { mean: number; std: number; normalised: number[] } {
  const n = refs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += refs[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (refs[i] - m) ** 2;
  const std = Math.sqrt(v / n) || 1e-6;
  const normalised: number[] = [];
  for (let i = 0; i < n; i++) normalised.push((refs[i] - m) / std);
  return { mean: m, std, normalised };
}
