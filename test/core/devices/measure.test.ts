// The measurement protocol (src/core/devices/measure.ts) with scripted in-process runners: warm-up and
// batches, the fastest run and the rule for when it is stable, interleaved pass orders, median and
// spread, retries, drops, required architectures, a runner that never works, cancellation between runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureArchitectures, median, relativeIqr, MeasureItem } from '../../../src/core/devices/measure';
import { CancelledError, MeasurementError, Runner, RunnerSession } from '../../../src/core/devices/runners/runner';

/** A runner whose run times come from `timing(arch, visit, run)`; `fail(arch, visit)` makes an open fail. */
function scripted(timing: (arch: string, visit: number, run: number) => number, fail: (arch: string, visit: number) => boolean = () => false) {
  const visits = new Map<string, number>();
  const log: { arch: string; runs: number }[] = [];
  const runner: Runner = {
    kind: 'command',
    settings: { runner: 'scripted' },
    protocol: { warmupRuns: 2, warmupMs: 0, batchRuns: 5, batchMs: 0, maxBatchRuns: 5, minPasses: 3, maxPasses: 6, settle: 2, tolerance: 0.02, maxFailures: 2 },
    async open(model: string): Promise<RunnerSession> {
      const v = visits.get(model) ?? 0;
      visits.set(model, v + 1);
      if (fail(model, v)) throw new MeasurementError(`device busy (${model})`);
      const entry = { arch: model, runs: 0 };
      log.push(entry);
      return {
        run: async () => timing(model, v, entry.runs++),
        close: async () => {},
      };
    },
  };
  return { runner, log };
}

const items = (names: string[]): MeasureItem[] => names.map((arch) => ({ arch, model: () => arch }));

test('median and relative IQR', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(relativeIqr([10, 10, 10, 10]), 0);
  assert.ok(Math.abs(relativeIqr([1, 2, 3, 4, 5]) - 2 / 3) < 1e-12);
});

test('stable samples: warm-up runs discarded, minPasses visits, latency is the fastest timed run', async () => {
  const base: Record<string, number> = { a: 1, b: 2, c: 4 };
  // Warm-up runs (run 0, 1) are slow; the first visit is the fastest, the next two within 2% of it.
  const { runner, log } = scripted((arch, visit, run) => (run < 2 ? 100 : base[arch] * [1.0, 1.01, 1.015][visit % 3] * (1 + 0.01 * (run - 2))));
  const r = await measureArchitectures(runner, items(['a', 'b', 'c', 'a']));
  assert.deepEqual(r.samples.map((s) => s.arch), ['a', 'b', 'c'], 'duplicates measured once, input order kept');
  assert.equal(r.visits, 9);
  for (const s of r.samples) {
    assert.equal(s.minima.length, 3);
    assert.equal(s.latency_ms, base[s.arch]);
    assert.ok(Math.abs(s.median_ms - base[s.arch] * 1.03) < base[s.arch] * 0.01, `${s.arch}: median ${s.median_ms}`);
    assert.equal(s.runs, 15);
    assert.ok(s.spread > 0.01 && s.spread < 0.05, String(s.spread));
    assert.equal(s.noisy, undefined);
  }
  assert.ok(log.every((l) => l.runs === 7), 'warm-up 2 + batch 5 per visit');
  assert.deepEqual(r.warnings, []);
});

test('passes interleave the architectures in a different order each time', async () => {
  const { runner, log } = scripted(() => 1);
  const names = Array.from({ length: 12 }, (_, i) => `x${i}`);
  await measureArchitectures(runner, items(names));
  const passes = [0, 1, 2].map((p) => log.slice(p * 12, p * 12 + 12).map((l) => l.arch));
  for (const p of passes) assert.deepEqual([...p].sort(), [...names].sort());
  assert.notDeepEqual(passes[0], passes[1]);
  assert.notDeepEqual(passes[1], passes[2]);
});

test('visits go on while the fastest run still drops by more than the tolerance; noisy at maxPasses', async () => {
  // "s" improves on visits 2 and 4, then stays: done after 2 visits without improvement (6 in all).
  // "n" keeps getting 5% faster: stopped at maxPasses (6) and flagged noisy.
  const { runner } = scripted((arch, v) => (arch === 's' ? [1.5, 1.2, 1.21, 1.0, 1.01, 1.0, 0.5][v] : 2 * 0.95 ** v));
  const r = await measureArchitectures(runner, items(['s', 'n']));
  const s = r.samples.find((x) => x.arch === 's')!;
  const n = r.samples.find((x) => x.arch === 'n')!;
  assert.deepEqual(s.minima, [1.5, 1.2, 1.21, 1.0, 1.01, 1.0]);
  assert.equal(s.latency_ms, 1);
  assert.equal(s.noisy, undefined);
  assert.equal(n.minima.length, 6);
  assert.equal(n.noisy, true);
  assert.equal(n.latency_ms, Number((2 * 0.95 ** 5).toPrecision(5)));
  assert.ok(r.warnings.some((w) => /^1 architecture was still getting faster after 6 visits/.test(w)), r.warnings.join('|'));
});

test('a failed visit is retried; after maxFailures the architecture is dropped and the result says why', async () => {
  const { runner } = scripted(
    () => 1,
    (arch, v) => (arch === 'flaky' && v === 0) || arch === 'broken',
  );
  const r = await measureArchitectures(runner, items(['ok', 'flaky', 'broken']));
  assert.deepEqual(r.samples.map((s) => s.arch), ['ok', 'flaky']);
  assert.equal(r.samples[1].failures, 1);
  assert.deepEqual(r.dropped, [{ arch: 'broken', reason: 'device busy (broken)' }]);
  assert.ok(r.warnings.some((w) => /^1 architecture failed once or more and was measured on a retry/.test(w)));
  assert.ok(r.warnings.some((w) => /^1 architecture dropped after 2 failed attempts, e\.g\. broken: device busy/.test(w)));
});

test('a required architecture that cannot be measured ends the measurement with its error', async () => {
  const { runner } = scripted(() => 1, (arch) => arch === 'ref');
  await assert.rejects(measureArchitectures(runner, items(['x', 'ref', 'y']), { required: ['ref'] }), (e: Error) => e instanceof MeasurementError && /ref could not be measured \(2 attempts\): device busy/.test(e.message));
});

test('a runner that never works fails fast, quoting its error', async () => {
  const { runner, log } = scripted(() => 1, () => true);
  await assert.rejects(measureArchitectures(runner, items(Array.from({ length: 20 }, (_, i) => `a${i}`))), /failed 3 times without a single measurement: device busy/);
  assert.equal(log.length, 0);
});

test('cancellation between runs throws CancelledError at once', async () => {
  const ac = new AbortController();
  let runs = 0;
  const { runner } = scripted(() => {
    if (++runs === 40) ac.abort();
    return 1;
  });
  const seen: number[] = [];
  await assert.rejects(measureArchitectures(runner, items(['a', 'b', 'c', 'd']), { signal: ac.signal, onProgress: (p) => seen.push(p.visit) }), CancelledError);
  assert.equal(runs, 40, 'no run after the abort');
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
});

test('progress: visits, planned visits, pass and elapsed time', async () => {
  const { runner } = scripted(() => 1);
  const seen: { visit: number; planned: number; pass: number }[] = [];
  await measureArchitectures(runner, items(['a', 'b']), { onProgress: (p) => seen.push({ visit: p.visit, planned: p.planned, pass: p.pass }) });
  assert.deepEqual(seen.map((s) => s.visit), [1, 2, 3, 4, 5, 6]);
  assert.ok(seen.every((s) => s.planned === 6));
  assert.deepEqual(seen.map((s) => s.pass), [1, 1, 2, 2, 3, 3]);
});

test('a slow visit repeats its progress with the time elapsed (no frozen message), counting no new visit', async () => {
  const runner: Runner = {
    kind: 'command',
    settings: {},
    protocol: { warmupRuns: 0, warmupMs: 0, batchRuns: 1, batchMs: 0, maxBatchRuns: 1, minPasses: 1, maxPasses: 1, settle: 0, tolerance: 0.02, maxFailures: 1 },
    async open(): Promise<RunnerSession> {
      return { run: () => new Promise((r) => setTimeout(() => r(5), 450)), close: async () => {} };
    },
  };
  const seen: { visit: number; waiting: boolean; elapsedMs: number }[] = [];
  await measureArchitectures(runner, items(['a']), { tickMs: 100, onProgress: (p) => seen.push({ visit: p.visit, waiting: p.waiting === true, elapsedMs: p.elapsedMs }) });
  assert.equal(seen[0].waiting, false);
  const ticks = seen.filter((s) => s.waiting);
  assert.ok(ticks.length >= 2, JSON.stringify(seen));
  assert.ok(ticks.every((s) => s.visit === 1));
  assert.ok(ticks[ticks.length - 1].elapsedMs > ticks[0].elapsedMs);
  // No tick after the measurement ended.
  const n = seen.length;
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(seen.length, n);
});

test('a fatal failure ends the measurement at once; every failure is reported', async () => {
  let opens = 0;
  const runner: Runner = {
    kind: 'onnxruntime',
    settings: {},
    protocol: {},
    async open(): Promise<RunnerSession> {
      opens++;
      throw new MeasurementError('input "x" has a dynamic dimension', { fatal: true });
    },
  };
  const failed: string[] = [];
  await assert.rejects(measureArchitectures(runner, items(['a', 'b', 'c']), { onFailure: (arch, m) => failed.push(`${arch}: ${m}`) }), (e: Error) => e instanceof MeasurementError && e.fatal && /dynamic dimension/.test(e.message));
  assert.equal(opens, 1);
  assert.equal(failed.length, 1);
  // Retried failures are reported too.
  const { runner: flaky } = scripted(() => 1, (arch, visit) => visit === 0 && (arch === 'a' || arch === 'b'));
  const all: string[] = [];
  const r = await measureArchitectures(flaky, items(['a', 'b', 'c', 'd']), { onFailure: (arch) => all.push(arch) });
  assert.deepEqual(all.sort(), ['a', 'b']);
  assert.match(r.warnings[0], /^2 architectures failed once or more and were measured on a retry/);
  // One: in the singular.
  const { runner: once } = scripted(() => 1, (arch, visit) => visit === 0 && arch === 'a');
  const r1 = await measureArchitectures(once, items(['a', 'b', 'c']));
  assert.match(r1.warnings[0], /^1 architecture failed once or more and was measured on a retry/);
});
