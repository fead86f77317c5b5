// Talks to the background worker (dist/worker.js) over IPC; starts it on first use, restarts it if it dies.
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class WorkerClient {
  private child?: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(private readonly extensionPath: string) {}

  private start(): ChildProcess {
    const child = fork(path.join(this.extensionPath, 'dist', 'worker.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error('HELP background process exited'));
      this.pending.clear();
      this.child = undefined;
    });
    return child;
  }

  request<T>(method: string, params?: unknown): Promise<T> {
    if (!this.child) this.child = this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child!.send({ id, method, params });
    });
  }

  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
