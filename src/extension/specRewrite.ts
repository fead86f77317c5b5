// Rewrites an architecture in a document to another one of its space, keeping the form it is written in:
// only the values that change are replaced, in place, so quotes, brackets, separators, comments, key order,
// indentation and YAML/JSON/Python style all stay. A NAS-Bench-201 cell keeps the order its inputs are
// written in; an FBNet list its quoting and layout; an OFA config its keys (wid too) and layout. Should the
// written text not be read as expected, the result is a plain rendering in the same family of syntax, and
// every result is checked to parse back to the target. Pure (no vscode import): tested directly.
import { NB201_EDGES, formatNasBench201Cell, parseNasBench201Cell } from '../core/spaces/nasbench201';
import { FBNET_LAYERS, formatFbnetSpec, parseFbnetSpec } from '../core/spaces/fbnet';
import { OFA_BLOCKS, OFA_STAGES, formatOfaSpec, parseOfaSpec } from '../core/spaces/ofa';
import { SpecError } from '../core/spaces/space';

export type RewritableSpace = 'nasbench201' | 'fbnet' | 'ofa';

/** How the rewrite went: `inPlace` when every changed value was replaced where it stood. */
export interface Rewritten {
  text: string;
  inPlace: boolean;
}

/** `text` with comments (# and // to the end of the line) blanked, so offsets stay the same. */
function maskComments(text: string): string {
  return text.replace(/(#|\/\/)[^\n]*/g, (m) => ' '.repeat(m.length));
}

/** Applies replacements (sorted, non-overlapping [start, end) ranges) to `text`. */
function splice(text: string, reps: { start: number; end: number; text: string }[]): string {
  let out = '';
  let at = 0;
  for (const r of reps) {
    out += text.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + text.slice(at);
}

// ---- NAS-Bench-201: a cell string; each `op~j` token of node n gets the op of edge j->n ----

function rewriteNb201(written: string, target: string): string | undefined {
  const ops = parseNasBench201Cell(target).ops;
  let node = 1;
  let bad = false;
  const text = written.replace(/\+|(\w+)~(\d+)/g, (m, _op: string, j: string) => {
    if (m === '+') {
      node++;
      return m;
    }
    const e = NB201_EDGES.findIndex(([a, b]) => a === Number(j) && b === node);
    if (e < 0) {
      bad = true;
      return m;
    }
    return `${ops[e]}~${j}`;
  });
  return bad ? undefined : text;
}

// ---- FBNet: the 22 op names in order, each keeping its quotes ----

const FBNET_ITEM = /(?<![\w-])(["']?)(k[35]_e1_g2|k[35]_e[136]|skip)\1(?![\w-])/g;

function rewriteFbnet(written: string, target: string): string | undefined {
  const ops = parseFbnetSpec(target).ops;
  const items = [...maskComments(written).matchAll(FBNET_ITEM)];
  if (items.length !== FBNET_LAYERS) return undefined;
  const reps = items.flatMap((m, l) => {
    if (m[2] === ops[l]) return [];
    const at = m.index! + m[1].length;
    return [{ start: at, end: at + m[2].length, text: ops[l] }];
  });
  return splice(written, reps);
}

/** A plain FBNet list in the written family of syntax: a YAML block list, or a flow list with the written
 *  brackets and quotes. */
function renderFbnet(written: string, target: string): string {
  const ops = parseFbnetSpec(target).ops;
  const w = written.trimStart();
  if (w.startsWith('-')) {
    const indent = /\n([ \t]*)-/.exec(written)?.[1] ?? '';
    return ops.map((op) => `- ${op}`).join(`\n${indent}`);
  }
  const quote = /["']/.exec(w)?.[0] ?? '';
  const [open, close] = w.startsWith('(') ? ['(', ')'] : ['[', ']'];
  return `${open}${ops.map((op) => `${quote}${op}${quote}`).join(', ')}${close}`;
}

// ---- OFA: after each key ks / e / d / r, its 20 / 20 / 5 / 1 numbers, in place ----

const OFA_KEY = /(?<![\w-])(["']?)(ks|e|d|r)\1[ \t]*:/g;
const NUMBER = /(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g;
const OFA_COUNTS: Record<string, number> = { ks: OFA_BLOCKS, e: OFA_BLOCKS, d: OFA_STAGES, r: 1 };

function rewriteOfa(written: string, target: string): string | undefined {
  const a = parseOfaSpec(target);
  const values: Record<string, number[]> = { ks: a.ks, e: a.e, d: a.d, r: [a.r] };
  const masked = maskComments(written);
  const keys = [...masked.matchAll(OFA_KEY)];
  if (keys.length !== 4 || new Set(keys.map((k) => k[2])).size !== 4) return undefined;
  const reps: { start: number; end: number; text: string }[] = [];
  keys.sort((x, y) => x.index! - y.index!);
  for (let n = 0; n < keys.length; n++) {
    const key = keys[n][2];
    // A key's numbers lie between it and the next key.
    const until = n + 1 < keys.length ? keys[n + 1].index! : masked.length;
    NUMBER.lastIndex = keys[n].index! + keys[n][0].length;
    for (let i = 0; i < OFA_COUNTS[key]; i++) {
      const m = NUMBER.exec(masked);
      if (!m || m.index >= until) return undefined;
      const v = values[key][i];
      if (Number(m[0]) !== v) reps.push({ start: m.index, end: m.index + m[0].length, text: String(v) });
    }
  }
  reps.sort((x, y) => x.start - y.start);
  return splice(written, reps);
}

/** A plain OFA config: compact JSON for a flow mapping, else YAML block keys with flow lists. */
function renderOfa(written: string, target: string): string {
  if (written.trimStart().startsWith('{')) return formatOfaSpec(parseOfaSpec(target)).replace(/,"/g, ', "').replace(/":/g, '": ');
  const a = parseOfaSpec(target);
  const indent = /\n([ \t]*)\S/.exec(written)?.[1] ?? '';
  return [`ks: [${a.ks.join(', ')}]`, `e: [${a.e.join(', ')}]`, `d: [${a.d.join(', ')}]`, `r: ${a.r}`].join(`\n${indent}`);
}

// ----

function canonical(space: RewritableSpace, spec: string): string {
  if (space === 'nasbench201') return formatNasBench201Cell(parseNasBench201Cell(spec));
  if (space === 'fbnet') return formatFbnetSpec(parseFbnetSpec(spec));
  return formatOfaSpec(parseOfaSpec(spec));
}

/** Whether `text` reads as `want`. A YAML block spec's range starts after its first line's indentation, so
 *  the text is also read with that line indented like the least indented line after it. */
function parsesTo(space: RewritableSpace, text: string, want: string): boolean {
  const indents = text.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0]);
  const indent = indents.reduce<string | undefined>((a, b) => (a === undefined || b.length < a.length ? b : a), undefined);
  for (const t of indent ? [text, indent + text] : [text]) {
    try {
      if (canonical(space, t) === want) return true;
    } catch {
      /* try the next reading */
    }
  }
  return false;
}

/**
 * `written` (the document text of a spec, as findSpecs delimits it) rewritten to the architecture `target`
 * (any form the space parses). Throws a SpecError when `target` is not an architecture of the space.
 */
export function rewriteSpec(space: RewritableSpace, written: string, target: string): Rewritten {
  let want: string;
  try {
    want = canonical(space, target);
  } catch (e) {
    throw new SpecError(`cannot rewrite to ${space} architecture: ${(e as Error).message}`);
  }
  let inPlace: string | undefined;
  try {
    inPlace = space === 'nasbench201' ? rewriteNb201(written, want) : space === 'fbnet' ? rewriteFbnet(written, want) : rewriteOfa(written, want);
  } catch {
    inPlace = undefined;
  }
  if (inPlace !== undefined && parsesTo(space, inPlace, want)) return { text: inPlace, inPlace: true };
  const rendered = space === 'nasbench201' ? want : space === 'fbnet' ? renderFbnet(written, want) : renderOfa(written, want);
  return { text: parsesTo(space, rendered, want) ? rendered : want, inPlace: false };
}
