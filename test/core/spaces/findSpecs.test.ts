// findSpecs: the specs of every space in one text, with ranges, sorted, without nested duplicates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSpecs, specAt } from '../../../src/core/spaces/findSpecs';
import { getSpace } from '../../../src/core/spaces/registry';

const data = path.resolve(__dirname, '..', '..', '..', 'data');
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const FBNET = JSON.parse(fs.readFileSync(path.join(data, 'fbnet', 'architectures.json'), 'utf8'))[0];
const OFA = JSON.parse(fs.readFileSync(path.join(data, 'ofa', 'architectures.json'), 'utf8'))[0];
const HAT_DIR = path.join(data, 'examples', 'hat');
const HAT = fs.readFileSync(path.join(HAT_DIR, fs.readdirSync(HAT_DIR)[0]), 'utf8');

function text(): string {
  return [
    '# Architectures of four spaces in one Python file',
    `nb201 = "${CELL}"`,
    `fbnet = ${JSON.stringify(FBNET)}`,
    `ofa = ${JSON.stringify(OFA)}`,
    'hat = """',
    HAT.trim(),
    '"""',
    `and_again = '${CELL}'`,
  ].join('\n');
}

test('finds one spec of every space, in text order, with exact ranges', () => {
  const t = text();
  const found = findSpecs(t);
  assert.deepEqual(found.map((f) => f.space), ['nasbench201', 'fbnet', 'ofa', 'hat', 'nasbench201']);
  for (const f of found) {
    // The range holds the spec: parsing it gives the canonical spec reported.
    assert.equal(getSpace(f.space).canonical(t.slice(f.start, f.end)), f.spec, f.space);
    assert.equal(f.spec, getSpace(f.space).canonical(f.spec));
  }
  assert.equal(t.slice(found[0].start, found[0].end), CELL);
  assert.equal(t.slice(found[4].start, found[4].end), CELL);
  assert.ok(t.slice(found[3].start).startsWith('encoder-embed-dim-subtransformer'));
  for (let i = 1; i < found.length; i++) assert.ok(found[i].start >= found[i - 1].end, 'sorted, not overlapping');
});

test('a subset of spaces, and texts without specs', () => {
  assert.deepEqual(findSpecs(text(), ['fbnet']).map((f) => f.space), ['fbnet']);
  assert.deepEqual(findSpecs(''), []);
  assert.deepEqual(findSpecs('just prose, |nor_conv_3x3~0| and [1, 2, 3] and {"ks": 1}'), []);
});

test('a broken spec is not reported, its neighbours are', () => {
  const t = `a = "${CELL.replace('nor_conv_3x3~1', 'conv_9x9~1')}"\nb = "${CELL}"`;
  const found = findSpecs(t);
  assert.equal(found.length, 1);
  assert.equal(t.slice(found[0].start, found[0].end), CELL);
  assert.ok(found[0].start > t.indexOf('\n'));
});

test('CRLF line endings keep exact ranges', () => {
  const t = text().replace(/\n/g, '\r\n');
  const found = findSpecs(t);
  assert.equal(found.length, 5);
  for (const f of found) assert.equal(getSpace(f.space).canonical(t.slice(f.start, f.end)), f.spec, f.space);
});

test('specAt finds the spec under an offset, including its end', () => {
  const t = text();
  const found = findSpecs(t);
  const s = found[2];
  assert.equal(specAt(found, s.start), s);
  assert.equal(specAt(found, s.end), s);
  assert.equal(specAt(found, 0), undefined);
});
