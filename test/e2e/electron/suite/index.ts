// Runs inside the VS Code extension host (loaded by @vscode/test-electron): the checks of test/e2e/run.mjs
// through the VS Code API instead of the DOM. No test framework: a small sequential runner.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const NEW_CELL = '|avg_pool_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function lensTitles(doc: vscode.TextDocument): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
  return lenses.map((l) => l.command?.title ?? '').filter((t) => t.startsWith('HELP'));
}

const fresh = (t: string) => /HELP/.test(t) && /\bms\b/.test(t) && !t.includes('…');

async function open(name: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const doc = await vscode.workspace.openTextDocument(path.join(folder, name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

const checks: [string, () => Promise<void>][] = [
  [
    'CodeLens "HELP ... ms" above the cell string in a .txt file',
    async () => {
      const doc = await open('cell.txt');
      const t = await waitFor(async () => (await lensTitles(doc)).find(fresh), 'a HELP lens');
      assert.match(t, /gold_6226 [\d.]+ ms/);
    },
  ],
  [
    'CodeLens above the cell string in a .py file',
    async () => {
      const doc = await open('model.py');
      await waitFor(async () => (await lensTitles(doc)).find(fresh), 'a HELP lens');
    },
  ],
  [
    'hover on the spec shows the device table',
    async () => {
      const doc = await open('cell.txt');
      const at = doc.positionAt(doc.getText().indexOf(CELL) + 5);
      const hovers = await waitFor(async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
        const text = (h ?? []).flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
        return /\| device \| latency \| origin \|/.test(text) && /gold\\?_6226/.test(text) ? text : undefined;
      }, 'the hover table');
      assert.match(hovers, /nasbench201/);
    },
  ],
  [
    'editing the spec keeps the lens (stale, then updated)',
    async () => {
      const doc = await open('cell.txt');
      const before = await waitFor(async () => (await lensTitles(doc)).find(fresh), 'a HELP lens');
      const start = doc.getText().indexOf(CELL);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(start + CELL.length)), NEW_CELL.slice(0, 20));
      await vscode.workspace.applyEdit(edit);
      const stale = await lensTitles(doc);
      assert.ok(stale.some((t) => t.includes('…')), `stale lens while editing: ${stale.join(' | ')}`);
      const rest = new vscode.WorkspaceEdit();
      rest.insert(doc.uri, doc.positionAt(start + 20), NEW_CELL.slice(20));
      await vscode.workspace.applyEdit(rest);
      const after = await waitFor(async () => (await lensTitles(doc)).find((t) => fresh(t) && t !== before), 'the updated lens');
      assert.notEqual(after, before);
    },
  ],
  [
    'the latency panel opens from its command',
    async () => {
      await open('cell.txt');
      await vscode.commands.executeCommand('help.showPanel');
      await waitFor(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'HELP Latency'), 'the panel tab');
    },
  ],
  [
    'the extension is active (the host did not crash)',
    async () => {
      const ext = vscode.extensions.getExtension('help-latency.help-latency');
      assert.ok(ext?.isActive, 'extension active');
    },
  ],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, fn] of checks) {
    try {
      await fn();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${(e as Error).message}`);
    }
  }
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} e2e check(s) failed`);
}
