// The `onnx` space in the worker: "HELP: Adapt to this machine" for any ONNX model (measure the reference
// models, fit, save `<slug>-<hash>.onnx.json` beside the NAS spaces' adapted devices), and the latency of any
// model on every adapted onnx device with its breakdown (the ONNX viewer, the explorer decorations).
import * as fs from 'fs';
import * as path from 'path';
import { adaptOnnxLocal, readOnnxDeviceFile } from '../../core/onnx/adaptLocal';
import { modelCosts, OnnxDevice, predictCosts } from '../../core/onnx/latency';
import { readOnnxFile } from '../../core/onnx/reader';
import { checkInputShapesValue } from '../../core/onnx/inputShapes';
import type { OnnxModel } from '../../core/onnx/reader';
import { deviceFileIn, progressText } from '../../core/devices/local';
import { writeFileAtomicSync } from '../../core/devices/atomic';
import { CancelledError, MeasurementError, Runner } from '../../core/devices/runners/runner';
import type { AdaptResult, DeviceInfo, OnnxLatencyParams, OnnxLatencyResult } from '../protocol';
import { Ctx, optionalInt, WorkerError } from '../context';
import { adaptedDir } from '../predictors';

/** "HELP: Adapt to this machine" (onnxruntime) and "HELP: Measure on device..." (a help.devices entry's
 *  runner, a command included) for the onnx space: the reference models measured, the device fitted and
 *  saved atomically as `<slug>-<hash>.onnx.json`; a cancelled or failed run leaves any previous file as it was. */
export async function adaptOnnxWith(ctx: Ctx, o: { name: string; runner: Runner; outDir: string }): Promise<AdaptResult> {
  const { name, runner } = o;
  const file = deviceFileIn(o.outDir, 'onnx', name);
  const started = Date.now();
  ctx.progress({ message: 'measuring the onnx reference models' });
  try {
    const r = await adaptOnnxLocal({
      name,
      runner,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ message: progressText(p, 40), increment: !p.waiting && p.visit <= p.planned ? 90 / p.planned : 0 }),
      onFailure: (arch, message) => ctx.progress({ log: `measurement of ${arch} failed: ${message}` }),
    });
    if (ctx.signal.aborted) throw new CancelledError();
    writeFileAtomicSync(file, JSON.stringify(r.device, null, 1) + '\n');
    ctx.progress({ message: 'saved', increment: 10 });
    return {
      space: 'onnx',
      name,
      file,
      // The onnx device file holds its own samples.
      samplesFile: file,
      samples: r.device.samples.length,
      dropped: [],
      warnings: r.warnings,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      looRmseMs: NaN,
      errorBand: r.device.errorBand,
    };
  } catch (e) {
    if (e instanceof CancelledError) throw new WorkerError('cancelled', 'cancelled');
    if (e instanceof MeasurementError) throw new WorkerError('failed', e.message);
    throw e;
  }
}

/** The adapted onnx devices as the device lists show them: by file name, the first the primary one (the one
 *  the explorer's badge and the viewer put first, see onnxLatency). */
export function onnxDeviceInfos(): DeviceInfo[] {
  return adaptedOnnxDevices().map(({ file, device }) => ({ name: device.name, space: 'onnx', origin: 'adapted', samples: device.samples.length, created: device.created, file, errorBand: device.errorBand }));
}

// ---- adapted onnx devices: `*.onnx.json` in the adapted folder, read again when a file changes ----

const MAX_ONNX_DEVICES = 64;
const deviceCache = new Map<string, { key: string; device: OnnxDevice }>();

export function adaptedOnnxDevices(): { file: string; device: OnnxDevice }[] {
  const dir = adaptedDir();
  if (!dir || !fs.existsSync(dir)) return [];
  const out: { file: string; device: OnnxDevice }[] = [];
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx.json')).sort();
  for (const f of names.slice(0, MAX_ONNX_DEVICES)) {
    const file = path.join(dir, f);
    try {
      const st = fs.statSync(file);
      const key = `${st.mtimeMs}:${st.size}`;
      let c = deviceCache.get(file);
      if (!c || c.key !== key) {
        const device = readOnnxDeviceFile(file);
        if (!device) continue;
        c = { key, device };
        deviceCache.set(file, c);
      }
      out.push({ file, device: c.device });
    } catch (e) {
      process.stderr.write(`HELP worker: skipping ${file}: ${(e as Error).message.split('\n')[0]}\n`);
    }
  }
  return out;
}

/** The help.inputShapes entry's shapes this model can take: names it has, of its rank; dims the model
 *  fixes are kept (the setting fills symbolic ones). */
export function knownInputShapes(model: OnnxModel, inputShapes: Record<string, number[]>): Record<string, number[]> {
  const known: Record<string, number[]> = {};
  for (const i of model.inputs) {
    const given = Object.prototype.hasOwnProperty.call(inputShapes, i.name) ? inputShapes[i.name] : undefined;
    if (given && (!i.shape || i.shape.length === given.length)) known[i.name] = given.map((d, k) => (typeof i.shape?.[k] === 'number' && (i.shape[k] as number) >= 0 ? (i.shape[k] as number) : d));
  }
  return known;
}

/** Any .onnx file's predicted latency on every adapted onnx device, with where the time goes. */
export async function onnxLatency(params: OnnxLatencyParams, ctx: Ctx): Promise<OnnxLatencyResult> {
  if (typeof params.path !== 'string' || params.path === '') throw new WorkerError('bad-request', '"path" must be an .onnx file path');
  const inputShapes = params.inputShapes === undefined ? {} : checkInputShapesValue(params.inputShapes, 'help.inputShapes');
  const top = optionalInt(params.top, 'top', 0, 50) ?? 10;
  const devices = adaptedOnnxDevices();
  if (devices.length === 0) return { devices: [], notes: [] };
  const model = readOnnxFile(params.path);
  await ctx.checkpoint();
  const costs = modelCosts(model, { inputShapes: knownInputShapes(model, inputShapes) });
  await ctx.checkpoint();
  return {
    devices: devices.map(({ file, device }) => {
      const p = predictCosts(device, costs, top);
      return { name: device.name, file, ms: p.ms, errorBand: p.errorBand, byClass: p.byClass as Record<string, number>, top: p.top, ...(p.branchRange ? { branchRange: { low: p.branchRange.low, high: p.branchRange.high } } : {}) };
    }),
    notes: costs.notes.slice(0, 20),
  };
}
