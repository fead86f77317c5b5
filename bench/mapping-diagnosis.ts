// Why a device's mapping does or does not follow its most similar source device: per protocol seed, the
// leave-one-out error of the (unbagged) choice on the 20 samples against that of the best single source
// with the network (the `net+source` family), and which source that is.
//   node --import tsx bench/mapping-diagnosis.ts [--devices a,b] [--seeds N]   (NAS-Bench-201)
import { loadTf } from '../src/core/predictor/tf';
import { LatencyPredictor } from '../src/core/predictor/service';
import { loadTrainingData } from '../src/core/training/dataset';
import { evaluationSources } from '../src/core/eval/evaluate';
import { protocolTask } from '../src/core/eval/protocol';
import { chooseOnSamples, NET_PENALTIES } from '../src/core/predictor/combine';
import { fitRidge } from '../src/core/predictor/linear';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

(async () => {
  const tf = await loadTf();
  const predictor = LatencyPredictor.load(tf, 'nasbench201');
  const { space, tables, graphs } = loadTrainingData('nasbench201');
  const sources = evaluationSources(predictor.weights, tables);
  const costRows = tables.architectures.map((a) => space.costFeatures!(space.canonical(a)));
  const devices = arg('devices')?.split(',') ?? tables.splits.meta_test.filter((d) => tables.devices.includes(d));
  const seeds = Number(arg('seeds') ?? 10);
  for (const device of devices) {
    const lat = tables.latency(device);
    const names = sources.filter((d) => d !== device);
    const bank = names.map((d) => tables.latency(d));
    process.stdout.write(`${device}: seed, chosen mapping, its leave-one-out MSE / best single source's (which source)\n`);
    for (let seed = 0; seed < seeds; seed++) {
      const task = protocolTask('nasbench201', lat, tables.referenceIndices, 10, seed);
      const y = task.support.map((i) => lat[i]);
      const emb = predictor.net.embed(graphs, task.support);
      const adapted = predictor.net.adapt(emb, y);
      const f = Array.from(predictor.net.predictNormalised(adapted, emb));
      predictor.net.dispose(adapted);
      tf.dispose(emb);
      const rows = task.support.map((i) => bank.map((t) => t[i]));
      const chosen = chooseOnSamples(f, rows, y, task.support.map((i) => costRows[i]));
      let best = { j: 0, mse: Infinity };
      for (let j = 0; j < names.length; j++) {
        for (const pn of NET_PENALTIES) {
          const fit = fitRidge(f.map((v, i) => [v, rows[i][j]]), y, [pn, 0]);
          if (fit.looMse < best.mse) best = { j, mse: fit.looMse };
        }
      }
      process.stdout.write(`  ${seed}  ${chosen.kind.padEnd(10)}  ${(chosen.looMse / best.mse).toFixed(2)}  (${names[best.j]})\n`);
    }
  }
})();
