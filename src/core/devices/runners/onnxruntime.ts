// The `onnxruntime` runner: this machine's CPU through onnxruntime-node. A session is created from the
// model file with the chosen intra-op threads and graph optimisation level, fed a random input of the
// model's input shape, and one timed run is one `session.run` call timed with the monotonic
// high-resolution clock (about 13 µs of it is the binding's overhead). A dimension the model leaves open
// (symbolic or unknown) takes its size from the shapes given for that input; a batch dimension (the first
// of several, or one named like "batch") is otherwise 1, and said so; any other open dimension has no
// size that would mean anything (an audio model's sample count), so opening the model fails at once,
// naming the input and the shape it needs, instead of onnxruntime failing on a made-up size.
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
  /** Shapes to feed, by input name (for inputs with open dimensions). */
  inputShapes?: InputShapes;
  /** Float inputs are drawn uniformly from [-inputScale, inputScale] (default 1): a model whose If branch
   *  depends on the input's magnitude can be timed on each branch (bench/zoo-bench.ts). */
  inputScale?: number;
}

export type InputShapes = Record<string, number[]>;

/** An input whose shape cannot be made up: fatal (no retry would help). */
export class InputShapeError extends MeasurementError {
  constructor(message: string) {
    super(message, { fatal: true });
    this.name = 'InputShapeError';
  }
}

const MAX_DIM = 2 ** 31 - 1;
const BATCH_NAME = /^(batch|batch_size|batchsize|bs|n|b|N|B)$/;

/** The shape fed to each input (see the top of this file), and notes on the sizes chosen for open
 *  dimensions. Throws InputShapeError naming what is needed. */
export function planInputShapes(inputs: readonly { name: string; shape: readonly (number | string)[] }[], given: InputShapes = {}): { shapes: Record<string, number[]>; notes: string[] } {
  const shapes: Record<string, number[]> = {};
  const notes: string[] = [];
  const open = (d: number | string) => !(typeof d === 'number' && Number.isInteger(d) && d > 0);
  // Names from the model, cut short in messages.
  const cut = (name: string) => (name.length > 40 ? `${name.slice(0, 39)}…` : name);
  const show = (shape: readonly (number | string)[]) => `[${shape.slice(0, 16).map((d) => (open(d) ? (typeof d === 'string' && d ? cut(d) : '?') : d)).join(', ')}${shape.length > 16 ? ', …' : ''}]`;
  for (const { name: fullName, shape } of inputs) {
    const input = { name: cut(fullName), shape };
    const declared = input.shape;
    const g = Object.prototype.hasOwnProperty.call(given, fullName) ? given[fullName] : undefined;
    if (g !== undefined) {
      const ok = Array.isArray(g) && g.length <= 64 && g.every((d) => Number.isInteger(d) && d > 0 && d <= MAX_DIM);
      if (!ok) throw new InputShapeError(`the shape given for input "${input.name}" must be a list of positive integers, got ${JSON.stringify(g).slice(0, 80)}`);
      const fits = declared.length === 0 || (declared.length === g.length && declared.every((d, i) => open(d) || d === g[i]));
      if (!fits) throw new InputShapeError(`the shape given for input "${input.name}", [${g.join(', ')}], does not fit the model's ${show(declared)}`);
      shapes[fullName] = [...g];
      continue;
    }
    const needed: string[] = [];
    const dims = declared.map((d, i) => {
      if (!open(d)) return d as number;
      const named = typeof d === 'string' && d ? `"${cut(d)}"` : `${i + 1}`;
      if ((i === 0 && declared.length > 1) || (typeof d === 'string' && BATCH_NAME.test(d))) {
        notes.push(`input "${input.name}": open dimension ${named} (batch) fed as 1`);
        return 1;
      }
      needed.push(named);
      return 1;
    });
    if (needed.length) {
      const example = `{"${input.name}": [${dims.slice(0, 16).map((d, i) => (open(declared[i]) && !(i === 0 && declared.length > 1) ? 'N' : d)).join(', ')}]}`;
      throw new InputShapeError(
        `input "${input.name}" has the shape ${show(declared)}, whose dimension${needed.length === 1 ? '' : 's'} ${needed.slice(0, 4).join(', ')}${needed.length > 4 ? ', …' : ''} the model leaves open: give the input's shape, e.g. ${example}`,
      );
    }
    shapes[fullName] = dims;
  }
  return { shapes, notes };
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

function randomFeeds(o: typeof Ort, session: Ort.InferenceSession, given?: InputShapes, scale = 1): { feeds: Feeds; notes: string[] } {
  const rng = makeRng(7);
  const feeds: Feeds = {};
  const inputs = session.inputNames.map((name) => {
    const meta = session.inputMetadata.find((m) => m.name === name);
    if (!meta || !meta.isTensor) throw new InputShapeError(`input "${name}" is not a tensor; the onnxruntime runner feeds tensors only`);
    return { name, shape: meta.shape, type: meta.type };
  });
  const { shapes, notes } = planInputShapes(inputs, given);
  for (const { name, type } of inputs) {
    const meta = { type };
    const dims = shapes[name];
    const n = dims.reduce((a, b) => a * b, 1);
    if (n > 64 * 2 ** 20) throw new InputShapeError(`input "${name}" has ${n} elements; too large to feed`);
    switch (meta.type) {
      case 'float32':
        feeds[name] = new o.Tensor('float32', Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale), dims);
        break;
      case 'float64':
        feeds[name] = new o.Tensor('float64', Float64Array.from({ length: n }, () => (rng() * 2 - 1) * scale), dims);
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
        throw new InputShapeError(`input "${name}" has type ${meta.type}, which the onnxruntime runner does not feed`);
    }
  }
  return { feeds, notes };
}

export class OnnxRuntimeRunner implements Runner {
  readonly kind = 'onnxruntime' as const;
  readonly settings: Record<string, unknown>;
  // In-process runs are cheap: many short visits (measured on this 2-core machine: the fastest run over 15
  // visits of 10 runs repeats to ~1% between separate measurements, 3 visits of 30 runs only to ~5%).
  readonly protocol = { warmupRuns: 3, warmupMs: 10, batchRuns: 10, batchMs: 20, maxBatchRuns: 200, minPasses: 15, maxPasses: 30, settle: 5, tolerance: 0.01, maxFailures: 3 };
  private readonly threads: number;
  private readonly level: GraphOptLevel;
  private readonly inputShapes?: InputShapes;
  private readonly inputScale: number;
  /** Notes on the sizes chosen for open input dimensions, of every model opened (each once). */
  readonly inputNotes = new Set<string>();

  constructor(o: OnnxRuntimeOptions = {}) {
    this.threads = o.threads ?? 1;
    this.inputShapes = o.inputShapes;
    this.inputScale = o.inputScale ?? 1;
    if (!(Number.isFinite(this.inputScale) && this.inputScale > 0)) throw new RangeError(`inputScale must be a positive number, got ${o.inputScale}`);
    this.level = o.graphOptimizationLevel ?? 'all';
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
      const r = randomFeeds(o, session, this.inputShapes, this.inputScale);
      feeds = r.feeds;
      for (const n of r.notes) this.inputNotes.add(n);
    } catch (e) {
      await session.release();
      throw e;
    }
    const fed = Object.entries(feeds).map(([name, t]) => `"${name}" [${t.dims.join(', ')}]`).join(', ').slice(0, 200);
    return {
      async run(sig?: AbortSignal): Promise<number> {
        throwIfAborted(sig);
        const t0 = process.hrtime.bigint();
        try {
          await session.run(feeds);
        } catch (e) {
          throw new MeasurementError(`onnxruntime failed to run the model on random inputs ${fed}: ${(e as Error).message.split('\n')[0]}`);
        }
        return Number(process.hrtime.bigint() - t0) / 1e6;
      },
      close: () => session.release(),
    };
  }
}
