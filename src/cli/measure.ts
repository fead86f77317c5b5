// `measure` and `adapt-local`: real measurements of architectures on a device (runners in
// src/core/devices/runners, the protocol in src/core/devices/measure.ts), progress on stderr.
//   measure --space S --runner onnxruntime|command [--command TEMPLATE] [--threads N] [--graph-opt L]
//           [--timeout-s N] (--archs ARCHS.json | --references [--extra K]) --out SAMPLES.json [--name NAME]
//   adapt-local --space S [--extra K] [--threads N] --out DEVICE.json [--name NAME]
// (--space onnx and --onnx FILE: onnxSpace.ts.) Both also take the protocol flags --warmup N, --runs N and --passes MIN[-MAX].
import * as fs from 'fs';
import * as path from 'path';
import { Args } from './args';
import { neutraliseForDisplay } from '../core/text/safeText';
import { SpecError } from '../core/spaces/space';
import { getSpace } from '../core/spaces/registry';
import { LatencyPredictor } from '../core/predictor/service';
import { mappingErrorName } from '../core/predictor/combine';
import { loadPredictor } from '../core/predictor/load';
import { checkOutputPath, writeFileAtomicSync } from '../core/devices/atomic';
import { checkMeasurable } from '../core/devices/models';
import { DEFAULT_EXTRA, measureAndAdapt, measureSpecs, planArchitectures, samplesPathFor, samplesRecord, saveAdapted } from '../core/devices/local';
import type { MeasureResult } from '../core/devices/measure';
import { describeSpike } from '../core/predictor/adaptDevice';
import { adaptLocalOnnx, measureOnnx, measureOnnxSpace } from './onnxSpace';
import { describeRunner as describe, progressPrinter, protocolFrom, RUNNER_FLAGS, runnerFrom, withCancellation } from './protocolArgs';

function readArchs(file: string): unknown[] {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SpecError(err.code ? `cannot read architectures file ${file}: ${err.code}` : `${file}: not valid JSON (${err.message.split('\n')[0]})`);
  }
  if (!Array.isArray(v) || v.length === 0) throw new SpecError(`${file}: expected a non-empty JSON array of SPECs`);
  return v;
}

/** Before measuring for minutes: the output is not a folder and its folder exists. */
function checkOutDir(out: string): void {
  checkOutputPath(out);
}

function reportWarnings(r: MeasureResult): void {
  for (const w of r.warnings) process.stderr.write(`warning: ${neutraliseForDisplay(w)}\n`);
}

export async function measureCommand(args: Args): Promise<void> {
  if (args.has('onnx')) return measureOnnx(args);
  if (args.str('space') === 'onnx') return measureOnnxSpace(args);
  args.only(['space', 'archs', 'references', 'extra', 'out', 'name', 'weights', ...RUNNER_FLAGS]);
  const space = checkMeasurable(getSpace(args.required('space')).name);
  const out = args.required('out');
  checkOutDir(out);
  const runner = runnerFrom(args);
  const protocol = protocolFrom(args);
  const references = args.has('references');
  if (!references && args.has('extra')) throw new SpecError('--extra goes with --references');
  if (!references && !args.has('archs')) throw new SpecError('give --archs ARCHS.json or --references [--extra K]');
  const archs = args.has('archs') ? readArchs(args.required('archs')) : [];
  const extra = args.int('extra', DEFAULT_EXTRA, 0);
  // The predictor only to choose the extra architectures.
  const predictor = references && extra > 0 ? ((await loadPredictor(space, args.str('weights'))) as LatencyPredictor) : undefined;
  const plan = planArchitectures(space, { references, extra, archs }, predictor);
  const name = args.str('name') ?? (runner.kind === 'onnxruntime' ? 'this machine' : path.basename(out).replace(/(\.samples)?\.json$/i, ''));
  const ui = progressPrinter();
  ui.phase(`measuring ${plan.specs.length} ${space} architectures with ${describe(runner)}`);
  const started = new Date();
  const result = await withCancellation((signal) => measureSpecs(space, plan.specs, runner, { protocol, signal, onProgress: ui.progress, required: plan.required }));
  ui.done();
  reportWarnings(result);
  if (result.samples.length === 0) throw new Error('no architecture could be measured');
  writeFileAtomicSync(out, JSON.stringify(samplesRecord(space, name, runner, result, started), null, 1) + '\n');
  process.stderr.write(`measured ${result.samples.length} of ${plan.specs.length} architectures in ${result.seconds.toFixed(1)} s (${result.visits} batches) -> ${neutraliseForDisplay(out)}\n`);
}

export async function adaptLocalCommand(args: Args): Promise<void> {
  if (args.str('space') === 'onnx') return adaptLocalOnnx(args);
  args.only(['space', 'extra', 'out', 'name', 'weights', ...RUNNER_FLAGS]);
  const space = checkMeasurable(getSpace(args.required('space')).name);
  const out = args.required('out');
  checkOutDir(out);
  const runner = runnerFrom(args);
  const protocol = protocolFrom(args);
  const extra = args.int('extra', DEFAULT_EXTRA, 0);
  const name = args.str('name') ?? (runner.kind === 'onnxruntime' ? 'this machine' : path.basename(out, '.json'));
  const t0 = Date.now();
  const predictor = (await loadPredictor(space, args.str('weights'))) as LatencyPredictor;
  const ui = progressPrinter();
  ui.phase(`adapting "${name}" to ${space}: measuring the 10 references and ${extra} more with ${describe(runner)}`);
  const r = await withCancellation((signal) => measureAndAdapt({ predictor, name, runner, extra, protocol, signal, onProgress: ui.progress, onPhase: ui.phase.bind(ui) }));
  ui.done();
  reportWarnings(r.result);
  for (const k of r.device.adaptation.spikes ?? []) process.stderr.write(`warning: ${neutraliseForDisplay(describeSpike(k))}\n`);
  const saved = saveAdapted(out, r.device, r.record);
  const c = r.device.adaptation.combination;
  process.stderr.write(
    neutraliseForDisplay(`adapted "${name}" from ${r.device.samples.length} measurements in ${((Date.now() - t0) / 1000).toFixed(1)} s (measuring ${r.result.seconds.toFixed(1)} s, ${r.result.visits} batches; mapping ${c.kind}, ${mappingErrorName(c)} RMSE ${Math.sqrt(c.looMse).toFixed(3)} ms) -> ${saved.device} (raw samples: ${path.basename(samplesPathFor(out))})`) + '\n',
  );
}
