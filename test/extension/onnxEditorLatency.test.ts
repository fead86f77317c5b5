// The ONNX viewer's onnx-space predictions (onnxEditor.ts) against the vscode stand-in: every model, NAS-space
// or not, asks the worker for its latency on the adapted onnx devices; before there is one the viewer says
// how to get one; a NAS-space model's two predictions are labelled; adapting asks again; a measurement is
// posted for the viewer to show against the predictions.
import { fakeWebviewPanel, Uri, vscode, workspace, registered, settingValues } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnnxEditorProvider, ONNX_NO_DEVICE, shownOnnxLatency } from '../../src/extension/onnxEditor';

(Uri as any).joinPath ??= (base: { toString(): string }, ...parts: string[]) => Uri.parse([base.toString(), ...parts].join('/'));
(workspace as any).asRelativePath ??= (u: { path: string }) => u.path;
void vscode;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-onnx-viewer-'));
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const DEVICE = {
  name: 'my\u001b[31m laptop',
  file: '/d/my-laptop-0123456789ab.onnx.json',
  ms: 12.5,
  errorBand: 0.123,
  byClass: { conv: 10, elementwise: 2.5, memory: 0 },
  top: [{ name: '/layer1/conv\u202e', ops: 'Conv+Relu', kernelClass: 'conv', ms: 4 }],
};

let devices: unknown[] = [];
let onnxAsked: { path: string; inputShapes?: unknown }[] = [];
let changed: (() => void) | undefined;

function open(file: string, inspect: object) {
  const latency = {
    worker: {
      request: async (method: string, params: any) => {
        if (method === 'inspect') return { summary: [], ...inspect };
        if (method === 'onnxLatency') {
          onnxAsked.push(params);
          return { devices, notes: [] };
        }
        throw new Error(`unexpected ${method}`);
      },
    },
    allDevices: async () => [{ info: { name: 'gold_6226', space: 'nasbench201', origin: 'table', samples: 30 }, prediction: { ms: 1 } }],
    onDidChange: (f: () => void) => ((changed = f), { dispose() {} }),
  };
  const provider = new OnnxEditorProvider(Uri.file('/ext') as any, latency as any);
  const { panel, posted, send } = fakeWebviewPanel();

  fs.writeFileSync(file, 'x');
  provider.resolveCustomEditor(provider.openCustomDocument(Uri.file(file) as any) as any, panel as any);
  return { provider, posted, send };
}

async function until(posted: any[], pred: (m: any) => boolean): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const m = posted.find(pred);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`no such message in ${JSON.stringify(posted)}`);
}

beforeEach(() => {
  devices = [];
  onnxAsked = [];
  registered.commands.clear();
  for (const k of Object.keys(settingValues)) delete settingValues[k];
});

test('a model of no NAS space, before any onnx device: the viewer says how to get one, not an error', async () => {
  const v = open(path.join(dir, 'resnet.onnx'), { reason: 'not an architecture of a known space' });
  v.send({ type: 'ready' });
  const m = await until(v.posted, (x) => x.type === 'onnxLatency');
  assert.deepEqual(m.devices, []);
  assert.equal(m.hint, ONNX_NO_DEVICE);
  assert.match(m.hint, /Adapt to this machine/);
  assert.ok(!v.posted.some((x) => /Error$/.test(x.type)), JSON.stringify(v.posted));
});

test('a model of no NAS space with a device: latency, error band, classes by cost and the top nodes, neutralised; input shapes from the setting', async () => {
  devices = [DEVICE];
  settingValues.inputShapes = { '**/vad*.onnx': { input: [1, 512] } };
  const v = open(path.join(dir, 'vad.onnx'), { reason: 'not an architecture of a known space' });
  v.send({ type: 'ready' });
  const m = await until(v.posted, (x) => x.type === 'onnxLatency');
  assert.deepEqual({ ...(onnxAsked[0].inputShapes as object) }, { input: [1, 512] });
  assert.equal(m.hint, undefined);
  const d = m.devices[0];
  assert.ok(!/\u001b|\u202e/.test(JSON.stringify(m)), JSON.stringify(m));
  assert.equal(d.band, '±12%');
  assert.deepEqual(d.classes.map((c: { name: string }) => c.name), ['conv', 'elementwise'], 'by cost, zero-cost classes left out');
  assert.equal(d.classes[0].share, 0.8);
  assert.equal(d.top.length, 1);
  assert.equal(d.top[0].ops, 'Conv+Relu');
  assert.equal(v.posted.find((x) => x.type === 'model').nasLabel, undefined);
});

test('a NAS-space model shows both predictions, labelled; a new device asks again', async () => {
  devices = [DEVICE];
  const v = open(path.join(dir, 'cell.onnx'), { space: 'nasbench201', spec: CELL });
  v.send({ type: 'ready' });
  await until(v.posted, (x) => x.type === 'latency');
  await until(v.posted, (x) => x.type === 'onnxLatency');
  assert.equal(v.posted.find((x) => x.type === 'model').nasLabel, 'as a nasbench201 cell');
  const asked = onnxAsked.length;
  devices = [DEVICE, { ...DEVICE, name: 'second' }];
  changed!();
  const again = await until(v.posted, (x) => x.type === 'onnxLatency' && x.devices.length === 2);
  assert.equal(again.devices[1].name, 'second');
  assert.equal(onnxAsked.length, asked + 1, 'asked the worker again after devices changed');
});

test('"Measure on this machine": the measurement is posted to the viewer', async () => {
  devices = [DEVICE];
  registered.commands.set('help.measureOnDevice', async () => ({ device: 'this machine', model: '/m', latency_ms: 10, median_ms: 11, spread: 0.01, runs: 100, visits: 10, warnings: [], seconds: 3 }));
  const v = open(path.join(dir, 'net.onnx'), { reason: 'no' });
  v.send({ type: 'ready' });
  await until(v.posted, (x) => x.type === 'onnxLatency');
  v.send({ type: 'measure' });
  const m = await until(v.posted, (x) => x.type === 'measured');
  assert.equal(m.rawMs, 10);
  assert.equal(m.device, 'this machine');
});

test('"Measure on device…": the command asks which device (a command device included), the measurement is posted', async () => {
  devices = [DEVICE];
  const args: unknown[] = [];
  registered.commands.set('help.measureOnDevice', async (a: unknown) => (args.push(a), { device: 'board', model: '/m', latency_ms: 4, median_ms: 5, spread: 0.01, runs: 9, visits: 3, warnings: [], seconds: 3 }));
  const v = open(path.join(dir, 'net2.onnx'), { reason: 'no' });
  v.send({ type: 'ready' });
  await until(v.posted, (x) => x.type === 'onnxLatency');
  v.send({ type: 'measure', pick: true });
  const m = await until(v.posted, (x) => x.type === 'measured');
  assert.equal(m.device, 'board');
  assert.deepEqual(args, [{ model: path.join(dir, 'net2.onnx'), local: false }]);
  v.send({ type: 'measure' });
  await until(v.posted, (x) => x.type === 'measured' && x !== m);
  assert.deepEqual(args[1], { model: path.join(dir, 'net2.onnx'), local: true });
});

test('a data-dependent If: the viewer gets each branch\'s latency beside the mean; none for other models', () => {
  const shown = shownOnnxLatency({ devices: [{ ...DEVICE, branchRange: { low: 0.056, high: 0.126 } }, DEVICE], notes: [] });
  assert.equal(shown.devices[0].branches, '0.06 ms to 0.13 ms by the If branch the data takes (the prediction counts each branch in half of the runs)');
  assert.equal(shown.devices[1].branches, undefined);
});
