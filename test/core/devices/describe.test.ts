// Device names explained (kind and hardware in words), and the default primary devices spanning kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeDevice, spanningDevices } from '../../../src/core/devices/describe';
import { primaryDevicesFor } from '../../../src/core/devices/primary';
import type { DeviceInfo } from '../../../src/worker/protocol';

const root = path.join(__dirname, '..', '..', '..');
const builtinNames = (space: string): string[] => {
  if (space === 'hat') return (JSON.parse(fs.readFileSync(path.join(root, 'weights', 'hat.json'), 'utf8')) as { sources: { name: string }[] }).sources.map((s) => s.name);
  return (JSON.parse(fs.readFileSync(path.join(root, 'weights', `${space}-devices.json`), 'utf8')) as { devices: { name: string }[] }).devices.map((d) => d.name);
};

test('device names of the issue explained', () => {
  assert.equal(describeDevice('titan_rtx_32').text, 'Titan RTX GPU at batch 32');
  assert.deepEqual({ ...describeDevice('titan_rtx_32'), text: undefined }, { kind: 'GPU', hardware: 'Titan RTX', batch: 32, text: undefined });
  assert.equal(describeDevice('gold_6226').text, 'Xeon Gold 6226 CPU');
  assert.equal(describeDevice('pixel2').text, 'Pixel 2 phone');
  assert.equal(describeDevice('essential_ph_1').kind, 'phone', 'the _1 of PH-1 is no batch size');
  assert.equal(describeDevice('eyeriss').text, 'Eyeriss accelerator');
  assert.equal(describeDevice('fpga').text, 'FPGA');
  assert.equal(describeDevice('wmt14ende_cpu_xeon').text, "Xeon CPU, WMT'14 En-De model");
  assert.equal(describeDevice('wmt14ende_gpu_titanxp').kind, 'GPU');
});

test('unknown names are "other" with no description', () => {
  for (const n of ['this machine', 'gold_6226_x', 'pixel2_32', 'titan_rtx_0', 'titan_rtx_', '_1', '', 'x'.repeat(100_000)]) {
    assert.deepEqual(describeDevice(n), { kind: 'other', hardware: '', text: '' }, n.slice(0, 20));
  }
});

test('every built-in device of every space is explained', () => {
  for (const space of ['nasbench201', 'fbnet', 'ofa', 'hat']) {
    for (const n of builtinNames(space)) assert.notEqual(describeDevice(n).kind, 'other', `${space}: ${n}`);
  }
});

const table = (name: string): DeviceInfo => ({ name, space: 's', origin: 'table', samples: 30 });

test('default primary devices span kinds and hardware (OFA: three GPUs, not one GPU at three batch sizes)', () => {
  const ofa = primaryDevicesFor(['gold_6226', 'titan_rtx_256', 'pixel2'], builtinNames('ofa').map(table));
  assert.equal(ofa.length, 3);
  assert.equal(new Set(ofa.map((n) => describeDevice(n).hardware)).size, 3, ofa.join(' '));
  const hat = primaryDevicesFor(['gold_6226', 'titan_rtx_256', 'pixel2'], builtinNames('hat').map(table));
  assert.deepEqual(hat.map((n) => describeDevice(n).kind).sort(), ['CPU', 'CPU', 'GPU'], hat.join(' '));
  assert.equal(new Set(hat.map((n) => describeDevice(n).task)).size, 1, `one task, so the values compare: ${hat.join(' ')}`);
  assert.equal(new Set(hat.map((n) => describeDevice(n).hardware)).size, 3, hat.join(' '));
  const nb = spanningDevices(builtinNames('nasbench201'));
  assert.deepEqual(nb.map((n) => describeDevice(n).kind), ['GPU', 'CPU', 'phone'], nb.join(' '));
  assert.equal(describeDevice(nb[0]).batch, 1);
});
