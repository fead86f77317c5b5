// Rewriting a spec in a document to another architecture keeps its written form (quotes, brackets, comments,
// key order, layout): only the values that change are replaced. And the edits in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteSpec } from '../../src/extension/specRewrite';
import { describeEdits } from '../../src/extension/archDiff';
import { findSpecs } from '../../src/core/spaces/findSpecs';
import { formatFbnetSpec, parseFbnetSpec } from '../../src/core/spaces/fbnet';
import { formatOfaSpec, parseOfaSpec } from '../../src/core/spaces/ofa';
import { fbnetEdits, nb201Edits, ofaEdits } from '../../src/core/nas/nearest';

/** The one spec of `doc`, rewritten to `target` in place: the new document, and the spec found in it. */
function rewriteIn(doc: string, target: string) {
  const [s] = findSpecs(doc);
  assert.ok(s, 'a spec in the document');
  const r = rewriteSpec(s.space as 'nasbench201' | 'fbnet' | 'ofa', doc.slice(s.start, s.end), target);
  const out = doc.slice(0, s.start) + r.text + doc.slice(s.end);
  const found = findSpecs(out);
  assert.equal(found.length, 1, `one spec after rewriting:\n${out}`);
  assert.equal(found[0].start, s.start);
  return { out, spec: found[0].spec, inPlace: r.inPlace };
}

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const CELL2 = '|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|';

test('NAS-Bench-201: a cell string stays a cell string, quotes and input order kept', () => {
  const doc = `genotype = "${CELL}"  # from the paper\nother = 1\n`;
  const r = rewriteIn(doc, CELL2);
  assert.equal(r.out, `genotype = "${CELL2}"  # from the paper\nother = 1\n`);
  assert.equal(r.spec, CELL2);
  assert.ok(r.inPlace);
  // Inputs written out of order stay in their order; each gets its edge's new op.
  const unordered = "cell: '|nor_conv_3x3~0|+|avg_pool_3x3~1|nor_conv_3x3~0|+|skip_connect~2|nor_conv_3x3~1|skip_connect~0|'";
  const u = rewriteIn(unordered, CELL2);
  assert.equal(u.out, "cell: '|nor_conv_3x3~0|+|avg_pool_3x3~1|skip_connect~0|+|skip_connect~2|nor_conv_1x1~1|skip_connect~0|'");
  assert.equal(u.spec, CELL2);
});

const FB = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip', 'k3_e1', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e3', 'k5_e6', 'skip', 'k3_e6', 'k5_e6', 'k3_e1', 'k3_e3', 'k5_e3', 'k3_e6'];
const FB2 = FB.map((op, l) => (l === 2 ? 'skip' : l === 7 ? 'k3_e6' : l === 21 ? 'k5_e1_g2' : op));

test('FBNet: JSON, Python and bare lists keep their quotes, brackets and spacing', () => {
  const target = formatFbnetSpec({ ops: FB2 });
  const json = `{"arch": ${JSON.stringify(FB)}}`;
  assert.equal(rewriteIn(json, target).out, `{"arch": ${JSON.stringify(FB2)}}`);
  const py = `arch = (${FB.map((o) => `'${o}'`).join(', ')},)`;
  const p = rewriteIn(py, target);
  assert.equal(p.out, `arch = (${FB2.map((o) => `'${o}'`).join(', ')},)`);
  assert.equal(p.spec, target);
  const bare = `ops: [${FB.join(',')}]`;
  assert.equal(rewriteIn(bare, target).out, `ops: [${FB2.join(',')}]`);
});

test('FBNet: a multi-line list with comments naming ops, and a YAML block list, rewritten in place', () => {
  const target = formatFbnetSpec({ ops: FB2 });
  const lines = (ops: string[]) => ops.map((o, l) => `    "${o}",${l === 2 ? '  # was skip in v1' : ''}${l === 7 ? ' // k5_e6 is slow' : ''}`).join('\n');
  const multi = `layers = [\n${lines(FB)}\n]\n`;
  const m = rewriteIn(multi, target);
  assert.equal(m.out, `layers = [\n${lines(FB2)}\n]\n`);
  assert.ok(m.inPlace);
  const block = (ops: string[]) => `model:\n  ops:\n${ops.map((o, l) => `    - ${l % 2 ? `'${o}'` : o}${l === 0 ? '   # stem-adjacent' : ''}`).join('\n')}\n  lr: 0.1\n`;
  const b = rewriteIn(block(FB), target);
  assert.equal(b.out, block(FB2));
  assert.equal(b.spec, target);
});

const OFA = {
  ks: [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5],
  e: [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4],
  d: [2, 3, 4, 2, 3],
  r: 224,
};
const OFA2 = { ...OFA, ks: OFA.ks.map((k, i) => (i === 4 || i === 7 ? 3 : k)), e: OFA.e.map((x, i) => (i === 0 ? 6 : x)), d: [2, 2, 4, 2, 3], r: 192 };

test('OFA: OFA net config JSON (one value a line, wid null, its key order) keeps its layout', () => {
  const target = formatOfaSpec(OFA2);
  const json = (a: typeof OFA) => JSON.stringify({ wid: null, ks: a.ks, e: a.e, d: a.d, r: a.r }, null, 4);
  const r = rewriteIn(json(OFA), target);
  assert.equal(r.out, json(OFA2));
  assert.equal(r.spec, target);
  assert.ok(r.inPlace);
  // Compact JSON in a Python file, single quotes, None.
  const py = (a: typeof OFA) => `cfg = {'ks': [${a.ks.join(', ')}], 'e': [${a.e.join(', ')}], 'd': [${a.d.join(', ')}], 'r': ${a.r}, 'wid': None}`;
  assert.equal(rewriteIn(py(OFA), target).out, py(OFA2));
});

test('OFA: YAML block mappings, flow lists or block lists, comments, any key order', () => {
  const target = formatOfaSpec(OFA2);
  const yaml = (a: typeof OFA) => `# searched config\nr: ${a.r}  # input size\nd: [${a.d.join(', ')}]\nks: [${a.ks.join(', ')}]\ne: [${a.e.join(', ')}]\n`;
  const y = rewriteIn(yaml(OFA), target);
  assert.equal(y.out, yaml(OFA2));
  assert.equal(y.spec, target);
  const nested = (a: typeof OFA) => `net:\n  ks:\n${a.ks.map((k) => `  - ${k}`).join('\n')}\n  e: [${a.e.join(', ')}]   # e 6 everywhere? no\n  d: [${a.d.join(', ')}]\n  r: ${a.r}\n`;
  const n = rewriteIn(nested(OFA), target);
  assert.equal(n.out, nested(OFA2));
  assert.equal(n.spec, target);
});

test('unrecognised written forms are rendered anew in the same family; bad targets throw', () => {
  // Not 22 op names (the written text lost one): a plain flow list with the written quotes.
  const r = rewriteSpec('fbnet', `['k3_e1']`, formatFbnetSpec({ ops: FB2 }));
  assert.equal(r.inPlace, false);
  assert.equal(r.text, `[${FB2.map((o) => `'${o}'`).join(', ')}]`);
  assert.deepEqual(parseFbnetSpec(r.text).ops, FB2);
  const o = rewriteSpec('ofa', '{}', formatOfaSpec(OFA2));
  assert.equal(o.inPlace, false);
  assert.deepEqual(parseOfaSpec(o.text), OFA2);
  assert.equal(rewriteSpec('nasbench201', 'garbage', CELL2).text, CELL2);
  assert.throws(() => rewriteSpec('nasbench201', CELL, '|nope~0|'), /cannot rewrite to nasbench201 architecture/);
});

test('edits in words match the edit distance of the search', () => {
  const nb = describeEdits('nasbench201', CELL, CELL2);
  assert.deepEqual(nb, ['edge 0→2: nor_conv_3x3 → skip_connect', 'edge 1→3: nor_conv_3x3 → nor_conv_1x1']);
  assert.equal(nb.length, nb201Edits.distance(CELL, CELL2));
  const fb = describeEdits('fbnet', formatFbnetSpec({ ops: FB }), formatFbnetSpec({ ops: FB2 }));
  assert.deepEqual(fb, ['layer 3: k3_e3 → skip', 'layer 8: k5_e6 → k3_e6', 'layer 22: k3_e6 → k5_e1_g2']);
  assert.equal(fb.length, fbnetEdits.distance(formatFbnetSpec({ ops: FB }), formatFbnetSpec({ ops: FB2 })));
  const of = describeEdits('ofa', formatOfaSpec(OFA), formatOfaSpec(OFA2));
  // Block 2.4 (slot 7) lies beyond stage 2's depth: its kernel change is no edit.
  assert.deepEqual(of, ['stage 2 depth 3 → 2', 'block 1.1 expansion 3 → 6', 'block 2.1 kernel 5 → 3', 'resolution 224 → 192']);
  assert.equal(of.length, ofaEdits.distance(formatOfaSpec(OFA), formatOfaSpec(OFA2)));
  assert.deepEqual(describeEdits('hat', 'a', 'b'), []);
});
