// The CLI's own error paths on hostile arguments (issue 16, items 11 and 14): a huge device name full of
// escape sequences and bidi overrides, a huge architecture entry in an --archs file, an option repeated tens
// of thousands of times, tens of thousands of unknown options. Each row runs `node dist/cli.js` (`node
// esbuild.js` first; `--cli FILE` runs another build) as a child process and reports wall time, its exit
// code, the bytes it wrote to stderr and whether any raw control, escape or bidi character reached them.
//   node --import tsx bench/hostile/cli.ts [--quick] [--cli dist/cli.js]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cliAt = args.indexOf('--cli');
const cli = path.resolve(cliAt >= 0 ? args[cliAt + 1] : path.join(__dirname, '..', '..', 'dist', 'cli.js'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-bench-hostile-cli-'));

const HOSTILE = '\x1b[31m\x1b]0;pwned\x07\u202e\x01';
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const CELL = '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|';

function hostileText(chars: number): string {
  return HOSTILE.repeat(Math.ceil(chars / HOSTILE.length)).slice(0, chars);
}

interface Row {
  input: string;
  size: string;
  ms: number;
  code: number | null;
  stderrBytes: number;
  raw: boolean;
  maxRssMb: number;
}

function runCli(input: string, size: string, argv: string[]): Row {
  // The child reports its own peak RSS on exit (to fd 3), so the figure is the CLI's, not this script's.
  const wrapper = `process.on('exit', () => require('fs').writeSync(3, String(process.resourceUsage().maxRSS))); require(${JSON.stringify(cli)}).main(process.argv.slice(2)).then((c) => { process.exitCode = c; });`;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', wrapper, cli, ...argv], { encoding: 'utf8', cwd: tmp, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30, timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = Number((r.output[3] as string | null) ?? 0) / 1024;
  return { input, size, ms, code: r.status, stderrBytes: Buffer.byteLength(r.stderr ?? ''), raw: RAW.test(r.stderr ?? '') || RAW.test(r.stdout ?? ''), maxRssMb: rss };
}

const rows: Row[] = [];
// A device name as one argument (Linux caps one argument at 128 KiB).
for (const n of quick ? [1_000] : [1_000, 100_000]) {
  rows.push(runCli('--device NAME (hostile text)', `${n / 1000} KB`, ['predict', '--space', 'nasbench201', '--device', hostileText(n), '--arch', CELL]));
}
// An architecture entry in a file.
for (const n of quick ? [1_000_000] : [1_000_000, 10_000_000]) {
  const file = path.join(tmp, `archs-${n}.json`);
  fs.writeFileSync(file, JSON.stringify([`|nor${hostileText(n)}~0|+|none~0|none~1|+|none~0|none~1|none~2|`]));
  rows.push(runCli('--archs FILE, one hostile entry', `${n / 1e6} MB`, ['predict', '--space', 'nasbench201', '--device', 'gold_6226', '--archs', file]));
}
// The argument list is capped at about 2 MB in all: 50k repetitions fit.
for (const k of quick ? [10_000] : [10_000, 50_000]) {
  rows.push(runCli('--space S repeated', `${k / 1000}k`, ['devices', '--json', ...Array.from({ length: k }, () => ['--space', 'nasbench201']).flat()]));
  rows.push(runCli('unknown options (--jsnoN)', `${k / 1000}k`, ['devices', ...Array.from({ length: k }, (_, i) => `--jsno${i % 10}`)]));
}
fs.rmSync(tmp, { recursive: true, force: true });

process.stdout.write(`CLI: ${path.relative(process.cwd(), cli)}\n\n`);
process.stdout.write('| input | size | wall | exit | stderr | raw control/bidi echoed | peak RSS |\n|---|---|---|---|---|---|---|\n');
for (const r of rows) {
  process.stdout.write(`| ${r.input} | ${r.size} | ${(r.ms / 1000).toFixed(2)} s | ${r.code} | ${r.stderrBytes} B | ${r.raw ? 'yes' : 'no'} | ${r.maxRssMb.toFixed(0)} MB |\n`);
}
