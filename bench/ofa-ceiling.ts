// How well can anything rank an OFA device's latencies? An MLP trained on 4,000 of the device's *own*
// measured architectures (far more than any few-shot predictor sees), scored like the paper's protocol on
// the queries [4000, 5000) trimmed to the 10-90% latency quantiles. On titan_rtx_32 this reaches ~0.99;
// on titan_rtx_1 it stays far below, i.e. its table is dominated by something the architecture does not
// determine (batch-1 launch overheads and timing noise), which bounds every predictor.
//   node --import tsx bench/ofa-ceiling.ts [--devices a,b] [--seed N]
import { loadTf } from '../src/core/predictor/tf';
import { loadSpaceTables } from '../src/core/training/dataset';
import { getSpace } from '../src/core/spaces/registry';
import { spearman } from '../src/core/eval/metrics';

(async () => {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const devices = (arg('devices') ?? 'titan_rtx_1,titan_rtx_32').split(',');
  const seed = Number(arg('seed') ?? 0);
  const tf = await loadTf();
  const t = loadSpaceTables('ofa');
  const space = getSpace('ofa');
  const x = t.architectures.map((a) => Array.from(space.graph(space.canonical(a)).x));
  const train = Array.from({ length: 4000 }, (_, i) => i);
  const queries = Array.from({ length: 1000 }, (_, i) => 4000 + i);
  for (const device of devices) {
    const lat = Array.from(t.latency(device));
    const mu = train.reduce((s, i) => s + lat[i], 0) / train.length;
    const sd = Math.sqrt(train.reduce((s, i) => s + (lat[i] - mu) ** 2, 0) / train.length);
    const dense = (units: number, k: number, activation?: 'relu') =>
      tf.layers.dense({ units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + k }), ...(k === 0 ? { inputShape: [x[0].length] } : {}) });
    const model = tf.sequential({ layers: [dense(128, 0, 'relu'), dense(128, 1, 'relu'), dense(1, 2)] });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const xs = tf.tensor2d(train.map((i) => x[i]));
    const ys = tf.tensor2d(train.map((i) => [(lat[i] - mu) / sd]));
    await model.fit(xs, ys, { epochs: 60, batchSize: 64, shuffle: false, verbose: 0 });
    const sorted = queries.map((i) => lat[i]).sort((a, b) => a - b);
    const [lo, hi] = [sorted[100], sorted[900]];
    const q = queries.filter((i) => lat[i] >= lo && lat[i] <= hi);
    const pred = Array.from((model.predict(tf.tensor2d(q.map((i) => x[i]))) as { dataSync(): Float32Array }).dataSync());
    console.log(`${device}: MLP trained on its own 4,000 architectures, Spearman on ${q.length} queries ${spearman(pred, q.map((i) => lat[i])).toFixed(4)}`);
    tf.dispose([xs, ys]);
    model.dispose();
  }
})().catch((e) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
