// Measuring a device and adapting the predictor to it, end to end (the CLI's measure / adapt-local and the
// worker's adaptLocal / measure share this): which architectures, the measurement (measure.ts) over ONNX
// files written for them (models.ts), the SAMPLES.json record, the adaptation, and the atomic save of the
// device file with its raw samples beside it.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DeviceFile, LatencyPredictor, SamplesFile } from '../predictor/service';
import { MAX_DEVICE_FILE_BYTES, readRegularFile, samplesPathFor, sha256Hex } from '../predictor/deviceFile';
import { neutraliseForDisplay } from '../text/safeText';
import { getSpace } from '../spaces/registry';
import { SpecError } from '../spaces/space';
import { writeFileAtomicSync } from './atomic';
import { chooseExtraArchitectures } from './choose';
import { measureArchitectures, MeasureProgress, MeasureResult, ProtocolOptions } from './measure';
import { checkMeasurable, ModelFiles } from './models';
import { CancelledError, MeasurementError, Runner, throwIfAborted } from './runners/runner';

export const DEFAULT_EXTRA = 10;

/** SAMPLES.json as `measure` writes it: the core format plus how it was measured. */
export interface SamplesRecord extends SamplesFile {
  samples: { arch: string; latency_ms: number; spread: number; median_ms?: number; minima?: number[]; noisy?: boolean }[];
  measurement: {
    runner: Record<string, unknown>;
    protocol: ProtocolOptions;
    started: string;
    seconds: number;
    /** Load average (1 min) seen while measuring on this machine. */
    loadavg?: number[];
    dropped: { arch: string; reason: string }[];
    warnings: string[];
  };
}

export interface PlanOptions {
  /** Measure the space's 10 reference architectures (+ `extra` chosen ones). */
  references: boolean;
  extra?: number;
  /** Further architectures (any spec form of the space). */
  archs?: unknown[];
}

/** The canonical specs to measure, references first, and the ones that must not be dropped. */
export function planArchitectures(space: string, o: PlanOptions, predictor?: LatencyPredictor): { specs: string[]; required: string[] } {
  const sp = getSpace(space);
  const listed = (o.archs ?? []).map((a, k) => {
    try {
      return sp.canonical(a);
    } catch (e) {
      throw new SpecError(`architecture ${k + 1}: ${(e as Error).message.split('\n')[0]}`);
    }
  });
  const refs = o.references ? sp.references : [];
  let extra: string[] = [];
  if (o.references && (o.extra ?? DEFAULT_EXTRA) > 0) {
    if (!predictor) throw new Error('choosing extra architectures needs the predictor');
    extra = chooseExtraArchitectures(predictor, o.extra ?? DEFAULT_EXTRA, { exclude: listed });
  }
  const specs = [...new Set([...refs, ...listed, ...extra])];
  if (specs.length === 0) throw new SpecError('nothing to measure: give --archs ARCHS.json or --references');
  return { specs, required: refs };
}

export interface RunOptions {
  protocol?: Partial<ProtocolOptions>;
  signal?: AbortSignal;
  onProgress?(p: MeasureProgress): void;
  onFailure?(arch: string, message: string): void;
  required?: string[];
}

/** Measures canonical specs of a space with a runner (ONNX files in a temporary folder, removed after).
 *  On this machine (onnxruntime), the load average is watched: a machine busier than its cores throughout
 *  slows even the fastest runs down, and the result then says so. */
export async function measureSpecs(space: string, specs: string[], runner: Runner, o: RunOptions = {}): Promise<MeasureResult & { load?: number[] }> {
  const files = new ModelFiles(checkMeasurable(space));
  const local = runner.kind === 'onnxruntime' && os.loadavg()[0] > 0;
  const load: number[] = [];
  const watch = local ? setInterval(() => load.push(os.loadavg()[0]), 5000) : undefined;
  watch?.unref();
  if (local) load.push(os.loadavg()[0]);
  try {
    const r = await measureArchitectures(runner, files.items(specs), { protocol: o.protocol, signal: o.signal, onProgress: o.onProgress, onFailure: o.onFailure, required: o.required });
    if (!local) return r;
    load.push(os.loadavg()[0]);
    const cpus = os.cpus().length;
    const busy = load.filter((l) => l > cpus + 0.5).length;
    // Our own measurement accounts for about 1 of the load.
    if (busy > load.length / 2) r.warnings.push(`the machine was busy while measuring (load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} on ${cpus} CPUs): latencies may read high; measure again when it is idle`);
    return { ...r, load: load.map((l) => Math.round(l * 100) / 100) };
  } finally {
    if (watch) clearInterval(watch);
    files.dispose();
  }
}

export function samplesRecord(space: string, device: string, runner: Runner, r: MeasureResult & { load?: number[] }, started: Date): SamplesRecord {
  return {
    space,
    device,
    samples: r.samples.map((s) => ({ arch: s.arch, latency_ms: s.latency_ms, spread: s.spread, median_ms: s.median_ms, minima: s.minima, ...(s.noisy ? { noisy: true } : {}) })),
    measurement: {
      runner: runner.settings,
      protocol: r.protocol,
      started: started.toISOString(),
      seconds: Math.round(r.seconds * 10) / 10,
      ...(r.load ? { loadavg: r.load } : {}),
      dropped: r.dropped,
      warnings: r.warnings,
    },
  };
}

/** "7 of 20 · pass 2 · |nor_conv_3x3~0|+|…| · 12 s" */
export function progressText(p: MeasureProgress, archWidth = 48): string {
  const arch = p.arch.length > archWidth ? p.arch.slice(0, archWidth - 1) + '…' : p.arch;
  const n = p.visit <= p.planned ? `${p.visit} of ${p.planned}` : `re-measuring noisy or failed (${p.visit - p.planned} extra)`;
  return `${n} · pass ${p.pass} · ${arch} · ${Math.round(p.elapsedMs / 1000)} s`;
}

export interface AdaptLocalOptions {
  predictor: LatencyPredictor;
  name: string;
  runner: Runner;
  extra?: number;
  /** Architectures to measure as well (e.g. the one being edited). */
  archs?: unknown[];
  protocol?: Partial<ProtocolOptions>;
  signal?: AbortSignal;
  onProgress?(p: MeasureProgress): void;
  /** Every failed visit (see measure.ts). */
  onFailure?(arch: string, message: string): void;
  /** Phases: "choosing ...", "adapting ...". */
  onPhase?(message: string): void;
}

export interface AdaptLocalResult {
  device: DeviceFile;
  record: SamplesRecord;
  result: MeasureResult;
}

/** Measures the references + `extra` chosen architectures with the runner and adapts to them. Nothing is
 *  written here (see saveAdapted); a cancellation throws CancelledError. */
export async function measureAndAdapt(o: AdaptLocalOptions): Promise<AdaptLocalResult> {
  const space = checkMeasurable(o.predictor.space.name);
  const started = new Date();
  o.onPhase?.(`choosing ${o.extra ?? DEFAULT_EXTRA} architectures besides the 10 references`);
  const plan = planArchitectures(space, { references: true, extra: o.extra ?? DEFAULT_EXTRA, archs: o.archs }, o.predictor);
  throwIfAborted(o.signal);
  const result = await measureSpecs(space, plan.specs, o.runner, { protocol: o.protocol, signal: o.signal, onProgress: o.onProgress, onFailure: o.onFailure, required: plan.required });
  throwIfAborted(o.signal);
  if (result.samples.length < plan.required.length) throw new MeasurementError('too few architectures could be measured to adapt');
  o.onPhase?.(`adapting to ${result.samples.length} measurements`);
  const record = samplesRecord(space, o.name, o.runner, result, started);
  const device = o.predictor.adapt(
    o.name,
    record.samples.map((s) => ({ arch: s.arch, latency_ms: s.latency_ms, spread: s.spread })),
    'measurements',
  );
  if (o.signal?.aborted) throw new CancelledError();
  return { device, record, result };
}

export { samplesPathFor };

/** The readable part of a device's file name: the name with anything but letters, digits and . @ + - as
 *  dashes (one pass; at most 64 characters). */
function slugOf(name: string): string {
  let out = '';
  let dash = false;
  for (const c of name.trim().slice(0, 256)) {
    if (/^[\w.@+-]$/.test(c)) {
      out += c;
      dash = false;
    } else if (!dash) {
      out += '-';
      dash = true;
    }
  }
  let start = 0;
  let end = out.length;
  while (start < end && (out[start] === '-' || out[start] === '.')) start++;
  while (end > start && (out[end - 1] === '-' || out[end - 1] === '.')) end--;
  return out.slice(start, end).slice(0, 64) || 'device';
}

/** The name stored in a device file, or undefined when it is not a readable device file. */
function storedName(file: string): { name: unknown; space: unknown } | undefined {
  try {
    const d = JSON.parse(readRegularFile(file, 'device file', MAX_DEVICE_FILE_BYTES).toString('utf8'));
    return d && typeof d === 'object' ? { name: d.name, space: d.space } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file of an adapted device in a folder: `<slug>-<hash>.<space>.json`, the hash (48 bits of SHA-256 of
 * the exact name) keeping names that slug alike ("a b", "a-b", "A-B" on a case-insensitive disk) apart.
 * A device saved before the hash, as `<slug>.<space>.json`, keeps its file when it holds this exact name;
 * a file that holds another device (two names with one hash) is refused rather than overwritten.
 */
export function deviceFileIn(dir: string, space: string, name: string): string {
  const slug = slugOf(name);
  const legacy = path.join(dir, `${slug}.${space}.json`);
  if (fs.existsSync(legacy)) {
    const held = storedName(legacy);
    if (held && held.name === name && held.space === space) return legacy;
  }
  const hash = crypto.createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 12);
  const file = path.join(dir, `${slug}-${hash}.${space}.json`);
  const held = fs.existsSync(file) ? storedName(file) : undefined;
  if (held && (held.name !== name || held.space !== space)) {
    throw new SpecError(`${neutraliseForDisplay(file)} holds the device ${neutraliseForDisplay(JSON.stringify(String(held.name)))}: not overwriting it with ${neutraliseForDisplay(JSON.stringify(name))}`);
  }
  return file;
}

/**
 * Saves the raw samples, then the device file (the one readers look for), each atomically; the device file
 * records the SHA-256 of the samples it was saved with, so that a kill between the two renames (new samples
 * beside the old device) is recognised when it is read (deviceFile.ts adapts from the newer samples).
 */
export function saveAdapted(deviceFile: string, device: DeviceFile, record: SamplesRecord): { device: string; samples: string } {
  const samples = samplesPathFor(deviceFile);
  const samplesText = JSON.stringify(record, null, 1) + '\n';
  writeFileAtomicSync(samples, samplesText);
  writeFileAtomicSync(deviceFile, JSON.stringify({ ...device, samplesSha256: sha256Hex(samplesText) }, null, 1) + '\n');
  return { device: deviceFile, samples };
}
