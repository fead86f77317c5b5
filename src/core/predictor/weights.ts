// The bundled meta-trained weights: one versioned JSON file per space, tensors as base64 float32.
import * as fs from 'fs';
import type * as TF from '@tensorflow/tfjs';
import type { HelpConfig, Params } from './model';

export const WEIGHTS_FORMAT = 'help-weights';
export const WEIGHTS_VERSION = 2;

export interface SerializedTensor {
  shape: number[];
  data: string;
}

/** One meta-trained network of the ensemble. */
export interface MemberWeights {
  config: HelpConfig;
  seed: number;
  /** Episode of the checkpoint kept (best validation Spearman). */
  episodes: number;
  trainSeconds: number;
  validSpearman: number;
  params: Record<string, SerializedTensor>;
}

export interface WeightsFile {
  format: typeof WEIGHTS_FORMAT;
  version: number;
  space: string;
  seed: number;
  trainDevices: string[];
  validDevices: string[];
  /** Wall-clock seconds of the whole meta-training command. */
  trainSeconds: number;
  /** Devices whose full tables are bundled as the source bank (weights/<space>-sources.bin). */
  sourceDevices: string[];
  members: MemberWeights[];
}

export function encodeFloat32(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeFloat32(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export function serializeParams(params: Params): Record<string, SerializedTensor> {
  const out: Record<string, SerializedTensor> = {};
  for (const [k, t] of Object.entries(params)) out[k] = { shape: t.shape, data: encodeFloat32(t.dataSync() as Float32Array) };
  return out;
}

export function deserializeParams(tf: typeof TF, s: Record<string, SerializedTensor>): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(s)) out[k] = tf.tensor(decodeFloat32(v.data), v.shape);
  return out;
}

export function readWeightsFile(file: string): WeightsFile {
  let w: WeightsFile;
  try {
    w = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read weights ${file}: ${(e as Error).message}`);
  }
  if (w.format !== WEIGHTS_FORMAT || w.version !== WEIGHTS_VERSION) {
    throw new Error(`${file} is not a HELP weights file of version ${WEIGHTS_VERSION}`);
  }
  return w;
}

/** Weights and bank files are written like device files: atomically and durably (devices/atomic.ts). */
export { writeFileAtomicSync as writeFileAtomic } from '../devices/atomic';
