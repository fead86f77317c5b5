// The same end-to-end checks in a real VS Code (Electron) where VS Code can be downloaded (it cannot in
// this project's sandbox; `npm run test:e2e` uses code-server instead). Run with:
//   node esbuild.js && npx tsx test/e2e/electron/runTest.ts
// It bundles the suite with esbuild (the extension host loads JavaScript), downloads VS Code through
// @vscode/test-electron, and runs the suite against a copy of the fixture workspace.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

/** Whether VS Code's download server answers within a few seconds (it does not in an offline sandbox). */
async function canDownloadVsCode(): Promise<string | undefined> {
  try {
    const r = await fetch('https://update.code.visualstudio.com/api/releases/stable', { signal: AbortSignal.timeout(5000) });
    return r.ok ? undefined : `update.code.visualstudio.com answered HTTP ${r.status}`;
  } catch (e) {
    return `update.code.visualstudio.com is unreachable (${(e as Error).message})`;
  }
}

async function main(): Promise<void> {
  const offline = await canDownloadVsCode();
  if (offline) {
    console.log(`@vscode/test-electron suite skipped: it downloads VS Code and ${offline}. npm run test:e2e runs the same checks in code-server.`);
    return;
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'help-electron-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'suite', 'index.ts')],
    outfile: path.join(out, 'suite.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  });
  const workspace = path.join(out, 'workspace');
  fs.cpSync(path.join(root, 'test', 'e2e', 'fixtures'), workspace, { recursive: true });
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(out, 'suite.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(out, 'user-data')],
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
