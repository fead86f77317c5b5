// Every architecture SPEC of every search space in a text, with its range: what the editor puts a CodeLens,
// a hover and a file decoration on. Pure (no vscode import), so it is tested directly.
import { findNasBench201Cells } from './nasbench201';
import { findFbnetSpecs } from './fbnet';
import { findOfaSpecs } from './ofa';
import { findHatConfigs } from './hatFinder';
import { ScanBudget } from './scanBudget';

export type SpaceName = 'nasbench201' | 'fbnet' | 'ofa' | 'hat';

export interface FoundSpec {
  space: SpaceName;
  /** Canonical SPEC of the space (what the predictor and the caches key on). */
  spec: string;
  /** Offsets into the text; `end` is exclusive. */
  start: number;
  end: number;
}

type Finder = (text: string, budget?: ScanBudget) => { spec: string; start: number; end: number }[];

const FINDERS: Record<SpaceName, Finder> = {
  nasbench201: findNasBench201Cells,
  fbnet: findFbnetSpecs,
  ofa: findOfaSpecs,
  hat: findHatConfigs,
};

export const FINDER_SPACES = Object.keys(FINDERS) as SpaceName[];

/**
 * Specs of the given spaces (default: all) in `text`, sorted by start. A spec lying inside another one
 * (e.g. a list that is part of a larger config) is dropped in favour of the outer one. A finder that throws
 * (it should not) costs only its own space's specs. With a `budget`, the scan stops when it is spent and
 * returns what was found so far; `budget.exceeded` then says why.
 */
export function findSpecs(text: string, spaces: readonly SpaceName[] = FINDER_SPACES, budget?: ScanBudget): FoundSpec[] {
  const all: FoundSpec[] = [];
  for (const space of spaces) {
    const find = FINDERS[space];
    if (!find) continue;
    if (budget && !budget.ok) break;
    let found: { spec: string; start: number; end: number }[];
    try {
      found = find(text, budget);
    } catch {
      continue;
    }
    for (const f of found) all.push({ space, spec: f.spec, start: f.start, end: f.end });
  }
  // Longest first at equal starts, so that containment is a check against the last kept spec.
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: FoundSpec[] = [];
  for (const s of all) {
    const prev = out[out.length - 1];
    if (prev && s.start < prev.end) continue;
    out.push(s);
  }
  return out;
}

/** The spec under offset `at` (inclusive of its end, so a cursor just after a spec still counts). */
export function specAt(specs: readonly FoundSpec[], at: number): FoundSpec | undefined {
  return specs.find((s) => s.start <= at && at <= s.end);
}
