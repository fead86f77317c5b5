// Hostile inputs for the spec finders and the help.exclude globs (issue 16, items 1-3): each generator at
// a size that takes seconds (or forever) with the backtracking / restarting code this replaced, asserting a
// bounded time, the same specs whole-text and in chunks, and that a spent budget stops the scan and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSpecs } from '../../src/core/spaces/findSpecs';
import { ChunkedSpecFinder, findSpecsChunked } from '../../src/extension/chunkedSpecs';
import { ScanBudget, unlimited } from '../../src/core/spaces/scanBudget';
import { globMatcher, globProblem, isExcluded } from '../../src/extension/glob';
import { validateSettings } from '../../src/extension/settings';
import { bounded } from './bounded';
import { readLiteral } from '../../src/core/spaces/literal';
import { SpecError } from '../../src/core/spaces/space';

const FBNET = Array.from({ length: 22 }, (_, i) => (i % 4 === 0 ? 'skip' : 'k5_e6'));
const FBNET_LIST = `[${FBNET.map((o) => `'${o}'`).join(', ')}]`;

/** Whole text and in chunks (no budget: the finders' own time), bounded, the same specs. */
function scanBoth(what: string, text: string, maxMs: number) {
  const whole = bounded(`${what}, whole text`, maxMs, () => findSpecs(text));
  const chunked = bounded(`${what}, in chunks`, maxMs, () => findSpecsChunked(text, undefined, unlimited()));
  assert.deepEqual(chunked, whole, `${what}: chunked and whole-text specs agree`);
  return whole;
}

test('FBNet: banner comments around a list (exponential GAP backtracking) and "[" + 130 "#"', () => {
  // 12 "#" took 7.7 s, 14 more than 60 s (the pattern split each run of "#" into comments 2^(k-1) ways).
  const banner = `blocks = [\n    ${'#'.repeat(14)}\n    # stage 1\n    ${'#'.repeat(14)}\n    'k3_e1', 'skip',\n]\narch = ${FBNET_LIST}\n`;
  const found = scanBoth('banner comments', banner, 1000);
  assert.deepEqual(found.map((s) => s.spec), [JSON.stringify(FBNET)]);
  for (const open of ['[', '(']) {
    for (const c of ['#', '/']) {
      const text = `${open}${c.repeat(130)}\nx = ${FBNET_LIST}\n`;
      assert.equal(scanBoth(`${open} + 130 ${c}`, text, 1000).length, 1);
    }
  }
  // A spec written inside comments next to brackets is still found, once.
  const commented = `# arch = ${FBNET_LIST}  # [ ( [\n${'# [ '.repeat(2000)}\n`;
  assert.deepEqual(scanBoth('commented list', commented, 2000).map((s) => s.space), ['fbnet']);
});

test('OFA/HAT: "{ks:", \'{"encoder": \' and \'{"a\' repeated (a literal read again from every "{")', () => {
  // 10 KB of "{ks:" took more than 30 s, 100 KB of '{"encoder": ' more than 30 s, 1 MB of '{"a' 14.7 s.
  assert.deepEqual(scanBoth('{ks: x 20 KB', '{ks:'.repeat(5_000), 2000), []);
  assert.deepEqual(scanBoth('{"encoder": x 60 KB', '{"encoder": '.repeat(5_000), 2000), []);
  // (Each failed "{" built a SpecError: 3 MB took 11 s.)
  assert.deepEqual(bounded('{"a x 3 MB, whole text', 6000, () => findSpecs('{"a'.repeat(1_000_000))), []);
  // Deep nesting is read without recursion, and a config after it is still found.
  const ofa = '{"ks": [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5], "e": [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4], "d": [2, 3, 4, 2, 3], "r": 224}';
  const deep = `${'{"a": ['.repeat(50_000)}\ncfg = ${ofa}\n`;
  assert.deepEqual(scanBoth('deep nesting', deep, 3000).map((s) => s.space), ['ofa']);
});

test('YAML block configs: a long run of blanks in a key line (quadratic key and trimming regexes)', () => {
  // With 30,000 blanks: 2.2 s and 4.9 s (quadratic: 50,000 take about 6 s and 13 s).
  const blanks = ' '.repeat(50_000);
  const ofaBlock = `ks: [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5]\ne: [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4]\nd: [2, 3, 4, 2, 3]\nr: 224${blanks}x\n`;
  scanBoth('OFA block, blanks in the last line', ofaBlock, 2000);
  const nested = `ks:\n  a${blanks}x: 1\ne: 3\n`;
  scanBoth('OFA block, blanks in a nested key', nested, 2000);
});

test('a spent budget stops the scan, keeps what was found before, and says so', () => {
  const text = `arch = ${FBNET_LIST}\n${'[x] (y)\n'.repeat(100_000)}arch2 = ${FBNET_LIST}\n`;
  const budget = new ScanBudget(50_000);
  const found = findSpecs(text, undefined, budget);
  assert.match(budget.exceeded ?? '', /budget/);
  assert.ok(found.length >= 1 && found.length < 2, `found ${found.length}`);
  const finder = new ChunkedSpecFinder();
  finder.find(text, new ScanBudget(50_000));
  assert.match(finder.lastExceeded ?? '', /budget/);
  // An edit elsewhere does not hide the stop: the chunks cut short stay cut.
  finder.find(`x = 1\n${text}`, new ScanBudget(50_000));
  assert.match(finder.lastExceeded ?? '', /budget/);
  // The default budget lets an ordinary file through.
  const normal = new ChunkedSpecFinder();
  normal.find(`arch = ${FBNET_LIST}\n`.repeat(1000));
  assert.equal(normal.lastExceeded, undefined);
});

test('help.exclude globs: linear matching, invalid patterns never throw', () => {
  // "*a*a*a*a*a*a*a*a*a*ab" took 11.7 s per check.
  const hostile = '*a*a*a*a*a*a*a*a*a*ab';
  bounded('hostile glob, 40-char path', 500, () => assert.equal(globMatcher(hostile)('a'.repeat(40)), false));
  bounded('hostile glob, 2000-char path', 2000, () => assert.equal(globMatcher(`**/${hostile}/**`)(`${'a/'.repeat(500)}${'a'.repeat(1000)}`), false));
  assert.equal(globMatcher(hostile)(`src/${'a'.repeat(40)}b`), true);
  // "[z-a]" threw on every call: now it matches nothing and is reported once, by the settings.
  assert.doesNotThrow(() => globMatcher('[z-a]')('src/z.txt'));
  assert.equal(globMatcher('[z-a]')('src/z.txt'), false);
  assert.equal(isExcluded('src/z.txt', ['[z-a]', 'src/*.txt']), true);
  assert.match(globProblem('[z-a]') ?? '', /out of order/);
  const { settings, warnings } = validateSettings({ exclude: ['[z-a]', 'build/**'] });
  assert.deepEqual(settings.exclude, ['build/**']);
  assert.equal(warnings.filter((w) => /help\.exclude\[0\].*\[z-a\].*ignored/.test(w)).length, 1);
  // The old semantics hold.
  assert.equal(globMatcher('{src,lib}/**/*.[jt]s')('/home/u/p/lib/a/b/c.ts'), true);
  assert.equal(globMatcher('[!a]*.md')('docs/a.md'), false);
  assert.equal(globMatcher('[!a]*.md')('docs/b.md'), true);
  assert.equal(globMatcher('?.txt')('x/y.txt'), true);
  assert.equal(globMatcher('*.txt')('x/y/z.txt'), true);
  assert.equal(globMatcher('x/*.txt')('x/y/z.txt'), false);
});

test('a YAML block nested 4,000 levels deep is refused with a message, not a stack overflow', () => {
  // readBlock recursed once per level: ~4,000 levels (an 8 MB file) overflowed the stack with a RangeError.
  let seqText = '';
  let mapText = '';
  for (let i = 0; i < 4000; i++) {
    seqText += `${' '.repeat(i)}-\n`;
    mapText += `${' '.repeat(i)}a:\n`;
  }
  for (const [what, text] of [['deep.yaml', seqText], ['deep-map.yaml', mapText]]) {
    bounded(what, 5000, () => assert.throws(() => readLiteral(text, what), (e: Error) => e instanceof SpecError && new RegExp(`^${what.replace('.', '\\.')}: blocks nested deeper than 256 levels at line 257`).test(e.message)));
  }
  // Real nesting still reads.
  assert.deepEqual(readLiteral('a:\n  b:\n    - 1\n    - x\n  c:\n    d: 2\n', 'ok.yaml'), { a: { b: [1, 'x'], c: { d: 2 } } });
});
