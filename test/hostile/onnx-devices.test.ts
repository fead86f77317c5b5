// Hostile inputs to the onnx space on devices: SAMPLES.json files for `adapt --space onnx` that are huge or
// hold 400,000 samples end with exit 2 and one line, quickly, without being read whole; the copy a device
// command gets of a model with 50,000 open inputs is made in one linear pass, with a bounded list of notes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, runCli } from '../cli/helpers';
import { commandModelFile } from '../../src/core/onnx/fixInputs';
import { readOnnxFile } from '../../src/core/onnx/reader';
import { within } from './bounded';
import { manyOpenInputs } from './onnxDevicesGen';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-onnx-devices-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('adapt --space onnx: a 12 MB SAMPLES.json of 400,000 samples is refused by count, quickly', () => {
  const f = path.join(tmp, 'many.json');
  fs.writeFileSync(f, JSON.stringify({ space: 'onnx', samples: new Array(400_000).fill({ arch: 'mlp', latency_ms: 1 }) }));
  const t0 = Date.now();
  expectBadInput(runCli(tmp, ['adapt', '--space', 'onnx', '--samples', f, '--out', path.join(tmp, 'd.json')]), /many\.json: samples: 400000 entries; the onnx space has \d+ reference models/);
  assert.ok(Date.now() - t0 < 20_000, `${Date.now() - t0} ms`);
  assert.equal(fs.existsSync(path.join(tmp, 'd.json')), false);
});

test('adapt --space onnx: a sparse 100 MB SAMPLES.json is refused by size without being read', () => {
  const f = path.join(tmp, 'huge.json');
  const fd = fs.openSync(f, 'w');
  fs.writeSync(fd, '{"space":"onnx","samples":[');
  fs.ftruncateSync(fd, 100 << 20);
  fs.closeSync(fd);
  const t0 = Date.now();
  expectBadInput(runCli(tmp, ['adapt', '--space', 'onnx', '--samples', f, '--out', path.join(tmp, 'd.json')]), /cannot read samples file .*huge\.json: 104857600 bytes, more than a samples file can be/);
  assert.ok(Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
});

test('a model with 50,000 open inputs: the command copy in one linear pass, at most 21 notes', () => {
  const f = path.join(tmp, 'inputs.onnx');
  fs.writeFileSync(f, manyOpenInputs(50_000));
  const dir = fs.mkdtempSync(path.join(tmp, 'copy-'));
  const c = within(15, () => commandModelFile(f, dir));
  assert.equal(c.notes.length, 21);
  assert.match(c.notes[20], /^and 49980 more inputs with open dims fed as 1$/);
  const m = readOnnxFile(c.file);
  assert.equal(m.inputs.length, 50_000);
  assert.ok(m.inputs.every((i) => i.shape?.[0] === 1 && i.shape[1] === 8));
});
