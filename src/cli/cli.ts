// `node dist/cli.js <command>`: the headless face of the same core the extension uses.
// Bad input (unknown space or device, malformed spec or samples, unreadable files) exits with code 2
// and one line on stderr; stdout carries only results, so `--json` output can be piped.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Args, parseArgs } from './args';
import { SpecError } from '../core/spaces/space';
import { getSpace, SPACE_NAMES } from '../core/spaces/registry';
import { loadTf } from '../core/predictor/tf';
import { DeviceHandle, LatencyPredictor, SamplesFile, weightsPaths } from '../core/predictor/service';
import { mappingErrorName } from '../core/predictor/combine';
import { describeSpike } from '../core/predictor/adaptDevice';
import { specCaveats } from '../core/spaces/caveats';
import { MemberWeights, WeightsFile, WEIGHTS_FORMAT, WEIGHTS_VERSION, writeFileAtomic } from '../core/predictor/weights';
import { DEFAULT_CONFIG, HelpConfig } from '../core/predictor/model';
import { fork } from 'child_process';
import { loadPredictor, SpacePredictor } from '../core/predictor/load';
import { nasCommand } from './nas';
import { inspectCommand } from './inspect';
import { specsCommand } from './specs';
import { readOnnxFile } from '../core/onnx/reader';
import { recogniseOnnx } from '../core/onnx/recognise';
import { adaptLocalCommand, measureCommand } from './measure';

const BOOLEANS = new Set(['json', 'help', 'net-only', 'references']);

const USAGE = `HELP latency predictor (Lee et al., NeurIPS 2021)

usage: node dist/cli.js <command> [options]

  references --space S [--json]
      the 10 reference architectures a new device must measure
  adapt --space S --samples SAMPLES.json --out DEVICE.json [--name NAME]
      few-shot adaptation to a device from its measured samples
  measure --space S --runner onnxruntime|command [--command TEMPLATE] [--threads N] [--graph-opt LEVEL]
          [--timeout-s N] (--archs ARCHS.json | --references [--extra K]) --out SAMPLES.json [--name NAME]
      measure architectures on a device (this machine's CPU, or a command printing ms; {model} is the
      .onnx path) and write SAMPLES.json with the spread of each sample
  adapt-local --space S [--extra K] [--threads N] --out DEVICE.json [--name NAME]
      measure the 10 references and K more (default 10) on this machine and adapt in one go (also takes
      --runner command --command TEMPLATE); the raw samples go beside DEVICE.json
      (measure and adapt-local take --warmup N, --runs N, --passes MIN[-MAX] to change the protocol)
  predict --space S --device NAME|DEVICE.json [--device ...] (--arch SPEC ... | --archs ARCHS.json | --onnx FILE ...) [--json]
      predicted latency in milliseconds (--space may be left out with --onnx: the models' space is used)
  inspect FILE.onnx [--json]
      which architecture of a known space an ONNX model is, and a summary of the model
  specs FILE [--json]
      the specs the editor finds in a text file (space, spec, line, column), whole-text and chunked
  devices [--space S] [--json]
      built-in devices
  eval --space S [--shots 10] [--seeds 5] [--json]
      the paper's meta-test protocol against two baselines
  meta-train --space S [--train a,b,..] [--valid c,..] [--seed N] [--episodes N] [--members N] [--out FILE]
      meta-train the predictor (writes weights/<space>.json and the files beside it)
  bundle --space S [--weights FILE]
      rewrite the source bank and built-in devices beside the weights from data/
  nas --space S --device NAME|DEVICE.json --budget MS [--margin auto|PCT] [--candidates FILE] [--start SPEC]
      [--max-edits N] [--json]
      latency-constrained search: nasbench201 picks the most accurate candidate that fits (or, with --start,
      the fewest edits that fit); the search keeps the device's estimated prediction error as headroom
      (--margin auto, the default; --margin 0 searches right up to the budget); fbnet/ofa evolve under [--min-depth N|a,b,c,d,e] [--min-total-depth N]
      [--min-resolution R] [--max-resolution R] [--max-skips K] [--seed N] [--generations N]

spaces: ${SPACE_NAMES.join(', ')}`;

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
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

async function cmdReferences(args: Args) {
  args.only(['space', 'json']);
  const space = getSpace(args.required('space'));
  const specs = space.references;
  if (args.has('json')) process.stdout.write(JSON.stringify(specs) + '\n');
  else process.stdout.write(specs.join('\n') + '\n');
}

async function cmdAdapt(args: Args) {
  args.only(['space', 'samples', 'out', 'name', 'weights']);
  const samplesPath = args.required('samples');
  const out = args.required('out');
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
    process.stderr.write(`${samplesPath}: ${describeSpike(k)}\n`);
  }
  process.stderr.write(`adapted "${name}" from ${device.samples.length} samples in ${ms} ms (mapping: ${c.kind}${src ? ' ' + (c.sources.length > 3 ? `${c.sources.length} sources` : src) : ''}, ${mappingErrorName(c)} RMSE ${Math.sqrt(c.looMse).toFixed(3)} ms) -> ${out}\n`);
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
  const names = handles.map((h) => h.info.name);
  const widths = names.map((n) => Math.max(n.length, 8));
  const lines = [`${'architecture'.padEnd(40)}  ${names.map((n, k) => n.padStart(widths[k])).join('  ')}`];
  specs.forEach((s, i) => {
    const label = s.length > 40 ? s.slice(0, 37) + '...' : s;
    lines.push(`${label.padEnd(40)}  ${results.map((r, k) => (fmtMs(r[i]) + ' ms').padStart(widths[k])).join('  ')}`);
  });
  process.stdout.write(lines.join('\n') + '\n');
  for (const s of new Set(specs)) for (const c of specCaveats(space.name, s)) process.stderr.write(`note: ${s}: ${c}\n`);
}

async function cmdDevices(args: Args) {
  args.only(['space', 'json', 'weights']);
  const spaces = args.has('space') ? [getSpace(args.str('space')).name] : SPACE_NAMES;
  const rows: { name: string; space: string; origin: string; samples: number }[] = [];
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
  if (args.has('json')) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const lines = [`${'device'.padEnd(18)}${'space'.padEnd(14)}${'from'.padEnd(10)}samples`];
  for (const r of rows) lines.push(`${r.name.padEnd(18)}${r.space.padEnd(14)}${r.origin.padEnd(10)}${r.samples}`);
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
  args.only(['json']);
  if (args.positional.length !== 1) throw new SpecError('usage: inspect FILE.onnx [--json]');
  process.stdout.write((await inspectCommand(args.positional[0], args.has('json'))) + '\n');
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
  measure: measureCommand,
  'adapt-local': adaptLocalCommand,
};

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = new Args(parseArgs(argv, BOOLEANS));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  if (!args.command || args.command === 'help' || args.has('help')) {
    process.stdout.write(USAGE + '\n');
    return args.command || args.has('help') ? 0 : 2;
  }
  const cmd = COMMANDS[args.command];
  if (!cmd) {
    process.stderr.write(`error: unknown command "${args.command}" (known: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 2;
  }
  try {
    await cmd(args);
    return 0;
  } catch (e) {
    const msg = ((e as Error).message ?? String(e)).split('\n')[0];
    process.stderr.write(`error: ${msg}\n`);
    return e instanceof SpecError ? 2 : process.exitCode === 130 ? 130 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
