// Hostile inputs to the measurement paths of issue 17 (items 2-4): a help.devices list of 100k invalid
// entries (validated in linear time, ONE bounded notification), a device command flooding its stderr
// before failing (a bounded error quoting its end), a device that never answers (the measurement ends
// within the first-run timeout), and input shapes with huge ranks or counts (refused, bounded).
import '../extension/vscodeMock';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateSettings } from '../../src/extension/settings';
import { problemsNotice } from '../../src/extension/config';
import { CommandRunner, runCommandOnce } from '../../src/core/devices/runners/command';
import { MeasurementError } from '../../src/core/devices/runners/runner';
import { measureArchitectures } from '../../src/core/devices/measure';
import { planInputShapes } from '../../src/core/devices/runners/onnxruntime';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-runners-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'model.onnx');
fs.writeFileSync(model, Buffer.alloc(1000));
const node = JSON.stringify(process.execPath);

test('100k invalid help.devices entries: validated in linear time, one notification of bounded length', () => {
  const devices = Array.from({ length: 100_000 }, (_, i) => ({ name: `board ${i}\x1b[31m`.slice(0, 12), runner: i % 2 ? 'tensorrt' : 'command', thread: 'x'.repeat(1000) }));
  const t0 = Date.now();
  const { warnings } = validateSettings({ devices });
  const notice = problemsNotice(warnings);
  const ms = Date.now() - t0;
  assert.equal(warnings.length, 100_000);
  assert.ok(ms < 5000, `took ${ms} ms`);
  assert.ok(notice.length < 1000, `${notice.length} characters`);
  assert.match(notice, /^HELP settings: 100000 problems/);
});

test('a device flooding 20 MB on stderr before failing: a bounded error quoting the end', async () => {
  const flood = path.join(tmp, 'flood.js');
  fs.writeFileSync(flood, `const chunk = 'noise '.repeat(10000); for (let i = 0; i < 350; i++) process.stderr.write(chunk); process.stderr.write('\\nfatal: the real error\\n'); process.exitCode = 1;`);
  const t0 = Date.now();
  await assert.rejects(runCommandOnce({ template: `${node} ${JSON.stringify(flood)} {model}` }, model), (e: Error) => {
    assert.ok(e instanceof MeasurementError);
    assert.ok(e.message.length < 400, `${e.message.length} characters`);
    assert.match(e.message, /fatal: the real error"$/);
    return true;
  });
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
});

test('a device that never answers: 50 architectures end within the first-run timeout', async () => {
  const silent = path.join(tmp, 'silent.js');
  fs.writeFileSync(silent, `setInterval(() => {}, 1000);`);
  const runner = new CommandRunner({ template: `${node} ${JSON.stringify(silent)} {model}`, firstRunTimeoutS: 1 });
  const t0 = Date.now();
  await assert.rejects(measureArchitectures(runner, Array.from({ length: 50 }, (_, i) => ({ arch: `a${i}`, model: () => model }))), /did not answer its first run within 1 s/);
  assert.ok(Date.now() - t0 < 8000, `took ${Date.now() - t0} ms`);
});

test('input shapes: a huge rank or count is refused or planned in bounded time', () => {
  const inputs = Array.from({ length: 10_000 }, (_, i) => ({ name: `in${i}`, shape: ['batch', ...Array(63).fill(2)] as (number | string)[] }));
  const t0 = Date.now();
  const r = planInputShapes(inputs);
  assert.equal(Object.keys(r.shapes).length, 10_000);
  assert.throws(() => planInputShapes([{ name: 'x', shape: [] }], { x: Array(100_000).fill(1) }), /positive integers/);
  assert.throws(() => planInputShapes([{ name: 'x', shape: ['s'.repeat(1_000_000)] }]), (e: Error) => e.message.length < 1000);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});
