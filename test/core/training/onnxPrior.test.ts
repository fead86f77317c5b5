// The bundled prior of the onnx space is what its one command fits from the stored measurements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '../../..');

test('npm run train:onnx-prior -- --check refits weights/onnx-prior.json from weights/onnx-prior-samples.json', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train-onnx-prior.ts', '--check'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /the bundled prior is reproduced from \d+ rows/);
});
