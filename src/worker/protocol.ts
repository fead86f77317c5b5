// The IPC protocol between the extension host (worker-client.ts) and the background worker
// (src/worker/main.ts and its handlers). Types only (type imports vanish from the bundles): both sides import it.
import type { DeviceInfo, DeviceOrigin } from '../core/predictor/service';
//
//   request   {id, method, params}
//   reply     {id, result} | {id, error, code?}
//   progress  {id, progress: {message?, increment?}}   (any number, before the reply; e.g. adaptLocal)
//   cancel    {id: <new>, method: 'cancel', params: {id: <request to cancel>}}
//             A queued request is dropped at once; a running one stops at its next step (handlers yield between
//             steps); either way its reply is {id, error: 'cancelled', code: 'cancelled'}. The client sends one
//             when a request times out or its caller cancels it: a timeout never ends the worker.
//   ping      {id, method: 'ping'} -> {id, result: 'pong'}, answered by the message handler itself (never
//             queued behind a request): the client's test of whether the worker answers at all.

export type WorkerMethod =
  | 'ping'
  | 'init'
  | 'cancel'
  | 'devices'
  | 'predict'
  | 'histogram'
  | 'adaptedSamples'
  | 'inspect'
  | 'adaptLocal'
  | 'measure'
  | 'nearestFaster'
  | 'onnxLatency';

export interface WorkerRequestMessage {
  id: number;
  method: WorkerMethod | string;
  params?: unknown;
}

/** Machine-readable error kinds; the message is always one human-readable line. */
export type WorkerErrorCode = 'no-weights' | 'bad-request' | 'unknown-method' | 'cancelled' | 'unsupported' | 'failed';

export interface WorkerReplyMessage {
  id: number;
  result?: unknown;
  error?: string;
  code?: WorkerErrorCode;
  progress?: WorkerProgress;
}

export interface WorkerProgress {
  message?: string;
  /** Percent of the whole task done by this step (vscode.Progress semantics). */
  increment?: number;
  /** A line for the HELP Output channel (e.g. a failed measurement that will be retried). */
  log?: string;
}

export type { DeviceInfo, DeviceOrigin } from '../core/predictor/service';

export interface InitParams {
  /** The folder of adapted DEVICE.json files (the extension's globalStorage devices/). */
  adaptedDir?: string;
}

export interface DevicesParams {
  space?: string;
}

/** One entry per space: its devices, or why it has none (e.g. no trained weights in this build). */
export interface SpaceDevices {
  space: string;
  devices: DeviceInfo[];
  error?: string;
  code?: WorkerErrorCode;
}

export interface PredictParams {
  space: string;
  specs: unknown[];
  /** Device names (built-in or adapted) or DEVICE.json paths; default: every device of the space. */
  devices?: string[];
}

export interface PredictResult {
  space: string;
  /** Canonical SPECs, in request order. */
  specs: string[];
  /** Milliseconds per device, one per spec. */
  ms: Record<string, number[]>;
  /** Devices that could not predict, with the reason; the others still answer. */
  errors: Record<string, string>;
  info: Record<string, DeviceInfo>;
  /** Per device, its prediction floor (ms; core/predictor/combine.ts latencyFloorMs): a prediction at or
   *  below it says "below anything measured on this device", not a latency. 0: none. */
  floors?: Record<string, number>;
}

export interface HistogramParams {
  space: string;
  device: string;
  /** The current architecture, marked in the histogram. */
  spec?: unknown;
  bins?: number;
}

export interface HistogramResult {
  space: string;
  device: string;
  /** Architectures predicted: the whole space (nasbench201) or a fixed-seed sample. */
  count: number;
  sampled: boolean;
  seed?: number;
  edges: number[];
  counts: number[];
  min: number;
  max: number;
  median: number;
  current?: number;
  /** Share of the architectures predicted faster than the current one. */
  fasterShare?: number;
}

export interface AdaptedSamplesParams {
  space: string;
  device: string;
}

export interface AdaptedSamplesResult {
  space: string;
  device: string;
  origin: DeviceOrigin;
  created?: string;
  samples: { arch: string; measured: number; predicted: number }[];
}

export interface InspectParams {
  path: string;
  /** Shapes of inputs with symbolic or unknown dims (the help.inputShapes entry matching the file). */
  inputShapes?: Record<string, number[]>;
}

export interface InspectResult {
  /** A recognised architecture of a space, when the graph is one. */
  space?: string;
  spec?: string;
  /** What the recognition had to choose (e.g. canonical positions of identity layers). */
  notes?: string[];
  /** Why the model is not an architecture of a known space. */
  reason?: string;
  /** A short human-readable summary of the model (operators, parameters, inputs), one line an entry. */
  summary: string[];
}

/** "HELP: Adapt to this machine": the onnxruntime runner on this machine. */
export interface AdaptLocalParams {
  space: string;
  /** Device name (default "this machine"); the file is <outDir>/<name>.<space>.json. */
  name?: string;
  /** Intra-op threads (default 1). */
  threads?: number;
  /** Architectures measured besides the 10 references (default 10). */
  extra?: number;
  outDir: string;
}

/** "HELP: Measure on device...": adapt to a help.devices entry, or (with `model`) time one .onnx file. */
export interface MeasureParams {
  device: { name: string; runner: 'onnxruntime' | 'command'; space?: string; command?: string; threads?: number; timeoutS?: number; firstRunTimeoutS?: number };
  space?: string;
  /** The architecture being edited: measured too. */
  spec?: string;
  /** An .onnx file to time instead of adapting. */
  model?: string;
  /** With `model` on onnxruntime: shapes to feed, by input name (from help.inputShapes). */
  inputShapes?: Record<string, number[]>;
  extra?: number;
  outDir: string;
  /** The workspace is trusted (required for command runners). */
  trusted?: boolean;
}

export interface AdaptResult {
  space: string;
  name: string;
  file: string;
  samplesFile: string;
  samples: number;
  dropped: { arch: string; reason: string }[];
  warnings: string[];
  seconds: number;
  /** RMSE of the millisecond mapping on the samples, each predicted without it (leave-one-out or out-of-bag);
   *  NaN for the onnx space, whose error is relative (errorBand). */
  looRmseMs: number;
  /** The onnx space: out-of-bag relative error (0.1: +-10%). */
  errorBand?: number;
}

/** Any .onnx file's latency on every adapted onnx-space device (empty before one is adapted). */
export interface OnnxLatencyParams {
  path: string;
  /** Shapes of inputs with symbolic or unknown dims (the help.inputShapes entry matching the file). */
  inputShapes?: Record<string, number[]>;
  /** How many of the most expensive kernels to return (default 10, at most 50). */
  top?: number;
}

export interface OnnxDeviceLatency {
  name: string;
  file: string;
  ms: number;
  /** +- relative error (out-of-bag). */
  errorBand: number;
  /** ms per kernel class. */
  byClass: Record<string, number>;
  /** The most expensive kernels (after fusion), by the name of their first node. */
  top: { name: string; ops: string; kernelClass: string; ms: number }[];
  /** Models with data-dependent If branches: ms when every such If takes its cheaper branch, and its
   *  costlier one (`ms` counts each branch in half of the runs). */
  branchRange?: { low: number; high: number };
}

export interface OnnxLatencyResult {
  /** Sorted by file name; the first is the primary device. */
  devices: OnnxDeviceLatency[];
  /** What the graph analysis had to assume (e.g. dynamic dims fed as 1). */
  notes: string[];
}

export interface MeasureModelResult {
  device: string;
  model: string;
  /** The fastest timed run (the protocol's latency), and the median of all timed runs. */
  latency_ms: number;
  median_ms: number;
  spread: number;
  runs: number;
  visits: number;
  warnings: string[];
  seconds: number;
}

/** "Find a faster architecture": the architectures with the fewest single edits from `spec` whose predicted
 *  latency on `device` is within `budgetMs` (nasbench201, fbnet, ofa; HAT has no search: code "unsupported"). */
export interface NearestFasterParams {
  space: string;
  /** The architecture being edited (any written form the space parses). */
  spec: unknown;
  /** A device name (built-in or adapted). */
  device: string;
  budgetMs: number;
  /** Headroom for prediction error (relative, 0 to 0.5), or 'auto' (the default): the device's estimated
   *  error (core/nas/margin.ts). Candidates are searched under budgetMs / (1 + margin). */
  margin?: number | 'auto';
  /** How many architectures to return (default 10, at most 50). */
  limit?: number;
  /** Give up beyond this many edits (default: 6 for nasbench201, i.e. the whole space, 8 otherwise). */
  maxEdits?: number;
}

export interface NearestFasterCandidate {
  /** Canonical SPEC. */
  spec: string;
  /** Single edits from the start: edge ops (nasbench201), layer ops (fbnet), kernel/expansion/depth/resolution values (ofa). */
  edits: number;
  predicted_ms: number;
  /** Where known (nasbench201: CIFAR-100 test accuracy of MetaD2A's candidate cells), in percent. */
  accuracy?: number;
}

export interface NearestFasterResult {
  space: string;
  device: string;
  budgetMs: number;
  /** The margin used and the budget searched: budgetMs / (1 + margin). */
  margin: number;
  searchBudgetMs: number;
  /** The canonical start architecture and its predicted latency (and accuracy where known). */
  start: string;
  current_ms: number;
  current_accuracy?: number;
  /** Sorted by edits, then predicted latency; the start itself is never one. Empty when nothing fits. */
  candidates: NearestFasterCandidate[];
  /** exact: every architecture up to `reached` edits predicted (nasbench201); beam: the fastest few of each
   *  edit distance expanded (fbnet, ofa; heuristic); evolution: regularised evolution towards few edits, the
   *  fallback when the beam found nothing. */
  method: 'exact' | 'beam' | 'evolution';
  /** The largest edit distance the exact or beam search reached. */
  reached: number;
  /** Distinct architectures predicted. */
  evaluated: number;
  /** The fastest architecture seen (for "nothing fits" messages), whether or not it fits. */
  fastest?: NearestFasterCandidate;
  /** What `accuracy` means, when the space has an accuracy source here (e.g. "CIFAR-100 test accuracy, MetaD2A candidates"). */
  accuracySource?: string;
  seconds: number;
}
