// Bundles the extension host entry, the CLI and the background worker into dist/.
// tfjs and its WASM backend stay external: they are loaded only by the CLI/worker,
// never by the extension host, and the .wasm binaries are copied beside them.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};

async function main() {
  fs.mkdirSync('dist', { recursive: true });
  const builds = [
    { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
    { entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js' },
    { entryPoints: ['src/cli/worker.ts'], outfile: 'dist/worker.js' },
  ];
  // The WASM backend fetches its binaries relative to the bundle at run time.
  const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDir, f), path.join('dist', f));
  }
  for (const b of builds) {
    if (!fs.existsSync(b.entryPoints[0])) continue;
    if (watch) {
      const ctx = await esbuild.context({ ...common, ...b });
      await ctx.watch();
    } else {
      await esbuild.build({ ...common, ...b });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
