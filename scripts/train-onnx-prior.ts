// The prior of the `onnx` space (weights/onnx-prior.json): per-feature costs fitted on generated training
// models (priorTrainingModels: the reference generators at random sizes; mobileTrainingModels: full-depth
// mobile networks; nasSpaceTrainingModels: FBNet, OFA and NAS-Bench-201 samples; genericConvTrainingModels:
// 1-D convolution stacks and UNets; fixed seeds, never a zoo model) plus the references, measured on this
// machine with onnxruntime (1 thread) by the rule and runner that measure a device (bench/zoo-measure.ts).
// Only the ratios of the costs matter: every device rescales and refits them from its own measurements of
// the references (src/core/onnx/latency.ts).
//   npm run train:onnx-prior [-- --models N] [-- --mobile N] [-- --nas N] [-- --generic N] [-- --passes MIN_VISITS] [-- --refit | --check]
// --refit fits again from the measurements stored in weights/onnx-prior-samples.json (no measuring;
// deterministic); --check does that and fails (exit 1) when the result differs from the bundled prior.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generatedEntries, measureZoo } from '../bench/zoo-measure';
import { matchKernels, profileModel } from '../bench/kernel-profile';
import { genericConvTrainingModels, mobileTrainingModels, nasSpaceTrainingModels, ONNX_REFERENCES, priorTrainingModels } from '../src/core/onnx/referenceModels';
import { COST_FEATURES, fitCosts, kernelFeatures, modelCosts, PRIOR_COSTS } from '../src/core/onnx/latency';
import { readOnnxBytes } from '../src/core/onnx/reader';

const a = process.argv.slice(2);
const opt = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
const count = Number(opt('--models') ?? 154);
const mobileCount = Number(opt('--mobile') ?? 24);
const nasCount = Number(opt('--nas') ?? 12);
const genericCount = Number(opt('--generic') ?? 18);
const passes = opt('--passes') !== undefined ? Number(opt('--passes')) : undefined;
const out = path.join(process.cwd(), 'weights/onnx-prior.json');
/** The measurements behind the prior (not bundled): totals and onnxruntime's per-kernel profile. */
const samplesFile = path.join(process.cwd(), 'weights/onnx-prior-samples.json');
/** A model's total counts as this many kernels in the fit (it carries the per-run cost and the layout
 *  reorders no kernel is matched with). */
const TOTAL_WEIGHT = 4;

interface Measured {
  name: string;
  ms: number;
}

(async () => {
  const models = [...ONNX_REFERENCES, ...priorTrainingModels(count), ...mobileTrainingModels(mobileCount), ...nasSpaceTrainingModels(nasCount), ...genericConvTrainingModels(genericCount)];
  let measured: Measured[];
  /** Per model: [kernel index, profiled µs] of the kernels matched with onnxruntime's profile. */
  let profiles: Record<string, [number, number][]>;
  let profiledTotalUs: Record<string, number>;
  /** Per model: the profiled nodes' µs (every node, matched or not). */
  let profiledNodesUs: Record<string, number[]>;
  if (a.includes('--refit') || a.includes('--check')) {
    const stored = JSON.parse(fs.readFileSync(samplesFile, 'utf8')) as { samples: Measured[]; profiles: Record<string, [number, number][]>; profiledTotalUs: Record<string, number>; profiledNodesUs: Record<string, number[]> };
    ({ samples: measured, profiles, profiledTotalUs, profiledNodesUs } = stored);
  } else {
    const dir = path.join(process.cwd(), '.cache/onnx-prior');
    const entries = generatedEntries(dir, models, 'prior');
    const r = await measureZoo(dir, passes, path.join(dir, 'measured.json'), (l) => process.stderr.write(l + '\n'), entries);
    measured = models.map((m, i) => ({ name: m.name, ms: Number(r[i].fastestMs.toPrecision(4)) }));
    profiles = {};
    profiledTotalUs = {};
    profiledNodesUs = {};
    for (const [i, m] of models.entries()) {
      const p = await profileModel(entries[i].file, { [m.inputName]: { dtype: 'float32', shape: m.inputShape } }, 20);
      const mc = modelCosts(readOnnxBytes(m.write()));
      const us = matchKernels(mc.kernels, p.nodes);
      profiles[m.name] = us.flatMap((v, k) => (v === undefined ? [] : [[k, v] as [number, number]]));
      profiledTotalUs[m.name] = p.nodes.reduce((s2, n) => s2 + n.us, 0);
      profiledNodesUs[m.name] = p.nodes.map((n) => n.us);
      if ((i + 1) % 20 === 0) process.stderr.write(`profiled ${i + 1}/${models.length}\n`);
    }
    fs.writeFileSync(samplesFile, JSON.stringify({ about: 'Measurements behind weights/onnx-prior.json (scripts/train-onnx-prior.ts): fastest total per model, and per model [kernel index, µs] from onnxruntime\'s profiler.', samples: measured, profiles, profiledTotalUs, profiledNodesUs }) + '\n');
  }
  const byName = new Map(measured.map((m) => [m.name, m.ms]));
  // Rows per model: its total (relative error, weight TOTAL_WEIGHT) and each profiled kernel (error relative
  // to the model's total, the kernel's time scaled so that the profile adds up to the measured total:
  // the profiler's own overhead is spread evenly).
  interface Row { model: string; x: number[]; y: number; by: number; total: boolean }
  const rows: Row[] = [];
  const totals: { name: string; x: number[]; y: number }[] = [];
  for (const m of models) {
    const y = byName.get(m.name);
    if (y === undefined) continue;
    const mc = modelCosts(readOnnxBytes(m.write()));
    totals.push({ name: m.name, x: mc.features, y });
    rows.push({ model: m.name, x: mc.features, y, by: y / Math.sqrt(TOTAL_WEIGHT), total: true });
    // The profiler adds its own time to every node: the per-node excess of the profiled sum over the
    // plain run (at most 80% of a node) is taken off each node, the rest scaled to the plain total.
    const nodesUs = profiledNodesUs[m.name] ?? [];
    const excess = nodesUs.length ? Math.max(0, ((profiledTotalUs[m.name] ?? 0) - y * 1000) / nodesUs.length) : 0;
    const adjust = (us: number) => Math.max(us - excess, 0.2 * us);
    const adjustedSum = nodesUs.reduce((s2, us) => s2 + adjust(us), 0);
    const k = y / Math.max(1e-9, adjustedSum / 1000);
    for (const [ki, us] of profiles[m.name] ?? []) {
      const kern = mc.kernels[ki];
      if (!kern) continue;
      rows.push({ model: m.name, x: kernelFeatures(kern, mc.coldWeights), y: (adjust(us) / 1000) * k, by: y, total: false });
    }
  }
  // Nearly unregularised: the data decide (the centre only breaks ties of features no model exercises).
  const lambda = 1e-6;
  // A cost the data set to 0 keeps 10% of its starting value: a zero prior would stop every device from
  // ever giving that feature a cost (the fit scales the prior).
  const start: number[] = JSON.parse(fs.readFileSync(out, 'utf8')).start ?? PRIOR_COSTS;
  const fit = (rs: Row[]) => fitCosts(rs.map((r) => r.x), rs.map((r) => r.y), start, lambda, rs.map((r) => r.by)).map((c, j) => Math.max(c, 0.1 * start[j]));
  const costs = fit(rows);
  const pred = (c: number[], x: number[]) => x.reduce((s2, v, j) => s2 + v * c[j], 0);
  // Leave-one-model-out relative error of the totals (a check, not a target).
  const loo = totals.map((t) => {
    const c = fit(rows.filter((r) => r.model !== t.name));
    return Math.abs(pred(c, t.x) / t.y - 1);
  });
  const mape = loo.reduce((s2, v) => s2 + v, 0) / loo.length;
  const kernelRows = rows.filter((r) => !r.total).length;
  for (const [i, r] of totals.entries()) process.stderr.write(`${r.name.padEnd(24)} ${r.y.toFixed(3).padStart(9)} ms  fit ${pred(costs, r.x).toFixed(3).padStart(9)}  loo ${(100 * loo[i]).toFixed(1)}%\n`);
  const doc = {
    about: 'Prior per-feature costs (ms per unit) of the onnx space, fitted by scripts/train-onnx-prior.ts on the samples below (generated models measured with onnxruntime, 1 thread).',
    features: [...COST_FEATURES],
    costs: costs.map((c) => Number(c.toPrecision(4))),
    start,
    looMeanApe: Number(mape.toFixed(4)),
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    models: totals.length,
    profiledKernels: kernelRows,
  };
  if (a.includes('--check')) {
    const bundled = (JSON.parse(fs.readFileSync(out, 'utf8')) as { costs: number[] }).costs;
    const same = bundled.length === doc.costs.length && bundled.every((c, j) => Math.abs(c / doc.costs[j] - 1) < 1e-3);
    process.stdout.write(same ? `the bundled prior is reproduced from ${rows.length} rows\n` : `the bundled prior differs from the refit: ${bundled.join(', ')} vs ${doc.costs.join(', ')}\n`);
    process.exit(same ? 0 : 1);
  }
  fs.writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  process.stdout.write(`${totals.length} models, ${kernelRows} profiled kernels; leave-one-model-out mean APE ${(100 * mape).toFixed(1)}%; costs ${doc.costs.join(', ')}\n`);
})();
