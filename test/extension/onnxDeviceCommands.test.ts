// The onnx space in "HELP: Measure on device...", help.devices and "HELP: Show devices" (commands.ts, against
// the vscode stand-in): a device entry with "space": "onnx" is valid and adapts the onnx space (not the
// architecture being edited), a device without a space is offered the onnx space, a model measured on a
// command device carries its help.inputShapes, and the device list shows the onnx devices with their error
// band, the first (by file name) marked primary.
import { ui, registered, vscode, settingValues } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerCommands, CommandContext } from '../../src/extension/commands';
import { validateSettings } from '../../src/extension/settings';
import { originText } from '../../src/extension/lensText';

const adaptedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-onnx-device-cmd-'));
let requests: { method: string; params: any }[] = [];
let respond: (method: string, params: any) => Promise<unknown> = async () => undefined;
let current: { space: string; spec: string } | undefined;

function context(devices: unknown[]): CommandContext {
  return {
    latency: { worker: { request: (method: string, params: any) => (requests.push({ method, params }), respond(method, params)) }, invalidate() {} } as any,
    panel: {} as any,
    index: { current: () => current } as any,
    config: { get: () => ({ devices, adaptExtra: 1 }) } as any,
    adaptedDir,
    log: () => {},
  };
}

const adapted = (name: string) => ({ space: 'onnx', name, file: `/x/${name}-0123456789ab.onnx.json`, samplesFile: `/x/${name}-0123456789ab.onnx.json`, samples: 12, dropped: [], warnings: [], seconds: 9, looRmseMs: NaN, errorBand: 0.08 });

beforeEach(() => {
  ui.reset();
  requests = [];
  current = undefined;
  registered.commands.clear();
  (vscode.workspace as any).isTrusted = true;
});

test('a help.devices entry may name the onnx space', () => {
  const board = { name: 'board', space: 'onnx', runner: 'command', command: 'ssh board ./bench {model}' };
  const { settings, warnings } = validateSettings({ devices: [board] });
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings.devices, [board]);
});

test('Measure on device with an onnx-space device adapts the onnx space, even beside a NAS architecture', async () => {
  current = { space: 'nasbench201', spec: '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|' };
  respond = async () => adapted('board');
  registerCommands(context([{ name: 'board', space: 'onnx', runner: 'command', command: 'ssh board ./bench {model}' }]));
  ui.quickPick = async (items) => items[0];
  await registered.commands.get('help.measureOnDevice')!();
  assert.deepEqual(requests.map((r) => r.method), ['measure']);
  assert.equal(requests[0].params.space, 'onnx');
  assert.equal(requests[0].params.spec, undefined);
  assert.equal(requests[0].params.trusted, true);
  assert.match(ui.messages[0].text, /adapted "board" for onnx from 12 measurements in 9 s \(out-of-bag error ±8%\)/);
});

test('Measure on device with a device without a space offers the onnx space', async () => {
  respond = async () => adapted('board');
  registerCommands(context([{ name: 'board', runner: 'command', command: 'ssh board ./bench {model}' }]));
  const offered: string[][] = [];
  ui.quickPick = async (items, opts) => {
    offered.push(items.map((i: { label: string }) => i.label));
    return opts?.placeHolder === 'Search space' ? items.find((i: { label: string }) => /onnx/.test(i.label)) : items[0];
  };
  await registered.commands.get('help.measureOnDevice')!();
  assert.deepEqual(offered[1], ['nasbench201', 'fbnet', 'ofa', 'Any ONNX model (onnx)']);
  assert.equal(requests[0].params.space, 'onnx');
});

test('a model measured on a command device carries its help.inputShapes (the device gets a copy with them fixed)', async () => {
  settingValues.inputShapes = { '**/vad*.onnx': { x: [4, 7] } };
  try {
    respond = async () => ({ device: 'board', model: '/m/vad.onnx', latency_ms: 2, median_ms: 2, spread: 0, runs: 3, visits: 3, warnings: [], seconds: 1 });
    registerCommands(context([{ name: 'board', runner: 'command', command: 'ssh board ./bench {model}' }]));
    ui.quickPick = async (items) => items[0];
    await registered.commands.get('help.measureOnDevice')!({ model: '/m/vad.onnx' });
    assert.deepEqual(requests[0].params.inputShapes, { x: [4, 7] });
    assert.equal(requests[0].params.device.runner, 'command');
  } finally {
    delete settingValues.inputShapes;
  }
});

test('Show devices lists the onnx devices with their error band, the first the primary one', async () => {
  const info = (name: string, errorBand: number) => ({ name, space: 'onnx', origin: 'adapted', samples: 12, created: '2026-12-01T00:00:00Z', errorBand });
  respond = async () => [
    { space: 'nasbench201', devices: [{ name: 'gold_6226', space: 'nasbench201', origin: 'table', samples: 30 }] },
    { space: 'onnx', devices: [info('board', 0.081), info('laptop', 0.2)] },
  ];
  registerCommands(context([]));
  let shown: { label: string; description?: string }[] = [];
  ui.quickPick = async (items) => ((shown = items), undefined);
  await registered.commands.get('help.showDevices')!();
  const board = shown.find((i) => i.label === 'board')!;
  const laptop = shown.find((i) => i.label === 'laptop')!;
  assert.equal(board.description, 'adapted, 12 samples, 2026-12-01, ±8% · primary');
  assert.equal(laptop.description, 'adapted, 12 samples, 2026-12-01, ±20%');
  assert.equal(originText({ name: 'x', space: 'nasbench201', origin: 'adapted', samples: 20 }), 'adapted, 20 samples', 'NAS devices as before');
  // None yet: how to get one.
  respond = async () => [{ space: 'onnx', devices: [] }];
  await registered.commands.get('help.showDevices')!();
  assert.ok(shown.some((i) => /no device yet: "HELP: Adapt to this machine"/.test(i.label)), JSON.stringify(shown));
});
