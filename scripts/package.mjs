// npm run package: the VSIX, non-interactively, marked for the platform whose onnxruntime-node binaries
// esbuild.js copied into dist/ (VS Code then offers it only there; a marketplace release would build one
// per target on each platform).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// VS Code's target names (`vsce package --target`): <platform>-<arch>, musl Linux is "alpine".
const ARCHS = { x64: 'x64', arm64: 'arm64', arm: 'armhf' };
const PLATFORMS = { linux: 'linux', darwin: 'darwin', win32: 'win32' };

export function vscodeTarget(platform = process.platform, arch = process.arch, musl = isMusl()) {
  const p = musl && platform === 'linux' ? 'alpine' : PLATFORMS[platform];
  const a = ARCHS[arch];
  if (!p || !a) throw new Error(`no VS Code target for ${platform}-${arch}`);
  return `${p}-${a}`;
}

function isMusl() {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport?.();
  return !report?.header?.glibcVersionRuntime;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = vscodeTarget();
  const vsce = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
  execFileSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--target', target, '-o', 'dist/help-latency.vsix'], { cwd: root, stdio: 'inherit' });
  console.log(`packaged for ${target}`);
}
