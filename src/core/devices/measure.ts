// The measurement protocol shared by every runner (runners/onnxruntime.ts, runners/command.ts).
//
// The rule. Architectures are measured in passes; every pass visits the architectures still needing
// work in a new seeded random order (interleaved, so that a slow spell of the machine hits different
// architectures in different passes instead of biasing one). A visit opens the model afresh, warms it up
// (at least `warmupRuns` runs and `warmupMs` ms), then times one batch (at least `batchRuns` runs and
// `batchMs` ms, at most `maxBatchRuns`). An architecture's latency is its fastest timed run over all its
// visits: other processes, the host and the runtime only ever slow a run down, so the fastest run is the
// undisturbed speed, and taking it over visits spread in time makes it robust to slow spells lasting
// seconds. It is measured until that minimum is stable: at least `minPasses` visits, and then until
// `settle` consecutive visits did not lower it by more than `tolerance` (relative), at most `maxPasses`
// visits. An architecture still improving at `maxPasses` keeps its fastest run, is flagged `noisy`, and
// the result says so. Each sample also records the median of all its timed runs and their spread
// (interquartile range / median).
//
// Why the fastest run and not the median: on the 2-core machine this was developed on, batch medians of
// one network moved by 10-40% between visits (host contention comes and goes), and estimates built on
// medians (median or minimum of batch medians) repeated between separate measurement runs only to 6-14%
// (median relative difference), while the fastest run over 15 visits of 10 runs repeated to ~1% idle and
// ~3% with two CPU-bound processes running beside it.
//
// Failures: a failed visit (the runner's error) is retried in a later pass; after `maxFailures` failures
// the architecture is dropped and the result says why. A runner that fails on 3 architectures before any
// success, or an architecture listed as `required` (the 10 references of an adaptation) being dropped,
// ends the measurement with the runner's error, as does a fatal error (a device that never answered, a
// model that cannot be fed) at once. Cancellation (an AbortSignal) is checked between runs. While a visit
// runs, its progress is repeated every `tickMs` with the time elapsed, so that a slow or silent device
// shows the seconds passing rather than a frozen message.
import { makeRng, shuffleInPlace } from '../spaces/space';
import { counted } from '../text/plural';
import { CancelledError, MeasurementError, ProtocolOptions, Runner, RunnerSession, throwIfAborted } from './runners/runner';

export type { ProtocolOptions } from './runners/runner';

export const DEFAULT_PROTOCOL: ProtocolOptions = {
  warmupRuns: 3,
  warmupMs: 10,
  batchRuns: 10,
  batchMs: 20,
  maxBatchRuns: 200,
  minPasses: 15,
  maxPasses: 30,
  settle: 5,
  tolerance: 0.01,
  maxFailures: 3,
  seed: 0,
};

export interface MeasureItem {
  arch: string;
  /** The ONNX file of the architecture (made on first use). */
  model(): string | Promise<string>;
}

export interface MeasuredSample {
  arch: string;
  /** The fastest timed run over all visits, ms. */
  latency_ms: number;
  /** Median of all timed runs, ms. */
  median_ms: number;
  /** Interquartile range / median of all timed runs. */
  spread: number;
  /** The fastest run of each visit, in the order measured (ms). */
  minima: number[];
  /** Timed runs in all. */
  runs: number;
  /** Failed visits that were retried. */
  failures: number;
  /** Still improving after maxPasses visits. */
  noisy?: boolean;
}

export interface DroppedSample {
  arch: string;
  reason: string;
}

export interface MeasureProgress {
  arch: string;
  /** Visits started so far (1-based), and the visits planned (architectures x minPasses). */
  visit: number;
  planned: number;
  /** Visit of this architecture (1-based). */
  pass: number;
  elapsedMs: number;
  /** A repeat of the visit's progress while it runs, with the time updated (counts no new visit). */
  waiting?: boolean;
}

export interface MeasureOptions {
  protocol?: Partial<ProtocolOptions>;
  signal?: AbortSignal;
  onProgress?(p: MeasureProgress): void;
  /** Architectures that must be measured: dropping one ends the measurement with its error. */
  required?: Iterable<string>;
  /** Every failed visit, with the runner's error (also the retried ones). */
  onFailure?(arch: string, message: string): void;
  /** How often a running visit's progress is repeated (ms, default 1000). */
  tickMs?: number;
}

export interface MeasureResult {
  /** In the order of the items (dropped ones left out). */
  samples: MeasuredSample[];
  dropped: DroppedSample[];
  /** Human-readable notes on retries, noisy and dropped samples (empty when all went well). */
  warnings: string[];
  protocol: ProtocolOptions;
  visits: number;
  seconds: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Interquartile range / median. */
export function relativeIqr(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = median(s);
  return m > 0 ? (quantile(s, 0.75) - quantile(s, 0.25)) / m : 0;
}

export function resolveProtocol(runner: Runner, o?: Partial<ProtocolOptions>): ProtocolOptions {
  const p: ProtocolOptions = { ...DEFAULT_PROTOCOL, ...runner.protocol, ...o };
  const ints: (keyof ProtocolOptions)[] = ['warmupRuns', 'batchRuns', 'maxBatchRuns', 'minPasses', 'maxPasses', 'settle', 'maxFailures'];
  for (const k of ints) if (!Number.isInteger(p[k]) || p[k] < 0) throw new RangeError(`protocol ${k} must be a non-negative integer, got ${p[k]}`);
  if (p.batchRuns < 1 || p.maxBatchRuns < p.batchRuns) throw new RangeError('protocol: need 1 <= batchRuns <= maxBatchRuns');
  if (p.minPasses < 1 || p.maxPasses < p.minPasses) throw new RangeError('protocol: need 1 <= minPasses <= maxPasses');
  if (p.maxFailures < 1) throw new RangeError('protocol: maxFailures must be at least 1');
  if (!(p.tolerance >= 0)) throw new RangeError('protocol: tolerance must be >= 0');
  return p;
}

/** Warm-up, then one timed batch; returns the batch's run times (ms). */
async function timeBatch(session: RunnerSession, p: ProtocolOptions, signal?: AbortSignal): Promise<number[]> {
  const t0 = process.hrtime.bigint();
  const warmupCap = Math.max(p.warmupRuns, p.maxBatchRuns);
  for (let n = 0; n < warmupCap && (n < p.warmupRuns || Number(process.hrtime.bigint() - t0) / 1e6 < p.warmupMs); n++) {
    throwIfAborted(signal);
    await session.run(signal);
  }
  const xs: number[] = [];
  let sum = 0;
  while ((xs.length < p.batchRuns || sum < p.batchMs) && xs.length < p.maxBatchRuns) {
    throwIfAborted(signal);
    const x = await session.run(signal);
    xs.push(x);
    sum += x;
  }
  return xs;
}

interface State {
  item: MeasureItem;
  minima: number[];
  runs: number[];
  errors: string[];
  dropped: boolean;
}

/** Visits since the fastest run last dropped by more than the tolerance (0 right after it did). */
function visitsSinceImprovement(minima: readonly number[], tolerance: number): number {
  let best = Infinity;
  let since = 0;
  for (const m of minima) {
    if (m < best * (1 - tolerance)) since = 0;
    else since++;
    best = Math.min(best, m);
  }
  return since;
}

function settled(st: State, p: ProtocolOptions): boolean {
  return st.minima.length >= p.minPasses && visitsSinceImprovement(st.minima, p.tolerance) >= Math.min(p.settle, st.minima.length - 1);
}

function needsWork(st: State, p: ProtocolOptions): boolean {
  return !st.dropped && st.minima.length < p.maxPasses && !settled(st, p);
}

const sig5 = (x: number) => Number(x.toPrecision(5));

/** Measures architectures with a runner under the protocol above. Throws CancelledError when cancelled
 *  and MeasurementError when the runner cannot measure at all (or a required architecture). */
export async function measureArchitectures(runner: Runner, items: MeasureItem[], o: MeasureOptions = {}): Promise<MeasureResult> {
  const p = resolveProtocol(runner, o.protocol);
  const required = new Set(o.required ?? []);
  const seen = new Set<string>();
  const states: State[] = [];
  for (const item of items) {
    if (seen.has(item.arch)) continue;
    seen.add(item.arch);
    states.push({ item, minima: [], runs: [], errors: [], dropped: false });
  }
  const rng = makeRng(p.seed);
  const started = Date.now();
  const planned = states.length * p.minPasses;
  let visits = 0;
  let successes = 0;
  let failures = 0;
  const failedArchs = new Set<string>();
  for (;;) {
    const todo = shuffleInPlace(states.filter((s) => needsWork(s, p)), rng);
    if (todo.length === 0) break;
    for (const st of todo) {
      throwIfAborted(o.signal);
      visits++;
      const progress: MeasureProgress = { arch: st.item.arch, visit: visits, planned, pass: st.minima.length + 1, elapsedMs: Date.now() - started };
      o.onProgress?.(progress);
      const onProgress = o.onProgress;
      const ticker = onProgress ? setInterval(() => onProgress({ ...progress, elapsedMs: Date.now() - started, waiting: true }), o.tickMs ?? 1000) : undefined;
      ticker?.unref();
      try {
        const model = await st.item.model();
        const session = await runner.open(model, o.signal);
        let xs: number[];
        try {
          xs = await timeBatch(session, p, o.signal);
        } finally {
          await session.close().catch(() => undefined);
        }
        st.minima.push(Math.min(...xs));
        st.runs.push(...xs);
        successes++;
      } catch (e) {
        if (e instanceof CancelledError || o.signal?.aborted) throw new CancelledError();
        const msg = ((e as Error).message ?? String(e)).split('\n')[0];
        o.onFailure?.(st.item.arch, msg);
        if (e instanceof MeasurementError && e.fatal) throw e;
        st.errors.push(msg);
        failures++;
        failedArchs.add(st.item.arch);
        if (successes === 0 && failures >= p.maxFailures && failedArchs.size >= Math.min(3, states.length)) {
          throw new MeasurementError(`the runner failed ${failures} times without a single measurement: ${msg}`);
        }
        if (st.errors.length >= p.maxFailures) {
          st.dropped = true;
          if (required.has(st.item.arch)) throw new MeasurementError(`${st.item.arch} could not be measured (${st.errors.length} attempts): ${msg}`);
        }
      } finally {
        if (ticker) clearInterval(ticker);
      }
    }
  }
  const samples: MeasuredSample[] = [];
  const dropped: DroppedSample[] = [];
  for (const st of states) {
    if (st.dropped || st.minima.length === 0) {
      dropped.push({ arch: st.item.arch, reason: st.errors[st.errors.length - 1] ?? 'not measured' });
      continue;
    }
    const s: MeasuredSample = {
      arch: st.item.arch,
      latency_ms: sig5(Math.min(...st.minima)),
      median_ms: sig5(median(st.runs)),
      spread: sig5(relativeIqr(st.runs)),
      minima: st.minima.map(sig5),
      runs: st.runs.length,
      failures: st.errors.length,
    };
    if (!settled(st, p)) s.noisy = true;
    samples.push(s);
  }
  const warnings: string[] = [];
  const retried = samples.filter((s) => s.failures > 0);
  if (retried.length) warnings.push(`${counted(retried.length, 'architecture')} failed once or more and ${retried.length === 1 ? 'was' : 'were'} measured on a retry (e.g. ${retried[0].arch})`);
  const noisy = samples.filter((s) => s.noisy);
  if (noisy.length) warnings.push(`${counted(noisy.length, 'architecture')} ${noisy.length === 1 ? 'was' : 'were'} still getting faster after ${p.maxPasses} visits (a busy machine?); the fastest run is kept`);
  if (dropped.length) warnings.push(`${counted(dropped.length, 'architecture')} dropped after ${p.maxFailures} failed attempts, e.g. ${dropped[0].arch}: ${dropped[0].reason}`);
  return { samples, dropped, warnings, protocol: p, visits, seconds: (Date.now() - started) / 1000 };
}
