// The written models load and run in onnxruntime (skipped when onnxruntime-node is not installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFbnet, writeNasBench201, writeOfa } from '../../../src/core/onnx/writer';
import { sampleFbnet } from '../../../src/core/spaces/fbnet';
import { sampleOfa } from '../../../src/core/spaces/ofa';
import { makeRng } from '../../../src/core/spaces/space';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let ort: any;
try {
  ort = require('onnxruntime-node');
} catch {
  ort = undefined;
}

test('written models run in onnxruntime', { skip: ort ? false : 'onnxruntime-node not installed' }, async () => {
  const rng = makeRng(21);
  const ofa = sampleOfa(1, rng)[0];
  const models: [string, Uint8Array, number, number][] = [
    ['nb201', writeNasBench201('|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|'), 32, 100],
    ['nb201-drop', writeNasBench201('|none~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|', { none: 'drop', foldBn: true, opset: 11 }), 32, 100],
    ['fbnet', writeFbnet(sampleFbnet(1, rng)[0], { opset: 17 }), 32, 100],
    ['ofa', writeOfa(ofa, { opset: 13 }), ofa.r, 1000],
    ['ofa14', writeOfa(ofa, { opset: 14, foldBn: true }), ofa.r, 1000],
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-ort-'));
  try {
    for (const [name, bytes, r, classes] of models) {
      const f = path.join(dir, `${name}.onnx`);
      fs.writeFileSync(f, bytes);
      const s = await ort.InferenceSession.create(f, { intraOpNumThreads: 1 });
      const x = new ort.Tensor('float32', Float32Array.from({ length: 3 * r * r }, (_, i) => Math.sin(i)), [1, 3, r, r]);
      const out = await s.run({ input: x });
      const y = out[s.outputNames[0]];
      assert.deepEqual(y.dims, [1, classes], name);
      assert.ok((y.data as Float32Array).every((v: number) => Number.isFinite(v)), name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
