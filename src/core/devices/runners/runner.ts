// What a runner is: a way to time one model on one device. The measurement protocol (../measure.ts) is the
// same for every runner; a runner only opens a model and times single runs of it.

/** A model opened on a device, ready to be timed. */
export interface RunnerSession {
  /** One timed run: the latency of one inference in milliseconds. Throws MeasurementError on failure. */
  run(signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** Protocol settings (see ../measure.ts for their meaning); each runner has its own defaults. */
export interface ProtocolOptions {
  /** Warm-up at every visit: at least this many runs and at least `warmupMs` milliseconds. */
  warmupRuns: number;
  warmupMs: number;
  /** A visit's timed batch: at least `batchRuns` runs and at least `batchMs` ms of runs, at most `maxBatchRuns`. */
  batchRuns: number;
  batchMs: number;
  maxBatchRuns: number;
  /** Every architecture is visited at least `minPasses` and at most `maxPasses` times. */
  minPasses: number;
  maxPasses: number;
  /** Done when the fastest run has not improved by more than `tolerance` (relative) in `settle` visits. */
  settle: number;
  tolerance: number;
  /** Failed attempts of one architecture after which it is dropped. */
  maxFailures: number;
  /** Seed of the pass orders. */
  seed: number;
}

export interface Runner {
  readonly kind: 'onnxruntime' | 'command';
  /** The runner's settings, recorded with the measurements. */
  readonly settings: Record<string, unknown>;
  /** Protocol defaults suited to the runner (cheap in-process runs, or one process per run). */
  readonly protocol: Partial<ProtocolOptions>;
  /** Opens an ONNX model file. Throws MeasurementError when the device cannot load it. */
  open(modelPath: string, signal?: AbortSignal): Promise<RunnerSession>;
}

/** A failed measurement (the runner's output quoted in the message, one line). A `fatal` one (the device
 *  never answered; the model cannot be fed) ends the whole measurement at once instead of being retried. */
export class MeasurementError extends Error {
  readonly fatal: boolean;
  constructor(message: string, o: { fatal?: boolean } = {}) {
    super(message);
    this.name = 'MeasurementError';
    this.fatal = o.fatal === true;
  }
}

/** The measurement was cancelled (an AbortSignal fired). */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** `text` on one line, at most `max` characters (for quoting a device's output in an error): its start, or
 *  with `end` its end (where a program's error usually is). */
export function quote(text: string, max = 200, end = false): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one.length <= max) return JSON.stringify(one);
  return JSON.stringify(end ? '…' + one.slice(one.length - max + 1) : one.slice(0, max - 1) + '…');
}
