// The bundled weights are what the default meta-training command writes: as many networks as the space
// asks for, alternately without and with the linear path, seeds seed, seed+1, ...
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWeightsFile } from '../../../src/core/predictor/weights';
import { weightsPaths } from '../../../src/core/predictor/service';
import { getSpace } from '../../../src/core/spaces/registry';

for (const name of ['nasbench201', 'fbnet', 'ofa']) {
  test(`bundled ${name} weights: the default ensemble of meta-train`, () => {
    const space = getSpace(name);
    const w = readWeightsFile(weightsPaths(name).weights);
    assert.equal(w.members.length, space.metaTrainMembers ?? 2);
    w.members.forEach((m, i) => {
      assert.equal(m.seed, w.seed + i, `member ${i} seed`);
      assert.equal((m.config.linearInputs ?? 0) > 0, i % 2 === 1, `member ${i} linear path`);
    });
  });
}
