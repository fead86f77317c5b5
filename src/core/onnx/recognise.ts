// Maps a read ONNX graph to an architecture of a known space by its structure (data flow from the output
// back to the input over the GraphView, which already looks through BN, activations, Identity, Pad,
// reshapes, constant operands, ...), never by node names.
//
// What a graph cannot tell, and the canonical choice made instead:
//   - FBNet: an identity `skip` (a stride-1 layer keeping its channels) leaves no trace, so within a stage
//     the positions of identity skips among the stride-1 layers are unknown: they are reported first, the
//     blocks after them in their order (canonicalFbnet).
//   - OFA: the ks/e values of block slots beyond a stage's depth are not in the network: reported as 3 / 3
//     (canonicalOfa).
import { CoreNode, GraphView } from './graph';
import { OnnxModel } from './reader';
import { formatNasBench201Cell, NasBench201Cell, NasBench201Op, NB201_EDGES, NB201_OPS, nasBench201Code, nasBench201FromCode, NB201_SIZE } from '../spaces/nasbench201';
import { FbnetArch, fbnetLayers, FBNET_OPS, FBNET_STAGE_LAYERS, formatFbnetSpec } from '../spaces/fbnet';
import { formatOfaSpec, OfaArch, ofaMakeDivisible, OFA_BLOCKS, OFA_BLOCKS_PER_STAGE, OFA_E, OFA_RESOLUTIONS, OFA_STAGES, OFA_STAGE_CHANNELS, OFA_STAGE_SE, OFA_STAGE_STRIDES } from '../spaces/ofa';

export type SpaceName = 'nasbench201' | 'fbnet' | 'ofa';

export type Recognition =
  | { space: SpaceName; spec: string; notes: string[] }
  | { space: null; spec: null; reason: string };

class Miss extends Error {}
function need(cond: unknown, why: string): asserts cond {
  if (!cond) throw new Miss(why);
}

/** The input's spatial size [H, W] when fixed. */
function inputSize(model: OnnxModel): { h: number | null; w: number | null; c: number | null } {
  const s = model.inputs[0]?.shape;
  const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);
  if (!s || s.length !== 4) return { h: null, w: null, c: null };
  return { c: num(s[1]), h: num(s[2]), w: num(s[3]) };
}

/** The classifier at the end: output <- linear (<- gap). */
function head(g: GraphView): { linear: Extract<CoreNode, { kind: 'linear' }>; x: string } {
  need(g.model.outputs.length >= 1, 'the graph has no output');
  const out = g.core(g.model.outputs[0].name);
  need(out.kind === 'linear', 'the output does not come from a linear classifier (Gemm/MatMul)');
  return { linear: out, x: out.x };
}

function isConv(c: CoreNode, o: { cin?: number; cout?: number; k?: number; stride?: number; group?: number; depthwise?: boolean }): c is Extract<CoreNode, { kind: 'conv' }> {
  if (c.kind !== 'conv') return false;
  if (c.k !== c.kw) return false;
  if (o.cin !== undefined && c.cin !== o.cin) return false;
  if (o.cout !== undefined && c.cout !== o.cout) return false;
  if (o.k !== undefined && c.k !== o.k) return false;
  if (o.stride !== undefined && c.stride !== o.stride) return false;
  if (o.group !== undefined && c.group !== o.group) return false;
  if (o.depthwise && !(c.group === c.cin && c.cin === c.cout)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// NAS-Bench-201

type Term = { op: NasBench201Op; src: string };

/** The k terms of a left-folded sum (Python's sum()): Add(Add(t0, t1), t2). */
function spine(g: GraphView, t: string, k: number): string[] | null {
  if (k === 1) return [t];
  const c = g.core(t);
  if (c.kind !== 'add') return null;
  if (c.terms.length === k) return c.terms; // a single n-ary Sum
  if (c.terms.length !== 2) return null;
  const left = spine(g, c.terms[0], k - 1);
  return left ? [...left, c.terms[1]] : null;
}

function classify(g: GraphView, t: string, C: number, t0?: string): Term {
  if (t === t0) return { op: 'skip_connect', src: t };
  const c = g.core(t);
  if (c.kind === 'zero') return { op: 'none', src: c.x };
  if (isConv(c, { cin: C, cout: C, stride: 1, group: 1 }) && (c.k === 1 || c.k === 3)) return { op: c.k === 3 ? 'nor_conv_3x3' : 'nor_conv_1x1', src: c.x };
  if (c.kind === 'pool' && c.type === 'avg' && c.k === 3 && c.stride === 1) return { op: 'avg_pool_3x3', src: c.x };
  return { op: 'skip_connect', src: t };
}

/** The readings of a term: the operation it shows, or (when it is a node of the cell itself) a skip. */
function readings(g: GraphView, t: string, C: number): Term[] {
  const c = classify(g, t, C);
  return c.op === 'skip_connect' ? [c] : [c, { op: 'skip_connect', src: t }];
}

function* product<T>(lists: T[][]): Generator<T[]> {
  if (lists.length === 0) {
    yield [];
    return;
  }
  for (const head of lists[0]) for (const rest of product(lists.slice(1))) yield [head, ...rest];
}

/**
 * Parses a cell backwards from its output when every edge is present (`none` as a multiplication by zero):
 * node k is a left-folded sum of k terms in input order. A term that is itself a node of the cell reads as
 * a skip; each reading is checked for consistency, and one where two edges share an operation node (which
 * the official network never does; an exporter's CSE may for weightless pools and zeros) loses to one where
 * they do not (two convolutions may never share).
 */
function cellPositional(g: GraphView, out: string, C: number): { ops: NasBench201Op[]; t0: string } | null {
  const s3 = spine(g, out, 3);
  if (!s3) return null;
  let best: { ops: NasBench201Op[]; t0: string; penalty: number } | null = null;
  for (const e3 of product(s3.map((t) => readings(g, t, C)))) {
    const t0 = e3[0].src;
    // A cell's input is the output of a cell or of a reduction block (sums) or the stem convolution.
    const k0 = g.core(t0);
    if (!(k0.kind === 'add' || (k0.kind === 'conv' && k0.cin === 3))) continue;
    const n1 = e3[1].src;
    const n2 = e3[2].src;
    const s2 = spine(g, n2, 2);
    if (!s2) continue;
    for (const e2 of product(s2.map((t) => readings(g, t, C)))) {
      if (e2[0].src !== t0 || e2[1].src !== n1) continue;
      for (const e1 of readings(g, n1, C)) {
        if (e1.src !== t0) continue;
        const ops = [e1.op, e2[0].op, e2[1].op, e3[0].op, e3[1].op, e3[2].op];
        const tensors = [n1, s2[0], s2[1], s3[0], s3[1], s3[2]];
        let penalty = 0;
        let ok = true;
        for (let i = 0; i < 6 && ok; i++) {
          for (let j = i + 1; j < 6; j++) {
            if (ops[i] === 'skip_connect' || ops[j] === 'skip_connect' || tensors[i] !== tensors[j]) continue;
            if (ops[i].startsWith('nor_conv')) ok = false;
            else penalty++;
          }
        }
        if (ok && (!best || penalty < best.penalty)) best = { ops, t0, penalty };
      }
    }
  }
  return best && { ops: best.ops, t0: best.t0 };
}

// With `none` edges left out, positions are gone: compare canonical sum-of-terms expressions instead.
type Expr = string[]; // sorted terms of a sum ([] is zero)
const show = (e: Expr) => (e.length === 0 ? '0' : e.length === 1 ? e[0] : `(${e.join('+')})`);
const sum = (parts: Expr[]) => parts.flat().sort();

let exprIndex: Map<string, number[]> | undefined;
function nb201ExprIndex(): Map<string, number[]> {
  if (exprIndex) return exprIndex;
  exprIndex = new Map();
  for (let code = 0; code < NB201_SIZE; code++) {
    const key = nb201CellExpression(nasBench201FromCode(code));
    const l = exprIndex.get(key);
    if (l) l.push(code);
    else exprIndex.set(key, [code]);
  }
  return exprIndex;
}

function applyOp(op: NasBench201Op, e: Expr): Expr {
  if (op === 'none') return [];
  if (op === 'skip_connect') return e;
  if (op === 'avg_pool_3x3') return e.length === 0 ? [] : [`p${show(e)}`];
  return [`${op === 'nor_conv_3x3' ? 'c3' : 'c1'}${show(e)}`];
}

function graphExpr(g: GraphView, t: string, t0: string, C: number, budget: { n: number }): Expr | null {
  if (--budget.n < 0) return null;
  if (t === t0) return ['x'];
  const c = g.core(t);
  if (c.kind === 'zero') return [];
  if (c.kind === 'add') {
    const parts: Expr[] = [];
    for (const term of c.terms) {
      const e = graphExpr(g, term, t0, C, budget);
      if (!e) return null;
      parts.push(e);
    }
    return sum(parts);
  }
  const cl = classify(g, t, C);
  if (cl.op === 'skip_connect') return null; // neither the cell input nor an operation of the cell
  const inner = graphExpr(g, cl.src, t0, C, budget);
  if (!inner) return null;
  return applyOp(cl.op, inner);
}

/** The sum-of-terms expression of a cell (how it reads with `none` edges left out). */
export function nb201CellExpression(cell: NasBench201Cell): string {
  const nodes: Expr[] = [['x']];
  for (let k = 1; k <= 3; k++) {
    const parts: Expr[] = [];
    for (let j = 0; j < k; j++) parts.push(applyOp(cell.ops[NB201_EDGES.findIndex(([a, b]) => a === j && b === k)], nodes[j]));
    nodes.push(sum(parts));
  }
  return show(nodes[3]);
}

/** The reduction block ending at `t` (stage with C output channels): its input, or null. */
function reductionInput(g: GraphView, t: string, C: number): string | null {
  const r = g.core(t);
  if (r.kind !== 'add' || r.terms.length !== 2) return null;
  for (const [a, b] of [r.terms, [...r.terms].reverse()]) {
    const sc = g.core(a);
    const cb = g.core(b);
    if (!isConv(sc, { cin: C / 2, cout: C, k: 1, stride: 1 }) || !isConv(cb, { cin: C, cout: C, k: 3, stride: 1 })) continue;
    const pool = g.core(sc.x);
    const ca = g.core(cb.x);
    if (pool.kind !== 'pool' || pool.k !== 2 || pool.stride !== 2 || !isConv(ca, { cin: C / 2, cout: C, k: 3, stride: 2 }) || ca.x !== pool.x) continue;
    return pool.x;
  }
  return null;
}

function isStem(g: GraphView, t: string): boolean {
  const stem = g.core(t);
  return isConv(stem, { cin: 3, cout: 16, k: 3, stride: 1 }) && g.core(stem.x).kind === 'input';
}

/** Tensors reachable backwards from `out` through cell operations (nearest first). The queue is bounded:
 *  a Sum may have 100,000 terms, and this runs for every candidate cell boundary. */
function backwards(g: GraphView, out: string, limit: number): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  const queue = [out];
  for (let head = 0; head < queue.length && order.length < limit; head++) {
    const t = queue[head];
    if (seen.has(t)) continue;
    seen.add(t);
    order.push(t);
    const c = g.core(t);
    const next = c.kind === 'add' ? c.terms : c.kind === 'conv' || c.kind === 'pool' || c.kind === 'zero' ? [c.x] : [];
    for (let i = 0; i < next.length && i < 4 * limit && queue.length - head < 4 * limit; i++) queue.push(next[i]);
  }
  return order;
}

/** Reads the whole network as 15 copies of one cell expression (searching the cell boundaries): works when
 *  `none` edges are left out. Returns the expression key, or null. */
function networkByExpression(g: GraphView, out: string): string | null {
  const index = nb201ExprIndex();
  let budget = 20000;
  const dfs = (t: string, stage: number, cell: number, key: string | null): string | null => {
    const C = 16 << stage;
    if (cell === 5) {
      if (stage === 0) return isStem(g, t) ? key : null;
      const xin = reductionInput(g, t, C);
      return xin === null ? null : dfs(xin, stage - 1, 0, key);
    }
    const cands = backwards(g, t, 48);
    cands.push(cands.shift()!); // the cell output itself last: an identity cell
    for (const t0 of cands) {
      if (--budget < 0) return null;
      const e = t0 === t ? ['x'] : graphExpr(g, t, t0, C, { n: 200 });
      if (!e) continue;
      const k = show(e);
      if ((key !== null && k !== key) || !index.has(k)) continue;
      const r = dfs(t0, stage, cell + 1, k);
      if (r !== null) return r;
    }
    return null;
  };
  return dfs(out, 2, 0, null);
}

function networkPositional(g: GraphView, out: string): NasBench201Op[] | null {
  let t = out;
  let lastT0: string | null = null;
  let ops: NasBench201Op[] | null = null;
  for (let stage = 2; stage >= 0; stage--) {
    const C = 16 << stage;
    for (let i = 0; i < 5; i++) {
      const cell = cellPositional(g, t, C);
      if (!cell) return null;
      if (ops && ops.join() !== cell.ops.join()) return null;
      ops = cell.ops;
      lastT0 ??= cell.t0;
      t = cell.t0;
    }
    if (stage > 0) {
      const xin = reductionInput(g, t, C);
      if (xin === null) return null;
      t = xin;
    }
  }
  if (!ops || !isStem(g, t)) return null;
  // The sums must read the same as the cell's (a graph with `none` edges left out can fake positions).
  const e = graphExpr(g, out, lastT0!, 64, { n: 200 });
  return e && show(e) === nb201CellExpression({ ops }) ? ops : null;
}

function recogniseNb201(g: GraphView, notes: string[]): string {
  const { linear, x } = head(g);
  const gap = g.core(x);
  need(gap.kind === 'gap', 'no global average pooling before the classifier');
  need(linear.cin === 64, `classifier takes ${linear.cin} features (NAS-Bench-201: 64)`);
  const positional = networkPositional(g, gap.x);
  // The official network multiplies `none` edges by zero: then every edge is in place and positions count.
  const hasZero = g.model.nodes.some((n) => n.opType === 'Mul' && n.outputs[0] && g.core(n.outputs[0]).kind === 'zero');
  let ops: NasBench201Op[];
  if (positional && (hasZero || !positional.includes('none'))) ops = positional;
  else {
    const key = networkByExpression(g, gap.x);
    if (key === null) {
      need(positional, 'the cells are not NAS-Bench-201 cells (or the 15 cells differ)');
      ops = positional;
    } else {
      const codes = nb201ExprIndex().get(key)!;
      if (positional && codes.includes(nasBench201Code({ ops: positional }))) ops = positional;
      else {
        ops = nasBench201FromCode(codes[0]).ops;
        if (codes.length > 1) notes.push(`the graph has no \`none\` edges; ${codes.length} cell strings compute this network, the first by code is reported`);
      }
    }
  }
  const sz = inputSize(g.model);
  if (sz.h !== null && (sz.h !== 32 || sz.w !== 32)) notes.push(`input is ${sz.h}x${sz.w} (NAS-Bench-201 on CIFAR: 32x32)`);
  if (linear.cout !== 100) notes.push(`classifier has ${linear.cout} classes (CIFAR-100: 100)`);
  return formatNasBench201Cell({ ops });
}

// ---------------------------------------------------------------------------------------------------------
// FBNet (HW-NAS-Bench)

/** An FBNet ConvBlock ending at `t`: 1x1 (groups g) -> depthwise k/stride -> 1x1 (groups g). */
function fbnetBlockAt(g: GraphView, t: string, cin: number, cout: number, stride: number): { op: string; x: string } | null {
  const c3 = g.core(t);
  if (!isConv(c3, { cout, k: 1, stride: 1 })) return null;
  const dw = g.core(c3.x);
  if (!isConv(dw, { stride, depthwise: true }) || dw.cin !== c3.cin) return null;
  const c1 = g.core(dw.x);
  if (!isConv(c1, { cin, cout: dw.cin, k: 1, stride: 1 }) || c1.group !== c3.group) return null;
  const e = dw.cin / cin;
  const op = `k${dw.k}_e${e}${c1.group === 2 ? '_g2' : c1.group === 1 ? '' : `_g${c1.group}`}`;
  if (!(FBNET_OPS as readonly string[]).includes(op)) return null;
  return { op, x: c1.x };
}

function recogniseFbnet(g: GraphView, notes: string[]): string {
  const { linear, x } = head(g);
  const gap = g.core(x);
  need(gap.kind === 'gap', 'no global average pooling before the classifier');
  const hd = g.core(gap.x);
  need(isConv(hd, { cin: 352, cout: 1504, k: 1, stride: 1 }), 'no 1x1 head convolution 352 -> 1504');
  const layers = fbnetLayers();
  const ops: string[] = new Array(layers.length);
  let t = hd.x;
  let l = layers.length - 1;
  for (let s = FBNET_STAGE_LAYERS.length - 1; s >= 0; s--) {
    const first = l - FBNET_STAGE_LAYERS[s] + 1;
    const blocks: string[] = [];
    let identities = 0;
    for (; l >= first; l--) {
      const L = layers[l];
      if (L.cin === L.cout && L.stride === 1) {
        const c = g.core(t);
        let found: { op: string; x: string } | null = null;
        if (c.kind === 'add' && c.terms.length === 2) {
          for (const [a, b] of [c.terms, [...c.terms].reverse()]) {
            const blk = fbnetBlockAt(g, a, L.cin, L.cout, 1);
            if (blk && blk.x === b) found = blk;
          }
        }
        if (found) {
          blocks.unshift(found.op);
          t = found.x;
        } else identities++;
      } else {
        const blk = fbnetBlockAt(g, t, L.cin, L.cout, L.stride);
        if (blk) {
          blocks.unshift(blk.op);
          t = blk.x;
        } else {
          const c = g.core(t);
          need(isConv(c, { cin: L.cin, cout: L.cout, k: 1, stride: L.stride, group: 1 }), `layer ${l + 1}: neither an FBNet block nor a skip (${L.cin} -> ${L.cout}, stride ${L.stride})`);
          blocks.unshift('skip');
          t = c.x;
        }
      }
    }
    // Identity skips leave no trace: canonically first among the stride-1 layers of the stage.
    const stageOps = [...blocks];
    const firstIsFixed = !(layers[first].cin === layers[first].cout && layers[first].stride === 1);
    stageOps.splice(firstIsFixed ? 1 : 0, 0, ...new Array(identities).fill('skip'));
    stageOps.forEach((op, i) => (ops[first + i] = op));
  }
  const stem = g.core(t);
  need(isConv(stem, { cin: 3, cout: 16, k: 3, stride: 1 }), 'no 3x3 stem convolution to 16 channels');
  need(g.core(stem.x).kind === 'input', 'the stem does not read the graph input');
  const sz = inputSize(g.model);
  if (sz.h !== null && (sz.h !== 32 || sz.w !== 32)) notes.push(`input is ${sz.h}x${sz.w} (the CIFAR setting: 32x32)`);
  if (linear.cout !== 100) notes.push(`classifier has ${linear.cout} classes (CIFAR-100: 100)`);
  return formatFbnetSpec({ ops });
}

/** The form recognition reports for an FBNet architecture (identity skips first within each stage). */
export function canonicalFbnet(arch: FbnetArch): FbnetArch {
  const layers = fbnetLayers();
  const ops = arch.ops.slice();
  let start = 0;
  for (const n of FBNET_STAGE_LAYERS) {
    const idx = Array.from({ length: n }, (_, i) => start + i).filter((i) => layers[i].cin === layers[i].cout && layers[i].stride === 1);
    const vals = idx.map((i) => ops[i]);
    const sorted = [...vals.filter((v) => v === 'skip'), ...vals.filter((v) => v !== 'skip')];
    idx.forEach((i, k) => (ops[i] = sorted[k]));
    start += n;
  }
  return { ops };
}

// ---------------------------------------------------------------------------------------------------------
// OFA MobileNetV3

/** An MBConv block ending at `t`: 1x1 expand -> depthwise k/stride -> [SE] -> 1x1 project. */
function ofaBlockAt(g: GraphView, t: string, cin: number, cout: number, stride: number): { k: number; e: number; se: boolean; x: string } | null {
  const pw = g.core(t);
  if (!isConv(pw, { cout, k: 1, stride: 1, group: 1 })) return null;
  const mid = pw.cin;
  let y = pw.x;
  let se = false;
  const m = g.core(y);
  if (m.kind === 'mul') {
    // x * gate(x): gate = 1x1 conv <- 1x1 conv <- global pool of x.
    for (const [a, b] of [[m.a, m.b], [m.b, m.a]]) {
      const ex = g.core(b);
      if (!isConv(ex, { cout: mid, k: 1 })) continue;
      const red = g.core(ex.x);
      if (!isConv(red, { cin: mid, k: 1 })) continue;
      const gp = g.core(red.x);
      if (gp.kind === 'gap' && gp.x === a) {
        se = true;
        y = a;
      }
    }
    if (!se) return null;
  }
  const dw = g.core(y);
  if (!isConv(dw, { stride, depthwise: true }) || dw.cin !== mid) return null;
  const ex = g.core(dw.x);
  if (!isConv(ex, { cin, cout: mid, k: 1, stride: 1, group: 1 })) return null;
  const e = OFA_E.find((r) => ofaMakeDivisible(Math.round(cin * r)) === mid);
  if (e === undefined) return null;
  return { k: dw.k, e, se, x: ex.x };
}

function recogniseOfa(g: GraphView, notes: string[]): string {
  const { linear, x } = head(g);
  const mix = g.core(x);
  need(isConv(mix, { cin: 960, cout: 1280, k: 1 }), 'no 1x1 feature-mix convolution 960 -> 1280');
  const gap = g.core(mix.x);
  need(gap.kind === 'gap', 'no global average pooling before the feature-mix layer');
  const fe = g.core(gap.x);
  need(isConv(fe, { cin: 160, cout: 960, k: 1, stride: 1 }), 'no 1x1 final expand convolution 160 -> 960');
  const ks = new Array(OFA_BLOCKS).fill(3);
  const e = new Array(OFA_BLOCKS).fill(3);
  const d = new Array(OFA_STAGES).fill(0);
  let t = fe.x;
  for (let s = OFA_STAGES - 1; s >= 0; s--) {
    const C = OFA_STAGE_CHANNELS[s];
    const found: { k: number; e: number; se: boolean }[] = [];
    while (found.length < OFA_BLOCKS_PER_STAGE - 1) {
      const c = g.core(t);
      let blk: ReturnType<typeof ofaBlockAt> = null;
      if (c.kind === 'add' && c.terms.length === 2) {
        for (const [a, b] of [c.terms, [...c.terms].reverse()]) {
          const r = ofaBlockAt(g, a, C, C, 1);
          if (r && r.x === b) blk = r;
        }
      }
      if (!blk) break;
      found.unshift(blk);
      t = blk.x;
    }
    const cin = s === 0 ? 16 : OFA_STAGE_CHANNELS[s - 1];
    const firstBlk = ofaBlockAt(g, t, cin, C, OFA_STAGE_STRIDES[s]);
    need(firstBlk, `stage ${s + 1}: no first MBConv block ${cin} -> ${C} with stride ${OFA_STAGE_STRIDES[s]}`);
    found.unshift(firstBlk);
    t = firstBlk.x;
    need(found.length >= 2, `stage ${s + 1} has ${found.length} block (OFA: 2 to 4)`);
    need(found.every((b) => b.se === OFA_STAGE_SE[s]), `stage ${s + 1}: squeeze-excitation ${OFA_STAGE_SE[s] ? 'missing' : 'unexpected'}`);
    d[s] = found.length;
    found.forEach((b, j) => {
      ks[s * OFA_BLOCKS_PER_STAGE + j] = b.k;
      e[s * OFA_BLOCKS_PER_STAGE + j] = b.e;
    });
  }
  // The fixed first block: Add(pointwise(depthwise(x)), x), 16 channels, then the stride-2 stem.
  const fb = g.core(t);
  need(fb.kind === 'add' && fb.terms.length === 2, 'no first residual block');
  let stemOut: string | undefined;
  for (const [a, b] of [fb.terms, [...fb.terms].reverse()]) {
    const pw = g.core(a);
    if (!isConv(pw, { cin: 16, cout: 16, k: 1 })) continue;
    const dw = g.core(pw.x);
    if (isConv(dw, { k: 3, stride: 1, depthwise: true, cin: 16 }) && dw.x === b) stemOut = b;
  }
  need(stemOut, 'the first block is not a 16-channel depthwise separable block');
  const stem = g.core(stemOut);
  need(isConv(stem, { cin: 3, cout: 16, k: 3, stride: 2 }), 'no 3x3 stride-2 stem convolution to 16 channels');
  need(g.core(stem.x).kind === 'input', 'the stem does not read the graph input');
  const sz = inputSize(g.model);
  need(sz.h !== null && sz.w !== null, 'the input resolution is not fixed in the graph (OFA needs r)');
  need(sz.h === sz.w, `input is ${sz.h}x${sz.w} (OFA resolutions are square)`);
  need(OFA_RESOLUTIONS.includes(sz.h), `input resolution ${sz.h} is outside OFA's 128..224 in steps of 4`);
  if (linear.cout !== 1000) notes.push(`classifier has ${linear.cout} classes (ImageNet: 1000)`);
  return formatOfaSpec({ ks, e, d, r: sz.h });
}

/** The form recognition reports for an OFA architecture (slots beyond a stage's depth as ks 3, e 3). */
export function canonicalOfa(arch: OfaArch): OfaArch {
  const ks = arch.ks.slice();
  const e = arch.e.slice();
  for (let b = 0; b < OFA_BLOCKS; b++) {
    if (b % OFA_BLOCKS_PER_STAGE >= arch.d[Math.floor(b / OFA_BLOCKS_PER_STAGE)]) {
      ks[b] = 3;
      e[b] = 3;
    }
  }
  return { ks, e, d: arch.d.slice(), r: arch.r };
}

// ---------------------------------------------------------------------------------------------------------

/** Recognises a graph as an architecture of NAS-Bench-201, FBNet (HW-NAS-Bench) or OFA MobileNetV3. */
export function recogniseOnnx(model: OnnxModel): Recognition {
  const g = new GraphView(model).precompute();
  const sz = inputSize(model);
  if (sz.c !== null && sz.c !== 3) return { space: null, spec: null, reason: `the input has ${sz.c} channels (the known spaces take RGB images)` };
  const reasons: string[] = [];
  const attempts: [SpaceName, (g: GraphView, notes: string[]) => string][] = [
    ['nasbench201', recogniseNb201],
    ['fbnet', recogniseFbnet],
    ['ofa', recogniseOfa],
  ];
  // Try the space whose classifier width fits first; report the reason of the closest one.
  let headCin: number | undefined;
  try {
    headCin = head(g).linear.cin;
  } catch (e) {
    if (!(e instanceof Miss)) throw e;
    return { space: null, spec: null, reason: e.message };
  }
  const order = headCin === 64 ? [0, 1, 2] : headCin === 1504 ? [1, 0, 2] : headCin === 1280 ? [2, 0, 1] : [0, 1, 2];
  for (const i of order) {
    const [space, fn] = attempts[i];
    const notes: string[] = [];
    try {
      return { space, spec: fn(g, notes), notes };
    } catch (e) {
      if (!(e instanceof Miss)) throw e;
      reasons.push(`${space}: ${e.message}`);
    }
  }
  const best = headCin === 64 || headCin === 1504 || headCin === 1280 ? reasons[0] : `classifier takes ${headCin} features (NAS-Bench-201: 64, FBNet: 1504, OFA: 1280)`;
  return { space: null, spec: null, reason: best };
}

export { NB201_OPS };
export type { NasBench201Cell };
