// `node dist/cli.js <command>`: the headless face of the same core the extension uses.
// Bad input (unknown space or device, malformed spec or samples, unreadable files) exits with code 2
// and one line on stderr; stdout carries only results, so `--json` output can be piped.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Args, parseArgs } from './args';
import { COMMAND_HELP, commandHelpText, globalUsage } from './help';
import { neutraliseForDisplay } from '../core/text/safeText';
import { version as PACKAGE_VERSION } from '../../package.json';
import { SpecError } from '../core/spaces/space';
import { getSpace, SPACE_NAMES } from '../core/spaces/registry';
import { loadTf } from '../core/predictor/tf';
import { DeviceHandle, LatencyPredictor, SamplesFile, weightsPaths } from '../core/predictor/service';
import { deviceLatencyFloorMs, mappingErrorName } from '../core/predictor/combine';
import { describeSpike } from '../core/predictor/adaptDevice';
import { specCaveats } from '../core/spaces/caveats';
import { MemberWeights, WeightsFile, WEIGHTS_FORMAT, WEIGHTS_VERSION, writeFileAtomic } from '../core/predictor/weights';
import { DEFAULT_CONFIG, HelpConfig } from '../core/predictor/model';
import { fork } from 'child_process';
import { loadPredictor, SpacePredictor } from '../core/predictor/load';
import { nasCommand } from './nas';
import { inspectCommand } from './inspect';
import { parseInputShapeArgs } from '../core/onnx/inputShapes';
import { specsCommand } from './specs';
import { scanCommand } from './scan';
import { readOnnxFile } from '../core/onnx/reader';
import { recogniseOnnx } from '../core/onnx/recognise';
import { adaptLocalCommand, measureCommand } from './measure';
import { adaptOnnxSamples, isOnnxPredict, predictOnnx } from './onnxSpace';
import { ONNX_DEVICE_FORMAT, validateOnnxDevice } from '../core/onnx/latency';
import { MAX_DEVICE_FILE_BYTES, readRegularFile } from '../core/predictor/deviceFile';
import { checkOutputPath } from '../core/devices/atomic';

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SpecError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

async function predictorFor(args: Args): Promise<SpacePredictor> {
  return loadPredictor(getSpace(args.required('space')).name, args.str('weights'));
}

async function helpPredictorFor(args: Args): Promise<LatencyPredictor> {
  const space = getSpace(args.required('space'));
  if (space.predictor !== 'help') throw new Error(`${space.name} has no HELP network`);
  return LatencyPredictor.load(await loadTf(), space.name, args.str('weights'));
}

function fmtMs(v: number): string {
  // Below 0.01 ms two decimals would print "0.00": two significant digits instead.
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.01 ? v.toFixed(2) : v.toPrecision(2);
}

async function cmdReferences(args: Args) {
  args.only(['space', 'json']);
  const space = getSpace(args.required('space'));
  const specs = space.references;
  if (args.has('json')) process.stdout.write(JSON.stringify(specs) + '\n');
  else process.stdout.write(specs.join('\n') + '\n');
}

async function cmdAdapt(args: Args) {
  if (args.str('space') === 'onnx') return adaptOnnxSamples(args);
  args.only(['space', 'samples', 'out', 'name', 'weights']);
  const samplesPath = args.required('samples');
  const out = args.required('out');
  checkOutputPath(out);
  const space = getSpace(args.required('space'));
  const s = readJsonFile(samplesPath, 'samples file') as SamplesFile;
  if (!s || typeof s !== 'object' || !Array.isArray(s.samples)) throw new SpecError(`${samplesPath}: expected {"space", "device", "samples": [...]}`);
  if (s.space !== undefined && s.space !== space.name) throw new SpecError(`${samplesPath}: samples are for space "${s.space}", not ${space.name}`);
  const name = args.str('name') ?? (typeof s.device === 'string' && s.device ? s.device : path.basename(out, '.json'));
  const predictor = await predictorFor(args);
  const t0 = Date.now();
  const device = predictor.adapt(name, s.samples, samplesPath);
  const ms = Date.now() - t0;
  writeFileAtomic(out, JSON.stringify(device, null, 1) + '\n');
  const c = device.adaptation.combination;
  const src = c.sources.map((j) => device.adaptation.sourceDevices[j]).join('+');
  for (const k of device.adaptation.spikes ?? []) {
    process.stderr.write(neutraliseForDisplay(`${samplesPath}: ${describeSpike(k)}`) + '\n');
  }
  process.stderr.write(`adapted "${neutraliseForDisplay(name)}" from ${device.samples.length} samples in ${ms} ms (mapping: ${c.kind}${src ? ' ' + (c.sources.length > 3 ? `${c.sources.length} sources` : src) : ''}, ${mappingErrorName(c)} RMSE ${Math.sqrt(c.looMse).toFixed(3)} ms) -> ${neutraliseForDisplay(out)}\n`);
}

/** The space and spec of each `--onnx FILE`, recognised from the graph (a SpecError naming the file when the
 *  model is unreadable, outside every space, or of another space than the rest). */
function specsFromOnnx(files: string[], spaceName: string | undefined): { space: string | undefined; specs: string[] } {
  const specs: string[] = [];
  let space = spaceName;
  for (const file of files) {
    const r = recogniseOnnx(readOnnxFile(file));
    if (!r.space) throw new SpecError(`${file}: not an architecture of a known space: ${r.reason}`);
    if (space && getSpace(space).name !== r.space) throw new SpecError(`${file}: is an architecture of ${r.space}, not ${getSpace(space).name}`);
    space = r.space;
    specs.push(r.spec);
  }
  return { space, specs };
}

async function cmdPredict(args: Args) {
  if (isOnnxPredict(args)) return predictOnnx(args);
  args.only(['space', 'device', 'arch', 'archs', 'onnx', 'json', 'weights']);
  // An ONNX file may stand in place of --arch as well as after --onnx.
  const isOnnxPath = (a: string) => /\.onnx$/i.test(a.trim());
  const archArgs = args.all('arch').filter((a) => !isOnnxPath(a));
  const fromOnnx = specsFromOnnx([...args.all('onnx'), ...args.all('arch').filter(isOnnxPath)], args.str('space'));
  if (!fromOnnx.space) throw new SpecError('missing --space');
  const space = getSpace(fromOnnx.space);
  const devices = args.all('device');
  if (devices.length === 0) throw new SpecError('missing --device (a built-in name or a DEVICE.json)');
  let raw: unknown[] = archArgs;
  const archsFile = args.str('archs');
  if (archsFile) {
    const list = readJsonFile(archsFile, 'architectures file');
    if (!Array.isArray(list)) throw new SpecError(`${archsFile}: expected a JSON array of SPECs`);
    raw = raw.concat(list);
  }
  if (raw.length === 0 && fromOnnx.specs.length === 0) throw new SpecError('give --arch SPEC, --archs ARCHS.json or --onnx FILE');
  const written = raw.map((r, k) => {
    try {
      return space.canonical(r);
    } catch (e) {
      throw new SpecError(`${archsFile && k >= archArgs.length ? `${archsFile}: entry ${k + 1 - archArgs.length}` : `--arch ${k + 1}`}: ${(e as Error).message}`);
    }
  });
  const specs = written.concat(fromOnnx.specs.map((x) => space.canonical(x)));
  const predictor = await loadPredictor(space.name, args.str('weights'));
  const handles: DeviceHandle[] = devices.map((d) => predictor.resolve(d));
  const results = predictor.predictOnDevices(handles, specs);
  if (args.has('json')) {
    if (handles.length === 1) process.stdout.write(JSON.stringify(results[0]) + '\n');
    else process.stdout.write(JSON.stringify(Object.fromEntries(handles.map((h, k) => [h.info.name, results[k]]))) + '\n');
    return;
  }
  // Device names come from files: shown with escape sequences and bidi controls neutralised.
  const names = handles.map((h) => neutraliseForDisplay(h.info.name));
  const widths = names.map((n) => Math.max(n.length, 8));
  const lines = [`${'architecture'.padEnd(40)}  ${names.map((n, k) => n.padStart(widths[k])).join('  ')}`];
  specs.forEach((s, i) => {
    const shown = neutraliseForDisplay(s);
    const label = shown.length > 40 ? shown.slice(0, 37) + '...' : shown;
    lines.push(`${label.padEnd(40)}  ${results.map((r, k) => (fmtMs(r[i]) + ' ms').padStart(widths[k])).join('  ')}`);
  });
  process.stdout.write(lines.join('\n') + '\n');
  for (const s of new Set(specs)) for (const c of specCaveats(space.name, s)) process.stderr.write(neutraliseForDisplay(`note: ${s}: ${c}`) + '\n');
  // A prediction at the floor means "below anything this device was measured at", not a latency.
  handles.forEach((h, k) => {
    const floor = deviceLatencyFloorMs(h);
    const at = results[k].filter((v) => v <= floor).length;
    if (floor > 0 && at > 0) {
      process.stderr.write(`note: ${names[k]}: ${at} prediction${at === 1 ? ' is' : 's are'} at the device's floor (${fmtMs(floor)} ms, 1% of its fastest measurement): the model puts ${at === 1 ? 'it' : 'them'} below anything measured there, so treat ${at === 1 ? 'it' : 'them'} as unknown\n`);
    }
  });
}

/** The adapted devices in a folder (what adapt-local / adapt write, the extension's globalStorage devices/),
 *  by file name: NAS-space device files and onnx-space ones (with their error band; the first onnx one is the
 *  primary, as in the editor). Unreadable files are skipped with a note. */
function adaptedDeviceRows(dir: string, space: string | undefined): DeviceRow[] {
  let names: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new SpecError(`--adapted ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const rows: DeviceRow[] = [];
  const files = names.filter((f) => f.endsWith('.json') && !f.endsWith('.samples.json')).sort();
  if (files.length > MAX_ADAPTED_FILES) process.stderr.write(`note: ${neutraliseForDisplay(dir)}: ${files.length} device files, listing the first ${MAX_ADAPTED_FILES}\n`);
  let primaryOnnx = true;
  for (const f of files.slice(0, MAX_ADAPTED_FILES)) {
    const file = path.join(dir, f);
    try {
      const d = JSON.parse(readRegularFile(file, 'device file', MAX_DEVICE_FILE_BYTES).toString('utf8'));
      if (d && d.format === ONNX_DEVICE_FORMAT) {
        const onnx = validateOnnxDevice(d, file);
        // The editor reads the onnx devices of `*.onnx.json` files (the names it saves them under).
        const primary = primaryOnnx && f.endsWith('.onnx.json');
        if (space === undefined || space === 'onnx') rows.push({ name: onnx.name, space: 'onnx', origin: 'adapted', samples: onnx.samples.length, errorBand: onnx.errorBand, file, ...(primary ? { primary: true } : {}) });
        if (primary) primaryOnnx = false;
        continue;
      }
      // Anything else (a SAMPLES.json beside the devices, say) is noted and passed over.
      if (!d || d.format !== 'help-device' || typeof d.name !== 'string' || typeof d.space !== 'string' || !Array.isArray(d.samples)) throw new Error('not a device file');
      if (space === undefined || space === d.space) rows.push({ name: d.name, space: d.space, origin: 'adapted', samples: d.samples.length, file });
    } catch (e) {
      process.stderr.write(neutraliseForDisplay(`note: skipping ${file}: ${(e as Error).message.split('\n')[0]}`) + '\n');
    }
  }
  return rows;
}

const MAX_ADAPTED_FILES = 1000;

interface DeviceRow {
  name: string;
  space: string;
  origin: string;
  samples: number;
  kind?: string;
  description?: string;
  errorBand?: number;
  file?: string;
  primary?: boolean;
}

async function cmdDevices(args: Args) {
  args.only(['space', 'json', 'weights', 'adapted']);
  // The onnx space (any ONNX model) has no built-in devices, only adapted ones (--adapted DIR).
  const onnxOnly = args.str('space') === 'onnx';
  const spaces = onnxOnly ? [] : args.has('space') ? [getSpace(args.str('space')).name] : SPACE_NAMES;
  const adaptedDir = args.str('adapted');
  if (onnxOnly && adaptedDir === undefined) process.stderr.write('note: the onnx space has adapted devices only: list them with --adapted DIR (the folder of the DEVICE.json files; adapt one with adapt-local --space onnx)\n');
  const rows: DeviceRow[] = [];
  for (const s of spaces) {
    const p = weightsPaths(s, args.str('weights'));
    if (getSpace(s).predictor === 'hat-transfer') {
      // HAT's built-in devices are its source models, listed in the weights file itself.
      if (!fs.existsSync(p.weights)) continue;
      const w = JSON.parse(fs.readFileSync(p.weights, 'utf8')) as { sources: { name: string; rows: number }[] };
      for (const d of w.sources) rows.push({ name: d.name, space: s, origin: 'table', samples: d.rows });
      continue;
    }
    if (!fs.existsSync(p.devices)) continue;
    const file = JSON.parse(fs.readFileSync(p.devices, 'utf8')) as { devices: { name: string; origin: string; samples: unknown[] }[] };
    for (const d of file.devices) rows.push({ name: d.name, space: s, origin: d.origin, samples: d.samples.length });
  }
  if (adaptedDir !== undefined) rows.push(...adaptedDeviceRows(adaptedDir, onnxOnly ? 'onnx' : args.has('space') ? spaces[0] : undefined));
  // What each name means (titan_rtx_32 = Titan RTX GPU at batch 32); names HELP does not know: kind "other".
  const { describeDevice } = await import('../core/devices/describe');
  for (const r of rows) {
    const d = describeDevice(r.name);
    r.kind = d.kind;
    r.description = r.errorBand !== undefined ? `out-of-bag error +-${Math.round(r.errorBand * 100)}%${r.primary ? ', primary onnx device' : ''}` : d.text;
  }
  if (args.has('json')) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const nameWidth = Math.min(28, Math.max(18, ...rows.map((r) => r.name.length + 2)));
  const lines = [`${'device'.padEnd(nameWidth)}${'space'.padEnd(14)}${'from'.padEnd(10)}${'samples'.padEnd(9)}what it is`];
  for (const r of rows) lines.push(`${neutraliseForDisplay(r.name).padEnd(nameWidth)}${r.space.padEnd(14)}${neutraliseForDisplay(String(r.origin)).padEnd(10)}${String(r.samples).padEnd(9)}${r.description}`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function trainingGraphs(spaceName: string) {
  const { loadTrainingData } = await import('../core/training/dataset');
  return loadTrainingData(spaceName);
}

async function cmdEval(args: Args) {
  args.only(['space', 'shots', 'seeds', 'json', 'weights', 'devices']);
  const { evaluate, evaluationSources, formatEvalTable } = await import('../core/eval/evaluate');
  const shots = args.int('shots', 10, 0);
  const seeds = args.int('seeds', 5, 1);
  if (getSpace(args.required('space')).predictor === 'hat-transfer') {
    const { evaluateHat, formatHatEvalTable } = await import('../core/eval/evaluateHat');
    const { loadHatTables } = await import('../core/training/hatTables');
    const all = loadHatTables();
    const wanted = args.list('devices');
    for (const d of wanted ?? []) if (!all.some((t) => t.device === d)) throw new SpecError(`no HAT table for device "${d}"`);
    const results = evaluateHat(all, Math.max(shots, 3), seeds).filter((r) => !wanted || wanted.includes(r.device));
    if (args.has('json')) process.stdout.write(JSON.stringify({ shots, seeds, results }, null, 1) + '\n');
    else process.stdout.write(formatHatEvalTable(results, shots, seeds) + '\n');
    return;
  }
  const predictor = await helpPredictorFor(args);
  const { tables, graphs } = await trainingGraphs(predictor.space.name);
  const devices = args.list('devices') ?? tables.splits.meta_test.filter((d) => tables.devices.includes(d));
  for (const d of devices) if (!tables.devices.includes(d)) throw new SpecError(`no full latency table for device "${d}" in data/${predictor.space.name}`);
  const sources = evaluationSources(predictor.weights, tables);
  const t0 = Date.now();
  const results = evaluate(predictor.tf, { space: predictor.space.name, tables, graphs, net: predictor.net, sourceDevices: sources, devices, shots, seeds }, (l) =>
    process.stderr.write(l + '\n'),
  );
  if (args.has('json')) process.stdout.write(JSON.stringify({ shots, seeds, sources, results }, null, 1) + '\n');
  else process.stdout.write(formatEvalTable(results, shots, seeds) + `\n(${((Date.now() - t0) / 1000).toFixed(1)} s; source bank: ${sources.length} devices)\n`);
}

/** The ensemble's members: the same HELP network with and without the linear (sum-of-costs) path. */
function memberConfig(i: number, graphs: { nodes: number; features: number }): HelpConfig {
  const base = { ...DEFAULT_CONFIG, nodes: graphs.nodes, features: graphs.features };
  return { ...base, linearInputs: i % 2 === 0 ? 0 : graphs.nodes * graphs.features };
}

async function cmdMetaTrain(args: Args) {
  args.only(['space', 'train', 'valid', 'seed', 'episodes', 'out', 'members', 'tasks', 'queries']);
  const { buildSourceBank, buildSourceModels, buildBuiltinDevices } = await import('../core/training/bundle');
  const { loadSpaceTables } = await import('../core/training/dataset');
  const space = getSpace(args.required('space'));
  if (space.predictor === 'hat-transfer') return metaTrainHat(args);
  const tables = loadSpaceTables(space.name);
  // Default: the paper's meta-valid and meta-test devices; every other device with a full table (the
  // paper's meta-train devices plus those it left unused) is a meta-training source.
  const test = new Set(tables.splits.meta_test);
  const valid = args.list('valid') ?? tables.splits.meta_valid;
  const train = args.list('train') ?? tables.devices.filter((d) => !test.has(d) && !valid.includes(d));
  for (const d of [...train, ...valid]) if (!tables.devices.includes(d)) throw new SpecError(`no full latency table for device "${d}" in data/${space.name}`);
  if (train.length === 0) throw new SpecError('--train: no devices');
  const seed = args.int('seed', 0, 0);
  const members = args.int('members', space.metaTrainMembers ?? 2, 1);
  const out = args.str('out') ?? weightsPaths(space.name).weights;
  const started = Date.now();
  process.stderr.write(`meta-training ${space.name}: ${members} networks in parallel on ${train.length} devices (${train.join(', ')}), validating on ${valid.join(', ') || 'none'}, seed ${seed}\n`);
  // One process per member: tfjs-wasm is single-threaded, so members train side by side on the cores.
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-meta-'));
  const memberFiles = Array.from({ length: members }, (_, i) => path.join(tmpDir, `member${i}.json`));
  const passthrough = ['episodes', 'tasks', 'queries'].flatMap((k) => (args.has(k) ? [`--${k}`, args.required(k)] : []));
  await Promise.all(
    memberFiles.map(
      (file, i) =>
        new Promise<void>((resolve, reject) => {
          const child = fork(__filename, ['meta-train-member', '--space', space.name, '--member', String(i), '--seed', String(seed + i), '--train', train.join(','), '--valid', valid.join(','), '--out', file, ...passthrough], { stdio: 'inherit' });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`meta-training member ${i} failed (exit ${code})`))));
        }),
    ),
  );
  const weights: WeightsFile = {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    space: space.name,
    seed,
    trainDevices: train,
    validDevices: valid,
    trainSeconds: Math.round((Date.now() - started) / 1000),
    sourceDevices: [...train, ...valid],
    members: memberFiles.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as MemberWeights),
  };
  fs.rmSync(tmpDir, { recursive: true, force: true });
  const p = weightsPaths(space.name, out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const bank = buildSourceBank(space, tables, weights.sourceDevices);
  if (bank) writeFileAtomic(p.sources, bank);
  const models = buildSourceModels(space, tables, weights.sourceDevices);
  if (models) writeFileAtomic(p.sourceModels, JSON.stringify(models) + '\n');
  writeFileAtomic(p.devices, JSON.stringify(buildBuiltinDevices(space, tables)) + '\n');
  writeFileAtomic(p.weights, JSON.stringify(weights) + '\n');
  const summary = weights.members.map((m, i) => `member ${i}: validation Spearman ${m.validSpearman.toFixed(4)} at episode ${m.episodes}`).join('; ');
  process.stderr.write(`wrote ${p.weights} in ${weights.trainSeconds} s (${summary})\n`);
}

/** HAT: one latency model per table device (no network to meta-train; see predictor/transfer.ts). */
async function metaTrainHat(args: Args) {
  const { loadHatTables } = await import('../core/training/hatTables');
  const { fitHatSourceModel, HAT_WEIGHTS_FORMAT, HAT_WEIGHTS_VERSION } = await import('../core/predictor/transfer');
  const t0 = Date.now();
  const wanted = args.list('train');
  const tables = loadHatTables().filter((t) => !wanted || wanted.includes(t.device));
  if (tables.length === 0) throw new SpecError('--train: no HAT tables selected');
  const out = args.str('out') ?? weightsPaths('hat').weights;
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileAtomic(out, JSON.stringify({ format: HAT_WEIGHTS_FORMAT, version: HAT_WEIGHTS_VERSION, space: 'hat', sources: tables.map(fitHatSourceModel) }) + '\n');
  process.stderr.write(`wrote ${out}: source models for ${tables.length} HAT devices in ${Date.now() - t0} ms\n`);
}

async function cmdMetaTrainMember(args: Args) {
  args.only(['space', 'member', 'seed', 'train', 'valid', 'out', 'episodes', 'tasks', 'queries']);
  const { metaTrain, DEFAULT_META_TRAIN, DEFAULT_EPISODES } = await import('../core/training/metaTrain');
  const { space, tables, graphs } = await trainingGraphs(args.required('space'));
  const member = args.int('member', 0, 0);
  const tf = await loadTf();
  const weights = await metaTrain(tf, {
    space: space.name,
    tables,
    graphs,
    train: args.list('train') ?? [],
    valid: args.list('valid') ?? [],
    seed: args.int('seed', 0, 0),
    config: memberConfig(member, graphs),
    episodes: args.int('episodes', DEFAULT_EPISODES[space.name] ?? DEFAULT_META_TRAIN.episodes, 1),
    tasksPerEpisode: args.int('tasks', DEFAULT_META_TRAIN.tasksPerEpisode, 1),
    shots: DEFAULT_META_TRAIN.shots,
    queriesPerTask: args.int('queries', DEFAULT_META_TRAIN.queriesPerTask, 1),
    learningRate: DEFAULT_META_TRAIN.learningRate,
    validEvery: DEFAULT_META_TRAIN.validEvery,
    log: (l) => process.stderr.write(`[member ${member}] ${l}\n`),
  });
  writeFileAtomic(args.required('out'), JSON.stringify(weights));
}

async function cmdBundle(args: Args) {
  args.only(['space', 'weights']);
  const { buildSourceBank, buildSourceModels, buildBuiltinDevices } = await import('../core/training/bundle');
  const { readWeightsFile } = await import('../core/predictor/weights');
  if (getSpace(args.required('space')).predictor !== 'help') throw new SpecError(`bundle: ${args.required('space')} keeps everything in its weights file (run meta-train)`);
  const { space, tables } = await trainingGraphs(args.required('space'));
  const p = weightsPaths(space.name, args.str('weights'));
  const w = readWeightsFile(p.weights);
  const bank = buildSourceBank(space, tables, w.sourceDevices);
  if (bank) writeFileAtomic(p.sources, bank);
  const models = buildSourceModels(space, tables, w.sourceDevices);
  if (models) writeFileAtomic(p.sourceModels, JSON.stringify(models) + '\n');
  writeFileAtomic(p.devices, JSON.stringify(buildBuiltinDevices(space, tables)) + '\n');
  process.stderr.write(`wrote ${bank ? p.sources + ', ' : ''}${models ? p.sourceModels + ', ' : ''}${p.devices}\n`);
}

async function cmdInspect(args: Args) {
  args.only(['json', 'input-shape']);
  if (args.positional.length !== 1) throw new SpecError('usage: inspect FILE.onnx [--json] [--input-shape NAME=DIMS ...]');
  const text = await inspectCommand(args.positional[0], args.has('json'), parseInputShapeArgs(args.all('input-shape')));
  // Operator and tensor names come from the file: the table shows them with control and bidi characters
  // escaped (JSON output is data and keeps them, JSON-escaped).
  process.stdout.write((args.has('json') ? text : neutraliseForDisplay(text, true)) + '\n');
}

const COMMANDS: Record<string, (a: Args) => Promise<void>> = {
  references: cmdReferences,
  adapt: cmdAdapt,
  predict: cmdPredict,
  devices: cmdDevices,
  eval: cmdEval,
  'meta-train': cmdMetaTrain,
  'meta-train-member': cmdMetaTrainMember,
  bundle: cmdBundle,
  nas: (a) => nasCommand(a),
  inspect: cmdInspect,
  specs: specsCommand,
  scan: scanCommand,
  measure: measureCommand,
  'adapt-local': adaptLocalCommand,
};

/** An error message as one safe line: our own messages (SpecError) embed user text, so all of it is kept with
 *  control and bidi characters escaped; other errors keep their first line. Very long messages are cut. */
export function displayError(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const msg = neutraliseForDisplay(e instanceof SpecError ? raw : raw.split('\n')[0]);
  const cap = 2000;
  return msg.length > cap ? `${msg.slice(0, cap)}... (${msg.length - cap} more characters)` : msg;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, COMMAND_HELP);
  const known = Object.keys(COMMANDS).filter((c) => COMMAND_HELP[c]);
  const unknownCommand = (c: string) => {
    process.stderr.write(`error: ${displayError(new SpecError(`unknown command "${c}" (known: ${known.filter((k) => !COMMAND_HELP[k].hidden).join(', ')})`))}\n`);
    return 2;
  };
  if (parsed.command === 'help' && parsed.positional.length === 0 && !parsed.error) parsed.help = true;
  const topic = parsed.command === 'help' ? parsed.positional[0] : parsed.command;
  if (parsed.help) {
    if (topic === undefined) process.stdout.write(globalUsage(known) + '\n');
    else if (!known.includes(topic)) return unknownCommand(topic);
    else process.stdout.write(commandHelpText(topic) + '\n');
    return 0;
  }
  if (parsed.version && !parsed.error) {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  if (parsed.command !== undefined && parsed.command !== 'help' && !known.includes(parsed.command)) return unknownCommand(parsed.command);
  if (parsed.error) {
    process.stderr.write(`error: ${displayError(new SpecError(parsed.error))}\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    if (!known.includes(topic!)) return unknownCommand(topic!);
    process.stdout.write(commandHelpText(topic!) + '\n');
    return 0;
  }
  if (parsed.command === undefined) {
    process.stderr.write(globalUsage(known) + '\n');
    return 2;
  }
  const args = new Args(parsed);
  const cmd = COMMANDS[parsed.command];
  try {
    await cmd(args);
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${displayError(e)}\n`);
    return e instanceof SpecError ? 2 : process.exitCode === 130 ? 130 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${displayError(e)}\n`);
      process.exitCode = 1;
    },
  );
}
