// `eval`: the paper's meta-test protocol on every meta-test device whose full table is in data/,
// for the HELP predictor and the two baselines, all fitted on exactly the same samples.
import type * as TF from '@tensorflow/tfjs';
import type { GraphBatch } from '../predictor/encodings';
import type { LatencyNet } from '../predictor/help';
import { atLeastFloor, chooseCombination, combine, Combination, CombinationKind, latencyFloorMs } from '../predictor/combine';
import type { SpaceTables } from '../training/dataset';
import { adaptDevice } from '../predictor/adaptDevice';
import { fitBestSource, fitSourceRidge } from './baselines';
import { mape, spearman, withinTolerance } from './metrics';
import { protocolTask } from './protocol';
import { getSpace } from '../spaces/registry';
import { fitSourceModel, sourceModelRow } from '../predictor/sourceModels';

export interface Scores {
  spearman: number;
  mape: number;
  within10: number;
}

export interface DeviceResult {
  device: string;
  help: Scores;
  helpNetOnly: Scores;
  /** The adapted network mapped to ms with HELP's min/max rescaling of the samples, for comparison. */
  helpMinMax: Scores;
  ridge: Scores;
  bestSource: Scores;
  /** How often each combination was chosen over the seeds. */
  chosen: Partial<Record<CombinationKind, number>>;
}

export interface EvalOptions {
  space: string;
  tables: SpaceTables;
  graphs: GraphBatch;
  net: LatencyNet;
  /** Source devices (full tables) for transfer and the baselines; the target is always excluded. */
  sourceDevices: string[];
  devices: string[];
  shots: number;
  seeds: number;
  /** Called with every task's HELP predictions (for benches that need more than the scores). */
  onTask?(t: EvalTask): void;
}

export interface EvalTask {
  device: string;
  seed: number;
  /** Measured latencies of the support (the samples the predictor saw), ms. */
  supportMs: number[];
  /** The chosen millisecond mapping. */
  combination: Combination;
  /** The queries' measured and predicted latencies, ms. */
  truth: number[];
  predicted: number[];
}

function score(pred: ArrayLike<number>, truth: ArrayLike<number>): Scores {
  return { spearman: spearman(pred, truth), mape: mape(pred, truth), within10: withinTolerance(pred, truth, 0.1) };
}

function mean(xs: Scores[]): Scores {
  const m = (k: keyof Scores) => xs.reduce((s, x) => s + x[k], 0) / xs.length;
  return { spearman: m('spearman'), mape: m('mape'), within10: m('within10') };
}

/** The source bank `eval` transfers from: the predictor's meta-training and validation devices that have a
 *  full table (each target is then left out of it). */
export function evaluationSources(weights: { trainDevices: string[]; validDevices: string[] }, tables: SpaceTables): string[] {
  return [...weights.trainDevices, ...weights.validDevices].filter((d) => tables.devices.includes(d));
}

export function evaluate(tf: typeof TF, o: EvalOptions, progress?: (line: string) => void): DeviceResult[] {
  const results: DeviceResult[] = [];
  const space = getSpace(o.space);
  // What the shipped predictor can use for any architecture: source latencies only where the space has
  // an index (the tables cover it), cost features where the space defines them.
  const costRows = space.costFeatures ? o.tables.architectures.map((a) => space.costFeatures!(space.canonical(a))) : undefined;
  // Without an index, the shipped predictor's sources are latency models of the source devices.
  const additive = !space.index && space.additiveFeatures ? o.tables.architectures.map((a) => space.additiveFeatures!(space.canonical(a))) : undefined;
  for (const device of o.devices) {
    const lat = o.tables.latency(device);
    const bank = o.sourceDevices.filter((d) => d !== device).map((d) => o.tables.latency(d));
    const rowOf = (i: number) => bank.map((t) => t[i]);
    const models = additive ? o.sourceDevices.filter((d) => d !== device).map((d) => fitSourceModel(d, additive, o.tables.latency(d))) : undefined;
    const helpRowOf = models ? (i: number) => sourceModelRow(models, additive![i]) : rowOf;
    const acc: Record<'help' | 'net' | 'minmax' | 'ridge' | 'best', Scores[]> = { help: [], net: [], minmax: [], ridge: [], best: [] };
    const chosen: Partial<Record<CombinationKind, number>> = {};
    for (let seed = 0; seed < o.seeds; seed++) {
      const task = protocolTask(o.space, lat, o.tables.referenceIndices, o.shots, seed);
      const y = task.support.map((i) => lat[i]);
      const truth = task.queries.map((i) => lat[i]);
      const sEmb = o.net.embed(o.graphs, task.support);
      const qEmb = o.net.embed(o.graphs, task.queries);
      const helpSources = space.index || models ? task.support.map(helpRowOf) : undefined;
      const d = adaptDevice(o.net, sEmb, y, helpSources, costRows && task.support.map((i) => costRows[i]), { convexSources: space.convexSources });
      const c = d.combination;
      const fS = d.net;
      const fQ = o.net.predictNormalised(d.adapted, qEmb);
      o.net.dispose(d.adapted);
      tf.dispose([sEmb, qEmb]);
      const srcS = task.support.map(rowOf);
      chosen[c.kind] = (chosen[c.kind] ?? 0) + 1;
      // As the predictor serves them: raised to the device's floor (combine.ts latencyFloorMs).
      const floor = latencyFloorMs(y);
      const predicted = task.queries.map((i, k) => atLeastFloor(combine(c, fQ[k], c.sources.length ? helpRowOf(i) : undefined, costRows?.[i]), floor));
      acc.help.push(score(predicted, truth));
      o.onTask?.({ device, seed, supportMs: y, combination: c, truth, predicted });
      const netOnly = chooseCombination(fS, undefined, y);
      acc.net.push(score(Array.from(fQ, (f) => combine(netOnly, f)), truth));
      const [fLo, fHi] = [Math.min(...fS), Math.max(...fS)];
      const [yLo, yHi] = [Math.min(...y), Math.max(...y)];
      acc.minmax.push(score(Array.from(fQ, (f) => yLo + ((f - fLo) / (fHi - fLo || 1)) * (yHi - yLo)), truth));
      const ridge = fitSourceRidge(srcS, y);
      acc.ridge.push(score(task.queries.map((i) => ridge(rowOf(i))), truth));
      const best = fitBestSource(srcS, y);
      acc.best.push(score(task.queries.map((i) => best.predict(rowOf(i))), truth));
    }
    const r: DeviceResult = { device, help: mean(acc.help), helpNetOnly: mean(acc.net), helpMinMax: mean(acc.minmax), ridge: mean(acc.ridge), bestSource: mean(acc.best), chosen };
    progress?.(`${device}: HELP spearman ${r.help.spearman.toFixed(4)} (net only ${r.helpNetOnly.spearman.toFixed(4)}), ridge ${r.ridge.spearman.toFixed(4)}, best source ${r.bestSource.spearman.toFixed(4)}`);
    results.push(r);
  }
  return results;
}

export function formatEvalTable(results: DeviceResult[], shots: number, seeds: number): string {
  const lines: string[] = [];
  const f = (s: Scores) => `${s.spearman.toFixed(4)}  ${s.mape.toFixed(2).padStart(6)}%  ${(100 * s.within10).toFixed(1).padStart(5)}%`;
  lines.push(`paper protocol: 10 reference + ${shots} shots, mean over ${seeds} seeds; columns: Spearman  MAPE  within±10%`);
  lines.push(`${'device'.padEnd(16)}${'HELP (ours)'.padEnd(28)}${'HELP net only'.padEnd(28)}${'ridge on sources'.padEnd(28)}${'best source'.padEnd(28)}`);
  for (const r of results) {
    lines.push(`${r.device.padEnd(16)}${f(r.help).padEnd(28)}${f(r.helpNetOnly).padEnd(28)}${f(r.ridge).padEnd(28)}${f(r.bestSource).padEnd(28)}`);
  }
  const m = (k: 'help' | 'helpNetOnly' | 'ridge' | 'bestSource') => results.reduce((s, r) => s + r[k].spearman, 0) / results.length;
  lines.push(`${'mean Spearman'.padEnd(16)}${m('help').toFixed(4).padEnd(28)}${m('helpNetOnly').toFixed(4).padEnd(28)}${m('ridge').toFixed(4).padEnd(28)}${m('bestSource').toFixed(4).padEnd(28)}`);
  lines.push('');
  lines.push('millisecond mapping of the adapted network (MAPE): HELP min/max rescaling vs least-squares scale and offset');
  for (const r of results) lines.push(`${r.device.padEnd(16)}min/max ${r.helpMinMax.mape.toFixed(2).padStart(6)}%   scale+offset ${r.helpNetOnly.mape.toFixed(2).padStart(6)}%   full HELP (ours) ${r.help.mape.toFixed(2).padStart(6)}%`);
  return lines.join('\n');
}
