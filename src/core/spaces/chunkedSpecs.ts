// findSpecs for the editor: the text is cut into chunks at lines no spec can span and each chunk is scanned
// on its own; after an edit only the chunks it touched are cut and scanned again (ChunkedSpecFinder).
//
// Why: findSpecs is linear in the text, but a large document rescanned on every keystroke is still slow; in
// chunks a keystroke costs about the chunk it changed. Pure (no vscode import): the editor and the CLI's
// `specs` command use it.
//
// A chunk starts at a *cut line*: a line that begins (after its indentation) a plain statement — a letter,
// "_" or "@"; not a "key:" line, not a "- " item, not blank, not a comment — outside any bracket. No spec
// spans such a line: a flow literal ({...}, [...], (...)) would hold it inside its brackets, and the YAML
// block specs (OFA/HAT key lines, FBNet "- op" runs) consist only of key lines, items, blank and comment
// lines and continuation lines inside brackets. So every spec findSpecs reports on the whole text lies
// inside one chunk and is found there (test/extension/chunkedSpecs.test.ts compares the two); a chunk can
// only find more, where a broken block next to a spec hid it from the whole-text scan.
//
// Not every candidate line cuts: one whose text hashes to 0 mod CUT_EVERY does (about one in eight), so
// chunks are a few dozen lines and where they start depends only on the text around them, not on offsets:
// an edit changes the chunk it is in and no other.
//
// Brackets are counted outside single-line strings and # comments, as the literal reader reads them. A
// bracket left open for MAX_OPEN_LINES lines no longer counts (no spec is that long; an unclosed "(" being
// typed must not make the rest of the file one chunk), and a line starting at column 0 with `def `,
// `class `, `import `, `from ` or `@`, which cannot be inside a spec, closes every bracket.
import { findSpecs, FoundSpec } from './findSpecs';
import { ScanBudget } from './scanBudget';

// Text every spec contains: a cell's "~0", an FBNet op name, OFA's key ks (or a backslash: an escape in a
// string could spell it), HAT's encoder keys. A chunk without any cannot hold a spec and is not scanned.
const MAYBE_SPEC = /~\d|k[35]_e|skip|ks|encoder|\\/;

const CUT_EVERY = 8;
const MAX_OPEN_LINES = 200;
const RESET_RE = /^(?:def |class |import |from |async def |@)/;
// A "key:" line (YAML/Python dict entry), which may belong to a block spec.
const KEY_RE = /^[\w.-]+[ \t]*:/;

/** Offsets where chunks start (the first is 0). `every`: 1 in how many cut lines cuts (tests use 1). */
export function chunkStarts(text: string, every = CUT_EVERY): number[] {
  const starts = [0];
  scanCuts(text, 0, every, (cut) => {
    starts.push(cut);
    return false;
  });
  return starts;
}

/**
 * Calls `onCut` with every cut line after `from` (a line start where no counted bracket is open: 0 or a cut
 * line), in order, until it returns true.
 */
function scanCuts(text: string, from: number, every: number, onCut: (lineStart: number) => boolean): void {
  // Line numbers of the open brackets; open[bottom..] still count.
  const open: number[] = [];
  let bottom = 0;
  const n = text.length;
  for (let lineStart = from, line = 0; lineStart < n; line++) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = n;
    let p = lineStart;
    while (p < lineEnd && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    const c0 = text.charCodeAt(p);
    // a-z A-Z _ @
    if ((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95 || c0 === 64) {
      if (p === lineStart && RESET_RE.test(text.slice(p, p + 10))) open.length = bottom = 0;
      while (bottom < open.length && line - open[bottom] > MAX_OPEN_LINES) bottom++;
      if (bottom === open.length && lineStart > from) {
        // FNV-1a of the line's first 64 characters.
        let h = 0x811c9dc5;
        for (let i = p, e = Math.min(lineEnd, p + 64); i < e; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
        if ((h >>> 0) % every === 0 && !KEY_RE.test(text.slice(p, Math.min(lineEnd, p + 200))) && onCut(lineStart)) return;
      }
    }
    // Brackets on this line, outside strings and comments.
    let quote = 0;
    for (let i = p; i < lineEnd; i++) {
      const c = text.charCodeAt(i);
      if (quote) {
        if (c === 92) i++; // backslash
        else if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c; // " '
      else if (c === 35) break; // #
      else if (c === 40 || c === 91 || c === 123) open.push(line); // ( [ {
      else if (c === 41 || c === 93 || c === 125) {
        if (open.length > bottom) open.pop();
        if (open.length === bottom) open.length = bottom = 0;
      }
    }
    lineStart = lineEnd + 1;
  }
}

const BLOCK = 2048;

/** Length of the common prefix of a and b (compared a block at a time, natively). */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + BLOCK <= n && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of a and b, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i + BLOCK <= max && a.slice(a.length - i - BLOCK, a.length - i) === b.slice(b.length - i - BLOCK, b.length - i)) i += BLOCK;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** Index of the last element <= x in sorted xs (-1 if none). */
function lastAtMost(xs: readonly number[], x: number): number {
  let lo = -1;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const RECENT = 256;

/**
 * findSpecs through chunks, for one document: after the first text, find() compares the new text with the
 * last one, cuts again only from the chunk before the first change to the first cut line after the change
 * that was a cut line before (from there on the text and the cutting are as before), and scans only the
 * chunks in between (or takes them from the last few hundred it scanned: undo, retyping).
 */
export class ChunkedSpecFinder {
  private text?: string;
  private starts: number[] = [];
  /** Per chunk, its specs with offsets relative to the chunk. */
  private chunkSpecs: FoundSpec[][] = [];
  /** Per chunk, why its scan stopped early (the budget ran out in it or before it), else undefined. */
  private chunkCut: (string | undefined)[] = [];
  private out: FoundSpec[] = [];
  private readonly recent = new Map<string, FoundSpec[]>();
  /** Why the last find() did not read every chunk to its end (undefined when it did). A cut chunk keeps
   *  what it found until it is edited: scanning it again would spend the budget on every keystroke. */
  lastExceeded: string | undefined;
  /** Chunks scanned by the last find() (the rest came from memory), and how many there are. */
  lastScanned = 0;
  lastChunks = 0;

  constructor(private readonly every = CUT_EVERY) {}

  private scanChunk(chunk: string, budget: ScanBudget): FoundSpec[] {
    if (!MAYBE_SPEC.test(chunk)) return [];
    let specs = this.recent.get(chunk);
    if (specs) return specs;
    if (!budget.ok) return [];
    specs = findSpecs(chunk, undefined, budget);
    this.lastScanned++;
    if (!budget.ok) return specs;
    this.recent.set(chunk, specs);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as string);
    return specs;
  }

  /** The specs of `text`; the chunks it scans share `budget` (default: ScanBudget.forText of the text). */
  find(text: string, budget = ScanBudget.forText(text.length)): FoundSpec[] {
    this.lastScanned = 0;
    const old = this.text;
    if (old === text) return this.out;
    // Chunks [0, k) and from `resync` on are kept; [k, resync) are cut and scanned again.
    let k = 0;
    let resync = -1;
    let delta = 0;
    const cuts: number[] = [0];
    if (old === undefined) {
      scanCuts(text, 0, this.every, (cut) => {
        cuts.push(cut);
        return false;
      });
    } else {
      const p = commonPrefix(old, text);
      const changeEnd = text.length - commonSuffix(old, text, Math.min(old.length, text.length) - p);
      delta = text.length - old.length;
      // The chunk holding the first change, and one more: its first line (the cut) may have changed.
      k = Math.max(0, lastAtMost(this.starts, p) - 1);
      cuts[0] = this.starts[k];
      scanCuts(text, cuts[0], this.every, (cut) => {
        if (cut >= changeEnd) {
          const j = lastAtMost(this.starts, cut - delta);
          if (j > k && this.starts[j] === cut - delta) {
            resync = j;
            return true;
          }
        }
        cuts.push(cut);
        return false;
      });
    }
    const starts = this.starts.slice(0, k);
    const chunkSpecs = this.chunkSpecs.slice(0, k);
    const chunkCut = this.chunkCut.slice(0, k);
    for (let i = 0; i < cuts.length; i++) {
      const end = i + 1 < cuts.length ? cuts[i + 1] : resync >= 0 ? this.starts[resync] + delta : text.length;
      starts.push(cuts[i]);
      const wasOk = budget.ok;
      chunkSpecs.push(this.scanChunk(text.slice(cuts[i], end), budget));
      chunkCut.push(budget.ok ? undefined : wasOk ? budget.exceeded : `not read: ${budget.exceeded}`);
    }
    if (resync >= 0) {
      for (let j = resync; j < this.starts.length; j++) {
        starts.push(this.starts[j] + delta);
        chunkSpecs.push(this.chunkSpecs[j]);
        chunkCut.push(this.chunkCut[j]);
      }
    }
    const out: FoundSpec[] = [];
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i];
      for (const s of chunkSpecs[i]) out.push(from === 0 ? s : { space: s.space, spec: s.spec, start: s.start + from, end: s.end + from });
    }
    this.text = text;
    this.starts = starts;
    this.chunkSpecs = chunkSpecs;
    this.chunkCut = chunkCut;
    this.lastExceeded = chunkCut.find((c) => c !== undefined);
    this.out = out;
    this.lastChunks = starts.length;
    return out;
  }

  /** The chunk starts of the last text (tests compare them with chunkStarts). */
  get chunkOffsets(): readonly number[] {
    return this.starts;
  }
}

/** The specs of a text, in chunks (for one-off reads such as files that are not open). */
export function findSpecsChunked(text: string, every = CUT_EVERY, budget?: ScanBudget): FoundSpec[] {
  return new ChunkedSpecFinder(every).find(text, budget);
}

/** findSpecsChunked, and why the scan stopped early (undefined when it read everything). */
export function findSpecsChunkedWithin(text: string, budget = ScanBudget.forText(text.length)): { specs: FoundSpec[]; exceeded?: string } {
  const finder = new ChunkedSpecFinder();
  const specs = finder.find(text, budget);
  return { specs, exceeded: finder.lastExceeded };
}
