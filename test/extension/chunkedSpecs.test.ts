// findSpecs in chunks (what the editor runs on every rescan): the same specs, with the same ranges, as
// findSpecs on the whole text, and after an edit only the chunks it touched are read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSpecs } from '../../src/core/spaces/findSpecs';
import { ChunkedSpecFinder, chunkStarts, findSpecsChunked } from '../../src/extension/chunkedSpecs';
import { specDocument } from '../../bench/specDoc.mjs';

const root = path.resolve(__dirname, '..', '..');
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const FBNET: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'fbnet', 'architectures.json'), 'utf8'))[0];
const OFA = JSON.parse(fs.readFileSync(path.join(root, 'data', 'ofa', 'architectures.json'), 'utf8'))[0];
const HAT_DIR = path.join(root, 'data', 'examples', 'hat');
const HAT = fs.readFileSync(path.join(HAT_DIR, fs.readdirSync(HAT_DIR)[0]), 'utf8').trim();

/** Chunked (every cut candidate cutting, and the default) equals whole-text findSpecs. */
function same(text: string, what: string, expectCount?: number): void {
  const full = findSpecs(text);
  if (expectCount !== undefined) assert.equal(full.length, expectCount, `${what}: specs in the whole text`);
  assert.deepEqual(new ChunkedSpecFinder(1).find(text), full, `${what} (every cut line)`);
  assert.deepEqual(findSpecsChunked(text), full, what);
}

test('the benchmark documents: 1,000 and 5,000 lines, all four spaces in eight forms', () => {
  for (const [lines, specs, seed] of [[1000, 40, 1], [5000, 200, 1], [3000, 120, 7]]) {
    const { text } = specDocument({ lines, specs, seed });
    same(text, `${lines} lines`, specs);
    assert.ok(chunkStarts(text).length > lines / 50, 'cut into many chunks');
  }
});

test('example and fixture files', () => {
  const dirs = [path.join(root, 'test', 'e2e', 'fixtures'), HAT_DIR, path.join(root, 'data', 'examples', 'hat-official')];
  const files = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => !f.endsWith('.onnx')).map((f) => path.join(d, f)));
  assert.ok(files.length > 10);
  for (const f of files) same(fs.readFileSync(f, 'utf8'), f);
});

test('multi-line specs whose lines look like statements stay whole', () => {
  const cases: [string, string][] = [
    ['an FBNet YAML flow list, one op per line at column 0', `x = 1\nops: [\n${FBNET.join(',\n')}\n]\ny = 2\n`],
    ['an FBNet YAML flow list whose comments hold brackets', `x = 1\nops: [  # see (a)\n${FBNET.join(',  # ) ] }\n')}\n]\ny = 2\n`],
    ['an FBNet Python list with comments holding brackets', `fb = [  # (first\n${FBNET.map((o) => `"${o}",  # ) ]`).join('\n')}\n]\nz = 3\n`],
    ['an OFA dict over many lines', `cfg = {\n'ks': [\n${OFA.ks.join(',\n')}],\n'e': ${JSON.stringify(OFA.e)},\n'd': ${JSON.stringify(OFA.d)},\n'r': ${OFA.r}}\nrun(cfg)\n`],
    ['pretty-printed JSON of an OFA config', `${JSON.stringify(OFA, null, 2)}\n`],
    ['an OFA config whose key ks is written with a \\u escape', `x = 1\ncfg = ${JSON.stringify(OFA).replace('"ks"', '"\\u006bs"')}\n`],
    ['a HAT YAML block between statements', `import os\nprint(os.name)\n${HAT}\nrun_it = True\nother()\n`],
    ['a HAT YAML block indented under a key, CRLF', `model:\r\n${HAT.split('\n').map((l) => (l.trim() ? `  ${l}` : l)).join('\r\n')}\r\nafter = 1\r\n`],
    ['HAT nested dict over lines', `best = {'encoder': {'encoder_embed_dim': 512, 'encoder_layer_num': 6,\n  'encoder_ffn_embed_dim': [3072, 3072, 3072, 2048, 3072, 3072],\n  'encoder_self_attention_heads': [8, 8, 4, 8, 8, 8]},\n 'decoder': {'decoder_embed_dim': 512, 'decoder_layer_num': 2,\n  'decoder_ffn_embed_dim': [3072, 3072], 'decoder_self_attention_heads': [8, 8],\n  'decoder_ende_attention_heads': [8, 8], 'decoder_arbitrary_ende_attn': [1, 1]}}\nprint(best)\n`],
    ['cells after strings and f-strings with brackets', `s = "(["\nt = f"{x} {"\nc = '${CELL}'\nu = ')]'\nd = "${CELL}"\n`],
    ['an unclosed bracket, then specs', `call(\n${Array.from({ length: 300 }, (_, i) => `line_${i} = ${i}`).join('\n')}\ncell = "${CELL}"\nfb = ${JSON.stringify(FBNET)}\n`],
    ['markdown prose with specs', `# Results\n\nThe best cell (found in 3 h) is \`${CELL}\`; it's fast.\n\nThen [see] the OFA net ${JSON.stringify(OFA)} and\nfrom here on ${JSON.stringify(FBNET)}\n`],
  ];
  for (const [what, text] of cases) {
    assert.ok(findSpecs(text).length > 0, `${what}: has specs`);
    same(text, what);
  }
});

test('after an edit only the touched chunks are cut and read again, and results stay exact', () => {
  for (const every of [8, 1]) {
    const { text } = specDocument({ lines: 2000, specs: 80, seed: 3 });
    const finder = new ChunkedSpecFinder(every);
    finder.find(text);
    assert.ok(finder.lastChunks > 50);
    let t = text;
    // Deterministic edits: single characters (in specs and code, newlines, brackets, quotes, comment
    // marks), deletions, a pasted block, at the very start and the very end.
    const edits: [number, number, string][] = [];
    for (let i = 0; i < 80; i++) edits.push([(i * 104729) % (t.length - 50), i % 7 === 3 ? 1 + (i % 4) : 0, ['x', '\n', '(', ')', '#', '"', 'k', ' ', ']', '{', ''][i % 11]]);
    edits.push([0, 0, 'def f():\n'], [0, 9, ''], [t.length - 1, 0, `\ncell = "${CELL}"\n`], [1000, 0, `${HAT}\n`], [5000, 3000, '']);
    // A same-length rewrite of a long stretch (3 <-> 5: other FBNet ops, OFA kernels, broken cells), so that
    // cut lines inside the change fall where cut lines were before.
    const swap = (a: number) => [a, 6000, t.slice(a, a + 6000).replace(/[35]/g, (c: string) => (c === '3' ? '5' : '3'))] as [number, number, string];
    edits.push(swap(2000), swap(30000));
    edits.forEach(([at, len, ins], i) => {
      t = t.slice(0, at) + ins + t.slice(Math.min(t.length, at + len));
      const got = finder.find(t);
      assert.deepEqual(finder.chunkOffsets, chunkStarts(t, every), `edit ${i}: chunks as cut from scratch`);
      assert.deepEqual(got, new ChunkedSpecFinder(every).find(t), `edit ${i}: specs as found from scratch`);
      if (len === 0 && ins.length === 1) assert.ok(finder.lastScanned <= 3, `edit ${i}: ${finder.lastScanned} chunks read again`);
      if (i % 20 === 0 || i >= 80) assert.deepEqual(got, findSpecs(t), `edit ${i}: as findSpecs on the whole text`);
    });
    // The same text again, and undoing to the first text: nothing new to read.
    finder.find(t);
    assert.equal(finder.lastScanned, 0);
  }
});
