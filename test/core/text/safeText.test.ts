import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { neutraliseForDisplay, stripAnsi } from '../../../src/core/text/safeText';

test('stripAnsi removes colour, cursor and title sequences', () => {
  assert.equal(stripAnsi('\x1b[1;31mred\x1b[0m \x1b]0;title\x07x \x1b[2K'), 'red x ');
});

test('neutraliseForDisplay escapes controls and bidi overrides, keeps plain text', () => {
  assert.equal(neutraliseForDisplay('pixel 2 (ms)'), 'pixel 2 (ms)');
  assert.equal(neutraliseForDisplay('a\u202eb\x00c\nd'), 'a\\u{202e}b\\x00c\\x0ad');
  assert.equal(neutraliseForDisplay('line1\r\nline2\t\x1b[31mx', true), 'line1\nline2\tx');
});

test('neutraliseForDisplay is linear on long hostile input', () => {
  const s = '\x1b['.repeat(200_000) + '\x1b]'.repeat(200_000);
  const t0 = Date.now();
  neutraliseForDisplay(s);
  assert.ok(Date.now() - t0 < 2000);
});
