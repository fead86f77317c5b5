import * as ort from 'onnxruntime-node';
import * as fs from 'fs';
import { writeOnnxFor } from '../src/core/onnx/writer';
import { sampleSpecs } from '../src/core/devices/choose';
import { makeRng } from '../src/core/spaces/space';
async function main() {
  const space = (process.argv[3] ?? 'nasbench201') as any;
  const n = Number(process.argv[4] ?? 20);
  const specs = sampleSpecs(space, n, 5);
  const files = specs.map((s, i) => { const f = `/tmp/exp/m${space}${i}.onnx`; if (!fs.existsSync(f)) fs.writeFileSync(f, writeOnnxFor(space, s)); return f; });
  const opts: any = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  const data: number[][][] = specs.map(() => []);
  const rng = makeRng(Number(process.argv[5] ?? 1));
  for (let v = 0; v < 30; v++) {
    const order = specs.map((_, i) => i).sort(() => rng() - 0.5);
    for (const i of order) {
      const s = await ort.InferenceSession.create(files[i], opts);
      const meta: any = s.inputMetadata[0];
      const shape = meta.shape;
      const x = new ort.Tensor('float32', new Float32Array(shape.reduce((a: number, b: number) => a * b, 1)).map(() => Math.random()), shape);
      for (let j = 0; j < 5; j++) await s.run({ [s.inputNames[0]]: x });
      const ts: number[] = [];
      for (let j = 0; j < 30; j++) { const t0 = process.hrtime.bigint(); await s.run({ [s.inputNames[0]]: x }); ts.push(Number(process.hrtime.bigint() - t0) / 1e6); }
      data[i].push(ts);
      await s.release();
    }
  }
  fs.writeFileSync(process.argv[2], JSON.stringify({ specs, data }));
}
main();
