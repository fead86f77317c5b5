// The predictor as the CLI and the background worker use it: bundled weights, built-in devices,
// few-shot adaptation into a self-contained device file, and prediction in milliseconds.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type * as TF from '@tensorflow/tfjs';
import { getSpace, PredictorSpace } from '../spaces/registry';
import { SpecError } from '../spaces/space';
import { resolveWeightsDir } from '../paths';
import { batchGraphs, GraphBatch } from './encodings';
import { AdaptedHead, HelpEnsemble, HelpNetwork, LatencyNet } from './help';
import { atLeastFloor, combine, Combination, deviceLatencyFloorMs, MAPPING_VERSION } from './combine';
import { adaptDevice, SpikeRecord } from './adaptDevice';
import { SOURCE_MODEL_FORMAT, SourceModel, SourceModelsFile, sourceModelRow } from './sourceModels';
import { decodeFloat32, deserializeParams, encodeFloat32, readWeightsFile, SerializedTensor, WeightsFile } from './weights';
import { headParamNames } from './model';
import { AdaptationShape, DEVICE_FORMAT, DEVICE_VERSION, DeviceFileReader, loadDeviceFile } from './deviceFile';

export { DEVICE_FORMAT, DEVICE_VERSION };

export interface DeviceSample {
  arch: string;
  latency_ms: number;
  /** Relative spread of the repeated timings behind this sample, when measured by a runner. */
  spread?: number;
}

export interface SamplesFile {
  space: string;
  device: string;
  samples: DeviceSample[];
}

export interface DeviceFile {
  format: typeof DEVICE_FORMAT;
  version: number;
  space: string;
  name: string;
  created: string;
  /** Identity of the weights the adaptation below was computed with; re-adapted from samples if different. */
  weightsId: string;
  samples: DeviceSample[];
  /** SHA-256 of the raw samples file saved beside it (saveAdapted), to tell when that file is newer. */
  samplesSha256?: string;
  adaptation: {
    /** The adapted HELP network (absent for the HAT predictor, which has none). */
    mean?: number;
    std?: number;
    head?: SerializedTensor[];
    hw?: SerializedTensor;
    combination: Combination;
    sourceDevices: string[];
    /** Samples left out of the millisecond mapping as measurement spikes (adaptDevice.ts). */
    spikes?: SpikeRecord[];
  };
}

export type DeviceOrigin = 'table' | 'profile' | 'adapted';

export interface DeviceInfo {
  name: string;
  space: string;
  origin: DeviceOrigin;
  samples: number;
  created?: string;
  file?: string;
  /** The onnx space's adapted devices: the out-of-bag relative error (0.1: +-10%). */
  errorBand?: number;
}

interface BuiltinDevice {
  name: string;
  origin: 'table' | 'profile';
  samples: { arch: string; latency_ms: number }[];
}

export interface BuiltinDevicesFile {
  space: string;
  devices: BuiltinDevice[];
}

/** An adapted device ready to predict. */
export interface DeviceHandle {
  info: DeviceInfo;
  /** The adapted network head (HELP spaces only). */
  adapted?: AdaptedHead;
  combination: Combination;
  file: DeviceFile;
}

/** The three files of a space's weights: `<base>.json`, `<base>-sources.bin`, `<base>-devices.json`.
 *  `weightsFile` defaults to the bundled weights/<space>.json. */
export function weightsPaths(space: string, weightsFile?: string) {
  const weights = weightsFile ?? path.join(resolveWeightsDir(), `${space}.json`);
  const base = weights.replace(/\.json$/, '');
  return { weights, sources: `${base}-sources.bin`, sourceModels: `${base}-sources.json`, devices: `${base}-devices.json` };
}

/** How a device file's problems that were worked around reach the user: stderr, which the CLI shows and the
 *  worker's log forwards to the Output channel. */
export function warnOnStderr(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** The mapping kinds LatencyPredictor.adapt writes (combine.ts). */
const HELP_COMBINATION_KINDS = ['net', 'net+source', 'net+bank', 'net+cost', 'cost', 'blend', 'bagged'] as const;

export class LatencyPredictor implements DeviceFileReader {
  private embeddings?: TF.Tensor2D;
  private handles = new Map<string, DeviceHandle>();
  private shape?: AdaptationShape;
  /** Where warnings about device files go (a device re-adapted because its adaptation was broken). */
  onWarning: (message: string) => void = warnOnStderr;

  private constructor(
    readonly tf: typeof TF,
    readonly space: PredictorSpace,
    readonly weights: WeightsFile,
    readonly weightsId: string,
    readonly net: LatencyNet,
    readonly sourceDevices: string[],
    private readonly bank: Float32Array | undefined,
    private readonly sourceModels: SourceModel[] | undefined,
    readonly builtins: BuiltinDevice[],
  ) {}

  static load(tf: typeof TF, spaceName: string, weightsFile?: string): LatencyPredictor {
    const space = getSpace(spaceName);
    const p = weightsPaths(space.name, weightsFile);
    if (!fs.existsSync(p.weights)) throw new Error(`no bundled weights for ${space.name} (${p.weights}); run meta-train`);
    const raw = fs.readFileSync(p.weights);
    const weights = readWeightsFile(p.weights);
    // The mapping's version is part of the identity: a change in the candidates or cost features
    // re-adapts stored devices from their samples just as new weights do.
    const weightsId = crypto.createHash('sha256').update(raw).update(`mapping ${MAPPING_VERSION}`).digest('hex').slice(0, 16);
    const net = new HelpEnsemble(tf, weights.members.map((m) => new HelpNetwork(tf, deserializeParams(tf, m.params), m.config)));
    let bank: Float32Array | undefined;
    let sourceDevices: string[] = [];
    if (space.index && fs.existsSync(p.sources) && weights.sourceDevices?.length) {
      const buf = fs.readFileSync(p.sources);
      bank = new Float32Array(buf.byteLength / 4);
      new Uint8Array(bank.buffer).set(buf);
      sourceDevices = weights.sourceDevices;
      if (bank.length !== sourceDevices.length * space.index.size) throw new Error(`${p.sources} does not match ${p.weights}`);
    }
    let sourceModels: SourceModel[] | undefined;
    if (!space.index && space.additiveFeatures && fs.existsSync(p.sourceModels)) {
      const file = JSON.parse(fs.readFileSync(p.sourceModels, 'utf8')) as SourceModelsFile;
      if (file.format !== SOURCE_MODEL_FORMAT || file.space !== space.name) throw new Error(`${p.sourceModels} is not a ${space.name} source-model file`);
      sourceModels = file.models;
      sourceDevices = file.models.map((m) => m.device);
    }
    const builtins = fs.existsSync(p.devices) ? (JSON.parse(fs.readFileSync(p.devices, 'utf8')) as BuiltinDevicesFile).devices : [];
    return new LatencyPredictor(tf, space, weights, weightsId, net, sourceDevices, bank, sourceModels, builtins);
  }

  builtinDevices(): DeviceInfo[] {
    return this.builtins.map((d) => ({ name: d.name, space: this.space.name, origin: d.origin, samples: d.samples.length }));
  }

  /** Source latencies (one per bank device) of an architecture, by its index in the space. */
  private sourceRow(index: number): number[] {
    if (!this.bank || !this.space.index) return [];
    const n = this.space.index.size;
    return this.sourceDevices.map((_, k) => this.bank![k * n + index]);
  }

  private allEmbeddings(): TF.Tensor2D {
    const index = this.space.index!;
    if (!this.embeddings) {
      const graphs = batchGraphs(Array.from({ length: index.size }, (_, i) => this.space.graph(index.specAt(i))));
      this.embeddings = this.net.embed(graphs, Array.from({ length: graphs.count }, (_, i) => i));
    }
    return this.embeddings;
  }

  private embedIndices(indices: number[]): TF.Tensor2D {
    // Embedding a few architectures directly is cheaper than the whole space the first time.
    if (!this.embeddings && indices.length < 2000) return this.embedSpecs(indices.map((i) => this.space.index!.specAt(i)));
    return this.tf.gather(this.allEmbeddings(), indices) as TF.Tensor2D;
  }

  private embedSpecs(specs: string[]): TF.Tensor2D {
    if (this.space.index && this.embeddings) return this.embedIndices(specs.map((s) => this.space.index!.indexOf(s)));
    const graphs: GraphBatch = batchGraphs(specs.map((s) => this.space.graph(s)));
    return this.net.embed(graphs, specs.map((_, k) => k));
  }

  /** Validates samples, orders the 10 references first, and returns canonical specs and latencies. */
  private checkSamples(samples: DeviceSample[], where: string): { specs: string[]; latencies: number[]; canonical: DeviceSample[] } {
    if (!Array.isArray(samples) || samples.length === 0) throw new SpecError(`${where}: "samples" must be a non-empty array`);
    const refs = this.space.references;
    const bySpec = new Map<string, number[]>();
    const canonical: DeviceSample[] = [];
    samples.forEach((s, k) => {
      if (!s || typeof s !== 'object') throw new SpecError(`${where}: sample ${k + 1} is not an object`);
      let spec: string;
      try {
        spec = this.space.canonical(s.arch);
      } catch (e) {
        throw new SpecError(`${where}: sample ${k + 1}: ${(e as Error).message}`);
      }
      const y = s.latency_ms;
      if (typeof y !== 'number' || !Number.isFinite(y) || y <= 0) {
        throw new SpecError(`${where}: sample ${k + 1}: latency_ms must be a positive finite number of milliseconds, got ${JSON.stringify(y)}`);
      }
      bySpec.set(spec, [...(bySpec.get(spec) ?? []), y]);
      canonical.push({ ...s, arch: spec });
    });
    const missing = refs.filter((r) => !bySpec.has(r));
    if (missing.length) {
      throw new SpecError(`${where}: missing ${missing.length} of the 10 reference architectures, e.g. ${missing[0]} (see: cli references --space ${this.space.name})`);
    }
    // Repeated measurements of one architecture are averaged into one sample.
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const others = [...bySpec.keys()].filter((s) => !refs.includes(s));
    const specs = [...refs, ...others];
    return { specs, latencies: specs.map((s) => avg(bySpec.get(s)!)), canonical };
  }

  /** Source rows (when the space has an index and a bank) and cost features of canonical specs. */
  private extraRows(specs: string[], needSources: boolean, needCost: boolean) {
    const index = this.space.index;
    let sources: number[][] | undefined;
    if (needSources && this.bank && index) sources = specs.map((s) => this.sourceRow(index.indexOf(s)));
    else if (needSources && this.sourceModels) sources = specs.map((s) => sourceModelRow(this.sourceModels!, this.space.additiveFeatures!(s)));
    const cost = needCost && this.space.costFeatures ? specs.map((s) => this.space.costFeatures!(s)) : undefined;
    return { sources, cost };
  }

  /** Few-shot adaptation: Meta-SGD on the samples, then the millisecond mapping chosen on the samples. */
  adapt(name: string, samples: DeviceSample[], where = 'samples'): DeviceFile {
    const tf = this.tf;
    const { specs, latencies, canonical } = this.checkSamples(samples, where);
    const emb = this.embedSpecs(specs);
    const rows = this.extraRows(specs, true, true);
    // Errors about a sample name it as the file does (its first occurrence: repeats are averaged).
    const position = new Map<string, number>();
    canonical.forEach((s, k) => position.has(s.arch) || position.set(s.arch, k));
    const describe = (i: number) => `${where}: sample ${position.get(specs[i])! + 1} (${specs[i]})`;
    const { adapted, combination, spikes } = adaptDevice(this.net, emb, latencies, rows.sources, rows.cost, { convexSources: this.space.convexSources }, { describe, references: this.space.references.length });
    tf.dispose(emb);
    const file: DeviceFile = {
      format: DEVICE_FORMAT,
      version: DEVICE_VERSION,
      space: this.space.name,
      name,
      created: new Date().toISOString(),
      weightsId: this.weightsId,
      samples: canonical,
      adaptation: {
        mean: adapted.mean,
        std: adapted.std,
        head: adapted.head.map((t) => ({ shape: t.shape, data: encodeFloat32(t.dataSync() as Float32Array) })),
        hw: { shape: adapted.hw.shape, data: encodeFloat32(adapted.hw.dataSync() as Float32Array) },
        combination,
        sourceDevices: this.sourceDevices,
        ...(spikes.length ? { spikes: spikes.map((k) => ({ arch: specs[k.sample], latency_ms: k.measuredMs, fitted_ms: k.fittedMs })) } : {}),
      },
    };
    this.net.dispose(adapted);
    return file;
  }

  /** A device by built-in name, or a DEVICE.json path. Built-in devices are adapted once, on first use. */
  resolve(nameOrFile: string): DeviceHandle {
    const hit = this.handles.get(nameOrFile);
    if (hit) return hit;
    let handle: DeviceHandle;
    const builtin = this.builtins.find((d) => d.name === nameOrFile);
    if (builtin) {
      const file = this.adapt(builtin.name, builtin.samples);
      handle = this.handleOf(file, { name: builtin.name, space: this.space.name, origin: builtin.origin, samples: builtin.samples.length });
    } else if (nameOrFile.endsWith('.json') || fs.existsSync(nameOrFile)) {
      const file = this.readDeviceFile(nameOrFile);
      handle = this.handleOf(file, { name: file.name, space: file.space, origin: 'adapted', samples: file.samples.length, created: file.created, file: nameOrFile });
    } else {
      const known = this.builtins.map((d) => d.name).join(', ');
      throw new SpecError(`unknown device "${nameOrFile}" for ${this.space.name} (built in: ${known}; or give a DEVICE.json)`);
    }
    this.handles.set(nameOrFile, handle);
    return handle;
  }

  /** A DEVICE.json checked field by field (deviceFile.ts); its adaptation, or one redone from its samples. */
  readDeviceFile(file: string): DeviceFile {
    return loadDeviceFile(this, file, this.onWarning);
  }

  /** What an adaptation by these weights looks like: the members' adapted head tensors ([1, in, out],
   *  [1, 1, out], [1, linear, 1]) in order, the hardware embeddings side by side, the bank and cost features. */
  get adaptationShape(): AdaptationShape {
    if (!this.shape) {
      const head = this.weights.members.flatMap((m) => headParamNames(m.config).map((n) => {
        const s = m.params[n].shape;
        return s.length === 1 ? [1, 1, s[0]] : [1, ...s];
      }));
      const hw = [1, this.weights.members.reduce((a, m) => a + m.config.hwHidden, 0)];
      const costFeatures = this.space.costFeatures ? this.space.costFeatures(this.space.references[0]).length : 0;
      this.shape = { head, hw, sources: this.sourceDevices.length, costFeatures, kinds: HELP_COMBINATION_KINDS };
    }
    return this.shape;
  }

  /** Milliseconds of a checked stored adaptation for canonical specs (tensors freed after). */
  predictStored(d: DeviceFile, specs: string[]): number[] {
    if (specs.length === 0) return [];
    const h = this.handleOf(d, { name: d.name, space: d.space, origin: 'adapted', samples: d.samples.length });
    try {
      return this.predict(h, specs);
    } finally {
      this.net.dispose(h.adapted!);
    }
  }

  /** A handle for a device file adapted in this process (not registered under a name). */
  open(file: DeviceFile): DeviceHandle {
    return this.handleOf(file, { name: file.name, space: file.space, origin: 'adapted', samples: file.samples.length, created: file.created });
  }

  private handleOf(file: DeviceFile, info: DeviceInfo): DeviceHandle {
    const tf = this.tf;
    const a = file.adaptation;
    const adapted: AdaptedHead = {
      head: a.head!.map((t) => tf.tensor(decodeFloat32(t.data), t.shape)),
      hw: tf.tensor2d(decodeFloat32(a.hw!.data), a.hw!.shape as [number, number]),
      mean: a.mean!,
      std: a.std!,
    };
    return { info, adapted, combination: a.combination, file };
  }

  /** Milliseconds for canonical specs on a device. */
  predict(device: DeviceHandle, specs: string[]): number[] {
    return this.predictOnDevices([device], specs)[0];
  }

  predictIndices(device: DeviceHandle, indices: number[]): number[] {
    return this.predictIndicesOnDevices([device], indices)[0];
  }

  /** Milliseconds for canonical specs on several devices; the architectures are embedded once. */
  predictOnDevices(devices: DeviceHandle[], specs: string[]): number[][] {
    if (specs.length === 0) return devices.map(() => []);
    return this.predictWith(devices, this.embedSpecs(specs), specs);
  }

  /** For spaces with an index: milliseconds for architectures by index (the whole space in one call). */
  predictIndicesOnDevices(devices: DeviceHandle[], indices: number[]): number[][] {
    const index = this.space.index;
    if (!index) throw new Error(`${this.space.name} has no architecture index`);
    if (indices.length === 0) return devices.map(() => []);
    const needsSpecs = devices.some((d) => d.combination.cost || d.combination.sources.length);
    return this.predictWith(devices, this.embedIndices(indices), needsSpecs ? indices.map((i) => index.specAt(i)) : undefined, indices);
  }

  private predictWith(devices: DeviceHandle[], emb: TF.Tensor2D, specs: string[] | undefined, indices?: number[]): number[][] {
    // Source rows and cost features only when some device's mapping reads them (most map the network alone).
    const needSources = devices.some((d) => d.combination.sources.length > 0);
    const needCost = devices.some((d) => d.combination.cost);
    let sources: number[][] | undefined;
    let cost: number[][] | undefined;
    if (specs && (needSources || needCost)) {
      ({ cost } = this.extraRows(specs, false, needCost));
      if (needSources) sources = indices && this.bank ? indices.map((i) => this.sourceRow(i)) : this.extraRows(specs, true, false).sources;
    }
    const out = devices.map((d) => {
      const f = this.net.predictNormalised(d.adapted!, emb);
      const floor = deviceLatencyFloorMs(d);
      return Array.from(f, (v, k) => atLeastFloor(combine(d.combination, v, sources?.[k], cost?.[k]), floor));
    });
    this.tf.dispose(emb);
    return out;
  }
}
