// Run-time use of a meta-trained HELP model: embed architectures (cached), adapt the head to a device
// from its samples with the learned Meta-SGD steps, and predict normalised latencies.
import type * as TF from '@tensorflow/tfjs';
import {
  adaptHead,
  encodeArchitectures,
  encodeHardware,
  headForward,
  HelpConfig,
  joinFeatures,
  modulatedHead,
  Params,
  referenceStats,
} from './model';
import { gatherGraphs, GraphBatch } from './encodings';

export interface AdaptedHead {
  /** Adapted head parameters for one task ([1, in, out] / [1, 1, out]). */
  head: TF.Tensor[];
  hw: TF.Tensor2D;
  /** Normalisation of this device's latencies (from its reference latencies). */
  mean: number;
  std: number;
}

export class HelpNetwork {
  constructor(
    readonly tf: typeof TF,
    readonly params: Params,
    readonly cfg: HelpConfig,
  ) {}

  /** Architecture embeddings [k, 2H] for rows of a graph batch, computed in chunks to bound memory. */
  embed(graphs: GraphBatch, rows: ArrayLike<number>): TF.Tensor2D {
    const tf = this.tf;
    const chunk = 4096;
    const parts: TF.Tensor2D[] = [];
    for (let s = 0; s < rows.length; s += chunk) {
      const sel = Array.from(rows).slice(s, s + chunk);
      parts.push(
        tf.tidy(() => {
          const { x, adj } = gatherGraphs(tf, graphs, sel);
          return encodeArchitectures(tf, this.params, this.cfg, x, adj);
        }),
      );
    }
    if (parts.length === 1) return parts[0];
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  }

  /**
   * Adapts the head to one device. `supportEmb` [n, 2H] are the embeddings of the support architectures,
   * the first 10 of which are the reference architectures; `latencies` are their measured ms.
   */
  adapt(supportEmb: TF.Tensor2D, latencies: number[], steps = this.cfg.innerSteps, referenceCount = this.cfg.hwInput): AdaptedHead {
    const tf = this.tf;
    const stats = referenceStats(latencies.slice(0, referenceCount));
    const head = tf.tidy(() => {
      const hw = encodeHardware(tf, this.params, tf.tensor2d([stats.normalised]));
      const feats = joinFeatures(tf, supportEmb.expandDims(0) as TF.Tensor3D, hw);
      const targets = tf.tensor2d([latencies.map((y) => normalise(y, stats.mean, stats.std))]);
      const h0 = modulatedHead(tf, this.params, this.cfg, hw);
      return [...adaptHead(tf, this.params, this.cfg, h0, feats, targets, steps), hw];
    });
    const hw = head.pop() as TF.Tensor2D;
    return { head, hw, mean: stats.mean, std: stats.std };
  }

  /** Normalised predictions for embedded architectures [k, 2H]. */
  predictNormalised(adapted: AdaptedHead, emb: TF.Tensor2D): Float32Array {
    const tf = this.tf;
    return tf.tidy(() => {
      const feats = joinFeatures(tf, emb.expandDims(0) as TF.Tensor3D, adapted.hw);
      return headForward(tf, adapted.head, feats);
    }).dataSync() as Float32Array;
  }

  dispose(adapted: AdaptedHead): void {
    this.tf.dispose([...adapted.head, adapted.hw]);
  }
}

/** Normalised latency, clipped so that a broken measurement cannot dominate a squared loss. */
export function normalise(y: number, mean: number, std: number): number {
  return Math.max(-6, Math.min(6, (y - mean) / std));
}

/** What prediction needs from a network or an ensemble of them. */
export interface LatencyNet {
  embed(graphs: GraphBatch, rows: ArrayLike<number>): TF.Tensor2D;
  adapt(supportEmb: TF.Tensor2D, latencies: number[], steps?: number): AdaptedHead;
  predictNormalised(adapted: AdaptedHead, emb: TF.Tensor2D): Float32Array;
  dispose(adapted: AdaptedHead): void;
}

/**
 * Several independently meta-trained HELP networks (different inductive biases and seeds), each adapted
 * on its own; their normalised predictions are averaged. Embeddings, heads and hardware embeddings of the
 * members are concatenated so that an ensemble looks like one network to its callers and device files.
 */
export class HelpEnsemble implements LatencyNet {
  constructor(
    readonly tf: typeof TF,
    readonly members: HelpNetwork[],
  ) {}

  private embWidths(): number[] {
    return this.members.map((m) => (m.cfg.linearInputs ?? 0) + 2 * m.cfg.gcnHidden);
  }

  private headLengths(): number[] {
    return this.members.map((m) => 2 * (m.cfg.headHidden.length + 1) + (m.cfg.linearInputs ? 1 : 0));
  }

  private sliceCols(t: TF.Tensor2D, widths: number[], i: number): TF.Tensor2D {
    const start = widths.slice(0, i).reduce((a, b) => a + b, 0);
    return this.tf.slice(t, [0, start], [-1, widths[i]]);
  }

  embed(graphs: GraphBatch, rows: ArrayLike<number>): TF.Tensor2D {
    const parts = this.members.map((m) => m.embed(graphs, rows));
    if (parts.length === 1) return parts[0];
    const out = this.tf.concat(parts, 1);
    this.tf.dispose(parts);
    return out;
  }

  adapt(supportEmb: TF.Tensor2D, latencies: number[], steps?: number): AdaptedHead {
    const widths = this.embWidths();
    const adapted = this.members.map((m, i) => {
      const e = this.sliceCols(supportEmb, widths, i);
      const a = m.adapt(e, latencies, steps ?? m.cfg.innerSteps);
      e.dispose();
      return a;
    });
    const hw = this.tf.concat(adapted.map((a) => a.hw), 1);
    this.tf.dispose(adapted.map((a) => a.hw));
    return { head: adapted.flatMap((a) => a.head), hw, mean: adapted[0].mean, std: adapted[0].std };
  }

  predictNormalised(adapted: AdaptedHead, emb: TF.Tensor2D): Float32Array {
    const widths = this.embWidths();
    const lens = this.headLengths();
    const hwWidths = this.members.map((m) => m.cfg.hwHidden);
    const sum = new Float32Array(emb.shape[0]);
    let h0 = 0;
    this.members.forEach((m, i) => {
      const e = this.sliceCols(emb, widths, i);
      const hw = this.sliceCols(adapted.hw, hwWidths, i);
      const p = m.predictNormalised({ head: adapted.head.slice(h0, h0 + lens[i]), hw, mean: adapted.mean, std: adapted.std }, e);
      this.tf.dispose([e, hw]);
      for (let k = 0; k < sum.length; k++) sum[k] += p[k] / this.members.length;
      h0 += lens[i];
    });
    return sum;
  }

  dispose(adapted: AdaptedHead): void {
    this.tf.dispose([...adapted.head, adapted.hw]);
  }
}
