import * as ort from 'onnxruntime-node';
import * as fs from 'fs';
import { writeOnnxFor } from '../src/core/onnx/writer';
const spec = '|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
async function batch(s: ort.InferenceSession, x: ort.Tensor, n = 30) {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = process.hrtime.bigint(); await s.run({ input: x }); ts.push(Number(process.hrtime.bigint() - t0) / 1e6); }
  return med(ts);
}
async function main() {
  fs.writeFileSync('/tmp/exp/m.onnx', writeOnnxFor('nasbench201', spec));
  const x = new ort.Tensor('float32', new Float32Array(3 * 32 * 32).map(() => Math.random()), [1, 3, 32, 32]);
  const opts: any = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  if (process.argv[2] === 'spin') { opts.extra = { session: { intra_op: { allow_spinning: '0' } } }; }
  const s = await ort.InferenceSession.create('/tmp/exp/m.onnx', opts);
  for (let i = 0; i < 10; i++) await s.run({ input: x });
  const same: number[] = [];
  for (let i = 0; i < 15; i++) same.push(await batch(s, x));
  console.log('same session', same.map((v) => v.toFixed(3)).join(' '));
  await s.release();
  const fresh: number[] = [];
  for (let i = 0; i < 15; i++) {
    const s2 = await ort.InferenceSession.create('/tmp/exp/m.onnx', opts);
    for (let j = 0; j < 10; j++) await s2.run({ input: x });
    fresh.push(await batch(s2, x));
    await s2.release();
  }
  console.log('fresh sessions', fresh.map((v) => v.toFixed(3)).join(' '));
}
main();
