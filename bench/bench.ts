// `npm run bench`: speed of the predictor as the CLI and the worker use it (in-process, wasm backend).
// Prints median timings; the README's Results section records them.
import { loadTf } from '../src/core/predictor/tf';
import { LatencyPredictor } from '../src/core/predictor/service';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(n: number, f: () => void): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    f();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ts);
}

(async () => {
  const space = process.argv[2] ?? 'nasbench201';
  const t0 = Date.now();
  const tf = await loadTf();
  const p = LatencyPredictor.load(tf, space);
  const loadMs = Date.now() - t0;
  const devices = p.builtinDevices();
  const profile = p.builtins.find((d) => d.origin === 'profile') ?? p.builtins[0];
  const samples = profile.samples.slice(0, 20).map((s) => ({ arch: s.arch, latency_ms: s.latency_ms }));
  p.adapt('warmup', samples);
  const adaptMs = await time(10, () => p.adapt('bench', samples));
  const handles = devices.map((d) => p.resolve(d.name));
  const one = [p.space.index!.specAt(123)];
  p.predictOnDevices(handles, one);
  const oneAllMs = await time(20, () => p.predictOnDevices(handles, one));
  const all = Array.from({ length: p.space.index!.size }, (_, i) => i);
  const firstAllMs = await time(1, () => p.predictIndices(handles[0], all));
  const allMs = await time(5, () => p.predictIndices(handles[0], all));
  const rows = [
    ['backend', tf.getBackend()],
    ['load weights + tfjs', `${loadMs} ms`],
    [`adapt (20 samples, Meta-SGD + mapping), median of 10`, `${adaptMs.toFixed(1)} ms`],
    [`predict 1 architecture on all ${handles.length} built-in devices (warm), median of 20`, `${oneAllMs.toFixed(2)} ms`],
    [`predict all ${p.space.index!.size} architectures on 1 device, first call (embeds the space)`, `${firstAllMs.toFixed(0)} ms`],
    [`predict all ${p.space.index!.size} architectures on 1 device (warm), median of 5`, `${allMs.toFixed(0)} ms`],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(86)} ${v}`);
})();
