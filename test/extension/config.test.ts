// The settings' problems (src/extension/config.ts) against the vscode stand-in: one notification with an
// "Open Settings" action, revalidated on every configuration change, unchanged problems not shown again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registered, setSettings, ui } from './vscodeMock';
import { Config, problemsNotice, settingOf } from '../../src/extension/config';

const tick = () => new Promise((r) => setImmediate(r));

test('invalid help.devices entries: one notification listing them, with an action opening the setting', async () => {
  ui.reset();
  const opened: unknown[][] = [];
  registered.commands.set('workbench.action.openSettings', (...args: unknown[]) => opened.push(args));
  ui.answer = (m) => (m.items.includes('Open Settings') ? 'Open Settings' : undefined);
  const logged: string[] = [];
  const config = new Config((l) => logged.push(l));
  // Written to the settings: revalidated on the change itself, before anything reads a setting.
  setSettings({ devices: [{ name: 'board', runner: 'command' }, { name: 'jetson', runner: 'tensorrt' }, { name: 'ok', runner: 'onnxruntime' }] });
  assert.equal(ui.messages.length, 1, JSON.stringify(ui.messages));
  const m = ui.messages[0];
  assert.equal(m.kind, 'warning');
  assert.deepEqual(m.items, ['Open Settings']);
  assert.match(m.text, /2 problems/);
  assert.match(m.text, /help\.devices\[0\] \("board"\): runner "command" needs a "command"/);
  assert.match(m.text, /help\.devices\[1\] \("jetson"\)/);
  await tick();
  assert.deepEqual(opened, [['help.devices']]);
  assert.equal(logged.filter((l) => l.startsWith('settings: ')).length, 2);
  assert.deepEqual(config.get().devices.map((d) => d.name), ['ok']);

  // Unchanged problems: no new notification, on reads or on unrelated changes.
  config.get();
  setSettings({ updateDelayMs: 300 });
  assert.equal(ui.messages.length, 1);

  // A new problem: one notification naming only it.
  setSettings({ devices: [{ name: 'board', runner: 'command' }, { name: 'jetson', runner: 'tensorrt' }, { name: 'cpu', runner: 'onnxruntime', threads: 0 }] });
  assert.equal(ui.messages.length, 2);
  assert.match(ui.messages[1].text, /^HELP settings: a problem, ignored until fixed: help\.devices\[2\] \("cpu"\): "threads"/);

  // Fixed, then broken again: shown again.
  setSettings({ devices: [] });
  assert.equal(ui.messages.length, 2);
  setSettings({ devices: [{ name: 'board', runner: 'command' }] });
  assert.equal(ui.messages.length, 3);
  config.dispose();
  setSettings({ devices: undefined, updateDelayMs: undefined });
});

test('many problems: the notification names a few, the Output channel has them', () => {
  const problems = Array.from({ length: 12 }, (_, i) => `help.devices[${i}]: expected an object {name, runner, ...}, got 1`);
  const text = problemsNotice(problems);
  assert.match(text, /^HELP settings: 12 problems/);
  assert.match(text, /and 9 more \(see the HELP Output channel\)/);
  assert.ok(text.length < 400);
  assert.equal(settingOf('help.devices[3] ("x"): bad'), 'help.devices');
  assert.equal(settingOf('help.codeLens.enabled: expected true or false, got 1'), 'help.codeLens.enabled');
  assert.equal(settingOf('help.exclude[0] "[": ...'), 'help.exclude');
});
