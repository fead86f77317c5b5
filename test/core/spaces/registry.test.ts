// The predictor-facing side of each space: reference architectures, network inputs, cost features.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getSpace, SPACE_NAMES } from '../../../src/core/spaces/registry';
import { fbnetCostFeatures, fbnetLayers, FBNET_COST_FEATURES, FBNET_LAYERS } from '../../../src/core/spaces/fbnet';
import { ofaCostFeatures, ofaMakeDivisible, parseOfaSpec } from '../../../src/core/spaces/ofa';
import { hatFeatures, hatRegressionFeatures, parseHatConfig } from '../../../src/core/spaces/hat';
import { SpecError } from '../../../src/core/spaces/space';

const data = path.resolve(__dirname, '..', '..', '..', 'data');

test('every space is registered and unknown names are refused', () => {
  assert.deepEqual(SPACE_NAMES.sort(), ['fbnet', 'hat', 'nasbench201', 'ofa']);
  assert.throws(() => getSpace('resnet'), /unknown space "resnet" \(known: /);
});

for (const name of ['fbnet', 'ofa']) {
  test(`${name}: the 10 references are the dataset's reference rows, in order`, () => {
    const archs = JSON.parse(fs.readFileSync(path.join(data, name, 'architectures.json'), 'utf8'));
    const idx: number[] = JSON.parse(fs.readFileSync(path.join(data, name, 'reference_indices.json'), 'utf8'));
    const space = getSpace(name);
    assert.deepEqual(space.references, idx.map((i) => space.canonical(archs[i])));
  });
}

test('hat: 10 distinct reference configs that parse, spanning 1 to 6 decoder layers', () => {
  const space = getSpace('hat');
  assert.equal(new Set(space.references).size, 10);
  const layers = space.references.map((r) => parseHatConfig(r).decoderLayerNum);
  assert.equal(Math.min(...layers), 1);
  assert.equal(Math.max(...layers), 6);
  for (const r of space.references) assert.equal(space.canonical(r), r);
});

test('network inputs: FBNet is one node of 22x6 HELP one-hots then 22x8 op one-hots', () => {
  const ops = Array(FBNET_LAYERS).fill('skip');
  ops[0] = 'k5_e1_g2';
  ops[21] = 'k3_e6';
  const g = getSpace('fbnet').graph(JSON.stringify(ops));
  assert.equal(g.nodes, 1);
  assert.equal(g.features, 22 * 6 + 22 * 8);
  assert.deepEqual(Array.from(g.adj), [1]);
  const on = [...g.x.keys()].filter((i) => g.x[i] === 1);
  // k5_e1_g2 at layer 0: k5 (col 1), e1_g2 (col 3); k3_e6 at layer 21: k3 (col 0), e6 (col 5);
  // op one-hots: layer 0 op 5, layer 21 op 3.
  assert.deepEqual(on, [1, 3, 21 * 6 + 0, 21 * 6 + 5, 132 + 5, 132 + 21 * 8 + 3]);
});

test('network inputs: OFA is one node of the 145 HELP one-hots then 20x9 (kernel, expansion) one-hots', () => {
  const spec = { ks: Array(20).fill(7), e: Array(20).fill(6), d: [2, 2, 2, 2, 2], r: 128 };
  const g = getSpace('ofa').graph(JSON.stringify(spec));
  assert.equal(g.features, 145 + 180);
  // 10 active blocks: 10 kernel ones, 10 expansion ones, 1 resolution one, 10 pair ones.
  assert.equal(g.x.reduce((a, b) => a + b, 0), 31);
  assert.equal(g.x[145 + 8], 1); // block 0: ks 7 (row 2), e 6 (column 2)
  assert.equal(g.x[145 + 2 * 9 + 8], 0); // block 2 is beyond stage 0's depth
});

test('FBNet skeleton: 22 layers, 32x32 down to 4x4, 16 to 352 channels', () => {
  const l = fbnetLayers();
  assert.equal(l.length, 22);
  assert.deepEqual([l[0].cin, l[0].size], [16, 32]);
  assert.deepEqual([l[21].cout, l[21].size], [352, 4]);
});

test('FBNet cost features, worked by hand', () => {
  const col = (name: (typeof FBNET_COST_FEATURES)[number]) => FBNET_COST_FEATURES.indexOf(name);
  // All skips: only the six shape-changing skips compute, as 1x1 convolutions:
  // 32^2*16*24 + 16^2*24*32 + 8^2*32*64 + 8^2*64*112 + 4^2*112*184 + 4^2*184*352 = 2,545,664 MACs.
  const skips = fbnetCostFeatures({ ops: Array(22).fill('skip') });
  assert.equal(skips.length, FBNET_COST_FEATURES.length);
  assert.ok(Math.abs(skips[col('skip_conv_macs')] - 2.545664) < 1e-9);
  for (const c of ['expand_macs', 'project_macs', 'dw3_macs', 'dw5_macs', 'grouped_macs', 'block_pixels'] as const) assert.equal(skips[col(c)], 0);
  assert.equal(skips[col('blocks')], 6);
  // Layer 0 as k3_e1 (16 -> 16 channels at 32x32): two 1x1 convs of 32^2*16*16 and a 3x3 depthwise conv.
  const ops = Array(22).fill('skip');
  ops[0] = 'k3_e1';
  const one = fbnetCostFeatures({ ops });
  assert.ok(Math.abs(one[col('expand_macs')] - (32 * 32 * 16 * 16) / 1e6) < 1e-9);
  assert.ok(Math.abs(one[col('project_macs')] - (32 * 32 * 16 * 16) / 1e6) < 1e-9);
  assert.ok(Math.abs(one[col('dw3_macs')] - (32 * 32 * 16 * 9) / 1e6) < 1e-9);
  assert.equal(one[col('dw5_macs')], 0);
  assert.ok(Math.abs(one[col('block_pixels')] - 1.024) < 1e-9);
  assert.equal(one[col('blocks')], 7);
  // Grouped 1x1 convolutions halve the pointwise MACs, and count again as grouped MACs.
  ops[0] = 'k5_e1_g2';
  const g = fbnetCostFeatures({ ops });
  assert.ok(Math.abs(g[col('expand_macs')] - (32 * 32 * 16 * 8) / 1e6) < 1e-9);
  assert.ok(Math.abs(g[col('grouped_macs')] - (2 * 32 * 32 * 16 * 8) / 1e6) < 1e-9);
  assert.ok(Math.abs(g[col('dw5_macs')] - (32 * 32 * 16 * 25) / 1e6) < 1e-9);
});

test('OFA cost features grow with depth, kernel, expansion and resolution', () => {
  const base = { ks: Array(20).fill(3), e: Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 160 };
  const f = (a: object) => ofaCostFeatures(parseOfaSpec(a));
  const b = f(base);
  assert.equal(b[4], 10);
  assert.ok(f({ ...base, d: [4, 4, 4, 4, 4] })[0] > b[0]);
  assert.ok(f({ ...base, ks: Array(20).fill(7) })[1] > b[1]);
  assert.ok(f({ ...base, e: Array(20).fill(6) })[0] > b[0]);
  assert.ok(f({ ...base, r: 224 })[0] > b[0]);
  assert.deepEqual([ofaMakeDivisible(24 * 3), ofaMakeDivisible(40 * 4), ofaMakeDivisible(22)], [72, 160, 24]);
});

test('HAT regression features start with per-layer sums and include pairwise products', () => {
  const c = parseHatConfig(getSpace('hat').references[0]);
  const f = hatFeatures(c);
  const r = hatRegressionFeatures(f);
  assert.equal(r.length, 12 + 55);
  assert.equal(r[5], c.decoderLayerNum);
  assert.ok(Math.abs(r[0] - (6 * c.encoderEmbedDim ** 2) / 1e6) < 1e-12);
});

test('canonical refuses values outside the space with SpecError', () => {
  assert.throws(() => getSpace('fbnet').canonical('["k7_e1"]'), SpecError);
  assert.throws(() => getSpace('ofa').canonical({ ks: [], e: [], d: [], r: 1 }), SpecError);
  assert.throws(() => getSpace('hat').canonical('{}'), SpecError);
});
