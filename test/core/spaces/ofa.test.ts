import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  encodeOfaOneHot,
  findOfaSpecs,
  formatOfaSpec,
  OfaArch,
  ofaSpace,
  OFA_ONEHOT_SIZE,
  OFA_RESOLUTIONS,
  parseOfaSpec,
  sampleOfa,
} from '../../../src/core/spaces/ofa';
import { makeRng, SpecError } from '../../../src/core/spaces/space';

const root = path.resolve(__dirname, '..', '..', '..', 'data');
const archs: OfaArch[] = JSON.parse(fs.readFileSync(path.join(root, 'ofa', 'architectures.json'), 'utf8'));
const exampleDir = path.join(root, 'examples', 'ofa');
const examples = fs
  .readdirSync(exampleDir)
  .flatMap((d) => fs.readdirSync(path.join(exampleDir, d)).map((f) => path.join(exampleDir, d, f)))
  .filter((f) => f.endsWith('.json'));

// The hand-worked example of the encoding test.
const ARCH: OfaArch = {
  ks: [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 3, 3, 3, 5, 5, 5, 5],
  e: [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 4, 6, 6, 6, 6],
  d: [2, 3, 4, 2, 3],
  r: 132,
};
const CANON = JSON.stringify(ARCH);

function rejects(spec: unknown, exact: string | undefined, ...patterns: RegExp[]) {
  assert.throws(
    () => parseOfaSpec(spec),
    (e: unknown) => {
      assert.ok(e instanceof SpecError, 'SpecError');
      const msg = (e as Error).message;
      assert.ok(!msg.includes('\n'), `one line: ${msg}`);
      if (exact !== undefined) assert.equal(msg, exact);
      assert.match(msg, /^OFA spec: /);
      for (const p of patterns) assert.match(msg, p);
      return true;
    },
  );
}

const withField = (k: string, v: unknown) => ({ ...ARCH, [k]: v });
const withEntry = (k: 'ks' | 'e' | 'd', i: number, v: unknown) => {
  const list: unknown[] = ARCH[k].slice();
  list[i] = v;
  return withField(k, list);
};

test('every example config of the paper parses (with "wid": null) and round-trips', () => {
  assert.equal(examples.length, 7);
  for (const f of examples) {
    const text = fs.readFileSync(f, 'utf8');
    const raw = JSON.parse(text);
    const a = parseOfaSpec(text);
    assert.deepEqual(a, { ks: raw.ks, e: raw.e, d: raw.d, r: raw.r }, f);
    assert.deepEqual(parseOfaSpec(raw), a);
    assert.deepEqual(parseOfaSpec(formatOfaSpec(a)), a);
  }
  const a = parseOfaSpec(fs.readFileSync(path.join(exampleDir, 'cpu_gold6226', 'latency_147ms_accuracy_77.6.json'), 'utf8'));
  assert.equal(
    formatOfaSpec(a),
    '{"ks":[3,3,5,7,3,3,5,3,7,7,3,7,3,7,5,5,3,3,5,5],"e":[3,3,4,3,6,4,3,4,6,4,6,6,6,4,4,6,6,6,6,3],"d":[2,2,2,3,3],"r":224}',
  );
});

test('parses every spec form to the same architecture', () => {
  const list = (xs: number[]) => `[${xs.join(', ')}]`;
  const block = (k: string, xs: number[], ind = '') => `${ind}${k}:\n${xs.map((x) => `${ind}  - ${x}`).join('\n')}`;
  const forms: unknown[] = [
    ARCH,
    { wid: null, ...ARCH },
    { r: ARCH.r, d: ARCH.d, e: ARCH.e, ks: ARCH.ks }, // any key order
    CANON,
    JSON.stringify({ wid: null, ...ARCH }, null, 4),
    `{'wid': None, 'ks': ${list(ARCH.ks)}, 'e': ${list(ARCH.e)}, 'd': ${list(ARCH.d)}, 'r': ${ARCH.r},}`, // Python dict
    `{ks: ${list(ARCH.ks)}, e: ${list(ARCH.e)}, d: ${list(ARCH.d)}, r: ${ARCH.r}}`, // YAML flow mapping
    `# OFA subnet\nks: ${list(ARCH.ks)}\ne: ${list(ARCH.e)}\nd: ${list(ARCH.d)}\nr: ${ARCH.r}  # resolution\nwid: null\n`,
    `${block('ks', ARCH.ks)}\n${block('e', ARCH.e)}\n${block('d', ARCH.d)}\nr: ${ARCH.r}\n`,
    `ks:\n${ARCH.ks.map((x) => `- ${x}`).join('\n')}\ne: ${list(ARCH.e)}\nd: ${list(ARCH.d)}\nr: ${ARCH.r}`, // same-indent block list
    `"ks": ${list(ARCH.ks)}\n"e": ${list(ARCH.e)}\n"d": ${list(ARCH.d)}\n"r": ${ARCH.r}`, // quoted YAML keys
  ];
  for (const f of forms) {
    const a = parseOfaSpec(f);
    assert.deepEqual(a, ARCH, `form: ${String(f).slice(0, 60)}`);
    assert.equal(formatOfaSpec(a), CANON);
  }
  assert.equal(ofaSpace.name, 'ofa');
  assert.deepEqual(ofaSpace.parse(CANON), ARCH);
});

test('every malformed spec gets a one-line error naming the field and the allowed values', () => {
  rejects(withEntry('ks', 7, 4), 'OFA spec: ks[7] = 4 (allowed: 3, 5, 7)');
  rejects(withEntry('e', 0, 5), 'OFA spec: e[0] = 5 (allowed: 3, 4, 6)');
  rejects(withEntry('d', 4, 5), 'OFA spec: d[4] = 5 (allowed: 2, 3, 4)');
  rejects(withEntry('d', 0, 1), 'OFA spec: d[0] = 1 (allowed: 2, 3, 4)');
  rejects(withEntry('ks', 19, '5'), 'OFA spec: ks[19] = "5" (allowed: 3, 5, 7)');
  rejects(withEntry('e', 3, null), 'OFA spec: e[3] = null (allowed: 3, 4, 6)');
  rejects(withEntry('ks', 2, [3]), 'OFA spec: ks[2] = a list (allowed: 3, 5, 7)');
  rejects(withField('r', 130), 'OFA spec: r = 130 (allowed: 128..224 in steps of 4)');
  rejects(withField('r', 228), 'OFA spec: r = 228 (allowed: 128..224 in steps of 4)');
  rejects(withField('r', 124), undefined, /r = 124/);
  rejects(withField('r', '224'), 'OFA spec: r = "224" (allowed: 128..224 in steps of 4)');
  rejects(withField('r', [224]), undefined, /r = a list/);
  rejects(withField('ks', ARCH.ks.slice(0, 19)), 'OFA spec: ks has 19 entries (expected 20: kernel size per block slot, 5 stages x 4)');
  rejects(withField('e', [...ARCH.e, 3]), undefined, /e has 21 entries \(expected 20/);
  rejects(withField('d', [2, 2, 2, 2]), 'OFA spec: d has 4 entries (expected 5: depth per stage)');
  rejects(withField('ks', 3), 'OFA spec: ks must be a list of 20 kernel size per block slot, 5 stages x 4, got number 3');
  for (const k of ['ks', 'e', 'd', 'r']) {
    const o: Record<string, unknown> = { ...ARCH };
    delete o[k];
    rejects(o, `OFA spec: missing key "${k}" (expected ks, e, d, r)`);
  }
  rejects({ ...ARCH, w: 1 }, 'OFA spec: unknown key "w" (expected ks, e, d, r and optionally wid: null)');
  rejects({ ...ARCH, wid: 1.2 }, 'OFA spec: wid = 1.2 (allowed: null; the width is fixed in this space)');
  rejects([ARCH], undefined, /expected a mapping with keys ks, e, d, r, got a list/);
  rejects(42, undefined, /got number 42/);
  rejects(undefined, undefined, /got nothing/);
  rejects('', 'OFA spec: empty');
  rejects(CANON.replace('"r":132', '"r":130'), 'OFA spec: r = 130 (allowed: 128..224 in steps of 4)');
  rejects(CANON.replace('"ks":[3,5,7,3,', '"ks":[3,5,7,4,'), 'OFA spec: ks[3] = 4 (allowed: 3, 5, 7)');
  rejects(CANON.slice(0, -1), undefined, /unterminated mapping \(missing "\}"\) at line 1, column 1/);
  rejects('ks: [3, 5\ne: [3]', undefined, /expected "," or "\]"/);
  rejects(`ks: [${ARCH.ks}]\nks: [${ARCH.ks}]`, undefined, /key "ks" given twice at line 2/);
});

test('the 145-dim one-hot encoding, hand-worked', () => {
  assert.equal(OFA_ONEHOT_SIZE, 145);
  const v = encodeOfaOneHot(ARCH);
  assert.equal(v.length, 145);
  // Active slots for d = [2, 3, 4, 2, 3]: 0,1 | 4,5,6 | 8,9,10,11 | 12,13 | 16,17,18.
  // ks part, slot b at 3b + [ks3, ks5, ks7]:
  //   0:3->0  1:5->4  4:5->13  5:7->17  6:3->18  8:7->26  9:3->27  10:5->31  11:7->35
  //   12:3->36  13:3->39  16:5->49  17:5->52  18:5->55
  // e part, slot b at 60 + 3b + [e3, e4, e6]:
  //   0:3->60  1:4->64  4:4->73  5:6->77  6:3->78  8:6->86  9:3->87  10:4->91  11:6->95
  //   12:3->96  13:4->100  16:6->110  17:6->113  18:6->116
  // resolution: 120 + (132 - 128) / 4 = 121.
  const ones = [0, 4, 13, 17, 18, 26, 27, 31, 35, 36, 39, 49, 52, 55, 60, 64, 73, 77, 78, 86, 87, 91, 95, 96, 100, 110, 113, 116, 121];
  assert.deepEqual(
    Array.from(v).flatMap((x, i) => (x ? [i] : [])),
    ones,
  );
  assert.ok(Array.from(v).every((x) => x === 0 || x === 1));
  // Values of skipped slots (2, 3, 7, 14, 15, 19) are kept by parse/format but do not change the encoding.
  const other = { ...ARCH, ks: ARCH.ks.slice(), e: ARCH.e.slice() };
  for (const b of [2, 3, 7, 14, 15, 19]) {
    other.ks[b] = 7;
    other.e[b] = 6;
  }
  assert.deepEqual(encodeOfaOneHot(other), v);
  assert.notEqual(formatOfaSpec(other), formatOfaSpec(ARCH));
  // Extremes of the resolution one-hot.
  assert.equal(encodeOfaOneHot({ ...ARCH, r: 128 })[120], 1);
  assert.equal(encodeOfaOneHot({ ...ARCH, r: 224 })[144], 1);
});

test('all 5,000 architectures of the dataset parse and round-trip', () => {
  assert.equal(archs.length, 5000);
  const raw: unknown[] = JSON.parse(fs.readFileSync(path.join(root, 'ofa', 'architectures.json'), 'utf8'));
  for (let i = 0; i < archs.length; i++) {
    const a = parseOfaSpec(archs[i]);
    const canon = formatOfaSpec(a);
    assert.equal(canon, JSON.stringify(raw[i]));
    assert.deepEqual(parseOfaSpec(canon), a);
    const ones = encodeOfaOneHot(a).reduce((s, x) => s + x, 0);
    assert.equal(ones, 2 * a.d.reduce((s, x) => s + x, 0) + 1);
  }
  const refs: number[] = JSON.parse(fs.readFileSync(path.join(root, 'ofa', 'reference_indices.json'), 'utf8'));
  for (const i of refs) assert.ok(i >= 0 && i < archs.length);
});

test('uniform sampling is deterministic by seed and covers the choices', () => {
  const a = sampleOfa(2000, makeRng(3));
  assert.deepEqual(sampleOfa(2000, makeRng(3)), a);
  assert.notDeepEqual(sampleOfa(10, makeRng(4)), a.slice(0, 10));
  const rs = new Set<number>();
  const ds = new Set<number>();
  for (const x of a) {
    assert.deepEqual(parseOfaSpec(formatOfaSpec(x)), x);
    rs.add(x.r);
    x.d.forEach((d) => ds.add(d));
  }
  assert.deepEqual([...rs].sort((p, q) => p - q), OFA_RESOLUTIONS);
  assert.equal(OFA_RESOLUTIONS.length, 25);
  assert.deepEqual([...ds].sort(), [2, 3, 4]);
});

test('finds configs in JSON, Python and YAML text', () => {
  const py = [
    'from ofa.model_zoo import ofa_net',
    `net_config = {'wid': None, 'ks': [${ARCH.ks.join(', ')}],`,
    `              'e': [${ARCH.e.join(', ')}],`,
    `              'd': [${ARCH.d.join(', ')}], 'r': ${ARCH.r}}  # searched`,
    `bad = {'ks': [${ARCH.ks.join(', ')}], 'e': [${ARCH.e.join(', ')}], 'd': [${ARCH.d.join(', ')}], 'r': 130}`,
    'def f(x): return {x: 1}',
  ].join('\n');
  const found = findOfaSpecs(py);
  assert.equal(found.length, 1);
  assert.equal(found[0].spec, CANON);
  assert.ok(py.slice(found[0].start, found[0].end).startsWith("{'wid': None"));
  assert.ok(py.slice(found[0].start, found[0].end).endsWith(`'r': ${ARCH.r}}`));

  const json = JSON.stringify({ device: 'titan_rtx_64', arch: { wid: null, ...ARCH }, latency_ms: 20.3 }, null, 2);
  const j = findOfaSpecs(json);
  assert.equal(j.length, 1);
  assert.equal(j[0].spec, CANON);
  assert.deepEqual(parseOfaSpec(json.slice(j[0].start, j[0].end)), ARCH);

  const yaml = [
    'device: pixel3',
    'subnet:',
    `  ks: [${ARCH.ks.join(', ')}]`,
    `  e: [${ARCH.e.join(', ')}]`,
    '  d:',
    ...ARCH.d.map((x) => `    - ${x}`),
    `  r: ${ARCH.r}  # px`,
    'other:',
    `  ks: [${ARCH.ks.join(', ')}]`,
    '  r: 224',
    'flow: {ks: [' + ARCH.ks.join(', ') + '], e: [' + ARCH.e.join(', ') + '], d: [' + ARCH.d.join(', ') + '], r: 132}',
  ].join('\n');
  const y = findOfaSpecs(yaml);
  assert.equal(y.length, 2);
  assert.equal(y[0].spec, CANON);
  const blockText = yaml.slice(y[0].start, y[0].end);
  assert.ok(blockText.startsWith('ks: [3, 5, 7'));
  assert.ok(blockText.endsWith(`r: ${ARCH.r}`));
  assert.deepEqual(parseOfaSpec(blockText), ARCH, 'the found range parses on its own');
  assert.equal(y[1].spec, CANON);
  assert.ok(yaml.slice(y[1].start, y[1].end).startsWith('{ks: ['));

  const many = JSON.stringify(archs.slice(0, 5));
  assert.deepEqual(
    findOfaSpecs(many).map((f) => f.spec),
    archs.slice(0, 5).map((a) => JSON.stringify(a)),
  );
  assert.deepEqual(findOfaSpecs('function f() { return {a: 1}; }'), []);
});
