// The IPC protocol between the extension host (worker-client.ts) and the background worker
// (src/cli/worker.ts). Types only (type imports vanish from the bundles): both sides import it.
import type { DeviceInfo, DeviceOrigin } from '../core/predictor/service';
//
//   request   {id, method, params}
//   reply     {id, result} | {id, error, code?}
//   progress  {id, progress: {message?, increment?}}   (any number, before the reply; e.g. adaptLocal)
//   cancel    {id: <new>, method: 'cancel', params: {id: <request to cancel>}}

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
  | 'measure';

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
