// Batches of graph encodings in the layout the GCN consumes, with adjacency row-normalised
// (each node averages the messages it receives, self included).
import type * as TF from '@tensorflow/tfjs';
import type { GraphEncoding } from '../spaces/space';

export interface GraphBatch {
  count: number;
  nodes: number;
  features: number;
  x: Float32Array;
  adjNorm: Float32Array;
}

export function batchGraphs(graphs: GraphEncoding[]): GraphBatch {
  if (graphs.length === 0) throw new Error('empty architecture batch');
  const { nodes, features } = graphs[0];
  const x = new Float32Array(graphs.length * nodes * features);
  const adjNorm = new Float32Array(graphs.length * nodes * nodes);
  graphs.forEach((g, b) => {
    x.set(g.x, b * nodes * features);
    for (let i = 0; i < nodes; i++) {
      let deg = 0;
      for (let j = 0; j < nodes; j++) deg += g.adj[i * nodes + j];
      for (let j = 0; j < nodes; j++) adjNorm[b * nodes * nodes + i * nodes + j] = deg > 0 ? g.adj[i * nodes + j] / deg : 0;
    }
  });
  return { count: graphs.length, nodes, features, x, adjNorm };
}

/** Selects rows of a batch (by position) as tensors [k, nodes, features] and [k, nodes, nodes]. */
export function gatherGraphs(tf: typeof TF, batch: GraphBatch, rows: ArrayLike<number>): { x: TF.Tensor3D; adj: TF.Tensor3D } {
  const k = rows.length;
  const { nodes, features } = batch;
  const x = new Float32Array(k * nodes * features);
  const adj = new Float32Array(k * nodes * nodes);
  for (let r = 0; r < k; r++) {
    const i = rows[r];
    x.set(batch.x.subarray(i * nodes * features, (i + 1) * nodes * features), r * nodes * features);
    adj.set(batch.adjNorm.subarray(i * nodes * nodes, (i + 1) * nodes * nodes), r * nodes * nodes);
  }
  return { x: tf.tensor3d(x, [k, nodes, features]), adj: tf.tensor3d(adj, [k, nodes, nodes]) };
}
