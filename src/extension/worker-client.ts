// Talks to the background worker (dist/worker.js) over IPC: starts it on first use (activation loads no
// model), sends `init` first after every start, forwards cancellation and progress, and restarts the worker
// when it dies (with a brake on crash loops). No vscode import: tested in Node.
//
// Timeouts and hangs are two different things. A request that takes too long is cancelled inside the worker
// (a `cancel` message; the worker's handlers check for it between steps) and its caller gets a "timeout"
// error at once; the worker and every other request, a measurement above all, go on. Whether the worker
// still answers at all is a separate question, asked with `ping` (answered by the worker's message handler
// itself, never queued behind a request): while requests are pending, and after every timeout or
// cancellation, the client pings; only a ping unanswered for `pingTimeoutMs` (30 s by default, far above the
// longest step the worker runs without yielding) counts as a hang, and only then is the worker killed.
// Even then, never while a measurement (adaptLocal, measure) is pending: a measurement may be minutes of
// work, and the user can cancel it from its notification; once it is no longer pending, a worker still
// silent is restarted.
import { ChildProcess, fork } from 'child_process';
import type { InitParams, WorkerErrorCode, WorkerProgress, WorkerReplyMessage } from '../worker/protocol';
import { perf } from './perf';
import { neutraliseForDisplay } from '../core/text/safeText';

/** The worker's long jobs (as in src/worker/main.ts): a hang is never declared while one is pending. */
const MEASUREMENTS = new Set(['adaptLocal', 'measure']);

export class WorkerError extends Error {
  constructor(
    message: string,
    readonly code: WorkerErrorCode | 'timeout' | 'exited' | 'unavailable',
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** The part of vscode.CancellationToken the client needs. */
export interface CancelToken {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export interface RequestOptions {
  /** Milliseconds before the request fails with code "timeout" (0: never). Default: the client's. */
  timeoutMs?: number;
  token?: CancelToken;
  onProgress?: (p: WorkerProgress) => void;
}

export interface WorkerClientOptions {
  initParams?: () => InitParams;
  log?: (line: string) => void;
  defaultTimeoutMs?: number;
  /** Restarts within `crashWindowMs` after which the client stops restarting for that window. */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** Milliseconds a ping may go unanswered before the worker counts as hung (default 30 s). */
  pingTimeoutMs?: number;
  /** While requests are pending, the worker is pinged this often (default 10 s). */
  heartbeatMs?: number;
}

/** The ping in flight: its id, the process it went to, and the deadline timer. */
interface Ping {
  id: number;
  child: ChildProcess;
  sent: number;
  timer: NodeJS.Timeout;
  /** A hang was seen while a measurement was pending, and logged once. */
  spared?: boolean;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: WorkerProgress) => void;
  timer?: NodeJS.Timeout;
  cancelSub?: { dispose(): void };
}

export class WorkerClient {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exits: number[] = [];
  private disposed = false;
  private ping?: Ping;
  /** The current process has answered a message: it has loaded its bundle (a second or more). */
  private ready = false;
  private heartbeat?: NodeJS.Timeout;
  /** How many times a worker process was started (tests and the output channel read it). */
  starts = 0;

  constructor(
    private readonly workerPath: string,
    private readonly opts: WorkerClientOptions = {},
  ) {}

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private start(): ChildProcess {
    const window = this.opts.crashWindowMs ?? 60_000;
    const now = Date.now();
    while (this.exits.length && now - this.exits[0] > window) this.exits.shift();
    if (this.exits.length >= (this.opts.maxCrashes ?? 5)) {
      throw new WorkerError('the HELP background process keeps stopping; see the "HELP" output channel (it will be retried in a minute)', 'unavailable');
    }
    // execArgv []: never inherit the extension host's --inspect flags.
    const child = fork(this.workerPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.starts++;
    this.log(`worker started (pid ${child.pid})`);
    child.stderr?.setEncoding('utf8');
    // The worker's stderr may quote device output and file names: escape sequences and bidi characters are
    // neutralised before they reach the Output channel.
    child.stderr?.on('data', (s: string) => s.split('\n').filter(Boolean).forEach((l) => this.log(`worker: ${neutraliseForDisplay(l, true)}`)));
    this.ready = false;
    child.on('message', (m: WorkerReplyMessage) => {
      if (this.child === child && !this.ready) {
        this.ready = true;
        // A ping sent while the process was starting had the start-up allowance: from now on, the usual deadline.
        if (this.ping?.child === child) {
          clearTimeout(this.ping.timer);
          this.ping.timer = setTimeout(() => this.onPingTimeout(), this.opts.pingTimeoutMs ?? 30_000);
        }
      }
      this.onMessage(m);
    });
    child.on('error', (e) => this.log(`worker error: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.stopPing();
      if (!this.disposed) {
        this.exits.push(Date.now());
        this.log(`worker exited (code ${code}, signal ${signal})`);
      }
      this.failAll(new WorkerError('the HELP background process stopped; it restarts on the next request', 'exited'));
    });
    this.child = child;
    const init = this.opts.initParams?.() ?? {};
    this.send(child, { id: this.nextId++, method: 'init', params: init });
    return child;
  }

  private send(child: ChildProcess, msg: unknown): void {
    try {
      child.send(msg as object);
    } catch (e) {
      this.log(`cannot send to worker: ${(e as Error).message}`);
    }
  }

  private onMessage(m: WorkerReplyMessage): void {
    if (!m || typeof m.id !== 'number') return;
    if (this.ping?.id === m.id) {
      this.stopPing();
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    // Worker text is shown in notifications and the Output channel: one line, no escape sequences or bidi.
    if (m.progress !== undefined && m.result === undefined && m.error === undefined) {
      const progress = typeof m.progress?.message === 'string' ? { ...m.progress, message: neutraliseForDisplay(m.progress.message) } : m.progress;
      p.onProgress?.(progress);
      return;
    }
    this.settle(m.id);
    perf.mark('workerReply', p.method);
    if (m.error !== undefined) p.reject(new WorkerError(neutraliseForDisplay(String(m.error)), m.code ?? 'failed'));
    else p.resolve(m.result);
  }

  /** Asks the worker whether it still answers (unless a ping is already on its way). */
  private probe(): void {
    const child = this.child;
    if (!child || this.ping) return;
    const id = this.nextId++;
    // A process still starting (loading its bundle) is given a minute more before it counts as hung.
    const timeout = (this.opts.pingTimeoutMs ?? 30_000) + (this.ready ? 0 : 60_000);
    this.ping = { id, child, sent: Date.now(), timer: setTimeout(() => this.onPingTimeout(), timeout) };
    this.send(child, { id, method: 'ping' });
  }

  private stopPing(): void {
    if (this.ping) clearTimeout(this.ping.timer);
    this.ping = undefined;
  }

  private onPingTimeout(): void {
    const ping = this.ping;
    if (!ping || ping.child !== this.child) return this.stopPing();
    const silent = Math.round((Date.now() - ping.sent) / 1000);
    if ([...this.pending.values()].some((p) => MEASUREMENTS.has(p.method))) {
      // A measurement is pending: keep waiting (its own cancellation ends it), and look again later.
      if (!ping.spared) this.log(`the worker has not answered for ${silent} s while a measurement runs; it is not restarted while the measurement is pending`);
      ping.spared = true;
      ping.timer = setTimeout(() => this.onPingTimeout(), this.opts.pingTimeoutMs ?? 30_000);
      return;
    }
    this.log(`the worker has not answered for ${silent} s; restarting it`);
    this.stopPing();
    // Counted as a crash: a worker that hangs again and again is not restarted forever.
    this.exits.push(Date.now());
    // SIGKILL: a process that does not answer may not act on SIGTERM either (a stopped one does not).
    this.kill('SIGKILL');
  }

  /** Pings the worker every `heartbeatMs` while requests are pending. */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      if (this.pending.size === 0) return this.stopHeartbeat();
      this.probe();
    }, this.opts.heartbeatMs ?? 10_000);
    this.heartbeat.unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private sendCancel(child: ChildProcess, id: number): void {
    if (this.child === child) this.send(child, { id: this.nextId++, method: 'cancel', params: { id } });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    if (this.pending.size === 0) this.stopHeartbeat();
    if (p.timer) clearTimeout(p.timer);
    p.cancelSub?.dispose();
    return p;
  }

  private failAll(e: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(e);
  }

  request<T>(method: string, params?: unknown, options: RequestOptions = {}): Promise<T> {
    if (this.disposed) return Promise.reject(new WorkerError('HELP is shutting down', 'unavailable'));
    if (options.token?.isCancellationRequested) return Promise.reject(new WorkerError('cancelled', 'cancelled'));
    let child: ChildProcess;
    try {
      child = this.child ?? this.start();
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { method, resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress };
      this.pending.set(id, p);
      // Measurements end by their own cancellation only: no timeout of their own.
      const timeout = MEASUREMENTS.has(method) ? 0 : (options.timeoutMs ?? this.opts.defaultTimeoutMs ?? 30_000);
      if (timeout > 0) {
        p.timer = setTimeout(() => {
          const c = this.settle(id);
          if (!c) return;
          c.reject(new WorkerError(`the HELP background process did not answer "${method}" within ${Math.round(timeout / 100) / 10} s; the request was cancelled`, 'timeout'));
          // Cancelled inside the worker (it stops at its next step); the worker itself is restarted only if
          // it does not answer a ping either.
          this.log(`request ${method} timed out after ${Math.round(timeout / 100) / 10} s; cancelled`);
          this.sendCancel(child, id);
          this.probe();
        }, timeout);
      }
      if (options.token) {
        p.cancelSub = options.token.onCancellationRequested(() => {
          const c = this.settle(id);
          if (!c) return;
          c.reject(new WorkerError('cancelled', 'cancelled'));
          this.sendCancel(child, id);
          this.probe();
        });
      }
      this.startHeartbeat();
      perf.mark('workerSend', method);
      this.send(child, { id, method, params });
    });
  }

  /** Whether a worker process is running now (activation must not start one). */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Ends the worker process; the next request starts a new one. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.stopPing();
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    c.kill(signal);
    this.failAll(new WorkerError('the HELP background process was restarted', 'exited'));
  }

  dispose(): void {
    this.disposed = true;
    this.stopHeartbeat();
    this.kill();
  }
}
