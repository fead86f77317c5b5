import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOnnxBytes, readOnnxFile } from '../../../src/core/onnx/reader';
import { canonicalFbnet, canonicalOfa, nb201CellExpression, recogniseOnnx } from '../../../src/core/onnx/recognise';
import { writeFbnet, writeNasBench201, writeOfa, WriteOptions } from '../../../src/core/onnx/writer';
import { formatNasBench201Cell, parseNasBench201Cell, sampleNasBench201Cells } from '../../../src/core/spaces/nasbench201';
import { formatFbnetSpec, sampleFbnet } from '../../../src/core/spaces/fbnet';
import { formatOfaSpec, sampleOfa } from '../../../src/core/spaces/ofa';
import { makeRng } from '../../../src/core/spaces/space';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'onnx');

test('NAS-Bench-201 round trip: write -> read -> recognise gives the same cell string', () => {
  const rng = makeRng(11);
  const modes: WriteOptions[] = [{}, { foldBn: true, opset: 11 }, { opset: 17, inputName: 'images', seed: 5 }];
  for (const mode of modes) {
    for (const cell of sampleNasBench201Cells(40, rng)) {
      const spec = formatNasBench201Cell(cell);
      const r = recogniseOnnx(readOnnxBytes(writeNasBench201(cell, mode)));
      assert.deepEqual([r.space, r.spec], ['nasbench201', spec], `${JSON.stringify(mode)} ${spec}: ${'reason' in r ? r.reason : ''}`);
    }
  }
});

test('NAS-Bench-201 with `none` edges left out: an equivalent cell, exact when unique', () => {
  const rng = makeRng(12);
  for (const cell of sampleNasBench201Cells(40, rng)) {
    const spec = formatNasBench201Cell(cell);
    const r = recogniseOnnx(readOnnxBytes(writeNasBench201(cell, { none: 'drop', foldBn: true })));
    assert.equal(r.space, 'nasbench201', `${spec}: ${'reason' in r ? r.reason : ''}`);
    assert.equal(nb201CellExpression(parseNasBench201Cell(r.spec!)), nb201CellExpression(cell), spec);
    if (!cell.ops.includes('none')) assert.equal(r.spec, spec);
  }
});

test('FBNet round trip (identity skips canonically first within a stage)', () => {
  const rng = makeRng(13);
  const archs = sampleFbnet(8, rng);
  archs.push({ ops: new Array(22).fill('skip') }, { ops: new Array(22).fill('k5_e6') });
  archs.forEach((a, i) => {
    const r = recogniseOnnx(readOnnxBytes(writeFbnet(a, i % 2 ? { foldBn: true, opset: 11 } : { opset: 17 })));
    assert.deepEqual([r.space, r.spec], ['fbnet', formatFbnetSpec(canonicalFbnet(a))], 'reason' in r ? r.reason : '');
  });
});

test('OFA round trip (slots beyond a stage depth as ks 3 / e 3)', () => {
  const rng = makeRng(14);
  const archs = sampleOfa(6, rng);
  archs.forEach((a, i) => {
    const r = recogniseOnnx(readOnnxBytes(writeOfa(a, i % 2 ? { foldBn: true, opset: 12 } : { opset: 15 })));
    assert.deepEqual([r.space, r.spec], ['ofa', formatOfaSpec(canonicalOfa(a))], 'reason' in r ? r.reason : '');
  });
});

interface ManifestEntry {
  file: string;
  space: string | null;
  spec: unknown;
  expected: unknown;
  settings: Record<string, unknown>;
}
const manifest: { models: ManifestEntry[] } = JSON.parse(fs.readFileSync(path.join(fixtures, 'torch', 'torch-manifest.json'), 'utf8'));

test('PyTorch exports are recognised exactly', () => {
  const inSpace = manifest.models.filter((m) => m.space);
  assert.ok(inSpace.length >= 8);
  for (const m of inSpace) {
    const r = recogniseOnnx(readOnnxFile(path.join(fixtures, 'torch', m.file)));
    const want = typeof m.expected === 'string' ? m.expected : JSON.stringify(m.expected);
    assert.deepEqual([r.space, r.spec], [m.space, want], `${m.file} (${JSON.stringify(m.settings)}): ${'reason' in r ? r.reason : ''}`);
  }
});

test('a model outside the spaces is not recognised, with a reason', () => {
  for (const m of manifest.models.filter((x) => !x.space)) {
    const r = recogniseOnnx(readOnnxFile(path.join(fixtures, 'torch', m.file)));
    assert.equal(r.space, null);
    assert.ok('reason' in r && r.reason.length > 0 && !r.reason.includes('\n'));
  }
  const tiny = recogniseOnnx(readOnnxFile(path.join(fixtures, 'written', 'tiny.onnx')));
  assert.equal(tiny.space, null);
});

test('a NAS-Bench-201-like network with another classifier width is not recognised', () => {
  const m = readOnnxBytes(writeNasBench201('|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'));
  const gemm = m.nodes.find((n) => n.opType === 'Gemm')!;
  const w = m.initializers.find((t) => t.name === gemm.inputs[1])!;
  w.dims = [100, 65];
  const r = recogniseOnnx(m);
  assert.equal(r.space, null);
});

test('the kept writer fixture (none edges left out) is recognised', () => {
  const r = recogniseOnnx(readOnnxFile(path.join(fixtures, 'written', 'nb201-drop-none.onnx')));
  assert.equal(r.spec, '|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|');
});
