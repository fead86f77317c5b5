// What the end-to-end test (run.mjs) and the editor benchmark (bench.mjs) share: the packaged VSIX in a
// fresh code-server (installed offline by ../shared/tools/install-code-server.sh; temp user-data and
// extensions folders; --auth none on a free port) driven by headless Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const vsix = path.join(root, 'dist', 'help-latency.vsix');

/** Settings that keep VS Code quiet and predictable in a test (no tips, updates, telemetry, suggestions). */
export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.wordBasedSuggestions': 'off',
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(fn, what, timeoutMs = 60_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${last.message})` : ''}`);
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || '').slice(-2000)}`);
  return r.stdout;
}

export function findFiles(dir, re) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? findFiles(p, re) : re.test(d.name) ? [p] : [];
  });
}

/** One code-server with the VSIX installed, its temp folders, and the browser page on its workbench. */
export class CodeServerSession {
  constructor(prefix, log) {
    this.log = log;
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.userData = path.join(this.tmp, 'user-data');
    this.extDir = path.join(this.tmp, 'extensions');
    this.workspace = path.join(this.tmp, 'workspace');
    fs.mkdirSync(path.join(this.userData, 'User'), { recursive: true });
    fs.mkdirSync(this.extDir, { recursive: true });
  }

  /** Packages the VSIX (unless HELP_E2E_SKIP_PACKAGE=1 and one exists); returns its size in bytes. */
  packageVsix() {
    if (process.env.HELP_E2E_SKIP_PACKAGE !== '1' || !fs.existsSync(vsix)) {
      this.log('packaging the VSIX');
      run('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    }
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} was not built`);
    return fs.statSync(vsix).size;
  }

  installCodeServer() {
    this.log('installing code-server (idempotent)');
    this.entry = run('bash', [path.join(root, '..', 'shared', 'tools', 'install-code-server.sh')]).trim().split('\n').pop();
    if (!this.entry || !fs.existsSync(this.entry)) throw new Error(`code-server entry not found: ${this.entry}`);
  }

  /** Writes user-data/User/<name> (settings.json, keybindings.json) as JSON. */
  writeUserFile(name, value) {
    fs.writeFileSync(path.join(this.userData, 'User', name), JSON.stringify(value));
  }

  /** Installs the VSIX (returns code-server's output), starts the server and opens the workbench. */
  async start() {
    const config = path.join(this.tmp, 'config.yaml');
    fs.writeFileSync(config, 'auth: none\ncert: false\n');
    const base = ['--config', config, '--user-data-dir', this.userData, '--extensions-dir', this.extDir, '--disable-telemetry', '--disable-update-check'];
    this.log('installing the VSIX into code-server');
    const installOutput = run(process.execPath, [this.entry, ...base, '--install-extension', vsix]);

    const port = await freePort();
    this.log(`starting code-server on 127.0.0.1:${port}`);
    const serverLog = fs.openSync(path.join(this.tmp, 'code-server.log'), 'w');
    this.server = spawn(process.execPath, [this.entry, ...base, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-workspace-trust', '--disable-getting-started-override', this.workspace], {
      stdio: ['ignore', serverLog, serverLog],
      env: { ...process.env, VSCODE_PROXY_URI: '' },
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 'code-server to listen', 60_000, 500);

    this.browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    this.page = await this.browser.newPage({ viewport: { width: 1600, height: 1000 } });
    this.page.on('pageerror', (e) => this.log(`page error: ${e.message}`));
    await this.page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor(async () => (await this.page.locator('.explorer-folders-view .monaco-list-row').count()) > 0, 'the explorer', 60_000);
    this.log('workbench up');
    return installOutput;
  }

  logServerTail() {
    const l = path.join(this.tmp, 'code-server.log');
    if (fs.existsSync(l)) this.log(`code-server log tail:\n${fs.readFileSync(l, 'utf8').slice(-3000)}`);
  }

  async cleanup() {
    try {
      await this.browser?.close();
    } catch {
      /* already gone */
    }
    if (this.server && this.server.exitCode === null) {
      this.server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      if (this.server.exitCode === null) this.server.kill('SIGKILL');
    }
    if (!process.env.HELP_E2E_KEEP) fs.rmSync(this.tmp, { recursive: true, force: true });
    else this.log(`kept ${this.tmp}`);
  }
}
