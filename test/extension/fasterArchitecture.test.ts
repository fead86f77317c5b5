// "HELP: Find a faster architecture for DEVICE": the code actions on a spec, and the command they run (budget
// input, worker request with progress and cancellation, the QuickPick, the rewrite in place), against the
// vscode stand-in (vscodeMock.ts) with a scripted user and worker.
import { ui, registered, vscode, MockDocument, Position, Range, Selection, noCancel, CodeActionKind } from './vscodeMock';
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  budgetProblem,
  candidateItems,
  CandidateItem,
  defaultBudget,
  FASTER_KIND,
  FasterArchitectureDeps,
  FasterArchitectureProvider,
  FIND_FASTER_COMMAND,
  FindFasterArgs,
  parseBudget,
  pickTexts,
  rankedItems,
  registerFasterArchitecture,
} from '../../src/extension/fasterArchitecture';
import { findSpecs, specAt } from '../../src/core/spaces/findSpecs';
import type { DeviceInfo, NearestFasterParams, NearestFasterResult } from '../../src/worker/protocol';

const root = path.resolve(__dirname, '..', '..');
const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const NEAR1 = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|';
const NEAR2 = '|avg_pool_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|';

const dev = (name: string, origin: DeviceInfo['origin'] = 'table'): DeviceInfo => ({ name, space: 'nasbench201', origin, samples: 30 });
const DEVICES = [dev('gold_6226'), dev('pixel2', 'profile'), dev('titan_rtx_256'), dev('mine', 'adapted')];

interface Fake {
  deps: FasterArchitectureDeps;
  requests: { method: string; params: any; options: any }[];
  result: (p: NearestFasterParams) => NearestFasterResult | Promise<NearestFasterResult>;
  primary: { devices: string[]; error?: string };
  currentMs: number | undefined;
  log: string[];
}

function fake(): Fake {
  const f: Fake = {
    requests: [],
    result: (p) => nbResult(p),
    primary: { devices: ['gold_6226', 'pixel2', 'mine'] },
    currentMs: 10,
    log: [],
    deps: undefined as never,
  };
  f.deps = {
    latency: {
      primary: async () => ({ ...f.primary, info: [] }),
      spaceDevices: async (space: string) => (f.primary.error ? { space, devices: [], error: f.primary.error } : { space, devices: DEVICES }),
      ensure: async () => {},
      cached: () => (f.currentMs === undefined ? undefined : { ms: f.currentMs }),
      worker: {
        request: (async (method: string, params: any, options: any) => {
          f.requests.push({ method, params, options });
          options?.onProgress?.({ message: '1 edit: 25 architectures predicted, 1 within 8 ms' });
          return f.result(params);
        }) as any,
      },
    },
    index: {
      specs: (doc: any) => findSpecs(doc.getText()),
      current: (editor: any) => (editor ? specAt(findSpecs(editor.document.getText()), editor.document.offsetAt(editor.selection.active)) : undefined),
    },
    log: (l: string) => f.log.push(l),
  };
  return f;
}

function nbResult(p: NearestFasterParams, over: Partial<NearestFasterResult> = {}): NearestFasterResult {
  return {
    space: 'nasbench201',
    device: p.device,
    budgetMs: p.budgetMs,
    margin: 0.02,
    searchBudgetMs: p.budgetMs / 1.02,
    start: CELL,
    current_ms: 10,
    current_accuracy: 72,
    candidates: [
      { spec: NEAR1, edits: 1, predicted_ms: 7.5, accuracy: 70.1 },
      { spec: NEAR2, edits: 2, predicted_ms: 6 },
    ],
    method: 'exact',
    reached: 2,
    evaluated: 265,
    accuracySource: 'CIFAR-100 test accuracy (MetaD2A candidate cells)',
    seconds: 0.1,
    ...over,
  };
}

function open(name: string, text: string, languageId = 'python'): MockDocument {
  const d = new MockDocument(`/ws/${name}`, text, languageId);
  vscode.workspace.textDocuments.push(d);
  return d;
}

const ctx = (only?: CodeActionKind) => ({ diagnostics: [], triggerKind: 1, only }) as any;
const at = (doc: MockDocument, offset: number) => new Range(doc.positionAt(offset), doc.positionAt(offset));

async function actions(f: Fake, doc: MockDocument, offset: number, only?: CodeActionKind) {
  return new FasterArchitectureProvider(f.deps).provideCodeActions(doc as any, at(doc, offset) as any, ctx(only), noCancel as any);
}

/** Registers the provider and command as activation does, and runs the first action of `doc` at `offset`
 *  for `device` (the "another device" action when undefined). */
async function runAction(f: Fake, doc: MockDocument, offset: number, device?: string) {
  registered.commands.clear();
  registerFasterArchitecture(f.deps);
  const list = await actions(f, doc, offset);
  const a = list.find((x) => (device ? x.title.endsWith(` for ${device}`) : x.title.endsWith('another device…')));
  assert.ok(a?.command, `an action for ${device ?? 'another device'}`);
  await registered.commands.get(a.command.command)!(...(a.command.arguments ?? []));
}

beforeEach(() => ui.reset());

/** The first row a user can pick (separators cannot be). */
const firstCandidate = (items: any[]) => items.find((i) => 'candidate' in i);

test('one action per primary device on a spec, and one for another device; the command arguments', async () => {
  const f = fake();
  const text = `# a cell\ngenotype = "${CELL}"\n`;
  const doc = open('model.py', text);
  const start = text.indexOf('|');
  const list = await actions(f, doc, start + 5);
  assert.deepEqual(
    list.map((a) => a.title),
    ['HELP: Find a faster architecture for gold_6226', 'HELP: Find a faster architecture for pixel2', 'HELP: Find a faster architecture for mine', 'HELP: Find a faster architecture for another device…'],
  );
  for (const a of list) {
    assert.equal(a.kind!.value, 'refactor.rewrite.help.fasterArchitecture');
    assert.equal(a.disabled, undefined);
    assert.equal(a.command!.command, FIND_FASTER_COMMAND);
  }
  const args = list[0].command!.arguments![0] as FindFasterArgs;
  assert.deepEqual(args, { uri: doc.uri.toString(), space: 'nasbench201', spec: CELL, start, end: start + CELL.length, device: 'gold_6226' });
  assert.equal((list[3].command!.arguments![0] as FindFasterArgs).device, undefined);
  // The cursor right after the spec still counts; off a spec, nothing.
  assert.equal((await actions(f, doc, start + CELL.length)).length, 4);
  assert.deepEqual(await actions(f, doc, 2), []);
  // Only the kinds asked for: refactorings yes, quick fixes no.
  assert.equal((await actions(f, doc, start, CodeActionKind.Refactor)).length, 4);
  assert.equal((await actions(f, doc, start, FASTER_KIND as any)).length, 4);
  assert.deepEqual(await actions(f, doc, start, CodeActionKind.QuickFix), []);
  // Every device primary: no "another device".
  f.primary = { devices: DEVICES.map((d) => d.name) };
  assert.equal((await actions(f, doc, start)).length, 4);
  assert.ok((await actions(f, doc, start)).every((a) => !a.title.endsWith('another device…')));
});

test('HAT: one disabled action saying why; a space HELP cannot predict: disabled with the reason', async () => {
  const f = fake();
  const hat = open('sub.yml', fs.readFileSync(path.join(root, 'data', 'examples', 'hat', 'wmt14ende_help_titanrtx@74.0ms.yml'), 'utf8'), 'yaml');
  const list = await actions(f, hat, 3);
  assert.equal(list.length, 1);
  assert.equal(list[0].title, 'HELP: Find a faster architecture');
  assert.match(list[0].disabled!.reason, /no architecture search for HAT SubTransformers/);
  assert.equal(list[0].command, undefined);
  f.primary = { devices: [], error: 'no trained weights for nasbench201 in this build yet, so HELP cannot predict nasbench201 latency' };
  const doc = open('a.txt', CELL, 'plaintext');
  const d = await actions(f, doc, 1);
  assert.equal(d.length, 1);
  assert.match(d[0].disabled!.reason, /^HELP cannot predict nasbench201 latency here: no trained weights/);
});

test('the budget: prefilled at 80% of the current latency, validated', async () => {
  assert.equal(defaultBudget(10.7), '8.56');
  assert.equal(defaultBudget(92.7724), '74.2');
  assert.equal(defaultBudget(0.42), '0.336');
  assert.equal(defaultBudget(undefined), '');
  assert.equal(parseBudget('8.5'), 8.5);
  assert.equal(parseBudget(' 8,5 ms '), 8.5);
  assert.equal(parseBudget('.5'), 0.5);
  assert.equal(parseBudget('8 MS'), 8);
  for (const bad of ['', 'abc', '-1', '8 s', '1e3', '8..5']) assert.equal(parseBudget(bad), undefined, bad);
  assert.equal(budgetProblem('8', 10, 'gold_6226'), undefined);
  assert.match(budgetProblem('abc', 10, 'gold_6226')!, /latency budget in milliseconds/);
  assert.match(budgetProblem('0', 10, 'gold_6226')!, /more than 0 ms/);
  assert.equal(budgetProblem('10', 10, 'gold_6226'), 'the architecture is already predicted at 10.0 ms on gold_6226: type a smaller budget');
  assert.equal(budgetProblem('50', undefined, 'gold_6226'), undefined);
});

test('the action: budget, search with progress, QuickPick with edits, latency and accuracy; the pick rewrites the cell in place', async () => {
  const f = fake();
  const text = `# a cell\ngenotype = "${CELL}"  # keep\nlr = 0.1\n`;
  const doc = open('model.py', text);
  let inputOpts: any;
  ui.inputBox = async (o) => ((inputOpts = o), '8');
  let shown: any[] = [];
  let pickOpts: any;
  ui.quickPick = async (items, o) => ((shown = items), (pickOpts = o), items.find((i: any) => i.candidate?.spec === NEAR2));
  await runAction(f, doc, text.indexOf('|') + 3, 'gold_6226');

  assert.equal(inputOpts.value, '8');
  assert.match(inputOpts.prompt, /Latency budget in ms on gold_6226 \(the architecture is predicted at 10\.0 ms\)/);
  assert.equal(inputOpts.validateInput('12'), 'the architecture is already predicted at 10.0 ms on gold_6226: type a smaller budget');
  assert.equal(inputOpts.validateInput('7.5 ms'), undefined);

  assert.equal(f.requests.length, 1);
  const r = f.requests[0];
  assert.equal(r.method, 'nearestFaster');
  assert.deepEqual(r.params, { space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs: 8 });
  assert.equal(r.options.timeoutMs, 0);
  assert.ok(r.options.token, 'cancellable');
  assert.equal(ui.progress.length, 1);
  assert.equal(ui.progress[0].options.cancellable, true);
  assert.equal(ui.progress[0].options.location, vscode.ProgressLocation.Notification);
  assert.match(ui.progress[0].options.title, /searching nasbench201 architectures under 8 ms on gold_6226/);
  assert.deepEqual(ui.progress[0].reports, [{ message: '1 edit: 25 architectures predicted, 1 within 8 ms' }]);

  // Separators name the groups: known accuracy (its source), then unknown.
  assert.deepEqual(
    shown.map((i) => (i.kind === vscode.QuickPickItemKind.Separator ? `-- ${i.label}` : i.label)),
    ['-- CIFAR-100 test accuracy (MetaD2A candidate cells)', '7.5 ms · 1 edit', '-- accuracy unknown', '6.0 ms · 2 edits'],
  );
  assert.equal(shown[1].description, '25% faster · accuracy 70.10% (−1.90)');
  assert.equal(shown[1].detail, 'edge 1→3: nor_conv_3x3 → nor_conv_1x1');
  assert.equal(shown[3].description, '40% faster · accuracy unknown');
  assert.equal(shown[3].detail, 'edge 0→1: nor_conv_3x3 → avg_pool_3x3 · edge 2→3: skip_connect → none');
  assert.equal(pickOpts.title, 'HELP: faster on gold_6226 · now 10.0 ms, 72.00% · budget 8 ms less 2.0% margin');
  assert.equal(pickOpts.placeHolder, '2 found, known accuracy first: pick one to rewrite the architecture');
  assert.ok(f.log.some((l) => /under 8 ms, searched under 7\.84 ms: 2\.0% margin .*every architecture within 2 edits predicted.*accuracy: CIFAR-100/.test(l)), f.log.join('\n'));

  assert.equal(doc.getText(), `# a cell\ngenotype = "${NEAR2}"  # keep\nlr = 0.1\n`);
  assert.deepEqual(ui.status, ['HELP: 2 edits, 6.0 ms predicted on gold_6226']);
  assert.ok(f.log.some((l) => /rewrote a nasbench201 architecture in \/ws\/model\.py: 2 edits/.test(l)));
  assert.deepEqual(ui.messages, []);
});

const FB = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip', 'k3_e1', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e3', 'k5_e6', 'skip', 'k3_e6', 'k5_e6', 'k3_e1', 'k3_e3', 'k5_e3', 'k3_e6'];

test('FBNet in a YAML block list and OFA in a JSON config: rewritten keeping their form', async () => {
  const f = fake();
  const fb2 = FB.map((o, l) => (l === 7 ? 'k3_e1' : o));
  const yaml = (ops: string[]) => `search:\n  arch:\n${ops.map((o) => `    - "${o}"`).join('\n')}\n  epochs: 10\n`;
  const doc = open('arch.yaml', yaml(FB), 'yaml');
  f.result = (p) => ({ ...nbResult(p), space: 'fbnet', start: JSON.stringify(FB), current_ms: 90, current_accuracy: undefined, accuracySource: undefined, method: 'beam', candidates: [{ spec: JSON.stringify(fb2), edits: 1, predicted_ms: 60 }] });
  f.currentMs = 90;
  ui.inputBox = async () => '70';
  let shown: any[] = [];
  ui.quickPick = async (items) => ((shown = items), items[0]);
  await runAction(f, doc, yaml(FB).indexOf('- "k5_e1"'), 'pixel2');
  assert.equal(f.requests[0].params.space, 'fbnet');
  assert.equal(f.requests[0].params.spec, JSON.stringify(FB));
  assert.equal(shown[0].description, '33% faster');
  assert.equal(shown[0].detail, 'layer 8: k5_e6 → k3_e1');
  assert.equal(doc.getText(), yaml(fb2));

  const ofa = { wid: null, ks: Array(20).fill(7), e: Array(20).fill(6), d: [4, 4, 4, 4, 4], r: 224 };
  const ofa2 = { ...ofa, d: [4, 4, 3, 4, 4], r: 208 };
  const json = (o: object) => `${JSON.stringify(o, null, 2)}\n`;
  const odoc = open('net.config', json(ofa), 'json');
  f.result = (p) => ({ ...nbResult(p), space: 'ofa', start: JSON.stringify({ ks: ofa.ks, e: ofa.e, d: ofa.d, r: ofa.r }), current_ms: 20, current_accuracy: undefined, accuracySource: undefined, method: 'beam', candidates: [{ spec: JSON.stringify({ ks: ofa2.ks, e: ofa2.e, d: ofa2.d, r: ofa2.r }), edits: 2, predicted_ms: 15 }] });
  f.currentMs = 20;
  ui.inputBox = async () => '16';
  ui.quickPick = async (items) => ((shown = items), items[0]);
  await runAction(f, odoc, 5, 'mine');
  assert.equal(f.requests[1].params.budgetMs, 16);
  assert.equal(shown[0].detail, 'stage 3 depth 4 → 3 · resolution 224 → 208');
  assert.equal(odoc.getText(), json(ofa2));
});

test('another device: chosen from every device of the space, primary ones first', async () => {
  const f = fake();
  const doc = open('a.txt', CELL, 'plaintext');
  let devices: string[] = [];
  ui.quickPick = async (items) => {
    if (!devices.length) {
      devices = items.map((i: any) => i.label);
      return items.find((i: any) => i.label === 'titan_rtx_256');
    }
    return undefined;
  };
  ui.inputBox = async () => '5';
  await runAction(f, doc, 0);
  assert.deepEqual(devices, ['gold_6226', 'pixel2', 'mine', 'titan_rtx_256']);
  assert.equal(f.requests[0].params.device, 'titan_rtx_256');
  assert.equal(doc.getText(), CELL, 'no pick, no change');
});

test('escape anywhere changes nothing; a cancelled search is silent; worker errors are shown', async () => {
  const f = fake();
  const doc = open('a.txt', CELL, 'plaintext');
  ui.inputBox = async () => undefined;
  await runAction(f, doc, 0, 'gold_6226');
  assert.equal(f.requests.length, 0);

  ui.inputBox = async () => '8';
  ui.cancelProgress = true;
  let cancelled = false;
  f.result = () => {
    const e = Object.assign(new Error('cancelled'), { code: 'cancelled' });
    cancelled = true;
    throw e;
  };
  await runAction(f, doc, 0, 'gold_6226');
  assert.ok(cancelled);
  assert.equal(ui.messages.length, 0);

  ui.cancelProgress = false;
  f.result = () => {
    throw Object.assign(new Error('unknown device "gold_6226" for nasbench201 (built in: a, b)'), { code: 'bad-request' });
  };
  await runAction(f, doc, 0, 'gold_6226');
  assert.equal(ui.messages.length, 1);
  assert.equal(ui.messages[0].kind, 'error');
  assert.equal(ui.messages[0].text, 'HELP: cannot search faster architectures: unknown device "gold_6226" for nasbench201');
  assert.equal(doc.getText(), CELL);
});

test('nothing fits: the message names the fastest found, and "Use the fastest" applies it', async () => {
  const f = fake();
  const doc = open('a.md', `Cell: \`${CELL}\`.`, 'markdown');
  f.result = (p) => nbResult(p, { candidates: [], reached: 6, evaluated: 15625, fastest: { spec: NEAR2, edits: 2, predicted_ms: 6 } });
  ui.inputBox = async () => '1';
  ui.answer = (m) => m.items[0];
  await runAction(f, doc, 8, 'gold_6226');
  assert.equal(ui.messages.length, 1);
  assert.equal(
    ui.messages[0].text,
    'HELP: no nasbench201 architecture within 6 edits is predicted under 0.98 ms on gold_6226 (every architecture within 6 edits predicted; the 1 ms budget less a 2.0% margin for prediction error); the fastest found runs in 6.0 ms (2 edits).',
  );
  assert.deepEqual(ui.messages[0].items, ['Use the fastest']);
  assert.equal(doc.getText(), `Cell: \`${NEAR2}\`.`);
});

test('the spec moved while searching: rewritten where it is now; changed: a warning, nothing rewritten', async () => {
  const f = fake();
  const text = `x = "${CELL}"\n`;
  const doc = open('m.py', text);
  ui.inputBox = async () => '8';
  ui.quickPick = async (items) => {
    doc.edit(0, 0, '# inserted above\n');
    return firstCandidate(items);
  };
  await runAction(f, doc, 6, 'gold_6226');
  assert.equal(doc.getText(), `# inserted above\nx = "${NEAR1}"\n`);

  const doc2 = open('n.py', text);
  ui.quickPick = async (items) => {
    // The user edits the first op meanwhile.
    doc2.edit(6, 6 + 'nor_conv_3x3'.length, 'none');
    return firstCandidate(items);
  };
  await runAction(f, doc2, 6, 'gold_6226');
  assert.equal(ui.messages.length, 1);
  assert.equal(ui.messages[0].kind, 'warning');
  assert.match(ui.messages[0].text, /changed while HELP was searching; nothing was rewritten/);
  assert.ok(!doc2.getText().includes(NEAR1));
});

test('from the palette: the spec under the cursor; HAT gets the reason; no spec, a hint', async () => {
  const f = fake();
  registered.commands.clear();
  registerFasterArchitecture(f.deps);
  assert.equal(registered.codeActionProviders.at(-1)!.metadata.providedCodeActionKinds[0].value, 'refactor.rewrite.help.fasterArchitecture');
  const run = registered.commands.get(FIND_FASTER_COMMAND)!;
  const text = `a = "${CELL}"\nb = "${NEAR2}"\n`;
  const doc = open('p.py', text);
  const cursor = doc.positionAt(text.indexOf(NEAR2) + 4);
  vscode.window.activeTextEditor = { document: doc, selection: new Selection(cursor, cursor) };
  ui.quickPick = async (items) => items.find((i: any) => i.label === 'pixel2') ?? firstCandidate(items);
  ui.inputBox = async () => '8';
  f.result = (p) => nbResult(p, { start: NEAR2, candidates: [{ spec: NEAR1, edits: 3, predicted_ms: 7 }] });
  await run();
  assert.equal(f.requests[0].params.spec, NEAR2);
  assert.equal(f.requests[0].params.device, 'pixel2');
  assert.equal(doc.getText(), `a = "${CELL}"\nb = "${NEAR1}"\n`);

  const hat = open('h.yml', fs.readFileSync(path.join(root, 'data', 'examples', 'hat', 'wmt14ende_help_titanrtx@74.0ms.yml'), 'utf8'), 'yaml');
  vscode.window.activeTextEditor = { document: hat, selection: new Selection(new Position(0, 0), new Position(0, 0)) };
  await run();
  assert.match(ui.messages.at(-1)!.text, /no architecture search for HAT SubTransformers/);
  vscode.window.activeTextEditor = undefined;
  await run();
  assert.match(ui.messages.at(-1)!.text, /put the cursor on an architecture/);
  assert.equal(f.requests.length, 1);
});

test('QuickPick items: without accuracy, only the speed-up; long edit lists are cut', () => {
  const r = nbResult({ space: 'nasbench201', spec: CELL, device: 'd', budgetMs: 8 }, { accuracySource: undefined, current_accuracy: undefined });
  const items = candidateItems({ ...r, candidates: [{ spec: NEAR2, edits: 2, predicted_ms: 6 }] });
  assert.equal(items[0].description, '40% faster');
  const fb = JSON.stringify(FB);
  const all = JSON.stringify(FB.map((o) => (o === 'skip' ? 'k3_e1' : 'skip')));
  const many = candidateItems({ ...r, space: 'fbnet', start: fb, candidates: [{ spec: all, edits: 22, predicted_ms: 1 }] });
  assert.equal(many[0].detail!.split(' · ').length, 7);
  assert.match(many[0].detail!, /… 16 more$/);
});

test('QuickPick rows: known accuracy first whatever the search order, each group by edits; short title and placeholder', () => {
  const p = { space: 'nasbench201', spec: CELL, device: 'd', budgetMs: 8 };
  const A = '|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
  const B = '|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
  const C = '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
  // The search's order: fewest edits first, most of them without accuracy (swaps for none or skip).
  const r = nbResult(p, {
    candidates: [
      { spec: B, edits: 1, predicted_ms: 7 },
      { spec: C, edits: 1, predicted_ms: 7.5 },
      { spec: A, edits: 1, predicted_ms: 7.9, accuracy: 71.2 },
      { spec: NEAR2, edits: 2, predicted_ms: 6 },
      { spec: NEAR1, edits: 2, predicted_ms: 6.5, accuracy: 70.1 },
    ],
  });
  const rows = rankedItems(r);
  const specs = rows.map((i) => ('candidate' in i ? (i as CandidateItem).candidate.spec : `-- ${i.label}`));
  assert.deepEqual(specs, ['-- CIFAR-100 test accuracy (MetaD2A candidate cells)', A, NEAR1, '-- accuracy unknown', B, C, NEAR2]);
  // All known or no accuracy source: no separators, the search's order.
  const known = nbResult(p, { candidates: [r.candidates[2], r.candidates[4]] });
  assert.deepEqual(rankedItems(known).map((i) => i.label), ['-- CIFAR-100 test accuracy (MetaD2A candidate cells)', '7.9 ms · 1 edit', '6.5 ms · 2 edits'].map((l) => l.replace(/^-- /, '')));
  const none = nbResult(p, { accuracySource: undefined, current_accuracy: undefined });
  assert.ok(rankedItems(none).every((i) => 'candidate' in i));
  assert.equal(pickTexts(none, 'gold_6226').placeHolder, '2 found, fewest edits first: pick one to rewrite the architecture');
  // The quick input is about 600 px wide: neither text is cut for a device name of ordinary length.
  const t = pickTexts(r, 'titan_rtx_256');
  assert.ok(t.title.length <= 85 && t.placeHolder.length <= 80, `${t.title} | ${t.placeHolder}`);
  assert.equal(t.placeHolder, '5 found, known accuracy first: pick one to rewrite the architecture');
});
