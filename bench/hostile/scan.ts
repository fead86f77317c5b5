// Spec finders and help.exclude globs on adversarial inputs (issue 16, items 1-3): banner comments around an
// FBNet list, "[" + 130 "#", "{ks:" / '{"encoder": ' / '{"a' repeated, at 1 KB .. 10 MB, whole text
// (findSpecs) and in chunks (findSpecsChunked, what the editor and the explorer decorations run), without a
// budget so that the time shown is the finders' own; then hostile globs. Each case runs in its own child
// process with a time limit (old code hangs).
//   node --import tsx bench/hostile/scan.ts [--quick] [--src DIR] [--sizes 1K,100K] [--limit-s 20]
// --src: the src/ folder to measure (e.g. /work/main/src for the code before the fix).
import { spawnSync } from 'child_process';
import * as path from 'path';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const src = path.resolve(opt('--src') ?? path.join(__dirname, '..', '..', 'src'));
const quick = args.includes('--quick');
/** "1K", "100K", "10M" (binary units) to characters. */
const parseSize = (s: string) => Number(s.replace(/[KM]$/i, '')) * (/K$/i.test(s) ? 1024 : /M$/i.test(s) ? 1024 * 1024 : 1);
const sizes = (opt('--sizes') ?? (quick ? '1K,100K,1M' : '1K,100K,1M,10M')).split(',').map(parseSize);
const limitS = Number(opt('--limit-s') ?? 30);

/** Repeats `unit` (then `tail`) to about `size` characters. */
function fill(unit: string, size: number, tail = ''): string {
  return unit.repeat(Math.max(1, Math.ceil((size - tail.length) / unit.length))) + tail;
}

const FB_LIST = `['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1', 'k3_e1']`;

export const GENERATORS: Record<string, (size: number) => string> = {
  // A Python list with banner comments and the word "blocks" (the FBNet GAP regex split each run of "#").
  'banner comments': (size) => fill(`blocks = [\n    ##############################\n    # stage 1\n    ##############################\n    'k3_e1', 'skip',\n]\n`, size, `\narch = ${FB_LIST}\n`),
  '[ + 130 #': (size) => fill(`[${'#'.repeat(130)}\n`, size),
  '( + 130 /': (size) => fill(`(${'/'.repeat(130)}\n`, size),
  '{ks: repeated': (size) => fill('{ks:', size),
  '{"encoder": repeated': (size) => fill('{"encoder": ', size),
  '{"a repeated': (size) => fill('{"a', size),
  'specs + prose': (size) => fill(`# a note about {braces} and [brackets]\narch = ${FB_LIST}\ncfg = {"ks": [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5], "e": [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4], "d": [2, 3, 4, 2, 3], "r": 224}\ncell = '|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|'\n`, size),
};

const GLOBS: [string, string, string][] = [
  ['*a*a*a*a*a*a*a*a*a*ab', 'a'.repeat(30), '30-char path'],
  ['*a*a*a*a*a*a*a*a*a*ab', 'a'.repeat(1000), '1000-char path'],
  ['**/*a*a*a*a*a*a*a*a*a*ab/**', `${'a/'.repeat(200)}${'a'.repeat(200)}`, '600-char path'],
  ['[z-a]', 'src/z.txt', 'invalid class'],
];

async function one(kind: string, name: string, size: number): Promise<Record<string, unknown>> {
  if (kind === 'glob') {
    const { globMatcher } = await import(path.join(src, 'extension', 'glob.ts'));
    const [glob, p] = GLOBS[size];
    globMatcher('warm-up/*.txt')('a/warm-up/b.txt');
    const t0 = performance.now();
    let matched: unknown;
    try {
      matched = globMatcher(glob)(p);
    } catch (e) {
      matched = `throws ${(e as Error).name}`;
    }
    return { ms: performance.now() - t0, found: String(matched) };
  }
  const text = GENERATORS[name](size);
  const { findSpecs } = await import(path.join(src, 'core', 'spaces', 'findSpecs.ts'));
  const { findSpecsChunked } = await import(path.join(src, 'extension', 'chunkedSpecs.ts'));
  // An unlimited budget (the default one would stop a pathological file; this measures the finders).
  const budget = await import(path.join(src, 'core', 'spaces', 'scanBudget.ts')).then((m) => m.unlimited()).catch(() => undefined);
  const t0 = performance.now();
  const found: number = kind === 'whole' ? findSpecs(text).length : findSpecsChunked(text, undefined, budget).length;
  const ms = performance.now() - t0;
  return { ms, found, chars: text.length, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

function fmtSize(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`;
}

async function main(): Promise<void> {
  const oneAt = args.indexOf('--one');
  if (oneAt >= 0) {
    const [kind, name, size] = JSON.parse(args[oneAt + 1]);
    process.stdout.write(JSON.stringify(await one(kind, name, size)));
    return;
  }
  const run = (kind: string, name: string, size: number) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--src', src, '--one', JSON.stringify([kind, name, size])], {
      encoding: 'utf8',
      timeout: limitS * 1000,
      maxBuffer: 1 << 20,
    });
    if (r.error || r.status !== 0) return { ms: NaN, note: r.error ? `> ${limitS} s (killed)` : `exit ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}` };
    return JSON.parse(r.stdout) as { ms: number; found?: unknown; maxRssMB?: number; note?: string };
  };
  console.log(`src: ${src}\n`);
  console.log('| input | size | whole text ms | ms/MB | chunked ms | ms/MB | specs (whole/chunked) | max RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const name of Object.keys(GENERATORS)) {
    for (const size of sizes) {
      const w = run('whole', name, size);
      const c = run('chunked', name, size);
      const perMB = (r: { ms: number }) => (Number.isNaN(r.ms) ? '' : (r.ms / (size / 1024 / 1024)).toFixed(0));
      const cell = (r: { ms: number; note?: string }) => r.note ?? r.ms.toFixed(1);
      console.log(`| ${name} | ${fmtSize(size)} | ${cell(w)} | ${perMB(w)} | ${cell(c)} | ${perMB(c)} | ${w.found ?? '-'}/${c.found ?? '-'} | ${Math.max(w.maxRssMB ?? 0, c.maxRssMB ?? 0).toFixed(0)} |`);
    }
  }
  console.log('\n| glob | path | ms per check | result |');
  console.log('|---|---|---|---|');
  GLOBS.forEach(([glob, , what], i) => {
    const r = run('glob', '', i);
    console.log(`| \`${glob}\` | ${what} | ${r.note ?? r.ms.toFixed(2)} | ${r.found ?? '-'} |`);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
