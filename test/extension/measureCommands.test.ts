// "Adapt to this machine" and "Measure on device" (commands.ts) against the vscode stand-in: a cancelled
// measurement says so, every failure and failed visit reaches the Output channel, and spaces that cannot
// be measured are refused before anything starts.
import { ui, registered, vscode } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerCommands, CommandContext } from '../../src/extension/commands';
import { WorkerError } from '../../src/extension/worker-client';

const adaptedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-measure-cmd-'));
const channel: string[] = [];
let requests: string[] = [];
let respond: (method: string, params: any, options: any) => Promise<unknown> = async () => undefined;
let current: { space: string; spec: string } | undefined;

function context(devices: unknown[]): CommandContext {
  return {
    latency: { worker: { request: (method: string, params: unknown, options: unknown) => (requests.push(method), respond(method, params, options)) }, invalidate() {} } as any,
    panel: {} as any,
    index: { current: () => current } as any,
    config: { get: () => ({ devices, adaptExtra: 1 }) } as any,
    adaptedDir,
    log: (l) => channel.push(l),
  };
}

beforeEach(() => {
  ui.reset();
  channel.length = 0;
  requests = [];
  current = undefined;
  registered.commands.clear();
});

test('a cancelled adaptation says it was cancelled (and logs it)', async () => {
  current = { space: 'nasbench201', spec: '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|' };
  respond = async () => {
    throw new WorkerError('cancelled', 'cancelled');
  };
  registerCommands(context([]));
  await registered.commands.get('help.adaptLocal')!();
  assert.deepEqual(requests, ['adaptLocal']);
  assert.equal(ui.messages.length, 1);
  assert.equal(ui.messages[0].kind, 'info');
  assert.match(ui.messages[0].text, /adapting to this machine \(nasbench201\) was cancelled; nothing was saved/);
  assert.ok(channel.some((l) => /cancelled/.test(l)), channel.join('\n'));
});

test('a failed measurement and its failed visits go to the Output channel; progress shows the rest', async () => {
  current = { space: 'nasbench201', spec: '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|' };
  respond = async (_method, _params, options) => {
    options.onProgress({ message: '1 of 30 · pass 1 · a · 0 s', increment: 3 });
    options.onProgress({ log: 'measurement of a failed: "ssh" exited with code 255: "Connection refused"' });
    options.onProgress({ message: '1 of 30 · pass 1 · a · 4 s', increment: 0 });
    throw new WorkerError('the device did not answer its first run within 15 s', 'failed');
  };
  (vscode.workspace as any).isTrusted = true;
  registerCommands(context([{ name: 'board', runner: 'command', command: 'ssh board ./bench {model}' }]));
  ui.quickPick = async (items) => items[0];
  await registered.commands.get('help.measureOnDevice')!();
  assert.equal(ui.messages.length, 1, JSON.stringify(ui.messages));
  assert.equal(ui.messages[0].kind, 'error');
  assert.match(ui.messages[0].text, /adapting to board failed: the device did not answer its first run within 15 s/);
  assert.ok(channel.some((l) => /measurement of a failed: .*Connection refused/.test(l)), channel.join('\n'));
  assert.ok(channel.some((l) => /adapting to board failed: the device did not answer/.test(l)), channel.join('\n'));
  assert.deepEqual(ui.progress[0].reports.map((r: any) => r.message), ['1 of 30 · pass 1 · a · 0 s', '1 of 30 · pass 1 · a · 4 s']);
});

test('HAT cannot be measured: said before anything starts, and not offered', async () => {
  current = { space: 'hat', spec: 'x' };
  registerCommands(context([]));
  await registered.commands.get('help.adaptLocal')!();
  assert.deepEqual(requests, []);
  assert.equal(ui.messages.length, 1);
  assert.match(ui.messages[0].text, /hat architectures cannot be measured/);
  current = undefined;
  let offered: string[] = [];
  ui.quickPick = async (items) => ((offered = items.map((i: { label: string }) => i.label)), undefined);
  await registered.commands.get('help.adaptLocal')!();
  assert.deepEqual(offered, ['nasbench201', 'fbnet', 'ofa', 'Any ONNX model (onnx)']);
  assert.deepEqual(requests, []);
});

test('"Adapt to this machine" offers the onnx space (any ONNX model) and says its error band', async () => {
  let sent: any;
  respond = async (_method, params) => {
    sent = params;
    return { space: 'onnx', name: 'this machine', file: '/x/this-machine-0123456789ab.onnx.json', samplesFile: '/x/this-machine-0123456789ab.onnx.json', samples: 12, dropped: [], warnings: [], seconds: 14, looRmseMs: NaN, errorBand: 0.12 };
  };
  registerCommands(context([]));
  ui.quickPick = async (items) => items.find((i: { label: string }) => /onnx/.test(i.label));
  await registered.commands.get('help.adaptLocal')!();
  assert.deepEqual(requests, ['adaptLocal']);
  assert.equal(sent.space, 'onnx');
  assert.equal(sent.outDir, adaptedDir);
  assert.equal(ui.messages.length, 1, JSON.stringify(ui.messages));
  assert.match(ui.messages[0].text, /adapted "this machine" for onnx from 12 measurements in 14 s \(out-of-bag error ±12%\)/);
});
