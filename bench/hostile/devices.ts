// Hostile device files (issue 16, item 7): `predict --device FILE` on a real adaptation and on mutants of
// it, each as its own CLI process with its wall time and peak memory (maxRSS, written by a preloaded hook).
// The mutant that matters for memory is a head tensor whose `data` claims a length of 1e9 (a 300 KB file
// that reached 13.4 GB before it was checked). `--cli FILE` times another build (e.g. the main checkout's
// dist/cli.js) for a before/after table; `--quick` gives each run 20 s instead of 120 s.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cliAt = args.indexOf('--cli');
const cli = cliAt >= 0 ? path.resolve(args[cliAt + 1]) : path.join(root, 'dist', 'cli.js');
const timeoutMs = quick ? 20_000 : 120_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-bench-devices-'));
const hook = path.join(tmp, 'rss-hook.js');
fs.writeFileSync(hook, `process.on('exit', () => process.stderr.write('maxrss ' + process.resourceUsage().maxRSS + '\\n'));`);

const data = path.join(root, 'data', 'nasbench201');
const archs: string[] = JSON.parse(fs.readFileSync(path.join(data, 'architectures.json'), 'utf8'));
const refIdx: number[] = JSON.parse(fs.readFileSync(path.join(data, 'reference_indices.json'), 'utf8'));
const gold: number[] = JSON.parse(fs.readFileSync(path.join(data, 'latency', 'gold_6226.json'), 'utf8'));
const samples = path.join(tmp, 'samples.json');
fs.writeFileSync(samples, JSON.stringify({ space: 'nasbench201', device: 'bench', samples: [...refIdx, 17, 230, 411, 512, 640, 700, 777, 801, 850, 899].map((i) => ({ arch: archs[i], latency_ms: gold[i] })) }));
const device = path.join(tmp, 'dev.json');
// The device is adapted by this checkout's CLI, so that both builds read the same file.
const a = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'adapt', '--space', 'nasbench201', '--samples', samples, '--out', device], { encoding: 'utf8' });
if (a.status !== 0) throw new Error(a.stderr);
const intact = JSON.parse(fs.readFileSync(device, 'utf8'));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MUTANTS: [string, (d: any) => void][] = [
  ['intact', () => undefined],
  ['head[0].data = {"length": 1e9}', (d) => (d.adaptation.head[0].data = { length: 1e9 })],
  ['combination.coef[0] = "x"', (d) => (d.adaptation.combination.coef[0] = 'x')],
  ['combination.intercept = 1e308', (d) => (d.adaptation.combination.intercept = 1e308)],
  ['version = "1"', (d) => (d.version = '1')],
];

/** Runs the CLI, polling its peak RSS from /proc as well (a run killed at the timeout never reports it). */
function runCli(argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string; seconds: number; peakMb?: number }> {
  return new Promise((done) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', hook, cli, ...argv]);
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* not Linux, or gone */
      }
    }, 100);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearInterval(poll);
      clearTimeout(timer);
      const reported = /maxrss (\d+)/.exec(stderr);
      const kb = Math.max(peakKb, reported ? Number(reported[1]) : 0);
      done({ status, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakMb: kb ? kb / 1024 : undefined });
    });
  });
}

async function main() {
  const rows: string[] = [];
  for (const [label, mutate] of MUTANTS) {
    const d = JSON.parse(JSON.stringify(intact));
    mutate(d);
    const f = path.join(tmp, 'mutant.json');
    fs.writeFileSync(f, JSON.stringify(d));
    const r = await runCli(['predict', '--space', 'nasbench201', '--device', f, '--arch', archs[1000], '--json']);
    const lastLine = r.stderr.split('\n').filter((l) => l && !l.startsWith('maxrss')).pop() ?? '';
    const outcome = r.status === null ? `killed after ${(timeoutMs / 1000).toFixed(0)} s` : `exit ${r.status} ${r.stdout.trim()} ${lastLine.split(tmp + path.sep).join('').slice(0, 100)}`.trim();
    rows.push(`| ${label} | ${(fs.statSync(f).size / 1024).toFixed(0)} KB | ${r.seconds.toFixed(2)} | ${r.peakMb ? r.peakMb.toFixed(0) : 'n/a'} | ${outcome.replace(/\|/g, '\\|')} |`);
  }
  process.stdout.write(`predict --device FILE with ${path.relative(process.cwd(), cli) || cli}\n\n`);
  process.stdout.write('| device file | size | seconds | peak RSS (MB) | outcome |\n|---|---|---|---|---|\n');
  process.stdout.write(rows.join('\n') + '\n');
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
