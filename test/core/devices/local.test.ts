// Choosing the extra architectures, measuring + adapting with a fake device command, the device file saved
// atomically with its raw samples beside it, and a cancellation mid-measurement that leaves the previous
// device file (and its samples) exactly as they were.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPredictor } from '../../../src/core/predictor/load';
import { LatencyPredictor } from '../../../src/core/predictor/service';
import { chooseExtraArchitectures, neutralScores, sampleSpecs } from '../../../src/core/devices/choose';
import { deviceFileIn, measureAndAdapt, planArchitectures, samplesPathFor, saveAdapted } from '../../../src/core/devices/local';
import { CommandRunner } from '../../../src/core/devices/runners/command';
import { CancelledError } from '../../../src/core/devices/runners/runner';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'devices');
const fake = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(fixtures, 'fake-device.js'))} {model}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'help-local-'));
const FAST = { warmupRuns: 0, batchRuns: 1, maxBatchRuns: 1, minPasses: 1, maxPasses: 1 };
let p: LatencyPredictor;

before(async () => {
  p = (await loadPredictor('nasbench201')) as LatencyPredictor;
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('extra architectures: deterministic, new, spread over the neutral latency score', () => {
  const a = chooseExtraArchitectures(p, 10);
  assert.deepEqual(chooseExtraArchitectures(p, 10), a);
  assert.equal(new Set(a).size, 10);
  for (const s of a) assert.ok(!p.space.references.includes(s));
  const pool = sampleSpecs('nasbench201', 1000, 2021, p.space.references);
  const score = neutralScores(p, pool);
  const order = pool.map((_, i) => i).sort((x, y) => score[x] - score[y]);
  // The i-th choice is the pool's architecture at the (i + 0.5) / 10 quantile of the score.
  assert.deepEqual(a, a.map((_, i) => pool[order[Math.floor(((i + 0.5) / 10) * 1000)]]));
  assert.deepEqual(chooseExtraArchitectures(p, 0), []);
  assert.ok(!chooseExtraArchitectures(p, 3, { exclude: [a[0]] }).includes(a[0]));
});

test('plans: references first and required; listed architectures canonical; bad ones named', () => {
  const plan = planArchitectures('nasbench201', { references: true, extra: 2, archs: ['|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|'] }, p);
  assert.deepEqual(plan.specs.slice(0, 10), p.space.references);
  assert.deepEqual(plan.required, p.space.references);
  assert.equal(plan.specs.length, 13);
  assert.throws(() => planArchitectures('nasbench201', { references: false, archs: ['|bogus~0|'] }), /architecture 1:/);
  assert.throws(() => planArchitectures('nasbench201', { references: false, archs: [] }), /nothing to measure/);
});

test('measure + adapt with a device command, saved with its raw samples beside it', async () => {
  const runner = new CommandRunner({ template: fake });
  const phases: string[] = [];
  const a = await measureAndAdapt({ predictor: p, name: 'fake board', runner, extra: 2, protocol: FAST, onPhase: (m) => phases.push(m) });
  assert.equal(a.device.samples.length, 12);
  assert.equal(a.device.name, 'fake board');
  assert.ok(a.device.samples.every((s) => typeof s.spread === 'number' && !('minima' in s)));
  assert.equal(a.record.samples.length, 12);
  assert.deepEqual(a.record.measurement.runner, { runner: 'command', command: fake, timeoutS: 60, firstRunTimeoutS: 15 });
  assert.ok(phases.some((m) => /adapting to 12 measurements/.test(m)));
  const file = deviceFileIn(tmp, 'nasbench201', 'fake board');
  // The readable name, and a hash of the exact name that keeps "fake board" and "fake-board" apart.
  assert.equal(path.basename(file), 'fake-board-1ab543cc5a69.nasbench201.json');
  const saved = saveAdapted(file, a.device, a.record);
  assert.equal(saved.samples, samplesPathFor(file));
  assert.equal(path.basename(saved.samples), 'fake-board-1ab543cc5a69.nasbench201.samples.json');
  const back = p.readDeviceFile(file);
  assert.equal(back.samples.length, 12);
  const raw = JSON.parse(fs.readFileSync(saved.samples, 'utf8'));
  assert.equal(raw.space, 'nasbench201');
  assert.equal(raw.device, 'fake board');
  assert.ok(raw.samples.every((s: { minima: number[]; median_ms: number }) => s.minima.length === 1 && s.median_ms > 0));
  // The fake device's latency is the model's size: the adapted device predicts in that range.
  const ms = p.predict(p.open(back), [p.space.references[0]])[0];
  assert.ok(ms > 0.1 && ms < 20, String(ms));
});

test('a cancellation mid-measurement leaves the previous device file and samples untouched', async () => {
  const file = deviceFileIn(tmp, 'nasbench201', 'fake board');
  const before = fs.readFileSync(file);
  const beforeSamples = fs.readFileSync(samplesPathFor(file));
  const mtime = fs.statSync(file).mtimeMs;
  const ac = new AbortController();
  let visits = 0;
  const runner = new CommandRunner({ template: `${fake} --sleep 30` });
  await assert.rejects(
    (async () => {
      const a = await measureAndAdapt({
        predictor: p,
        name: 'fake board',
        runner,
        extra: 2,
        protocol: FAST,
        signal: ac.signal,
        onProgress: () => {
          if (++visits === 4) setTimeout(() => ac.abort(), 10);
        },
      });
      saveAdapted(file, a.device, a.record);
    })(),
    CancelledError,
  );
  assert.ok(visits >= 4 && visits < 12, `cancelled mid-measurement (visit ${visits})`);
  assert.deepEqual(fs.readFileSync(file), before);
  assert.deepEqual(fs.readFileSync(samplesPathFor(file)), beforeSamples);
  assert.equal(fs.statSync(file).mtimeMs, mtime);
  assert.deepEqual(fs.readdirSync(tmp).sort(), ['fake-board-1ab543cc5a69.nasbench201.json', 'fake-board-1ab543cc5a69.nasbench201.samples.json']);
  // No model files left behind either.
  assert.deepEqual(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('help-measure-') && fs.readdirSync(path.join(os.tmpdir(), f)).length > 0 && Date.now() - fs.statSync(path.join(os.tmpdir(), f)).mtimeMs < 5000), []);
});

test('a failing device ends the adaptation with its error and writes nothing', async () => {
  const runner = new CommandRunner({ template: `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(fixtures, 'fail.js'))} {model}` });
  await assert.rejects(measureAndAdapt({ predictor: p, name: 'x', runner, extra: 0, protocol: FAST }), /exited with code 3: "error: no devices\/emulators found"/);
});
