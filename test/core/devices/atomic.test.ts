// Atomic replacement: the new content or the old, never a mix, and no temporary file left behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempPathFor, writeFileAtomicSync } from '../../../src/core/devices/atomic';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-atomic-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('writes a new file and replaces an existing one', () => {
  const f = path.join(tmp, 'dev.json');
  writeFileAtomicSync(f, '{"v":1}\n');
  assert.equal(fs.readFileSync(f, 'utf8'), '{"v":1}\n');
  const ino = fs.statSync(f).ino;
  writeFileAtomicSync(f, Buffer.from('{"v":2}\n'));
  assert.equal(fs.readFileSync(f, 'utf8'), '{"v":2}\n');
  assert.notEqual(fs.statSync(f).ino, ino, 'a new file renamed over the old one, not written in place');
  assert.deepEqual(fs.readdirSync(tmp), ['dev.json']);
});

test('the temporary file is in the same folder, hidden and unique', () => {
  const f = path.join(tmp, 'x.json');
  const a = tempPathFor(f);
  assert.equal(path.dirname(a), tmp);
  assert.match(path.basename(a), /^\.x\.json\.\d+\.[0-9a-f]{16}\.tmp$/);
  assert.notEqual(a, tempPathFor(f));
});

test('a failed replacement leaves the old file and no temporary file', () => {
  const dir = path.join(tmp, 'fail');
  fs.mkdirSync(dir);
  // The target is a non-empty folder: the rename fails after the content was written.
  const target = path.join(dir, 'dev.json');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'keep'), 'old');
  assert.throws(() => writeFileAtomicSync(target, 'new'));
  assert.equal(fs.readFileSync(path.join(target, 'keep'), 'utf8'), 'old');
  assert.deepEqual(fs.readdirSync(dir), ['dev.json']);
  // A missing folder: nothing is created.
  assert.throws(() => writeFileAtomicSync(path.join(tmp, 'nope', 'dev.json'), 'x'), /the folder .*nope does not exist \(ENOENT\)/);
});

test('a reader never sees a partial file', () => {
  const f = path.join(tmp, 'big.json');
  const a = 'a'.repeat(4 << 20);
  const b = 'b'.repeat(4 << 20);
  writeFileAtomicSync(f, a);
  for (let i = 0; i < 5; i++) {
    writeFileAtomicSync(f, i % 2 ? a : b);
    const s = fs.readFileSync(f, 'utf8');
    assert.ok(s === a || s === b);
  }
});
