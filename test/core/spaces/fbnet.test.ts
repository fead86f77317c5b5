import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  encodeFbnetOneHot,
  FBNET_OPS,
  fbnetSpace,
  findFbnetSpecs,
  formatFbnetSpec,
  parseFbnetSpec,
  sampleFbnet,
} from '../../../src/core/spaces/fbnet';
import { readLiteral } from '../../../src/core/spaces/literal';
import { makeRng, SpecError } from '../../../src/core/spaces/space';

const data = path.resolve(__dirname, '..', '..', '..', 'data', 'fbnet');
const archs: string[][] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));

// Every op once, then filler: 22 layers.
const OPS = [...FBNET_OPS, 'k3_e3', 'k3_e3', 'k5_e6', 'k5_e6', 'skip', 'k3_e1', 'k3_e1_g2', 'k5_e1', 'k5_e1_g2', 'k3_e6', 'k5_e3', 'k3_e3', 'k5_e6'];
const CANON = JSON.stringify(OPS);

function rejects(spec: unknown, ...patterns: RegExp[]) {
  assert.throws(
    () => parseFbnetSpec(spec),
    (e: unknown) => {
      assert.ok(e instanceof SpecError, `SpecError for ${String(spec).slice(0, 40)}`);
      const msg = (e as Error).message;
      assert.ok(!msg.includes('\n'), `one line: ${msg}`);
      assert.match(msg, /^FBNet spec: /);
      for (const p of patterns) assert.match(msg, p);
      return true;
    },
  );
}

test('the test spec has 22 layers and uses every op', () => {
  assert.equal(OPS.length, 22);
  for (const op of FBNET_OPS) assert.ok(OPS.includes(op));
});

test('parses every spec form to the same architecture', () => {
  const forms: unknown[] = [
    OPS,
    { ops: OPS },
    CANON,
    `  ${JSON.stringify(OPS, null, 2)}\n`,
    `[${OPS.join(', ')}]`, // YAML flow list
    OPS.map((o) => `- ${o}`).join('\n'), // YAML block list
    `# layers\n${OPS.map((o, i) => `  - '${o}'  # layer ${i + 1}`).join('\n')}\n`,
    `ops: [${OPS.join(', ')}]`,
    `ops:\n${OPS.map((o) => `  - ${o}`).join('\n')}`,
    `[${OPS.map((o) => `'${o}'`).join(', ')},]`, // Python, single quotes, trailing comma
    `[\n${OPS.map((o, i) => `    "${o}",  # ${i}`).join('\n')}\n]  # done`, // Python, comments
    `(${OPS.map((o) => `'${o}'`).join(', ')})`, // Python tuple
    OPS.join(', '), // bare comma-separated
    OPS.map((o) => `'${o}'`).join(','),
  ];
  for (const f of forms) {
    const a = parseFbnetSpec(f);
    assert.deepEqual(a.ops, OPS, `form: ${String(f).slice(0, 60)}`);
    assert.equal(formatFbnetSpec(a), CANON);
  }
  assert.equal(fbnetSpace.name, 'fbnet');
  assert.deepEqual(fbnetSpace.parse(CANON), { ops: OPS });
});

test('parse does not keep a reference to the caller\'s array', () => {
  const input = OPS.slice();
  const a = parseFbnetSpec(input);
  input[0] = 'skip';
  assert.equal(a.ops[0], OPS[0]);
});

test('every malformed spec gets a one-line error naming the position and the allowed values', () => {
  rejects(OPS.slice(0, 21), /expected 22 ops/, /got 21/);
  rejects([...OPS, 'skip'], /expected 22 ops/, /got 23/);
  rejects([], /got 0/);
  rejects(JSON.stringify(OPS.slice(0, 20)), /expected 22/, /got 20/);
  const bad = OPS.slice();
  bad[6] = 'k7_e1';
  rejects(bad, /layer 7 \(index 6\)/, /unknown op "k7_e1"/, /allowed: k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip/);
  rejects(JSON.stringify(bad), /layer 7 \(index 6\)/, /"k7_e1"/);
  const upper = OPS.slice();
  upper[0] = 'K3_E1';
  rejects(upper, /layer 1 \(index 0\)/, /unknown op "K3_E1"/);
  const num = OPS.slice() as unknown[];
  num[3] = 5;
  rejects(num, /layer 4 \(index 3\) is number 5, not an op name/, /allowed: k3_e1/);
  const nul = OPS.slice() as unknown[];
  nul[21] = null;
  rejects(nul, /layer 22 \(index 21\) is null/);
  rejects(`[${OPS.slice(0, 21).map((o) => `'${o}'`).join(', ')}, None]`, /layer 22 \(index 21\) is null/);
  const nested = OPS.slice() as unknown[];
  nested[0] = ['k3_e1'];
  rejects(nested, /layer 1 \(index 0\) is a list/);
  rejects(Array(22).fill(0), /layer 1 \(index 0\) is number 0/); // HW-NAS-Bench op indices are not names
  rejects('', /empty/);
  rejects('   \n ', /empty/);
  rejects(42, /expected a list of 22 op names, got number 42/);
  rejects(null, /got null/);
  rejects({ layers: OPS }, /got a mapping/);
  rejects(`[${OPS.join(', ')}`, /unterminated list \(missing "\]"\)/, /line 1, column 1/);
  rejects(`[k3_e1 skip]`, /expected "," or "\]"/);
  rejects(`['k3_e1, skip]`, /unterminated string/);
  rejects(`[${OPS.join(', ')}] extra`, /stray text/);
});

test('one-hot encoding, hand-checked', () => {
  const rows: Record<string, number[]> = {
    // columns: k3, k5, e1, e1_g2, e3, e6
    k3_e1: [1, 0, 1, 0, 0, 0],
    k3_e1_g2: [1, 0, 0, 1, 0, 0],
    k3_e3: [1, 0, 0, 0, 1, 0],
    k3_e6: [1, 0, 0, 0, 0, 1],
    k5_e1: [0, 1, 1, 0, 0, 0],
    k5_e1_g2: [0, 1, 0, 1, 0, 0],
    k5_e3: [0, 1, 0, 0, 1, 0],
    k5_e6: [0, 1, 0, 0, 0, 1],
    skip: [0, 0, 0, 0, 0, 0],
  };
  const v = encodeFbnetOneHot(parseFbnetSpec(OPS));
  assert.equal(v.length, 132);
  assert.deepEqual(Array.from(v), OPS.flatMap((o) => rows[o]));
  // Layer-major: layer 5 (index 5) is k5_e1_g2, at [30, 36).
  assert.deepEqual(Array.from(v.slice(30, 36)), [0, 1, 0, 1, 0, 0]);
  assert.deepEqual(Array.from(encodeFbnetOneHot({ ops: Array(22).fill('skip') })), Array(132).fill(0));
});

test('all 5,000 architectures of the dataset parse and round-trip', () => {
  assert.equal(archs.length, 5000);
  for (const a of archs) {
    const arch = parseFbnetSpec(a);
    const canon = formatFbnetSpec(arch);
    assert.equal(canon, JSON.stringify(a));
    assert.deepEqual(parseFbnetSpec(canon), arch);
    const ones = encodeFbnetOneHot(arch).reduce((s, x) => s + x, 0);
    assert.equal(ones, 2 * a.filter((o) => o !== 'skip').length);
  }
  const refs: number[] = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
  assert.equal(refs.length, 10);
  for (const i of refs) assert.ok(i >= 0 && i < archs.length);
});

test('uniform sampling is deterministic by seed and covers the ops evenly', () => {
  const a = sampleFbnet(1000, makeRng(7));
  assert.deepEqual(sampleFbnet(1000, makeRng(7)), a);
  assert.notDeepEqual(sampleFbnet(20, makeRng(8)), a.slice(0, 20));
  const counts = new Map<string, number>();
  for (const arch of a) {
    assert.deepEqual(parseFbnetSpec(formatFbnetSpec(arch)), arch);
    for (const op of arch.ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  assert.equal(counts.size, 9);
  for (const n of counts.values()) assert.ok(Math.abs(n / 22000 - 1 / 9) < 0.01, `share ${n / 22000}`);
});

test('finds specs in Python, JSON and YAML and ignores near misses', () => {
  const py = [
    'import hw_nas_bench',
    `best = [${OPS.map((o) => `'${o}'`).join(', ')},]  # 12.3 ms`,
    'archs = [',
    `    [\n${OPS.map((o) => `        "${o}",  # layer`).join('\n')}\n    ],`,
    `    [${OPS.slice(0, 21).map((o) => `'${o}'`).join(', ')}],  # 21 layers: not a spec`,
    `    [${['k7_e1', ...OPS.slice(1)].map((o) => `'${o}'`).join(', ')}],  # unknown op`,
    `    [${OPS.map((o) => `'${o}'`).join(', ')}, 'skip'],  # 23 layers`,
    `    ['${OPS[0]}', ${OPS.slice(1).map((o) => `'${o}'`).join(', ')})  # mismatched brackets`,
    ']',
  ].join('\n');
  const found = findFbnetSpecs(py);
  assert.equal(found.length, 2);
  for (const f of found) {
    assert.equal(f.spec, CANON);
    assert.equal(formatFbnetSpec(parseFbnetSpec(py.slice(f.start, f.end))), CANON);
  }
  assert.ok(py.slice(found[0].start, found[0].end).startsWith("['k3_e1'"));
  assert.ok(py.slice(found[1].start).startsWith('[\n        "k3_e1"'));

  const yaml = [
    'search:',
    `  flow: [${OPS.join(', ')}]`,
    '  block:',
    ...OPS.map((o) => `    - ${o}  # comment`),
    '  too_long:',
    ...[...OPS, 'skip'].map((o) => `    - ${o}`),
    '  other:',
    ...OPS.map((o, i) => (i === 3 ? '    - conv' : `    - ${o}`)),
  ].join('\n');
  const y = findFbnetSpecs(yaml);
  assert.equal(y.length, 2);
  assert.equal(y[0].spec, CANON);
  assert.ok(yaml.slice(y[0].start, y[0].end).startsWith('[k3_e1, k3_e1_g2'));
  assert.equal(y[1].spec, CANON);
  const blockText = yaml.slice(y[1].start, y[1].end);
  assert.ok(blockText.startsWith('- k3_e1  # comment\n'));
  assert.ok(blockText.endsWith('- k5_e6'), 'ends before the trailing comment');
  assert.deepEqual(parseFbnetSpec(blockText).ops, OPS);

  const json = JSON.stringify({ archs: archs.slice(0, 3), latency: [1, 2, 3] });
  assert.deepEqual(
    findFbnetSpecs(json).map((f) => f.spec),
    archs.slice(0, 3).map((a) => JSON.stringify(a)),
  );
  assert.deepEqual(findFbnetSpecs('no specs here [1, 2, 3]'), []);
});

test('the shared literal reader: YAML nesting, Python keywords, one-line errors with a position', () => {
  assert.deepEqual(readLiteral('a:\n  b: [1, 2]\n  c:\n  - x\n  - "y # not a comment"\nd: ~\n', 'T'), {
    a: { b: [1, 2], c: ['x', 'y # not a comment'] },
    d: null,
  });
  assert.deepEqual(readLiteral("{'a': None, \"b\": True, c: [1.5, -2,], }", 'T'), { a: null, b: true, c: [1.5, -2] });
  assert.deepEqual(readLiteral('a: [1,\n  2]  # spans lines\nb: 3', 'T'), { a: [1, 2], b: 3 });
  assert.throws(() => readLiteral('a: 1\nb: 2\n  c: 3', 'T'), /^SpecError: T: unexpected indentation at line 3, column 3$/);
  // A block cut out of an indented document (an editor selection) keeps working.
  assert.deepEqual(readLiteral('a: 1\n    b: [2]\n    c: 3', 'T'), { a: 1, b: [2], c: 3 });
  assert.deepEqual(readLiteral('- 1\n    - 2', 'T'), [1, 2]);
  assert.throws(() => readLiteral('a: 1\na: 2', 'T'), /T: key "a" given twice at line 2/);
  assert.throws(() => readLiteral('{"a": 1, "a": 2}', 'T'), /key "a" given twice/);
  assert.throws(() => readLiteral('[1, 2,\n 3 4]', 'T'), /expected "," or "\]" but found "4" at line 2, column 4/);
});
