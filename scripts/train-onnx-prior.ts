// The prior of the `onnx` space (weights/onnx-prior.json): per-feature costs fitted on generated training
// models (priorTrainingModels: the reference generators at random sizes, fixed seed; never a zoo model)
// plus the references, measured on this machine with onnxruntime (1 thread, fastest run over interleaved
// passes). Only the ratios of the costs matter: every device rescales and refits them from its own
// measurements of the references (src/core/onnx/latency.ts).
//   npm run train:onnx-prior [-- --models N] [-- --passes N] [-- --refit]
// --refit fits again from the measurements stored in weights/onnx-prior.json (no measuring; deterministic).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureZoo } from '../bench/zoo-measure';
import { ONNX_REFERENCES, priorTrainingModels } from '../src/core/onnx/referenceModels';
import { COST_FEATURES, fitCosts, modelCosts, PRIOR_COSTS } from '../src/core/onnx/latency';
import { readOnnxBytes } from '../src/core/onnx/reader';

const a = process.argv.slice(2);
const opt = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
const count = Number(opt('--models') ?? 80);
const passes = Number(opt('--passes') ?? 3);
const out = path.join(process.cwd(), 'weights/onnx-prior.json');

interface Measured {
  name: string;
  ms: number;
}

(async () => {
  const models = [...ONNX_REFERENCES, ...priorTrainingModels(count)];
  let measured: Measured[];
  if (a.includes('--refit')) {
    measured = (JSON.parse(fs.readFileSync(out, 'utf8')) as { samples: Measured[] }).samples;
  } else {
    const dir = path.join(process.cwd(), '.cache/onnx-prior');
    fs.mkdirSync(dir, { recursive: true });
    const entries = models.map((m) => {
      const f = path.join(dir, `${m.name}.onnx`);
      const bytes = m.write();
      if (!fs.existsSync(f) || !fs.readFileSync(f).equals(Buffer.from(bytes))) fs.writeFileSync(f, bytes);
      return { file: f, family: 'prior', inputs: [{ name: m.inputName, shape: m.inputShape, dtype: 'float32' }] };
    });
    const r = await measureZoo(dir, passes, path.join(dir, 'measured.json'), (l) => process.stderr.write(l + '\n'), entries);
    measured = models.map((m, i) => ({ name: m.name, ms: Number(r[i].fastestMs.toPrecision(4)) }));
  }
  const byName = new Map(measured.map((m) => [m.name, m.ms]));
  const rows = models.filter((m) => byName.has(m.name)).map((m) => ({ name: m.name, x: modelCosts(readOnnxBytes(m.write())).features, y: byName.get(m.name)! }));
  // Nearly unregularised: the data decide (the centre only breaks ties of features no model exercises).
  const lambda = 1e-3;
  // A cost the data set to 0 keeps 10% of its starting value: a zero prior would stop every device from
  // ever giving that feature a cost (the fit scales the prior).
  const start: number[] = JSON.parse(fs.readFileSync(out, 'utf8')).start ?? PRIOR_COSTS;
  const costs = fitCosts(rows.map((r) => r.x), rows.map((r) => r.y), PRIOR_COSTS, lambda).map((c, j) => Math.max(c, 0.1 * start[j]));
  const pred = (c: number[], x: number[]) => x.reduce((s, v, j) => s + v * c[j], 0);
  // Leave-one-out relative error of the fit over the training models (a check, not a target).
  const loo = rows.map((r, i) => {
    const rest = rows.filter((_, k) => k !== i);
    const c = fitCosts(rest.map((q) => q.x), rest.map((q) => q.y), PRIOR_COSTS, lambda);
    return Math.abs(pred(c, r.x) / r.y - 1);
  });
  const mape = loo.reduce((s, v) => s + v, 0) / loo.length;
  for (const [i, r] of rows.entries()) process.stderr.write(`${r.name.padEnd(24)} ${r.y.toFixed(3).padStart(9)} ms  fit ${pred(costs, r.x).toFixed(3).padStart(9)}  loo ${(100 * loo[i]).toFixed(1)}%\n`);
  const doc = {
    about: 'Prior per-feature costs (ms per unit) of the onnx space, fitted by scripts/train-onnx-prior.ts on the samples below (generated models measured with onnxruntime, 1 thread).',
    features: [...COST_FEATURES],
    costs: costs.map((c) => Number(c.toPrecision(4))),
    start,
    looMeanApe: Number(mape.toFixed(4)),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    samples: measured,
  };
  fs.writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  process.stdout.write(`${rows.length} models; leave-one-out mean APE ${(100 * mape).toFixed(1)}%; costs ${doc.costs.join(', ')}\n`);
})();
