// The `command` runner: devices reached another way (a phone over adb, a board over ssh, a vendor
// benchmark tool). The user's template, e.g. `ssh pi@board ./bench --model {model}`, is split into an
// argument vector here, `{model}` (or `${model}`) is replaced by the path of the ONNX file inside the
// arguments, and the program is started WITHOUT a shell: no word splitting, globbing, expansion or
// operators apply to the path or to anything else (an unquoted `;`, `|`, `&`, `<`, `>`, backtick or `$(`
// in the template is refused, since it would silently mean something else than in a shell).
// One run is one invocation; it must print the latency in milliseconds, either as the whole output (a
// bare number) or as a line `latency_ms: N`. Each run is bounded by a timeout, after which the process
// (and its process group) is killed. Anything else is a failed measurement whose error quotes the output
// (the end of its stderr, where a program's error is). Until the device has answered once, a run gets the
// much shorter first-run timeout, and running out of it ends the measurement at once: an unreachable
// device (ssh to a host that does not answer) fails in seconds, not after three minute-long retries.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { CancelledError, MeasurementError, quote, Runner, RunnerSession, throwIfAborted } from './runner';

/** A template the command runner refuses (bad input, shown to the user as is). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const OPERATORS = new Set([';', '|', '&', '<', '>', '`']);

/**
 * Splits a command template into words as a POSIX shell would, without any expansion: blanks separate
 * words; '...' is literal; "..." is literal except for \" \\ \$ \` ; outside quotes a backslash escapes a
 * blank, a quote or a backslash (and is kept otherwise, so Windows paths such as C:\tools\bench.exe work).
 */
export function splitTemplate(template: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "'") {
      const end = template.indexOf("'", i + 1);
      if (end < 0) throw new TemplateError(`unterminated ' in the command template`);
      cur += template.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < template.length && template[j] !== '"'; j++) {
        if (template[j] === '\\' && j + 1 < template.length && '"\\$`'.includes(template[j + 1])) {
          cur += template[j + 1];
          j++;
        } else cur += template[j];
      }
      if (j >= template.length) throw new TemplateError(`unterminated " in the command template`);
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < template.length && /[\s'"\\]/.test(template[i + 1])) {
      cur += template[i + 1];
      i++;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      if (OPERATORS.has(c) || (c === '$' && template[i + 1] === '(')) {
        throw new TemplateError(`the command runs without a shell, so an unquoted "${c === '$' ? '$(' : c}" would not do what it does in one; quote it to pass it literally, or put the pipeline in a script`);
      }
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const PLACEHOLDER = /\$\{model\}|\{model\}/;

/** The argument vector of a template for one model file (validates the template). */
export function commandArgv(template: string, modelPath: string): string[] {
  if (typeof template !== 'string' || template.trim() === '') throw new TemplateError('the command template is empty');
  const words = splitTemplate(template);
  if (!words.some((w) => PLACEHOLDER.test(w))) throw new TemplateError('the command template must contain {model} (replaced by the path of the .onnx file)');
  if (PLACEHOLDER.test(words[0])) throw new TemplateError('{model} cannot be the program itself');
  // A function replacement: "$&"-style patterns in the path must not be interpreted.
  return words.map((w) => w.replace(/\$\{model\}|\{model\}/g, () => modelPath));
}

const NUMBER = /^[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The latency a device command printed: the whole output as a bare number, or the last line
 *  `latency_ms: N` (also `latency_ms = N`); undefined for anything else. */
export function parseLatencyOutput(stdout: string): number | undefined {
  const t = stdout.trim();
  if (NUMBER.test(t)) return Number(t);
  let v: number | undefined;
  for (const line of t.split(/\r?\n/)) {
    const m = /^\s*latency_ms\s*[:=]\s*(\S+)\s*$/i.exec(line);
    if (m && NUMBER.test(m[1])) v = Number(m[1]);
  }
  return v;
}

export interface CommandRunnerOptions {
  template: string;
  /** Seconds each run may take before it is killed (default 60). */
  timeoutS?: number;
  /** Seconds the first run may take, until the device has answered once (default 15, or timeoutS if shorter):
   *  running out of it ends the measurement (see the top of this file). */
  firstRunTimeoutS?: number;
  /** Environment of the command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Working folder of the command. */
  cwd?: string;
}

const MAX_OUTPUT = 64 * 1024;
export const DEFAULT_TIMEOUT_S = 60;
export const DEFAULT_FIRST_RUN_TIMEOUT_S = 15;

/** A run stopped by its timeout. */
export class RunTimeoutError extends MeasurementError {
  constructor(message: string) {
    super(message);
    this.name = 'RunTimeoutError';
  }
}

/** Kills the process and, where process groups exist, everything it started. */
function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    if (process.platform !== 'win32') process.kill(-pid, signal);
    else process.kill(pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone already */
    }
  }
}

/** Runs the template once for a model file and returns the latency it printed. */
export function runCommandOnce(o: CommandRunnerOptions, modelPath: string, signal?: AbortSignal): Promise<number> {
  throwIfAborted(signal);
  const argv = commandArgv(o.template, modelPath);
  const timeoutMs = Math.round((o.timeoutS ?? DEFAULT_TIMEOUT_S) * 1000);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      shell: false,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout or cancellation also stops what it started.
      detached: process.platform !== 'win32',
      windowsHide: true,
      env: o.env ?? process.env,
      cwd: o.cwd,
    });
    let out = '';
    let err = '';
    let settled = false;
    let why: 'timeout' | 'cancelled' | undefined;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    // The last MAX_OUTPUT characters of each (the latency line and a program's error come last); cut
    // back when twice that, so that keeping the tail stays linear in the output.
    const keepTail = (kept: string, s: string) => {
      const t = kept + s;
      return t.length > 2 * MAX_OUTPUT ? t.slice(t.length - MAX_OUTPUT) : t;
    };
    child.stdout!.on('data', (s: string) => (out = keepTail(out, s)));
    child.stderr!.on('data', (s: string) => (err = keepTail(err, s)));
    const stop = (reason: 'timeout' | 'cancelled') => {
      if (why) return;
      why = reason;
      killTree(child.pid, 'SIGTERM');
      // Whatever ignores SIGTERM (or holds the output open) goes 2 s later.
      setTimeout(() => killTree(child.pid, 'SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    child.on('error', (e: NodeJS.ErrnoException) => finish(() => reject(new MeasurementError(`cannot run "${argv[0]}": ${e.code ?? e.message}`))));
    child.on('close', (code, sig) => {
      finish(() => {
        if (why === 'cancelled') return reject(new CancelledError());
        if (why === 'timeout') {
          const said = err.trim() || out.trim();
          return reject(new RunTimeoutError(`"${argv[0]}" gave no answer within ${timeoutMs / 1000} s and was stopped${said ? `; its output ended with ${quote(said, 200, true)}` : ''}`));
        }
        if (code !== 0) {
          const said = err.trim() || out.trim();
          return reject(new MeasurementError(`"${argv[0]}" ${sig ? `was killed by ${sig}` : `exited with code ${code}`}${said ? `: ${quote(said, 200, true)}` : ' and printed nothing'}`));
        }
        const ms = parseLatencyOutput(out);
        if (ms === undefined) return reject(new MeasurementError(`"${argv[0]}" did not print a latency (a number of ms, or a line "latency_ms: N"); it printed ${out.trim() ? quote(out) : 'nothing'}`));
        if (!(ms > 0) || !Number.isFinite(ms)) return reject(new MeasurementError(`"${argv[0]}" printed a latency of ${ms} ms, which is not a positive number`));
        resolve(ms);
      });
    });
  });
}

export class CommandRunner implements Runner {
  readonly kind = 'command' as const;
  readonly settings: Record<string, unknown>;
  // One process per run (often a remote round trip): a short batch and few visits.
  readonly protocol = { warmupRuns: 1, warmupMs: 0, batchRuns: 3, batchMs: 0, maxBatchRuns: 3, minPasses: 3, maxPasses: 6, settle: 2, tolerance: 0.02, maxFailures: 2 };

  private readonly timeoutS: number;
  private readonly firstRunTimeoutS: number;
  /** The device has answered once (later runs get the full timeout). */
  private answered = false;

  constructor(readonly options: CommandRunnerOptions) {
    // Validates the template up front (bad input is reported before anything runs).
    commandArgv(options.template, 'model.onnx');
    const t = options.timeoutS ?? DEFAULT_TIMEOUT_S;
    if (!(t > 0) || !Number.isFinite(t)) throw new TemplateError(`the timeout must be a positive number of seconds, got ${options.timeoutS}`);
    const first = options.firstRunTimeoutS ?? Math.min(DEFAULT_FIRST_RUN_TIMEOUT_S, t);
    if (!(first > 0) || !Number.isFinite(first)) throw new TemplateError(`the first-run timeout must be a positive number of seconds, got ${options.firstRunTimeoutS}`);
    this.timeoutS = t;
    this.firstRunTimeoutS = first;
    this.settings = { runner: 'command', command: options.template, timeoutS: t, firstRunTimeoutS: first };
  }

  async open(modelPath: string, signal?: AbortSignal): Promise<RunnerSession> {
    throwIfAborted(signal);
    if (!fs.existsSync(modelPath)) throw new MeasurementError(`model file ${modelPath} does not exist`);
    return {
      run: (sig?: AbortSignal) => this.runOnce(modelPath, sig),
      close: async () => {},
    };
  }

  private async runOnce(modelPath: string, signal?: AbortSignal): Promise<number> {
    if (this.answered) return runCommandOnce({ ...this.options, timeoutS: this.timeoutS }, modelPath, signal);
    try {
      const ms = await runCommandOnce({ ...this.options, timeoutS: this.firstRunTimeoutS }, modelPath, signal);
      this.answered = true;
      return ms;
    } catch (e) {
      if (!(e instanceof RunTimeoutError)) throw e;
      throw new MeasurementError(
        `the device did not answer its first run within ${this.firstRunTimeoutS} s (${e.message}); is it reachable? A device whose first run takes longer needs a larger "firstRunTimeoutS"`,
        { fatal: true },
      );
    }
  }
}
