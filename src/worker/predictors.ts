// The worker's predictors (one per space, loaded once) and the devices adapted on this machine (the folder
// given at init), shared by the handlers.
import * as fs from 'fs';
import * as path from 'path';
import { loadPredictor, SpacePredictor } from '../core/predictor/load';
import { LatencyPredictor, DeviceHandle, weightsPaths } from '../core/predictor/service';
import { getSpace, SPACE_NAMES } from '../core/spaces/registry';
import type { DeviceInfo } from './protocol';
import { WorkerError } from './context';

let adaptedDirPath: string | undefined;
const predictors = new Map<string, Promise<SpacePredictor>>();

/** The folder of adapted devices (init's `adaptedDir`). */
export function setAdaptedDir(dir: string | undefined): void {
  adaptedDirPath = dir;
}

export function adaptedDir(): string | undefined {
  return adaptedDirPath;
}

export function spaceName(space: unknown): string {
  if (typeof space !== 'string') throw new WorkerError('bad-request', `"space" must be one of ${SPACE_NAMES.join(', ')}`);
  try {
    return getSpace(space).name;
  } catch (e) {
    throw new WorkerError('bad-request', (e as Error).message);
  }
}

export async function predictorFor(space: string): Promise<SpacePredictor> {
  const name = spaceName(space);
  let p = predictors.get(name);
  if (!p) {
    // Weights of a space may not exist (yet) in this build: say so plainly, and look again next time.
    if (!fs.existsSync(weightsPaths(name).weights)) {
      throw new WorkerError('no-weights', `no trained weights for ${name} in this build yet, so HELP cannot predict ${name} latency`);
    }
    p = loadPredictor(name);
    predictors.set(name, p);
    p.catch(() => predictors.delete(name));
  }
  return p;
}

// ---- adapted devices: DEVICE.json files in the folder given at init ----

export interface AdaptedEntry {
  info: DeviceInfo;
  mtimeMs: number;
}

export function adaptedDevices(space?: string): AdaptedEntry[] {
  if (!adaptedDirPath || !fs.existsSync(adaptedDirPath)) return [];
  const out: AdaptedEntry[] = [];
  // NAME.samples.json beside a device file holds its raw measurements, not a device.
  for (const f of fs.readdirSync(adaptedDirPath).filter((f) => f.endsWith('.json') && !f.endsWith('.samples.json')).sort()) {
    const file = path.join(adaptedDirPath, f);
    try {
      const d = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!d || d.format !== 'help-device' || typeof d.name !== 'string' || typeof d.space !== 'string' || !Array.isArray(d.samples)) continue;
      if (space && d.space !== space) continue;
      out.push({
        info: { name: d.name, space: d.space, origin: 'adapted', samples: d.samples.length, created: d.created, file },
        mtimeMs: fs.statSync(file).mtimeMs,
      });
    } catch (e) {
      process.stderr.write(`HELP worker: skipping ${file}: ${(e as Error).message.split('\n')[0]}\n`);
    }
  }
  return out;
}

// Adapted handles keyed by file and modification time, so that a re-adapted file is read again.
const adaptedHandles = new Map<string, DeviceHandle>();

export function resolveDevice(p: SpacePredictor, name: string, adapted: AdaptedEntry[]): DeviceHandle {
  const a = adapted.find((e) => e.info.name === name || e.info.file === name);
  if (!a) return p.resolve(name);
  const key = `${a.info.file}\u0000${a.mtimeMs}`;
  let h = adaptedHandles.get(key);
  if (!h) {
    const file = a.info.file!;
    h = p instanceof LatencyPredictor ? p.open(p.readDeviceFile(file)) : p.resolve(file);
    h = { ...h, info: { ...h.info, name: a.info.name, file } };
    adaptedHandles.set(key, h);
  }
  return h;
}

export function allDeviceNames(p: SpacePredictor, adapted: AdaptedEntry[]): string[] {
  return [...p.builtinDevices().map((d) => d.name), ...adapted.map((a) => a.info.name)];
}
