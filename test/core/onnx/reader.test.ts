import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnnxError, readOnnxBytes, readOnnxFile } from '../../../src/core/onnx/reader';
import { writeNasBench201 } from '../../../src/core/onnx/writer';
import { SpecError, makeRng } from '../../../src/core/spaces/space';
import { writeBigGemmModel } from './helpers';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'onnx');
const NB201 = '|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|';

/** Runs fn; it must return a model or throw a one-line OnnxError naming `where`. */
function safely(fn: () => unknown, where: string): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof OnnxError, `not an OnnxError: ${(e as Error)?.stack}`);
    assert.ok(e instanceof SpecError);
    assert.ok(!e.message.includes('\n'), `multi-line message: ${e.message}`);
    assert.ok(e.message.startsWith(`${where}: `), e.message);
    return 'error';
  }
}

test('reads a written model: opset, producer, inputs, nodes, initializers without data', () => {
  const m = readOnnxFile(path.join(fixtures, 'written', 'tiny.onnx'));
  assert.equal(m.opsetVersion, 13);
  assert.equal(m.producer, 'fixture');
  assert.deepEqual(m.inputs, [{ name: 'input', elemType: 1, shape: [1, 3, 16, 16] }]);
  assert.deepEqual(m.nodes.map((n) => n.opType), ['Conv', 'BatchNormalization', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm']);
  const conv = m.nodes[0];
  assert.deepEqual(conv.attributes.kernel_shape, [3, 3]);
  assert.equal(conv.attributes.group, 1);
  const w = m.initializers.find((t) => t.name === conv.inputs[1])!;
  assert.deepEqual(w.dims, [8, 3, 3, 3]);
  assert.equal(w.values, undefined, 'weights are not decoded');
  assert.equal(w.rawData!.length, 8 * 27 * 4);
  const gemm = m.nodes[5];
  assert.equal(gemm.attributes.transB, 1);
  assert.ok(Math.abs((gemm.attributes.alpha as number) - 1) < 1e-9);
});

test('buffer and file reads agree', () => {
  const buf = Buffer.from(writeNasBench201(NB201));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-'));
  try {
    const f = path.join(dir, 'm.onnx');
    fs.writeFileSync(f, buf);
    const a = readOnnxFile(f);
    const b = readOnnxBytes(buf, f);
    assert.deepEqual({ ...a }, { ...b });
    // Small constants are decoded (the zero of `none`).
    assert.ok(a.initializers.some((t) => t.dims.length === 0 && t.values?.[0] === 0));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('external data is recorded, not read', () => {
  const m = readOnnxFile(path.join(fixtures, 'written', 'tiny-external.onnx'));
  assert.deepEqual(m.initializers[0].external, { location: 'tiny-external.bin', offset: 0, length: 4096 });
  assert.deepEqual(m.initializers[0].dims, [32, 32, 1, 1]);
  // torch exports saved with external data whose file is absent still read.
  const t = readOnnxFile(path.join(fixtures, 'torch', 'ofa-b.onnx'));
  assert.ok(t.initializers.length > 50 && t.initializers.every((i) => i.external || i.rawData || i.values));
});

test('every hostile file gives a one-line OnnxError naming the file and the problem', () => {
  const dir = path.join(fixtures, 'hostile');
  const cases: Record<string, string> = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  assert.ok(Object.keys(cases).length >= 15);
  for (const [file, expect] of Object.entries(cases)) {
    const f = path.join(dir, file);
    assert.throws(() => readOnnxFile(f), (e: Error) => {
      assert.ok(e instanceof OnnxError, `${file}: ${e}`);
      assert.ok(!e.message.includes('\n'));
      assert.ok(e.message.startsWith(`${f}: `), e.message);
      assert.ok(e.message.includes(expect), `${file}: expected "${expect}" in "${e.message}"`);
      return true;
    });
  }
});

test('missing files and directories are OnnxErrors', () => {
  assert.throws(() => readOnnxFile('/nonexistent/x.onnx'), /x\.onnx: cannot read \(ENOENT\)/);
  assert.throws(() => readOnnxFile(fixtures), OnnxError);
  assert.throws(() => readOnnxFile(path.join(fixtures, 'written', 'tiny.onnx'), { maxFileBytes: 100 }), /over the limit of 100 bytes/);
});

test('truncation at many cut points never crashes or hangs', () => {
  const buf = Buffer.from(fs.readFileSync(path.join(fixtures, 'written', 'tiny.onnx')));
  let errors = 0;
  for (let cut = 0; cut < buf.length; cut++) if (safely(() => readOnnxBytes(buf.subarray(0, cut), 'cut'), 'cut') === 'error') errors++;
  assert.ok(errors > buf.length * 0.95, `${errors} of ${buf.length} cuts rejected`);
  const big = Buffer.from(writeNasBench201(NB201));
  const rng = makeRng(3);
  for (let i = 0; i < 150; i++) safely(() => readOnnxBytes(big.subarray(0, Math.floor(rng() * big.length)), 'cut'), 'cut');
});

test('random corruption never crashes or hangs', () => {
  const buf = fs.readFileSync(path.join(fixtures, 'written', 'tiny.onnx'));
  const rng = makeRng(7);
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(buf);
    const flips = 1 + Math.floor(rng() * 4);
    for (let k = 0; k < flips; k++) b[Math.floor(rng() * b.length)] = Math.floor(rng() * 256);
    safely(() => readOnnxBytes(b, 'fuzz'), 'fuzz');
  }
});

test('a 1 GB model is read with positioned reads in little memory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-big-'));
  try {
    const f = path.join(dir, 'big.onnx');
    const size = writeBigGemmModel(f, 16384, 16384); // 1 GiB of (sparse) weights
    assert.ok(size > 2 ** 30);
    const before = process.memoryUsage().rss;
    const t = Date.now();
    const m = readOnnxFile(f);
    const ms = Date.now() - t;
    const grown = process.memoryUsage().rss - before;
    assert.deepEqual(m.initializers[0].dims, [16384, 16384]);
    assert.equal(m.initializers[0].rawData!.length, 2 ** 30);
    assert.ok(grown < 100 * 2 ** 20, `RSS grew by ${grown} bytes`);
    assert.ok(ms < 1000, `${ms} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
