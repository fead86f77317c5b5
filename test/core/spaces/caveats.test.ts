// Notes beside a prediction: NAS-Bench-201 cells with operations that cannot reach the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specCaveats } from '../../../src/core/spaces/caveats';
import { nasBench201LiveOps, parseNasBench201Cell } from '../../../src/core/spaces/nasbench201';

const live = (s: string) => nasBench201LiveOps(parseNasBench201Cell(s));

test('live operations: hand-checked cells', () => {
  // Every edge on a path from the input to the output.
  assert.deepEqual(live('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'), { connected: true, dead: [] });
  // Node 3 takes only node 0: the ops into nodes 1 and 2 (edges 0, 1, 2) feed nothing.
  assert.deepEqual(live('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|none~2|'), { connected: true, dead: [0, 1, 2] });
  // Node 2 has no input, node 3 takes only node 2: no path at all; both convs are dead.
  assert.deepEqual(live('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|'), { connected: false, dead: [0, 5] });
  // Node 1 reaches node 3 but nothing reaches node 1 (its only input is none): the 1->3 op is dead.
  assert.deepEqual(live('|none~0|+|skip_connect~0|none~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|'), { connected: true, dead: [4] });
  // All none.
  assert.deepEqual(live('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'), { connected: false, dead: [] });
});

test('caveats name the dead computing operations, not dead skips; a disconnected cell gets its own note', () => {
  assert.deepEqual(specCaveats('nasbench201', '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'), []);
  const partly = specCaveats('nasbench201', '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|none~2|');
  assert.equal(partly.length, 1);
  assert.match(partly[0], /^3 operations feed nothing that reaches the cell output \(nor_conv_3x3 on edge 0→1, nor_conv_3x3 on edge 0→2, avg_pool_3x3 on edge 1→2\)/);
  // A dead skip costs nothing: no note.
  assert.deepEqual(specCaveats('nasbench201', '|skip_connect~0|+|nor_conv_3x3~0|none~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|'), []);
  const none = specCaveats('nasbench201', '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|');
  assert.equal(none.length, 1);
  assert.match(none[0], /^no path from the cell input to its output/);
  // Other spaces and unparsable text: nothing to say.
  assert.deepEqual(specCaveats('ofa', '{"ks":[3]}'), []);
  assert.deepEqual(specCaveats('nasbench201', 'not a cell'), []);
});
