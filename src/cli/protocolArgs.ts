// What measure, adapt-local and their onnx-space forms share: the measurement protocol options (--warmup,
// --runs, --passes MIN[-MAX]), the runner options (--runner, --command, ...), the progress on stderr and
// Ctrl-C.
import { Args } from './args';
import type { MeasureProgress, ProtocolOptions } from '../core/devices/measure';
import { SpecError } from '../core/spaces/space';
import { neutraliseForDisplay } from '../core/text/safeText';
import { progressText } from '../core/devices/local';
import { makeRunner } from '../core/devices/runners';
import { CancelledError } from '../core/devices/runners/runner';
import type { Runner } from '../core/devices/runners/runner';
import type { InputShapes } from '../core/devices/runners/onnxruntime';

export function protocolFrom(args: Args): Partial<ProtocolOptions> {
  const p: Partial<ProtocolOptions> = {};
  if (args.has('warmup')) p.warmupRuns = args.int('warmup', 0, 0);
  if (args.has('runs')) {
    p.batchRuns = args.int('runs', 1, 1);
    p.maxBatchRuns = Math.max(p.batchRuns, 1000);
  }
  const passes = args.str('passes');
  if (passes !== undefined) {
    const m = /^(\d{1,6})(?:-(\d{1,6}))?$/.exec(passes);
    if (!m || +m[1] < 1 || (m[2] !== undefined && +m[2] < +m[1])) throw new SpecError(`--passes must be MIN or MIN-MAX (1 <= MIN <= MAX), got "${passes.slice(0, 40)}"`);
    p.minPasses = +m[1];
    p.maxPasses = m[2] !== undefined ? +m[2] : Math.max(+m[1], 2 * +m[1]);
  }
  return p;
}

export const RUNNER_FLAGS = ['runner', 'command', 'threads', 'graph-opt', 'timeout-s', 'first-run-timeout-s', 'warmup', 'runs', 'passes'];

function secondsFlag(args: Args, name: string): number | undefined {
  const v = args.str(name);
  const t = v === undefined ? undefined : Number(v);
  if (t !== undefined && !(t > 0 && Number.isFinite(t))) throw new SpecError(`--${name} must be a positive number of seconds, got "${v}"`);
  return t;
}

export function runnerFrom(args: Args, fallback: 'onnxruntime' | 'command' = 'onnxruntime', inputShapes?: InputShapes): Runner {
  const t = secondsFlag(args, 'timeout-s');
  const first = secondsFlag(args, 'first-run-timeout-s');
  return makeRunner({
    runner: args.str('runner') ?? fallback,
    command: args.str('command'),
    threads: args.has('threads') ? args.int('threads', 1, 1) : undefined,
    graphOptimizationLevel: args.str('graph-opt'),
    timeoutS: t,
    firstRunTimeoutS: first,
    inputShapes,
  });
}

export function describeRunner(r: Runner): string {
  const s = r.settings;
  return r.kind === 'onnxruntime' ? `onnxruntime (${s.threads} thread${s.threads === 1 ? '' : 's'}, graph optimisation ${s.graphOptimizationLevel})` : `command ${JSON.stringify(s.command)}`;
}

/** Progress on stderr: one rewritten line on a terminal, else a line at most every 2 s. Architectures, names
 *  and runner output in it are neutralised (no escape sequences or bidi controls reach the terminal). */
export function progressPrinter(): { progress(p: MeasureProgress): void; phase(m: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  let open = false;
  return {
    progress(p) {
      const line = `  ${neutraliseForDisplay(progressText(p))}`;
      if (tty) {
        process.stderr.write(`\r\x1b[K${line}`);
        open = true;
      } else if (Date.now() - last >= 2000 || (p.visit === 1 && !p.waiting)) {
        last = Date.now();
        process.stderr.write(line + '\n');
      }
    },
    phase(m) {
      this.done();
      process.stderr.write(`${neutraliseForDisplay(m)}\n`);
    },
    done() {
      if (open) process.stderr.write('\r\x1b[K');
      open = false;
    },
  };
}

/** Ctrl-C cancels between runs (and stops a running device command); nothing is written then. */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
    },
  };
}

export async function withCancellation<T>(f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const c = interruptible();
  try {
    return await f(c.signal);
  } catch (e) {
    if (e instanceof CancelledError) {
      process.exitCode = 130;
      throw new Error('cancelled; nothing was written');
    }
    throw e;
  } finally {
    c.dispose();
  }
}

