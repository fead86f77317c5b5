// Episodic meta-training of the HELP network (MAML with Meta-SGD step sizes, second-order through the
// head). Each episode batches several source devices as tasks into single tensor ops: a task's support set
// is the 10 reference architectures plus random shots, its query set random architectures of the table.
// Model selection: the parameters with the best mean Spearman on the meta-validation devices under the
// paper's protocol.
import type * as TF from '@tensorflow/tfjs';
import { makeRng } from '../spaces/space';
import { DEFAULT_CONFIG, HelpConfig, initParams, Params, encodeArchitectures, encodeHardware, joinFeatures, modulatedHead, adaptHead, headForward, referenceStats } from '../predictor/model';
import { gatherGraphs, GraphBatch } from '../predictor/encodings';
import { HelpNetwork, normalise } from '../predictor/help';
import { MemberWeights, serializeParams } from '../predictor/weights';
import { protocolTask, sampleWithoutReplacement } from '../eval/protocol';
import { spearman } from '../eval/metrics';
import type { SpaceTables } from './dataset';

export interface MetaTrainOptions {
  space: string;
  tables: SpaceTables;
  graphs: GraphBatch;
  train: string[];
  valid: string[];
  seed: number;
  episodes: number;
  tasksPerEpisode: number;
  shots: number;
  queriesPerTask: number;
  learningRate: number;
  validEvery: number;
  config?: HelpConfig;
  log?: (line: string) => void;
  shouldStop?: () => boolean;
}

export const DEFAULT_META_TRAIN = {
  episodes: 2400,
  tasksPerEpisode: 8,
  shots: 10,
  queriesPerTask: 100,
  learningRate: 1e-3,
  validEvery: 100,
};

/**
 * Episodes per network by space: enough to pass the best validation checkpoint of the seed-0 run with a
 * margin, and no more, so that meta-training fits in 30 minutes on 2 cores. Checkpoints are chosen by
 * validation and nothing depends on the total, so a longer run gives the same weights unless it finds a
 * better checkpoint later. (Seed 0: NAS-Bench-201 best at 1,500 and 2,000; FBNet at 700 and 900; OFA at
 * 300 and 200, after which validation only falls.)
 */
export const DEFAULT_EPISODES: Record<string, number> = { nasbench201: 2400, fbnet: 1200, ofa: 800 };

export async function metaTrain(tf: typeof TF, o: MetaTrainOptions): Promise<MemberWeights> {
  const cfg = o.config ?? DEFAULT_CONFIG;
  const log = o.log ?? (() => {});
  const rng = makeRng(o.seed);
  const params = initParams(tf, cfg, o.seed * 7919 + 1);
  const optimizer = tf.train.adam(o.learningRate);
  const refs = o.tables.referenceIndices;
  const n = o.graphs.count;
  const tables = o.train.map((d) => o.tables.latency(d));
  const started = Date.now();

  let best = { score: -Infinity, params: serializeParams(params), episode: 0 };
  for (let ep = 1; ep <= o.episodes; ep++) {
    if (o.shouldStop?.()) break;
    const t = o.tasksPerEpisode;
    const ns = refs.length + o.shots;
    const rows: number[] = [];
    const sTargets: number[] = [];
    const qTargets: number[] = [];
    const refNorm: number[] = [];
    for (let k = 0; k < t; k++) {
      const lat = tables[Math.floor(rng() * tables.length)];
      const shots = sampleWithoutReplacement(n, o.shots, rng, new Set(refs));
      const queries = sampleWithoutReplacement(n, o.queriesPerTask, rng);
      const st = referenceStats(refs.map((i) => lat[i]));
      refNorm.push(...st.normalised);
      for (const i of [...refs, ...shots]) {
        rows.push(i);
        sTargets.push(normalise(lat[i], st.mean, st.std));
      }
      for (const i of queries) {
        rows.push(i);
        qTargets.push(normalise(lat[i], st.mean, st.std));
      }
    }
    const nq = o.queriesPerTask;
    const { value, grads } = tf.tidy(() => {
      const { x, adj } = gatherGraphs(tf, o.graphs, rows);
      const sT = tf.tensor2d(sTargets, [t, ns]);
      const qT = tf.tensor2d(qTargets, [t, nq]);
      const refT = tf.tensor2d(refNorm, [t, refs.length]);
      return tf.variableGrads(() => {
        const emb = encodeArchitectures(tf, params, cfg, x, adj).reshape([t, ns + nq, -1]) as TF.Tensor3D;
        const hw = encodeHardware(tf, params, refT);
        const feats = joinFeatures(tf, emb, hw);
        const sF = tf.slice(feats, [0, 0, 0], [-1, ns, -1]) as TF.Tensor3D;
        const qF = tf.slice(feats, [0, ns, 0], [-1, nq, -1]) as TF.Tensor3D;
        const head = adaptHead(tf, params, cfg, modulatedHead(tf, params, cfg, hw), sF, sT);
        return tf.mean(tf.square(tf.sub(headForward(tf, head, qF), qT))) as TF.Scalar;
      }, Object.values(params) as TF.Variable[]);
    });
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    if (ep % o.validEvery === 0 || ep === o.episodes) {
      const score = o.valid.length ? validate(tf, params, cfg, o) : -loss;
      if (score > best.score) best = { score, params: serializeParams(params), episode: ep };
      const secs = (Date.now() - started) / 1000;
      log(`episode ${ep}/${o.episodes} loss ${loss.toFixed(4)} valid spearman ${score.toFixed(4)} best ${best.score.toFixed(4)}@${best.episode} ${secs.toFixed(0)}s`);
    }
  }
  tf.dispose(Object.values(params));
  optimizer.dispose();
  return {
    config: cfg,
    seed: o.seed,
    episodes: best.episode,
    trainSeconds: Math.round((Date.now() - started) / 1000),
    validSpearman: best.score,
    params: best.params,
  };
}

/** Mean Spearman of the adapted network over the validation devices, paper protocol, 2 seeds. */
function validate(tf: typeof TF, params: Params, cfg: HelpConfig, o: MetaTrainOptions): number {
  const net = new HelpNetwork(tf, params, cfg);
  let sum = 0;
  let k = 0;
  for (const d of o.valid) {
    const lat = o.tables.latency(d);
    for (let seed = 0; seed < 2; seed++) {
      const task = protocolTask(o.space, lat, o.tables.referenceIndices, o.shots, seed);
      const sEmb = net.embed(o.graphs, task.support);
      const qEmb = net.embed(o.graphs, task.queries);
      const adapted = net.adapt(sEmb, task.support.map((i) => lat[i]));
      const pred = net.predictNormalised(adapted, qEmb);
      sum += spearman(pred, task.queries.map((i) => lat[i]));
      k++;
      net.dispose(adapted);
      tf.dispose([sEmb, qEmb]);
    }
  }
  return sum / k;
}
