// The onnx space on devices reached through a command (issue 15 item 3): the copy with fixed input dims a
// device command gets, and adapt --space onnx on oversized SAMPLES.json files. Each case runs
// `node dist/cli.js ...` in its own process, with wall time and peak RSS (VmHWM, written at exit by a
// preloaded script). The device is a shell script printing the model file's size in MB.
//   node --import tsx bench/hostile/onnx-devices.ts [--quick] [--cli PATH/TO/cli.js]
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bigWeights, manyOpenInputs } from '../../test/hostile/onnxDevicesGen';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const root = path.join(__dirname, '..', '..');
const cli = path.resolve(opt('--cli') ?? path.join(root, 'dist', 'cli.js'));
const q = (full: number, small: number) => (quick ? small : full);
const M = 1 << 20;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-bench-onnx-devices-'));
const preload = path.join(dir, 'maxrss.cjs');
fs.writeFileSync(
  preload,
  `process.on('exit', () => { try { const fs = require('fs'); let kb = process.resourceUsage().maxRSS; try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {} fs.writeFileSync(process.env.HELP_MAXRSS_FILE, String(kb)); } catch {} });\n`,
);
const device = `/bin/sh ${JSON.stringify(path.join(root, 'test', 'fixtures', 'devices', 'fake-device.sh'))} {model}`;
const QUICK = ['--passes', '1', '--runs', '1', '--warmup', '0'];

function run(argv: string[]): { ms: number; mb: number; code: number | null; last: string } {
  const rss = path.join(dir, 'rss');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', preload, cli, ...argv], { encoding: 'utf8', cwd: dir, env: { ...process.env, HELP_MAXRSS_FILE: rss }, maxBuffer: 64 * M });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const kb = fs.existsSync(rss) ? Number(fs.readFileSync(rss, 'utf8')) : NaN;
  fs.rmSync(rss, { force: true });
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  return { ms, mb: kb / 1024, code: r.status, last: last.length > 90 ? `${last.slice(0, 89)}…` : last };
}

const rows: string[] = ['| case | size | exit | wall | peak RSS | last line |', '|---|---|---|---|---|---|'];
function add(name: string, size: string, argv: string[]): void {
  const r = run(argv);
  rows.push(`| ${name} | ${size} | ${r.code} | ${(r.ms / 1000).toFixed(2)} s | ${r.mb.toFixed(0)} MB | ${r.last.replace(/\|/g, '\\|')} |`);
}

try {
  const weights = q(350, 50) * M;
  const big = path.join(dir, 'weights.onnx');
  fs.writeFileSync(big, bigWeights(weights));
  add('measure --onnx, open input, big weights, command device', `${(fs.statSync(big).size / M).toFixed(0)} MB`, ['measure', '--onnx', big, '--runner', 'command', '--command', device, '--json', ...QUICK]);
  fs.rmSync(big);
  for (const n of quick ? [20_000] : [50_000, 200_000]) {
    const f = path.join(dir, `inputs-${n}.onnx`);
    fs.writeFileSync(f, manyOpenInputs(n));
    add('measure --onnx, open inputs, command device', `${n} inputs (${(fs.statSync(f).size / M).toFixed(1)} MB)`, ['measure', '--onnx', f, '--runner', 'command', '--command', device, '--json', ...QUICK]);
    fs.rmSync(f);
  }
  const many = path.join(dir, 'many.json');
  fs.writeFileSync(many, JSON.stringify({ space: 'onnx', samples: new Array(q(400_000, 100_000)).fill({ arch: 'mlp', latency_ms: 1 }) }));
  add('adapt --space onnx, samples by count', `${(fs.statSync(many).size / M).toFixed(1)} MB`, ['adapt', '--space', 'onnx', '--samples', many, '--out', path.join(dir, 'd.json')]);
  const sparse = path.join(dir, 'sparse.json');
  const fd = fs.openSync(sparse, 'w');
  fs.writeSync(fd, '{"space":"onnx","samples":[');
  fs.ftruncateSync(fd, q(1024, 100) * M);
  fs.closeSync(fd);
  add('adapt --space onnx, sparse samples file', `${q(1024, 100)} MB`, ['adapt', '--space', 'onnx', '--samples', sparse, '--out', path.join(dir, 'd.json')]);
  process.stdout.write(rows.join('\n') + '\n');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
