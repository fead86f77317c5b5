// The latency panel's saved state (what its webview keeps with vscode.setState and a window reload hands
// back to the WebviewPanelSerializer): only well-formed targets are restored.
import './vscodeMock';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoredState } from '../../src/extension/panel';

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

test('a saved target and histogram device are restored; anything malformed is dropped', () => {
  assert.deepEqual(restoredState({ target: { space: 'nasbench201', spec: CELL, source: 'cell.txt' }, histDevice: 'pixel2' }), {
    target: { space: 'nasbench201', spec: CELL, source: 'cell.txt' },
    histDevice: 'pixel2',
  });
  assert.deepEqual(restoredState({ target: { space: 'nasbench201', spec: CELL } }), { target: { space: 'nasbench201', spec: CELL, source: undefined }, histDevice: undefined });
  for (const bad of [undefined, null, 7, 'x', {}, { target: 'x' }, { target: { space: 1, spec: CELL } }, { target: { space: 'nasbench201', spec: '' } }, { target: { space: 'nasbench201', spec: 'x'.repeat(100_001) } }]) {
    assert.equal(restoredState(bad).target, undefined, JSON.stringify(bad)?.slice(0, 80));
  }
  assert.equal(restoredState({ histDevice: { toString: () => 'x' } }).histDevice, undefined);
});
