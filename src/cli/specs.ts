// `specs FILE [--json]`: the specs the editor finds in a text file, with the editor's finders, on the whole
// text (findSpecs, what a command on a selection or file reads) and in chunks (findSpecsChunked, what the
// CodeLens, hover and explorer decorations read). Lets the finders be tested from outside the editor and a
// file be checked in CI. An unreadable file, a directory or anything but a regular file is a SpecError
// (exit 2).
import * as fs from 'fs';
import { Args } from './args';
import { findSpecs, FoundSpec } from '../core/spaces/findSpecs';
import { ChunkedSpecFinder } from '../core/spaces/chunkedSpecs';
import { getSpace } from '../core/spaces/registry';
import { ScanBudget } from '../core/spaces/scanBudget';
import { findNearSpecs } from '../core/spaces/nearSpecs';
import { SpecError } from '../core/spaces/space';
import { neutraliseForDisplay } from '../core/text/safeText';

/** The CLI has no keystrokes to keep up with: a scan may take longer than in the editor. */
export const CLI_SCAN_MS = 10_000;

export interface SpecEntry {
  space: string;
  spec: string;
  /** 1-based, in UTF-16 code units (as the editor counts columns). */
  line: number;
  column: number;
  /** Offsets into the text, end exclusive. */
  start: number;
  end: number;
  /** Which scans found it. */
  foundBy: ('whole' | 'chunked')[];
  /** The space's parser refusing the spec as found (a finder bug if ever present). */
  error?: string;
}

/** Text that is almost a spec (what the editor shows as a HELP diagnostic), with the suggested fixes. */
export interface NearEntry {
  space: string;
  message: string;
  /** 1-based line and column of the problem (the op, index or value the message is about). */
  line: number;
  column: number;
  /** Offsets of the problem, and of the whole candidate, end exclusive. */
  start: number;
  end: number;
  candidate: { start: number; end: number };
  fixes: { title: string; start: number; end: number; text: string }[];
  /** The first fix is the obvious one. */
  preferred: boolean;
}

export interface SpecsReport {
  file: string;
  specs: SpecEntry[];
  near: NearEntry[];
  /** Why the near-miss scan stopped early, if it did. */
  nearBudgetExceeded?: string;
  whole: { count: number; budgetExceeded?: string };
  chunked: { count: number; budgetExceeded?: string };
}

/** Reads a regular text file; anything else is a SpecError naming the file. */
export function readTextFile(file: string): string {
  const shown = neutraliseForDisplay(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new SpecError(`cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (st.isDirectory()) throw new SpecError(`${shown}: is a directory, not a text file`);
  if (!st.isFile()) throw new SpecError(`${shown}: not a regular file`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError(`cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** 1-based line and column (UTF-16 units) of each offset, in one pass; `offsets` must be ascending. */
export function linesAndColumns(text: string, offsets: readonly number[]): { line: number; column: number }[] {
  let line = 1;
  let lineStart = 0;
  let at = 0;
  return offsets.map((offset) => {
    for (; at < offset; at++) {
      if (text.charCodeAt(at) === 10) {
        line++;
        lineStart = at + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  });
}

/** The specs of `text`, whole-text and chunked, merged by range and space, with lines and columns. */
export function specsReport(file: string, text: string): SpecsReport {
  const wholeBudget = ScanBudget.forText(text.length, CLI_SCAN_MS);
  const whole = findSpecs(text, undefined, wholeBudget);
  const finder = new ChunkedSpecFinder();
  const chunked = finder.find(text, ScanBudget.forText(text.length, CLI_SCAN_MS));
  const byKey = new Map<string, SpecEntry>();
  const add = (s: FoundSpec, by: 'whole' | 'chunked') => {
    const key = `${s.start}:${s.end}:${s.space}:${s.spec}`;
    const e = byKey.get(key);
    if (e) e.foundBy.push(by);
    else byKey.set(key, { space: s.space, spec: s.spec, line: 0, column: 0, start: s.start, end: s.end, foundBy: [by] });
  };
  whole.forEach((s) => add(s, 'whole'));
  chunked.forEach((s) => add(s, 'chunked'));
  const specs = [...byKey.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  const nearBudget = ScanBudget.forText(text.length, CLI_SCAN_MS);
  const near: NearEntry[] = findNearSpecs(text, whole, nearBudget).map((n) => ({
    space: n.space,
    message: n.message,
    line: 0,
    column: 0,
    start: n.problemStart,
    end: n.problemEnd,
    candidate: { start: n.start, end: n.end },
    fixes: n.fixes,
    preferred: n.preferred,
  }));
  // Lines and columns in one pass over both lists in order of start.
  const positioned = [...specs, ...near].sort((a, b) => a.start - b.start);
  const positions = linesAndColumns(text, positioned.map((e) => e.start));
  positioned.forEach((e, k) => Object.assign(e, positions[k]));
  for (const e of specs) {
    try {
      getSpace(e.space).canonical(e.spec);
    } catch (err) {
      e.error = (err as Error).message.split('\n')[0];
    }
  }
  return {
    file,
    specs,
    near,
    ...(nearBudget.exceeded ? { nearBudgetExceeded: nearBudget.exceeded } : {}),
    whole: { count: whole.length, ...(wholeBudget.exceeded ? { budgetExceeded: wholeBudget.exceeded } : {}) },
    chunked: { count: chunked.length, ...(finder.lastExceeded ? { budgetExceeded: finder.lastExceeded } : {}) },
  };
}

export function formatSpecsReport(r: SpecsReport): string {
  const out: string[] = [];
  const file = neutraliseForDisplay(r.file);
  out.push(`${file}: ${r.whole.count} spec${r.whole.count === 1 ? '' : 's'} (whole text), ${r.chunked.count} in chunks`);
  for (const [what, scan] of [['whole-text', r.whole], ['chunked', r.chunked]] as const) {
    if (scan.budgetExceeded) out.push(`note: the ${what} scan stopped early (${scan.budgetExceeded}); specs after that point are missing`);
  }
  for (const e of r.specs) {
    const by = e.foundBy.length === 2 ? '' : `  [${e.foundBy[0]} only]`;
    out.push(`${file}:${e.line}:${e.column}  ${e.space}  ${neutraliseForDisplay(e.spec)}${by}${e.error ? `  error: ${neutraliseForDisplay(e.error)}` : ''}`);
  }
  if (r.near.length > 0) out.push(`${r.near.length} near-miss${r.near.length === 1 ? '' : 'es'} (almost a spec):`);
  if (r.nearBudgetExceeded) out.push(`note: the near-miss scan stopped early (${r.nearBudgetExceeded})`);
  for (const n of r.near) {
    const fix = n.fixes.length > 0 ? `  fix: ${n.fixes.map((f) => neutraliseForDisplay(f.title)).join(' or ')}` : '';
    out.push(`${file}:${n.line}:${n.column}  ${n.space}  ${neutraliseForDisplay(n.message)}${fix}`);
  }
  return out.join('\n');
}

export async function specsCommand(args: Args): Promise<void> {
  args.only(['json']);
  if (args.positional.length !== 1) throw new SpecError('usage: specs FILE [--json]');
  const file = args.positional[0];
  const report = specsReport(file, readTextFile(file));
  process.stdout.write((args.has('json') ? JSON.stringify(report, null, 2) : formatSpecsReport(report)) + '\n');
}
