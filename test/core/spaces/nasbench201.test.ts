import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  encodeNasBench201Graph,
  encodeNasBench201OneHot,
  findNasBench201Cells,
  formatNasBench201Cell,
  nasBench201CellAt,
  nasBench201Index,
  nasBench201Space,
  parseNasBench201Cell,
  sampleNasBench201Cells,
} from '../../../src/core/spaces/nasbench201';
import { getSpace } from '../../../src/core/spaces/registry';
import { makeRng, SpecError } from '../../../src/core/spaces/space';

const data = path.resolve(__dirname, '..', '..', '..', 'data', 'nasbench201');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

function rejects(text: string, ...patterns: RegExp[]) {
  assert.throws(
    () => parseNasBench201Cell(text),
    (e: unknown) => {
      assert.ok(e instanceof SpecError, `SpecError for ${text}`);
      const msg = (e as Error).message;
      assert.ok(!msg.includes('\n'), 'one line');
      for (const p of patterns) assert.match(msg, p);
      return true;
    },
  );
}

test('parses the canonical form, with whitespace and quotes around it', () => {
  const c = parseNasBench201Cell(CELL);
  assert.deepEqual(c.ops, ['nor_conv_3x3', 'nor_conv_3x3', 'avg_pool_3x3', 'skip_connect', 'nor_conv_3x3', 'skip_connect']);
  assert.equal(formatNasBench201Cell(c), CELL);
  assert.equal(formatNasBench201Cell(parseNasBench201Cell(`  "${CELL}"\n`)), CELL);
  assert.equal(formatNasBench201Cell(parseNasBench201Cell(`'${CELL}'`)), CELL);
});

test('inputs in any order are canonicalised by input index', () => {
  const shuffled = '|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|skip_connect~0|nor_conv_3x3~1|';
  assert.equal(formatNasBench201Cell(parseNasBench201Cell(shuffled)), CELL);
});

test('every malformed cell gets a one-line error naming node, edge and problem', () => {
  rejects('', /empty/);
  rejects('   ', /empty/);
  rejects('|conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|', /node 1/, /edge 0->1/, /unknown operation "conv_5x5"/, /allowed: none, skip_connect/);
  rejects('|none~0|+|none~0|none~2|+|none~0|none~1|none~2|', /node 2/, /edge 2->2/, /wrong input index 2/);
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1|none~5|', /node 3/, /edge 5->3/, /wrong input index 5/);
  rejects('|none~0|+|none~0|none|+|none~0|none~1|none~2|', /node 2/, /no "~j" input index/);
  rejects('|none~0|+|none~0|none~1|', /missing node 3/);
  rejects('|none~0|', /missing node 2/);
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|', /extra node 4/);
  rejects('|none~0|+|none~0|+|none~0|none~1|none~2|', /node 2/, /edge 1->2/, /missing input 1/);
  rejects('|none~0|+|none~0|none~0|+|none~0|none~1|none~2|', /node 2/, /edge 0->2/, /given twice/);
  rejects('|none~0|+|none~0|none~1|none~1|+|none~0|none~1|none~2|', /node 2/, /given twice|wrong input/);
  rejects('x|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', /stray text before/);
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|abc', /stray text after/);
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1||none~2|', /node 3/, /empty input/);
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1|none~2~1|', /node 3/, /stray text/);
  assert.throws(() => nasBench201Space.parse(42), /expected a cell string/);
  assert.throws(() => getSpace('nasbench201').canonical(['x']), SpecError);
});

test('index lookup agrees with the official order for all 15,625 cells', () => {
  assert.equal(archs.length, 15625);
  for (let i = 0; i < archs.length; i++) {
    const c = parseNasBench201Cell(archs[i]);
    assert.equal(nasBench201Index(c), i);
    assert.equal(formatNasBench201Cell(nasBench201CellAt(i)), archs[i]);
  }
  assert.throws(() => nasBench201CellAt(15625), SpecError);
  assert.throws(() => nasBench201CellAt(-1), SpecError);
});

test('reference architectures match the dataset', () => {
  const refs = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
  assert.deepEqual(getSpace('nasbench201').referenceIndices, refs);
});

test('uniform sampling is deterministic by seed and covers the operations evenly', () => {
  const a = sampleNasBench201Cells(2000, makeRng(1));
  assert.deepEqual(sampleNasBench201Cells(2000, makeRng(1)), a);
  assert.notDeepEqual(sampleNasBench201Cells(50, makeRng(2)), a.slice(0, 50));
  const counts = new Map<string, number>();
  for (const c of a) for (const op of c.ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  assert.equal(counts.size, 5);
  for (const n of counts.values()) assert.ok(Math.abs(n / 12000 - 0.2) < 0.02, `share ${n / 12000}`);
});

test('graph encoding, hand-checked', () => {
  const g = encodeNasBench201Graph(parseNasBench201Cell(CELL));
  assert.equal(g.nodes, 9);
  assert.equal(g.features, 8);
  // columns: input, avg_pool_3x3, nor_conv_1x1, nor_conv_3x3, none, skip_connect, output, global
  const x = [
    [1, 0, 0, 0, 0, 0, 0, 0], // input
    [0, 0, 0, 1, 0, 0, 0, 0], // 0->1 nor_conv_3x3
    [0, 0, 0, 1, 0, 0, 0, 0], // 0->2 nor_conv_3x3
    [0, 1, 0, 0, 0, 0, 0, 0], // 1->2 avg_pool_3x3
    [0, 0, 0, 0, 0, 1, 0, 0], // 0->3 skip_connect
    [0, 0, 0, 1, 0, 0, 0, 0], // 1->3 nor_conv_3x3
    [0, 0, 0, 0, 0, 1, 0, 0], // 2->3 skip_connect
    [0, 0, 0, 0, 0, 0, 1, 0], // output
    [0, 0, 0, 0, 0, 0, 0, 1], // global
  ];
  assert.deepEqual(Array.from(g.x), x.flat());
  // adj[i][j] = 1 when information flows j -> i; self loops; global node both ways.
  const adj = [
    [1, 0, 0, 0, 0, 0, 0, 0, 1],
    [1, 1, 0, 0, 0, 0, 0, 0, 1],
    [1, 0, 1, 0, 0, 0, 0, 0, 1],
    [0, 1, 0, 1, 0, 0, 0, 0, 1],
    [1, 0, 0, 0, 1, 0, 0, 0, 1],
    [0, 1, 0, 0, 0, 1, 0, 0, 1],
    [0, 0, 1, 1, 0, 0, 1, 0, 1],
    [0, 0, 0, 0, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
  ];
  assert.deepEqual(Array.from(g.adj), adj.flat());
  const g2 = encodeNasBench201Graph(parseNasBench201Cell('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'));
  assert.deepEqual(Array.from(g2.adj), adj.flat(), 'the cell DAG is fixed; operations are node labels');
  for (let n = 1; n <= 6; n++) assert.equal(g2.x[n * 8 + 4], 1, 'none column');
  const oh = encodeNasBench201OneHot(parseNasBench201Cell(CELL));
  assert.deepEqual(Array.from(oh), [0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
});

test('finds cell strings inside source code and ignores near misses', () => {
  const py = `archs = [\n  "${CELL}",  # best\n  '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',\n  "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",\n]\n`;
  const found = findNasBench201Cells(py);
  assert.equal(found.length, 2);
  assert.equal(found[0].spec, CELL);
  assert.equal(py.slice(found[0].start, found[0].end), CELL);
});
