// The HAT predictor: drift-corrected source models, the stacked per-source power laws, and the
// leave-one-device-out evaluation on the real tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  applyHatMapping,
  fitHatMapping,
  fitHatSourceModel,
  fitSourcePowerLaw,
  HatCombination,
  measurementDrift,
  sourcePredictions,
} from '../../../src/core/predictor/transfer';
import { applyLinear } from '../../../src/core/predictor/linear';
import { hatFeatures, hatRegressionFeatures, sampleHat } from '../../../src/core/spaces/hat';
import { makeRng } from '../../../src/core/spaces/space';
import { evaluateHat } from '../../../src/core/eval/evaluateHat';
import { loadHatTables } from '../../../src/core/training/hatTables';

const data = path.resolve(__dirname, '..', '..', '..', 'data');

test('measurement drift follows a level shift of the neighbours, never a row alone, and is centred', () => {
  const r: number[] = Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 0.2));
  r[50] = 5; // one slow row: its own residual, not drift
  const d = measurementDrift(r, 10);
  assert.equal(d.length, 200);
  assert.ok(Math.abs(d[50] - d[49]) < 1e-12, 'a row is not its own drift');
  assert.ok(Math.abs(d[150] - d[20] - 0.2) < 1e-12);
  const sorted = d.slice().sort((a, b) => a - b);
  assert.ok(Math.abs((sorted[99] + sorted[100]) / 2) < 1e-12);
});

test('a source model fitted on a drifting table recovers the drift-free latency', () => {
  const rng = makeRng(7);
  const features = sampleHat(600, rng).map(hatFeatures);
  const truth = features.map((f) => {
    const [de, le, ffe, , dd, ld, ffd] = f;
    return 20 + (le * de * ffe) / 1e6 + 8 * (ld * dd * ffd) / 1e6 + 6 * ld;
  });
  // The machine slows by up to 15% and recovers, slowly over the rows, plus 1% independent noise.
  const latency = truth.map((v, i) => v * (1 + 0.15 * Math.sin((Math.PI * i) / 300) ** 2) * (1 + 0.01 * (rng() - 0.5)));
  const m = fitHatSourceModel({ device: 'toy', features, latency });
  const rel = features.map((f, i) => (m.scale * applyLinear(m, hatRegressionFeatures(f))) / truth[i]);
  const mean = rel.reduce((a, b) => a + b, 0) / rel.length;
  const spread = Math.sqrt(rel.reduce((s, v) => s + (v - mean) ** 2, 0) / rel.length);
  // Up to a constant factor (the drift's median level), the model is the drift-free latency.
  assert.ok(spread < 0.01, `relative spread ${spread}`);
});

test('a device that is a power law of one source is mapped to that source', () => {
  const rng = makeRng(3);
  const g = Array.from({ length: 12 }, () => [0.5 + rng(), 0.5 + rng(), 0.5 + rng()]);
  const y = g.map((r) => 40 * r[1] ** 1.3);
  const c = fitHatMapping(g, y);
  const probe = [0.1, 1.7, 2];
  assert.ok(Math.abs(applyHatMapping(c, probe) - 40 * 1.7 ** 1.3) < 1e-6 * 40);
  if (c.kind === 'blend') {
    assert.ok(Math.abs(c.weights!.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(c.weights!.every((w) => w > 0));
  } else {
    assert.deepEqual(c.sources, [1]);
    assert.equal(c.log, true);
  }
  assert.ok(c.looMse < 1e-6);
});

test('a device between two sources is a blend of both, with leave-one-out residuals in ms', () => {
  const rng = makeRng(4);
  const g = Array.from({ length: 20 }, () => [0.5 + rng(), 0.5 + rng()]);
  const y = g.map((r) => 10 * (r[0] + r[1]) * (1 + 0.02 * (rng() - 0.5)));
  const one = fitSourcePowerLaw(g, y, 0);
  assert.equal(one.looResiduals!.length, 20);
  assert.ok(Math.abs(one.looMse - one.looResiduals!.reduce((s, e) => s + e * e, 0) / 20) < 1e-9);
  const c = fitHatMapping(g, y);
  assert.equal(c.kind, 'blend');
  assert.deepEqual(c.sources, [0, 1]);
  assert.ok(c.parts!.every((p) => p.log === true));
  assert.ok(c.looMse < Math.min(one.looMse, fitSourcePowerLaw(g, y, 1).looMse));
});

test('a stored linear combination (mapping version 1, table devices) is still applied linearly', () => {
  const c: HatCombination = { kind: 'source-models', sources: [0, 1], intercept: 1, coef: [2, 3], looMse: 0 };
  assert.equal(applyHatMapping(c, [10, 100]), 1 + 20 + 300);
});

test('leave one device out on the real tables: the transfer ranks every device well', () => {
  const tables = loadHatTables(data);
  const models = tables.map(fitHatSourceModel);
  assert.ok(sourcePredictions(models, [tables[0].features[0]])[0].every((v) => v > 0));
  const r = evaluateHat(tables, 10, 1);
  assert.equal(r.length, 8);
  for (const x of r) assert.ok(x.help.spearman > 0.94, `${x.device}: ${x.help.spearman}`);
  const mean = (k: 'help' | 'sourceRidge') => r.reduce((s, x) => s + x[k].spearman, 0) / r.length;
  assert.ok(mean('help') > 0.97, String(mean('help')));
});
