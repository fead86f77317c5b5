// Adapting the `onnx` space to a runner: measure the reference models (and optional shots), fit a device.
// Shared by the CLI (adapt-local --space onnx) and the worker ("HELP: Adapt to this machine").
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SpecError } from '../spaces/space';
import { measureArchitectures, MeasureProgress, ProtocolOptions } from '../devices/measure';
import { Runner } from '../devices/runners/runner';
import { ONNX_REFERENCES, ONNX_REFERENCES_VERSION } from './referenceModels';
import { adaptOnnxDevice, modelCosts, ONNX_DEVICE_FORMAT, OnnxDevice, OnnxSample, validateOnnxDevice } from './latency';
import { readOnnxBytes } from './reader';
import { MAX_DEVICE_FILE_BYTES } from '../predictor/deviceFile';

export interface OnnxShot {
  file: string;
  features: number[];
  /** The runner that feeds this shot's dynamic dims. */
  runner: Runner;
}

export interface AdaptOnnxOptions {
  name: string;
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

/** Measures the reference models (written to a private temporary folder) and the shots, then fits. */
export async function adaptOnnxLocal(o: AdaptOnnxOptions): Promise<AdaptOnnxResult> {
  const t0 = Date.now();
  const warnings: string[] = [];
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
    const common = { protocol: o.protocol, signal: o.signal, onProgress: o.onProgress, onFailure: o.onFailure };
    const result = await measureArchitectures(o.runner, items, { ...common, required: ONNX_REFERENCES.map((r) => r.name) });
    warnings.push(...result.warnings);
    const byName = new Map(result.samples.map((s) => [s.arch, s.latency_ms]));
    const samples: OnnxSample[] = ONNX_REFERENCES.map((r) => ({ arch: r.name, latency_ms: byName.get(r.name)!, features: modelCosts(readOnnxBytes(r.write())).features, reference: true }));
    for (const [k, shot] of (o.shots ?? []).entries()) {
      const r = await measureArchitectures(shot.runner, [{ arch: `shot ${k + 1}`, model: () => path.resolve(shot.file) }], { ...common, required: [`shot ${k + 1}`] });
      warnings.push(...r.warnings);
      samples.push({ arch: shot.file, latency_ms: r.samples[0].latency_ms, features: shot.features, reference: false });
    }
    const device = adaptOnnxDevice(o.name, samples, ONNX_REFERENCES_VERSION);
    for (const s of device.spikes) warnings.push(`${s.arch} measured ${s.latency_ms.toFixed(3)} ms, far above the ${s.fitted_ms.toFixed(3)} ms the other samples give it: left out as a measurement spike`);
    return { device, warnings, seconds: (Date.now() - t0) / 1000 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
