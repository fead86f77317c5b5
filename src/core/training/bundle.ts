// Writes what ships beside the network weights: the source bank (full tables of the meta-training pool,
// for transfer; only for spaces whose tables cover every architecture) and the built-in devices (each
// one's 10 reference latencies plus 20 further samples, the same amount of data a user profile has;
// profile-only devices as given).
import type { SpaceTables } from './dataset';
import type { BuiltinDevicesFile } from '../predictor/service';
import type { PredictorSpace } from '../spaces/registry';
import { makeRng } from '../spaces/space';
import { sampleWithoutReplacement, TRAIN_POOL } from '../eval/protocol';
import { fitSourceModel, SOURCE_MODEL_FORMAT, SourceModelsFile } from '../predictor/sourceModels';

export const BUILTIN_EXTRA_SAMPLES = 20;

/** The bank of source latencies, or undefined when the space has no index (the tables cover a sample). */
export function buildSourceBank(space: PredictorSpace, tables: SpaceTables, devices: string[]): Buffer | undefined {
  const index = space.index;
  if (!index) return undefined;
  const n = index.size;
  const bank = new Float32Array(devices.length * n);
  // Table rows are in the space's index order; check it once rather than trust it.
  for (const probe of [0, 1, n - 1]) {
    if (index.indexOf(space.canonical(tables.architectures[probe])) !== probe) {
      throw new Error(`data/${space.name}/architectures.json is not in the space's index order`);
    }
  }
  devices.forEach((d, k) => bank.set(tables.latency(d), k * n));
  return Buffer.from(bank.buffer);
}

/** Latency models of the source devices, for spaces without an index but with additive features. */
export function buildSourceModels(space: PredictorSpace, tables: SpaceTables, devices: string[]): SourceModelsFile | undefined {
  if (space.index || !space.additiveFeatures) return undefined;
  const x = tables.architectures.map((a) => space.additiveFeatures!(space.canonical(a)));
  return { format: SOURCE_MODEL_FORMAT, space: space.name, models: devices.map((d) => fitSourceModel(d, x, tables.latency(d))) };
}

export function buildBuiltinDevices(space: PredictorSpace, tables: SpaceTables, seed = 0): BuiltinDevicesFile {
  const refs = tables.referenceIndices;
  const archOf = (i: number) => space.canonical(tables.architectures[i]);
  const devices: BuiltinDevicesFile['devices'] = [];
  for (const name of tables.devices) {
    const lat = tables.latency(name);
    const extra = sampleWithoutReplacement(TRAIN_POOL[space.name] ?? tables.architectures.length, BUILTIN_EXTRA_SAMPLES, makeRng(seed + 77), new Set(refs));
    devices.push({ name, origin: 'table', samples: [...refs, ...extra].map((index) => ({ arch: archOf(index), latency_ms: lat[index] })) });
  }
  for (const name of tables.profileDevices) {
    devices.push({ name, origin: 'profile', samples: tables.profile(name).map((s) => ({ arch: archOf(s.index), latency_ms: s.latency_ms })) });
  }
  return { space: space.name, devices };
}
