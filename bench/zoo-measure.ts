// Measures every zoo model with onnxruntime (1 thread, graph optimisation "all") at its manifest input
// shapes: passes over the models in a new random order each time (a loaded machine's slow spells then hit
// different models in different passes); per model the fastest run over all passes and the median of all
// runs. Results are cached in .cache/zoo-bench/measured.json (keyed by file, size and mtime).
//   node --import tsx bench/zoo-measure.ts [--zoo DIR] [--passes N]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadOrt } from '../src/core/devices/runners/onnxruntime';
import { median } from '../src/core/devices/measure';
import { makeRng, shuffleInPlace } from '../src/core/spaces/space';

export interface ZooInput {
  name: string;
  shape: number[];
  dtype: string;
}
export interface ZooEntry {
  file: string;
  family: string;
  inputs: ZooInput[];
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

/** Measures `models` (files relative to `zoo`, or absolute) in interleaved passes; cached by file key. */
/** One pass in this process: each model (in the given order) gets a new session, a warm-up run, then timed
 *  runs for ~300 ms (at least 3, at most 50). Returns the times per file. */
async function measurePass(zoo: string, models: ZooEntry[], threads: number, seed: number): Promise<Record<string, number[]>> {
  const ort = loadOrt();
  const rng = makeRng(seed);
  const runs: Record<string, number[]> = {};
  for (const m of models) {
    const session = await ort.InferenceSession.create(path.resolve(zoo, m.file), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of m.inputs) {
      const n = i.shape.reduce((a, b) => a * b, 1);
      feeds[i.name] = i.dtype === 'int64' ? new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => BigInt(k % 7)), i.shape) : new ort.Tensor('float32', Float32Array.from({ length: n }, () => rng() * 2 - 1), i.shape);
    }
    await session.run(feeds);
    const t: number[] = [];
    const start = Date.now();
    for (let k = 0; k < 50 && (k < 3 || Date.now() - start < 300); k++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    runs[m.file] = t;
    await session.release();
  }
  return runs;
}

/** `threads`: onnxruntime's intra-op threads (1: one core; 2 makes a different "device" of this machine).
 *  Every pass runs in a process of its own: the same model timed in two processes differs by up to 20%
 *  here (memory placement), far more than between passes of one process, so the fastest over processes
 *  is what a model costs. */
export async function measureZoo(zoo: string, passes: number, cacheFile: string, log: (l: string) => void, models: ZooEntry[] = readManifest(zoo), threads = 1): Promise<ZooMeasured[]> {
  const cache: Record<string, ZooMeasured> = fs.existsSync(cacheFile) ? JSON.parse(fs.readFileSync(cacheFile, 'utf8')) : {};
  const todo = models.filter((m) => cache[m.file]?.key !== fileKey(path.resolve(zoo, m.file)));
  if (todo.length) {
    const runs = new Map<string, number[]>();
    const rng = makeRng(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-zoo-pass-'));
    try {
      for (let p = 0; p < passes; p++) {
        const order = shuffleInPlace([...todo], rng);
        const job = path.join(dir, `pass${p}.json`);
        fs.writeFileSync(job, JSON.stringify({ zoo, models: order, threads, seed: p + 1 }));
        const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--pass', job], { encoding: 'utf8', maxBuffer: 64 << 20 });
        if (r.status !== 0) throw new Error(`measuring pass ${p + 1} failed: ${(r.stderr || '').split('\n').slice(-3).join(' ')}`);
        const got = JSON.parse(fs.readFileSync(`${job}.out`, 'utf8')) as Record<string, number[]>;
        for (const [f, t] of Object.entries(got)) runs.set(f, [...(runs.get(f) ?? []), ...t]);
        log(`pass ${p + 1}/${passes} done (its own process; load ${os.loadavg()[0].toFixed(1)})`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const m of todo) {
      const t = runs.get(m.file)!;
      cache[m.file] = { file: m.file, fastestMs: Math.min(...t), medianMs: median(t), runs: t.length, key: fileKey(path.resolve(zoo, m.file)) };
    }
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify(cache, null, 1) + '\n');
  }
  return models.map((m) => cache[m.file]);
}

if (process.argv[1] && /zoo-measure\.ts$/.test(process.argv[1]) && process.argv[2] === '--pass') {
  // A child of measureZoo: one pass, its times written beside the job file.
  const job = process.argv[3];
  const j = JSON.parse(fs.readFileSync(job, 'utf8')) as { zoo: string; models: ZooEntry[]; threads: number; seed: number };
  measurePass(j.zoo, j.models, j.threads, j.seed).then((r) => fs.writeFileSync(`${job}.out`, JSON.stringify(r)));
} else if (process.argv[1] && /zoo-measure\.ts$/.test(process.argv[1])) {
  const a = process.argv.slice(2);
  const opt = (k: string) => (a.includes(k) ? a[a.indexOf(k) + 1] : undefined);
  const zoo = opt('--zoo') ?? '/work/wt/zoo/.cache/zoo';
  measureZoo(zoo, Number(opt('--passes') ?? 5), '.cache/zoo-bench/measured.json', (l) => process.stderr.write(l + '\n')).then((r) => {
    for (const x of r) console.log(`${x.file.padEnd(26)} ${x.fastestMs.toFixed(2).padStart(9)} ${x.medianMs.toFixed(2).padStart(9)} ${x.runs}`);
  });
}
