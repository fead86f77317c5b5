// `node dist/cli.js nas`: latency-constrained architecture search on a device.
//   nasbench201: the most accurate candidate (MetaD2A's list, or --candidates FILE) whose predicted latency
//                fits the budget (HELP's Table 4 setting); with --start SPEC, the cells with the fewest edge
//                changes from SPEC that fit (exact: every cell at 0, 1, 2, ... changes is predicted).
//   fbnet, ofa:  regularised evolution for the lowest predicted latency under structural constraints, or,
//                with --start SPEC, the fewest edits from SPEC that fit the budget. No accuracy predictor
//                ships for these spaces, so accuracy is not part of the search.
// Bad input (and "nothing fits the budget") exits 2 with one line on stderr.
import { counted } from '../core/text/plural';
import * as fs from 'fs';
import * as path from 'path';
import { Args } from './args';
import { neutraliseForDisplay } from '../core/text/safeText';
import { SpecError } from '../core/spaces/space';
import { getSpace, PredictorSpace } from '../core/spaces/registry';
import { loadTf } from '../core/predictor/tf';
import { DeviceHandle, LatencyPredictor } from '../core/predictor/service';
import { Candidate, parseCandidates, selectWithinBudget } from '../core/nas/constrained';
import { NearestStats, nearestUnderBudget } from '../core/nas/nearest';
import { parseNasBench201Cell } from '../core/spaces/nasbench201';
import { ArchConstraints, evolve, validateConstraints } from '../core/nas/evolution';
import { deviceRelativeError, parseMargin, searchBudget } from '../core/nas/margin';
import { deviceLatencyFloorMs } from '../core/predictor/combine';

const COMMON = ['space', 'device', 'budget', 'margin', 'json', 'weights', 'start', 'max-edits', 'top'];
const NB201_FLAGS = [...COMMON, 'candidates', 'min-convs'];
const EVOLUTION_FLAGS = [...COMMON, 'min-depth', 'min-total-depth', 'min-resolution', 'max-resolution', 'max-skips', 'seed', 'generations', 'population'];

function fmt(ms: number): string {
  return ms.toFixed(2);
}

function positiveNumber(args: Args, name: string): number {
  const raw = args.required(name);
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new SpecError(`--${name} must be a positive number of milliseconds, got "${raw}"`);
  return v;
}

function optInt(args: Args, name: string, min: number): number | undefined {
  return args.has(name) ? args.int(name, 0, min) : undefined;
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** data/ when this is a repository checkout (an installed extension has none). */
async function dataDir(): Promise<string | undefined> {
  try {
    const { resolveDataDir } = await import('../core/training/dataset');
    return resolveDataDir();
  } catch {
    return undefined;
  }
}

/**
 * The measured latency of `spec` on a built-in device that has a full table in data/, or null (profile-only
 * or user devices, architectures outside the table, or no data/ at all).
 */
export async function measuredLatency(space: PredictorSpace, handle: DeviceHandle, spec: string): Promise<number | null> {
  if (handle.info.origin !== 'table') return null;
  try {
    const { loadSpaceTables } = await import('../core/training/dataset');
    const tables = loadSpaceTables(space.name);
    if (!tables.devices.includes(handle.info.name)) return null;
    const lat = tables.latency(handle.info.name);
    let i: number;
    if (space.index) i = space.index.indexOf(spec);
    else i = tables.architectures.findIndex((a) => { try { return space.canonical(a) === spec; } catch { return false; } });
    return i >= 0 && i < lat.length && Number.isFinite(lat[i]) ? lat[i] : null;
  } catch {
    return null;
  }
}

function parseStart(space: PredictorSpace, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return space.canonical(raw);
  } catch (e) {
    throw new SpecError(`--start: ${(e as Error).message}`);
  }
}

async function loadDevice(space: PredictorSpace, args: Args, device: string, budget: number) {
  if (space.predictor !== 'help') throw new SpecError(`nas supports nasbench201, fbnet and ofa, not ${space.name}`);
  const predictor = LatencyPredictor.load(await loadTf(), space.name, args.str('weights'));
  const handle = predictor.resolve(device);
  // The search budget keeps the device's estimated prediction error as headroom (margin.ts).
  const margin = parseMargin(args.str('margin'), () => deviceRelativeError(handle));
  if (margin === undefined) throw new SpecError(`--margin must be "auto" or a percentage below 100 (e.g. 3 or 3%), got "${args.str('margin')}"`);
  return { predictor, handle, margin, searchMs: searchBudget(budget, margin), floorMs: deviceLatencyFloorMs(handle) };
}

interface Report {
  space: string;
  device: string;
  budget_ms: number;
  /** The safety margin (relative) and the budget the search used: budget_ms / (1 + margin). */
  margin: number;
  search_budget_ms: number;
  mode: 'candidates' | 'nearest' | 'evolution';
  spec: string;
  predicted_ms: number;
  accuracy: number | null;
  measured_ms: number | null;
  /** Measured latency above the budget (null when not measured). */
  violates_budget: boolean | null;
  feasible: number;
  searched: number;
  edits?: number;
  top: { spec: string; predicted_ms: number; accuracy?: number | null; edits?: number }[];
  note?: string;
}

function printReport(r: Report, source: string) {
  const lines = [`nas ${r.space} on ${r.device}, budget ${r.budget_ms} ms: ${source}`];
  if (r.margin > 0) lines.push(`searched under ${fmt(r.search_budget_ms)} ms (margin ${(100 * r.margin).toFixed(1)}%: the device's estimated prediction error; --margin 0 turns it off)`);
  lines.push(`architecture  ${r.spec}`);
  lines.push(`predicted     ${fmt(r.predicted_ms)} ms`);
  if (r.edits !== undefined) lines.push(`edits         ${r.edits} from --start`);
  lines.push(`accuracy      ${r.accuracy === null ? 'n/a' : `${r.accuracy.toFixed(2)}%`}${r.mode === 'candidates' && r.accuracy !== null ? ' (from the candidate list)' : ''}`);
  lines.push(
    r.measured_ms === null
      ? 'measured      n/a (no measured table for this device here)'
      : `measured      ${fmt(r.measured_ms)} ms (table in data/): ${r.violates_budget ? 'VIOLATES the budget' : 'within the budget'}`,
  );
  if (r.top.length > 1) {
    lines.push(`next best:`);
    for (const t of r.top.slice(1)) {
      const acc = t.accuracy === undefined || t.accuracy === null ? '' : `${t.accuracy.toFixed(2)}%  `;
      const ed = t.edits === undefined ? '' : `${counted(t.edits, 'edit ', 'edits')}  `;
      lines.push(`  ${acc}${ed}${fmt(t.predicted_ms)} ms  ${t.spec}`);
    }
  }
  if (r.note) lines.push(`note: ${r.note}`);
  // The device name comes from a file: no escape sequences or bidi controls reach the terminal.
  process.stdout.write(lines.map((l) => neutraliseForDisplay(l)).join('\n') + '\n');
}

export async function nasCommand(args: Args): Promise<void> {
  const space = getSpace(args.required('space'));
  if (space.name === 'nasbench201') return nasNb201(args, space);
  if (space.name === 'fbnet' || space.name === 'ofa') return nasEvolution(args, space);
  throw new SpecError(`nas supports nasbench201, fbnet and ofa, not ${space.name}`);
}

async function nasNb201(args: Args, space: PredictorSpace) {
  args.only(NB201_FLAGS);
  const device = args.required('device');
  const budget = positiveNumber(args, 'budget');
  const start = parseStart(space, args.str('start'));
  const maxEdits = optInt(args, 'max-edits', 0);
  const minConvs = optInt(args, 'min-convs', 0);
  const top = args.int('top', 5, 1);
  if (maxEdits !== undefined && !start) throw new SpecError('--max-edits needs --start SPEC');
  if (minConvs !== undefined && !start) throw new SpecError('--min-convs applies to the whole-space search (--start SPEC)');

  // The candidate list: --candidates, else MetaD2A's list in data/ (needed unless searching from --start).
  let candidates: Candidate[] | undefined;
  let source = '';
  const file = args.str('candidates') ?? (await dataDir().then((d) => (d ? path.join(d, 'nasbench201', 'metad2a_candidates.csv') : undefined)));
  if (args.has('candidates') || (file && fs.existsSync(file))) {
    candidates = parseCandidates(readText(file!, 'candidates file'), (s) => space.canonical(s), file);
    source = `${candidates.length} candidates from ${path.basename(file!)}`;
  } else if (!start) {
    throw new SpecError('no candidate list (data/nasbench201/metad2a_candidates.csv is not here): give --candidates FILE ("cell string, accuracy" rows) or --start SPEC');
  }

  const { predictor, handle, margin, searchMs, floorMs } = await loadDevice(space, args, device, budget);
  let report: Report;
  if (start) {
    const accuracy = new Map((candidates ?? []).filter((c) => c.accuracy !== undefined).map((c) => [c.spec, c.accuracy!]));
    const convs = (spec: string) => parseNasBench201Cell(spec).ops.filter((o) => o === 'nor_conv_1x1' || o === 'nor_conv_3x3').length;
    const stats: NearestStats = { evaluated: 0, found: 0, reached: 0, exact: true };
    // Exact: the cells at 0, 1, 2, ... edge changes from the start, each distance predicted in one call.
    const found = nearestUnderBudget('nasbench201', start, (specs) => predictor.predict(handle, specs), {
      budgetMs: searchMs,
      floorMs,
      maxEdits,
      limit: top,
      admit: minConvs === undefined ? undefined : (s) => convs(s) >= minConvs,
      accuracy: (s) => accuracy.get(s),
    }, stats);
    const best = found[0];
    if (!best) throw new SpecError(`no architecture within ${fmt(searchMs)} ms${marginText(margin)} (fastest: ${stats.fastest ? fmt(stats.fastest.predicted_ms) : 'n/a'} ms)`);
    const measured = await measuredLatency(space, handle, best.spec);
    report = {
      space: space.name,
      device: handle.info.name,
      budget_ms: budget,
      margin,
      search_budget_ms: searchMs,
      mode: 'nearest',
      spec: best.spec,
      predicted_ms: best.predicted_ms,
      accuracy: best.accuracy ?? null,
      measured_ms: measured,
      violates_budget: measured === null ? null : measured > budget,
      feasible: stats.found,
      searched: stats.evaluated,
      edits: best.edits,
      top: found.map((h) => ({ spec: h.spec, predicted_ms: h.predicted_ms, accuracy: h.accuracy ?? null, edits: h.edits })),
      note: 'fewest edge changes from --start within the budget (ties: faster); accuracy is known only for cells in the candidate list',
    };
    source = `${stats.evaluated} cells within ${stats.reached} edge changes of --start predicted, ${stats.found} within ${fmt(searchMs)} ms`;
  } else {
    const cands = candidates!;
    const ms = predictor.predict(handle, cands.map((c) => c.spec));
    const sel = selectWithinBudget(cands, ms, searchMs, { floorMs });
    if (!sel.best) throw new SpecError(`no candidate within ${fmt(searchMs)} ms${marginText(margin)} (fastest: ${sel.fastest ? fmt(sel.fastest.predicted_ms) : 'n/a'} ms)`);
    const measured = await measuredLatency(space, handle, sel.best.spec);
    report = {
      space: space.name,
      device: handle.info.name,
      budget_ms: budget,
      margin,
      search_budget_ms: searchMs,
      mode: 'candidates',
      spec: sel.best.spec,
      predicted_ms: sel.best.predicted_ms,
      accuracy: sel.best.accuracy ?? null,
      measured_ms: measured,
      violates_budget: measured === null ? null : measured > budget,
      feasible: sel.feasible.length,
      searched: sel.total,
      top: sel.feasible.slice(0, top).map((c) => ({ spec: c.spec, predicted_ms: c.predicted_ms, accuracy: c.accuracy ?? null })),
    };
    source += `, ${sel.feasible.length} predicted within ${fmt(searchMs)} ms`;
  }
  if (args.has('json')) process.stdout.write(JSON.stringify(report) + '\n');
  else printReport(report, source);
}

function marginText(margin: number): string {
  return margin > 0 ? ` (the budget less a ${(100 * margin).toFixed(1)}% margin for prediction error; --margin 0 turns it off)` : '';
}

function stageDepths(raw: string | undefined): number | number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isInteger(n))) throw new SpecError(`--min-depth must be an integer or 5 comma-separated stage depths, got "${raw}"`);
  return nums.length === 1 ? nums[0] : nums;
}

async function nasEvolution(args: Args, space: PredictorSpace) {
  args.only(EVOLUTION_FLAGS);
  const device = args.required('device');
  const budget = positiveNumber(args, 'budget');
  const start = parseStart(space, args.str('start'));
  const top = args.int('top', 5, 1);
  const constraints: ArchConstraints = {
    start,
    maxEdits: optInt(args, 'max-edits', 0),
    maxSkips: optInt(args, 'max-skips', 0),
    minStageDepth: stageDepths(args.str('min-depth')),
    minTotalDepth: optInt(args, 'min-total-depth', 0),
    minResolution: optInt(args, 'min-resolution', 0),
    maxResolution: optInt(args, 'max-resolution', 0),
  };
  for (const k of Object.keys(constraints) as (keyof ArchConstraints)[]) if (constraints[k] === undefined) delete constraints[k];
  const flagOf: Record<string, string> = { maxSkips: '--max-skips', minStageDepth: '--min-depth', minTotalDepth: '--min-total-depth', minResolution: '--min-resolution', maxResolution: '--max-resolution', maxEdits: '--max-edits' };
  try {
    validateConstraints(space.name, constraints);
  } catch (e) {
    // Name the flag, not the field.
    let msg = (e as Error).message;
    for (const [k, f] of Object.entries(flagOf)) msg = msg.replace(new RegExp(`\\b${k}\\b`, 'g'), f);
    throw new SpecError(msg.replace('a start architecture', '--start SPEC'));
  }
  const objective = start ? 'edits' : 'latency';
  const { predictor, handle, margin, searchMs, floorMs } = await loadDevice(space, args, device, budget);
  const r = evolve(space.name, (specs) => predictor.predict(handle, specs), constraints, {
    budgetMs: searchMs,
    floorMs,
    objective,
    seed: args.int('seed', 0, 0),
    generations: args.int('generations', 40, 0),
    population: args.int('population', 64, 2),
  });
  if (!r.best.fits) throw new SpecError(`no architecture within ${fmt(searchMs)} ms${marginText(margin)} found (fastest: ${fmt(Math.min(...r.top.map((t) => t.predicted_ms)))} ms)`);
  const measured = await measuredLatency(space, handle, r.best.spec);
  const report: Report = {
    space: space.name,
    device: handle.info.name,
    budget_ms: budget,
    margin,
    search_budget_ms: searchMs,
    mode: 'evolution',
    spec: r.best.spec,
    predicted_ms: r.best.predicted_ms,
    accuracy: null,
    measured_ms: measured,
    violates_budget: measured === null ? null : measured > budget,
    feasible: r.feasible,
    searched: r.evaluations,
    top: r.top.filter((t) => t.fits).slice(0, top).map((t) => ({ spec: t.spec, predicted_ms: t.predicted_ms, accuracy: null, edits: t.edits })),
    note:
      `no accuracy predictor ships for ${space.name}, so accuracy is not searched: ` +
      (start ? 'this is the architecture with the fewest edits from --start whose predicted latency fits the budget' : 'this is the fastest architecture satisfying the constraints'),
  };
  if (r.best.edits !== undefined) report.edits = r.best.edits;
  if (args.has('json')) process.stdout.write(JSON.stringify(report) + '\n');
  else printReport(report, `regularised evolution, ${r.evaluations} architectures predicted`);
}
