// Where the time goes inside onnxruntime (1 thread, graph optimisation "all"), from its own profiler, next
// to what the onnx space's kernel model (src/core/onnx/kernels.ts, latency.ts) attributes: a development
// tool for the kernel features, run on the reference models (and, to diagnose, on any model).
//   node --import tsx bench/kernel-profile.ts [--refs] [--zoo DIR] [--model FILE ...] [--runs N] [--json OUT]
// Per model: the profiled per-operator time (sum over runs / runs, µs), onnxruntime's node list after its
// fusions, and the total measured with profiling off.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadOrt } from '../src/core/devices/runners/onnxruntime';
import { ONNX_REFERENCES } from '../src/core/onnx/referenceModels';
import { generatedEntries, readManifest } from './zoo-measure';
import { makeRng } from '../src/core/spaces/space';

const a = process.argv.slice(2);
const opt = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
const runs = Number(opt('--runs') ?? 30);

export interface ProfiledNode {
  /** onnxruntime's node name after its fusions. */
  name: string;
  op: string;
  /** Mean µs per run (the kernel_time events). */
  us: number;
  /** Output shapes as the profiler reports them, when it does. */
  shape?: string;
}

export interface ProfiledModel {
  model: string;
  totalMs: number;
  nodes: ProfiledNode[];
}

type Feeds = Record<string, { dtype: string; shape: number[] }>;

export async function profileModel(file: string, inputs: Feeds, nRuns = runs): Promise<ProfiledModel> {
  const ort = loadOrt();
  const rng = makeRng(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-prof-'));
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [name, i] of Object.entries(inputs)) {
    const n = i.shape.reduce((x, y) => x * y, 1);
    feeds[name] = i.dtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => BigInt(k % 7)), i.shape) : new ort.Tensor('float32', Float32Array.from({ length: n }, () => rng() * 2 - 1), i.shape);
  }
  const base = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' as const, graphOptimizationLevel: 'all' as const };
  // Total without the profiler's own cost: fastest of the runs.
  const plain = await ort.InferenceSession.create(file, base);
  await plain.run(feeds);
  let best = Infinity;
  for (let k = 0; k < nRuns; k++) {
    const t0 = process.hrtime.bigint();
    await plain.run(feeds);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await plain.release();
  const prof = await ort.InferenceSession.create(file, { ...base, enableProfiling: true, profileFilePrefix: path.join(dir, 'p') });
  await prof.run(feeds);
  for (let k = 0; k < nRuns; k++) await prof.run(feeds);
  prof.endProfiling();
  await prof.release();
  const f = fs.readdirSync(dir).find((x) => x.endsWith('.json'));
  const events = JSON.parse(fs.readFileSync(path.join(dir, f!), 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string; output_type_shape?: unknown } }[];
  fs.rmSync(dir, { recursive: true, force: true });
  // Per node: the fastest nRuns+1 executions' mean would hide nothing; keep the min over runs (as the total).
  const byNode = new Map<string, { op: string; durs: number[]; shape?: string }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const r = byNode.get(name) ?? { op: e.args?.op_name ?? '?', durs: [], shape: e.args?.output_type_shape ? JSON.stringify(e.args.output_type_shape) : undefined };
    r.durs.push(e.dur);
    byNode.set(name, r);
  }
  const nodes = [...byNode].map(([name, r]) => {
    const d = [...r.durs].sort((x, y) => x - y);
    return { name, op: r.op, us: d[Math.floor(d.length / 4)], shape: r.shape };
  });
  return { model: file, totalMs: best, nodes };
}

if (process.argv[1] && /kernel-profile\.ts$/.test(process.argv[1])) {
  (async () => {
    const out: ProfiledModel[] = [];
    const jobs: { file: string; inputs: Feeds }[] = [];
    // The references bench:zoo measures (an unchanged file keeps its measurement cache key).
    const refs = a.includes('--refs') ? generatedEntries(path.join(process.cwd(), '.cache/zoo-bench/refs'), ONNX_REFERENCES, 'reference') : [];
    for (const r of refs) jobs.push({ file: r.file, inputs: Object.fromEntries(r.inputs.map((i) => [i.name, { dtype: i.dtype, shape: i.shape }])) });
    const zoo = opt('--zoo');
    if (zoo) for (const m of readManifest(zoo)) jobs.push({ file: path.join(zoo, m.file), inputs: Object.fromEntries(m.inputs.map((i) => [i.name, { dtype: i.dtype, shape: i.shape }])) });
    for (const j of jobs) {
      const p = await profileModel(j.file, j.inputs);
      out.push(p);
      const byOp = new Map<string, { n: number; us: number }>();
      for (const n of p.nodes) {
        const r = byOp.get(n.op) ?? { n: 0, us: 0 };
        r.n++;
        r.us += n.us;
        byOp.set(n.op, r);
      }
      const sum = p.nodes.reduce((s, n) => s + n.us, 0) / 1000;
      process.stdout.write(`${path.basename(j.file)}: total ${p.totalMs.toFixed(3)} ms, kernels ${sum.toFixed(3)} ms (${p.nodes.length} nodes): ${[...byOp].sort((x, y) => y[1].us - x[1].us).map(([op, r]) => `${op} ${r.n}x ${(r.us / 1000).toFixed(3)}`).join(', ')}\n`);
    }
    const json = opt('--json');
    if (json) fs.writeFileSync(json, JSON.stringify(out, null, 1));
  })();
}

/** Pairs each kernel of the onnx-space model with onnxruntime's profiled node: onnxruntime names a node
 *  after one of the tensors its fused nodes write (blocked-layout convolutions with "_nchwc" appended) or
 *  keeps the first node's name. Returns, per kernel index, the profiled µs (undefined when unmatched). */
export function matchKernels(kernels: readonly { name: string; nodes: readonly { name: string; outputs: string[] }[]; free: boolean }[], nodes: readonly ProfiledNode[]): (number | undefined)[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  // Fusions named "<node>/<Fusion>/" (QuickGelu, Gelu, LayerNorm...): found by the node's name.
  const fusedBy = new Map<string, string>();
  for (const n of nodes) {
    const cut = n.name.indexOf('/');
    if (cut > 0 && /Fusion/.test(n.name)) fusedBy.set(n.name.slice(0, cut), n.name);
  }
  const used = new Set<string>();
  return kernels.map((k) => {
    if (k.free) return undefined;
    const outputs = k.nodes.flatMap((n) => n.outputs.filter((o) => o)).reverse();
    const names = k.nodes.map((n) => n.name).filter((x) => x);
    const fused = names.map((x) => fusedBy.get(x)).filter((x): x is string => !!x);
    const cand = [...outputs.map((o) => `${o}_nchwc`), ...outputs, k.name, ...fused, ...names];
    const hit = cand.find((c) => byName.has(c) && !used.has(c));
    if (!hit) return undefined;
    used.add(hit);
    return byName.get(hit)!.us;
  });
}
