// How long the extension holds the extension host's thread: every synchronous piece of work HELP does on an
// event (edit handlers, CodeLens, rescans, hover) is timed by name, with its count, median, maximum and
// the largest of all. Read by the hidden command `help._perfStats` (test/e2e/bench.mjs) and by
// bench/editor-bench.ts. Pure (no vscode import); costs two clock and two CPU-time reads per task.
//
// Wall time is what blocks the host; the process's CPU time over the same interval tells the extension's
// work from time the thread was not running (another process had the core): on a loaded machine a task's
// wall time can be many times its CPU time.
import { performance } from 'perf_hooks';

/** CPU time of the process (user + system) in ms, for differences. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** When this module was evaluated: the start of the extension bundle (extension.ts imports it first). */
export const LOADED_AT = performance.now();
export const LOADED_CPU = cpuMs();

const KEEP = 2048;

class Stat {
  count = 0;
  totalMs = 0;
  maxMs = 0;
  /** CPU time of the process during the longest run, and the most CPU time of any run. */
  cpuAtMaxMs?: number;
  maxCpuMs?: number;
  /** The last KEEP durations (for the median and p99). */
  readonly recent: number[] = [];

  add(ms: number, cpuMs?: number): void {
    this.count++;
    this.totalMs += ms;
    if (ms > this.maxMs) {
      this.maxMs = ms;
      this.cpuAtMaxMs = cpuMs;
    }
    if (cpuMs !== undefined && !(cpuMs <= (this.maxCpuMs ?? -1))) this.maxCpuMs = cpuMs;
    if (this.recent.length === KEEP) this.recent.shift();
    this.recent.push(ms);
  }
}


export interface StatSnapshot {
  count: number;
  totalMs: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  cpuAtMaxMs?: number;
  maxCpuMs?: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** One entry of the trace: wall-clock start (ms since the epoch, comparable with the workbench page's
 *  `performance.timeOrigin + performance.now()`), duration, and what it was about. */
export interface TraceEvent {
  name: string;
  at: number;
  ms: number;
  detail?: string;
}

const TRACE_KEEP = 4096;

export class PerfStats {
  private stats = new Map<string, Stat>();
  /** Timeline of tasks and marks while tracing is on (the e2e bench lines it up with the page's events). */
  private trace: TraceEvent[] | undefined;
  /** Durations that include waiting (not blocking), e.g. from opening a document to its lens values. */
  private spans = new Map<string, Stat>();
  /** Values set once (activation time, ...). */
  readonly values: Record<string, number | string> = {};

  record(name: string, ms: number, cpu?: number, endedAt?: number): void {
    let s = this.stats.get(name);
    if (!s) this.stats.set(name, (s = new Stat()));
    s.add(ms, cpu);
    if (this.trace) this.push({ name, at: performance.timeOrigin + (endedAt ?? performance.now()) - ms, ms: round(ms) });
  }

  /** A stretch on the trace only, not in the task statistics (no-op unless tracing). */
  traceSpan(name: string, ms: number, endedAt: number): void {
    if (this.trace) this.push({ name, at: performance.timeOrigin + endedAt - ms, ms: round(ms) });
  }

  /** A point event on the trace (no-op unless tracing). */
  mark(name: string, detail?: string): void {
    if (this.trace) this.push({ name, at: performance.timeOrigin + performance.now(), ms: 0, detail });
  }

  get tracing(): boolean {
    return this.trace !== undefined;
  }

  setTracing(on: boolean): void {
    this.trace = on ? (this.trace ?? []) : undefined;
  }

  private push(e: TraceEvent): void {
    if (this.trace!.length === TRACE_KEEP) this.trace!.shift();
    this.trace!.push(e);
  }

  recordSpan(name: string, ms: number): void {
    let s = this.spans.get(name);
    if (!s) this.spans.set(name, (s = new Stat()));
    s.add(ms);
  }

  /** Runs f, recording how long it held the thread (its synchronous part, for an async f). */
  time<T>(name: string, f: () => T): T {
    const c0 = cpuMs();
    const t0 = performance.now();
    try {
      return f();
    } finally {
      const t1 = performance.now();
      this.record(name, t1 - t0, cpuMs() - c0, t1);
    }
  }

  reset(): void {
    this.stats.clear();
    this.spans.clear();
    if (this.trace) this.trace = [];
  }

  snapshot(): { tasks: Record<string, StatSnapshot>; maxBlockingMs: number; worst?: string; spans: Record<string, StatSnapshot>; values: Record<string, number | string>; trace?: TraceEvent[] } {
    const tasks = summarize(this.stats);
    let maxBlockingMs = 0;
    let worst: string | undefined;
    for (const [name, s] of Object.entries(tasks)) {
      if (s.maxMs > maxBlockingMs) {
        maxBlockingMs = s.maxMs;
        worst = name;
      }
    }
    return { tasks, maxBlockingMs, worst, spans: summarize(this.spans), values: { ...this.values }, ...(this.trace ? { trace: [...this.trace] } : {}) };
  }
}

function summarize(stats: Map<string, Stat>): Record<string, StatSnapshot> {
  const out: Record<string, StatSnapshot> = {};
  for (const [name, s] of stats) {
    const sorted = [...s.recent].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    out[name] = { count: s.count, totalMs: round(s.totalMs), medianMs: round(q(0.5)), p99Ms: round(q(0.99)), maxMs: round(s.maxMs) };
    if (s.cpuAtMaxMs !== undefined) out[name].cpuAtMaxMs = round(s.cpuAtMaxMs);
    if (s.maxCpuMs !== undefined) out[name].maxCpuMs = round(s.maxCpuMs);
  }
  return out;
}

/** The extension's one instance. */
export const perf = new PerfStats();
