// Hostile ONNX corpus (issue 16 items 4-6): each file is run as `node dist/cli.js inspect FILE --json` in its
// own process, with wall time, peak RSS (process.resourceUsage().maxRSS, written at exit by a preloaded
// script) and the exit code. Target: every file up to 100 MB in under 5 s and under 1 GB.
//   node --import tsx bench/hostile/onnx.ts [--quick] [--cli PATH/TO/cli.js] [--timeout SECONDS] [--only NAME]
// (`--cli /work/main/dist/cli.js` measures another build, e.g. the code before a change.)
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { attributeHeavy, constantConcats, emptyEntries, manyInputNames, externalData, identityChain, nestedSubgraphs, reluChain, squeezeAxes, unsqueezeAxes, wideNode } from '../../test/hostile/onnxGen';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const cli = path.resolve(opt('--cli') ?? path.join(__dirname, '..', '..', 'dist', 'cli.js'));
const timeoutS = Number(opt('--timeout') ?? 60);
const only = opt('--only');
const q = (full: number, small: number) => (quick ? small : full);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-hostile-onnx-'));
const preload = path.join(dir, 'maxrss.cjs');
// Peak RSS from /proc/self/status VmHWM (the child's own: getrusage's maxRSS carries the parent's over the
// fork on Linux), else maxRSS; and CPU seconds (the machine may be shared: wall time alone misleads).
fs.writeFileSync(
  preload,
  `process.on('exit', () => { try { const fs = require('fs'); let kb = process.resourceUsage().maxRSS; try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {} const u = process.resourceUsage(); fs.writeFileSync(process.env.HELP_MAXRSS_FILE, kb + ' ' + (u.userCPUTime + u.systemCPUTime) / 1e6); } catch {} });\n`,
);

type Case = { name: string; make: (file: string) => void };
const M = 1 << 20;
const cases: Case[] = [
  { name: `Unsqueeze, ${q(300_000, 30_000)} axes`, make: (f) => unsqueezeAxes(f, q(300_000, 30_000)) },
  { name: `Squeeze, ${q(50_000, 10_000)} axes`, make: (f) => squeezeAxes(f, q(50_000, 10_000), 'Squeeze') },
  { name: `ReduceMean, ${q(50_000, 10_000)} axes`, make: (f) => squeezeAxes(f, q(50_000, 10_000), 'ReduceMean') },
  { name: `Constant ${q(1_000_000, 200_000)} value_ints, 1 Concat`, make: (f) => constantConcats(f, q(1_000_000, 200_000), 1) },
  { name: `Constant ${q(1_000_000, 200_000)} value_ints, 30 Concats`, make: (f) => constantConcats(f, q(1_000_000, 200_000), 30) },
  { name: `Constant ${q(16, 2)}M value_ints, 30 Concats`, make: (f) => constantConcats(f, q(16, 2) * M, 30) },
  { name: `${q(16, 2)}M empty initializers`, make: (f) => emptyEntries(f, q(16, 2) * M, 'initializer') },
  { name: `${q(16, 2)}M empty graph inputs`, make: (f) => emptyEntries(f, q(16, 2) * M, 'input') },
  { name: `${q(16, 2)}M empty value_info`, make: (f) => emptyEntries(f, q(16, 2) * M, 'value_info') },
  { name: `${q(50, 4)}M empty value_info`, make: (f) => emptyEntries(f, q(50, 4) * M, 'value_info') },
  { name: `Identity chains, 2 x ${q(12_000, 12_000)}`, make: (f) => identityChain(f, 12_000) },
  { name: `Relu chain, ${q(299_999, 100_000)} nodes`, make: (f) => reluChain(f, q(299_999, 100_000)) },
  { name: `Relu chain, ${q(5, 0.6)}M nodes`, make: (f) => reluChain(f, q(5_000_000, 600_000)) },
  { name: `one node, ${q(100, 30)}k inputs and outputs`, make: (f) => wideNode(f, q(100_000, 30_000)) },
  { name: `${q(100, 10)} MB of nodes with 60,000-value attributes`, make: (f) => attributeHeavy(f, q(100, 10), 1, 60_000) },
  { name: `${q(100, 10)} MB of nodes with 30,000 attributes each`, make: (f) => attributeHeavy(f, q(100, 10), 30_000, 0) },
  { name: `one node, ${q(15, 2)}M input names`, make: (f) => manyInputNames(f, q(15, 2) * M) },
  { name: 'If subgraphs nested 100 deep', make: (f) => nestedSubgraphs(f, 100) },
  { name: 'external length "99999999999999999999"', make: (f) => externalData(f, 'w.bin', '99999999999999999999') },
  { name: 'FIFO named x.onnx', make: (f) => execFileSync('mkfifo', [f]) },
];

const rows: string[] = [];
let i = 0;
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const file = path.join(dir, `case${i++}.onnx`);
  c.make(file);
  const st = fs.statSync(file);
  const size = st.isFile() ? `${(st.size / M).toFixed(st.size < M ? 2 : 1)} MB` : 'fifo';
  const rssFile = path.join(dir, 'rss');
  fs.rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', preload, cli, 'inspect', file, '--json'], {
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 30,
    env: { ...process.env, HELP_MAXRSS_FILE: rssFile },
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const [kb, cpu] = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').split(' ').map(Number) : [NaN, NaN];
  const rss = Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : '-';
  const cpuS = Number.isFinite(cpu) ? cpu.toFixed(2) : '-';
  const timedOut = r.signal === 'SIGKILL' && s >= timeoutS;
  let outcome: string;
  if (timedOut) outcome = `killed after ${timeoutS} s`;
  else if (r.status === 0) {
    let note = '';
    try {
      const j = JSON.parse(r.stdout);
      const reasons: string[] = j.summary?.limits ?? [];
      note = reasons.length ? `: ${reasons[0]}` : '';
    } catch {
      note = ' (stdout not JSON)';
    }
    outcome = `exit 0${note}`;
  } else outcome = `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').pop()}`;
  outcome = outcome.replace(new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/', 'g'), '').replace(/\|/g, '\\|');
  if (outcome.length > 140) outcome = outcome.slice(0, 137) + '...';
  rows.push(`| ${c.name} | ${size} | ${timedOut ? `> ${timeoutS}` : s.toFixed(2)} | ${cpuS} | ${rss} | ${outcome} |`);
  process.stdout.write(rows[rows.length - 1] + '\n');
  fs.rmSync(file, { force: true });
}
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\n\`inspect --json\` with ${cli}${quick ? ' (--quick)' : ''}\n\n| input | size | wall s | CPU s | peak RSS | outcome |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
