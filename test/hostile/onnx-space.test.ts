// Hostile inputs to the onnx space's CLI: oversized or malformed device files and arguments end with exit 2
// and one line, in bounded time, without reading a huge file into memory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, runCli } from '../cli/helpers';
import { ONNX_REFERENCES, ONNX_REFERENCES_VERSION } from '../../src/core/onnx/referenceModels';
import { COST_FEATURES, ONNX_DEVICE_VERSION } from '../../src/core/onnx/latency';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-onnx-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const model = path.join(tmp, 'mlp.onnx');
fs.writeFileSync(model, ONNX_REFERENCES.find((r) => r.name === 'mlp')!.write());
const base = { format: 'help-onnx-device', version: ONNX_DEVICE_VERSION, space: 'onnx', name: 'x', referencesVersion: ONNX_REFERENCES_VERSION, costs: new Array(COST_FEATURES.length).fill(1e-8), bags: [], errorBand: 0.1, samples: [], spikes: [] };

test('a device file with a million samples is refused by count, quickly', () => {
  const f = path.join(tmp, 'many.json');
  fs.writeFileSync(f, JSON.stringify({ ...base, samples: new Array(1_000_000).fill({ arch: 'a', latency_ms: 1 }) }));
  const t0 = Date.now();
  expectBadInput(runCli(tmp, ['predict', '--device', f, '--onnx', model, '--json']), /samples: expected a list of at most 10000/);
  assert.ok(Date.now() - t0 < 20000);
});

test('a sparse 100 MB device file is refused by size without being read', () => {
  const f = path.join(tmp, 'huge.json');
  const fd = fs.openSync(f, 'w');
  fs.writeSync(fd, '{"format":"help-onnx-device"');
  fs.ftruncateSync(fd, 100 << 20);
  fs.closeSync(fd);
  expectBadInput(runCli(tmp, ['predict', '--space', 'onnx', '--device', f, '--onnx', model, '--json']), /too large for a device file/);
});

test('hostile costs and names: non-numbers, negative, NaN-like strings, a 1 MB name', () => {
  for (const [bad, re] of [
    [{ costs: new Array(COST_FEATURES.length).fill('1') }, /costs/],
    [{ costs: [-1, ...new Array(COST_FEATURES.length - 1).fill(0)] }, /costs/],
    [{ name: 'n'.repeat(1 << 20) }, /name/],
    [{ errorBand: null }, /errorBand/],
  ] as const) {
    const f = path.join(tmp, 'bad.json');
    fs.writeFileSync(f, JSON.stringify({ ...base, ...bad }));
    expectBadInput(runCli(tmp, ['predict', '--space', 'onnx', '--device', f, '--onnx', model, '--json']), re);
  }
});

test('a 100 KB --input-shape is refused in one line', () => {
  const f = path.join(tmp, 'ok.json');
  fs.writeFileSync(f, JSON.stringify(base));
  expectBadInput(runCli(tmp, ['predict', '--device', f, '--onnx', model, '--input-shape', `input=${'1x'.repeat(50000)}1`, '--json']), /--input-shape/);
});
