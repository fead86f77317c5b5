// ONNX layer speed: inspecting a 100 MB model (one big Gemm initializer, written to a temp dir) and
// reading + recognising NAS-Bench-201 exports (the PyTorch fixtures and a written one).
//   node --import tsx bench/onnx-bench.ts
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectCommand } from '../src/cli/inspect';
import { readOnnxBytes, readOnnxFile } from '../src/core/onnx/reader';
import { recogniseOnnx } from '../src/core/onnx/recognise';
import { writeNasBench201 } from '../src/core/onnx/writer';
import { writeBigGemmModel } from '../test/core/onnx/helpers';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-bench-'));
  try {
    const big = path.join(dir, 'big-gemm.onnx');
    const size = writeBigGemmModel(big, 5120, 5120, true);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = process.hrtime.bigint();
      await inspectCommand(big, true);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(`inspect ${(size / 2 ** 20).toFixed(0)} MB model: first ${times[0].toFixed(1)} ms, median ${median(times).toFixed(2)} ms (limit 1000 ms)`);

    const fixtures = path.join(__dirname, '..', 'test', 'fixtures', 'onnx', 'torch');
    for (const f of fs.readdirSync(fixtures).filter((x) => x.startsWith('nb201-'))) {
      const file = path.join(fixtures, f);
      const ts: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = process.hrtime.bigint();
        const r = recogniseOnnx(readOnnxFile(file));
        ts.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (!r.space) throw new Error(`${f} not recognised`);
      }
      console.log(`read + recognise ${f} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB): first ${ts[0].toFixed(1)} ms, median ${median(ts).toFixed(2)} ms, min ${Math.min(...ts).toFixed(2)} ms (limit 50 ms)`);
    }
    const buf = writeNasBench201('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
    const ts: number[] = [];
    const rec: number[] = [];
    for (let i = 0; i < 20; i++) {
      const m = readOnnxBytes(buf);
      const t = process.hrtime.bigint();
      recogniseOnnx(m);
      rec.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    for (let i = 0; i < 20; i++) {
      const t = process.hrtime.bigint();
      recogniseOnnx(readOnnxBytes(buf));
      ts.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(`read + recognise written NAS-Bench-201 model (${(buf.length / 1e6).toFixed(1)} MB, in memory): read + recognise median ${median(ts).toFixed(2)} ms, min ${Math.min(...ts).toFixed(2)} ms; recognise alone median ${median(rec).toFixed(2)} ms`);
    console.log(`machine load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (${os.cpus().length} CPUs)`);
    const drop = writeNasBench201('|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|', { none: 'drop' });
    const t = process.hrtime.bigint();
    recogniseOnnx(readOnnxBytes(drop));
    console.log(`recognise with none edges left out (builds the expression index once): ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1)} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
