// `npm run bench:hostile [-- --quick] [-- --only NAME]`: runs every bench/hostile/*.ts as its own process
// (a blow-up in one area cannot distort the next one's timings or memory) and prints their tables.
// Each area script generates its adversarial inputs, times the code on them at growing sizes and prints
// a markdown table; figures go to docs/benchmarks.md.
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import * as path from 'path';

const dir = path.join(__dirname, 'hostile');
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const passOn = args.filter((a, i) => a !== '--only' && (onlyAt < 0 || i !== onlyAt + 1));
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && (!only || f.includes(only)))
  .sort();
let failed = 0;
for (const f of scripts) {
  process.stdout.write(`\n## ${f.replace(/\.ts$/, '')}\n\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, f), ...passOn], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`(${f} exited with ${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
