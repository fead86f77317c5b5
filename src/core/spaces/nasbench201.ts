// NAS-Bench-201 (Dong & Yang, ICLR 2020): a cell of 4 nodes where node k sums one operation applied to
// each earlier node j < k. A cell string lists, per node, its inputs `op~j`:
//   |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
// The 6 edges, in cell-string order: 0->1, 0->2, 1->2, 0->3, 1->3, 2->3.
import * as fs from 'fs';
import * as path from 'path';
import { resolveWeightsDir } from '../paths';
import { GraphEncoding, Rng, SearchSpace, SpecError } from './space';
import { ScanBudget } from './scanBudget';

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type NasBench201Op = (typeof NB201_OPS)[number];

export interface NasBench201Cell {
  /** Operation of each edge in cell-string order (0->1, 0->2, 1->2, 0->3, 1->3, 2->3). */
  ops: NasBench201Op[];
}

export const NB201_EDGES: [number, number][] = [
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
  [2, 3],
];
export const NB201_SIZE = 5 ** 6;

const PREFIX = 'NAS-Bench-201 cell';

/** Quotes a fragment of user text for an error message: escaped (so the message stays one line) and short. */
function show(fragment: string): string {
  const q = JSON.stringify(fragment);
  return q.length > 40 ? `${q.slice(0, 36)}..."` : q;
}

/** Parses a cell string; every problem is reported in one line naming the node and edge. */
export function parseNasBench201Cell(text: string): NasBench201Cell {
  if (typeof text !== 'string') throw new SpecError(`${PREFIX}: expected a string`);
  let s = text.trim();
  // Tolerate the quotes a cell string carries when copied out of source code.
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) s = s.slice(1, -1).trim();
  if (s === '') throw new SpecError(`${PREFIX}: empty string`);
  if (!s.startsWith('|')) throw new SpecError(`${PREFIX}: stray text before the first node: ${show(s.slice(0, 20))} (a cell starts with "|")`);
  if (!s.endsWith('|')) throw new SpecError(`${PREFIX}: stray text after the last node: ${show(s.slice(-20))} (a cell ends with "|")`);
  const nodes = s.split('+');
  // An empty chunk is a doubled "+", not an extra node: say so before counting nodes.
  const empty = nodes.findIndex((chunk) => chunk === '');
  if (empty >= 0) throw new SpecError(`${PREFIX}: node ${empty + 1}: empty (stray "+")`);
  if (nodes.length < 3) throw new SpecError(`${PREFIX}: missing node ${nodes.length + 1} (expected 3 nodes separated by "+", found ${nodes.length})`);
  if (nodes.length > 3) throw new SpecError(`${PREFIX}: extra node 4 (expected 3 nodes separated by "+", found ${nodes.length})`);
  const ops: NasBench201Op[] = new Array(6);
  nodes.forEach((chunk, n) => {
    const node = n + 1;
    if (chunk.length < 2 || !chunk.startsWith('|') || !chunk.endsWith('|')) {
      throw new SpecError(`${PREFIX}: node ${node}: stray text ${show(chunk)} (expected |op~j|...|)`);
    }
    const seen = new Set<number>();
    for (const tok of chunk.slice(1, -1).split('|')) {
      const m = /^(\w+)~(\d+)$/.exec(tok);
      if (!m) {
        if (tok === '') throw new SpecError(`${PREFIX}: node ${node}: empty input (stray "|")`);
        if (/^\w+$/.test(tok)) throw new SpecError(`${PREFIX}: node ${node}: input ${show(tok)} has no "~j" input index`);
        throw new SpecError(`${PREFIX}: node ${node}: stray text ${show(tok)} (expected op~j)`);
      }
      const j = Number(m[2]);
      // "~02" is not how any tool writes an index; reject it rather than guess.
      if (j >= node || String(j) !== m[2]) {
        throw new SpecError(`${PREFIX}: node ${node}, edge ${m[2]}->${node}: wrong input index ${m[2]} (node ${node} takes inputs 0..${node - 1})`);
      }
      if (seen.has(j)) throw new SpecError(`${PREFIX}: node ${node}, edge ${j}->${node}: input ${j} given twice`);
      seen.add(j);
      if (!(NB201_OPS as readonly string[]).includes(m[1])) {
        throw new SpecError(`${PREFIX}: node ${node}, edge ${j}->${node}: unknown operation ${show(m[1])} (allowed: ${NB201_OPS.join(', ')})`);
      }
      // Inputs may come in any order; store by edge so the canonical form orders them by j.
      ops[edgeIndex(j, node)] = m[1] as NasBench201Op;
    }
    for (let j = 0; j < node; j++) {
      if (!seen.has(j)) throw new SpecError(`${PREFIX}: node ${node}, edge ${j}->${node}: missing input ${j} (node ${node} needs one operation from each of nodes 0..${node - 1})`);
    }
  });
  return { ops };
}

function edgeIndex(from: number, to: number): number {
  return NB201_EDGES.findIndex(([a, b]) => a === from && b === to);
}

export function formatNasBench201Cell(cell: NasBench201Cell): string {
  const o = cell.ops;
  return `|${o[0]}~0|+|${o[1]}~0|${o[2]}~1|+|${o[3]}~0|${o[4]}~1|${o[5]}~2|`;
}

/** Base-5 code of a cell (op ids in NB201_OPS order, edge e has weight 5^e). */
export function nasBench201Code(cell: NasBench201Cell): number {
  // Cells built in code bypass the parser; an invalid one would silently map to a wrong index.
  if (!cell || !Array.isArray(cell.ops) || cell.ops.length !== 6) throw new SpecError(`${PREFIX}: expected 6 edge operations`);
  return cell.ops.reduce((s, op, e) => {
    const id = NB201_OPS.indexOf(op);
    if (id < 0) {
      const [from, to] = NB201_EDGES[e];
      throw new SpecError(`${PREFIX}: node ${to}, edge ${from}->${to}: unknown operation ${show(String(op))} (allowed: ${NB201_OPS.join(', ')})`);
    }
    return s + id * 5 ** e;
  }, 0);
}

export function nasBench201FromCode(code: number): NasBench201Cell {
  const ops: NasBench201Op[] = [];
  for (let e = 0; e < 6; e++) {
    ops.push(NB201_OPS[code % 5]);
    code = Math.floor(code / 5);
  }
  return { ops };
}

// The official index order is not an enumeration order; weights/nasbench201-index.bin (made by
// scripts/make-nasbench201-index.mjs from data/) holds the code of each index.
let indexToCode: Uint16Array | undefined;
let codeToIndex: Int32Array | undefined;

function loadIndex(): void {
  if (indexToCode) return;
  const file = path.join(resolveWeightsDir(), 'nasbench201-index.bin');
  const buf = fs.readFileSync(file);
  if (buf.length !== 2 * NB201_SIZE) throw new Error(`${file}: expected ${2 * NB201_SIZE} bytes, found ${buf.length} (rerun scripts/make-nasbench201-index.mjs)`);
  const codes = new Uint16Array(NB201_SIZE);
  for (let i = 0; i < NB201_SIZE; i++) codes[i] = buf.readUInt16LE(2 * i);
  const inv = new Int32Array(NB201_SIZE).fill(-1);
  codes.forEach((c, i) => (inv[c] = i));
  // Every cell must have exactly one index; a corrupt file would otherwise give wrong lookups quietly.
  if (inv.includes(-1)) throw new Error(`${file}: not a permutation of the 15,625 cells (rerun scripts/make-nasbench201-index.mjs)`);
  indexToCode = codes;
  codeToIndex = inv;
}

/** Official NAS-Bench-201 index (0..15624). */
export function nasBench201Index(cell: NasBench201Cell): number {
  loadIndex();
  return codeToIndex![nasBench201Code(cell)];
}

export function nasBench201CellAt(index: number): NasBench201Cell {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_SIZE) throw new SpecError(`${PREFIX}: index ${index} outside 0..${NB201_SIZE - 1}`);
  loadIndex();
  return nasBench201FromCode(indexToCode![index]);
}

export function sampleNasBench201Cells(n: number, rng: Rng): NasBench201Cell[] {
  return Array.from({ length: n }, () => ({ ops: Array.from({ length: 6 }, () => NB201_OPS[Math.floor(rng() * 5)]) }));
}

// HELP's graph encoding: operations are nodes. Nodes [input, the 6 edges in cell-string order, output,
// global]; feature columns [input, avg_pool_3x3, nor_conv_1x1, nor_conv_3x3, none, skip_connect, output,
// global]. Information flows input -> ops on edges from node 0; an op on edge i->k feeds the ops on edges
// k->m; ops into node 3 feed the output.
const GRAPH_COLUMNS = ['input', 'avg_pool_3x3', 'nor_conv_1x1', 'nor_conv_3x3', 'none', 'skip_connect', 'output', 'global'];
const GRAPH_FLOW: [number, number][] = [
  [0, 1], [0, 2], [0, 4],
  [1, 3], [1, 5],
  [2, 6], [3, 6],
  [4, 7], [5, 7], [6, 7],
];

export function encodeNasBench201Graph(cell: NasBench201Cell): GraphEncoding {
  const nodes = 9;
  const features = GRAPH_COLUMNS.length;
  const x = new Float32Array(nodes * features);
  const labels = ['input', ...cell.ops, 'output', 'global'];
  labels.forEach((l, i) => (x[i * features + GRAPH_COLUMNS.indexOf(l)] = 1));
  const adj = new Float32Array(nodes * nodes);
  for (let i = 0; i < nodes; i++) {
    adj[i * nodes + i] = 1;
    adj[8 * nodes + i] = 1; // global receives from every node
    adj[i * nodes + 8] = 1; // and sends to every node
  }
  for (const [from, to] of GRAPH_FLOW) adj[to * nodes + from] = 1;
  return { nodes, features, x, adj };
}

/** 30 one-hot values: edge-major, ops in NB201_OPS order (for linear models). */
export function encodeNasBench201OneHot(cell: NasBench201Cell): Float32Array {
  const v = new Float32Array(30);
  cell.ops.forEach((op, e) => (v[e * 5 + NB201_OPS.indexOf(op)] = 1));
  return v;
}

/**
 * Analytic cost features: how many of the cell's 6 edges run each computing op (skip, 1x1 conv, 3x3 conv,
 * 3x3 average pool; `none` is the rest). Every cell of the network is the same cell and each stage keeps
 * channels x resolution balanced, so a device whose latency is a sum of per-operation costs (e.g. an FPGA
 * executing layer by layer) is linear in these counts: 4 parameters where per-edge costs would need 24.
 */
export function nasBench201CostFeatures(cell: NasBench201Cell): number[] {
  const counts = [0, 0, 0, 0];
  for (const op of cell.ops) {
    const k = NB201_OPS.indexOf(op);
    if (k > 0) counts[k - 1]++;
  }
  return counts;
}

/**
 * Which computing operations reach the output. An op on edge i->k matters only if node i is reachable from
 * the input and node k reaches the output through non-`none` edges; otherwise its result is discarded (or
 * it adds zeros), and a graph compiler that removes dead code skips it. With no path from the input to the
 * output at all, the cell's output is zero whatever the input.
 */
export function nasBench201LiveOps(cell: NasBench201Cell): { connected: boolean; dead: number[] } {
  const active = NB201_EDGES.map(([from, to], e) => ({ from, to, e })).filter((x) => cell.ops[x.e] !== 'none');
  const fromInput = new Set([0]);
  for (let n = 1; n <= 3; n++) if (active.some((x) => x.to === n && fromInput.has(x.from))) fromInput.add(n);
  const toOutput = new Set([3]);
  for (let n = 2; n >= 0; n--) if (active.some((x) => x.from === n && toOutput.has(x.to))) toOutput.add(n);
  const dead = active.filter((x) => !fromInput.has(x.from) || !toOutput.has(x.to)).map((x) => x.e);
  return { connected: toOutput.has(0), dead };
}

export const nasBench201Space: SearchSpace<NasBench201Cell> = {
  name: 'nasbench201',
  parse(spec) {
    if (typeof spec !== 'string') throw new SpecError(`${PREFIX}: expected a cell string, got ${Array.isArray(spec) ? 'an array' : typeof spec}`);
    return parseNasBench201Cell(spec);
  },
  format: formatNasBench201Cell,
  sample: sampleNasBench201Cells,
};

// A cell-looking substring (linear: it starts only at a "|" and each part ends at a character the next
// part cannot begin with): exactly 1, 2 and 3 `op~j` inputs per node. The lookarounds keep a valid
// 3-node prefix of a longer, malformed string (an extra "+|...|" node, text glued before it) from
// being reported as a cell. Any op name and index are matched; parsing decides.
const CELL_RE = /(?<![\w~+])\|\w+~\d+\|\+\|\w+~\d+\|\w+~\d+\|\+\|\w+~\d+\|\w+~\d+\|\w+~\d+\|(?!\+|\w+~)/g;

/** Every substring of `text` that parses as a cell string (in source code, Markdown, ...). `spec` is the
 *  canonical form; `start`/`end` delimit the original text (end exclusive). */
export function findNasBench201Cells(text: string, budget?: ScanBudget): { spec: string; start: number; end: number }[] {
  const out: { spec: string; start: number; end: number }[] = [];
  for (const m of text.matchAll(CELL_RE)) {
    if (budget && !budget.spend(1 + (m[0].length >> 4))) break;
    try {
      out.push({ spec: formatNasBench201Cell(parseNasBench201Cell(m[0])), start: m.index!, end: m.index! + m[0].length });
    } catch {
      /* looks like a cell but is not one: no lens */
    }
  }
  return out;
}
