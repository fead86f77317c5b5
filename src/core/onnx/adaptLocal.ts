// Adapting the `onnx` space to a runner: measure the reference models (and optional shots), fit a device.
// Shared by the CLI (adapt-local / measure / adapt --space onnx) and the worker ("HELP: Adapt to this machine",
// "HELP: Measure on device..."), with any runner (onnxruntime, command).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SpecError } from '../spaces/space';
import { measureArchitectures, MeasureProgress, MeasureResult, ProtocolOptions } from '../devices/measure';
import { Runner } from '../devices/runners/runner';
import { ONNX_REFERENCES, ONNX_REFERENCES_VERSION } from './referenceModels';
import { adaptOnnxDevice, modelCosts, ONNX_DEVICE_FORMAT, OnnxDevice, OnnxSample, validateOnnxDevice } from './latency';
import { readOnnxBytes } from './reader';
import { MAX_DEVICE_FILE_BYTES } from '../predictor/deviceFile';
import { neutraliseForDisplay } from '../text/safeText';
import { commandModelFile } from './fixInputs';
import type { InputShapes } from './inputShapes';

export interface OnnxShot {
  file: string;
  features: number[];
  /** The runner that feeds this shot's dynamic dims. */
  runner: Runner;
  /** The shapes chosen for its open input dims (a command runner gets a copy with them fixed). */
  inputShapes?: InputShapes;
}

export interface AdaptOnnxOptions {
  name: string;
  /** Any runner: onnxruntime on this machine, or a device command. */
  runner: Runner;
  shots?: OnnxShot[];
  protocol?: Partial<ProtocolOptions>;
  signal?: AbortSignal;
  onProgress?: (p: MeasureProgress) => void;
  onFailure?: (arch: string, message: string) => void;
}

export interface AdaptOnnxResult {
  device: OnnxDevice;
  warnings: string[];
  seconds: number;
}

type Common = Pick<AdaptOnnxOptions, 'protocol' | 'signal' | 'onProgress' | 'onFailure'>;

/** The reference models' features (the same for every device). */
function referenceFeatures(): Map<string, number[]> {
  return new Map(ONNX_REFERENCES.map((r) => [r.name, modelCosts(readOnnxBytes(r.write())).features]));
}

/** Measures the onnx reference models with a runner (written to a private temporary folder, removed after);
 *  every one of them is required. */
export async function measureOnnxReferences(runner: Runner, o: Common = {}): Promise<MeasureResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-onnx-refs-'));
  try {
    const items = ONNX_REFERENCES.map((r) => ({
      arch: r.name,
      model: () => {
        const f = path.join(dir, `${r.name}.onnx`);
        if (!fs.existsSync(f)) fs.writeFileSync(f, r.write());
        return f;
      },
    }));
    return await measureArchitectures(runner, items, { ...o, required: ONNX_REFERENCES.map((r) => r.name) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures the reference models and the shots with their runners, then fits. A shot measured by a command
 *  runner is handed a copy with its open input dims fixed (fixInputs.ts), in a private folder removed after. */
export async function adaptOnnxLocal(o: AdaptOnnxOptions): Promise<AdaptOnnxResult> {
  const t0 = Date.now();
  const warnings: string[] = [];
  const common: Common = { protocol: o.protocol, signal: o.signal, onProgress: o.onProgress, onFailure: o.onFailure };
  const result = await measureOnnxReferences(o.runner, common);
  warnings.push(...result.warnings);
  const features = referenceFeatures();
  const byName = new Map(result.samples.map((s) => [s.arch, s.latency_ms]));
  const samples: OnnxSample[] = ONNX_REFERENCES.map((r) => ({ arch: r.name, latency_ms: byName.get(r.name)!, features: features.get(r.name)!, reference: true }));
  const shots = o.shots ?? [];
  const dir = shots.some((s) => s.runner.kind === 'command') ? fs.mkdtempSync(path.join(os.tmpdir(), 'help-onnx-shots-')) : undefined;
  try {
    for (const [k, shot] of shots.entries()) {
      let file = path.resolve(shot.file);
      if (shot.runner.kind === 'command') {
        const c = commandModelFile(file, dir!, shot.inputShapes ?? {});
        file = c.file;
        warnings.push(...c.notes.map((n) => `${shot.file}: ${n}`));
      }
      const r = await measureArchitectures(shot.runner, [{ arch: `shot ${k + 1}`, model: () => file }], { ...common, required: [`shot ${k + 1}`] });
      warnings.push(...r.warnings);
      samples.push({ arch: shot.file, latency_ms: r.samples[0].latency_ms, features: shot.features, reference: false });
    }
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  const device = fitOnnxDevice(o.name, samples, warnings);
  return { device, warnings, seconds: (Date.now() - t0) / 1000 };
}

function fitOnnxDevice(name: string, samples: OnnxSample[], warnings: string[]): OnnxDevice {
  const device = adaptOnnxDevice(name, samples, ONNX_REFERENCES_VERSION);
  for (const s of device.spikes) warnings.push(`${s.arch} measured ${s.latency_ms.toFixed(3)} ms, far above the ${s.fitted_ms.toFixed(3)} ms the other samples give it: left out as a measurement spike`);
  return device;
}

/**
 * An onnx device from a SAMPLES.json (`measure --space onnx` writes one): every reference model once, with
 * a positive latency; named `name`, else the file's "device", else `fallbackName`. Bad samples are a SpecError naming the file and the field.
 */
export function adaptOnnxFromSamples(file: string, value: unknown, name: string | undefined, fallbackName: string): { device: OnnxDevice; warnings: string[] } {
  const where = neutraliseForDisplay(file);
  const fail = (field: string, problem: string): never => {
    throw new SpecError(`${where}: ${field}: ${neutraliseForDisplay(problem)}`);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('samples file', 'expected {"space": "onnx", "device", "samples": [...]}');
  const v = value as Record<string, unknown>;
  if (v.format !== undefined) fail('format', `${JSON.stringify(String(v.format).slice(0, 40))}: a device file, not measured samples (measure --space onnx --out SAMPLES.json writes those)`);
  if (v.space !== undefined && v.space !== 'onnx') fail('space', `the samples are for space ${JSON.stringify(String(v.space).slice(0, 40))}, not onnx`);
  if (v.referencesVersion !== undefined && v.referencesVersion !== ONNX_REFERENCES_VERSION) {
    fail('referencesVersion', `measured on version ${JSON.stringify(v.referencesVersion)} of the reference models, this build has version ${ONNX_REFERENCES_VERSION}: measure again`);
  }
  if (!Array.isArray(v.samples)) fail('samples', 'expected a list of {"arch", "latency_ms"}');
  const list = v.samples as unknown[];
  if (list.length > 10 * ONNX_REFERENCES.length) fail('samples', `${list.length} entries; the onnx space has ${ONNX_REFERENCES.length} reference models`);
  const features = referenceFeatures();
  const seen = new Map<string, number>();
  list.forEach((s, i) => {
    const r = s as Record<string, unknown> | null;
    if (!r || typeof r !== 'object' || Array.isArray(r)) return fail(`samples[${i}]`, 'expected {"arch", "latency_ms"}');
    if (typeof r.arch !== 'string') return fail(`samples[${i}].arch`, 'expected the name of a reference model');
    if (!features.has(r.arch)) return fail(`samples[${i}].arch`, `${JSON.stringify(r.arch.slice(0, 60))} is not an onnx reference model (they are ${ONNX_REFERENCES.map((x) => x.name).join(', ')})`);
    if (seen.has(r.arch)) return fail(`samples[${i}].arch`, `${r.arch} is given twice`);
    if (typeof r.latency_ms !== 'number' || !(r.latency_ms > 0) || !Number.isFinite(r.latency_ms)) return fail(`samples[${i}].latency_ms`, `expected a positive number of ms, got ${JSON.stringify(r.latency_ms)?.slice(0, 40)}`);
    seen.set(r.arch, r.latency_ms);
  });
  const missing = ONNX_REFERENCES.filter((r) => !seen.has(r.name)).map((r) => r.name);
  if (missing.length) fail('samples', `no latency of the reference model${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (measure --space onnx measures all ${ONNX_REFERENCES.length})`);
  const deviceName = name ?? (typeof v.device === 'string' && v.device.trim() ? v.device.trim().slice(0, 256) : fallbackName);
  const warnings: string[] = [];
  const samples: OnnxSample[] = ONNX_REFERENCES.map((r) => ({ arch: r.name, latency_ms: seen.get(r.name)!, features: features.get(r.name)!, reference: true }));
  return { device: fitOnnxDevice(deviceName, samples, warnings), warnings };
}

/** Reads a DEVICE.json of the onnx space, or undefined when the file is a device of another space. */
export function readOnnxDeviceFile(file: string): OnnxDevice | undefined {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new SpecError(`${file}: not a file`);
    if (st.size > MAX_DEVICE_FILE_BYTES) throw new SpecError(`${file}: ${st.size} bytes, too large for a device file`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new SpecError(`cannot read device file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const d = v as { format?: unknown; space?: unknown } | null;
  if (!d || typeof d !== 'object' || (d.format !== ONNX_DEVICE_FORMAT && d.space !== 'onnx')) return undefined;
  return validateOnnxDevice(v, file);
}
