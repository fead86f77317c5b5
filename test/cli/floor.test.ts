// A prediction at a device's floor is shown as a number with its digits (not "0.00 ms") and flagged as
// below anything the device was measured at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { root, runCli } from './helpers';

const CELL = '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|skip_connect~2|';

test('predict: a floored prediction keeps its digits and gets a note naming the device', () => {
  const r = runCli(root, ['predict', '--space', 'nasbench201', '--device', 'raspi4', '--device', 'gold_6226', '--arch', CELL]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, / 0\.00 ms/);
  assert.match(r.stdout, /0\.001\d ms/);
  assert.match(r.stderr, /note: raspi4: 1 prediction is at the device's floor/);
  assert.doesNotMatch(r.stderr, /gold_6226/);
});
