// `eval --space hat`: leave one device out. Each HAT table is a device; its own source model is dropped
// from the bank, `shots` random SubTransformers of its table are the samples, and the other rows are the
// queries. HELP transfer is the predictor's own adaptation (fitHatMapping). Baselines: the ridge over all
// source models (the mapping before HAT_MAPPING_VERSION 2), ridge on the cost features alone (no
// transfer), and the single source model with the best leave-one-out fit, linearly rescaled.
import { applyLinear, fitRidge } from '../predictor/linear';
import { applyHatMapping, fitHatMapping, fitHatSourceModel, fitSourceBank, sourcePredictions } from '../predictor/transfer';
import { hatRegressionFeatures } from '../spaces/hat';
import { makeRng } from '../spaces/space';
import type { HatTable } from '../training/hatTables';
import { mape, spearman, withinTolerance } from './metrics';
import { sampleWithoutReplacement } from './protocol';
import type { Scores } from './evaluate';

export interface HatDeviceResult {
  device: string;
  help: Scores;
  sourceRidge: Scores;
  costRidge: Scores;
  bestSource: Scores;
}

const COST_PENALTIES = [0.01, 0.1, 1, 10];

function score(pred: number[], truth: number[]): Scores {
  return { spearman: spearman(pred, truth), mape: mape(pred, truth), within10: withinTolerance(pred, truth, 0.1) };
}

function mean(xs: Scores[]): Scores {
  const m = (k: keyof Scores) => xs.reduce((s, x) => s + x[k], 0) / xs.length;
  return { spearman: m('spearman'), mape: m('mape'), within10: m('within10') };
}

export function evaluateHat(tables: HatTable[], shots: number, seeds: number): HatDeviceResult[] {
  const models = tables.map(fitHatSourceModel);
  return tables.map((t, d) => {
    const others = models.filter((_, k) => k !== d);
    const g = sourcePredictions(others, t.features);
    const cost = t.features.map(hatRegressionFeatures).map((r) => r.slice(0, 12));
    const acc = { help: [] as Scores[], ridge: [] as Scores[], cost: [] as Scores[], best: [] as Scores[] };
    for (let seed = 0; seed < seeds; seed++) {
      const support = sampleWithoutReplacement(t.latency.length, shots, makeRng(1000 + seed));
      const inSupport = new Set(support);
      const queries = t.latency.map((_, i) => i).filter((i) => !inSupport.has(i));
      const y = support.map((i) => t.latency[i]);
      const truth = queries.map((i) => t.latency[i]);
      const mapping = fitHatMapping(support.map((i) => g[i]), y);
      acc.help.push(score(queries.map((i) => applyHatMapping(mapping, g[i])), truth));
      const bank = fitSourceBank(support.map((i) => g[i]), y);
      acc.ridge.push(score(queries.map((i) => applyLinear(bank, g[i])), truth));
      let costFit = fitRidge(support.map((i) => cost[i]), y, cost[0].map(() => COST_PENALTIES[0]));
      for (const lam of COST_PENALTIES.slice(1)) {
        const f = fitRidge(support.map((i) => cost[i]), y, cost[0].map(() => lam));
        if (f.looMse < costFit.looMse) costFit = f;
      }
      acc.cost.push(score(queries.map((i) => applyLinear(costFit, cost[i])), truth));
      let best = { k: 0, fit: fitRidge(support.map((i) => [g[i][0]]), y, [0]) };
      for (let k = 1; k < others.length; k++) {
        const f = fitRidge(support.map((i) => [g[i][k]]), y, [0]);
        if (f.looMse < best.fit.looMse) best = { k, fit: f };
      }
      acc.best.push(score(queries.map((i) => applyLinear(best.fit, [g[i][best.k]])), truth));
    }
    return { device: t.device, help: mean(acc.help), sourceRidge: mean(acc.ridge), costRidge: mean(acc.cost), bestSource: mean(acc.best) };
  });
}

export function formatHatEvalTable(results: HatDeviceResult[], shots: number, seeds: number): string {
  const f = (s: Scores) => `${s.spearman.toFixed(4)}  ${s.mape.toFixed(2).padStart(6)}%  ${(100 * s.within10).toFixed(1).padStart(5)}%`;
  const lines = [
    `HAT, leave one device out: ${shots} random shots of the held-out table, mean over ${seeds} seeds; columns: Spearman  MAPE  within±10%`,
    `${'device'.padEnd(28)}${'HELP transfer (ours)'.padEnd(28)}${'ridge over sources'.padEnd(28)}${'ridge on cost features'.padEnd(28)}${'best source'.padEnd(28)}`,
  ];
  for (const r of results) lines.push(`${r.device.padEnd(28)}${f(r.help).padEnd(28)}${f(r.sourceRidge).padEnd(28)}${f(r.costRidge).padEnd(28)}${f(r.bestSource).padEnd(28)}`);
  const m = (k: 'help' | 'sourceRidge' | 'costRidge' | 'bestSource') => (results.reduce((s, r) => s + r[k].spearman, 0) / results.length).toFixed(4);
  lines.push(`${'mean Spearman'.padEnd(28)}${m('help').padEnd(28)}${m('sourceRidge').padEnd(28)}${m('costRidge').padEnd(28)}${m('bestSource').padEnd(28)}`);
  return lines.join('\n');
}
