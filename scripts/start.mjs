// npm start: build, package the VSIX, then show the main job on the bundled weights: every architecture in
// examples/ predicted on the primary devices, found by the same finders the editor uses (`scan`).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const step = (what, cmd, args) => {
  console.log(`\n== ${what}`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
};
step('build (dist/)', process.execPath, ['esbuild.js']);
step('package (dist/help-latency.vsix)', process.execPath, ['scripts/package.mjs']);
step('predicted latency of every architecture in examples/ on the primary devices', process.execPath, ['dist/cli.js', 'scan', 'examples']);
console.log(`
Install the extension: code --install-extension dist/help-latency.vsix
(or in VS Code: Extensions: Install from VSIX...), then open examples/ and hover an architecture.
The CLI: node dist/cli.js --help (docs/cli.md).`);
