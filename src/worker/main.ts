// The background process the extension forks (child_process.fork of dist/worker.js): it owns tfjs and
// the predictors so that the extension host never loads a model. The protocol (protocol.ts):
// requests {id, method, params} -> replies {id, result} | {id, error, code}, progress {id, progress}.
// Requests run one at a time in arrival order; a queued request can be cancelled; a bad request gets an
// error reply and never ends the process. `ping` is answered at once by the message handler, never queued:
// the extension uses it to tell a busy worker from a hung one (worker-client.ts). A running request is
// cancelled (the client's timeout or the user) at its next step: the handlers of long requests (inspect,
// predict and histogram over many architectures, searches) yield to the event loop between steps
// (Ctx.checkpoint), so that cancellations and pings are read, and stop there when cancelled. One step runs
// without yielding (an ONNX analysis, the first embedding of a whole space: seconds at most); the client
// counts the worker as hung only past a much longer ping deadline. Searches (nearestFaster: up to seconds)
// run in a lane of their own, yielding between steps, so that the lenses' predictions are answered in
// between. The long jobs (adaptLocal, measure: a minute of measurements) run beside that queue, one at a
// time, so that predictions keep being answered meanwhile; they have no timeout, can be cancelled at any
// point (between two timed runs; a device command is killed) and write their files only at the end,
// atomically.
import { SPACE_NAMES } from '../core/spaces/registry';
import { SpecError } from '../core/spaces/space';
import type {
  AdaptLocalParams,
  AdaptedSamplesParams,
  DevicesParams,
  HistogramParams,
  InitParams,
  InspectParams,
  MeasureParams,
  OnnxLatencyParams,
  NearestFasterParams,
  PredictParams,
  WorkerErrorCode,
  WorkerRequestMessage,
} from './protocol';
import { Ctx, makeCtx, send, WorkerError } from './context';
import { setAdaptedDir } from './predictors';
import { adaptedSamples, devices, histogram, predict } from './handlers/predict';
import { inspect } from './handlers/inspect';
import { adaptLocal, measure } from './handlers/adapt';
import { onnxLatency } from './handlers/onnxLatency';
import { nearestFaster } from './handlers/search';

function obj(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw new WorkerError('bad-request', '"params" must be an object');
  return params as Record<string, unknown>;
}

// ---- the request loop ----

type Handler = (params: Record<string, unknown>, ctx: Ctx) => Promise<unknown> | unknown;

/** The dispatch, in one place: method -> handler. (`ping` and `cancel` are answered by onMessage, never queued.) */
const handlers: Record<string, Handler> = {
  init: (params) => {
    const p = params as InitParams;
    if (p.adaptedDir !== undefined && typeof p.adaptedDir !== 'string') throw new WorkerError('bad-request', '"adaptedDir" must be a folder path');
    setAdaptedDir(p.adaptedDir);
    return { spaces: SPACE_NAMES, pid: process.pid };
  },
  devices: (params, ctx) => devices(params as DevicesParams, ctx),
  predict: (params, ctx) => predict(params as unknown as PredictParams, ctx),
  histogram: (params, ctx) => histogram(params as unknown as HistogramParams, ctx),
  adaptedSamples: (params) => adaptedSamples(params as unknown as AdaptedSamplesParams),
  inspect: (params, ctx) => inspect(params as unknown as InspectParams, ctx),
  nearestFaster: (params, ctx) => nearestFaster(params as unknown as NearestFasterParams, ctx),
  adaptLocal: (params, ctx) => adaptLocal(params as unknown as AdaptLocalParams, ctx),
  measure: (params, ctx) => measure(params as unknown as MeasureParams, ctx),
  onnxLatency: (params, ctx) => onnxLatency(params as unknown as OnnxLatencyParams, ctx),
};

/** Methods that run beside the queue (one at a time). */
const LONG_JOBS = new Set(['adaptLocal', 'measure']);
let longJob: { id: number; abort: AbortController } | undefined;

interface Queued {
  id: number;
  method: string;
  params: unknown;
}

/** A queue of requests run one at a time; `running` is the request's id (-1 between two). */
interface Lane {
  queue: Queued[];
  running: number | undefined;
}

/** Methods that run in the search lane, beside the main queue (they yield between steps). */
const SEARCH_JOBS = new Set(['nearestFaster']);
const mainLane: Lane = { queue: [], running: undefined };
const searchLane: Lane = { queue: [], running: undefined };
const cancelled = new Set<number>();

function fail(id: number, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  // SpecError (OnnxError included): the request's input is at fault, not the worker.
  const code: WorkerErrorCode = err instanceof WorkerError ? err.code : err instanceof SpecError ? 'bad-request' : 'failed';
  send({ id, error: (err.message || String(e)).split('\n')[0], code });
}

async function pump(lane: Lane): Promise<void> {
  if (lane.running !== undefined) return;
  lane.running = -1;
  for (;;) {
    // Let messages that arrived during the last job (cancellations above all) in before the next one.
    await new Promise((r) => setImmediate(r));
    const job = lane.queue.shift();
    if (!job) break;
    if (cancelled.delete(job.id)) {
      send({ id: job.id, error: 'cancelled', code: 'cancelled' });
      continue;
    }
    lane.running = job.id;
    const id = job.id;
    try {
      const h = Object.prototype.hasOwnProperty.call(handlers, job.method) ? handlers[job.method] : undefined;
      if (!h) throw new WorkerError('unknown-method', `the HELP worker has no method "${job.method}" in this build`);
      const result = await h(obj(job.params), makeCtx(id, () => cancelled.has(id), new AbortController().signal));
      if (cancelled.delete(id)) send({ id, error: 'cancelled', code: 'cancelled' });
      else send({ id, result });
    } catch (e) {
      cancelled.delete(id);
      fail(id, e);
    }
    lane.running = -1;
  }
  lane.running = undefined;
}

function onMessage(msg: unknown): void {
  const m = msg as WorkerRequestMessage;
  if (!m || typeof m !== 'object' || typeof m.id !== 'number' || !Number.isFinite(m.id)) {
    process.stderr.write(`HELP worker: ignoring a message without a numeric id\n`);
    return;
  }
  if (typeof m.method !== 'string') {
    send({ id: m.id, error: '"method" must be a string', code: 'bad-request' });
    return;
  }
  // Answered here, not queued: a reply says the process and its event loop are alive, however busy.
  if (m.method === 'ping') {
    send({ id: m.id, result: 'pong' });
    return;
  }
  if (m.method === 'cancel') {
    const target = (m.params as { id?: unknown } | undefined)?.id;
    if (typeof target === 'number') {
      const lane = [mainLane, searchLane].find((l) => l.queue.some((q) => q.id === target));
      if (longJob?.id === target) longJob.abort.abort();
      else if (lane) {
        lane.queue.splice(lane.queue.findIndex((q) => q.id === target), 1);
        send({ id: target, error: 'cancelled', code: 'cancelled' });
      } else if (mainLane.running === target || searchLane.running === target) cancelled.add(target);
    }
    send({ id: m.id, result: true });
    return;
  }
  if (LONG_JOBS.has(m.method)) {
    void runLongJob(m.id, m.method, m.params);
    return;
  }
  const lane = SEARCH_JOBS.has(m.method) ? searchLane : mainLane;
  lane.queue.push({ id: m.id, method: m.method, params: m.params });
  void pump(lane);
}

async function runLongJob(id: number, method: string, params: unknown): Promise<void> {
  if (longJob) {
    send({ id, error: 'a measurement is already running; cancel it or wait for it to finish', code: 'failed' });
    return;
  }
  const abort = new AbortController();
  longJob = { id, abort };
  try {
    // A job that returns has saved its files: its result stands even if a cancellation came too late.
    const result = await handlers[method](obj(params), makeCtx(id, () => abort.signal.aborted, abort.signal));
    send({ id, result });
  } catch (e) {
    if (abort.signal.aborted) send({ id, error: 'cancelled', code: 'cancelled' });
    else fail(id, e);
  } finally {
    longJob = undefined;
  }
}

if (process.send) {
  process.on('message', onMessage);
  // A bug in one request must not end the process (and with it every cached predictor).
  process.on('uncaughtException', (e) => process.stderr.write(`HELP worker: uncaught: ${e.stack ?? e}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`HELP worker: unhandled rejection: ${(e as Error)?.stack ?? e}\n`));
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
}
