// `scan PATH`: what `npm start` shows — every architecture in examples/ (text files through the editor's
// finders, .onnx models through the recogniser) predicted on the default primary devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, root, runCli } from './helpers';

test('scan examples/: every space found, positive latencies on the primary devices', () => {
  const r = runCli(root, ['scan', 'examples', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { entries: { file: string; space: string; latency_ms: Record<string, number> }[]; skipped: unknown[] };
  assert.deepEqual([...new Set(out.entries.map((e) => e.space))].sort(), ['fbnet', 'hat', 'nasbench201', 'ofa']);
  assert.ok(out.entries.some((e) => e.file.endsWith('.onnx')), 'the ONNX model is recognised');
  const nb = out.entries.filter((e) => e.space === 'nasbench201');
  assert.equal(nb.length, 3);
  for (const e of nb) assert.deepEqual(Object.keys(e.latency_ms), ['gold_6226', 'titan_rtx_256', 'pixel2']);
  for (const e of out.entries) for (const ms of Object.values(e.latency_ms)) assert.ok(Number.isFinite(ms) && ms > 0, `${e.file}: ${ms}`);
  assert.deepEqual(out.skipped, []);
});

test('scan: --device chooses the devices; a model outside the spaces is listed as skipped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-scan-'));
  fs.copyFileSync(path.join(root, 'examples', 'nas_cells.py'), path.join(dir, 'cells.py'));
  fs.copyFileSync(path.join(root, 'test', 'fixtures', 'onnx', 'torch', 'resnet-small.onnx'), path.join(dir, 'resnet.onnx'));
  const r = runCli(root, ['scan', dir, '--device', 'fpga', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.entries.length, 3);
  for (const e of out.entries) assert.deepEqual(Object.keys(e.latency_ms), ['fpga']);
  assert.equal(out.skipped.length, 1);
  assert.match(out.skipped[0].reason, /not an architecture of a known space/);
  const text = runCli(root, ['scan', dir, '--device', 'fpga']);
  assert.match(text.stdout, /cells\.py:4 +\[nasbench201\]/);
  assert.match(text.stdout, /3 architectures in 2 files/);
});

test('scan: a missing path is exit 2 with one line', () => {
  expectBadInput(runCli(root, ['scan', path.join(os.tmpdir(), 'no-such-help-path')]), /cannot read .*no-such-help-path: ENOENT/);
  expectBadInput(runCli(root, ['scan']), /usage: scan PATH/);
});
