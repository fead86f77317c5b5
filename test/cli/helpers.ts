// Running the bundled CLI (dist/cli.js; `node esbuild.js` first) as a user does, and the background worker
// (dist/worker.js) as the extension does, for the CLI and worker tests.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ChildProcess, fork, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '..', '..');
export const cli = path.join(root, 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` in `cwd`, with `env` added to the environment. */
export function runCli(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Bad input: exit code 2 and exactly one line on stderr matching `pattern`. */
export function expectBadInput(r: CliResult, pattern: RegExp) {
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
  assert.match(lines[0], pattern);
}

export type WorkerProgress = { message?: string; increment?: number; log?: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WorkerReply = { id: number; result?: any; error?: string; code?: string; progress?: WorkerProgress };

/** The bundled background process (dist/worker.js) forked as the extension forks it, for the worker tests:
 *  requests by id, their replies, and the progress messages received for each. */
export class WorkerProcess {
  readonly child: ChildProcess;
  private next = 1;
  private readonly waiting = new Map<number, { done: (r: WorkerReply) => void; onProgress?: (p: WorkerProgress) => void }>();
  /** Progress messages by request id (the array of a request is created when it is sent). */
  readonly progress = new Map<number, WorkerProgress[]>();

  constructor() {
    this.child = fork(path.join(root, 'dist', 'worker.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.resume();
    this.child.on('message', (m: WorkerReply) => {
      const w = this.waiting.get(m.id);
      if (m.progress !== undefined) {
        this.progress.get(m.id)?.push(m.progress);
        w?.onProgress?.(m.progress);
        return;
      }
      this.waiting.delete(m.id);
      w?.done(m);
    });
  }

  /** The id the next request gets unless one is given. */
  get nextId(): number {
    return this.next;
  }

  newId(): number {
    return this.next++;
  }

  send(method: unknown, params?: unknown, id = this.newId(), onProgress?: (p: WorkerProgress) => void): Promise<WorkerReply> {
    this.progress.set(id, []);
    return new Promise((done) => {
      this.waiting.set(id, { done, onProgress });
      this.child.send({ id, method, params });
    });
  }

  /** A request with its id, its reply and the progress messages received for it so far. */
  request(method: string, params?: unknown, onProgress?: (p: WorkerProgress) => void): { id: number; reply: Promise<WorkerReply>; progress: WorkerProgress[] } {
    const id = this.newId();
    const reply = this.send(method, params, id, onProgress);
    return { id, reply, progress: this.progress.get(id)! };
  }

  /** The request has not been answered yet. */
  pending(id: number): boolean {
    return this.waiting.has(id);
  }

  kill(): void {
    this.child.kill();
  }
}

/** A worker for one test file: initialised on `adaptedDir` before its tests, killed after them with `tmp`
 *  removed. `send` makes a request (its id, reply and progress). */
export function workerForTests(adaptedDir: string, tmp: string): { worker: WorkerProcess; send: (method: string, params?: unknown, onProgress?: (p: WorkerProgress) => void) => ReturnType<WorkerProcess['request']> } {
  const worker = new WorkerProcess();
  const send = (method: string, params?: unknown, onProgress?: (p: WorkerProgress) => void) => worker.request(method, params, onProgress);
  before(async () => {
    assert.ok((await send('init', { adaptedDir }).reply).result);
  });
  after(() => {
    worker.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return { worker, send };
}
