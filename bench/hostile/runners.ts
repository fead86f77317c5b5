// Measurement paths of issue 17 (items 2-4) under hostile conditions: a device command that never answers
// (ssh to a host that does not reply), measured through the CLI (`node dist/cli.js measure`, `node
// esbuild.js` first; `--cli FILE` runs another build, e.g. the old one), a device flooding its stderr
// before failing, and a help.devices list of 100k invalid entries. Prints a markdown table: wall time,
// exit code and the last line the CLI printed (or the error's length).
//   node --import tsx bench/hostile/runners.ts [--quick] [--cli dist/cli.js]
// --quick gives the silent device a 20 s run timeout (the old build then fails after 3 x 20 s); the full
// run uses the defaults (60 s a run: the old build fails after about 183 s).
import '../../test/extension/vscodeMock';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCommandOnce } from '../../src/core/devices/runners/command';
import { validateSettings } from '../../src/extension/settings';
import { problemsNotice } from '../../src/extension/config';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const cliAt = args.indexOf('--cli');
const cli = path.resolve(cliAt >= 0 ? args[cliAt + 1] : path.join(__dirname, '..', '..', 'dist', 'cli.js'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-bench-hostile-runners-'));
const node = JSON.stringify(process.execPath);

interface Row {
  input: string;
  size: string;
  ms: number;
  outcome: string;
}
const rows: Row[] = [];

// 1. A device that never answers, three architectures.
const silent = path.join(tmp, 'silent.js');
fs.writeFileSync(silent, 'setInterval(() => {}, 1000);');
const archs = path.join(tmp, 'archs.json');
fs.writeFileSync(archs, JSON.stringify(['|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|', '|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|', '|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|']));
{
  const argv = [cli, 'measure', '--space', 'nasbench201', '--runner', 'command', '--command', `${node} ${JSON.stringify(silent)} {model}`, '--archs', archs, '--out', path.join(tmp, 'out.json')];
  if (quick) argv.push('--timeout-s', '20');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', cwd: tmp, timeout: 300_000 });
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  rows.push({ input: 'command device that never answers', size: `3 architectures${quick ? ', --timeout-s 20' : ', default timeouts'}`, ms: Date.now() - t0, outcome: `exit ${r.status}: ${last.slice(0, 150)}` });
}

async function main(): Promise<void> {
// 2. A device flooding its stderr, then failing.
for (const mb of quick ? [20] : [20, 200]) {
  const flood = path.join(tmp, `flood-${mb}.js`);
  fs.writeFileSync(flood, `const c = 'noise '.repeat(100000); for (let i = 0; i < ${Math.round((mb * 1e6) / 600000)}; i++) process.stderr.write(c); process.stderr.write('\\nfatal: the real error\\n'); process.exitCode = 1;`);
  const t0 = Date.now();
  let outcome = '';
  try {
    await runCommandOnce({ template: `${node} ${JSON.stringify(flood)} {model}` }, archs);
  } catch (e) {
    const m = (e as Error).message;
    outcome = `${m.length} chars, ${/the real error/.test(m) ? 'quotes' : 'misses'} the final error`;
  }
  rows.push({ input: 'device stderr flood, then exit 1', size: `${mb} MB`, ms: Date.now() - t0, outcome });
}

// 3. Invalid help.devices entries.
for (const n of quick ? [100_000] : [100_000, 1_000_000]) {
  const devices = Array.from({ length: n }, (_, i) => ({ name: `board ${i}`, runner: 'tensorrt' }));
  const t0 = Date.now();
  const { warnings } = validateSettings({ devices });
  const notice = problemsNotice(warnings);
  rows.push({ input: 'invalid help.devices entries', size: `${n / 1000}k`, ms: Date.now() - t0, outcome: `${warnings.length} problems, one notification of ${notice.length} chars` });
}
}

void main().then(() => {
fs.rmSync(tmp, { recursive: true, force: true });
process.stdout.write(`CLI: ${path.relative(process.cwd(), cli)}\n\n| input | size | wall | outcome |\n|---|---|---|---|\n`);
for (const r of rows) process.stdout.write(`| ${r.input} | ${r.size} | ${(r.ms / 1000).toFixed(2)} s | ${r.outcome.replace(/\|/g, '\\|')} |\n`);
});
