// The latency benchmark of issue 15 (`npm run bench:zoo`): every zoo model measured on this machine with
// onnxruntime (1 thread; fastest and median run, by the rule that measures a device), the `onnx` space adapted from the
// reference models alone (no zoo model among them), per model predicted vs measured, APE, share within
// +-10%, Spearman; then leave-one-family-out (the other families' zoo models as extra shots); beside it the
// baseline: latency linear in total MACs fitted on the same measurements.
//   npm run bench:zoo [-- --zoo DIR] [-- --passes MIN_VISITS] [-- --validation N] [-- --lambda L] [-- --threads N] [-- --against MEASURED.json]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { branchEntries, generatedEntries, measureZoo, readManifest } from './zoo-measure';
import { ONNX_REFERENCES, ONNX_REFERENCES_VERSION, priorTrainingModels } from '../src/core/onnx/referenceModels';
import { adaptOnnxDevice, COST_FEATURES, fitCosts, LAMBDA_GRID, modelCosts, OnnxSample, predictCosts, PRIOR_COSTS } from '../src/core/onnx/latency';
import { readOnnxBytes, readOnnxFile } from '../src/core/onnx/reader';

const a = process.argv.slice(2);
const opt = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
const zoo = opt('--zoo') ?? path.join(process.cwd(), '.cache/zoo');
/** The measuring rule's minimum visits per model (default: the rule's own, 15). */
const passes = opt('--passes') !== undefined ? Number(opt('--passes')) : undefined;
// Default: each device's pull towards the prior chosen by leave-one-out over its own samples (chooseLambda).
const lambda = opt('--lambda') !== undefined ? Number(opt('--lambda')) : undefined;
// --threads 2: this machine as another device (two cores: convolutions and matrix products run up to 2x
// faster, small kernels do not), adapted from the same prior: a check of adaptation, not of the prior.
const threads = Number(opt('--threads') ?? 1);
// --validation N: N generated models (priorTrainingModels with another seed than the prior's: none of them
// in its training set) measured with the rest; the pull is then also chosen by their error (a candidate for
// a rule that, unlike leave-one-out over the references, sees the prior's errors), and the zoo figures of
// that choice printed.
const validationCount = Number(opt('--validation') ?? 0);
const VALIDATION_SEED = 99;

function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const o = v.map((z, i) => [z, i]).sort((p, q) => p[0] - q[0]);
    const r = new Array(v.length);
    o.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const n = x.length;
  const d2 = rx.reduce((s, r, i) => s + (r - ry[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

const stats = (pred: number[], meas: number[]) => {
  const ape = pred.map((p, i) => Math.abs(p / meas[i] - 1));
  return { mape: ape.reduce((s, v) => s + v, 0) / ape.length, within: ape.filter((v) => v <= 0.1).length / ape.length, rho: spearman(pred, meas), ape };
};

/** Baseline: ms = a + b * MACs, least squares (relative) on the training samples. */
function macsLine(train: { macs: number; ms: number }[]): (macs: number) => number {
  // Weighted by 1/ms^2, as the relative error the targets are in.
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const t of train) {
    const w = 1 / t.ms ** 2;
    sw += w; sx += w * t.macs; sy += w * t.ms; sxx += w * t.macs ** 2; sxy += w * t.macs * t.ms;
  }
  const b = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  const c = (sy - b * sx) / sw;
  return (m) => Math.max(c + b * m, 1e-3);
}

(async () => {
  const t0 = Date.now();
  const load0 = os.loadavg();
  const models = readManifest(zoo);
  process.stderr.write(`measuring ${models.length} zoo models (${passes ?? 'the rule\'s'} minimum visits, ${threads} thread${threads === 1 ? '' : 's'}) and ${ONNX_REFERENCES.length} references; load average ${load0.map((v) => v.toFixed(1)).join(' ')}\n`);
  // References and zoo models measured together, interleaved (the machine's slow spells and drift then hit
  // both alike).
  const refEntries = generatedEntries(path.join(process.cwd(), '.cache/zoo-bench/refs'), ONNX_REFERENCES, 'reference');
  const validationModels = priorTrainingModels(validationCount, VALIDATION_SEED);
  const valEntries = generatedEntries(path.join(process.cwd(), '.cache/zoo-bench/validation'), validationModels, 'validation');
  // A model whose If branch depends on the data is measured once per branch input; its latency is their
  // mean (the prediction's own meaning: each branch in half of the runs), and each branch is also compared
  // with the prediction's branch range below.
  const expanded = branchEntries(zoo, models, path.join(process.cwd(), '.cache/zoo-bench/branches'));
  const all = await measureZoo(zoo, passes, path.join(process.cwd(), `.cache/zoo-bench/measured${threads === 1 ? '' : `-${threads}threads`}.json`), (l) => process.stderr.write(l + '\n'), [...expanded.map((e) => e.entry), ...refEntries, ...valEntries], threads);
  const nZoo = expanded.length;
  const validation = validationModels.map((r, i) => ({ name: r.name, features: modelCosts(readOnnxBytes(r.write())).features, ms: all[nZoo + ONNX_REFERENCES.length + i].fastestMs }));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const variants = models.map((_, i) => expanded.flatMap((e, k) => (e.model === i ? [{ label: e.label, m: all[k] }] : [])));
  const measured = variants.map((v) => ({ fastestMs: mean(v.map((x) => x.m.fastestMs)), medianMs: mean(v.map((x) => x.m.medianMs)) }));
  const refMs = new Map(ONNX_REFERENCES.map((r, i) => [r.name, all[nZoo + i].fastestMs]));
  const refs: OnnxSample[] = ONNX_REFERENCES.map((r) => ({ arch: r.name, latency_ms: refMs.get(r.name)!, features: modelCosts(readOnnxBytes(r.write())).features, reference: true }));
  const zooRows = models.map((m, i) => {
    const mc = modelCosts(readOnnxFile(path.join(zoo, m.file)), { inputShapes: Object.fromEntries(m.inputs.map((x) => [x.name, x.shape])) });
    return { file: m.file, family: m.family, mc, ms: measured[i].fastestMs, median: measured[i].medianMs, macs: mc.kernels.reduce((s, k) => s + (k.free ? 0 : k.macs * k.times), 0) };
  });
  // Every multiply-add feature (the zoo models' MACs come from their kernels, the references' from these).
  const macFeatures = (['convMacs', 'dwGroupedMacs', 'groupedMacs', 'matmulMacs', 'recurrentMacs', 'gruMacs'] as const).map((n) => COST_FEATURES.indexOf(n));
  const refMacs = refs.map((r) => ({ macs: macFeatures.reduce((s, j) => s + r.features[j], 0), ms: r.latency_ms }));

  const device = adaptOnnxDevice('this machine', refs, ONNX_REFERENCES_VERSION, { lambda });
  const noPrior = fitCosts(refs.map((r) => r.features), refs.map((r) => r.latency_ms), PRIOR_COSTS, 1e-6);
  const pred = zooRows.map((z) => predictCosts(device, z.mc).ms);
  const predNoPrior = zooRows.map((z) => predictCosts({ costs: noPrior, errorBand: 0 }, z.mc).ms);
  const line = macsLine(refMacs);
  const base = zooRows.map((z) => line(z.macs));
  // Leave one family out: references + the other families' zoo models as shots.
  const families = [...new Set(zooRows.map((z) => z.family))];
  const lofo = new Array(zooRows.length).fill(0);
  const lofoBase = new Array(zooRows.length).fill(0);
  for (const fam of families) {
    const shots = zooRows.filter((z) => z.family !== fam);
    const d = adaptOnnxDevice('lofo', [...refs, ...shots.map((z) => ({ arch: z.file, latency_ms: z.ms, features: z.mc.features, reference: false }))], ONNX_REFERENCES_VERSION, { lambda });
    const l = macsLine([...refMacs, ...shots.map((z) => ({ macs: z.macs, ms: z.ms }))]);
    zooRows.forEach((z, i) => {
      if (z.family !== fam) return;
      lofo[i] = predictCosts(d, z.mc).ms;
      lofoBase[i] = l(z.macs);
    });
  }
  const meas = zooRows.map((z) => z.ms);
  const sweep = LAMBDA_GRID.map((l) => {
    const d = adaptOnnxDevice('sweep', refs, ONNX_REFERENCES_VERSION, { lambda: l });
    return { l, d, s: stats(zooRows.map((z) => predictCosts(d, z.mc).ms), meas) };
  });
  // The pull chosen by the held-out generated models' mean relative error (--validation).
  const byValidation = validation.length
    ? sweep
        .map((w) => {
          const err = validation.reduce((acc, v) => acc + Math.abs(v.features.reduce((t, x, j) => t + x * w.d.costs[j], 0) / v.ms - 1), 0) / validation.length;
          return { ...w, err };
        })
        .sort((x, y) => x.err - y.err || y.l - x.l)
    : [];
  const s = stats(pred, meas);
  const sNo = stats(predNoPrior, meas);
  const sB = stats(base, meas);
  const sL = stats(lofo, meas);
  const sLB = stats(lofoBase, meas);
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
  const pc = (v: number) => `${(v * 100).toFixed(1)}%`;
  /** Data-dependent models: each branch input's measurement against the prediction's branch range (the
   *  fastest-measured input against the cheaper branch, the slowest against the costlier one). */
  function branchLines(): string[] {
    const rows = zooRows.flatMap((z, i) => {
      const r = predictCosts(device, z.mc).branchRange;
      const v = [...variants[i]].sort((a, b) => a.m.fastestMs - b.m.fastestMs);
      if (!r || v.length < 2) return [];
      const lo = v[0];
      const hi = v[v.length - 1];
      return [`| ${z.file.replace(/\.onnx$/, '')} | ${lo.label} ${f(lo.m.fastestMs)} / ${hi.label} ${f(hi.m.fastestMs)} | ${f(r.low)} / ${f(r.high)} | ${pc(Math.abs(r.low / lo.m.fastestMs - 1))} / ${pc(Math.abs(r.high / hi.m.fastestMs - 1))} |`];
    });
    return rows.length ? ['', '| data-dependent model | measured per branch input, ms | predicted cheaper / costlier branch, ms | APE |', '|---|---|---:|---:|', ...rows] : [];
  }
  const lines = [
    `| model | family | fastest ms | median ms | predicted ms | APE | LOFO ms | LOFO APE | MACs-line ms | APE |`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
    ...zooRows.map((z, i) => `| ${z.file.replace(/\.onnx$/, '')} | ${z.family} | ${f(z.ms)} | ${f(z.median)} | ${f(pred[i])} | ${pc(s.ape[i])} | ${f(lofo[i])} | ${pc(sL.ape[i])} | ${f(base[i])} | ${pc(sB.ape[i])} |`),
    '',
    `| fit | mean APE | within +-10% | Spearman |`,
    `|---|---:|---:|---:|`,
    `| onnx space, references only (prior, lambda ${device.lambda}${lambda === undefined ? ' chosen by leave-one-out' : ''}) | ${pc(s.mape)} | ${pc(s.within)} | ${s.rho.toFixed(3)} |`,
    ...sweep.map((w) => `| references only, lambda fixed at ${w.l} (for comparison) | ${pc(w.s.mape)} | ${pc(w.s.within)} | ${w.s.rho.toFixed(3)} |`),
    ...(byValidation.length ? [`| references only, lambda ${byValidation[0].l} chosen on ${validation.length} held-out generated models (their error per lambda: ${[...byValidation].sort((x, y) => x.l - y.l).map((w) => `${w.l} ${pc(w.err)}`).join(', ')}) | ${pc(byValidation[0].s.mape)} | ${pc(byValidation[0].s.within)} | ${byValidation[0].s.rho.toFixed(3)} |`] : []),
    `| references only, no prior (lambda ~0) | ${pc(sNo.mape)} | ${pc(sNo.within)} | ${sNo.rho.toFixed(3)} |`,
    `| onnx space, leave one family out (refs + other families) | ${pc(sL.mape)} | ${pc(sL.within)} | ${sL.rho.toFixed(3)} |`,
    `| baseline: ms linear in MACs, references | ${pc(sB.mape)} | ${pc(sB.within)} | ${sB.rho.toFixed(3)} |`,
    `| baseline: ms linear in MACs, leave one family out | ${pc(sLB.mape)} | ${pc(sLB.within)} | ${sLB.rho.toFixed(3)} |`,
    '',
    ...branchLines(),
    `references (fastest ms): ${refs.map((r) => `${r.arch} ${f(r.latency_ms)}`).join(', ')}`,
    `device costs (${COST_FEATURES.join(', ')}): ${device.costs.map((c) => c.toPrecision(3)).join(', ')}; out-of-bag error band +-${pc(device.errorBand)}`,
    `no-prior costs: ${noPrior.map((c) => c.toPrecision(3)).join(', ')}`,
    `${((Date.now() - t0) / 1000).toFixed(0)} s; load average before ${load0.map((v) => v.toFixed(1)).join(' ')}, after ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} (2 cores)`,
  ];
  // --against FILE: another measurement of the zoo (a cached measured*.json); how far the two agree is the
  // noise floor of any predictor judged on these numbers.
  const against = opt('--against');
  if (against) {
    const other = JSON.parse(fs.readFileSync(against, 'utf8')) as Record<string, { fastestMs: number }>;
    const diffs = zooRows.filter((z, i) => other[z.file] && variants[i].length === 1).map((z) => ({ file: z.file, d: z.ms / other[z.file].fastestMs - 1 }));
    const ad = diffs.map((x) => Math.abs(x.d));
    lines.push(
      '',
      `repeatability against ${path.basename(against)} (${diffs.length} models): mean |difference| ${pc(ad.reduce((q, v) => q + v, 0) / ad.length)}, largest ${pc(Math.max(...ad))}, within +-10% ${pc(ad.filter((v) => v <= 0.1).length / ad.length)}; ${diffs.map((x) => `${x.file.replace(/\.onnx$/, '')} ${x.d >= 0 ? '+' : ''}${(100 * x.d).toFixed(1)}%`).join(', ')}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
})();
