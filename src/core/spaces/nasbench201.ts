// NAS-Bench-201 (Dong & Yang, ICLR 2020): a cell of 4 nodes where node k sums one operation applied to
// each earlier node j < k. A cell string lists, per node, its inputs `op~j`:
//   |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
// The 6 edges, in cell-string order: 0->1, 0->2, 1->2, 0->3, 1->3, 2->3.
import * as fs from 'fs';
import * as path from 'path';
import { resolveWeightsDir } from '../paths';
import { GraphEncoding, Rng, SearchSpace, SpecError } from './space';

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

/** Parses a cell string; every problem is reported in one line naming the node and edge. */
export function parseNasBench201Cell(text: string): NasBench201Cell {
  if (typeof text !== 'string') throw new SpecError(`${PREFIX}: expected a string`);
  let s = text.trim();
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) s = s.slice(1, -1).trim();
  if (s === '') throw new SpecError(`${PREFIX}: empty string`);
  if (!s.startsWith('|')) throw new SpecError(`${PREFIX}: stray text before the first node: "${s.slice(0, 20)}" (a cell starts with "|")`);
  if (!s.endsWith('|')) throw new SpecError(`${PREFIX}: stray text after the last node: "...${s.slice(-20)}" (a cell ends with "|")`);
  const nodes = s.split('+');
  if (nodes.length < 3) throw new SpecError(`${PREFIX}: missing node ${nodes.length + 1} (expected 3 nodes separated by "+", found ${nodes.length})`);
  if (nodes.length > 3) throw new SpecError(`${PREFIX}: extra node ${4} (expected 3 nodes separated by "+", found ${nodes.length})`);
  const ops: NasBench201Op[] = new Array(6);
  nodes.forEach((chunk, n) => {
    const node = n + 1;
    if (!/^\|.*\|$/.test(chunk) || chunk.length < 2) throw new SpecError(`${PREFIX}: node ${node}: stray text "${chunk}" (expected |op~j|...|)`);
    const inputs = chunk.slice(1, -1).split('|');
    const seen = new Set<number>();
    for (const tok of inputs) {
      const m = /^([A-Za-z0-9_]+)~(\d+)$/.exec(tok);
      if (!m) {
        if (tok === '') throw new SpecError(`${PREFIX}: node ${node}: empty input (stray "|")`);
        if (!tok.includes('~')) throw new SpecError(`${PREFIX}: node ${node}: input "${tok}" has no "~j" input index`);
        throw new SpecError(`${PREFIX}: node ${node}: stray text "${tok}" (expected op~j)`);
      }
      const j = Number(m[2]);
      if (j >= node) throw new SpecError(`${PREFIX}: node ${node}, edge ${j}->${node}: wrong input index ${j} (node ${node} takes inputs 0..${node - 1})`);
      if (seen.has(j)) throw new SpecError(`${PREFIX}: node ${node}, edge ${j}->${node}: input ${j} given twice`);
      seen.add(j);
      if (!(NB201_OPS as readonly string[]).includes(m[1])) {
        throw new SpecError(`${PREFIX}: node ${node}, edge ${j}->${node}: unknown operation "${m[1]}" (allowed: ${NB201_OPS.join(', ')})`);
      }
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
  return cell.ops.reduce((s, op, e) => s + NB201_OPS.indexOf(op) * 5 ** e, 0);
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
  const codes = new Uint16Array(NB201_SIZE);
  for (let i = 0; i < NB201_SIZE; i++) codes[i] = buf.readUInt16LE(2 * i);
  const inv = new Int32Array(NB201_SIZE).fill(-1);
  codes.forEach((c, i) => (inv[c] = i));
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

export const nasBench201Space: SearchSpace<NasBench201Cell> = {
  name: 'nasbench201',
  parse(spec) {
    if (typeof spec !== 'string') throw new SpecError(`${PREFIX}: expected a cell string, got ${Array.isArray(spec) ? 'an array' : typeof spec}`);
    return parseNasBench201Cell(spec);
  },
  format: formatNasBench201Cell,
  sample: sampleNasBench201Cells,
};

/** Every substring of `text` that parses as a cell string (in source code, Markdown, ...). */
export function findNasBench201Cells(text: string): { spec: string; start: number; end: number }[] {
  const out: { spec: string; start: number; end: number }[] = [];
  const re = /\|[A-Za-z0-9_]+~\d\|\+\|[A-Za-z0-9_~|]+\|\+\|[A-Za-z0-9_~|]+\|/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    try {
      out.push({ spec: formatNasBench201Cell(parseNasBench201Cell(m[0])), start: m.index, end: m.index + m[0].length });
    } catch {
      /* looks like a cell but is not one: no lens */
    }
  }
  return out;
}
