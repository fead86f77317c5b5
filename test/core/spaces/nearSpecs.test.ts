// nearSpecs: text that is almost a spec gets the parser's message and, where obvious, a fix; ordinary text
// (the repository's own sources and docs, prose and code with pipes, tildes and string lists) gets nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { editDistance, findNearSpecs, MAX_NEAR_SPECS, NearSpec } from '../../../src/core/spaces/nearSpecs';
import { findSpecs } from '../../../src/core/spaces/findSpecs';
import { getSpace } from '../../../src/core/spaces/registry';
import { ScanBudget } from '../../../src/core/spaces/scanBudget';

const root = path.resolve(__dirname, '..', '..', '..');
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const FBNET: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'fbnet', 'architectures.json'), 'utf8'))[0];
const OFA = JSON.parse(fs.readFileSync(path.join(root, 'data', 'ofa', 'architectures.json'), 'utf8'))[0];

const near = (t: string) => findNearSpecs(t, findSpecs(t));

/** Applies a near-miss's first fix to the text. */
function applyFix(t: string, n: NearSpec): string {
  const f = n.fixes[0];
  return t.slice(0, f.start) + f.text + t.slice(f.end);
}

function one(t: string): NearSpec {
  const found = near(t);
  assert.equal(found.length, 1, `one near-miss in ${t.slice(0, 60)}: ${JSON.stringify(found)}`);
  return found[0];
}

test('NB201: an unknown op gets the parser message and the nearest op as the preferred fix', () => {
  const t = `arch = "${CELL.replace('nor_conv_3x3~0', 'nor_conv_5x5~0')}"`;
  const n = one(t);
  assert.equal(n.space, 'nasbench201');
  assert.match(n.message, /node 1, edge 0->1: unknown operation "nor_conv_5x5" \(allowed: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3\)/);
  assert.equal(t.slice(n.problemStart, n.problemEnd), 'nor_conv_5x5');
  assert.deepEqual(n.fixes.map((f) => f.text), ['nor_conv_3x3']);
  assert.equal(n.fixes[0].title, 'Replace with `nor_conv_3x3`');
  assert.equal(n.preferred, true);
  const fixed = applyFix(t, n);
  assert.deepEqual(findSpecs(fixed).map((s) => s.spec), [CELL]);
  assert.deepEqual(near(fixed), []);
});

test('NB201: an input index out of range gets the nearest free index', () => {
  const t = `| a | ${CELL.replace('|+|nor_conv_3x3~0|avg_pool_3x3~1|', '|+|nor_conv_3x3~0|avg_pool_3x3~3|')} |`;
  const n = one(t);
  assert.match(n.message, /node 2, edge 3->2: wrong input index 3 \(node 2 takes inputs 0\.\.1\)/);
  assert.equal(t.slice(n.problemStart, n.problemEnd), '~3');
  assert.deepEqual(n.fixes.map((f) => f.text), ['1']);
  assert.equal(findSpecs(applyFix(t, n)).length, 1);
  // Node 1 with ~3: only 0 is possible.
  const first = one(CELL.replace('nor_conv_3x3~0|+', 'nor_conv_3x3~3|+'));
  assert.match(first.message, /node 1, edge 3->1: wrong input index 3/);
  assert.deepEqual(first.fixes.map((f) => f.text), ['0']);
});

test('NB201: inputs without "~j" get the index added; a missing node is reported without a fix', () => {
  const bare = CELL.replace(/~\d/g, '');
  const n = one(`x = '${bare}'`);
  assert.match(n.message, /node 1: input "nor_conv_3x3" has no "~j" input index/);
  assert.deepEqual(n.fixes.map((f) => [f.start, f.end, f.text]), [[5 + '|nor_conv_3x3'.length, 5 + '|nor_conv_3x3'.length, '~0']]);
  // Fixing one input at a time ends in the cell (each fix adds the index the input's position suggests).
  let t = `x = '${bare}'`;
  for (let i = 0; i < 6; i++) t = applyFix(t, one(t));
  assert.deepEqual(findSpecs(t).map((s) => s.spec), [CELL]);

  const missing = one(`cell: |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|`);
  assert.match(missing.message, /missing node 3 \(expected 3 nodes separated by "\+", found 2\)/);
  assert.deepEqual(missing.fixes, []);
  const missingInput = one('|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
  assert.match(missingInput.message, /node 2, edge 1->2: missing input 1/);
});

test('FBNet: a misspelt op in a list of 22, and a list of the wrong length', () => {
  const ops = FBNET.slice();
  ops[4] = 'k5_e7';
  const t = `ops = ${JSON.stringify(ops)}`;
  const n = one(t);
  assert.equal(n.space, 'fbnet');
  assert.match(n.message, /layer 5 \(index 4\): unknown op "k5_e7" \(allowed: k3_e1, /);
  assert.equal(t.slice(n.problemStart, n.problemEnd), 'k5_e7');
  assert.ok(n.fixes.length > 0 && n.fixes.every((f) => /^k5_e/.test(f.text)));
  const fixed = applyFix(t, n);
  assert.equal(findSpecs(fixed).length, 1);

  const short = one(`ops = (${FBNET.slice(1).map((o) => `'${o}'`).join(', ')})`);
  assert.match(short.message, /expected 22 ops \(one per searchable layer\), got 21/);
  assert.deepEqual(short.fixes, []);

  // A YAML block list with one unknown op.
  const yaml = `ops:\n${ops.map((o) => `  - ${o}`).join('\n')}\n`;
  const b = one(yaml);
  assert.equal(yaml.slice(b.problemStart, b.problemEnd), 'k5_e7');
});

test('OFA and HAT: a value out of the space is named and replaced by the nearest allowed value', () => {
  const ofa = { ...OFA, r: 226 };
  const t = `cfg = ${JSON.stringify(ofa)}`;
  const n = one(t);
  assert.equal(n.space, 'ofa');
  assert.match(n.message, /^OFA spec: r = 226 \(allowed: 128\.\.224 in steps of 4\)$/);
  assert.deepEqual(n.fixes.map((f) => f.text), ['224']);
  assert.equal(findSpecs(applyFix(t, n)).length, 1);
  const ks = { ...OFA, ks: OFA.ks.map((k: number, i: number) => (i === 7 ? 9 : k)) };
  const k = one(`cfg = ${JSON.stringify(ks)}`);
  assert.match(k.message, /ks\[7\] = 9 \(allowed: 3, 5, 7\)/);
  assert.deepEqual(k.fixes.map((f) => f.text), ['7']);
  // A wrong length is named, without a fix.
  const len = one(`cfg = ${JSON.stringify({ ...OFA, d: [2, 3, 4] })}`);
  assert.match(len.message, /d has 3 entries \(expected 5: depth per stage\)/);

  const hat = {
    'encoder-embed-dim-subtransformer': 600,
    'decoder-embed-dim-subtransformer': 512,
    'encoder-ffn-embed-dim-all-subtransformer': [3072, 3072, 3072, 3072, 3072, 3072],
    'decoder-ffn-embed-dim-all-subtransformer': [2048, 2048],
    'encoder-layer-num-subtransformer': 6,
    'decoder-layer-num-subtransformer': 2,
    'encoder-self-attention-heads-all-subtransformer': [8, 8, 8, 8, 8, 8],
    'decoder-self-attention-heads-all-subtransformer': [8, 8],
    'decoder-ende-attention-heads-all-subtransformer': [8, 8],
    'decoder-arbitrary-ende-attn-all-subtransformer': [-1, -1],
  };
  const h = `hat = ${JSON.stringify(hat)}`;
  const hn = one(h);
  assert.equal(hn.space, 'hat');
  assert.match(hn.message, /encoder-embed-dim-subtransformer = 600 \(allowed: 640, 512\)/);
  assert.deepEqual(hn.fixes.map((f) => f.text), ['640']);
  assert.equal(getSpace('hat').canonical(JSON.parse(applyFix(h, hn).slice(6))), findSpecs(applyFix(h, hn))[0].spec);
});

test('OFA and HAT as YAML block mappings (HAT subtransformer/*.yml): the value is named and fixed', () => {
  const yml = fs.readFileSync(path.join(root, 'test', 'e2e', 'fixtures', 'subtransformer.yml'), 'utf8');
  assert.deepEqual(near(yml), []);
  const bad = yml.replace(/decoder-layer-num-subtransformer: \d+/, 'decoder-layer-num-subtransformer: 0');
  const n = one(bad);
  assert.equal(n.space, 'hat');
  assert.match(n.message, /^HAT config: decoder-layer-num-subtransformer = 0 \(allowed: 6, 5, 4, 3, 2, 1\)$/);
  assert.equal(bad.slice(n.problemStart, n.problemEnd), '0');
  assert.deepEqual(n.fixes.map((f) => f.text), ['1']);
  assert.equal(findSpecs(applyFix(bad, n)).length, 1);
  // HAT's own files write lists as "- 3072" lines.
  const block = bad
    .replace(/decoder-layer-num-subtransformer: 0/, 'decoder-layer-num-subtransformer: 2')
    .replace(/decoder-ffn-embed-dim-all-subtransformer: \[[^\]]*\]/, 'decoder-ffn-embed-dim-all-subtransformer:\n  - 3072\n  - 3000');
  const b = one(block);
  assert.match(b.message, /^HAT config: decoder-ffn-embed-dim-all-subtransformer\[1\] = 3000 \(allowed: 3072, 2048, 1024\)$/);
  assert.equal(block.slice(b.problemStart, b.problemEnd), '3000');
  assert.deepEqual(b.fixes.map((f) => f.text), ['3072']);
  assert.equal(findSpecs(applyFix(block, b)).length, 1);
  const ofa = `arch:\n  ks: ${JSON.stringify(OFA.ks)}\n  e: ${JSON.stringify(OFA.e)}\n  d: [2, 3, 4, 5, 2]\n  r: 224\n`;
  const o = one(ofa);
  assert.match(o.message, /^OFA spec: d\[3\] = 5 \(allowed: 2, 3, 4\)$/);
  assert.deepEqual(o.fixes.map((f) => f.text), ['4']);
  assert.equal(findSpecs(applyFix(ofa, o)).length, 1);
});

test('no false flags: prose and code with pipes, tildes, plus signs and lists of strings', () => {
  const negatives = [
    'a|b|c+d|e~1|f',
    '| none | skip_connect |\n|---|---|\n| nor_conv_3x3~0 | x |',
    'x = a | b + c | ~d',
    '|none~0|',
    'echo foo | grep bar + baz | sort ~/x',
    'flags = ["-O2", "-g", "-Wall", "-Wextra", "-o", "out", "-c", "x.c", "y.c", "z.c", "-lm", "-lpthread", "-I", "inc", "-D", "X"]',
    `words = ${JSON.stringify(Array.from({ length: 22 }, (_, i) => (i % 2 ? 'skip' : 'jump')))}`,
    `few = ${JSON.stringify(FBNET.slice(0, 10).concat(['x']))}`,
    'const o = { ks: arch.ks, e: arch.e, d: arch.d, r: arch.r };',
    'ks: kernel sizes\ne: expansion ratios\nd: depths\nr: resolution\n',
    'encoder-layers: 6\nencoder-embed-dim: 512\ndecoder-layers: 6\n',
    "opts = {'encoder-embed-dim-subtransformer': embed, 'decoder-embed-dim-subtransformer': embed}",
    '||+||+||',
    '|skip_connect|+|none|',
  ];
  for (const t of negatives) assert.deepEqual(near(t), [], t);
});

test('no false flags in the repository: src/, README.md, test/e2e/fixtures, data/examples', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|js|md|json|py|txt|ya?ml)$/.test(e.name)) files.push(p);
    }
  };
  for (const d of ['src', path.join('test', 'e2e', 'fixtures'), path.join('data', 'examples')]) walk(path.join(root, d));
  files.push(path.join(root, 'README.md'));
  assert.ok(files.length > 50);
  for (const f of files) {
    const t = fs.readFileSync(f, 'utf8');
    assert.deepEqual(near(t).map((n) => `${n.space}: ${n.message}`), [], path.relative(root, f));
  }
});

test('valid specs are not near-misses; a near-miss inside a valid spec is dropped', () => {
  const t = `a = "${CELL}"\nb = ${JSON.stringify(FBNET)}\nc = ${JSON.stringify(OFA)}`;
  assert.deepEqual(near(t), []);
});

test('linear and budgeted: a megabyte of cell-like and list-like text', () => {
  const bad = CELL.replace('nor_conv_3x3~0|+', 'nor_conv_5x5~0|+');
  const big = `${bad} `.repeat(10_000) + '['.repeat(200_000) + `("skip", `.repeat(50_000) + '|nor_conv_3x3~0|+'.repeat(20_000);
  const t0 = Date.now();
  const found = findNearSpecs(big, [], ScanBudget.forText(big.length, 60_000));
  // Reported up to the cap, in text order.
  assert.equal(found.length, MAX_NEAR_SPECS);
  assert.equal(found[1].start, bad.length + 1);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  // A small budget stops the scan early and says so.
  const budget = new ScanBudget(1000);
  const some = findNearSpecs(big, [], budget);
  assert.ok(some.length < MAX_NEAR_SPECS);
  assert.ok(budget.exceeded);
});

test('edit distance: digits near each other are nearer', () => {
  assert.ok(editDistance('nor_conv_5x5', 'nor_conv_3x3') < editDistance('nor_conv_5x5', 'nor_conv_1x1'));
  assert.equal(editDistance('skip', 'skip'), 0);
  assert.equal(editDistance('skp', 'skip'), 1);
});

test('NB201: no fix for a problem the fix finder does not see (an empty input before a bad op)', () => {
  const n = one('|nor_conv_3x3~0||+|nor_conv_3x3~0|nor_conv_5x5~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|');
  assert.match(n.message, /node 1: empty input/);
  assert.deepEqual(n.fixes, []);
});
