// Lens ranges carried through edits: shifted by edits before them, stretched and marked stale by edits in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shiftRanges, TrackedRange } from '../../src/extension/rangeTracking';

const r = (start: number, end: number): TrackedRange => ({ start, end, fresh: true });

test('edits before a range shift it; edits after it do nothing', () => {
  const a = [r(10, 20)];
  shiftRanges(a, [{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]);
  assert.deepEqual(a, [r(13, 23)]);
  shiftRanges(a, [{ rangeOffset: 2, rangeLength: 5, text: '' }]);
  assert.deepEqual(a, [r(8, 18)]);
  shiftRanges(a, [{ rangeOffset: 30, rangeLength: 2, text: 'xyz' }]);
  assert.deepEqual(a, [r(8, 18)]);
  shiftRanges(a, [{ rangeOffset: 8, rangeLength: 0, text: '#' }]);
  assert.deepEqual(a, [r(9, 19)], 'typing right before the spec');
});

test('edits inside, at the end, and replacing the whole range keep it, stale', () => {
  const a = [r(10, 20)];
  shiftRanges(a, [{ rangeOffset: 12, rangeLength: 3, text: 'x' }]);
  assert.deepEqual(a, [{ start: 10, end: 18, fresh: false }]);
  const b = [r(10, 20)];
  shiftRanges(b, [{ rangeOffset: 20, rangeLength: 0, text: 'ab' }]);
  assert.deepEqual(b, [{ start: 10, end: 22, fresh: false }]);
  const c = [r(10, 20)];
  // Select the spec, type its replacement one character at a time.
  shiftRanges(c, [{ rangeOffset: 10, rangeLength: 10, text: '|' }]);
  assert.deepEqual(c, [{ start: 10, end: 11, fresh: false }]);
  for (let i = 0; i < 5; i++) shiftRanges(c, [{ rangeOffset: 11 + i, rangeLength: 0, text: 'x' }]);
  assert.deepEqual(c, [{ start: 10, end: 16, fresh: false }]);
});

test('several ranges and several changes (multi-cursor, given last first)', () => {
  const a = [r(0, 5), r(10, 15), r(20, 25)];
  shiftRanges(a, [
    { rangeOffset: 22, rangeLength: 0, text: 'yy' },
    { rangeOffset: 7, rangeLength: 1, text: '' },
  ]);
  assert.deepEqual(a, [r(0, 5), r(9, 14), { start: 19, end: 26, fresh: false }]);
});
