// Measures every zoo model with onnxruntime (1 thread, graph optimisation "all") at its manifest input
// shapes, by the rule a device's references are measured with (measureArchitectures): per model the fastest
// run over its visits and the median of all runs. Results are cached in .cache/zoo-bench/measured.json
// (keyed by file, size and mtime).
//   node --import tsx bench/zoo-measure.ts [--zoo DIR] [--passes MIN_VISITS]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnnxRuntimeRunner } from '../src/core/devices/runners/onnxruntime';
import { measureArchitectures } from '../src/core/devices/measure';
import type { ProtocolOptions, Runner, RunnerSession } from '../src/core/devices/runners/runner';

export interface ZooInput {
  name: string;
  shape: number[];
  dtype: string;
}
export interface ZooEntry {
  file: string;
  family: string;
  inputs: ZooInput[];
  /** Models whose If branch depends on the data: float inputs scaled so that each branch is taken (the
   *  manifest's branchInputs; bench/zoo-bench.ts measures the model once per entry). */
  branchInputs?: { label: string; scale: number }[];
  /** Float inputs drawn from [-inputScale, inputScale] (default 1). */
  inputScale?: number;
}
export interface ZooMeasured {
  file: string;
  fastestMs: number;
  medianMs: number;
  runs: number;
  key: string;
}

export function readManifest(zoo: string): ZooEntry[] {
  return (JSON.parse(fs.readFileSync(path.join(zoo, 'zoo-manifest.json'), 'utf8')) as { models: ZooEntry[] }).models;
}

const fileKey = (f: string) => {
  const s = fs.statSync(f);
  return `${s.size}:${Math.round(s.mtimeMs)}`;
};

/** Generated models (references, training or validation models) as entries to measure: each written to
 *  `dir` as NAME.onnx unless the file already holds its bytes (an unchanged file keeps its cache key). */
export function generatedEntries(dir: string, models: readonly { name: string; inputName: string; inputShape: number[]; write(): Uint8Array }[], family: string): ZooEntry[] {
  if (models.length) fs.mkdirSync(dir, { recursive: true });
  return models.map((m) => {
    const f = path.join(dir, `${m.name}.onnx`);
    const bytes = m.write();
    if (!fs.existsSync(f) || !fs.readFileSync(f).equals(Buffer.from(bytes))) fs.writeFileSync(f, bytes);
    return { file: f, family, inputs: [{ name: m.inputName, shape: m.inputShape, dtype: 'float32' }] };
  });
}

/** The entries to measure for a manifest: each model, and for a model with branchInputs one entry per
 *  branch input instead, each a copy of the model in `dir` (NAME@LABEL.onnx; a runner opens models by path). */
export function branchEntries(zoo: string, models: readonly ZooEntry[], dir: string): { entry: ZooEntry; model: number; label?: string }[] {
  const out: { entry: ZooEntry; model: number; label?: string }[] = [];
  models.forEach((m, i) => {
    if (!m.branchInputs?.length) return out.push({ entry: m, model: i });
    fs.mkdirSync(dir, { recursive: true });
    const bytes = fs.readFileSync(path.resolve(zoo, m.file));
    for (const b of m.branchInputs) {
      const f = path.join(dir, `${m.file.replace(/\.onnx$/, '')}@${b.label}.onnx`);
      if (!fs.existsSync(f) || !fs.readFileSync(f).equals(bytes)) fs.writeFileSync(f, bytes);
      out.push({ entry: { ...m, file: f, inputScale: b.scale, branchInputs: undefined }, model: i, label: b.label });
    }
  });
  return out;
}

/** One OnnxRuntimeRunner per model (each with its manifest input shapes), behind one Runner. */
class ZooRunner implements Runner {
  readonly kind = 'onnxruntime' as const;
  readonly settings: Record<string, unknown>;
  readonly protocol: Partial<ProtocolOptions>;
  private readonly byFile = new Map<string, OnnxRuntimeRunner>();
  constructor(zoo: string, models: ZooEntry[], threads: number) {
    for (const m of models) this.byFile.set(path.resolve(zoo, m.file), new OnnxRuntimeRunner({ threads, inputShapes: Object.fromEntries(m.inputs.map((i) => [i.name, i.shape])), inputScale: m.inputScale }));
    const any = new OnnxRuntimeRunner({ threads });
    this.settings = any.settings;
    this.protocol = any.protocol;
  }
  open(modelPath: string, signal?: AbortSignal): Promise<RunnerSession> {
    return this.byFile.get(path.resolve(modelPath))!.open(modelPath, signal);
  }
}

/** Measures `models` (files relative to `zoo`, or absolute) with the product's own rule and runner
 *  (src/core/devices/measure.ts: interleaved visits in a new random order each pass, the fastest run over
 *  15-30 visits, until it is stable; the OnnxRuntimeRunner that adapts a device), so that a zoo model is
 *  timed exactly as a device's references are. `minPasses` overrides the rule's minimum number of visits.
 *  `threads`: onnxruntime's intra-op threads (1: one core; 2 makes a different "device" of this machine).
 *  Cached by file key. */
export async function measureZoo(zoo: string, minPasses: number | undefined, cacheFile: string, log: (l: string) => void, models: ZooEntry[] = readManifest(zoo), threads = 1): Promise<ZooMeasured[]> {
  const cache: Record<string, ZooMeasured> = fs.existsSync(cacheFile) ? JSON.parse(fs.readFileSync(cacheFile, 'utf8')) : {};
  const todo = models.filter((m) => cache[m.file]?.key !== fileKey(path.resolve(zoo, m.file)));
  if (todo.length) {
    const runner = new ZooRunner(zoo, todo, threads);
    let lastLog = 0;
    const r = await measureArchitectures(
      runner,
      todo.map((m) => ({ arch: m.file, model: () => path.resolve(zoo, m.file) })),
      {
        protocol: minPasses !== undefined ? { minPasses, maxPasses: Math.max(minPasses, runner.protocol.maxPasses ?? minPasses) } : undefined,
        required: todo.map((m) => m.file),
        onProgress: (p) => {
          if (Date.now() - lastLog < 10_000) return;
          lastLog = Date.now();
          log(`visit ${p.visit}/${p.planned} (load ${os.loadavg()[0].toFixed(1)})`);
        },
      },
    );
    for (const w of r.warnings) log(w);
    for (const s of r.samples) cache[s.arch] = { file: s.arch, fastestMs: s.latency_ms, medianMs: s.median_ms, runs: s.runs, key: fileKey(path.resolve(zoo, s.arch)) };
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify(cache, null, 1) + '\n');
  }
  return models.map((m) => cache[m.file]);
}

if (process.argv[1] && /zoo-measure\.ts$/.test(process.argv[1])) {
  const a = process.argv.slice(2);
  const opt = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const zoo = opt('--zoo') ?? path.join(process.cwd(), '.cache/zoo');
  measureZoo(zoo, opt('--passes') !== undefined ? Number(opt('--passes')) : undefined, '.cache/zoo-bench/measured.json', (l) => process.stderr.write(l + '\n')).then((r) => {
    for (const x of r) console.log(`${x.file.padEnd(26)} ${x.fastestMs.toFixed(2).padStart(9)} ${x.medianMs.toFixed(2).padStart(9)} ${x.runs}`);
  });
}
