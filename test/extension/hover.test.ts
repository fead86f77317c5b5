// The hover on a spec: one row per device, and the caveats of the architecture below the table.
import { MockDocument, noCancel, Position } from './vscodeMock';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpecHoverProvider } from '../../src/extension/hover';
import { findSpecs } from '../../src/core/spaces/findSpecs';

function provider() {
  const latency = {
    allDevices: async (space: string, spec: string) => [
      { info: { name: 'gold_6226', space, origin: 'table', samples: 30 }, prediction: { ms: spec.length / 10 } },
      { info: { name: 'raspi4', space, origin: 'table', samples: 30 }, prediction: { ms: spec.length / 5 } },
    ],
  };
  const index = { specs: (d: MockDocument) => findSpecs(d.getText()) };
  return new SpecHoverProvider(latency as any, index as any);
}

const hoverText = async (text: string) => {
  const doc = new MockDocument('/w/a.py', text);
  const h = await provider().provideHover(doc as any, new Position(0, 8) as any, noCancel as any);
  return (h?.contents as unknown as { value: string } | undefined)?.value;
};

test('a live cell: the devices table and no warning', async () => {
  const md = await hoverText('cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"\n');
  assert.ok(md);
  assert.match(md!, /\| gold\\_6226 \| 9\.\d+ ms \|/);
  assert.match(md!, /\| raspi4 \| /);
  assert.doesNotMatch(md!, /\$\(warning\)/);
});

test('a disconnected cell: the table, then the warning', async () => {
  const md = await hoverText('cell = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|"\n');
  assert.ok(md);
  const table = md!.indexOf('| raspi4 |');
  const warning = md!.indexOf('$(warning) no path from the cell input to its output');
  assert.ok(table > 0 && warning > table, md);
});

test('no spec under the cursor: no hover', async () => {
  assert.equal(await hoverText('nothing here at all\n'), undefined);
});
