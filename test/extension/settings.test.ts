// Settings validation: invalid entries are dropped with a warning naming them; defaults otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, validateDevice, validateSettings } from '../../src/extension/settings';
import { primaryDevicesFor } from '../../src/core/devices/primary';
import { isExcluded } from '../../src/extension/glob';
import type { DeviceInfo } from '../../src/worker/protocol';

test('no settings: the defaults, no warnings', () => {
  assert.deepEqual(validateSettings({}), { settings: DEFAULTS, warnings: [] });
});

test('valid devices are kept as given', () => {
  const devices = [
    { name: 'this machine', runner: 'onnxruntime', threads: 4 },
    { name: 'pi', space: 'nasbench201', runner: 'command', command: 'ssh pi ./bench ${model}' },
    { name: 'default runner' },
  ];
  const { settings, warnings } = validateSettings({ devices });
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings.devices, [devices[0], devices[1], { name: 'default runner', runner: 'onnxruntime' }]);
});

test('each bad device entry gives one warning naming it; the good ones stay', () => {
  const { settings, warnings } = validateSettings({
    devices: [
      { name: 'ok', runner: 'onnxruntime' },
      'pixel',
      { runner: 'onnxruntime' },
      { name: 'jetson', runner: 'tensorrt' },
      { name: 'board', runner: 'command' },
      { name: 'cpu', runner: 'onnxruntime', threads: 0 },
      { name: 'gpu', runner: 'onnxruntime', space: 'imagenet' },
      { name: 'ok', runner: 'onnxruntime' },
      { name: 'typo', runner: 'onnxruntime', thread: 2 },
      null,
    ],
  });
  assert.deepEqual(settings.devices.map((d) => d.name), ['ok']);
  assert.equal(warnings.length, 9);
  assert.match(warnings[0], /^help\.devices\[1\]: expected an object/);
  assert.match(warnings[1], /^help\.devices\[2\]: "name" must be a non-empty string/);
  assert.match(warnings[2], /^help\.devices\[3\] \("jetson"\): "runner" must be "onnxruntime" or "command", got "tensorrt"/);
  assert.match(warnings[3], /^help\.devices\[4\] \("board"\): runner "command" needs a "command"/);
  assert.match(warnings[4], /^help\.devices\[5\] \("cpu"\): "threads" must be an integer/);
  assert.match(warnings[5], /^help\.devices\[6\] \("gpu"\): "space" must be one of/);
  assert.match(warnings[6], /^help\.devices\[7\] \("ok"\): a device of that name is already listed/);
  assert.match(warnings[7], /^help\.devices\[8\] \("typo"\): unknown key "thread"/);
  assert.match(warnings[8], /^help\.devices\[9\]: expected an object/);
});

test('other settings: wrong types and ranges warn and fall back', () => {
  const { settings, warnings } = validateSettings({
    devices: { name: 'x' },
    primaryDevices: ['gold_6226', 3, ''],
    codeLensEnabled: 'yes',
    exclude: '**/*.md',
    maxFileSizeMB: -1,
    updateDelayMs: 1e9,
  });
  assert.deepEqual(settings.devices, []);
  assert.deepEqual(settings.primaryDevices, ['gold_6226']);
  assert.equal(settings.codeLensEnabled, true);
  assert.deepEqual(settings.exclude, DEFAULTS.exclude);
  assert.equal(settings.maxFileSizeMB, DEFAULTS.maxFileSizeMB);
  assert.equal(settings.updateDelayMs, DEFAULTS.updateDelayMs);
  for (const key of ['help.devices', 'help.primaryDevices[1]', 'help.primaryDevices[2]', 'help.codeLens.enabled', 'help.exclude', 'help.maxFileSizeMB', 'help.updateDelayMs']) {
    assert.ok(warnings.some((w) => w.startsWith(`${key}:`)), `a warning for ${key}: ${warnings.join(' | ')}`);
  }
  assert.equal(warnings.length, 7);
});

test('validateDevice returns the warning or the device', () => {
  assert.equal(typeof validateDevice({ name: 'a b', runner: 'onnxruntime' }, 0), 'object');
  assert.match(validateDevice({ name: 'bad/name' }, 2) as string, /^help\.devices\[2\] \("bad\/name"\): "name" may use/);
});

const dev = (name: string, origin: DeviceInfo['origin'] = 'table'): DeviceInfo => ({ name, space: 's', origin, samples: 30 });

test('primary devices: the listed ones the space has, else 3 built-ins (unknown kinds: the first 3); adapted ones always', () => {
  const devices = [dev('a'), dev('b'), dev('c'), dev('d'), dev('mine', 'adapted')];
  assert.deepEqual(primaryDevicesFor(['d', 'zz', 'b'], devices), ['d', 'b', 'mine']);
  assert.deepEqual(primaryDevicesFor(['gold_6226'], devices), ['a', 'b', 'c', 'mine']);
  assert.deepEqual(primaryDevicesFor([], devices.slice(0, 2)), ['a', 'b']);
  assert.deepEqual(primaryDevicesFor(['mine'], devices), ['mine']);
});

test('exclude globs', () => {
  const globs = ['**/node_modules/**', 'build/*.txt', '*.log.md', 'data/{a,b}/**'];
  assert.ok(isExcluded('node_modules/x/cell.txt', globs));
  assert.ok(isExcluded('/home/u/proj/node_modules/cell.txt', globs));
  assert.ok(isExcluded('build/cell.txt', globs));
  assert.ok(!isExcluded('build/sub/cell.txt', globs));
  assert.ok(isExcluded('deep/notes.log.md', globs));
  assert.ok(isExcluded('data/b/x/y.yml', globs));
  assert.ok(!isExcluded('data/c/x.yml', globs));
  assert.ok(!isExcluded('src/cell.txt', globs));
});
