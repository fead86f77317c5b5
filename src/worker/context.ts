// What every handler of the worker shares: its error (a code the client maps), the reply channel, and the
// context of one request (progress, cancellation, the checkpoint between two steps).
import type { WorkerErrorCode, WorkerProgress, WorkerReplyMessage } from './protocol';

export class WorkerError extends Error {
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function send(msg: WorkerReplyMessage): void {
  try {
    process.send?.(msg);
  } catch (e) {
    process.stderr.write(`HELP worker: cannot reply: ${(e as Error).message}\n`);
  }
}

export type Ctx = {
  id: number;
  progress(p: WorkerProgress): void;
  cancelled(): boolean;
  signal: AbortSignal;
  /** Between two steps of a long request: lets waiting messages in (pings, cancellations), then throws
   *  "cancelled" if this request was cancelled meanwhile. */
  checkpoint(): Promise<void>;
};

export const yieldToMessages = () => new Promise<void>((r) => setImmediate(r));

export function makeCtx(id: number, cancelled: () => boolean, signal: AbortSignal): Ctx {
  return {
    id,
    progress: (progress) => send({ id, progress }),
    cancelled,
    signal,
    checkpoint: async () => {
      await yieldToMessages();
      if (cancelled()) throw new WorkerError('cancelled', 'cancelled');
    },
  };
}

export function optionalInt(v: unknown, name: string, lo: number, hi: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new WorkerError('bad-request', `"${name}" must be an integer from ${lo} to ${hi}`);
  return v;
}
