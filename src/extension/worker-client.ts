// Talks to the background worker (dist/worker.js) over IPC: starts it on first use (activation loads no
// model), sends `init` first after every start, times requests out, forwards cancellation and progress,
// and restarts the worker when it dies (with a brake on crash loops). No vscode import: tested in Node.
import { ChildProcess, fork } from 'child_process';
import type { InitParams, WorkerErrorCode, WorkerProgress, WorkerReplyMessage } from './protocol';
import { perf } from './perf';

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
    child.stderr?.on('data', (s: string) => s.split('\n').filter(Boolean).forEach((l) => this.log(`worker: ${l}`)));
    child.on('message', (m: WorkerReplyMessage) => this.onMessage(m));
    child.on('error', (e) => this.log(`worker error: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
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
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.progress !== undefined && m.result === undefined && m.error === undefined) {
      p.onProgress?.(m.progress);
      return;
    }
    this.settle(m.id);
    perf.mark('workerReply', p.method);
    if (m.error !== undefined) p.reject(new WorkerError(m.error, m.code ?? 'failed'));
    else p.resolve(m.result);
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
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
      const timeout = options.timeoutMs ?? this.opts.defaultTimeoutMs ?? 30_000;
      if (timeout > 0) {
        p.timer = setTimeout(() => {
          this.settle(id)?.reject(new WorkerError(`the HELP background process did not answer "${method}" within ${Math.round(timeout / 1000)} s; restarting it`, 'timeout'));
          // Requests run one at a time: a stuck one blocks every later one, so start afresh.
          this.log(`request ${method} timed out; restarting the worker`);
          this.kill();
        }, timeout);
      }
      if (options.token) {
        p.cancelSub = options.token.onCancellationRequested(() => {
          const c = this.settle(id);
          if (!c) return;
          c.reject(new WorkerError('cancelled', 'cancelled'));
          if (this.child) this.send(this.child, { id: this.nextId++, method: 'cancel', params: { id } });
        });
      }
      perf.mark('workerSend', method);
      this.send(child, { id, method, params });
    });
  }

  /** Whether a worker process is running now (activation must not start one). */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Ends the worker process; the next request starts a new one. */
  kill(): void {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    c.kill();
    this.failAll(new WorkerError('the HELP background process was restarted', 'exited'));
  }

  dispose(): void {
    this.disposed = true;
    this.kill();
  }
}
