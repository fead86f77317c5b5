// Evolutionary search over FBNet and OFA (whose spaces are too large to enumerate) for the architecture with
// the lowest predicted latency under structural constraints, or with the fewest edits from a starting
// architecture whose predicted latency fits a budget. Regularised evolution (Real et al., AAAI 2019): a
// population queue, tournament selection, mutation, and ageing (the oldest individuals leave), with each
// generation's children predicted in one batched call. Every child is repaired into the constraints
// (structural constraints are never violated), so the only soft constraint is the latency budget.
// Deterministic by seed.
import { FBNET_LAYERS, FBNET_OPS, FbnetArch, formatFbnetSpec, parseFbnetSpec, sampleFbnet } from '../spaces/fbnet';
import { OFA_BLOCKS, OFA_D, OFA_E, OFA_KS, OFA_R_MAX, OFA_R_MIN, OFA_RESOLUTIONS, OFA_STAGES, OfaArch, formatOfaSpec, parseOfaSpec, sampleOfa } from '../spaces/ofa';
import { makeRng, Rng, SpecError } from '../spaces/space';
import { fbnetEdits, ofaActive, ofaEdits, ofaKey, PredictMs } from './nearest';
import { plausibleMs } from './margin';

/** What the user requires of the architecture (all optional). */
export interface ArchConstraints {
  /** The architecture to start from (the population is seeded around it); needed by `maxEdits` and the
   *  `edits` objective. */
  start?: string;
  /** At most this many single edits from `start`. */
  maxEdits?: number;
  /** FBNet: at most this many `skip` layers. */
  maxSkips?: number;
  /** OFA: minimum depth of every stage (one number) or of each of the 5 stages. */
  minStageDepth?: number | number[];
  /** OFA: minimum total depth (sum of the 5 stage depths, 10..20). */
  minTotalDepth?: number;
  /** OFA: input resolution bounds (128..224). */
  minResolution?: number;
  maxResolution?: number;
}

export type EvolutionObjective =
  /** Lowest predicted latency (the budget only reports feasibility). */
  | 'latency'
  /** Fewest edits from `start` with predicted latency within the budget; ties: lower latency. */
  | 'edits';

export interface EvolutionOptions {
  budgetMs?: number;
  objective?: EvolutionObjective;
  seed?: number;
  /** Population size (default 64). */
  population?: number;
  /** Children per generation, predicted in one call (default 32). */
  batch?: number;
  /** Generations (default 40). */
  generations?: number;
  /** Tournament size (default 16). */
  tournament?: number;
  /** After evolving, hill-climb from the best architecture over all legal single edits (one batched call per
   *  step) until no edit improves it; at most this many steps (default 40, 0 disables). */
  polishSteps?: number;
  /** The device's prediction floor (combine.ts deviceLatencyFloorMs): a prediction at or below it never fits. */
  floorMs?: number;
}

export interface EvolvedArch {
  spec: string;
  predicted_ms: number;
  /** Edits from `start`, when a start was given. */
  edits?: number;
  /** Predicted latency within the budget (true when no budget was given). */
  fits: boolean;
}

export interface EvolutionResult {
  best: EvolvedArch;
  /** The best distinct architectures seen, best first (up to 10). */
  top: EvolvedArch[];
  /** Distinct architectures predicted. */
  evaluations: number;
  /** Distinct architectures predicted (within the constraints) whose predicted latency fits the budget. */
  feasible: number;
  /** predictMs calls. */
  calls: number;
  /** Best predicted latency after each generation (index 0: the initial population), then after each polish step. */
  history: number[];
}

type Space = 'fbnet' | 'ofa';

function checkSpace(space: string): Space {
  if (space !== 'fbnet' && space !== 'ofa') throw new SpecError(`evolutionary search supports fbnet and ofa, not "${space}"`);
  return space;
}

function stageMins(c: ArchConstraints): number[] {
  const m = c.minStageDepth;
  if (m === undefined) return new Array(OFA_STAGES).fill(OFA_D[0]);
  return typeof m === 'number' ? new Array(OFA_STAGES).fill(m) : m.slice();
}

/** Throws a one-line SpecError for constraints that do not apply to the space or cannot be met. */
export function validateConstraints(spaceName: string, c: ArchConstraints): void {
  const space = checkSpace(spaceName);
  const int = (v: number | undefined, what: string, lo: number, hi: number) => {
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new SpecError(`${what} must be an integer in ${lo}..${hi}, got ${v}`);
  };
  const ofaOnly = ['minStageDepth', 'minTotalDepth', 'minResolution', 'maxResolution'] as const;
  if (space === 'fbnet') {
    for (const k of ofaOnly) if (c[k] !== undefined) throw new SpecError(`${k} applies to ofa, not fbnet`);
    int(c.maxSkips, 'maxSkips (at most k skip layers)', 0, FBNET_LAYERS);
  } else {
    if (c.maxSkips !== undefined) throw new SpecError('maxSkips applies to fbnet, not ofa');
    const m = c.minStageDepth;
    if (Array.isArray(m) && m.length !== OFA_STAGES) throw new SpecError(`minStageDepth: expected ${OFA_STAGES} stage depths, got ${m.length}`);
    for (const v of stageMins(c)) int(v, 'minimum stage depth', 0, OFA_D[OFA_D.length - 1]);
    int(c.minTotalDepth, 'minTotalDepth', 0, OFA_STAGES * OFA_D[OFA_D.length - 1]);
    for (const [k, v] of [['minResolution', c.minResolution], ['maxResolution', c.maxResolution]] as const) {
      if (v !== undefined && (!Number.isFinite(v) || v < OFA_R_MIN || v > OFA_R_MAX)) throw new SpecError(`${k} must be in ${OFA_R_MIN}..${OFA_R_MAX}, got ${v}`);
    }
    if (!OFA_RESOLUTIONS.some((r) => r >= (c.minResolution ?? 0) && r <= (c.maxResolution ?? Infinity))) {
      throw new SpecError(`no OFA resolution in ${c.minResolution}..${c.maxResolution} (allowed: ${OFA_R_MIN}..${OFA_R_MAX} in steps of 4)`);
    }
  }
  if (c.maxEdits !== undefined) {
    if (c.start === undefined) throw new SpecError('maxEdits needs a start architecture');
    int(c.maxEdits, 'maxEdits', 0, 1000);
  }
}

/** The constraints an architecture violates, in words (empty when it satisfies them all). */
export function violations(spaceName: string, spec: string, c: ArchConstraints): string[] {
  const space = checkSpace(spaceName);
  const out: string[] = [];
  if (space === 'fbnet') {
    const a = parseFbnetSpec(spec);
    const skips = a.ops.filter((o) => o === 'skip').length;
    if (c.maxSkips !== undefined && skips > c.maxSkips) out.push(`${skips} skip layers > ${c.maxSkips}`);
  } else {
    const a = parseOfaSpec(spec);
    const mins = stageMins(c);
    a.d.forEach((d, s) => {
      if (d < mins[s]) out.push(`stage ${s + 1} depth ${d} < ${mins[s]}`);
    });
    const total = a.d.reduce((x, y) => x + y, 0);
    if (c.minTotalDepth !== undefined && total < c.minTotalDepth) out.push(`total depth ${total} < ${c.minTotalDepth}`);
    if (c.minResolution !== undefined && a.r < c.minResolution) out.push(`resolution ${a.r} < ${c.minResolution}`);
    if (c.maxResolution !== undefined && a.r > c.maxResolution) out.push(`resolution ${a.r} > ${c.maxResolution}`);
  }
  if (c.start !== undefined && c.maxEdits !== undefined) {
    const e = (space === 'fbnet' ? fbnetEdits : ofaEdits).distance(c.start, spec);
    if (e > c.maxEdits) out.push(`${e} edits from the start > ${c.maxEdits}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Space-specific variation operators on parsed architectures.

interface Ops<A> {
  parse(spec: string): A;
  format(a: A): string;
  key(a: A): string;
  clone(a: A): A;
  sample(rng: Rng): A;
  /** One random single edit. */
  mutate(a: A, rng: Rng): void;
  /** Edits from start to a. */
  distance(start: A, a: A): number;
  /** Undo one random edit relative to start, keeping the structural constraints; false if none can be undone. */
  revert(a: A, start: A, rng: Rng, c: ArchConstraints): boolean;
  /** Enforce the structural constraints (not maxEdits). */
  repair(a: A, rng: Rng, c: ArchConstraints, start: A | undefined): void;
}

const pick = <T>(xs: readonly T[], rng: Rng): T => xs[Math.floor(rng() * xs.length)];
const NON_SKIP = FBNET_OPS.filter((o) => o !== 'skip');

const fbnetOps: Ops<FbnetArch> = {
  parse: parseFbnetSpec,
  format: formatFbnetSpec,
  key: formatFbnetSpec,
  clone: (a) => ({ ops: a.ops.slice() }),
  sample: (rng) => sampleFbnet(1, rng)[0],
  mutate(a, rng) {
    const l = Math.floor(rng() * FBNET_LAYERS);
    a.ops[l] = pick(FBNET_OPS.filter((o) => o !== a.ops[l]), rng);
  },
  distance: (s, a) => a.ops.reduce((n, op, l) => n + (op === s.ops[l] ? 0 : 1), 0),
  revert(a, s, rng, c) {
    const skips = a.ops.filter((o) => o === 'skip').length;
    const ok = a.ops
      .map((op, l) => l)
      .filter((l) => a.ops[l] !== s.ops[l] && !(s.ops[l] === 'skip' && c.maxSkips !== undefined && skips >= c.maxSkips));
    if (!ok.length) return false;
    const l = pick(ok, rng);
    a.ops[l] = s.ops[l];
    return true;
  },
  repair(a, rng, c, start) {
    if (c.maxSkips === undefined) return;
    let skipLayers = a.ops.map((o, l) => (o === 'skip' ? l : -1)).filter((l) => l >= 0);
    while (skipLayers.length > c.maxSkips) {
      const l = pick(skipLayers, rng);
      // Prefer the start's op (fewer edits), else any computing block.
      a.ops[l] = start && start.ops[l] !== 'skip' ? start.ops[l] : pick(NON_SKIP, rng);
      skipLayers = skipLayers.filter((x) => x !== l);
    }
  },
};

function ofaGenes(a: OfaArch): { kind: 'ks' | 'e' | 'd' | 'r'; i: number }[] {
  const g: { kind: 'ks' | 'e' | 'd' | 'r'; i: number }[] = [];
  for (let b = 0; b < OFA_BLOCKS; b++) {
    if (!ofaActive(a, b)) continue;
    g.push({ kind: 'ks', i: b }, { kind: 'e', i: b });
  }
  for (let s = 0; s < OFA_STAGES; s++) g.push({ kind: 'd', i: s });
  g.push({ kind: 'r', i: 0 });
  return g;
}

function ofaResolutions(c: ArchConstraints): number[] {
  return OFA_RESOLUTIONS.filter((r) => r >= (c.minResolution ?? 0) && r <= (c.maxResolution ?? Infinity));
}

const ofaOps: Ops<OfaArch> = {
  parse: parseOfaSpec,
  format: formatOfaSpec,
  key: ofaKey,
  clone: (a) => ({ ks: a.ks.slice(), e: a.e.slice(), d: a.d.slice(), r: a.r }),
  sample: (rng) => sampleOfa(1, rng)[0],
  mutate(a, rng) {
    const g = pick(ofaGenes(a), rng);
    if (g.kind === 'ks') a.ks[g.i] = pick(OFA_KS.filter((v) => v !== a.ks[g.i]), rng);
    else if (g.kind === 'e') a.e[g.i] = pick(OFA_E.filter((v) => v !== a.e[g.i]), rng);
    else if (g.kind === 'd') a.d[g.i] = pick(OFA_D.filter((v) => v !== a.d[g.i]), rng);
    else {
      // Half the time a neighbouring resolution (fine steps), else any.
      const k = OFA_RESOLUTIONS.indexOf(a.r);
      const near = [OFA_RESOLUTIONS[k - 1], OFA_RESOLUTIONS[k + 1]].filter((v) => v !== undefined);
      a.r = rng() < 0.5 ? pick(near, rng) : pick(OFA_RESOLUTIONS.filter((v) => v !== a.r), rng);
    }
  },
  distance: (s, a) => {
    let n = s.r === a.r ? 0 : 1;
    for (let st = 0; st < OFA_STAGES; st++) if (s.d[st] !== a.d[st]) n++;
    for (let b = 0; b < OFA_BLOCKS; b++) {
      if (!ofaActive(a, b)) continue;
      if (s.ks[b] !== a.ks[b]) n++;
      if (s.e[b] !== a.e[b]) n++;
    }
    return n;
  },
  revert(a, s, rng, c) {
    const mins = stageMins(c);
    const total = a.d.reduce((x, y) => x + y, 0);
    const rs = ofaResolutions(c);
    const ok = ofaGenes(a).filter((g) => {
      if (g.kind === 'ks') return a.ks[g.i] !== s.ks[g.i];
      if (g.kind === 'e') return a.e[g.i] !== s.e[g.i];
      if (g.kind === 'd') return a.d[g.i] !== s.d[g.i] && s.d[g.i] >= mins[g.i] && total - a.d[g.i] + s.d[g.i] >= (c.minTotalDepth ?? 0);
      return a.r !== s.r && rs.includes(s.r);
    });
    if (!ok.length) return false;
    const g = pick(ok, rng);
    if (g.kind === 'ks') a.ks[g.i] = s.ks[g.i];
    else if (g.kind === 'e') a.e[g.i] = s.e[g.i];
    else if (g.kind === 'd') a.d[g.i] = s.d[g.i];
    else a.r = s.r;
    return true;
  },
  repair(a, rng, c) {
    const mins = stageMins(c);
    a.d = a.d.map((d, s) => Math.max(d, mins[s]));
    const minTotal = c.minTotalDepth ?? 0;
    for (let total = a.d.reduce((x, y) => x + y, 0); total < minTotal; total++) {
      const open = a.d.map((d, s) => (d < OFA_D[OFA_D.length - 1] ? s : -1)).filter((s) => s >= 0);
      a.d[pick(open, rng)]++;
    }
    const rs = ofaResolutions(c);
    if (!rs.includes(a.r)) a.r = rs.reduce((best, r) => (Math.abs(r - a.r) < Math.abs(best - a.r) ? r : best), rs[0]);
  },
};

// ---------------------------------------------------------------------------------------------------------

interface Individual<A> {
  arch: A;
  spec: string;
  key: string;
  ms: number;
  edits?: number;
}

/**
 * Regularised evolution minimising predicted latency (objective `latency`) or edits from the start under
 * the budget (objective `edits`), within the constraints. `predictMs` is called once per generation with
 * that generation's new architectures.
 */
export function evolve(spaceName: string, predictMs: PredictMs, constraints: ArchConstraints = {}, options: EvolutionOptions = {}): EvolutionResult {
  const steps = evolveSteps(spaceName, predictMs, constraints, options);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * The same search one step at a time: the generator pauses after every generation and every polishing
 * step and returns the result. The worker drives it so that other requests (the lenses' predictions) are
 * answered, and a cancellation is seen, between two steps.
 */
export function evolveSteps(spaceName: string, predictMs: PredictMs, constraints: ArchConstraints = {}, options: EvolutionOptions = {}): Generator<void, EvolutionResult, void> {
  const space = checkSpace(spaceName);
  validateConstraints(space, constraints);
  return space === 'fbnet' ? run(fbnetOps, space, predictMs, constraints, options) : run(ofaOps, space, predictMs, constraints, options);
}

function* run<A>(ops: Ops<A>, space: Space, predictMs: PredictMs, c: ArchConstraints, o: EvolutionOptions): Generator<void, EvolutionResult, void> {
  const objective = o.objective ?? 'latency';
  const budget = o.budgetMs ?? Infinity;
  if (o.budgetMs !== undefined && !(o.budgetMs > 0)) throw new SpecError(`latency budget must be a positive number of milliseconds, got ${o.budgetMs}`);
  if (objective === 'edits' && c.start === undefined) throw new SpecError('the edits objective needs a start architecture');
  if (objective === 'edits' && o.budgetMs === undefined) throw new SpecError('the edits objective needs a latency budget');
  const rng = makeRng(o.seed ?? 0);
  const P = Math.max(2, o.population ?? 64);
  const batch = Math.max(1, o.batch ?? 32);
  const generations = Math.max(0, o.generations ?? 40);
  const T = Math.max(1, Math.min(o.tournament ?? 16, P));
  let start: A | undefined;
  if (c.start !== undefined) {
    try {
      start = ops.parse(c.start);
    } catch (e) {
      throw new SpecError(`start architecture: ${(e as Error).message}`);
    }
  }

  const cache = new Map<string, number>();
  let calls = 0;
  const evaluate = (archs: A[]): Individual<A>[] => {
    const inds = archs.map((arch) => ({ arch, spec: ops.format(arch), key: ops.key(arch), ms: NaN, edits: start ? ops.distance(start, arch) : undefined }));
    const todo = [...new Map(inds.filter((i) => !cache.has(i.key)).map((i) => [i.key, i.spec])).entries()];
    if (todo.length) {
      const ms = predictMs(todo.map(([, spec]) => spec));
      calls++;
      if (ms.length !== todo.length) throw new Error(`predictMs returned ${ms.length} values for ${todo.length} architectures`);
      // An impossible prediction (non-finite, <= 0, at the floor) is unknown: infinitely slow, never fits.
      todo.forEach(([key], k) => cache.set(key, plausibleMs(ms[k], o.floorMs) ? ms[k] : Infinity));
    }
    for (const i of inds) i.ms = cache.get(i.key)!;
    return inds;
  };
  // Lexicographic fitness, lower is better.
  const fitness = (i: Individual<A>): number[] =>
    objective === 'edits' ? [Math.max(0, i.ms - budget), i.edits ?? 0, i.ms] : start ? [i.ms, i.edits ?? 0] : [i.ms];
  const better = (a: Individual<A>, b: Individual<A>): boolean => {
    const fa = fitness(a);
    const fb = fitness(b);
    for (let k = 0; k < fa.length; k++) if (fa[k] !== fb[k]) return fa[k] < fb[k];
    return a.spec < b.spec;
  };

  /** A child within the structural constraints and maxEdits, or undefined if repair failed. */
  const legal = (a: A): A | undefined => {
    ops.repair(a, rng, c, start);
    if (start && c.maxEdits !== undefined) {
      let guard = 0;
      while (ops.distance(start, a) > c.maxEdits && guard++ < 200) if (!ops.revert(a, start, rng, c)) break;
      if (ops.distance(start, a) > c.maxEdits) return undefined;
    }
    return violations(space, ops.format(a), c).length ? undefined : a;
  };

  // Initial population: the start and mutations of it (1..3 edits), or random architectures.
  const init: A[] = [];
  const initKeys = new Set<string>();
  for (let attempt = 0; init.length < P && attempt < P * 50; attempt++) {
    let a: A;
    if (start) {
      a = ops.clone(start);
      const n = init.length === 0 ? 0 : 1 + Math.floor(rng() * 3);
      for (let k = 0; k < n; k++) ops.mutate(a, rng);
    } else a = ops.sample(rng);
    const l = legal(a);
    if (!l) continue;
    const key = ops.key(l);
    if (initKeys.has(key) && attempt < P * 10) continue;
    initKeys.add(key);
    init.push(l);
  }
  if (init.length === 0) throw new SpecError('no architecture satisfies the constraints (check --start, --max-edits and the depth/resolution/skip limits)');
  let population = evaluate(init);
  let best = population.reduce((b, i) => (better(i, b) ? i : b));
  const history = [best.ms];
  const seen = new Map<string, Individual<A>>(population.map((i) => [i.key, i]));

  for (let g = 0; g < generations; g++) {
    const children: A[] = [];
    for (let attempt = 0; children.length < batch && attempt < batch * 20; attempt++) {
      // Tournament: the best of T random members.
      let parent = population[Math.floor(rng() * population.length)];
      for (let t = 1; t < T; t++) {
        const x = population[Math.floor(rng() * population.length)];
        if (better(x, parent)) parent = x;
      }
      const child = ops.clone(parent.arch);
      const r = rng();
      if (start && objective === 'edits' && r < 0.3) {
        if (!ops.revert(child, start, rng, c)) ops.mutate(child, rng);
      } else {
        ops.mutate(child, rng);
        if (r > 0.7) ops.mutate(child, rng);
      }
      const l = legal(child);
      if (l) children.push(l);
    }
    if (!children.length) break;
    const born = evaluate(children);
    population = population.concat(born).slice(born.length); // ageing: the oldest leave
    for (const i of born) {
      if (!seen.has(i.key)) seen.set(i.key, i);
      if (better(i, best)) best = i;
    }
    history.push(best.ms);
    yield;
  }

  // Polish: steepest descent over single edits (each step's legal neighbours predicted in one call).
  const editSpace = space === 'fbnet' ? fbnetEdits : ofaEdits;
  for (let step = 0; step < (o.polishSteps ?? 40); step++) {
    const neigh: A[] = [];
    for (const n of editSpace.neighbours(best.spec)) {
      const a = ops.parse(n);
      if (start && c.maxEdits !== undefined && ops.distance(start, a) > c.maxEdits) continue;
      if (violations(space, n, c).length) continue;
      neigh.push(a);
    }
    if (!neigh.length) break;
    const evaluated = evaluate(neigh);
    let next = best;
    for (const i of evaluated) {
      if (!seen.has(i.key)) seen.set(i.key, i);
      if (better(i, next)) next = i;
    }
    if (next === best) break;
    best = next;
    history.push(best.ms);
    yield;
  }

  const out = (i: Individual<A>): EvolvedArch => {
    const e: EvolvedArch = { spec: i.spec, predicted_ms: i.ms, fits: i.ms <= budget };
    if (i.edits !== undefined) e.edits = i.edits;
    return e;
  };
  const top = [...seen.values()].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0)).slice(0, 10).map(out);
  const feasible = [...seen.values()].filter((i) => i.ms <= budget).length;
  return { best: out(best), top, evaluations: cache.size, feasible, calls, history };
}
