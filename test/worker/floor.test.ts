// The worker tells the editor each device's prediction floor, so that a prediction at it is shown as a bound
// ("≤"), not as a latency (test/extension/lensText.test.ts shows the text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workerForTests } from '../cli/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-worker-floor-'));
const { send } = workerForTests(path.join(tmp, 'devices'), tmp);
// A cell whose output does not depend on its input: raspi4's mapping puts it below its floor (test/cli/floor.test.ts).
const CELL = '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|skip_connect~2|';

test('predict answers every device floor: raspi4 is at its floor for a trivial cell, gold_6226 far above', async () => {
  const r = await send('predict', { space: 'nasbench201', specs: [CELL], devices: ['raspi4', 'gold_6226'] }).reply;
  const { ms, floors } = r.result;
  assert.ok(floors.raspi4 > 0 && floors.gold_6226 > 0);
  assert.ok(ms.raspi4[0] <= floors.raspi4, `${ms.raspi4[0]} at raspi4's floor ${floors.raspi4}`);
  assert.ok(ms.gold_6226[0] > floors.gold_6226);
});
