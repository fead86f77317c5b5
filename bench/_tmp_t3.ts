import * as ort from 'onnxruntime-node';
import * as fs from 'fs';
import { writeOnnxFor } from '../src/core/onnx/writer';
const specs = ['|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|', '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|', '|skip_connect~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|skip_connect~1|none~2|'];
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
async function batch(s: ort.InferenceSession, x: ort.Tensor, n = 20) {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = process.hrtime.bigint(); await s.run({ input: x }); ts.push(Number(process.hrtime.bigint() - t0) / 1e6); }
  return med(ts);
}
async function main() {
  const x = new ort.Tensor('float32', new Float32Array(3 * 32 * 32).map(() => Math.random()), [1, 3, 32, 32]);
  const opts: any = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  const ss = [];
  for (const sp of specs) { const s = await ort.InferenceSession.create(Buffer.from(writeOnnxFor('nasbench201', sp)), opts); for (let j = 0; j < 10; j++) await s.run({ input: x }); ss.push(s); }
  const rows: number[][] = [];
  for (let i = 0; i < 60; i++) { const r = []; for (const s of ss) r.push(await batch(s, x)); rows.push(r); }
  for (const r of rows) console.log(r.map((v) => v.toFixed(3)).join('\t'), '\t', (r[1] / r[0]).toFixed(3), (r[2] / r[0]).toFixed(3));
}
main();
