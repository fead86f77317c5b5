// Seeding onnx-space costs from the NAS tables (bench/nas-seed.ts): features of a space's export at a table's
// batch, the device-name and batch conventions of the tables, the fit-and-score split and the seed rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchedFeatures, fitAndScore, nasArchitectureFeatures, passesSeedRule, SEED_RULE, tableBatch, tableDeviceName, TransferScores } from '../../../src/core/onnx/nasSeed';
import { COST_FEATURES, modelCosts, PRIOR_COSTS } from '../../../src/core/onnx/latency';
import { readOnnxBytes } from '../../../src/core/onnx/reader';
import { writeFbnet, writeNasBench201 } from '../../../src/core/onnx/writer';

const CELL = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|';
const at = (name: (typeof COST_FEATURES)[number]) => COST_FEATURES.indexOf(name);
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, j) => s + v * b[j], 0);

test('batch 1 features are the model features; at batch 32 MACs scale 32x, kernels do not, weights are read once', () => {
  const mc = modelCosts(readOnnxBytes(writeNasBench201(CELL)));
  assert.deepEqual(batchedFeatures(mc.kernels, 1), mc.features);
  const f32 = batchedFeatures(mc.kernels, 32);
  assert.equal(f32[at('kernels')], mc.features[at('kernels')]);
  assert.ok(mc.features[at('convMacs')] > 0);
  assert.ok(Math.abs(f32[at('convMacs')] / mc.features[at('convMacs')] - 32) < 1e-9);
  assert.ok(Math.abs(f32[at('macBytes')] / mc.features[at('macBytes')] - 32) < 1e-9);
  assert.ok(mc.features[at('weightBytes')] > 0);
  assert.equal(f32[at('weightBytes')], mc.features[at('weightBytes')]);
  assert.throws(() => batchedFeatures(mc.kernels, 0), /positive integer/);
});

test('a table row (FBNet op list) gets its export features at every batch asked for', () => {
  const ops = ['k3_e6', 'skip', 'k5_e1_g2', ...new Array(19).fill('k3_e1')];
  const m = nasArchitectureFeatures('fbnet', ops, [1, 64]);
  assert.deepEqual(m.get(1), modelCosts(readOnnxBytes(writeFbnet(ops))).features);
  assert.ok(Math.abs(m.get(64)![at('dwGroupedMacs')] / m.get(1)![at('dwGroupedMacs')] - 64) < 1e-9);
});

test('device names and batches as the tables spell them', () => {
  assert.equal(tableDeviceName('titan_xp_32'), 'titanxp_32');
  assert.equal(tableDeviceName('titan_rtx_32'), 'titan_rtx_32');
  assert.equal(tableBatch('titan_rtx_256'), 256);
  assert.equal(tableBatch('gold_6226'), 1);
  assert.equal(tableBatch('essential_ph_1'), 1);
  assert.equal(tableBatch('samsung_s7'), 1);
});

test('fit on one set, score another; a per-device scale from the first target rows removes a constant factor', () => {
  const truth = PRIOR_COSTS.map((c) => 2 * c);
  const row = (i: number) => PRIOR_COSTS.map((_, j) => (1 + ((i * 7 + j * 3) % 11) + i / 50) / PRIOR_COSTS[j] / 1000);
  const train = { x: Array.from({ length: 30 }, (_, i) => row(i)), y: [] as number[] };
  train.y = train.x.map((r) => dot(r, truth));
  const testX = Array.from({ length: 25 }, (_, i) => row(i + 100));
  const same = fitAndScore(train, { x: testX, y: testX.map((r) => dot(r, truth)) });
  assert.ok(same.mape < 0.5 && same.within10 === 1 && same.spearman > 0.99, JSON.stringify(same));
  // The target runs everything 3x slower: zero-shot is 67% off, the scale from 5 target rows fixes it.
  const slower = { x: testX, y: testX.map((r) => 3 * dot(r, truth)) };
  const zero = fitAndScore(train, slower);
  assert.ok(Math.abs(zero.mape - 66.7) < 1, String(zero.mape));
  assert.ok(Math.abs(zero.ratio - 1 / 3) < 1e-3, String(zero.ratio));
  const scaled = fitAndScore(train, slower, 5);
  assert.equal(scaled.n, 20);
  assert.ok(scaled.mape < 0.5, String(scaled.mape));
});

test('the seed rule needs every direction within both limits', () => {
  const s = (mape: number, spearman: number): TransferScores => ({ n: 10, mape, within10: 0, spearman, rmsRel: 0, ratio: 1 });
  assert.equal(passesSeedRule([s(SEED_RULE.maxMape, SEED_RULE.minSpearman), s(5, 0.99)]), true);
  assert.equal(passesSeedRule([s(5, 0.99), s(15.1, 0.99)]), false);
  assert.equal(passesSeedRule([s(5, 0.89)]), false);
  assert.equal(passesSeedRule([]), false);
});
