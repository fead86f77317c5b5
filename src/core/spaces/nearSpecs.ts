// Text that is *almost* a spec of a space: a NAS-Bench-201 cell string with an unknown op or a wrong input
// index, an FBNet list with a misspelt op or the wrong number of layers, an OFA or HAT config with a value
// outside the space. The editor shows these as diagnostics (with the space parser's own message, which names
// the node, edge, layer or key and the allowed values) and offers a quick fix where one is obvious.
//
// Ordinary text must not be flagged, so every candidate needs strong evidence of being meant as a spec:
//   NB201: a run of [\w~|+] that starts and ends with "|", has 1-4 "+" and at least 2 tokens that are
//          NB201 op names;
//   FBNet: a flat list (flow or YAML block) of >= 15 simple items, >= 80% of them FBNet op names;
//   OFA:   a mapping with the key "ks" and at least two of e, d, r;
//   HAT:   a mapping with at least 5 SubTransformer keys (or HAT's nested encoder/decoder form).
// Every scan is linear in the text and charges the ScanBudget (see scanBudget.ts).
import { NB201_OPS, parseNasBench201Cell } from './nasbench201';
import { FBNET_LAYERS, FBNET_OPS, parseFbnetSpec } from './fbnet';
import { OFA_RESOLUTIONS, parseOfaSpec } from './ofa';
import { HAT_KEYS, parseHatConfig } from './hat';
import { findFlowMappings, lengthWithoutComment, Literal, readLiteral, splitLines, yamlBlockAt } from './literal';
import type { FoundSpec, SpaceName } from './findSpecs';
import { ScanBudget } from './scanBudget';
import { SpecError } from './space';

/** One replacement of text[start, end) by `text`. */
export interface SpecFix {
  /** What the fix does, for a menu: "Replace with `nor_conv_3x3`". */
  title: string;
  start: number;
  end: number;
  text: string;
}

export interface NearSpec {
  space: SpaceName;
  /** The whole candidate (end exclusive). */
  start: number;
  end: number;
  /** The part the message is about (the op, the index, the key), inside [start, end). */
  problemStart: number;
  problemEnd: number;
  /** The space parser's one-line message. */
  message: string;
  /** Suggested fixes, best first; `preferred` when there is exactly one obvious fix. */
  fixes: SpecFix[];
  preferred: boolean;
}

/** Longest candidate cell string considered (a real cell is about 100 characters). */
const MAX_CELL_LENGTH = 400;
/** Longest item of a candidate FBNet list, and most items. */
const MAX_ITEM_LENGTH = 40;
const MAX_LIST_ITEMS = 64;
const FBNET_MIN_ITEMS = 15;
const FBNET_MIN_VALID_SHARE = 0.8;
/** Most near-misses reported per text: more is not read by anyone, and each costs a parse and a fix. */
export const MAX_NEAR_SPECS = 500;
/** Budget steps charged per candidate parsed (a parse and a fix cost far more than reading the text). */
const PARSE_STEPS = 64;

/** Cost of writing `a` where `b` was meant: a digit for a digit costs less, the less the nearer they are
 *  (so `nor_conv_5x5` is nearer `nor_conv_3x3` than `nor_conv_1x1`). */
function substitution(a: string, b: string): number {
  if (a === b) return 0;
  const x = a.charCodeAt(0) - 48;
  const y = b.charCodeAt(0) - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? 0.5 + Math.abs(x - y) / 20 : 1;
}

/** Edit distance of two short strings (both bounded by the callers), substitutions weighted as above. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + substitution(a[i - 1], b[j - 1]));
    prev = cur;
  }
  return prev[b.length];
}

/** The allowed names nearest to `word` (all ties), if any is close enough to be what was meant. */
export function nearestNames(word: string, allowed: readonly string[]): string[] {
  if (word.length > MAX_ITEM_LENGTH) return [];
  let best = Infinity;
  let out: string[] = [];
  for (const name of allowed) {
    const d = editDistance(word.toLowerCase(), name);
    if (d < best) {
      best = d;
      out = [name];
    } else if (d === best) out.push(name);
  }
  // Farther than half the name: a different word, not a typo.
  return best > 0 && best <= Math.max(2, Math.floor(out[0].length / 2)) ? out : [];
}

function nearestNumber(x: number, allowed: readonly number[]): number | undefined {
  let best: number | undefined;
  for (const a of allowed) if (best === undefined || Math.abs(a - x) < Math.abs(best - x)) best = a;
  return best;
}

function messageOf(e: unknown): string | undefined {
  return e instanceof SpecError ? e.message.split('\n')[0] : undefined;
}

// ---------------------------------------------------------------- NAS-Bench-201

const isCellChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 126 || c === 124 || c === 43;
const NB201_OP_SET = new Set<string>(NB201_OPS);

interface CellToken {
  text: string;
  start: number;
}

/** The tokens of each node of a cell-like run (offsets into the text). */
function cellNodes(run: string, at: number): CellToken[][] {
  const nodes: CellToken[][] = [];
  let node: CellToken[] = [];
  let tokStart = 0;
  for (let i = 0; i <= run.length; i++) {
    const c = run[i];
    if (i === run.length || c === '|' || c === '+') {
      if (i > tokStart) node.push({ text: run.slice(tokStart, i), start: at + tokStart });
      tokStart = i + 1;
      if (c === '+' || i === run.length) {
        nodes.push(node);
        node = [];
      }
    }
  }
  return nodes;
}

/** The fix of the first input the parser complains about, in the parser's order (node by node, input by
 *  input: the index's form, its range, a repeat, then the op). */
function cellFix(run: string, at: number, message: string): Pick<NearSpec, 'problemStart' | 'problemEnd' | 'fixes' | 'preferred'> | undefined {
  const nodes = cellNodes(run, at);
  if (nodes.length !== 3) return undefined;
  for (let n = 0; n < 3; n++) {
    const node = n + 1;
    const toks = nodes[n];
    // Indices written in this node, for picking one that is free.
    const written = toks.map((t) => /~(\d+)$/.exec(t.text)?.[1]).map((d) => (d === undefined ? -1 : Number(d)));
    const free = (except: number) => Array.from({ length: node }, (_, j) => j).filter((j) => !written.some((w, k) => k !== except && w === j));
    const seen = new Set<number>();
    // The message is about this node, or its problem is not one of the inputs read here (an empty input).
    const here = message.includes(`: node ${node}:`) || message.includes(`: node ${node},`);
    for (let k = 0; k < toks.length; k++) {
      const t = toks[k];
      const m = /^(\w+)~(\d+)$/.exec(t.text);
      if (!m) {
        if (!here || !/^\w+$/.test(t.text) || !/has no "~j"/.test(message)) return undefined;
        const j = free(k)[0];
        const end = t.start + t.text.length;
        return { problemStart: t.start, problemEnd: end, fixes: j === undefined ? [] : [{ title: `Add the input index \`~${j}\``, start: end, end, text: `~${j}` }], preferred: j !== undefined };
      }
      const idxStart = t.start + m[1].length + 1;
      const idxEnd = t.start + t.text.length;
      const j = Number(m[2]);
      if (j >= node || String(j) !== m[2] || seen.has(j)) {
        if (!here || !/wrong input index|given twice/.test(message)) return undefined;
        const options = free(k).sort((a, b) => Math.abs(a - j) - Math.abs(b - j) || a - b);
        const fixes = options.slice(0, 1).map((o) => ({ title: `Replace with \`~${o}\``, start: idxStart, end: idxEnd, text: String(o) }));
        return { problemStart: idxStart - 1, problemEnd: idxEnd, fixes, preferred: fixes.length === 1 };
      }
      seen.add(j);
      if (!NB201_OP_SET.has(m[1])) {
        if (!here || !/unknown operation/.test(message)) return undefined;
        const names = nearestNames(m[1], NB201_OPS);
        const opEnd = t.start + m[1].length;
        return { problemStart: t.start, problemEnd: opEnd, fixes: names.map((o) => ({ title: `Replace with \`${o}\``, start: t.start, end: opEnd, text: o })), preferred: names.length === 1 };
      }
    }
    if (here) return undefined;
  }
  return undefined;
}

/** Cell-like runs that do not parse as cells. */
export function findNearNasBench201(text: string, budget?: ScanBudget): NearSpec[] {
  const out: NearSpec[] = [];
  const n = text.length;
  for (let i = text.indexOf('|'); i >= 0 && i < n; ) {
    // A run of cell characters containing this "|"; it must start here (nothing cell-like before it).
    let j = i;
    while (j < n && isCellChar(text.charCodeAt(j))) j++;
    if (budget && !budget.spend(1 + ((j - i) >> 4))) break;
    const before = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (!isCellChar(before) && j - i <= MAX_CELL_LENGTH && text.charCodeAt(j - 1) === 124) {
      const run = text.slice(i, j);
      const near = nearCell(run, i, budget);
      if (near) out.push(near);
      if (out.length >= MAX_NEAR_SPECS) break;
    }
    i = j < n ? text.indexOf('|', j) : -1;
  }
  return out;
}

function nearCell(run: string, at: number, budget?: ScanBudget): NearSpec | undefined {
  let pluses = 0;
  for (let k = 0; k < run.length; k++) if (run[k] === '+') pluses++;
  if (pluses < 1 || pluses > 4) return undefined;
  let ops = 0;
  for (const tok of run.split(/[|+]/)) if (NB201_OP_SET.has(tok.replace(/~\d*$/, ''))) ops++;
  // Two op names and a "~j", or a whole cell's worth of op names (a cell written without the indices).
  if (ops < 2 || (ops < 4 && !/~\d/.test(run))) return undefined;
  if (budget && !budget.spend(PARSE_STEPS)) return undefined;
  let message: string | undefined;
  try {
    parseNasBench201Cell(run);
    return undefined;
  } catch (e) {
    message = messageOf(e);
  }
  if (!message) return undefined;
  const fix = cellFix(run, at, message) ?? { problemStart: at, problemEnd: at + run.length, fixes: [], preferred: false };
  return { space: 'nasbench201', start: at, end: at + run.length, message, ...fix };
}

// ---------------------------------------------------------------- FBNet

interface ListItem {
  value: string;
  /** The value's text, without quotes. */
  start: number;
  end: number;
}

const FBNET_OP_SET = new Set<string>(FBNET_OPS);
const isItemChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
const isBlank = (c: number) => c === 32 || (c >= 9 && c <= 13);

/** The offset after the blanks and #... or //... comments at `p`. */
function afterGap(text: string, p: number): number {
  const n = text.length;
  for (;;) {
    while (p < n && isBlank(text.charCodeAt(p))) p++;
    const c = text.charCodeAt(p);
    if (c !== 35 && !(c === 47 && text.charCodeAt(p + 1) === 47)) return p;
    const e = text.indexOf('\n', p);
    p = e < 0 ? n : e;
  }
}

/** Reads a flat list of simple items (quoted strings without escapes, or bare words) opening at `open`:
 *  its items and end, or where the reading failed. Gaps are blanks and #... or //... comments. */
function readFlatList(text: string, open: number): { items?: ListItem[]; end: number } {
  const close = text[open] === '[' ? 93 : 41;
  const n = text.length;
  const items: ListItem[] = [];
  let p = open + 1;
  for (;;) {
    p = afterGap(text, p);
    if (p >= n) return { end: p };
    const c = text.charCodeAt(p);
    // An empty list, or a trailing comma.
    if (c === close) return { items, end: p + 1 };
    if (items.length >= MAX_LIST_ITEMS) return { end: p };
    if (c === 34 || c === 39) {
      let e = p + 1;
      while (e < n && e - p <= MAX_ITEM_LENGTH + 1 && text.charCodeAt(e) !== c && text.charCodeAt(e) !== 92 && text.charCodeAt(e) !== 10) e++;
      if (text.charCodeAt(e) !== c) return { end: e };
      items.push({ value: text.slice(p + 1, e), start: p + 1, end: e });
      p = e + 1;
    } else if (isItemChar(c)) {
      let e = p;
      while (e < n && e - p <= MAX_ITEM_LENGTH && isItemChar(text.charCodeAt(e))) e++;
      if (e - p > MAX_ITEM_LENGTH) return { end: e };
      items.push({ value: text.slice(p, e), start: p, end: e });
      p = e;
    } else return { end: p };
    p = afterGap(text, p);
    if (p >= n) return { end: p };
    const d = text.charCodeAt(p);
    if (d === close) return { items, end: p + 1 };
    if (d !== 44) return { end: p };
    p++;
  }
}

function nearFbnetList(items: ListItem[], start: number, end: number, budget?: ScanBudget): NearSpec | undefined {
  if (items.length < FBNET_MIN_ITEMS) return undefined;
  let valid = 0;
  for (const it of items) if (FBNET_OP_SET.has(it.value)) valid++;
  if (valid < FBNET_MIN_VALID_SHARE * items.length) return undefined;
  if (valid === items.length && items.length === FBNET_LAYERS) return undefined;
  if (budget && !budget.spend(PARSE_STEPS)) return undefined;
  let message: string | undefined;
  try {
    parseFbnetSpec(items.map((it) => it.value));
    return undefined;
  } catch (e) {
    message = messageOf(e);
  }
  if (!message) return undefined;
  const layer = /layer (\d+) \(index \d+\): unknown op/.exec(message);
  const bad = layer ? items[Number(layer[1]) - 1] : undefined;
  if (!bad) return { space: 'fbnet', start, end, problemStart: start, problemEnd: end, message, fixes: [], preferred: false };
  const names = nearestNames(bad.value, FBNET_OPS);
  return {
    space: 'fbnet',
    start,
    end,
    problemStart: bad.start,
    problemEnd: bad.end,
    message,
    fixes: names.map((o) => ({ title: `Replace with \`${o}\``, start: bad.start, end: bad.end, text: o })),
    preferred: names.length === 1,
  };
}

const BLOCK_ITEM = /^([ \t]*)-[ \t]+(?:"([^"\\]*)"|'([^'\\]*)'|([\w.-]+))[ \t]*(?:#.*)?$/;

/** FBNet-like lists: flow lists and YAML block lists. */
export function findNearFbnet(text: string, budget?: ScanBudget): NearSpec[] {
  const out: NearSpec[] = [];
  // Flow lists. The next reading starts at or after where the last one stopped, so every character is read
  // once (brackets inside the strings and comments a reading went through start nothing).
  let from = 0;
  // The next "[" and "(" at or after `from`, each looked up again only once passed (else a text without
  // one kind would be searched to its end for every bracket of the other).
  let sq = -2;
  let rd = -2;
  for (;;) {
    if (budget && !budget.ok) break;
    if (sq !== -1 && sq < from) sq = text.indexOf('[', from);
    if (rd !== -1 && rd < from) rd = text.indexOf('(', from);
    const open = sq < 0 ? rd : rd < 0 ? sq : Math.min(sq, rd);
    if (open < 0) break;
    // Most brackets in code open a call or an index, not a list of strings: seen from the next character.
    const next = text.charCodeAt(open + 1);
    if (!(isBlank(next) || isItemChar(next) || next === 34 || next === 39 || next === 35 || next === 47)) {
      from = open + 1;
      if (budget && !budget.spend()) break;
      continue;
    }
    const r = readFlatList(text, open);
    if (budget && !budget.spend(1 + ((r.end - open) >> 4))) break;
    if (r.items) {
      const near = nearFbnetList(r.items, open, r.end, budget);
      if (near) out.push(near);
      if (out.length >= MAX_NEAR_SPECS) return out;
    }
    // A failed reading stops at the character it could not read (maybe a bracket: the next reading starts
    // there), never before open + 1.
    from = Math.max(open + 1, r.end);
  }
  // YAML block lists: runs of "- item" lines at one indentation.
  let runItems: ListItem[] = [];
  let runIndent = '';
  let runStart = 0;
  let runEnd = 0;
  const flush = () => {
    const near = nearFbnetList(runItems, runStart, runEnd, budget);
    if (near) out.push(near);
    runItems = [];
  };
  for (let lineStart = 0; lineStart <= text.length && out.length < MAX_NEAR_SPECS; ) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    if (budget && !budget.spend(1 + ((lineEnd - lineStart) >> 4))) break;
    const line = text.slice(lineStart, Math.min(lineEnd, lineStart + 200)).replace(/\r$/, '');
    const m = lineEnd - lineStart <= 200 ? BLOCK_ITEM.exec(line) : null;
    if (m && (runItems.length === 0 || m[1] === runIndent)) {
      const value = m[2] ?? m[3] ?? m[4];
      const valueAt = lineStart + line.indexOf(value, m[1].length + 1);
      if (runItems.length === 0) {
        runIndent = m[1];
        runStart = lineStart + m[1].length;
      }
      runItems.push({ value, start: valueAt, end: valueAt + value.length });
      runEnd = valueAt + value.length + (m[4] === undefined ? 1 : 0);
    } else {
      if (runItems.length > 0) flush();
      if (m) {
        const value = m[2] ?? m[3] ?? m[4];
        const valueAt = lineStart + line.indexOf(value, m[1].length + 1);
        runIndent = m[1];
        runStart = lineStart + m[1].length;
        runItems.push({ value, start: valueAt, end: valueAt + value.length });
        runEnd = valueAt + value.length + (m[4] === undefined ? 1 : 0);
      }
    }
    lineStart = lineEnd + 1;
  }
  if (runItems.length > 0) flush();
  return out;
}

// ---------------------------------------------------------------- OFA and HAT

const OFA_KEYS = ['e', 'd', 'r'];
const HAT_KEY_SET = new Set(HAT_KEYS);

function ownKeys(v: Literal): string[] | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
}

/** Numbers, or a list of at least `min` entries, 80% of them numbers: written values, not code
 *  (`{ ks: arch.ks, ... }` in a program is not a config). */
function numeric(v: Literal | undefined, min: number): boolean {
  if (typeof v === 'number') return min <= 1;
  if (!Array.isArray(v) || v.length < min) return false;
  let k = 0;
  for (const x of v) if (typeof x === 'number') k++;
  return k >= 0.8 * v.length;
}

function looksOfa(v: Literal): boolean {
  const keys = ownKeys(v);
  if (!keys || !keys.includes('ks') || OFA_KEYS.filter((k) => keys.includes(k)).length < 2) return false;
  const o = v as Record<string, Literal>;
  return numeric(o.ks, 5) || numeric(o.e, 5);
}

function looksHat(v: Literal): boolean {
  const keys = ownKeys(v);
  if (!keys) return false;
  const o = v as Record<string, Literal>;
  if (keys.length === 2 && keys.includes('encoder') && keys.includes('decoder')) return looksHatPart(o.encoder) || looksHatPart(o.decoder);
  const known = keys.filter((k) => HAT_KEY_SET.has(k.replace(/_/g, '-')));
  return known.length >= 5 && known.filter((k) => numeric(o[k], 1)).length >= 3;
}

function looksHatPart(v: Literal): boolean {
  const keys = ownKeys(v);
  return !!keys && keys.filter((k) => numeric((v as Record<string, Literal>)[k], 1)).length >= 3;
}

// A message naming one value: `OFA spec: ks[3] = 9 (allowed: 3, 5, 7)`, `HAT config: KEY = 600 (allowed: ...)`.
const VALUE_MESSAGE = /^(?:OFA spec|HAT config): ([\w-]+)(?:\[(\d+)\])? = (-?\d+(?:\.\d+)?) \(allowed: ([^)]*)\)$/;

/** Offset just after `key:` of a flat mapping's top-level entry in text[start, end), quoted or bare. */
function afterKey(text: string, start: number, end: number, key: string): { keyStart: number; keyEnd: number; at: number } | undefined {
  for (let p = text.indexOf(key, start); p >= 0 && p + key.length <= end; p = text.indexOf(key, p + 1)) {
    const q = text[p - 1];
    const quoted = q === '"' || q === "'";
    const before = text.charCodeAt(quoted ? p - 2 : p - 1);
    if (isItemChar(before)) continue;
    let e = p + key.length;
    if (quoted) {
      if (text[e] !== q) continue;
      e++;
    } else if (isItemChar(text.charCodeAt(e))) continue;
    while (e < end && (text[e] === ' ' || text[e] === '\t')) e++;
    if (text[e] !== ':') continue;
    return { keyStart: quoted ? p - 1 : p, keyEnd: quoted ? p + key.length + 1 : p + key.length, at: e + 1 };
  }
  return undefined;
}

/** The number at `at` (after blanks), or the `index`-th number of the flow list there: its range. */
function numberAt(text: string, at: number, end: number, index: number | undefined): { start: number; end: number } | undefined {
  let p = at;
  const skip = () => {
    while (p < end && isBlank(text.charCodeAt(p))) p++;
  };
  skip();
  if (index !== undefined && text[p] === '-') {
    // A YAML block sequence ("- 3072" lines): the index-th item. skip() has gone past the line break.
    for (let k = 0; p < end && text[p] === '-'; k++) {
      p++;
      while (p < end && (text[p] === ' ' || text[p] === '\t')) p++;
      const s = p;
      while (p < end && /[-\d.]/.test(text[p])) p++;
      if (k === index) return p > s ? { start: s, end: p } : undefined;
      const eol = text.indexOf('\n', p);
      if (eol < 0 || eol >= end) return undefined;
      p = eol + 1;
      skip();
    }
    return undefined;
  }
  if (index !== undefined) {
    if (text[p] !== '[' && text[p] !== '(') return undefined;
    p++;
    for (let k = 0; k < index; k++) {
      skip();
      while (p < end && /[-\d.]/.test(text[p])) p++;
      skip();
      if (text[p] !== ',') return undefined;
      p++;
    }
    skip();
  }
  const s = p;
  while (p < end && /[-\d.]/.test(text[p])) p++;
  return p > s ? { start: s, end: p } : undefined;
}

function nearMapping(text: string, space: 'ofa' | 'hat', start: number, end: number, message: string): NearSpec {
  const base: NearSpec = { space, start, end, problemStart: start, problemEnd: end, message, fixes: [], preferred: false };
  const m = VALUE_MESSAGE.exec(message);
  if (!m) {
    // A key named in quotes ("missing key", "unknown key") or a list's key: point at it if it is written.
    const named = /^(?:OFA spec|HAT config): (?:unknown key "([^"]+)"|([\w-]+) (?:has|must))/.exec(message);
    const key = named?.[1] ?? named?.[2];
    const where = key ? (afterKey(text, start, end, key) ?? afterKey(text, start, end, key.replace(/-/g, '_'))) : undefined;
    return where ? { ...base, problemStart: where.keyStart, problemEnd: where.keyEnd } : base;
  }
  const key = m[1];
  const where = afterKey(text, start, end, key) ?? afterKey(text, start, end, key.replace(/-/g, '_'));
  if (!where) return base;
  const value = numberAt(text, where.at, end, m[2] === undefined ? undefined : Number(m[2]));
  if (!value) return { ...base, problemStart: where.keyStart, problemEnd: where.keyEnd };
  const allowed = /^\d+\.\.\d+ in steps of \d+$/.test(m[4]) ? OFA_RESOLUTIONS : m[4].split(',').map((s) => Number(s.trim()));
  const best = nearestNumber(Number(m[3]), allowed);
  const fixes = best === undefined ? [] : [{ title: `Replace with \`${best}\``, start: value.start, end: value.end, text: String(best) }];
  return { ...base, problemStart: value.start, problemEnd: value.end, fixes, preferred: fixes.length === 1 };
}

/** OFA and HAT configs (flow mappings: JSON, Python dicts, YAML flow) with values outside the space. */
export function findNearMappings(text: string, budget?: ScanBudget): NearSpec[] {
  if (!text.includes('{')) return [];
  const hasHat = text.includes('encoder');
  const hasOfa = text.includes('ks');
  if (!hasHat && !hasOfa) return [];
  let reported = 0;
  const found = findFlowMappings(
    text,
    'config',
    (v) => {
      // Past the cap, mappings are still read (findFlowMappings cannot stop early) but no longer parsed.
      if (reported >= MAX_NEAR_SPECS) return undefined;
      const space = hasOfa && looksOfa(v) ? 'ofa' : hasHat && looksHat(v) ? 'hat' : undefined;
      if (!space || (budget && !budget.spend(PARSE_STEPS))) return undefined;
      try {
        if (space === 'ofa') parseOfaSpec(v);
        else parseHatConfig(v);
        return undefined;
      } catch (e) {
        const message = messageOf(e);
        if (message !== undefined) reported++;
        return message === undefined ? undefined : `${space}\n${message}`;
      }
    },
    budget,
  );
  return found.slice(0, MAX_NEAR_SPECS).map((f) => {
    const [space, message] = f.spec.split('\n');
    return nearMapping(text, space as 'ofa' | 'hat', f.start, f.end, message);
  });
}

// A key line of a YAML block config: OFA's keys, or an encoder-/decoder- key of HAT.
const BLOCK_KEY_LINE = /^([ \t]*)(["']?)(ks|e|d|r|wid|(?:encoder|decoder)[-_][\w-]*)\2[ \t]*:(?=\s|$)/;
/** Longest YAML block config read (HAT's are about 20 lines). */
const MAX_BLOCK_LINES = 200;

/** OFA and HAT configs written as YAML block mappings (HAT's subtransformer/*.yml) with values outside the
 *  space: runs of key lines at one indentation with their continuation lines, as the finders read them. */
export function findNearBlockMappings(text: string, budget?: ScanBudget): NearSpec[] {
  if (!text.includes('ks') && !text.includes('encoder')) return [];
  const out: NearSpec[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length && out.length < MAX_NEAR_SPECS; ) {
    if (budget && !budget.spend(1 + (lines[i].text.length >> 4))) break;
    const m = BLOCK_KEY_LINE.exec(lines[i].text);
    if (!m) {
      i++;
      continue;
    }
    const indent = m[1];
    const { block, last } = yamlBlockAt(lines, i, indent, BLOCK_KEY_LINE, MAX_BLOCK_LINES);
    if (budget) budget.spend(block.length >> 4);
    let value: Literal | undefined;
    try {
      value = readLiteral(block, 'config');
    } catch {
      value = undefined;
    }
    const space = value === undefined ? undefined : looksOfa(value) ? 'ofa' : looksHat(value) ? 'hat' : undefined;
    if (space && (!budget || budget.spend(PARSE_STEPS))) {
      let message: string | undefined;
      try {
        if (space === 'ofa') parseOfaSpec(value);
        else parseHatConfig(value);
      } catch (e) {
        message = messageOf(e);
      }
      const start = lines[i].start + indent.length;
      const end = lines[last].start + lines[last].text.slice(0, lengthWithoutComment(lines[last].text, 'space')).trimEnd().length;
      if (message) out.push(nearMapping(text, space, start, end, message));
    }
    i = last + 1;
  }
  return out;
}

// ---------------------------------------------------------------- all spaces

/**
 * Near-misses of every space in `text`, sorted by start, none overlapping a valid spec of `valid` (the
 * specs findSpecs found; a near-miss inside or around one is part of it or a coincidence).
 */
export function findNearSpecs(text: string, valid: readonly FoundSpec[] = [], budget?: ScanBudget): NearSpec[] {
  const all: NearSpec[] = [];
  for (const find of [findNearNasBench201, findNearFbnet, findNearMappings, findNearBlockMappings]) {
    if (budget && !budget.ok) break;
    try {
      all.push(...find(text, budget));
    } catch {
      /* a finder bug costs only its own near-misses */
    }
  }
  return dropOverlaps(all, valid);
}

/** `nears` sorted by start, without those overlapping a valid spec or an earlier near-miss, at most
 *  MAX_NEAR_SPECS. */
export function dropOverlaps(nears: NearSpec[], valid: readonly FoundSpec[]): NearSpec[] {
  const all = nears.slice().sort((a, b) => a.start - b.start || b.end - a.end);
  const specs = [...valid].sort((a, b) => a.start - b.start);
  const out: NearSpec[] = [];
  let k = 0;
  for (const s of all) {
    while (k < specs.length && specs[k].end <= s.start) k++;
    if (k < specs.length && specs[k].start < s.end) continue;
    const prev = out[out.length - 1];
    if (prev && s.start < prev.end) continue;
    out.push(s);
    if (out.length >= MAX_NEAR_SPECS) break;
  }
  return out;
}

/** A near-miss found in a part of a text that starts at `by`, with offsets into the whole text. */
export function shiftNear(n: NearSpec, by: number): NearSpec {
  if (by === 0) return n;
  return {
    ...n,
    start: n.start + by,
    end: n.end + by,
    problemStart: n.problemStart + by,
    problemEnd: n.problemEnd + by,
    fixes: n.fixes.map((f) => ({ ...f, start: f.start + by, end: f.end + by })),
  };
}
