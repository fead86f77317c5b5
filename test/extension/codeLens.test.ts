// The CodeLens controller's timing towards VS Code: a newly shown document is read and its values asked for
// before VS Code's first lens request, and no onDidChangeCodeLenses reaches VS Code while that request is
// due (the event is one for all documents and restarts VS Code's CodeLens debounce in every editor).
// Against the vscode stand-in (vscodeMock.ts) with a worker that answers at once.
import { events, EventEmitter, MockDocument, noCancel, window } from './vscodeMock';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_REQUEST_WAIT_MS, LensController } from '../../src/extension/codeLens';
import { findSpecs } from '../../src/core/spaces/findSpecs';

const CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const CELL2 = '|avg_pool_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|';
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function controller(updateDelayMs = 5) {
  const cache = new Map<string, number>();
  const latency = {
    onDidChange: new EventEmitter<void>().event,
    spaceDevices: async (space: string) => ({ space, devices: [{ name: 'gold_6226', space, origin: 'table', samples: 30 }] }),
    primary: async () => ({ devices: ['gold_6226'], info: [{ name: 'gold_6226', space: 'nasbench201', origin: 'table', samples: 30 }] }),
    ensure: async (_space: string, specs: string[]) => specs.forEach((s) => cache.set(s, s.length / 10)),
    cached: (_space: string, spec: string) => (cache.has(spec) ? { ms: cache.get(spec) } : undefined),
  };
  const index = { eligible: () => true, specs: (d: MockDocument) => findSpecs(d.getText()) };
  const config = { get: () => ({ codeLensEnabled: true, updateDelayMs }), onDidChange: new EventEmitter<void>().event };
  const c = new LensController(latency as any, index as any, config as any);
  const fired: number[] = [];
  c.onDidChangeCodeLenses(() => fired.push(Date.now()));
  return { c, fired };
}

const titles = (c: LensController, d: MockDocument) => c.provideCodeLenses(d as any).map((l) => l.command?.title ?? '');

test('a newly shown document has its values before VS Code asks, and announces nothing before that', async () => {
  const { c, fired } = controller();
  const b = new MockDocument('/w/b.txt', `x = "${CELL}"\n`);
  events.visibleEditors.fire([{ document: b }]);
  await tick(10);
  assert.deepEqual(fired, [], 'values before the first request must not fire onDidChangeCodeLenses');
  assert.match(titles(c, b)[0], /^HELP {2}gold_6226 \d/);
  c.dispose();
});

test("changes of other documents wait until the new editor's first request, then are announced once", async () => {
  const { c, fired } = controller();
  const a = new MockDocument('/w/a.txt', `x = "${CELL}"\n`);
  titles(c, a); // a is shown and served
  await tick(10);
  fired.length = 0;
  const b = new MockDocument('/w/b.txt', `y = "${CELL2}"\n`);
  events.visibleEditors.fire([{ document: a }, { document: b }]);
  // An edit in a: after the update delay it is scanned again and would announce new lenses.
  a.edit(5, 5, ' ');
  events.changeText.fire({ document: a, contentChanges: [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, rangeOffset: 5, rangeLength: 0, text: ' ' }] });
  await tick(50);
  assert.deepEqual(fired, [], 'held while b waits for its first request');
  titles(c, b);
  assert.deepEqual(fired, [], 'not before the reply');
  await tick(5);
  assert.equal(fired.length, 1, 'announced right after b was served');
  c.dispose();
});

test('a shown document VS Code never asks for holds changes for a bounded time only', async () => {
  const { c, fired } = controller();
  const a = new MockDocument('/w/a.txt', `x = "${CELL}"\n`);
  titles(c, a);
  await tick(10);
  fired.length = 0;
  const t0 = Date.now();
  events.visibleEditors.fire([{ document: a }, { document: new MockDocument('/w/never.txt', `z = "${CELL2}"\n`) }]);
  a.edit(5, 5, ' ');
  events.changeText.fire({ document: a, contentChanges: [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, rangeOffset: 5, rangeLength: 0, text: ' ' }] });
  await tick(FIRST_REQUEST_WAIT_MS + 100);
  assert.equal(fired.length, 1);
  assert.ok(fired[0] - t0 >= FIRST_REQUEST_WAIT_MS - 50, `released after ${fired[0] - t0} ms`);
  c.dispose();
});

test('editors visible before activation are read right after it, not in the first provideCodeLenses', async () => {
  const d = new MockDocument('/w/restored.txt', `x = "${CELL}"\n`);
  window.visibleTextEditors = [{ document: d }];
  try {
    const { c } = controller();
    await tick(10);
    assert.match(titles(c, d)[0], /^HELP {2}gold_6226 \d/, 'the first request finds the values ready');
    c.dispose();
  } finally {
    window.visibleTextEditors = [];
  }
});

const typeAt = (d: MockDocument, offset: number, text: string) => {
  d.edit(offset, offset, text);
  events.changeText.fire({ document: d, contentChanges: [{ range: { start: { line: 0, character: offset }, end: { line: 0, character: offset } }, rangeOffset: offset, rangeLength: 0, text }] });
};

test('an edit in a spec marks its lens stale right away, not after the update delay', async () => {
  const { c, fired } = controller(10_000);
  const a = new MockDocument('/w/a.txt', `x = "${CELL}"\n`);
  titles(c, a);
  await tick(10);
  assert.doesNotMatch(titles(c, a)[0], /…/);
  fired.length = 0;
  typeAt(a, 10, 'x');
  assert.equal(fired.length, 1, 'VS Code is asked for the lenses at once');
  assert.match(titles(c, a)[0], /…$/);
  typeAt(a, 11, 'y');
  assert.equal(fired.length, 1, 'once per lens going stale, not per keystroke');
  c.dispose();
});

test('a lens that went stale is drawn stale once before its new values, even when VS Code asks late', async () => {
  const { c, fired } = controller();
  const a = new MockDocument('/w/a.txt', `x = "${CELL}"\n`);
  const before = titles(c, a)[0];
  await tick(10);
  const old = titles(c, a)[0];
  assert.notEqual(before, old);
  // Replace the cell by CELL2 while VS Code does not ask (a loaded machine: its debounce outlasts ours).
  a.edit(5, 5 + CELL.length, CELL2);
  events.changeText.fire({ document: a, contentChanges: [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 + CELL.length } }, rangeOffset: 5, rangeLength: CELL.length, text: CELL2 }] });
  await tick(50);
  fired.length = 0;
  assert.equal(titles(c, a)[0], `${old} …`, 'the old values, marked stale');
  await tick(5);
  assert.equal(fired.length, 1, 'then asked for again');
  const now = titles(c, a)[0];
  assert.doesNotMatch(now, /…/);
  assert.notEqual(now, old);
  c.dispose();
});

test('a cell with dead code has a ⚠ with a short reason first in its lens, the caveat in its tooltip', async () => {
  const { c } = controller();
  const dead = '|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|';
  const a = new MockDocument('/w/a.txt', `x = "${dead}"\ny = "${CELL}"\n`);
  titles(c, a);
  await tick(10);
  const lenses = c.provideCodeLenses(a as any);
  assert.match(lenses[0].command!.title, /^HELP {2}⚠ no input→output path · gold_6226 \d/);
  assert.match(String(lenses[0].command!.tooltip), /⚠ no path from the cell input to its output/);
  assert.match(lenses[1].command!.title, /^HELP {2}gold_6226 \d/);
  c.dispose();
});

test('a spec being edited keeps its (stale) lens through pauses while it is no complete spec', async () => {
  const { c } = controller();
  const a = new MockDocument('/w/a.txt', `x = "${CELL}"\n`);
  titles(c, a);
  await tick(10);
  const old = titles(c, a)[0];
  // Replace the whole cell by its first character (select it, start typing the new one), then pause.
  a.edit(5, 5 + CELL.length, '|');
  events.changeText.fire({ document: a, contentChanges: [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 + CELL.length } }, rangeOffset: 5, rangeLength: CELL.length, text: '|' }] });
  await tick(30);
  assert.deepEqual(titles(c, a), [`${old} …`], 'the lens stays, stale');
  // Type the rest: the new values come.
  typeAt(a, 6, CELL2.slice(1));
  await tick(30);
  titles(c, a);
  await tick(10);
  const now = titles(c, a);
  assert.equal(now.length, 1);
  assert.doesNotMatch(now[0], /…/);
  assert.notEqual(now[0], old);
  // Deleting the spec altogether drops its lens.
  a.edit(5, 5 + CELL2.length, '');
  events.changeText.fire({ document: a, contentChanges: [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 + CELL2.length } }, rangeOffset: 5, rangeLength: CELL2.length, text: '' }] });
  await tick(30);
  assert.deepEqual(titles(c, a), []);
  c.dispose();
});

void noCancel;
