// The architecture search handler: nearestFaster (the editor's "Find a faster architecture").
import * as fs from 'fs';
import * as path from 'path';
import { LatencyPredictor } from '../../core/predictor/service';
import { nasBench201Space } from '../../core/spaces/nasbench201';
import { counted } from '../../core/text/plural';
import { EditSpace, getEditSpace, nearestUnderBudget, NearestResult, NearestStats, PredictMs } from '../../core/nas/nearest';
import { evolveSteps } from '../../core/nas/evolution';
import { deviceLatencyFloorMs } from '../../core/predictor/combine';
import { parseCandidates } from '../../core/nas/constrained';
import { deviceRelativeError, searchBudget } from '../../core/nas/margin';
import { findBesidePackageJson } from '../../core/paths';
import type { NearestFasterCandidate, NearestFasterParams, NearestFasterResult } from '../protocol';
import { Ctx, optionalInt, WorkerError, yieldToMessages } from '../context';
import { adaptedDevices, predictorFor, resolveDevice, spaceName } from '../predictors';

const NB201_ACCURACY_SOURCE = 'CIFAR-100 test accuracy (MetaD2A candidate cells)';
let nb201Accuracy: Map<string, number> | null | undefined;

/** CIFAR-100 accuracy of MetaD2A's candidate cells (data/nasbench201/metad2a_candidates.csv, when this
 *  installation has it), by canonical cell; null when it has not. Read once. */
function nasBench201Accuracy(): Map<string, number> | null {
  if (nb201Accuracy !== undefined) return nb201Accuracy;
  nb201Accuracy = null;
  const dir = process.env.HELP_DATA_DIR ?? findBesidePackageJson('data');
  const file = dir && path.join(dir, 'nasbench201', 'metad2a_candidates.csv');
  if (file && fs.existsSync(file)) {
    try {
      const cands = parseCandidates(fs.readFileSync(file, 'utf8'), (s) => nasBench201Space.format(nasBench201Space.parse(s)), file);
      nb201Accuracy = new Map(cands.filter((c) => c.accuracy !== undefined).map((c) => [c.spec, c.accuracy!]));
    } catch (e) {
      process.stderr.write(`HELP worker: ignoring ${file}: ${(e as Error).message.split('\n')[0]}\n`);
    }
  }
  return nb201Accuracy;
}

/**
 * The nearest architectures under a budget: nearestUnderBudget (nasbench201 exact, fbnet/ofa beam search),
 * run one edit distance further at a time over a prediction cache, so that each distance reports progress
 * and a cancellation is seen between two distances; for fbnet/ofa, regularised evolution towards few edits
 * when the beam finds nothing.
 */
export async function nearestFaster(params: NearestFasterParams, ctx: Ctx): Promise<NearestFasterResult> {
  const t0 = Date.now();
  const space = spaceName(params.space);
  let edits: EditSpace;
  try {
    edits = getEditSpace(space);
  } catch {
    throw new WorkerError('unsupported', `HELP has no architecture search for ${space} (only for nasbench201, fbnet and ofa)`);
  }
  if (typeof params.device !== 'string' || params.device === '') throw new WorkerError('bad-request', '"device" must be a device name');
  const budgetMs = params.budgetMs;
  if (typeof budgetMs !== 'number' || !Number.isFinite(budgetMs) || budgetMs <= 0) throw new WorkerError('bad-request', '"budgetMs" must be a positive number of milliseconds');
  if (params.margin !== undefined && params.margin !== 'auto' && !(typeof params.margin === 'number' && params.margin >= 0 && params.margin <= 0.5)) {
    throw new WorkerError('bad-request', '"margin" must be "auto" or a number from 0 to 0.5');
  }
  const limit = optionalInt(params.limit, 'limit', 1, 50) ?? 10;
  const maxEdits = optionalInt(params.maxEdits, 'maxEdits', 1, 40) ?? (space === 'nasbench201' ? 6 : 8);
  const p = await predictorFor(space);
  if (!(p instanceof LatencyPredictor)) throw new WorkerError('unsupported', `HELP has no architecture search for ${space}`);
  const handle = resolveDevice(p, params.device, adaptedDevices(space));
  // Headroom for the device's prediction error, as the CLI's nas does (core/nas/margin.ts).
  const margin = typeof params.margin === 'number' ? params.margin : deviceRelativeError(handle);
  const searchMs = searchBudget(budgetMs, margin);
  let start: string;
  try {
    start = p.space.canonical(params.spec);
  } catch (e) {
    throw new WorkerError('bad-request', `spec: ${(e as Error).message.split('\n')[0]}`);
  }

  const cache = new Map<string, number>();
  const predict: PredictMs = (specs) => {
    const todo = [...new Set(specs.filter((s) => !cache.has(s)))];
    if (todo.length) {
      // By index where the space has one: past a few thousand cells the whole space is embedded once and
      // kept (shared with the histogram), so that later searches are fast.
      const index = p.space.index;
      const ms = index ? p.predictIndicesOnDevices([handle], todo.map((s) => index.indexOf(s)))[0] : p.predictOnDevices([handle], todo)[0];
      todo.forEach((s, k) => cache.set(s, Number.isFinite(ms[k]) ? ms[k] : Infinity));
    }
    return specs.map((s) => cache.get(s)!);
  };
  const table = space === 'nasbench201' ? nasBench201Accuracy() : null;
  const accuracy = (spec: string) => table?.get(spec);
  const current_ms = predict([start])[0];
  const startKey = edits.key(start);
  const admit = (spec: string) => edits.key(spec) !== startKey;
  const stats: NearestStats = { evaluated: 0, found: 0, reached: 0, exact: false };
  const withAccuracy = (c: { spec: string; edits: number; predicted_ms: number }): NearestFasterCandidate => {
    const a = accuracy(c.spec);
    return a === undefined ? { spec: c.spec, edits: c.edits, predicted_ms: c.predicted_ms } : { spec: c.spec, edits: c.edits, predicted_ms: c.predicted_ms, accuracy: a };
  };

  let found: NearestResult[] = [];
  let method: NearestFasterResult['method'] = space === 'nasbench201' ? 'exact' : 'beam';
  for (let k = 1; k <= maxEdits; k++) {
    // Distances below k are answered from the cache: each round predicts only distance k.
    found = nearestUnderBudget(edits, start, predict, { budgetMs: searchMs, floorMs: deviceLatencyFloorMs(handle), maxEdits: k, limit, accuracy, admit }, stats);
    ctx.progress({ message: `${k} edit${k === 1 ? '' : 's'}: ${cache.size} architectures predicted, ${found.length} within ${Number(searchMs.toPrecision(4))} ms` });
    if (found.length >= limit || stats.reached < k) break;
    await yieldToMessages();
    if (ctx.cancelled()) throw new WorkerError('cancelled', 'cancelled');
  }
  let fastest = stats.fastest ? withAccuracy(stats.fastest) : undefined;
  let candidates = found.map(withAccuracy);

  if (candidates.length === 0 && (space === 'fbnet' || space === 'ofa')) {
    await yieldToMessages();
    if (ctx.cancelled()) throw new WorkerError('cancelled', 'cancelled');
    ctx.progress({ message: `nothing within ${counted(stats.reached, 'edit')}: evolutionary search` });
    // One generation at a time, answering other requests (and seeing a cancellation) in between.
    const steps = evolveSteps(space, predict, { start }, { budgetMs: searchMs, floorMs: deviceLatencyFloorMs(handle), objective: 'edits', seed: 0 });
    let r;
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) {
        r = step.value;
        break;
      }
      await yieldToMessages();
      if (ctx.cancelled()) throw new WorkerError('cancelled', 'cancelled');
    }
    candidates = r.top
      .filter((t) => t.fits && t.edits !== undefined && t.edits > 0)
      .map((t) => ({ spec: t.spec, edits: t.edits!, predicted_ms: t.predicted_ms }))
      .sort((a, b) => a.edits - b.edits || a.predicted_ms - b.predicted_ms)
      .slice(0, limit);
    if (candidates.length) method = 'evolution';
    for (const t of r.top) {
      if (t.edits && (!fastest || t.predicted_ms < fastest.predicted_ms)) fastest = { spec: t.spec, edits: t.edits, predicted_ms: t.predicted_ms };
    }
  }

  const result: NearestFasterResult = {
    space,
    device: params.device,
    budgetMs,
    margin,
    searchBudgetMs: searchMs,
    start,
    current_ms,
    candidates,
    method,
    reached: stats.reached,
    evaluated: cache.size,
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  const a = accuracy(start);
  if (a !== undefined) result.current_accuracy = a;
  if (fastest) result.fastest = fastest;
  if (table) result.accuracySource = NB201_ACCURACY_SOURCE;
  return result;
}
