// Reads the measured latency tables under data/<space>/ (the layout of the hw-latency dataset).
// Only meta-training, evaluation and the scripts that build weights/ read data/; the shipped
// extension and CLI predict from weights/ alone.
import * as fs from 'fs';
import * as path from 'path';
import { findBesidePackageJson } from '../paths';
import { getSpace, PredictorSpace } from '../spaces/registry';
import { batchGraphs, GraphBatch } from '../predictor/encodings';

export interface Splits {
  meta_train: string[];
  meta_valid: string[];
  meta_test: string[];
}

export interface ProfileSample {
  index: number;
  latency_ms: number;
}

export interface SpaceTables {
  space: string;
  dir: string;
  architectures: unknown[];
  referenceIndices: number[];
  splits: Splits;
  /** Devices with a full table, by name. */
  devices: string[];
  /** Devices known only through a few-shot profile (10 references + 20 samples). */
  profileDevices: string[];
  latency(device: string): Float64Array;
  profile(device: string): ProfileSample[];
}

/** data/ of this repository: HELP_DATA_DIR, else data/ beside the nearest package.json above this file. */
export function resolveDataDir(): string {
  if (process.env.HELP_DATA_DIR) return process.env.HELP_DATA_DIR;
  const dir = findBesidePackageJson('data');
  if (!dir) throw new Error('data/ not found: meta-training and evaluation need the repository checkout (set HELP_DATA_DIR)');
  return dir;
}

const cache = new Map<string, SpaceTables>();

export function loadSpaceTables(space: string, dataDir = resolveDataDir()): SpaceTables {
  const key = `${dataDir}:${space}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = path.join(dataDir, space);
  if (!fs.existsSync(dir)) throw new Error(`no latency tables for space "${space}" under ${dataDir}`);
  const readJson = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  const architectures = readJson('architectures.json') as unknown[];
  const list = (sub: string) =>
    fs.existsSync(path.join(dir, sub))
      ? fs.readdirSync(path.join(dir, sub)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()
      : [];
  const latCache = new Map<string, Float64Array>();
  const tables: SpaceTables = {
    space,
    dir,
    architectures,
    referenceIndices: readJson('reference_indices.json'),
    splits: readJson('splits.json'),
    devices: list('latency'),
    profileDevices: list('profiles'),
    latency(device) {
      let t = latCache.get(device);
      if (!t) {
        const file = path.join(dir, 'latency', `${device}.json`);
        if (!fs.existsSync(file)) throw new Error(`no latency table for device "${device}" in ${space}`);
        t = Float64Array.from(JSON.parse(fs.readFileSync(file, 'utf8')) as number[]);
        latCache.set(device, t);
      }
      return t;
    },
    profile(device) {
      const file = path.join(dir, 'profiles', `${device}.json`);
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { samples: ProfileSample[] }).samples;
    },
  };
  cache.set(key, tables);
  return tables;
}

/** A space's tables and the network input of every architecture in them (meta-training, `eval`, benches). */
export function loadTrainingData(spaceName: string): { space: PredictorSpace; tables: SpaceTables; graphs: GraphBatch } {
  const space = getSpace(spaceName);
  const tables = loadSpaceTables(space.name);
  const graphs = batchGraphs(tables.architectures.map((a) => space.graph(space.canonical(a))));
  return { space, tables, graphs };
}
