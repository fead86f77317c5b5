// One activation of the bundled extension in a fresh Node process, with the `vscode` stand-in: require()
// then activate(). bench/editor-bench.ts bundles this file with esbuild and runs it with plain node (no
// TypeScript loader in the way), several times; prints JSON.
//   node activate-once.js ROOT EXTENSION_DIR
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createVscode, extensionContext, installVscode } from './vscode-mock';

const [root, dir] = process.argv.slice(2);
const mock = createVscode({ root, workspace: dir });
installVscode(mock.vscode);
const context = extensionContext(dir);
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require(path.join(dir, 'dist', 'extension.js'));
const t1 = performance.now();
ext.activate(context);
const t2 = performance.now();
const self = (mock.commands.get('help._perfStats')!() as { values: Record<string, number> }).values;
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, self }));
for (const d of context.subscriptions) d.dispose();
