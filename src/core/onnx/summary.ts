// A model summary: operator histogram, parameter count (subgraphs included), multiply-accumulates per
// operator type and per operator class with bytes moved (shapeInference.ts, macs.ts), input and output
// shapes. "unknown" where shapes cannot be inferred, naming the node and the reason.
//
// Every step is bounded by the size of its node, and the whole by the file's: shapes have at most MAX_RANK
// dimensions, constants followed for shape arithmetic at most MAX_CONST elements, and all shapes and
// constants together at most MAX_ELEMENTS (a 300 KB Unsqueeze with 300,000 axes, or Concats of a Constant
// with a million values, cost minutes and gigabytes before). Past a limit a value is unknown, and
// `limits` says which node hit which limit.
import { neutraliseForDisplay } from '../text/safeText';
import { ClassCost, countCosts, OpClass } from './macs';
import { OnnxModel, ONNX_DATA_TYPES } from './reader';
import { InferOptions, inferShapes, Limits } from './shapeInference';

export { inferShapes, MAX_CONST, MAX_ELEMENTS, MAX_RANK, nodeLabel } from './shapeInference';
export { nodeMacs } from './macs';
export type { InferOptions } from './shapeInference';
/** Graph inputs and outputs listed in a summary. */
const MAX_LISTED = 1000;
const MAC_CLASSES = new Set<OpClass>(['conv', 'depthwiseConv', 'groupedConv', 'matmul', 'attentionMatmul', 'recurrent']);

export interface OnnxSummary {
  producer: string;
  opsetVersion: number;
  irVersion: number;
  nodes: number;
  /** Operator type -> count, most frequent first. */
  operators: Record<string, number>;
  /** Elements of floating-point initializers, in If/Loop subgraphs too. */
  parameters: number;
  /** Bytes of initializer data (inline and external); "unknown" when external data cannot be sized (see
   *  `limits`). */
  weightBytes: number | 'unknown';
  inputs: { name: string; type: string; shape: (number | string | null)[] | null }[];
  outputs: { name: string; type: string; shape: (number | string | null)[] | 'unknown' }[];
  /** Multiply-accumulates per operator type (Conv, ConvTranspose, Gemm, MatMul, Einsum, LSTM/GRU/RNN);
   *  "unknown" for types with a node whose shapes are unknown. If: the larger branch (or the one a constant
   *  condition takes); Loop: the body times a constant trip count. */
  macsByOp: Record<string, number | 'unknown'>;
  /** Total over the operator types with known MACs. */
  macs: number;
  /** True when every node's MACs are known. */
  macsComplete: boolean;
  /** Per operator class: nodes, MACs, element operations, parameters and bytes moved per run (activations
   *  read and written, weights read); "unknown" where a shape is unknown. */
  byClass: Partial<Record<OpClass, ClassCost>>;
  /** Nodes whose outputs or MACs are unknown and why (at most 20 entries, the last counting the rest). */
  unknowns: string[];
  /** Input dimensions that were symbolic or unknown and taken as 1 (give them with --input-shape or the
   *  help.inputShapes setting), one note per dimension. */
  assumedDims: string[];
  /** What the analysis left unknown because of a limit or an unusable value, naming the node or tensor
   *  (at most MAX_LIMIT_NOTES entries, the last one counting the rest); empty for ordinary models. */
  limits: string[];
}

export function summariseOnnx(model: OnnxModel, opts: InferOptions = {}): OnnxSummary {
  const limits = new Limits();
  const inf = inferShapes(model, limits, opts);
  const unknowns = inf.unknowns;
  const costs = countCosts(inf, unknowns);
  // Maps, not objects, while counting: an op type is the file's text ("__proto__").
  const ops = new Map<string, number>();
  for (const n of model.nodes) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  const operators = Object.fromEntries([...ops].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])));
  const typeName = (t: number) => (ONNX_DATA_TYPES[t] ?? String(t)).toLowerCase();
  // Graph inputs and outputs listed: the first MAX_LISTED (a file may declare millions).
  if (model.inputs.length > MAX_LISTED) limits.add(`inputs: the first ${MAX_LISTED} of ${model.inputs.length} listed`);
  if (model.outputs.length > MAX_LISTED) limits.add(`outputs: the first ${MAX_LISTED} of ${model.outputs.length} listed`);
  const given = opts.inputShapes ?? {};
  return {
    producer: [model.producer, model.producerVersion].filter((s) => s).join(' '),
    opsetVersion: model.opsetVersion,
    irVersion: model.irVersion,
    nodes: model.nodes.length,
    operators,
    parameters: costs.parameters,
    weightBytes: costs.weightBytes,
    inputs: model.inputs.slice(0, MAX_LISTED).map((i) => ({ name: i.name, type: typeName(i.elemType), shape: Object.prototype.hasOwnProperty.call(given, i.name) ? given[i.name].slice() : i.shape })),
    outputs: model.outputs.slice(0, MAX_LISTED).map((o) => {
      const inferred = inf.shapes.get(o.name);
      const declared = o.shape && o.shape.every((d) => typeof d === 'number') ? o.shape : null;
      return { name: o.name, type: typeName(o.elemType), shape: declared ?? inferred ?? o.shape ?? 'unknown' };
    }),
    macsByOp: costs.macsByOp,
    macs: costs.macs,
    macsComplete: costs.macsComplete,
    byClass: costs.byClass,
    unknowns: unknowns.list(),
    assumedDims: inf.assumed.slice(0, 20).concat(inf.assumed.length > 20 ? [`... and ${inf.assumed.length - 20} more`] : []),
    limits: limits.list(),
  };
}

/** A few lines for people. */
export function formatSummary(s: OnnxSummary): string {
  const num = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : String(v));
  const shape = (sh: (number | string | null)[] | null | 'unknown') => (sh === null || sh === 'unknown' ? 'unknown' : sh.map((d) => (d === null ? '?' : d)).join('x'));
  const lines = [
    `producer: ${s.producer || 'unknown'}, opset ${s.opsetVersion}, IR ${s.irVersion}`,
    `inputs: ${s.inputs.map((i) => `${i.name} ${i.type} ${shape(i.shape)}`).join(', ') || 'none'}`,
    `outputs: ${s.outputs.map((o) => `${o.name} ${shape(o.shape)}`).join(', ') || 'none'}`,
    `nodes: ${s.nodes} (${Object.entries(s.operators).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `parameters: ${num(s.parameters)} (${s.weightBytes === 'unknown' ? 'unknown size' : `${num(s.weightBytes)}B`} of weights)`,
    `MACs: ${num(s.macs)}${s.macsComplete ? '' : ' (incomplete: some shapes unknown)'}${s.assumedDims?.length ? ' (with input dims assumed: see "assumed")' : ''}${Object.keys(s.macsByOp).length ? ` (${Object.entries(s.macsByOp).sort((x, y) => (y[1] === 'unknown' ? 0 : y[1]) - (x[1] === 'unknown' ? 0 : x[1])).map(([k, v]) => `${k} ${v === 'unknown' ? 'unknown' : num(v)}`).join(', ')})` : ''}`,
  ];
  const classes = Object.entries(s.byClass ?? {}) as [string, ClassCost][];
  if (classes.length) {
    const val = (v: number | 'unknown', unit = '') => (v === 'unknown' ? 'unknown' : `${num(v)}${unit}`);
    lines.push('by operator class (MACs, parameters, activations read/written, weights read):');
    for (const [c, r] of classes) {
      // MACs are shown for the classes that do multiply-accumulates (the others' are 0 by convention).
      const macs = MAC_CLASSES.has(c as OpClass) || r.macs !== 0 ? `, ${val(r.macs)} MACs` : '';
      const ops = r.elementOps !== 0 ? `, ${val(r.elementOps)} element ops` : '';
      lines.push(`  ${c}: ${r.nodes} node${r.nodes === 1 ? '' : 's'}${macs}${ops}, ${num(r.parameters)} params, ${val(r.activationBytesRead, 'B')}/${val(r.activationBytesWritten, 'B')}, ${val(r.weightBytesRead, 'B')}`);
    }
  }
  for (const l of s.assumedDims ?? []) lines.push(`assumed: ${l}`);
  for (const l of s.unknowns ?? []) lines.push(`unknown: ${l}`);
  for (const l of s.limits) lines.push(`unknown: ${l}`);
  // Names are the file's text: no escape sequences or bidi overrides reach a terminal.
  return lines.map((l) => neutraliseForDisplay(l)).join('\n');
}
