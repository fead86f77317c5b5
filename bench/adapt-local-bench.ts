// "Adapt to this machine", measured end to end on this machine:
//   1. `node dist/cli.js adapt-local --space S` (10 references + 10 extra architectures, onnxruntime runner,
//      the default protocol) in its own process: wall time, including loading the predictor;
//   2. further fixed-seed architectures of the space (none of those adapted on), measured independently
//      with the same runner and protocol in this process: Spearman, MAPE and share within +-10% of the
//      adapted device's predictions (and, for comparison, of a device adapted on the 10 references alone);
//   3. repeatability: some of those architectures measured again by `node dist/cli.js measure` in a
//      separate process: median and 90th-percentile relative difference between the two runs.
// Prints a markdown table (progress on stderr), with the machine's load average during each phase.
//   node esbuild.js && node --import tsx bench/adapt-local-bench.ts [--spaces nasbench201,fbnet,ofa]
//       [--eval 300] [--eval-other 50] [--repeat 60] [--repeat-other 20] [--threads 1] [--json OUT.json]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPredictor } from '../src/core/predictor/load';
import { LatencyPredictor } from '../src/core/predictor/service';
import { sampleSpecs } from '../src/core/devices/choose';
import { measureSpecs, progressText } from '../src/core/devices/local';
import { OnnxRuntimeRunner } from '../src/core/devices/runners/onnxruntime';
import type { MeasureProgress } from '../src/core/devices/measure';
import { mape, quantile, spearman, withinTolerance } from '../src/core/eval/metrics';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const EVAL_SEED = 3000;

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const load = () => os.loadavg()[0];
const fmtLoad = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

function log(s: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)} load ${load().toFixed(1)}] ${s}\n`);
}

function throttled() {
  let last = 0;
  return (p: MeasureProgress) => {
    if (Date.now() - last < 15_000) return;
    last = Date.now();
    log(`  ${progressText(p)}`);
  };
}

interface SpaceResult {
  space: string;
  adaptSeconds: number;
  adaptSamples: number;
  adaptLoad: number[];
  evalCount: number;
  evalSeconds: number;
  evalLoad: number[];
  evalRangeMs: [number, number];
  spearman: number;
  mape: number;
  within10: number;
  refsOnly: { spearman: number; mape: number; within10: number };
  noisy: number;
  /** The raw data (with --json): the adapted samples and the evaluated architectures. */
  data: { adapted: { arch: string; latency_ms: number }[]; eval: { arch: string; measured: number; predicted: number }[] };
  repeat?: { count: number; medianDiff: number; p90Diff: number; spearman: number; load: number[] };
}

async function benchSpace(space: string, evalN: number, repeatN: number, threads: number, dir: string): Promise<SpaceResult> {
  const out = path.join(dir, `${space}-device.json`);
  log(`${space}: adapt-local (10 references + 10 extra, onnxruntime, ${threads} thread(s))`);
  const adaptLoad = [load()];
  const t0 = Date.now();
  const a = spawnSync(process.execPath, [cli, 'adapt-local', '--space', space, '--threads', String(threads), '--out', out], { encoding: 'utf8' });
  const adaptSeconds = (Date.now() - t0) / 1000;
  adaptLoad.push(load());
  if (a.status !== 0) throw new Error(`adapt-local failed: ${a.stderr}`);
  log(`  ${a.stderr.trim().split('\n').pop()}`);

  const p = (await loadPredictor(space)) as LatencyPredictor;
  const device = p.readDeviceFile(out);
  const handle = p.open(device);
  const adapted = new Set(device.samples.map((s) => s.arch));
  const archs = sampleSpecs(space, evalN, EVAL_SEED, adapted);
  log(`${space}: measuring ${archs.length} other architectures (seed ${EVAL_SEED}) with the same runner`);
  const evalLoad = [load()];
  const runner = new OnnxRuntimeRunner({ threads });
  const m = await measureSpecs(space, archs, runner, { onProgress: throttled() });
  evalLoad.push(load());
  for (const w of m.warnings) log(`  warning: ${w}`);
  const measured = new Map(m.samples.map((s) => [s.arch, s.latency_ms]));
  const kept = archs.filter((s) => measured.has(s));
  const truth = kept.map((s) => measured.get(s)!);
  const pred = p.predict(handle, kept);
  // The same device adapted on its 10 reference measurements only.
  const refsOnlyDevice = p.adapt('refs only', device.samples.filter((s) => p.space.references.includes(s.arch)));
  const predRefs = p.predict(p.open(refsOnlyDevice), kept);
  const r: SpaceResult = {
    space,
    adaptSeconds,
    adaptSamples: device.samples.length,
    adaptLoad,
    evalCount: kept.length,
    evalSeconds: m.seconds,
    evalLoad,
    evalRangeMs: [Math.min(...truth), Math.max(...truth)],
    spearman: spearman(pred, truth),
    mape: mape(pred, truth),
    within10: withinTolerance(pred, truth, 0.1),
    refsOnly: { spearman: spearman(predRefs, truth), mape: mape(predRefs, truth), within10: withinTolerance(predRefs, truth, 0.1) },
    noisy: m.samples.filter((s) => s.noisy).length,
    data: { adapted: device.samples.map((s) => ({ arch: s.arch, latency_ms: s.latency_ms })), eval: kept.map((arch, i) => ({ arch, measured: truth[i], predicted: pred[i] })) },
  };
  log(`  Spearman ${r.spearman.toFixed(4)}, MAPE ${r.mape.toFixed(2)}% (10 references only: ${r.refsOnly.spearman.toFixed(4)}, ${r.refsOnly.mape.toFixed(2)}%)`);

  if (repeatN > 0) {
    const rep = kept.slice(0, repeatN);
    const file = path.join(dir, `${space}-repeat-archs.json`);
    const again = path.join(dir, `${space}-repeat.json`);
    fs.writeFileSync(file, JSON.stringify(rep));
    log(`${space}: repeatability: ${rep.length} of them measured again by \`cli measure\` in a separate process`);
    const repLoad = [load()];
    const q = spawnSync(process.execPath, [cli, 'measure', '--space', space, '--runner', 'onnxruntime', '--threads', String(threads), '--archs', file, '--out', again], { encoding: 'utf8' });
    repLoad.push(load());
    if (q.status !== 0) throw new Error(`measure failed: ${q.stderr}`);
    const second = new Map((JSON.parse(fs.readFileSync(again, 'utf8')).samples as { arch: string; latency_ms: number }[]).map((s) => [s.arch, s.latency_ms]));
    const both = rep.filter((s) => second.has(s));
    const x = both.map((s) => measured.get(s)!);
    const y = both.map((s) => second.get(s)!);
    const diffs = x.map((v, i) => Math.abs(v - y[i]) / Math.min(v, y[i]));
    r.repeat = { count: both.length, medianDiff: 100 * quantile(diffs, 0.5), p90Diff: 100 * quantile(diffs, 0.9), spearman: spearman(x, y), load: repLoad };
    log(`  median difference ${r.repeat.medianDiff.toFixed(2)}%, 90th percentile ${r.repeat.p90Diff.toFixed(2)}%, Spearman ${r.repeat.spearman.toFixed(4)}`);
  }
  return r;
}

async function main() {
  if (!fs.existsSync(cli)) throw new Error('build first: node esbuild.js');
  const spaces = flag('spaces', 'nasbench201,fbnet,ofa').split(',');
  const threads = Number(flag('threads', '1'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-adapt-bench-'));
  const started = new Date();
  const results: SpaceResult[] = [];
  try {
    for (const s of spaces) {
      const nb = s === 'nasbench201';
      results.push(await benchSpace(s, Number(flag(nb ? 'eval' : 'eval-other', nb ? '300' : '50')), Number(flag(nb ? 'repeat' : 'repeat-other', nb ? '60' : '20')), threads, dir));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const f2 = (x: number) => x.toFixed(2);
  const lines = [
    `adapt-local benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}, onnxruntime ${threads} thread(s)`,
    '',
    '| space | adapt-local wall time (target < 90 s) | evaluated architectures (measured range) | Spearman (≥ 0.95) | MAPE (≤ 10%) | within ±10% | 10 references only: Spearman / MAPE | load avg during adapt / eval |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.space} | ${r.adaptSeconds.toFixed(1)} s (${r.adaptSamples} samples) | ${r.evalCount} (${f2(r.evalRangeMs[0])}–${f2(r.evalRangeMs[1])} ms) | ${r.spearman.toFixed(4)} | ${f2(r.mape)}% | ${(100 * r.within10).toFixed(1)}% | ${r.refsOnly.spearman.toFixed(4)} / ${f2(r.refsOnly.mape)}% | ${fmtLoad(r.adaptLoad)} / ${fmtLoad(r.evalLoad)} |`,
    ),
    '',
    '| space | repeatability: architectures measured in two separate runs | median relative difference (target < 5%) | 90th percentile | Spearman between runs | load avg |',
    '|---|---|---|---|---|---|',
    ...results.filter((r) => r.repeat).map((r) => `| ${r.space} | ${r.repeat!.count} | ${f2(r.repeat!.medianDiff)}% | ${f2(r.repeat!.p90Diff)}% | ${r.repeat!.spearman.toFixed(4)} | ${fmtLoad(r.repeat!.load)} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const json = flag('json', '');
  if (json) fs.writeFileSync(json, JSON.stringify({ started, threads, results }, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
