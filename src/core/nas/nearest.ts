// "The nearest architectures under a budget": given a SPEC that is too slow on a device, the architectures
// with the fewest single edits (one edge op, one layer op, one kernel/expansion/depth/resolution value) whose
// predicted latency fits the budget.
//   NAS-Bench-201: exact, by enumerating the cells at Hamming distance 0, 1, 2, ... over the 6 edges.
//   FBNet, OFA:    a beam search over single edits, keeping the fastest `beamWidth` architectures of each
//                  edit distance as the next frontier (a heuristic: with a near-additive latency it finds
//                  the fewest edits, but it is not guaranteed to).
// The predictor is a callback so the same code serves every space (and synthetic predictors in tests).
import { NB201_OPS, NasBench201Op, formatNasBench201Cell, parseNasBench201Cell } from '../spaces/nasbench201';
import { FBNET_LAYERS, FBNET_OPS, formatFbnetSpec, parseFbnetSpec } from '../spaces/fbnet';
import { OFA_BLOCKS, OFA_BLOCKS_PER_STAGE, OFA_D, OFA_E, OFA_KS, OFA_RESOLUTIONS, OFA_STAGES, OfaArch, formatOfaSpec, parseOfaSpec } from '../spaces/ofa';
import { SpecError } from '../spaces/space';
import { plausibleMs } from './margin';

/** Predicted milliseconds of canonical SPECs, in input order (one batched predictor call). */
export type PredictMs = (specs: string[]) => number[];

/** The single-edit structure of a search space. */
export interface EditSpace {
  readonly name: string;
  canonical(spec: string): string;
  /** Identity of the network a spec describes (OFA: ignores the values of block slots its depth skips). */
  key(spec: string): string;
  /** Every architecture one edit away, as canonical specs. */
  neighbours(spec: string): string[];
  /** The number of single edits that turn `a` into `b`. */
  distance(a: string, b: string): number;
}

// NAS-Bench-201: an edit changes the operation of one of the 6 edges (4 alternatives each).
export const nb201Edits: EditSpace & { atDistance(start: string, k: number): string[] } = {
  name: 'nasbench201',
  canonical: (s) => formatNasBench201Cell(parseNasBench201Cell(s)),
  key: (s) => s,
  neighbours(spec) {
    return nb201Edits.atDistance(spec, 1);
  },
  distance(a, b) {
    const x = parseNasBench201Cell(a).ops;
    const y = parseNasBench201Cell(b).ops;
    return x.reduce((s, op, e) => s + (op === y[e] ? 0 : 1), 0);
  },
  /** Every cell at exactly Hamming distance k from `start` (C(6,k) * 4^k cells). */
  atDistance(start, k) {
    const base = parseNasBench201Cell(start).ops;
    const out: string[] = [];
    const ops = base.slice();
    const rec = (from: number, left: number) => {
      if (left === 0) {
        out.push(formatNasBench201Cell({ ops: ops.slice() }));
        return;
      }
      for (let e = from; e <= 6 - left; e++) {
        for (const op of NB201_OPS) {
          if (op === base[e]) continue;
          ops[e] = op as NasBench201Op;
          rec(e + 1, left - 1);
        }
        ops[e] = base[e];
      }
    };
    if (k >= 0 && k <= 6) rec(0, k);
    return out;
  },
};

// FBNet: an edit changes the op of one of the 22 layers (8 alternatives each).
export const fbnetEdits: EditSpace = {
  name: 'fbnet',
  canonical: (s) => formatFbnetSpec(parseFbnetSpec(s)),
  key: (s) => s,
  neighbours(spec) {
    const ops = parseFbnetSpec(spec).ops;
    const out: string[] = [];
    for (let l = 0; l < FBNET_LAYERS; l++) {
      for (const op of FBNET_OPS) {
        if (op === ops[l]) continue;
        const next = ops.slice();
        next[l] = op;
        out.push(formatFbnetSpec({ ops: next }));
      }
    }
    return out;
  },
  distance(a, b) {
    const x = parseFbnetSpec(a).ops;
    const y = parseFbnetSpec(b).ops;
    return x.reduce((s, op, l) => s + (op === y[l] ? 0 : 1), 0);
  },
};

export function ofaActive(arch: OfaArch, slot: number): boolean {
  return slot % OFA_BLOCKS_PER_STAGE < arch.d[Math.floor(slot / OFA_BLOCKS_PER_STAGE)];
}

/** OFA network identity: kernel and expansion of skipped slots zeroed. */
export function ofaKey(arch: OfaArch): string {
  const ks = arch.ks.map((v, b) => (ofaActive(arch, b) ? v : 0));
  const e = arch.e.map((v, b) => (ofaActive(arch, b) ? v : 0));
  return JSON.stringify({ ks, e, d: arch.d, r: arch.r });
}

// OFA: an edit changes the kernel size or the expansion ratio of one running block, the depth of one stage,
// or the input resolution. A deeper stage runs the slots it gains with the values they hold (editing them
// is further edits), so the distance from a to b counts every stage depth that differs, every kernel and
// expansion that differs in the slots b runs, and the resolution.
export const ofaEdits: EditSpace = {
  name: 'ofa',
  canonical: (s) => formatOfaSpec(parseOfaSpec(s)),
  key: (s) => ofaKey(parseOfaSpec(s)),
  neighbours(spec) {
    const a = parseOfaSpec(spec);
    const out: string[] = [];
    const push = (m: (c: OfaArch) => void) => {
      const c: OfaArch = { ks: a.ks.slice(), e: a.e.slice(), d: a.d.slice(), r: a.r };
      m(c);
      out.push(formatOfaSpec(c));
    };
    for (let b = 0; b < OFA_BLOCKS; b++) {
      if (!ofaActive(a, b)) continue;
      for (const k of OFA_KS) if (k !== a.ks[b]) push((c) => (c.ks[b] = k));
      for (const x of OFA_E) if (x !== a.e[b]) push((c) => (c.e[b] = x));
    }
    for (let s = 0; s < OFA_STAGES; s++) for (const d of OFA_D) if (d !== a.d[s]) push((c) => (c.d[s] = d));
    for (const r of OFA_RESOLUTIONS) if (r !== a.r) push((c) => (c.r = r));
    return out;
  },
  distance(x, y) {
    const a = parseOfaSpec(x);
    const b = parseOfaSpec(y);
    let n = a.r === b.r ? 0 : 1;
    for (let s = 0; s < OFA_STAGES; s++) if (a.d[s] !== b.d[s]) n++;
    for (let i = 0; i < OFA_BLOCKS; i++) {
      if (!ofaActive(b, i)) continue;
      if (a.ks[i] !== b.ks[i]) n++;
      if (a.e[i] !== b.e[i]) n++;
    }
    return n;
  },
};

const EDIT_SPACES: Record<string, EditSpace> = { nasbench201: nb201Edits, fbnet: fbnetEdits, ofa: ofaEdits };

export function getEditSpace(name: string): EditSpace {
  const s = EDIT_SPACES[name];
  if (!s) throw new SpecError(`architecture search supports ${Object.keys(EDIT_SPACES).join(', ')}, not "${name}"`);
  return s;
}

export interface NearestResult {
  spec: string;
  edits: number;
  predicted_ms: number;
  accuracy?: number;
}

export interface NearestOptions {
  budgetMs: number;
  /** Give up beyond this many edits (default: 6 for NAS-Bench-201, 8 otherwise). */
  maxEdits?: number;
  /** Stop once this many architectures within the budget are found (default 10); all of the last edit
   *  distance reached are ranked before truncating. */
  limit?: number;
  /** FBNet/OFA: architectures kept per edit distance (default 32). */
  beamWidth?: number;
  /** Accuracy of an architecture when known (e.g. from a candidate list), reported with the result. */
  accuracy?: (spec: string) => number | undefined;
  /** Structural constraints: architectures it rejects are neither predicted nor expanded. */
  admit?: (spec: string) => boolean;
  /** The device's prediction floor (combine.ts deviceLatencyFloorMs): a prediction at or below it never fits. */
  floorMs?: number;
}

/** Statistics of the last search, for reports. */
export interface NearestStats {
  evaluated: number;
  /** Architectures within the budget found before truncating to `limit`. */
  found: number;
  /** The largest edit distance searched. */
  reached: number;
  exact: boolean;
  /** The fastest architecture seen (whether or not it fits). */
  fastest?: { spec: string; edits: number; predicted_ms: number };
}

/**
 * The architectures with the fewest edits from `start` whose predicted latency is within the budget, sorted
 * by edits, then predicted latency. Empty when none is found within `maxEdits`.
 */
export function nearestUnderBudget(space: string | EditSpace, start: string, predictMs: PredictMs, opts: NearestOptions, stats?: NearestStats): NearestResult[] {
  const es = typeof space === 'string' ? getEditSpace(space) : space;
  if (!(opts.budgetMs > 0)) throw new SpecError(`latency budget must be a positive number of milliseconds, got ${opts.budgetMs}`);
  const from = es.canonical(start);
  const limit = Math.max(1, opts.limit ?? 10);
  const exact = es.name === 'nasbench201';
  const maxEdits = opts.maxEdits ?? (exact ? 6 : 8);
  const beamWidth = Math.max(1, opts.beamWidth ?? 32);
  const results: NearestResult[] = [];
  const st: NearestStats = stats ?? { evaluated: 0, found: 0, reached: 0, exact };
  st.reached = 0;
  st.evaluated = 0;
  st.found = 0;
  const admit = opts.admit ?? (() => true);
  st.exact = exact;
  st.fastest = undefined;
  const predict = (specs: string[]): number[] => {
    if (specs.length === 0) return [];
    const ms = predictMs(specs);
    if (ms.length !== specs.length) throw new Error(`predictMs returned ${ms.length} values for ${specs.length} architectures`);
    st.evaluated += specs.length;
    // An impossible prediction (non-finite, <= 0, at the floor) is unknown: it never fits, is never the
    // fastest, and goes last in the beam.
    return ms.map((v) => (plausibleMs(v, opts.floorMs) ? v : Infinity));
  };
  const record = (specs: string[], ms: number[], edits: number) => {
    specs.forEach((spec, i) => {
      if (Number.isFinite(ms[i]) && (!st.fastest || ms[i] < st.fastest.predicted_ms)) st.fastest = { spec, edits, predicted_ms: ms[i] };
      if (!(ms[i] <= opts.budgetMs)) return;
      const r: NearestResult = { spec, edits, predicted_ms: ms[i] };
      const acc = opts.accuracy?.(spec);
      if (acc !== undefined) r.accuracy = acc;
      results.push(r);
    });
  };

  if (exact) {
    const nb = es as typeof nb201Edits;
    for (let k = 0; k <= Math.min(maxEdits, 6) && results.length < limit; k++) {
      const level = (k === 0 ? [from] : nb.atDistance(from, k)).filter(admit);
      record(level, predict(level), k);
      st.reached = k;
    }
  } else {
    const seen = new Set<string>([es.key(from)]);
    // An inadmissible start is still expanded (its neighbours may be admissible) but not reported.
    let frontier = [from];
    if (admit(from)) record(frontier, predict(frontier), 0);
    for (let k = 1; k <= maxEdits && results.length < limit && frontier.length; k++) {
      const level: string[] = [];
      for (const f of frontier) {
        for (const n of es.neighbours(f)) {
          const key = es.key(n);
          if (seen.has(key)) continue;
          seen.add(key);
          if (admit(n)) level.push(n);
        }
      }
      const ms = predict(level);
      record(level, ms, k);
      st.reached = k;
      frontier = level
        .map((spec, i) => ({ spec, ms: ms[i] }))
        .sort((a, b) => a.ms - b.ms)
        .slice(0, beamWidth)
        .map((x) => x.spec);
    }
  }
  st.found = results.length;
  results.sort((a, b) => a.edits - b.edits || a.predicted_ms - b.predicted_ms || (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : 0));
  return results.slice(0, limit);
}
