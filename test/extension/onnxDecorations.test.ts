// Explorer decorations of .onnx files (decorations.ts) against the vscode stand-in: any model carries its
// latency on the adapted onnx-space devices (the primary first, every device in the tooltip, bounded); a
// NAS-space model keeps its space's line too; nothing before a device exists; the worker is asked once per
// file version (size and modification time), again when the file changes.
import { Uri, vscode, workspace, noCancel } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnnxEditorProvider } from '../../src/extension/onnxEditor';
import { LatencyDecorations } from '../../src/extension/decorations';

(workspace as any).onDidSaveTextDocument ??= () => ({ dispose() {} });
void vscode;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-onnx-decorations-'));
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
let devices: { name: string; ms: number; errorBand: number; byClass: object; top: [] ; file: string }[] = [];
let inspected: object = {};
let asked: string[] = [];

function decorations() {
  const latency = {
    worker: {
      request: async (method: string) => {
        asked.push(method);
        if (method === 'inspect') return { summary: [], ...inspected };
        if (method === 'onnxLatency') return { devices, notes: [] };
        throw new Error(method);
      },
    },
    onDidChange: () => ({ dispose() {} }),
    primary: async () => ({ devices: ['gold_6226'] }),
    ensure: async () => undefined,
    cached: () => ({ ms: 1.5 }),
  };
  const onnx = new OnnxEditorProvider(Uri.file('/ext') as any, latency as any);
  const config = { onDidChange: () => ({ dispose() {} }), get: () => ({ maxFileSizeMB: 5 }) };
  return new LatencyDecorations(latency as any, { eligiblePath: () => true } as any, config as any, onnx);
}

const device = (name: string, ms: number) => ({ name, ms, errorBand: 0.1, byClass: {}, top: [] as [], file: `/d/${name}.onnx.json` });

beforeEach(() => {
  devices = [];
  inspected = { reason: 'not an architecture of a known space' };
  asked = [];
});

test('a model of no NAS space before any onnx device: no decoration', async () => {
  const f = path.join(dir, 'a.onnx');
  fs.writeFileSync(f, 'x');
  assert.equal(await decorations().provideFileDecoration(Uri.file(f) as any, noCancel as any), undefined);
});

test('any model: the primary onnx device first, every device in the tooltip (bounded), names neutralised', async () => {
  devices = [device('my\u001b[2J laptop', 12.5), ...Array.from({ length: 9 }, (_, i) => device(`board ${i}`, i + 1))];
  const f = path.join(dir, 'b.onnx');
  fs.writeFileSync(f, 'x');
  const d = (await decorations().provideFileDecoration(Uri.file(f) as any, noCancel as any)) as any;
  assert.ok(d, 'decorated');
  assert.equal(d.badge, '◷');
  assert.match(d.tooltip, /^HELP predicted latency, any ONNX model: my.* laptop 12\.5 ms ±10% · board 0 /);
  assert.ok(!d.tooltip.includes('\u001b'));
  assert.match(d.tooltip, /board 6 .*· and 2 more devices$/);
  assert.ok(!d.tooltip.includes('board 7'));
});

test('a NAS-space model: its space line and the any-model line', async () => {
  devices = [device('laptop', 3)];
  inspected = { space: 'nasbench201', spec: CELL };
  const f = path.join(dir, 'cell.onnx');
  fs.writeFileSync(f, 'x');
  const d = (await decorations().provideFileDecoration(Uri.file(f) as any, noCancel as any)) as any;
  const lines = d.tooltip.split('\n');
  assert.equal(lines.length, 2, d.tooltip);
  assert.match(lines[0], /nasbench201/);
  assert.match(lines[1], /any ONNX model: laptop 3\.0+ ms ±10%/);
});

test('the worker is asked once per version of the file', async () => {
  devices = [device('laptop', 3)];
  const f = path.join(dir, 'c.onnx');
  fs.writeFileSync(f, 'x');
  const dec = decorations();
  await dec.provideFileDecoration(Uri.file(f) as any, noCancel as any);
  await dec.provideFileDecoration(Uri.file(f) as any, noCancel as any);
  assert.equal(asked.filter((m) => m === 'onnxLatency').length, 1);
  fs.writeFileSync(f, 'xyz');
  await dec.provideFileDecoration(Uri.file(f) as any, noCancel as any);
  assert.equal(asked.filter((m) => m === 'onnxLatency').length, 2);
});
