// Diagnostics on near-miss specs and their quick fixes, against the vscode stand-in: a malformed cell in an
// open document becomes a "HELP" warning naming the node and edge, the quick fix replaces the op, the
// warning goes after the edit, and closing the document clears it. "Predict latency of selected
// architecture" on a malformed selection shows the parse error.
import { diagnosticCollections, events, EventEmitter, MockDocument, registered, ui, vscode, workspace, CodeActionKind } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SpecDiagnostics } from '../../src/extension/diagnostics';
import { SpecQuickFixes } from '../../src/extension/quickFixes';
import { registerCommands } from '../../src/extension/commands';
import { findSpecs } from '../../src/core/spaces/findSpecs';
import { chunkStarts } from '../../src/core/spaces/chunkedSpecs';
import { findNearSpecs } from '../../src/core/spaces/nearSpecs';
import * as fs from 'node:fs';
import * as path from 'node:path';

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const BAD = CELL.replace('nor_conv_3x3~0|+|nor_conv_3x3', 'nor_conv_5x5~0|+|nor_conv_3x3');
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Waits until `pred` holds (polling; a loaded machine delays timers), failing after `ms`. */
async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !pred(); await tick(5)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

function setup(eligible = true) {
  // Chunks cut at every candidate line (the editor cuts at one in eight): the most chunk boundaries.
  const index = { eligible: () => eligible, specs: (d: MockDocument) => findSpecs(d.getText()), chunkOffsets: (d: MockDocument) => chunkStarts(d.getText(), 1) };
  const config = { get: () => ({ updateDelayMs: 5 }), onDidChange: new EventEmitter<void>().event };
  const diagnostics = new SpecDiagnostics(index as any, config as any);
  return { diagnostics, fixes: new SpecQuickFixes(diagnostics), published: (d: MockDocument) => diagnosticCollections.get('HELP')!.get(d.uri.toString()) };
}

beforeEach(() => {
  ui.reset();
  registered.commands.clear();
});

test('a malformed cell gets a warning, the quick fix repairs it, closing clears it', async () => {
  const { diagnostics, fixes, published } = setup();
  const doc = new MockDocument('/w/a.py', `ok = "${CELL}"\nbad = "${BAD}"\n`, 'python');
  workspace.textDocuments = [doc];
  events.openText.fire(doc);
  await until(() => published(doc) !== undefined, 'the first diagnostics');
  const ds = published(doc)!;
  assert.equal(ds.length, 1);
  assert.equal(ds[0].source, 'HELP');
  assert.equal(ds[0].severity, vscode.DiagnosticSeverity.Warning);
  assert.match(ds[0].message, /node 1, edge 0->1: unknown operation "nor_conv_5x5" \(allowed: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3\)/);
  assert.equal(doc.getText(ds[0].range), 'nor_conv_5x5');
  assert.equal(ds[0].range.start.line, 1);

  // No fixes where HELP has no diagnostic, nor for other kinds of action.
  assert.deepEqual(fixes.provideCodeActions(doc as any, ds[0].range as any, { diagnostics: [], triggerKind: 1, only: undefined } as any), []);
  assert.deepEqual(fixes.provideCodeActions(doc as any, ds[0].range as any, { diagnostics: ds, triggerKind: 1, only: CodeActionKind.Refactor } as any), []);
  const actions = fixes.provideCodeActions(doc as any, ds[0].range as any, { diagnostics: ds, triggerKind: 1, only: undefined } as any) as any[];
  assert.deepEqual(actions.map((a) => [a.title, a.kind.value, a.isPreferred]), [['Replace with `nor_conv_3x3`', 'quickfix', true]]);
  assert.deepEqual(actions[0].diagnostics, [ds[0]]);
  assert.equal(await workspace.applyEdit(actions[0].edit), true);
  assert.equal(findSpecs(doc.getText()).length, 2);
  events.changeText.fire({ document: doc, contentChanges: [{}] });
  await until(() => published(doc)?.length === 0, 'the diagnostic to go');

  // Broken again, then closed: nothing left.
  doc.edit(doc.getText().indexOf('avg_pool_3x3~1', 10), doc.getText().indexOf('avg_pool_3x3~1', 10) + 'avg_pool_3x3~1'.length, 'avg_pool_3x3~7');
  events.changeText.fire({ document: doc, contentChanges: [{}] });
  await until(() => published(doc)?.length === 1, 'the new diagnostic');
  assert.match(published(doc)![0].message, /wrong input index 7/);
  events.closeText.fire(doc);
  assert.equal(published(doc), undefined);
  diagnostics.dispose();
});

test('read in chunks, the near-misses are those of the whole text; unchanged chunks are not read again', () => {
  const root = path.resolve(__dirname, '..', '..');
  const fbnet: string[] = JSON.parse(fs.readFileSync(path.join(root, 'data', 'fbnet', 'architectures.json'), 'utf8'))[0];
  const yml = fs.readFileSync(path.join(root, 'test', 'e2e', 'fixtures', 'subtransformer.yml'), 'utf8').replace(/decoder-layer-num-subtransformer: \d+/, 'decoder-layer-num-subtransformer: 9');
  const text = [
    'import torch',
    `bad = "${BAD}"`,
    'def f(x):',
    `    ops = [${fbnet.map((o, i) => (i === 3 ? "'k3_e4'" : `'${o}'`)).join(',\n        ')}]`,
    '    return x',
    `ok = "${CELL}"`,
    'class A:',
    `    cfg = {"ks": [${Array(20).fill(3).join(', ')}], "e": [${Array(20).fill(3).join(', ')}], "d": [2, 2, 2, 2, 1], "r": 224}`,
    yml,
    'print("done")',
  ].join('\n');
  const { diagnostics } = setup();
  const doc = new MockDocument('/w/mixed.py', text, 'python');
  const whole = findNearSpecs(text, findSpecs(text));
  assert.equal(whole.length, 4);
  assert.ok(chunkStarts(text, 1).length > 4);
  assert.deepEqual(diagnostics.update(doc as any), whole);
  assert.ok(diagnostics.lastScanned > 4 && diagnostics.lastScanned === diagnostics.lastChunks);
  // An edit in the last line: only its chunk is read again.
  doc.edit(text.length - 2, text.length - 2, ' ');
  assert.deepEqual(diagnostics.nears(doc as any), whole);
  assert.equal(diagnostics.lastScanned, 1);
  // An edit in the first cell: its near-miss moves, the others stay.
  doc.edit(text.indexOf('bad'), text.indexOf('bad'), '  ');
  const moved = diagnostics.nears(doc as any);
  assert.equal(diagnostics.lastScanned, 1);
  assert.deepEqual(moved.map((n) => n.start), whole.map((n) => n.start + 2));
  diagnostics.dispose();
});

test('documents HELP does not read get no diagnostics', async () => {
  const { diagnostics, published } = setup(false);
  const doc = new MockDocument('/w/big.txt', `bad = "${BAD}"\n`);
  assert.deepEqual(diagnostics.update(doc as any), []);
  assert.equal(published(doc), undefined);
  diagnostics.dispose();
});

test('"Predict latency of selected architecture" on a malformed cell shows the parse error', async () => {
  registerCommands({ latency: {} as any, panel: {} as any, index: {} as any, config: {} as any, adaptedDir: '/tmp', log: () => {} });
  const doc = new MockDocument('/w/a.txt', `x = "${BAD}"`);
  vscode.window.activeTextEditor = { document: doc, selection: new vscode.Selection(new vscode.Position(0, 0), new vscode.Position(0, 0)) };
  (vscode.window.activeTextEditor.selection as any).isEmpty = true;
  await registered.commands.get('help.predictSelection')!();
  assert.equal(ui.messages.length, 1);
  assert.equal(ui.messages[0].kind, 'error');
  assert.match(ui.messages[0].text, /^HELP: NAS-Bench-201 cell: node 1, edge 0->1: unknown operation "nor_conv_5x5"/);
  // Plain text still asks for an architecture.
  ui.messages = [];
  vscode.window.activeTextEditor = { document: new MockDocument('/w/b.txt', 'no spec here'), selection: Object.assign(new vscode.Selection(new vscode.Position(0, 0), new vscode.Position(0, 0)), { isEmpty: true }) };
  await registered.commands.get('help.predictSelection')!();
  assert.match(ui.messages[0].text, /select an architecture first/);
});
