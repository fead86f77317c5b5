// Numbers that cannot be right (issue 16, items 12 and 13): an absurd reading among a device's samples is
// found wherever it sits, and an input that cannot be adapted from is exit 2 naming the sample; a
// prediction is a positive latency, and a search never takes an impossible value as fitting a budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectBadInput, runCli } from '../cli/helpers';
import { loadTf } from '../../src/core/predictor/tf';
import { DeviceSample, LatencyPredictor } from '../../src/core/predictor/service';
import { SpecError } from '../../src/core/spaces/space';
import { selectWithinBudget, searchWholeSpace } from '../../src/core/nas/constrained';
import { nearestUnderBudget } from '../../src/core/nas/nearest';
import { evolve } from '../../src/core/nas/evolution';
import { getSpace } from '../../src/core/spaces/registry';
import { HatPredictor } from '../../src/core/predictor/transfer';

const RASPI4_CELL = '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|skip_connect~2|';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-numbers-'));

let predictor: LatencyPredictor | undefined;
async function nb201(): Promise<LatencyPredictor> {
  predictor ??= LatencyPredictor.load(await loadTf(), 'nasbench201');
  return predictor;
}

/** gold_6226's built-in samples (the 10 references first), the first `n` of them, sample `at` replaced. */
async function samples(n: number, at: number, value: unknown): Promise<DeviceSample[]> {
  const p = await nb201();
  const s = p.builtins.find((d) => d.name === 'gold_6226')!.samples.slice(0, n).map((x) => ({ ...x }));
  assert.ok(p.space.references.includes(p.space.canonical(s[0].arch)), 'sample 1 is a reference architecture');
  (s[at] as { latency_ms: unknown }).latency_ms = value;
  return s;
}

test('a reference reading 1e6 or 1e9 ms, or not a latency at all, is refused naming the sample', async () => {
  const p = await nb201();
  for (const n of [10, 30]) {
    for (const v of [1e6, 1e9]) {
      const s = await samples(n, 0, v);
      // Before: with the 10 references alone, accepted; the device then predicted 254,448,625 ms.
      assert.throws(() => p.adapt('x', s, 'samples.json'), (e: Error) => e instanceof SpecError && e.message.startsWith(`samples.json: sample 1 (${p.space.canonical(s[0].arch)})`), `${v} ms at sample 1 of ${n}`);
    }
  }
  for (const v of [null, 'NaN', -3, 0, Infinity]) {
    const s = await samples(30, 0, v);
    assert.throws(() => p.adapt('x', s, 'samples.json'), /samples\.json: sample 1: latency_ms must be a positive finite number/);
  }
});

test('gross spikes on samples that are not references are left out and reported, however many; the device stays sane', async () => {
  const p = await nb201();
  const gold = p.builtins.find((d) => d.name === 'gold_6226')!.samples;
  // Two hung runs among 12 samples: more than the 10% share the fitted spike rule may leave out (before,
  // the second stayed in the mapping).
  const s = gold.slice(0, 12).map((x, k) => (k === 10 ? { ...x, latency_ms: 1e5 } : k === 11 ? { ...x, latency_ms: 1e6 } : x));
  const dev = p.adapt('x', s, 'samples.json');
  assert.deepEqual(dev.adaptation.spikes?.map((k) => k.arch).sort(), [s[10].arch, s[11].arch].map((a) => p.space.canonical(a)).sort());
  const ms = p.predictIndices(p.open(dev), Array.from({ length: 2000 }, (_, i) => i * 7));
  for (const m of ms) assert.ok(m > 0 && m < 100, `predicted ${m} ms for a device measured at 3.6-18 ms`);
});

test('hat: a reading 1e6 ms among 100-300 ms samples is refused naming the sample (was adapted, predicting 3,662 ms)', async () => {
  const p = HatPredictor.load(getSpace('hat'));
  const s = p.space.references.map((arch, i) => ({ arch, latency_ms: i === 0 ? 1e6 : 100 + 20 * i }));
  assert.throws(() => p.adapt('h', s, 'hat.json'), (e: Error) => e instanceof SpecError && /^hat\.json: sample 1 \(\{/.test(e.message) && /1000000 ms is more than 10x/.test(e.message));
  assert.throws(() => p.adapt('h', s.map((x, i) => (i === 0 ? { ...x, latency_ms: 1e200 } : x)), 'hat.json'), /hat\.json: sample 1 .*not a latency/);
  p.adapt('h', s.map((x, i) => (i === 0 ? { ...x, latency_ms: 90 } : x)), 'hat.json');
});

test('adapt: 1e200 ms on the first reference is exit 2 naming the sample (was exit 1, a TypeError)', async () => {
  const file = path.join(tmp, 'samples.json');
  fs.writeFileSync(file, JSON.stringify({ space: 'nasbench201', device: 'x', samples: await samples(30, 0, 1e200) }));
  const out = path.join(tmp, 'device.json');
  expectBadInput(runCli(tmp, ['adapt', '--space', 'nasbench201', '--samples', file, '--out', out]), /samples\.json: sample 1 \(\|.*\): 1e\+200 ms is not a latency/);
  assert.equal(fs.existsSync(out), false);
});

test('predict: the raspi4 cell measured at 2.83 ms is a positive latency (was -0.40 ms)', () => {
  const r = runCli(tmp, ['predict', '--space', 'nasbench201', '--device', 'raspi4', '--arch', RASPI4_CELL, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const [ms] = JSON.parse(r.stdout) as number[];
  assert.ok(Number.isFinite(ms) && ms > 0, `${ms} ms`);
});

test('nas: a non-positive prediction never fits (raspi4, 0.1 ms, from the cell predicted at -0.40 ms)', () => {
  const r = runCli(tmp, ['nas', '--space', 'nasbench201', '--device', 'raspi4', '--budget', '0.1', '--margin', '0', '--start', RASPI4_CELL, '--max-edits', '1', '--json']);
  if (r.code === 2) return; // nothing fits: fine
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { predicted_ms: number; top: { predicted_ms: number }[] };
  for (const v of [report.predicted_ms, ...report.top.map((t) => t.predicted_ms)]) assert.ok(v > 0, `accepted ${v} ms`);
});

test('search: impossible predictions (<= 0, NaN, infinite, at the floor) never fit and are never the fastest', () => {
  const impossible = [-0.63, 0, NaN, -Infinity, 0.001];
  const floorMs = 0.001;
  const cands = impossible.map((_, k) => ({ spec: `c${k}`, accuracy: 90 - k }));
  const sel = selectWithinBudget(cands, impossible, 0.1, { floorMs });
  assert.equal(sel.best, undefined);
  assert.equal(sel.fastest, undefined);
  assert.equal(selectWithinBudget(cands, [-1, 0.05, 0.5, NaN, 0], 0.1).best?.spec, 'c1', 'only the positive one under the budget');

  const negative = (specs: string[]) => specs.map((_, k) => (k % 2 ? -0.5 : 0));
  assert.deepEqual(nearestUnderBudget('nasbench201', RASPI4_CELL, negative, { budgetMs: 0.1, maxEdits: 1 }), []);
  const whole = searchWholeSpace(getSpace('nasbench201'), (ix) => ix.map((i) => (i % 3 ? -1 : 0.5)), { budgetMs: 0.1, objective: { kind: 'fastest' } });
  assert.equal(whole.best, undefined);
  assert.equal(whole.fastest?.predicted_ms, 0.5);
  const r = evolve('fbnet', (specs) => specs.map(() => -1), {}, { budgetMs: 5, generations: 2, population: 8, polishSteps: 0 });
  assert.equal(r.best.fits, false);
  assert.equal(r.feasible, 0);
  const floored = evolve('ofa', (specs) => specs.map(() => floorMs), {}, { budgetMs: 5, generations: 1, population: 8, polishSteps: 0, floorMs });
  assert.equal(floored.feasible, 0, 'a prediction at the device floor does not fit');
});
