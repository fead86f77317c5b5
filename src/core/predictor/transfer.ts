// The HAT predictor: few-shot transfer from source devices' latency models.
//
// HAT's tables cannot feed HELP's meta-learning: each device's file samples its own 2,000 SubTransformers,
// so no architecture (and in particular no reference architecture) is measured on every device, and the
// hardware embedding cannot be formed from them. What they do support is a latency model per source
// device (ridge regression on hatRegressionFeatures, fitted on its whole table and normalised by its mean
// latency). A new device is then y = b + sum_k c_k * g_k(x): a ridge over the source models' predictions,
// its penalty chosen by closed-form leave-one-out error on the device's own samples.
import * as crypto from 'crypto';
import * as fs from 'fs';
import { applyLinear, fitRidge } from './linear';
import { hatFeatures, hatRegressionFeatures, parseHatConfig } from '../spaces/hat';
import type { PredictorSpace } from '../spaces/registry';
import { SpecError } from '../spaces/space';
import type { Combination } from './combine';
import { DEVICE_FORMAT, DEVICE_VERSION, DeviceFile, DeviceHandle, DeviceInfo, DeviceSample, weightsPaths } from './service';
import type { HatTable } from '../training/hatTables';

export const HAT_WEIGHTS_FORMAT = 'help-hat-sources';
export const HAT_WEIGHTS_VERSION = 1;
export const HAT_BANK_PENALTIES = [0.03, 0.3, 3];
/** Ridge strength of a source model's fit on its own 2,000 rows (the tables carry measurement noise). */
const SOURCE_PENALTY = 1e-4;

export interface HatSourceModel {
  name: string;
  /** Mean latency of the table (ms): the model predicts latency / scale. */
  scale: number;
  intercept: number;
  coef: number[];
  rows: number;
}

export interface HatWeightsFile {
  format: typeof HAT_WEIGHTS_FORMAT;
  version: number;
  space: 'hat';
  sources: HatSourceModel[];
}

export function fitHatSourceModel(t: HatTable): HatSourceModel {
  const scale = t.latency.reduce((a, b) => a + b, 0) / t.latency.length;
  const x = t.features.map(hatRegressionFeatures);
  const fit = fitRidge(x, t.latency.map((v) => v / scale), x[0].map(() => SOURCE_PENALTY));
  return { name: t.device, scale, intercept: fit.intercept, coef: fit.coef, rows: t.latency.length };
}

/** Normalised predictions of the source models for rows of the 10 table features. */
export function sourcePredictions(models: HatSourceModel[], features: number[][]): number[][] {
  return features.map((f) => {
    const r = hatRegressionFeatures(f);
    return models.map((m) => applyLinear(m, r));
  });
}

/** Ridge over the source models' outputs, the penalty chosen by leave-one-out error. */
export function fitSourceBank(g: number[][], y: number[]): Combination {
  let best: Combination | undefined;
  for (const lam of HAT_BANK_PENALTIES) {
    const f = fitRidge(g, y, g[0].map(() => lam));
    if (!best || f.looMse < best.looMse) best = { kind: 'source-models', sources: g[0].map((_, j) => j), intercept: f.intercept, coef: f.coef, looMse: f.looMse };
  }
  return best!;
}

export class HatPredictor {
  private handles = new Map<string, DeviceHandle>();

  private constructor(
    readonly space: PredictorSpace,
    readonly weights: HatWeightsFile,
    readonly weightsId: string,
  ) {}

  static load(space: PredictorSpace, weightsFile?: string): HatPredictor {
    const p = weightsPaths(space.name, weightsFile);
    if (!fs.existsSync(p.weights)) throw new Error(`no bundled weights for ${space.name} (${p.weights}); run meta-train`);
    const raw = fs.readFileSync(p.weights);
    const w = JSON.parse(raw.toString('utf8')) as HatWeightsFile;
    if (w.format !== HAT_WEIGHTS_FORMAT || w.version !== HAT_WEIGHTS_VERSION) throw new Error(`${p.weights} is not a HAT source-model file of version ${HAT_WEIGHTS_VERSION}`);
    return new HatPredictor(space, w, crypto.createHash('sha256').update(raw).digest('hex').slice(0, 16));
  }

  get sourceDevices(): string[] {
    return this.weights.sources.map((s) => s.name);
  }

  builtinDevices(): DeviceInfo[] {
    return this.weights.sources.map((s) => ({ name: s.name, space: this.space.name, origin: 'table' as const, samples: s.rows }));
  }

  private featuresOf(spec: string): number[] {
    return hatFeatures(parseHatConfig(spec));
  }

  adapt(name: string, samples: DeviceSample[], where = 'samples'): DeviceFile {
    if (!Array.isArray(samples) || samples.length === 0) throw new SpecError(`${where}: "samples" must be a non-empty array`);
    const canonical: DeviceSample[] = samples.map((s, k) => {
      if (!s || typeof s !== 'object') throw new SpecError(`${where}: sample ${k + 1} is not an object`);
      let arch: string;
      try {
        arch = this.space.canonical(s.arch);
      } catch (e) {
        throw new SpecError(`${where}: sample ${k + 1}: ${(e as Error).message}`);
      }
      if (typeof s.latency_ms !== 'number' || !Number.isFinite(s.latency_ms) || s.latency_ms <= 0) {
        throw new SpecError(`${where}: sample ${k + 1}: latency_ms must be a positive finite number of milliseconds, got ${JSON.stringify(s.latency_ms)}`);
      }
      return { ...s, arch };
    });
    const have = new Set(canonical.map((s) => s.arch));
    const missing = this.space.references.filter((r) => !have.has(r));
    if (missing.length) throw new SpecError(`${where}: missing ${missing.length} of the 10 reference architectures (see: cli references --space ${this.space.name})`);
    const g = sourcePredictions(this.weights.sources, canonical.map((s) => this.featuresOf(s.arch)));
    const combination = fitSourceBank(g, canonical.map((s) => s.latency_ms));
    return {
      format: DEVICE_FORMAT,
      version: DEVICE_VERSION,
      space: this.space.name,
      name,
      created: new Date().toISOString(),
      weightsId: this.weightsId,
      samples: canonical,
      adaptation: { combination, sourceDevices: this.sourceDevices },
    };
  }

  resolve(nameOrFile: string): DeviceHandle {
    const hit = this.handles.get(nameOrFile);
    if (hit) return hit;
    let handle: DeviceHandle;
    const k = this.weights.sources.findIndex((s) => s.name === nameOrFile);
    if (k >= 0) {
      // A table device is its own source model, scaled back to milliseconds.
      const s = this.weights.sources[k];
      const coef = this.weights.sources.map((_, j) => (j === k ? s.scale : 0));
      const combination: Combination = { kind: 'source-models', sources: coef.map((_, j) => j), intercept: 0, coef, looMse: 0 };
      const file: DeviceFile = { format: DEVICE_FORMAT, version: DEVICE_VERSION, space: this.space.name, name: s.name, created: '', weightsId: this.weightsId, samples: [], adaptation: { combination, sourceDevices: this.sourceDevices } };
      handle = { info: this.builtinDevices()[k], combination, file };
    } else if (nameOrFile.endsWith('.json') || fs.existsSync(nameOrFile)) {
      let d: DeviceFile;
      try {
        d = JSON.parse(fs.readFileSync(nameOrFile, 'utf8'));
      } catch (e) {
        throw new SpecError(`cannot read device file ${nameOrFile}: ${(e as Error).message.split('\n')[0]}`);
      }
      if (!d || d.format !== DEVICE_FORMAT) throw new SpecError(`${nameOrFile} is not a HELP device file`);
      if (d.space !== this.space.name) throw new SpecError(`${nameOrFile} is a ${d.space} device, not ${this.space.name}`);
      if (d.weightsId !== this.weightsId) d = { ...this.adapt(d.name, d.samples, nameOrFile), created: d.created };
      handle = { info: { name: d.name, space: d.space, origin: 'adapted', samples: d.samples.length, created: d.created, file: nameOrFile }, combination: d.adaptation.combination, file: d };
    } else {
      throw new SpecError(`unknown device "${nameOrFile}" for hat (built in: ${this.sourceDevices.join(', ')}; or give a DEVICE.json)`);
    }
    this.handles.set(nameOrFile, handle);
    return handle;
  }

  open(file: DeviceFile): DeviceHandle {
    return { info: { name: file.name, space: file.space, origin: 'adapted', samples: file.samples.length, created: file.created }, combination: file.adaptation.combination, file };
  }

  predict(device: DeviceHandle, specs: string[]): number[] {
    return this.predictOnDevices([device], specs)[0];
  }

  predictOnDevices(devices: DeviceHandle[], specs: string[]): number[][] {
    const g = sourcePredictions(this.weights.sources, specs.map((s) => this.featuresOf(s)));
    return devices.map((d) => g.map((row) => applyLinear(d.combination, row)));
  }
}
