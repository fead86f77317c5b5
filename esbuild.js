// Bundles the extension host entry, the CLI and the background worker into dist/.
// tfjs and its WASM backend stay external: they are loaded only by the CLI/worker,
// never by the extension host, and the .wasm binaries are copied beside them.
// onnxruntime-node (a native module, loaded only when measuring) stays external too: its JavaScript and
// the binaries of this platform are copied to dist/node_modules/, where the bundles find it (the VSIX
// ships dist/ but not node_modules/; a VSIX so built runs measurements on this platform only).
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
    { entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', external: ['onnxruntime-node'] },
    { entryPoints: ['src/worker/main.ts'], outfile: 'dist/worker.js', external: ['onnxruntime-node'] },
  ];
  copyOnnxRuntime();
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

/** onnxruntime-node and onnxruntime-common into dist/node_modules/ (JavaScript, package.json, licence, and
 *  the native binaries of this platform and architecture only). */
function copyOnnxRuntime() {
  let ortDir;
  try {
    ortDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  } catch {
    console.warn('onnxruntime-node is not installed: the built worker cannot measure with onnxruntime');
    return;
  }
  // onnxruntime-common's "exports" hide its package.json: walk up from its entry point.
  let commonDir = path.dirname(require.resolve('onnxruntime-common', { paths: [ortDir] }));
  while (!fs.existsSync(path.join(commonDir, 'package.json')) || path.basename(commonDir) === 'cjs') commonDir = path.dirname(commonDir);
  const dest = path.join('dist', 'node_modules');
  const copy = (from, to, filter = () => true) => {
    if (!fs.existsSync(from)) return;
    fs.cpSync(from, to, { recursive: true, filter: (f) => fs.statSync(f).isDirectory() || filter(f) });
  };
  const js = (f) => /\.(js|json)$/.test(f) && !f.endsWith('.map');
  const ort = path.join(dest, 'onnxruntime-node');
  const common = path.join(dest, 'onnxruntime-common');
  const bin = path.join('bin', 'napi-v6', process.platform, process.arch);
  const version = (d) => (fs.existsSync(path.join(d, 'package.json')) ? JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).version : undefined);
  if (version(ort) === version(ortDir) && version(common) === version(commonDir) && fs.existsSync(path.join(ort, bin))) return;
  for (const d of [ort, common]) fs.rmSync(d, { recursive: true, force: true });
  for (const f of ['package.json', 'LICENSE', 'README.md']) copy(path.join(ortDir, f), path.join(ort, f));
  copy(path.join(ortDir, 'dist'), path.join(ort, 'dist'), js);
  copy(path.join(ortDir, bin), path.join(ort, bin));
  for (const f of ['package.json', 'LICENSE', 'README.md']) copy(path.join(commonDir, f), path.join(common, f));
  copy(path.join(commonDir, 'dist', 'cjs'), path.join(common, 'dist', 'cjs'), js);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
