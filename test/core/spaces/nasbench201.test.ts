import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  nasBench201CostFeatures,
  encodeNasBench201Graph,
  encodeNasBench201OneHot,
  findNasBench201Cells,
  formatNasBench201Cell,
  nasBench201CellAt,
  nasBench201Index,
  nasBench201Space,
  NasBench201Cell,
  parseNasBench201Cell,
  sampleNasBench201Cells,
} from '../../../src/core/spaces/nasbench201';
import { resolveWeightsDir } from '../../../src/core/paths';
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
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1|none~02|', /node 3/, /wrong input index 02/);
  rejects('|none~0|++|none~0|none~1|+|none~0|none~1|none~2|', /node 2/, /empty/, /stray "\+"/);
  rejects('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\n|none~0|', /node 3/, /stray text/); // still one line
  rejects('|none~0|+|none ~0|none~1|+|none~0|none~1|none~2|', /node 2/, /stray text "none ~0"/);
  rejects('"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', /stray text before/); // unbalanced quote
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
  assert.throws(() => nasBench201CellAt(1.5), SpecError);
  // Cells built in code bypass the parser: an invalid one must not map to some index.
  const bad = { ops: ['none', 'none', 'conv_5x5', 'none', 'none', 'none'] } as unknown as NasBench201Cell;
  assert.throws(() => nasBench201Index(bad), /node 2, edge 1->2: unknown operation "conv_5x5"/);
  assert.throws(() => nasBench201Index({ ops: [] }), SpecError);
});

test('reference architectures match the dataset', () => {
  const refs = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
  assert.deepEqual(getSpace('nasbench201').references, refs.map((i: number) => getSpace('nasbench201').index!.specAt(i)));
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
  // A second cell: every operation once or more; inputs written out of order.
  const g2 = encodeNasBench201Graph(parseNasBench201Cell('|none~0|+|nor_conv_1x1~1|skip_connect~0|+|avg_pool_3x3~2|none~0|nor_conv_3x3~1|'));
  const x2 = [
    [1, 0, 0, 0, 0, 0, 0, 0], // input
    [0, 0, 0, 0, 1, 0, 0, 0], // 0->1 none
    [0, 0, 0, 0, 0, 1, 0, 0], // 0->2 skip_connect
    [0, 0, 1, 0, 0, 0, 0, 0], // 1->2 nor_conv_1x1
    [0, 0, 0, 0, 1, 0, 0, 0], // 0->3 none
    [0, 0, 0, 1, 0, 0, 0, 0], // 1->3 nor_conv_3x3
    [0, 1, 0, 0, 0, 0, 0, 0], // 2->3 avg_pool_3x3
    [0, 0, 0, 0, 0, 0, 1, 0], // output
    [0, 0, 0, 0, 0, 0, 0, 1], // global
  ];
  assert.deepEqual(Array.from(g2.x), x2.flat());
  assert.deepEqual(Array.from(g2.adj), adj.flat(), 'the cell DAG is fixed; operations are node labels');
  const oh = encodeNasBench201OneHot(parseNasBench201Cell(CELL));
  assert.deepEqual(Array.from(oh), [0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
});

test('finds cell strings inside source code and ignores near misses', () => {
  const py = `archs = [\n  "${CELL}",  # best\n  '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',\n  "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",\n]\n`;
  const found = findNasBench201Cells(py);
  assert.equal(found.length, 2);
  assert.equal(found[0].spec, CELL);
  assert.equal(py.slice(found[0].start, found[0].end), CELL);
  assert.equal(found[1].spec, '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
  assert.equal(py[found[1].start - 1], "'");
});

test('finds cells written out of order or in a Markdown table, not prefixes of longer strings', () => {
  const shuffled = '|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|skip_connect~0|nor_conv_3x3~1|';
  const md = `| arch | acc |\n|---|---|\n| \`${shuffled}\` | 93.1 |\n|${CELL}|93.7|\n`;
  const found = findNasBench201Cells(md);
  assert.deepEqual(found.map((f) => f.spec), [CELL, CELL]);
  assert.equal(md.slice(found[0].start, found[0].end), shuffled);
  // A fourth node or text glued to the front makes the whole string something else: no match.
  const four = `"${CELL}+|none~0|"`;
  assert.deepEqual(findNasBench201Cells(four), []);
  assert.deepEqual(findNasBench201Cells(`x = y${CELL}`), []);
  assert.deepEqual(findNasBench201Cells('no cells here | a | b |'), []);
});

test('weights dir: HELP_WEIGHTS_DIR wins, else weights/ beside package.json', () => {
  const saved = process.env.HELP_WEIGHTS_DIR;
  try {
    delete process.env.HELP_WEIGHTS_DIR;
    const dir = resolveWeightsDir();
    assert.ok(fs.existsSync(path.join(dir, '..', 'package.json')));
    assert.equal(fs.statSync(path.join(dir, 'nasbench201-index.bin')).size, 2 * 15625);
    process.env.HELP_WEIGHTS_DIR = '/elsewhere';
    assert.equal(resolveWeightsDir(), '/elsewhere');
  } finally {
    if (saved === undefined) delete process.env.HELP_WEIGHTS_DIR;
    else process.env.HELP_WEIGHTS_DIR = saved;
  }
});

test('cost features count the computing ops of the cell (none is the rest)', () => {
  const cell = parseNasBench201Cell('|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|');
  // skip, 1x1, 3x3, pool
  assert.deepEqual(nasBench201CostFeatures(cell), [1, 1, 2, 1]);
  assert.deepEqual(nasBench201CostFeatures(parseNasBench201Cell('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|')), [0, 0, 0, 0]);
  assert.deepEqual(getSpace('nasbench201').costFeatures!('|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|'), [0, 0, 0, 6]);
});
