// The HAT predictor: few-shot transfer from source devices' latency models.
//
// HAT's tables cannot feed HELP's meta-learning: each device's file samples its own 2,000 SubTransformers,
// so no architecture (and in particular no reference architecture) is measured on every device, and the
// hardware embedding cannot be formed from them. What they do support is a latency model per source
// device: ridge regression on hatRegressionFeatures, fitted on its whole table after removing the table's
// measurement drift (below), normalised by its mean latency.
//
// A new device is a convex combination of per-source calibrations: each source model g_k is mapped to
// milliseconds by a power law, log y = a_k + b_k log g_k (latency noise is multiplicative, and a power law
// lets a device stretch or compress a source's range), and the calibrated sources are stacked (stackBlend:
// weights on the simplex minimising the leave-one-out error in ms). A ridge over all sources
// (fitSourceBank, the previous mapping) puts free-signed weights on 7 strongly collinear predictors from
// 10-20 noisy samples; the simplex keeps the estimate between the devices it has seen.
//
// Measurement drift: the rows of every HAT table are in measurement order, and the residuals of a model of
// the architecture features are strongly autocorrelated along the rows (lag-1 autocorrelation 0.8-0.9 on
// five of the eight tables) although the architectures are sampled independently: the machine's speed
// drifts during the hours of measurement (clock, temperature, background load). fitHatSourceModel
// estimates that drift as the running median of the neighbouring rows' log residuals (the row itself
// excluded), divides it out and refits; the drift is a property of the measurement session, not of the
// device, so the source models are cleaner without it.
import * as crypto from 'crypto';
import * as fs from 'fs';
import { applyLinear, fitRidge } from './linear';
import { hatFeatures, hatRegressionFeatures, parseHatConfig } from '../spaces/hat';
import type { PredictorSpace } from '../spaces/registry';
import { SpecError } from '../spaces/space';
import { atLeastFloor, deviceLatencyFloorMs, stackBlend, type Combination } from './combine';
import { screenSamples } from './adaptDevice';
import { DEVICE_FORMAT, DEVICE_VERSION, DeviceFile, DeviceHandle, DeviceInfo, DeviceSample, warnOnStderr, weightsPaths } from './service';
import { AdaptationShape, DeviceFileReader, loadDeviceFile } from './deviceFile';
import type { HatTable } from '../training/hatTables';

export const HAT_WEIGHTS_FORMAT = 'help-hat-sources';
export const HAT_WEIGHTS_VERSION = 1;
/** Part of a HAT device's identity (with the weights' hash): bumped when the adaptation changes, so that
 *  stored devices are re-adapted from their samples. 2: stacked per-source power laws. 3: gross spikes refused
 *  (adaptDevice.ts screenSamples). */
export const HAT_MAPPING_VERSION = 3;
export const HAT_BANK_PENALTIES = [0.03, 0.3, 3];
/** Ridge strength of a source model's fit on its own 2,000 rows (5-fold cross-validation on each table
 *  is flat between 1e-6 and 1e-3). */
const SOURCE_PENALTY = 1e-4;
/** Rows on each side of a row whose residuals estimate its measurement drift, and refitting rounds. */
export const DRIFT_HALF_WINDOW = 25;
const DRIFT_ROUNDS = 3;
/** Source predictions are normalised latencies (about 0.3 to 2); a floor keeps their logarithm finite. */
const MIN_SOURCE = 1e-3;

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

/** A HAT device's mapping from source predictions to ms: a `blend` of parts, or one part; a part with `log`
 *  is log y = intercept + sum_j coef_j log g[sources_j], otherwise linear in g[sources_j]. */
export interface HatCombination extends Omit<Combination, 'parts'> {
  log?: boolean;
  parts?: HatCombination[];
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Each row's measurement drift from the residuals of its neighbours in table order: the median of the
 * residuals of the rows within `half` on either side, the row itself excluded (so a row's own deviation is
 * never taken for drift), centred on the median drift of the table.
 */
export function measurementDrift(residuals: number[], half = DRIFT_HALF_WINDOW): number[] {
  const n = residuals.length;
  const drift = residuals.map((_, i) => {
    const near: number[] = [];
    for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) if (j !== i) near.push(residuals[j]);
    return near.length ? median(near) : 0;
  });
  const mid = median(drift);
  return drift.map((d) => d - mid);
}

export function fitHatSourceModel(t: HatTable): HatSourceModel {
  const scale = t.latency.reduce((a, b) => a + b, 0) / t.latency.length;
  const x = t.features.map(hatRegressionFeatures);
  const penalty = x[0].map(() => SOURCE_PENALTY);
  let fit = fitRidge(x, t.latency.map((v) => v / scale), penalty, false);
  for (let round = 0; round < DRIFT_ROUNDS && t.latency.length > 2 * DRIFT_HALF_WINDOW; round++) {
    const residuals = t.latency.map((v, i) => Math.log(v / scale) - Math.log(Math.max(applyLinear(fit, x[i]), MIN_SOURCE)));
    const drift = measurementDrift(residuals);
    fit = fitRidge(x, t.latency.map((v, i) => v / scale / Math.exp(drift[i])), penalty, false);
  }
  return { name: t.device, scale, intercept: fit.intercept, coef: fit.coef, rows: t.latency.length };
}

/** Normalised predictions of the source models for rows of the 10 table features. */
export function sourcePredictions(models: HatSourceModel[], features: number[][]): number[][] {
  return features.map((f) => {
    const r = hatRegressionFeatures(f);
    return models.map((m) => applyLinear(m, r));
  });
}

/** Ridge over the source models' outputs, the penalty chosen by leave-one-out error (the mapping before
 *  HAT_MAPPING_VERSION 2; kept as a baseline of the evaluation). */
export function fitSourceBank(g: number[][], y: number[]): Combination {
  let best: Combination | undefined;
  for (const lam of HAT_BANK_PENALTIES) {
    const f = fitRidge(g, y, g[0].map(() => lam));
    if (!best || f.looMse < best.looMse) best = { kind: 'source-models', sources: g[0].map((_, j) => j), intercept: f.intercept, coef: f.coef, looMse: f.looMse };
  }
  return best!;
}

/** One source calibrated by a power law, log y = a + b log g_k, with its leave-one-out residuals in ms. */
export function fitSourcePowerLaw(g: number[][], y: number[], k: number): HatCombination {
  const f = fitRidge(g.map((r) => [Math.log(Math.max(r[k], MIN_SOURCE))]), y.map(Math.log), [0]);
  // A log residual e is the prediction y / exp(e) in ms.
  const looResiduals = f.looResiduals!.map((e, i) => y[i] - y[i] / Math.exp(e));
  return { kind: 'source-models', log: true, sources: [k], intercept: f.intercept, coef: f.coef, looMse: looResiduals.reduce((s, e) => s + e * e, 0) / y.length, looResiduals };
}

/** The mapping of a new device from its samples: every source calibrated by a power law, stacked. */
export function fitHatMapping(g: number[][], y: number[]): HatCombination {
  if (y.length < 3) throw new SpecError(`HAT adaptation needs at least 3 distinct architectures, got ${y.length}`);
  return stackBlend(g[0].map((_, k) => fitSourcePowerLaw(g, y, k))) as HatCombination;
}

/** Milliseconds of one architecture from its source predictions. */
export function applyHatMapping(c: HatCombination, g: ArrayLike<number>): number {
  if (c.kind === 'blend') return c.parts!.reduce((s, p, i) => s + c.weights![i] * applyHatMapping(p, g), 0);
  if (!c.log) return applyLinear(c, c.sources.map((j) => g[j]));
  return Math.exp(applyLinear(c, c.sources.map((j) => Math.log(Math.max(g[j], MIN_SOURCE)))));
}

export class HatPredictor implements DeviceFileReader {
  private handles = new Map<string, DeviceHandle>();
  /** Where warnings about device files go (a device re-adapted because its adaptation was broken). */
  onWarning: (message: string) => void = warnOnStderr;

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
    return new HatPredictor(space, w, crypto.createHash('sha256').update(raw).update(`hat mapping ${HAT_MAPPING_VERSION}`).digest('hex').slice(0, 16));
  }

  get sourceDevices(): string[] {
    return this.weights.sources.map((s) => s.name);
  }

  /** A HAT device's mapping: power laws of the source models' outputs, stacked (no network, no cost features). */
  get adaptationShape(): AdaptationShape {
    return { sources: this.weights.sources.length, costFeatures: 0, kinds: ['source-models', 'blend'], sourcesOnly: true };
  }

  predictStored(d: DeviceFile, specs: string[]): number[] {
    return this.predictOnDevices([this.open(d)], specs)[0];
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
    // Absurd readings (adaptDevice.ts screenSamples): the power-law fit has no spike rule, so every gross
    // spike is refused, naming the sample.
    screenSamples(canonical.map((s) => s.latency_ms), g, { describe: (i) => `${where}: sample ${i + 1} (${canonical[i].arch})`, references: canonical.length });
    const combination = fitHatMapping(g, canonical.map((s) => s.latency_ms));
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
      const d = loadDeviceFile(this, nameOrFile, this.onWarning);
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
    return devices.map((d) => {
      const floor = deviceLatencyFloorMs(d);
      return g.map((row) => atLeastFloor(applyHatMapping(d.combination, row), floor));
    });
  }
}
