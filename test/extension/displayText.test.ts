// Device names and device output with escape sequences, controls and bidi characters (from settings, adapted
// device files or a device command) are neutralised before the Output channel, notifications, progress
// titles and quick picks show them: the commands of commands.ts against the vscode stand-in.
import { ui, registered, vscode } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { registerCommands, CommandContext } from '../../src/extension/commands';
import { outputLogger } from '../../src/extension/outputLog';
import { WorkerError } from '../../src/extension/worker-client';
import type { AdaptResult } from '../../src/worker/protocol';

// Clears the screen, sets the terminal title, reverses the text after it; a bell; a colour.
const HOSTILE = 'board\x1b[2J\x1b]0;pwned\x07\u202eevil\x07 \x1b[31mred\x1b[0m';
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const adaptedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-display-'));
const channel: string[] = [];
let respond: (method: string, params: any) => Promise<unknown> = async () => undefined;

function context(devices: unknown[]): CommandContext {
  return {
    latency: { worker: { request: (method: string, params: unknown) => respond(method, params) }, invalidate() {} } as any,
    panel: {} as any,
    index: { current: () => undefined } as any,
    config: { get: () => ({ devices, adaptExtra: 1 }) } as any,
    adaptedDir,
    log: outputLogger({ appendLine: (l) => channel.push(l) }),
  };
}

/** Every text the user sees: notifications, progress titles and reports, quick pick labels, the Output channel. */
function shownTexts(picked: any[]): string[] {
  return [
    ...ui.messages.map((m) => m.text),
    ...ui.progress.flatMap((p) => [p.options.title, ...p.reports.map((r: any) => r.message ?? '')]),
    ...picked.flatMap((i) => [i.label, i.description ?? '']),
    ...channel,
  ];
}

beforeEach(() => {
  ui.reset();
  channel.length = 0;
  registered.commands.clear();
});

test('an untrusted command device: the warning shows its name neutralised', async () => {
  const picked: any[] = [];
  ui.quickPick = async (items) => (picked.push(...items), items[0]);
  (vscode.workspace as any).isTrusted = false;
  registerCommands(context([{ name: HOSTILE, runner: 'command', space: 'nasbench201', command: 'bench {model}' }]));
  await registered.commands.get('help.measureOnDevice')!();
  assert.equal(ui.messages.length, 1);
  assert.match(ui.messages[0].text, /device "board\\u\{202e\}evil\\x07 red" runs a command/);
  for (const t of shownTexts(picked)) assert.doesNotMatch(t, RAW, JSON.stringify(t));
});

test('an adaptation: its name and warnings (device output) are neutralised in notifications and the Output channel', async () => {
  const picked: any[] = [];
  ui.quickPick = async (items) => (picked.push(...items), items[0]);
  (vscode.workspace as any).isTrusted = true;
  respond = async (method, params) => {
    assert.equal(method, 'measure');
    assert.equal(params.device.name, HOSTILE, 'the worker gets the name as it is');
    const r: AdaptResult = {
      space: 'nasbench201',
      name: HOSTILE,
      file: path.join(adaptedDir, 'x.json'),
      samplesFile: path.join(adaptedDir, 'x.samples.json'),
      samples: 11,
      dropped: [],
      warnings: ['1 architecture(s) dropped: "bench" printed "\x1b[31mFAIL\u202e\r\n\x1b[1A"'],
      seconds: 3,
      looRmseMs: 0.1,
    };
    return r;
  };
  registerCommands(context([{ name: HOSTILE, runner: 'onnxruntime', space: 'nasbench201' }]));
  await registered.commands.get('help.measureOnDevice')!();
  assert.deepEqual(
    ui.messages.map((m) => m.kind),
    ['info', 'warning'],
  );
  assert.ok(channel.some((l) => /adapted "board/.test(l)) && channel.some((l) => /warning: .*FAIL/.test(l)), channel.join('\n'));
  for (const t of shownTexts(picked)) assert.doesNotMatch(t, RAW, JSON.stringify(t));
});

test('a failed measurement: the error (device output) is neutralised in the notification', async () => {
  ui.quickPick = async (items) => items[0];
  respond = async () => {
    throw new WorkerError('"bench" exited with code 1: "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \u202etxt.exe"', 'failed');
  };
  registerCommands(context([{ name: HOSTILE, runner: 'onnxruntime', space: 'nasbench201' }]));
  await registered.commands.get('help.measureOnDevice')!();
  assert.equal(ui.messages.length, 1);
  assert.equal(ui.messages[0].kind, 'error');
  assert.match(ui.messages[0].text, /click/);
  for (const t of shownTexts([])) assert.doesNotMatch(t, RAW, JSON.stringify(t));
});
