// The `onnxruntime` runner: this machine's CPU through onnxruntime-node. A session is created from the
// model file with the chosen intra-op threads and graph optimisation level, fed a random input of the
// model's input shape (symbolic dimensions taken as 1), and one timed run is one `session.run` call timed
// with the monotonic high-resolution clock (about 13 µs of it is the binding's overhead).
import type * as Ort from 'onnxruntime-node';
import { makeRng } from '../../spaces/space';
import { MeasurementError, Runner, RunnerSession, throwIfAborted } from './runner';

export const GRAPH_OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptLevel = (typeof GRAPH_OPT_LEVELS)[number];

export interface OnnxRuntimeOptions {
  /** Intra-op threads (default 1: one core, the most repeatable timing on a shared machine). */
  threads?: number;
  /** Graph optimisation level (default "all"). */
  graphOptimizationLevel?: GraphOptLevel;
  /** Shapes fed to inputs by name (inputs with dynamic dims); other dynamic dims are fed as 1. */
  inputShapes?: Record<string, number[]>;
}

let ort: typeof Ort | undefined;

/** onnxruntime-node, loaded on first use: only measuring needs the native module. */
export function loadOrt(): typeof Ort {
  if (!ort) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ort = require('onnxruntime-node') as typeof Ort;
    } catch (e) {
      throw new MeasurementError(`onnxruntime-node is not available in this build (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return ort;
}

type Feeds = Record<string, Ort.Tensor>;

function randomFeeds(o: typeof Ort, session: Ort.InferenceSession, given: Record<string, number[]> = {}): Feeds {
  const rng = makeRng(7);
  const feeds: Feeds = {};
  for (const name of session.inputNames) {
    const meta = session.inputMetadata.find((m) => m.name === name);
    if (!meta || !meta.isTensor) throw new MeasurementError(`input "${name}" is not a tensor; the onnxruntime runner feeds tensors only`);
    const dims = Object.prototype.hasOwnProperty.call(given, name) ? given[name].slice() : meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    if (n > 64 * 2 ** 20) throw new MeasurementError(`input "${name}" has ${n} elements; too large to feed`);
    switch (meta.type) {
      case 'float32':
        feeds[name] = new o.Tensor('float32', Float32Array.from({ length: n }, () => rng() * 2 - 1), dims);
        break;
      case 'float64':
        feeds[name] = new o.Tensor('float64', Float64Array.from({ length: n }, () => rng() * 2 - 1), dims);
        break;
      case 'int32':
        feeds[name] = new o.Tensor('int32', Int32Array.from({ length: n }, () => Math.floor(rng() * 2)), dims);
        break;
      case 'int64':
        feeds[name] = new o.Tensor('int64', BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rng() * 2))), dims);
        break;
      case 'uint8':
      case 'bool':
        feeds[name] = new o.Tensor(meta.type, Uint8Array.from({ length: n }, () => Math.floor(rng() * 2)), dims);
        break;
      default:
        throw new MeasurementError(`input "${name}" has type ${meta.type}, which the onnxruntime runner does not feed`);
    }
  }
  return feeds;
}

export class OnnxRuntimeRunner implements Runner {
  readonly kind = 'onnxruntime' as const;
  readonly settings: Record<string, unknown>;
  // In-process runs are cheap: many short visits (measured on this 2-core machine: the fastest run over 15
  // visits of 10 runs repeats to ~1% between separate measurements, 3 visits of 30 runs only to ~5%).
  readonly protocol = { warmupRuns: 3, warmupMs: 10, batchRuns: 10, batchMs: 20, maxBatchRuns: 200, minPasses: 15, maxPasses: 30, settle: 5, tolerance: 0.01, maxFailures: 3 };
  private readonly threads: number;
  private readonly level: GraphOptLevel;
  private readonly inputShapes: Record<string, number[]>;

  constructor(o: OnnxRuntimeOptions = {}) {
    this.threads = o.threads ?? 1;
    this.level = o.graphOptimizationLevel ?? 'all';
    this.inputShapes = o.inputShapes ?? {};
    if (!Number.isInteger(this.threads) || this.threads < 1 || this.threads > 256) throw new RangeError(`threads must be an integer from 1 to 256, got ${o.threads}`);
    if (!GRAPH_OPT_LEVELS.includes(this.level)) throw new RangeError(`graph optimisation level must be one of ${GRAPH_OPT_LEVELS.join(', ')}, got ${o.graphOptimizationLevel}`);
    this.settings = { runner: 'onnxruntime', threads: this.threads, graphOptimizationLevel: this.level };
  }

  async open(modelPath: string, signal?: AbortSignal): Promise<RunnerSession> {
    throwIfAborted(signal);
    const o = loadOrt();
    let session: Ort.InferenceSession;
    try {
      session = await o.InferenceSession.create(modelPath, {
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: this.level,
      });
    } catch (e) {
      throw new MeasurementError(`onnxruntime cannot load the model: ${(e as Error).message.split('\n')[0]}`);
    }
    let feeds: Feeds;
    try {
      feeds = randomFeeds(o, session, this.inputShapes);
    } catch (e) {
      await session.release();
      throw e;
    }
    return {
      async run(sig?: AbortSignal): Promise<number> {
        throwIfAborted(sig);
        const t0 = process.hrtime.bigint();
        try {
          await session.run(feeds);
        } catch (e) {
          throw new MeasurementError(`onnxruntime failed to run the model: ${(e as Error).message.split('\n')[0]}`);
        }
        return Number(process.hrtime.bigint() - t0) / 1e6;
      },
      close: () => session.release(),
    };
  }
}
