// The hover on a spec: caveats first, the primary and adapted devices in a table with what each device is,
// the other devices grouped by kind with their origin said once.
import { MockDocument, noCancel, Position } from './vscodeMock';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOVER_FIRST_LIMIT, HOVER_GROUP_LIMIT, SpecHoverProvider } from '../../src/extension/hover';
import { findSpecs } from '../../src/core/spaces/findSpecs';

const builtins = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'weights', 'nasbench201-devices.json'), 'utf8')) as { devices: { name: string; origin: string }[] }).devices;

function provider(devices: { name: string; origin: string; samples?: number; created?: string }[], primary: string[]) {
  const latency = {
    allDevices: async (space: string, spec: string) => devices.map((d, i) => ({ info: { space, samples: 30, ...d }, prediction: { ms: spec.length / 10 + i } })),
    primary: async () => ({ devices: primary, info: [] }),
  };
  const index = { specs: (d: MockDocument) => findSpecs(d.getText()) };
  return new SpecHoverProvider(latency as any, index as any);
}

const small = [
  { name: 'gold_6226', origin: 'table' },
  { name: 'raspi4', origin: 'table' },
];

const hoverText = async (text: string, p = provider(small, ['gold_6226'])) => {
  const doc = new MockDocument('/w/a.py', text);
  const h = await p.provideHover(doc as any, new Position(0, 8) as any, noCancel as any);
  return (h?.contents as unknown as { value: string } | undefined)?.value;
};

const LIVE = 'cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"\n';

test('a live cell: the primary device first, bold, with what it is; no warning', async () => {
  const md = await hoverText(LIVE);
  assert.ok(md);
  assert.match(md!, /\| \*\*gold\\_6226\*\* \| \*\*9\.\d+ ms\*\* \| Xeon Gold 6226 CPU \| built\\-in table \|/);
  assert.match(md!, /\*\*CPUs\*\* · built\\-in table: raspi4 10\.\d ms/);
  assert.doesNotMatch(md!, /\$\(warning\)/);
});

test('a disconnected cell: the warning first, then the devices', async () => {
  const md = await hoverText('cell = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|"\n');
  assert.ok(md);
  const table = md!.indexOf('gold\\_6226');
  const warning = md!.indexOf('$(warning) no path from the cell input to its output');
  assert.ok(warning > 0 && warning < table, md);
});

test('27 devices: primary and adapted first, the rest grouped by kind, origin once per group, a few each', async () => {
  const devices = [...builtins, { name: 'this machine', origin: 'adapted', samples: 20, created: '2025-11-23T10:00:00Z' }];
  const md = (await hoverText(LIVE, provider(devices, ['gold_6226', 'titan_rtx_256', 'pixel2', 'this machine'])))!;
  const firstTable = md.slice(0, md.indexOf('\n\n**'));
  for (const n of ['gold\\_6226', 'titan\\_rtx\\_256', 'pixel2', 'this machine']) assert.match(firstTable, new RegExp(`\\| \\*\\*${n.replace(/\\/g, '\\\\')}\\*\\* \\|`), n);
  assert.match(firstTable, /Titan RTX GPU at batch 256/);
  assert.match(firstTable, /\| adapted, 20 samples, 2025\\-11\\-23 \|/);
  const groups = md.split('\n\n').filter((p) => p.startsWith('**') && p.includes('s**'));
  for (const g of groups) assert.ok(g.split('built\\-in').length - 1 <= 1, `origin said once per group: ${g}`);
  assert.deepEqual(groups.map((g) => g.slice(2, g.indexOf('**', 2))), ['GPUs', 'CPUs', 'Phones', 'Accelerators', 'FPGAs']);
  const gpus = groups[0];
  assert.match(gpus, /\(name suffix: batch size\)/);
  assert.equal(gpus.split(' ms').length - 1, HOVER_GROUP_LIMIT, gpus);
  assert.match(gpus, /\[\d+ more in the panel\]\(command:help\.showPanel/);
  assert.match(gpus, /: 1080ti\\_1 [\d.]+ ms · 2080ti\\_1 [\d.]+ ms · titan\\_rtx\\_1 /, 'batch 1 of each GPU first');
  const phones = groups[2];
  assert.doesNotMatch(phones, /pixel2/, 'a primary device is not listed twice');
  assert.ok(md.indexOf('**GPUs**') > md.indexOf('this machine'));
});

test('many adapted devices: the first table is bounded, the rest one click away', async () => {
  const devices = Array.from({ length: 5000 }, (_, i) => ({ name: `board ${i}`, origin: 'adapted', samples: 12 }));
  const md = (await hoverText(LIVE, provider(devices, [])))!;
  assert.equal(md.split('\n| **board').length - 1, HOVER_FIRST_LIMIT);
  assert.match(md, new RegExp(`\\[${5000 - HOVER_FIRST_LIMIT} more adapted devices in the panel\\]`));
  assert.ok(md.length < 5000, `${md.length} characters`);
});

test('no spec under the cursor: no hover', async () => {
  assert.equal(await hoverText('nothing here at all\n'), undefined);
});
