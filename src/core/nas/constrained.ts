// Latency-constrained architecture selection (HELP, Section 4.4 / Table 4): given candidate architectures
// (e.g. those MetaD2A generated, with their accuracies) and the predicted latency of each on a target
// device, pick the most accurate candidate whose predicted latency fits the budget. For NAS-Bench-201 the
// whole space (15,625 cells) can also be predicted in one call and searched by an objective when no
// accuracy is known.
import type { PredictorSpace } from '../spaces/registry';
import { NB201_OPS, nasBench201CellAt, parseNasBench201Cell } from '../spaces/nasbench201';
import { SpecError } from '../spaces/space';
import { fitsBudget, plausibleMs } from './margin';

export interface Candidate {
  /** Canonical SPEC. */
  spec: string;
  /** Accuracy in percent (NAS-Bench-201 candidates: CIFAR-100 test accuracy). */
  accuracy?: number;
}

export interface ScoredCandidate extends Candidate {
  predicted_ms: number;
  /** Position in the candidate list (0-based), i.e. the generator's own ranking. */
  rank: number;
}

export interface SelectionOptions {
  /**
   * HELP's own rule (help.py `_nas_metad2a`): walk the candidates in list order (MetaD2A's ranking), keep the
   * first `firstFeasible` whose predicted latency fits, and take the most accurate of those (HELP uses 3).
   * Default: consider every feasible candidate.
   */
  firstFeasible?: number;
  /** The device's prediction floor (combine.ts deviceLatencyFloorMs): a prediction at or below it never fits. */
  floorMs?: number;
}

export interface SelectionResult {
  /** The most accurate feasible candidate (ties: the faster one, then the earlier one); undefined if none fits. */
  best: ScoredCandidate | undefined;
  /** Every candidate with predicted latency <= budget: by accuracy (descending), then predicted latency. */
  feasible: ScoredCandidate[];
  /** The candidate with the lowest predicted latency (for "nothing fits" messages). */
  fastest: ScoredCandidate | undefined;
  total: number;
}

/** Accuracy first (missing accuracy ranks last), then predicted latency, then list order. */
export function compareByAccuracy(a: ScoredCandidate, b: ScoredCandidate): number {
  const aa = a.accuracy ?? -Infinity;
  const ba = b.accuracy ?? -Infinity;
  if (aa !== ba) return ba - aa;
  if (a.predicted_ms !== b.predicted_ms) return a.predicted_ms - b.predicted_ms;
  return a.rank - b.rank;
}

export function selectWithinBudget(candidates: Candidate[], predictedMs: ArrayLike<number>, budgetMs: number, opts: SelectionOptions = {}): SelectionResult {
  if (predictedMs.length !== candidates.length) throw new Error(`selectWithinBudget: ${candidates.length} candidates but ${predictedMs.length} predictions`);
  if (!(budgetMs > 0) || !Number.isFinite(budgetMs)) throw new SpecError(`latency budget must be a positive number of milliseconds, got ${budgetMs}`);
  const scored: ScoredCandidate[] = candidates.map((c, rank) => ({ ...c, predicted_ms: predictedMs[rank], rank }));
  let fastest: ScoredCandidate | undefined;
  // An impossible prediction (non-finite, <= 0, at the floor) is unknown: never feasible, never the fastest.
  const floor = opts.floorMs ?? 0;
  for (const s of scored) if (plausibleMs(s.predicted_ms, floor) && (!fastest || s.predicted_ms < fastest.predicted_ms)) fastest = s;
  let feasible = scored.filter((s) => fitsBudget(s.predicted_ms, budgetMs, floor));
  const pool = opts.firstFeasible !== undefined ? feasible.slice(0, Math.max(1, opts.firstFeasible)) : feasible;
  const best = [...pool].sort(compareByAccuracy)[0];
  feasible = feasible.sort(compareByAccuracy);
  return { best, feasible, fastest, total: candidates.length };
}

/**
 * Reads a candidate list in the layout of HELP's `arch_generated_by_metad2a.txt`
 * (data/nasbench201/metad2a_candidates.csv):
 *   line 1: a single number. HELP's loader skips it (`readlines()[1:]`); it is not a candidate.
 *   then:   `cell string, accuracy, score` rows. The accuracy is the cell's true NAS-Bench-201 CIFAR-100 test
 *           accuracy (HELP calls it `true_acc`); the third column is not used by HELP: the rows are sorted by
 *           it in decreasing order, i.e. it is MetaD2A's own ranking score of the generated cells.
 * Also accepted: rows with only `cell string[, accuracy]`, blank lines and `#` comments.
 * `canonical` (the space's) validates each spec; errors name the line.
 */
export function parseCandidates(text: string, canonical: (spec: string) => string, where = 'candidates'): Candidate[] {
  const out: Candidate[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    // The leading scalar line of MetaD2A's file.
    if (out.length === 0 && /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(line)) return;
    const parts = line.split(',').map((p) => p.trim());
    let spec: string;
    try {
      spec = canonical(parts[0]);
    } catch (e) {
      throw new SpecError(`${where}: line ${i + 1}: ${(e as Error).message}`);
    }
    let accuracy: number | undefined;
    if (parts.length > 1 && parts[1] !== '') {
      accuracy = Number(parts[1]);
      if (!Number.isFinite(accuracy)) throw new SpecError(`${where}: line ${i + 1}: accuracy ${JSON.stringify(parts[1])} is not a number`);
    }
    out.push(accuracy === undefined ? { spec } : { spec, accuracy });
  });
  if (out.length === 0) throw new SpecError(`${where}: no candidates (expected "cell string, accuracy" rows)`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Whole-space search (spaces with an index, i.e. NAS-Bench-201).

/** Structural constraints on a NAS-Bench-201 cell. */
export interface Nb201Constraints {
  /** At least this many convolution edges (nor_conv_1x1 / nor_conv_3x3). */
  minConvs?: number;
  /** Disallow `none` (zero) edges. */
  noNone?: boolean;
  /** Only cells within this many edge changes of `start` (needs a start spec). */
  maxEdits?: number;
}

export type WholeSpaceObjective =
  /** The fastest cell satisfying the constraints (the budget only reports feasibility). */
  | { kind: 'fastest' }
  /** The cell with the fewest edge changes from `start` whose predicted latency fits the budget (ties: faster). */
  | { kind: 'nearest'; start: string }
  /** The most accurate cell that fits the budget, among those with a known accuracy (ties: faster). */
  | { kind: 'accuracy'; accuracy: Map<string, number> };

export interface WholeSpaceOptions {
  budgetMs?: number;
  objective: WholeSpaceObjective;
  constraints?: Nb201Constraints;
  /** How many ranked results to return (default 10). */
  limit?: number;
  /** The device's prediction floor (combine.ts deviceLatencyFloorMs): a prediction at or below it never fits. */
  floorMs?: number;
}

export interface WholeSpaceHit {
  spec: string;
  index: number;
  predicted_ms: number;
  edits?: number;
  accuracy?: number;
}

export interface WholeSpaceResult {
  best: WholeSpaceHit | undefined;
  /** The top `limit` cells by the objective, among those satisfying constraints and budget. */
  ranked: WholeSpaceHit[];
  /** Cells satisfying the constraints and the budget. */
  feasible: number;
  /** Cells satisfying the structural constraints (before the budget). */
  admissible: number;
  /** Fastest admissible cell (for "nothing fits" messages). */
  fastest: WholeSpaceHit | undefined;
  /** Predicted latency of every cell, in index order. */
  predicted: Float64Array;
  /** Milliseconds spent in the prediction call. */
  predictMs: number;
}

const CONV = new Set(['nor_conv_1x1', 'nor_conv_3x3']);

/** Edge ops (indices into NB201_OPS) of a cell string. */
function opIds(spec: string): number[] {
  return parseNasBench201Cell(spec).ops.map((o) => NB201_OPS.indexOf(o));
}

/**
 * Predicts all cells of an indexed space in one call (`predictIndices` on 0..size-1) and picks by the
 * objective. `predictIndices` is e.g. `(ix) => predictor.predictIndices(handle, ix)`.
 */
export function searchWholeSpace(space: PredictorSpace, predictIndices: (indices: number[]) => number[], opts: WholeSpaceOptions): WholeSpaceResult {
  const index = space.index;
  if (!index) throw new SpecError(`${space.name}: whole-space search needs an enumerable space (nasbench201)`);
  if (space.name !== 'nasbench201') throw new SpecError(`whole-space search supports nasbench201 only, not ${space.name}`);
  const n = index.size;
  const all = Array.from({ length: n }, (_, i) => i);
  const t0 = performance.now();
  const raw = predictIndices(all);
  const predictMs = performance.now() - t0;
  if (raw.length !== n) throw new Error(`searchWholeSpace: expected ${n} predictions, got ${raw.length}`);
  const predicted = Float64Array.from(raw);
  const c = opts.constraints ?? {};
  const obj = opts.objective;
  const start = obj.kind === 'nearest' ? opIds(space.canonical(obj.start)) : undefined;
  if (c.maxEdits !== undefined && !start) throw new SpecError('maxEdits needs a start architecture');
  const budget = opts.budgetMs ?? Infinity;
  const hits: WholeSpaceHit[] = [];
  let admissible = 0;
  let fastest: WholeSpaceHit | undefined;
  const noneId = NB201_OPS.indexOf('none');
  for (let i = 0; i < n; i++) {
    const ops = nasBench201CellAt(i).ops.map((o) => NB201_OPS.indexOf(o));
    if (c.noNone && ops.includes(noneId)) continue;
    if (c.minConvs !== undefined && ops.filter((o) => CONV.has(NB201_OPS[o])).length < c.minConvs) continue;
    let edits: number | undefined;
    if (start) {
      edits = ops.reduce((s, o, e) => s + (o === start[e] ? 0 : 1), 0);
      if (c.maxEdits !== undefined && edits > c.maxEdits) continue;
    }
    admissible++;
    const hit: WholeSpaceHit = { spec: index.specAt(i), index: i, predicted_ms: predicted[i] };
    if (edits !== undefined) hit.edits = edits;
    if (obj.kind === 'accuracy') {
      const a = obj.accuracy.get(hit.spec);
      if (a === undefined) continue;
      hit.accuracy = a;
    }
    if (!plausibleMs(hit.predicted_ms, opts.floorMs)) continue;
    if (!fastest || hit.predicted_ms < fastest.predicted_ms) fastest = hit;
    if (hit.predicted_ms <= budget) hits.push(hit);
  }
  const cmp: Record<WholeSpaceObjective['kind'], (a: WholeSpaceHit, b: WholeSpaceHit) => number> = {
    fastest: (a, b) => a.predicted_ms - b.predicted_ms || a.index - b.index,
    nearest: (a, b) => a.edits! - b.edits! || a.predicted_ms - b.predicted_ms || a.index - b.index,
    accuracy: (a, b) => b.accuracy! - a.accuracy! || a.predicted_ms - b.predicted_ms || a.index - b.index,
  };
  hits.sort(cmp[obj.kind]);
  const ranked = hits.slice(0, opts.limit ?? 10);
  return { best: ranked[0], ranked, feasible: hits.length, admissible, fastest, predicted, predictMs };
}
