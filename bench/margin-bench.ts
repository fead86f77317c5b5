// Does the search's safety margin (src/core/nas/margin.ts) keep budgets in every space, not only on
// NAS-Bench-201's Table 4? Under the paper's protocol (10 references + 10 shots, seeds 0-4) each unseen
// device is adapted as in `eval`; then, at budgets on the 10%, 20%, ..., 90% quantiles of the queries'
// measured latencies, the search picks the query architecture with the *highest* predicted latency that
// fits the searched budget. That is the harshest pick a search can make (an accuracy objective lands
// near it, since larger models are slower and better), so a violation here is a violation a real search
// risks. Reported with the margin (budget / (1 + the device's estimated error)) and without it.
//   node --import tsx bench/margin-bench.ts [--seeds N]
import { loadTf } from '../src/core/predictor/tf';
import { LatencyPredictor } from '../src/core/predictor/service';
import { loadTrainingData } from '../src/core/training/dataset';
import { evaluate, EvalTask, evaluationSources } from '../src/core/eval/evaluate';
import { relativeErrorEstimate, searchBudget } from '../src/core/nas/margin';

/** Devices evaluated per space: those `eval` reports (OFA: its validation devices, as in eval:ofa). */
const DEVICES: Record<string, string[] | undefined> = { nasbench201: undefined, fbnet: undefined, ofa: ['titan_rtx_1', 'titan_rtx_32'] };
const QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

interface Outcome {
  violations: number;
  picks: number;
  /** Sum over picks of measured / budget (how much of the budget the pick uses). */
  used: number;
}

/** The slowest-predicted query that fits `searched`; its measured latency against `budget`. */
function pick(t: EvalTask, budget: number, searched: number, out: Outcome): void {
  let best = -1;
  for (let k = 0; k < t.predicted.length; k++) if (t.predicted[k] <= searched && (best < 0 || t.predicted[k] > t.predicted[best])) best = k;
  if (best < 0) return;
  out.picks++;
  out.used += t.truth[best] / budget;
  if (t.truth[best] > budget) out.violations++;
}

const fmt = (o: Outcome) => `${o.violations}/${o.picks} (${((100 * o.violations) / Math.max(1, o.picks)).toFixed(0)}%), budget used ${((100 * o.used) / Math.max(1, o.picks)).toFixed(1)}%`;

(async () => {
  const argSeeds = process.argv.indexOf('--seeds');
  const seeds = argSeeds > 0 ? Number(process.argv[argSeeds + 1]) : 5;
  const tf = await loadTf();
  const lines: string[] = ['| space | device | estimated error (mean) | violations with the margin | without the margin |', '|---|---|---|---|---|'];
  const total = { with: { violations: 0, picks: 0, used: 0 }, without: { violations: 0, picks: 0, used: 0 } };
  for (const spaceName of Object.keys(DEVICES)) {
    const predictor = LatencyPredictor.load(tf, spaceName);
    const { tables, graphs } = loadTrainingData(spaceName);
    const devices = DEVICES[spaceName] ?? tables.splits.meta_test.filter((d) => tables.devices.includes(d));
    const sources = evaluationSources(predictor.weights, tables);
    const per = new Map<string, { with: Outcome; without: Outcome; errors: number[] }>();
    evaluate(tf, {
      space: spaceName,
      tables,
      graphs,
      net: predictor.net,
      sourceDevices: sources,
      devices,
      shots: 10,
      seeds,
      onTask: (t) => {
        if (!per.has(t.device)) per.set(t.device, { with: { violations: 0, picks: 0, used: 0 }, without: { violations: 0, picks: 0, used: 0 }, errors: [] });
        const d = per.get(t.device)!;
        const e = relativeErrorEstimate({ looMse: t.combination.looMse, samplesMs: t.supportMs });
        d.errors.push(e);
        const sorted = [...t.truth].sort((a, b) => a - b);
        for (const q of QUANTILES) {
          const budget = sorted[Math.floor(q * (sorted.length - 1))];
          pick(t, budget, searchBudget(budget, e), d.with);
          pick(t, budget, budget, d.without);
        }
      },
    });
    for (const [device, d] of per) {
      const meanErr = d.errors.reduce((s, x) => s + x, 0) / d.errors.length;
      lines.push(`| ${spaceName} | ${device} | ${(100 * meanErr).toFixed(2)}% | ${fmt(d.with)} | ${fmt(d.without)} |`);
      for (const k of ['with', 'without'] as const) {
        total[k].violations += d[k].violations;
        total[k].picks += d[k].picks;
        total[k].used += d[k].used;
      }
      process.stderr.write(`${spaceName} ${device}: with the margin ${fmt(d.with)}; without ${fmt(d.without)}\n`);
    }
  }
  lines.push(`| all | | | ${fmt(total.with)} | ${fmt(total.without)} |`);
  process.stdout.write(`margin check: ${seeds} seeds x 9 budgets per device, the slowest-predicted query that fits\n\n${lines.join('\n')}\n`);
})();
