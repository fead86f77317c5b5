// The worker's `nearestFaster` (the editor's "Find a faster architecture"), through the bundled dist/worker.js
// as the extension forks it (npm test builds it first): the nearest architectures under a budget with their
// predicted latency (the same as `predict` gives) and, for NAS-Bench-201, MetaD2A's accuracy where known;
// progress per edit distance, cancellation between distances, HAT unsupported, bad requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nb201Edits, fbnetEdits, ofaEdits } from '../../src/core/nas/nearest';
import { parseCandidates } from '../../src/core/nas/constrained';
import { WorkerProcess } from '../cli/helpers';
import { formatNasBench201Cell, parseNasBench201Cell } from '../../src/core/spaces/nasbench201';

const root = path.resolve(__dirname, '..', '..');
const canonicalCell = (s: string) => formatNasBench201Cell(parseNasBench201Cell(s));
const candidates = parseCandidates(fs.readFileSync(path.join(root, 'data', 'nasbench201', 'metad2a_candidates.csv'), 'utf8'), canonicalCell);
const accuracy = new Map(candidates.map((c) => [c.spec, c.accuracy!]));
// MetaD2A's top candidate: its accuracy is known.
const CELL = candidates[0].spec;
const FBNET = JSON.stringify(JSON.parse(fs.readFileSync(path.join(root, 'data', 'fbnet', 'architectures.json'), 'utf8'))[3]);
// OFA's own net config, as a file holds it (multi-line JSON with "wid": null).
const OFA_FILE = fs.readFileSync(path.join(root, 'data', 'examples', 'ofa', 'cpu_gold6226', 'latency_147ms_accuracy_77.6.json'), 'utf8');

const worker = new WorkerProcess();
const send = (method: string, params?: unknown, id?: number) => worker.send(method, params, id);
/** The progress messages of request `id` so far. */
const messages = (id: number) => (worker.progress.get(id) ?? []).map((p) => p.message ?? '');

async function predict(space: string, specs: string[], device: string): Promise<number[]> {
  const r = await send('predict', { space, specs, devices: [device] });
  assert.equal(r.error, undefined, r.error);
  return r.result.ms[device];
}

after(() => worker.kill());

test('nasbench201: the nearest cells under the budget, exact, with MetaD2A accuracy where known', async () => {
  const [current] = await predict('nasbench201', [CELL], 'gold_6226');
  const budgetMs = current * 0.8;
  const id = worker.nextId;
  const r = await send('nearestFaster', { space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs });
  assert.equal(r.error, undefined, r.error);
  const res = r.result;
  assert.equal(res.space, 'nasbench201');
  assert.equal(res.device, 'gold_6226');
  assert.equal(res.start, CELL);
  assert.equal(res.method, 'exact');
  assert.ok(Math.abs(res.current_ms - current) < 1e-9);
  assert.equal(res.current_accuracy, accuracy.get(CELL));
  assert.match(res.accuracySource, /CIFAR-100/);
  assert.ok(res.candidates.length > 0 && res.candidates.length <= 10);
  // The search keeps gold_6226's estimated prediction error as headroom, as the CLI's nas does.
  assert.ok(res.margin > 0 && res.margin < 0.2);
  assert.ok(Math.abs(res.searchBudgetMs - budgetMs / (1 + res.margin)) < 1e-9);
  for (const c of res.candidates) {
    assert.ok(c.predicted_ms <= res.searchBudgetMs, `${c.spec} ${c.predicted_ms} > ${res.searchBudgetMs}`);
    assert.notEqual(c.spec, CELL);
    assert.equal(c.edits, nb201Edits.distance(CELL, c.spec));
    assert.equal(c.accuracy, accuracy.get(c.spec));
  }
  // Fewest edits first, then faster.
  for (let k = 1; k < res.candidates.length; k++) {
    const [a, b] = [res.candidates[k - 1], res.candidates[k]];
    assert.ok(a.edits < b.edits || (a.edits === b.edits && a.predicted_ms <= b.predicted_ms));
  }
  // The same latency as `predict`.
  const ms = await predict('nasbench201', res.candidates.map((c: any) => c.spec), 'gold_6226');
  res.candidates.forEach((c: any, k: number) => assert.ok(Math.abs(c.predicted_ms - ms[k]) < 1e-9));
  // Exact: no cell with fewer edits fits.
  const nearest = res.candidates[0].edits;
  const closer = Array.from({ length: nearest - 1 }, (_, k) => nb201Edits.atDistance(CELL, k + 1)).flat();
  if (closer.length) assert.ok((await predict('nasbench201', closer, 'gold_6226')).every((v) => v > res.searchBudgetMs));
  // One progress message per edit distance searched.
  const msgs = messages(id);
  assert.equal(msgs.length, res.reached);
  assert.match(msgs[0], /^1 edit: \d+ architectures predicted, \d+ within/);
});

test('nasbench201: a budget nothing meets gives no candidates, the fastest cell seen and the whole space searched', async () => {
  const r = await send('nearestFaster', { space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs: 0.001 });
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r.result.candidates, []);
  assert.equal(r.result.reached, 6);
  assert.equal(r.result.evaluated, 15625);
  assert.ok(r.result.fastest.predicted_ms > 0.001 && r.result.fastest.predicted_ms < r.result.current_ms);
});

test('fbnet: fewest changed layers under the budget (beam search); limit', async () => {
  const [current] = await predict('fbnet', [FBNET], 'gold_6226');
  const budgetMs = current * 0.8;
  const r = await send('nearestFaster', { space: 'fbnet', spec: FBNET, device: 'gold_6226', budgetMs, limit: 5 });
  assert.equal(r.error, undefined, r.error);
  const res = r.result;
  assert.equal(res.method, 'beam');
  assert.equal(res.accuracySource, undefined);
  assert.equal(res.candidates.length, 5);
  for (const c of res.candidates) {
    assert.ok(c.predicted_ms <= budgetMs);
    assert.ok(c.edits >= 1);
    assert.equal(c.edits, fbnetEdits.distance(FBNET, c.spec));
    assert.equal(c.accuracy, undefined);
  }
  const ms = await predict('fbnet', res.candidates.map((c: any) => c.spec), 'gold_6226');
  res.candidates.forEach((c: any, k: number) => assert.ok(Math.abs(c.predicted_ms - ms[k]) < 1e-6));
});

test('fbnet: when the beam finds nothing within maxEdits, regularised evolution towards few edits', async () => {
  const [current] = await predict('fbnet', [FBNET], 'gold_6226');
  // One changed layer cannot save a quarter of the latency.
  const budgetMs = current * 0.75;
  const r = await send('nearestFaster', { space: 'fbnet', spec: FBNET, device: 'gold_6226', budgetMs, maxEdits: 1 });
  assert.equal(r.error, undefined, r.error);
  const res = r.result;
  assert.equal(res.reached, 1);
  assert.equal(res.method, 'evolution');
  assert.ok(res.candidates.length > 0);
  for (const c of res.candidates) {
    assert.ok(c.predicted_ms <= budgetMs);
    assert.ok(c.edits > 1);
    assert.equal(c.edits, fbnetEdits.distance(FBNET, c.spec));
  }
  for (let k = 1; k < res.candidates.length; k++) {
    const [a, b] = [res.candidates[k - 1], res.candidates[k]];
    assert.ok(a.edits < b.edits || (a.edits === b.edits && a.predicted_ms <= b.predicted_ms));
  }
});

test('ofa: a config as written in a file; edits count kernel/expansion/depth/resolution changes', async () => {
  const r0 = await send('predict', { space: 'ofa', specs: [OFA_FILE], devices: ['titan_rtx_1'] });
  const start = r0.result.specs[0];
  const current = r0.result.ms.titan_rtx_1[0];
  const r = await send('nearestFaster', { space: 'ofa', spec: OFA_FILE, device: 'titan_rtx_1', budgetMs: current * 0.9 });
  assert.equal(r.error, undefined, r.error);
  const res = r.result;
  assert.equal(res.start, start);
  assert.ok(res.candidates.length > 0);
  for (const c of res.candidates) {
    assert.ok(c.predicted_ms <= current * 0.9);
    assert.equal(c.edits, ofaEdits.distance(start, c.spec));
    assert.ok(c.edits >= 1);
  }
});

test('a search can be cancelled between two edit distances; the worker answers on', async () => {
  const id = worker.newId();
  const pending = send('nearestFaster', { space: 'fbnet', spec: FBNET, device: 'gold_6226', budgetMs: 0.001 }, id);
  // Wait for the first distance, then cancel.
  for (let i = 0; i < 600 && !messages(id).length; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(messages(id).length, 'a progress message');
  assert.equal((await send('cancel', { id })).result, true);
  const r = await pending;
  assert.equal(r.code, 'cancelled', JSON.stringify(r).slice(0, 200));
  assert.ok(messages(id).length < 8, 'stopped before the last distance');
  assert.equal((await send('ping')).result, 'pong');
});

test('predictions are answered while a search runs (the search has a lane of its own)', async () => {
  const id = worker.newId();
  const order: string[] = [];
  const search = send('nearestFaster', { space: 'fbnet', spec: FBNET, device: 'gold_6226', budgetMs: 0.001 }, id).then((r) => {
    order.push('search');
    return r;
  });
  for (let i = 0; i < 600 && !messages(id).length; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(messages(id).length, 'the search has started');
  const ms = await predict('fbnet', [FBNET], 'gold_6226');
  order.push('predict');
  assert.ok(ms[0] > 0);
  await send('cancel', { id });
  await search;
  assert.deepEqual(order, ['predict', 'search']);
});

test('HAT has no search; bad requests get one-line errors', async () => {
  const hat = await send('nearestFaster', { space: 'hat', spec: 'x', device: 'wmt14ende_cpu_xeon', budgetMs: 100 });
  assert.equal(hat.code, 'unsupported');
  assert.match(hat.error!, /no architecture search for hat/);
  const cases: [unknown, string, RegExp][] = [
    [{ space: 'nasbench201', spec: CELL, device: 'gold_6226' }, 'bad-request', /"budgetMs" must be a positive number/],
    [{ space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs: -1 }, 'bad-request', /"budgetMs"/],
    [{ space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs: '5' }, 'bad-request', /"budgetMs"/],
    [{ space: 'nasbench201', spec: CELL, budgetMs: 5 }, 'bad-request', /"device" must be a device name/],
    [{ space: 'nasbench201', spec: CELL, device: 'nope', budgetMs: 5 }, 'bad-request', /unknown device "nope"/],
    [{ space: 'nasbench201', spec: '|nope~0|', device: 'gold_6226', budgetMs: 5 }, 'bad-request', /^spec: /],
    [{ space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs: 5, limit: 0 }, 'bad-request', /"limit" must be an integer from 1 to 50/],
    [{ space: 'nasbench201', spec: CELL, device: 'gold_6226', budgetMs: 5, margin: 0.9 }, 'bad-request', /"margin" must be "auto" or a number from 0 to 0.5/],
    [{ space: 'cifar', spec: CELL, device: 'gold_6226', budgetMs: 5 }, 'bad-request', /unknown space "cifar"/],
  ];
  for (const [params, code, re] of cases) {
    const r = await send('nearestFaster', params);
    assert.equal(r.code, code, `${JSON.stringify(params)}: ${r.error}`);
    assert.match(r.error!, re);
    assert.equal(r.error!.includes('\n'), false);
  }
  assert.equal((await send('ping')).result, 'pong');
});
