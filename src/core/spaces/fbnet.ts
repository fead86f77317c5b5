// FBNet space of HW-NAS-Bench (Li et al., ICLR 2021): a fixed macro skeleton (CIFAR-100 input) whose 22
// searchable layers each take one of 9 blocks: k{kernel}_e{expansion} inverted residuals, `_g2` for grouped
// 1x1 convolutions, or `skip`. A SPEC is the list of the 22 op names, in layer order.
import { kindOf, lengthWithoutComment, readLiteral, splitLines } from './literal';
import { ScanBudget } from './scanBudget';
import { Rng, SearchSpace, SpecError } from './space';

export const FBNET_OPS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'] as const;
export type FbnetOp = (typeof FBNET_OPS)[number];
export type FbnetArch = { ops: string[] };
export const FBNET_LAYERS = 22;

const PREFIX = 'FBNet spec';
const ALLOWED = `allowed: ${FBNET_OPS.join(', ')}`;

function validate(list: unknown[]): FbnetArch {
  list.forEach((op, i) => {
    if (typeof op !== 'string') throw new SpecError(`${PREFIX}: layer ${i + 1} (index ${i}) is ${kindOf(op)}, not an op name (${ALLOWED})`);
  });
  if (list.length !== FBNET_LAYERS) throw new SpecError(`${PREFIX}: expected ${FBNET_LAYERS} ops (one per searchable layer), got ${list.length}`);
  list.forEach((op, i) => {
    if (!(FBNET_OPS as readonly string[]).includes(op as string)) throw new SpecError(`${PREFIX}: layer ${i + 1} (index ${i}): unknown op "${op}" (${ALLOWED})`);
  });
  return { ops: (list as string[]).slice() };
}

/** Parses a list of 22 op names given as a JS array, `{ops: [...]}`, or text (JSON, Python, YAML, or a bare
 *  comma-separated list). */
export function parseFbnetSpec(spec: unknown): FbnetArch {
  let v: unknown = spec;
  if (typeof spec === 'string') {
    const s = spec.trim();
    if (s === '') throw new SpecError(`${PREFIX}: empty`);
    // A bare `k3_e1, skip, ...` (no brackets) is read as a flow list.
    v = /^[A-Za-z_'"]/.test(s) && !/^[\w-]+\s*:/.test(s) ? readLiteral(`[${s}]`, PREFIX) : readLiteral(s, PREFIX);
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'ops') v = (v as { ops: unknown }).ops;
  }
  if (!Array.isArray(v)) throw new SpecError(`${PREFIX}: expected a list of ${FBNET_LAYERS} op names, got ${kindOf(v)}`);
  return validate(v);
}

/** Canonical SPEC: a compact JSON array (the form of data/fbnet/architectures.json). */
export function formatFbnetSpec(arch: FbnetArch): string {
  return JSON.stringify(arch.ops);
}

// HELP's FBNet encoding (utils.arch_enc): 22 rows of 6 columns [k3, k5, e1, e1_g2, e3, e6]; an op's index
// in FBNET_OPS gives the kernel column (index < 4: k3, else k5) and the expansion column (index % 4);
// skip is an all-zero row.
export const FBNET_ONEHOT_COLUMNS = ['k3', 'k5', 'e1', 'e1_g2', 'e3', 'e6'] as const;

export function encodeFbnetOneHot(arch: FbnetArch): Float32Array {
  const v = new Float32Array(FBNET_LAYERS * 6);
  arch.ops.forEach((op, layer) => {
    const i = (FBNET_OPS as readonly string[]).indexOf(op);
    if (i < 0 || op === 'skip') return;
    v[layer * 6 + (i < 4 ? 0 : 1)] = 1;
    v[layer * 6 + 2 + (i % 4)] = 1;
  });
  return v;
}

export function sampleFbnet(n: number, rng: Rng): FbnetArch[] {
  return Array.from({ length: n }, () => ({ ops: Array.from({ length: FBNET_LAYERS }, () => FBNET_OPS[Math.floor(rng() * FBNET_OPS.length)]) }));
}

export const fbnetSpace: SearchSpace<FbnetArch> = {
  name: 'fbnet',
  parse: parseFbnetSpec,
  format: formatFbnetSpec,
  sample: sampleFbnet,
};

// For findFbnetSpecs: the flow lists. A candidate is what the pattern
//   [[(] GAP ITEM (GAP , GAP ITEM){21} GAP ,? GAP [\])]      GAP = (\s | #... | //...)*
// matches from a "[" or "(" (ITEM: an op name, bare or quoted), the first candidate at or after the end of
// the last one; the parser then checks it. As a regex this backtracks exponentially on runs of "#" (each run
// splits into comments in 2^k ways); here every start's reading is deterministic (a gap is skipped whole)
// and the readings of all starts run together, one pass over the text: two readings at the same offset in
// the same state read on alike, so they merge (keeping all their starts), and at most
// (FBNET_LAYERS + 1) x 4 readings are alive at any offset.
const OPS_LONGEST_FIRST = [...FBNET_OPS].sort((a, b) => b.length - a.length);
const EXPECT_ITEM = 0;
const EXPECT_COMMA = 1;
const EXPECT_COMMA_OR_CLOSE = 2;
const EXPECT_CLOSE = 3;

function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function isWordOrDash(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/** Length of the op name at `at` ("k3_e1", 'skip' or a bare k5_e6 not followed by a word character), or 0. */
function itemLength(text: string, at: number): number {
  const q = text.charCodeAt(at);
  if (q === 34 || q === 39) {
    for (const op of OPS_LONGEST_FIRST) if (text.startsWith(op, at + 1) && text.charCodeAt(at + 1 + op.length) === q) return op.length + 2;
    return 0;
  }
  for (const op of OPS_LONGEST_FIRST) if (text.startsWith(op, at) && !isWordOrDash(text.charCodeAt(at + op.length))) return op.length;
  return 0;
}

/** The starts of the readings merged into one (a linked list, so that merging is O(1)). */
interface Starts {
  first: StartNode;
  last: StartNode;
}
interface StartNode {
  at: number;
  next?: StartNode;
}

/** [start, end) of every candidate flow list, as the pattern above would report them. */
function fbnetFlowCandidates(text: string, budget?: ScanBudget): { start: number; end: number }[] {
  const n = text.length;
  // Readings waiting at an offset, by state (count * 4 + expectation); offsets in a binary min-heap.
  const waiting = new Map<number, Map<number, Starts>>();
  const heap: number[] = [];
  const push = (at: number) => {
    let i = heap.push(at) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= at) break;
      heap[i] = heap[parent];
      heap[parent] = at;
      i = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  const schedule = (at: number, state: number, starts: Starts) => {
    if (at >= n) return;
    let states = waiting.get(at);
    if (!states) {
      states = new Map();
      waiting.set(at, states);
      push(at);
    }
    const there = states.get(state);
    if (!there) states.set(state, starts);
    else {
      there.last.next = starts.first;
      there.last = starts.last;
    }
  };
  // Gaps: a blank run and a comment are skipped whole; the last answer of each is kept (readings of
  // nearby starts ask about the same run or line).
  let blankFrom = -1;
  let blankEnd = -1;
  let lineFrom = -1;
  let lineEnd = -1;
  const afterBlanks = (at: number) => {
    if (at >= blankFrom && at <= blankEnd) return blankEnd;
    let e = at;
    while (e < n && isSpace(text.charCodeAt(e))) e++;
    budget?.spend((e - at) >> 4);
    blankFrom = at;
    blankEnd = e;
    return e;
  };
  const endOfLine = (at: number) => {
    if (at >= lineFrom && at <= lineEnd) return lineEnd;
    let e = text.indexOf('\n', at);
    if (e < 0) e = n;
    budget?.spend((e - at) >> 4);
    lineFrom = at;
    lineEnd = e;
    return e;
  };
  let nextSquare = text.indexOf('[');
  let nextRound = text.indexOf('(');
  const found: { start: number; end: number }[] = [];
  for (;;) {
    if (budget && !budget.spend()) break;
    const open = nextSquare < 0 ? nextRound : nextRound < 0 ? nextSquare : Math.min(nextSquare, nextRound);
    const at = heap.length > 0 ? heap[0] : -1;
    if (open >= 0 && (at < 0 || open <= at)) {
      // A new reading starts after the bracket, unless what follows can start neither a gap nor an op name
      // (most brackets in code: a call's arguments), which is cheaper to see here.
      const next = text.charCodeAt(open + 1);
      if (isSpace(next) || next === 35 || next === 47 || next === 34 || next === 39 || next === 107 || next === 115) {
        const node: StartNode = { at: open };
        schedule(open + 1, EXPECT_ITEM, { first: node, last: node });
      }
      if (open === nextSquare) nextSquare = text.indexOf('[', open + 1);
      else nextRound = text.indexOf('(', open + 1);
      continue;
    }
    if (at < 0) break;
    pop();
    const states = waiting.get(at)!;
    waiting.delete(at);
    const c = text.charCodeAt(at);
    for (const [state, starts] of states) {
      const count = state >> 2;
      const expect = state & 3;
      if (isSpace(c)) schedule(afterBlanks(at), state, starts);
      else if (c === 35 || (c === 47 && text.charCodeAt(at + 1) === 47)) schedule(endOfLine(at), state, starts);
      else if (expect === EXPECT_ITEM) {
        const len = itemLength(text, at);
        if (len > 0) schedule(at + len, ((count + 1) << 2) | (count + 1 < FBNET_LAYERS ? EXPECT_COMMA : EXPECT_COMMA_OR_CLOSE), starts);
      } else if (c === 44 && expect === EXPECT_COMMA) schedule(at + 1, (count << 2) | EXPECT_ITEM, starts);
      else if (c === 44 && expect === EXPECT_COMMA_OR_CLOSE) schedule(at + 1, (count << 2) | EXPECT_CLOSE, starts);
      else if ((c === 93 || c === 41) && (expect === EXPECT_COMMA_OR_CLOSE || expect === EXPECT_CLOSE)) {
        for (let s: StartNode | undefined = starts.first; s; s = s === starts.last ? undefined : s.next) found.push({ start: s.at, end: at + 1 });
      }
    }
  }
  // As a global regex reports them: the first candidate, then the first one starting at or after its end.
  found.sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  let after = 0;
  for (const f of found) {
    if (f.start < after) continue;
    out.push(f);
    after = f.end;
  }
  return out;
}

// For the block lists: an op name, bare or quoted.
const OP_ALT = 'k[35]_e1_g2|k[35]_e[136]|skip';
const ITEM = `(?:"(?:${OP_ALT})"|'(?:${OP_ALT})'|(?:${OP_ALT})(?![\\w-]))`;
const BLOCK_ITEM_RE = new RegExp(`^([ \\t]*)-[ \\t]+(${ITEM})[ \\t]*(?:#.*)?$`);
const ANY_ITEM_RE = /^([ \t]*)-(?:[ \t]|$)/;

/** Every list of exactly 22 valid op names in `text`: Python/JSON/YAML flow lists and YAML block lists. */
export function findFbnetSpecs(text: string, budget?: ScanBudget): { spec: string; start: number; end: number }[] {
  const out: { spec: string; start: number; end: number }[] = [];
  for (const { start, end } of fbnetFlowCandidates(text, budget)) {
    try {
      out.push({ spec: formatFbnetSpec(parseFbnetSpec(text.slice(start, end))), start, end });
    } catch {
      /* mismatched brackets such as [ ... ), a comment inside: not a list */
    }
  }
  // YAML block lists: a run of "- item" lines at one indentation, all of them op names, exactly 22 long.
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; ) {
    if (budget && !budget.spend(1 + (lines[i].text.length >> 4))) break;
    const first = ANY_ITEM_RE.exec(lines[i].text);
    if (!first) {
      i++;
      continue;
    }
    const indent = first[1];
    let j = i;
    const ops: string[] = [];
    let allOps = true;
    for (; j < lines.length; j++) {
      const any = ANY_ITEM_RE.exec(lines[j].text);
      if (!any || any[1] !== indent) break;
      const m = BLOCK_ITEM_RE.exec(lines[j].text);
      if (m) ops.push(m[2].replace(/^["']|["']$/g, ''));
      else allOps = false;
    }
    if (allOps && ops.length === FBNET_LAYERS) {
      const last = lines[j - 1];
      out.push({
        spec: formatFbnetSpec({ ops }),
        start: lines[i].start + indent.length,
        end: last.start + lengthWithoutComment(last.text, 'tab'),
      });
    }
    i = j;
  }
  return out.sort((a, b) => a.start - b.start);
}

// HW-NAS-Bench's FBNet skeleton for CIFAR-100 (32x32 input): a 3x3 stem with 16 channels, then 7 stages
// of [1, 4, 4, 4, 4, 4, 1] searchable layers with these output channels and first-layer strides, then a
// 1x1 conv to 1504 channels, average pooling and a 100-way classifier.
export const FBNET_STEM_CHANNELS = 16;
export const FBNET_STAGE_LAYERS = [1, 4, 4, 4, 4, 4, 1];
export const FBNET_STAGE_CHANNELS = [16, 24, 32, 64, 112, 184, 352];
export const FBNET_STAGE_STRIDES = [1, 1, 2, 2, 1, 2, 1];
export const FBNET_INPUT_SIZE = 32;

/** Kernel, expansion and group count of a block op (undefined for skip). */
export function fbnetBlock(op: string): { kernel: number; expansion: number; groups: number } | undefined {
  const m = /^k(\d)_e(\d)(?:_g(\d))?$/.exec(op);
  return m ? { kernel: +m[1], expansion: +m[2], groups: m[3] ? +m[3] : 1 } : undefined;
}

/** Per searchable layer: input/output channels, input resolution and stride. */
export function fbnetLayers(): { cin: number; cout: number; size: number; stride: number }[] {
  const out: { cin: number; cout: number; size: number; stride: number }[] = [];
  let cin = FBNET_STEM_CHANNELS;
  let size = FBNET_INPUT_SIZE;
  FBNET_STAGE_LAYERS.forEach((n, s) => {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? FBNET_STAGE_STRIDES[s] : 1;
      out.push({ cin, cout: FBNET_STAGE_CHANNELS[s], size, stride });
      cin = FBNET_STAGE_CHANNELS[s];
      size = size / stride;
    }
  });
  return out;
}

const FBNET_LAYER_SHAPES = fbnetLayers();

/** Names of fbnetCostFeatures' columns, in order. */
export const FBNET_COST_FEATURES = [
  'expand_macs',
  'project_macs',
  'dw3_macs',
  'dw5_macs',
  'grouped_macs',
  'traffic',
  'params',
  'blocks',
  'block_pixels',
  'skip_conv_macs',
] as const;

/**
 * Analytic cost features of an architecture: sums over the layers of per-layer costs, MACs, elements and
 * parameters in millions, pixels in thousands. A device that runs layer by layer (FPGAs, accelerator
 * simulators, phones and small CPUs with a per-layer lookup table) has a latency that is a sum of
 * per-layer costs; a linear model over these sums is such a sum with per-layer costs
 *   expand 1x1 MACs, project 1x1 MACs, depthwise MACs split by kernel (3x3 and 5x5 reach different
 *   efficiency), the MACs of grouped 1x1 convs (again, on top of their share), activation traffic,
 *   parameters, a fixed cost per block, a cost per input pixel of a block (per-row/tile overheads),
 *   and the MACs of the 1x1 convs that replace shape-changing skips.
 * The predictor offers a fit over them as a candidate (combine.ts), chosen by leave-one-out error.
 */
export function fbnetCostFeatures(arch: FbnetArch): number[] {
  const f = new Array(FBNET_COST_FEATURES.length).fill(0);
  arch.ops.forEach((op, l) => {
    const { cin, cout, size, stride } = FBNET_LAYER_SHAPES[l];
    const out = size / stride;
    const b = fbnetBlock(op);
    if (!b) {
      // A skip that changes shape is a 1x1 convolution.
      if (cin !== cout || stride !== 1) {
        f[9] += out * out * cin * cout;
        f[5] += size * size * cin + out * out * cout;
        f[6] += cin * cout;
        f[7] += 1;
      }
      return;
    }
    const mid = cin * b.expansion;
    const expand = (size * size * cin * mid) / b.groups;
    const project = (out * out * mid * cout) / b.groups;
    const dw = out * out * mid * b.kernel * b.kernel;
    f[0] += expand;
    f[1] += project;
    f[b.kernel === 3 ? 2 : 3] += dw;
    if (b.groups > 1) f[4] += expand + project;
    f[5] += size * size * (cin + mid) + out * out * (mid + cout);
    f[6] += (cin * mid + mid * cout) / b.groups + mid * b.kernel * b.kernel;
    f[7] += 1;
    f[8] += size * size * 1e3;
  });
  // Blocks count as they are; pixels in thousands (scaled up above so that one division serves all).
  return f.map((v, j) => (j === 7 ? v : v / 1e6));
}

/** Every layer's op as a one-hot over the 8 block ops (skip all zero): 22 x 8, the per-layer-cost layout. */
export function encodeFbnetLayerOps(arch: FbnetArch): Float32Array {
  const v = new Float32Array(FBNET_LAYERS * 8);
  arch.ops.forEach((op, l) => {
    const i = (FBNET_OPS as readonly string[]).indexOf(op);
    if (i >= 0 && i < 8) v[l * 8 + i] = 1;
  });
  return v;
}
