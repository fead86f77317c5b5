// Each command's options and help text in one table: the argument parser (args.ts) reads it to know which
// options a command takes and whether they take a value, and `CMD --help` prints it, so the two cannot
// drift apart.
import { SPACE_NAMES } from '../core/spaces/registry';

export interface OptionHelp {
  name: string;
  /** What the value is (`S`, `FILE`, `N`); absent for an option that takes no value. */
  value?: string;
  help: string;
}

export interface CommandHelp {
  /** After `node dist/cli.js `. */
  usage: string;
  summary: string;
  options: OptionHelp[];
  /** Positional arguments the command takes (names, for messages); none when absent. */
  positional?: string[];
  /** Internal commands are left out of the global usage. */
  hidden?: boolean;
}

const SPACE: OptionHelp = { name: 'space', value: 'S', help: `search space: ${SPACE_NAMES.join(', ')}` };
const JSON_OUT: OptionHelp = { name: 'json', help: 'print JSON on stdout instead of a table' };
const WEIGHTS: OptionHelp = { name: 'weights', value: 'FILE', help: "the predictor's weights file (default: the bundled weights/<space>.json; its devices and source bank beside it)" };
/** Shapes of model inputs with symbolic or unknown dims (otherwise taken as 1, and said so). */
export const INPUT_SHAPE: OptionHelp = { name: 'input-shape', value: 'NAME=DIMS', help: 'the shape of a model input with symbolic or unknown dims, e.g. input=1x3x224x224 (repeat for several inputs; default: such dims are taken as 1)' };
const NAME: OptionHelp = { name: 'name', value: 'NAME', help: 'the device name to record' };

const RUNNER: OptionHelp[] = [
  { name: 'runner', value: 'onnxruntime|command', help: "onnxruntime measures this machine's CPU; command runs --command for each model" },
  { name: 'command', value: 'TEMPLATE', help: 'the command that prints a latency in ms ({model} is the .onnx path; never run through a shell)' },
  { name: 'threads', value: 'N', help: 'onnxruntime intra-op threads (default 1)' },
  { name: 'graph-opt', value: 'LEVEL', help: 'onnxruntime graph optimisation: disabled, basic, extended or all (default)' },
  { name: 'timeout-s', value: 'N', help: 'seconds a command run may take before it is killed (default 60)' },
  { name: 'first-run-timeout-s', value: 'N', help: "seconds the command's first run may take; no answer by then ends the measurement (default 15)" },
  { name: 'warmup', value: 'N', help: 'warm-up runs per visit' },
  { name: 'runs', value: 'N', help: 'timed runs per visit' },
  { name: 'passes', value: 'MIN[-MAX]', help: 'visits per architecture' },
];

const META_TRAIN_TUNING: OptionHelp[] = [
  { name: 'episodes', value: 'N', help: 'meta-training episodes' },
  { name: 'tasks', value: 'N', help: 'tasks per episode' },
  { name: 'queries', value: 'N', help: 'query architectures per task' },
];

export const COMMAND_HELP: Record<string, CommandHelp> = {
  references: {
    usage: 'references --space S [--json]',
    summary: 'the 10 reference architectures a new device must measure',
    options: [SPACE, JSON_OUT],
  },
  adapt: {
    usage: 'adapt --space S --samples SAMPLES.json --out DEVICE.json [--name NAME]',
    summary: 'few-shot adaptation to a device from its measured samples (--space onnx: from the onnx reference models\' samples that measure --space onnx writes)',
    options: [
      { ...SPACE, help: `${SPACE.help}, or onnx (any ONNX model: every onnx reference model's latency, as measure --space onnx writes them)` },
      { name: 'samples', value: 'SAMPLES.json', help: 'the measured samples: {"space", "device", "samples": [{"arch", "latency_ms"}, ...]}' },
      { name: 'out', value: 'DEVICE.json', help: 'the adapted device file to write' },
      { ...NAME, help: 'the device name (default: the samples file\'s "device", else the file name)' },
      WEIGHTS,
    ],
  },
  measure: {
    usage:
      'measure --space S --runner onnxruntime|command [--command TEMPLATE] [--threads N] [--graph-opt LEVEL]\n' +
      '        [--timeout-s N] [--first-run-timeout-s N] (--archs ARCHS.json | --references [--extra K]) --out SAMPLES.json [--name NAME]\n' +
      '        measure --space onnx [--runner ... --command TEMPLATE] --out SAMPLES.json   (the onnx reference models)\n' +
      '        measure --onnx FILE [--input-shape NAME=DIMS] [--runner ... --command TEMPLATE] [--json]',
    summary:
      "measure architectures on a device (this machine's CPU, or a command printing ms; {model} is the\n" +
      '.onnx path) and write SAMPLES.json with the spread of each sample',
    options: [
      { ...SPACE, help: `${SPACE.help}, or onnx (measures the onnx reference models, for adapt --space onnx)` },
      { name: 'archs', value: 'ARCHS.json', help: 'a JSON array of the architectures (SPECs) to measure' },
      { name: 'onnx', value: 'FILE', help: 'measure any ONNX model directly (repeat for several; no --space; dynamic dims fed --input-shape, else 1; a command gets a copy with them fixed)' },
      INPUT_SHAPE,
      JSON_OUT,
      { name: 'references', help: 'measure the 10 reference architectures' },
      { name: 'extra', value: 'K', help: 'with --references: K more architectures chosen to spread the latencies (default 10)' },
      { name: 'out', value: 'SAMPLES.json', help: 'the samples file to write' },
      { ...NAME, help: 'the device name (default: "this machine" for onnxruntime, else the file name)' },
      ...RUNNER,
      WEIGHTS,
    ],
  },
  'adapt-local': {
    usage: 'adapt-local --space S [--extra K] [--threads N] --out DEVICE.json [--name NAME]\n' +
      '        adapt-local --space onnx [--shot FILE.onnx ...] [--runner command --command TEMPLATE] --out DEVICE.json',
    summary:
      'measure the 10 references and K more (default 10) on this machine and adapt in one go (also takes\n' +
      '--runner command --command TEMPLATE); the raw samples go beside DEVICE.json',
    options: [
      { ...SPACE, help: `${SPACE.help}, or onnx (any ONNX model: measures the onnx reference models and fits per-kernel-class costs)` },
      { name: 'extra', value: 'K', help: 'architectures to measure beyond the 10 references (default 10)' },
      { name: 'shot', value: 'FILE.onnx', help: 'with --space onnx: a further model to measure and adapt from (repeat for several)' },
      { ...INPUT_SHAPE, help: 'with --space onnx --shot: ' + INPUT_SHAPE.help + '; a command gets a copy of the shot with them fixed' },
      { name: 'out', value: 'DEVICE.json', help: 'the adapted device file to write (DEVICE.samples.json beside it)' },
      { ...NAME, help: 'the device name (default: "this machine" for onnxruntime, else the file name)' },
      ...RUNNER,
      WEIGHTS,
    ],
  },
  predict: {
    usage: 'predict --space S --device NAME|DEVICE.json [--device ...] (--arch SPEC ... | --archs ARCHS.json | --onnx FILE ...) [--input-shape NAME=DIMS ...] [--json]',
    summary: "predicted latency in milliseconds (--space may be left out with --onnx: the models' space is used)",
    options: [
      SPACE,
      { name: 'device', value: 'NAME|DEVICE.json', help: 'a built-in device or an adapted device file (repeat for several)' },
      { name: 'arch', value: 'SPEC', help: 'an architecture (repeat for several); a path ending in .onnx is read as a model' },
      { name: 'archs', value: 'ARCHS.json', help: 'a JSON array of architectures' },
      { name: 'onnx', value: 'FILE', help: 'an ONNX model (repeat for several): of a known space, or any model with an onnx-space DEVICE.json (--space onnx or such devices)' },
      INPUT_SHAPE,
      JSON_OUT,
      WEIGHTS,
    ],
  },
  inspect: {
    usage: 'inspect FILE.onnx [--json] [--input-shape NAME=DIMS ...]',
    summary: 'which architecture of a known space an ONNX model is, and a summary of the model',
    options: [JSON_OUT, INPUT_SHAPE],
    positional: ['FILE.onnx'],
  },
  specs: {
    usage: 'specs FILE [--json]',
    summary: 'the architecture specs the editor finds in a text file (space, spec, line, column, parse error), and the text that is almost a spec (the message and suggested fix of each HELP diagnostic)',
    options: [JSON_OUT],
    positional: ['FILE'],
  },
  scan: {
    usage: 'scan PATH [--device D ...] [--json]',
    summary: 'every architecture in a file or folder (text files as the editor reads them, .onnx models) predicted on the primary devices or the given ones',
    options: [
      { name: 'device', value: 'NAME|DEVICE.json', help: 'a device to predict on (repeatable; default: the primary devices the editor shows)' },
      JSON_OUT,
      WEIGHTS,
    ],
    positional: ['PATH'],
  },
  devices: {
    usage: 'devices [--space S] [--adapted DIR] [--json]',
    summary: 'built-in devices and what each is (titan_rtx_32: Titan RTX GPU at batch 32), and with --adapted the adapted ones; --json adds kind and description',
    options: [
      { ...SPACE, help: `list one space only: ${SPACE_NAMES.join(', ')}, or onnx (adapted devices only)` },
      { name: 'adapted', value: 'DIR', help: 'also list the adapted devices in this folder (DEVICE.json files, e.g. the editor\'s), onnx ones with their error band; the first onnx one is the primary' },
      JSON_OUT,
      WEIGHTS,
    ],
  },
  eval: {
    usage: 'eval --space S [--devices a,b] [--shots 10] [--seeds 5] [--json]',
    summary: "the paper's meta-test protocol against two baselines",
    options: [
      SPACE,
      { name: 'devices', value: 'a,b,..', help: "the devices to evaluate (default: the paper's meta-test devices)" },
      { name: 'shots', value: 'N', help: 'measured samples per device (default 10)' },
      { name: 'seeds', value: 'N', help: 'random draws of the samples (default 5)' },
      JSON_OUT,
      WEIGHTS,
    ],
  },
  'meta-train': {
    usage: 'meta-train --space S [--train a,b,..] [--valid c,..] [--seed N] [--episodes N] [--members N] [--out FILE]',
    summary: 'meta-train the predictor (writes weights/<space>.json and the files beside it)',
    options: [
      SPACE,
      { name: 'train', value: 'a,b,..', help: 'meta-training devices (default: every device with a full table outside the meta-valid and meta-test sets)' },
      { name: 'valid', value: 'c,..', help: "validation devices (default: the paper's meta-valid devices)" },
      { name: 'seed', value: 'N', help: 'random seed of the first network (default 0)' },
      { name: 'members', value: 'N', help: 'networks in the ensemble, trained in parallel' },
      { name: 'out', value: 'FILE', help: 'the weights file to write (default: weights/<space>.json)' },
      ...META_TRAIN_TUNING,
    ],
  },
  'meta-train-member': {
    usage: 'meta-train-member --space S --member I --seed N --train a,b,.. --valid c,.. --out FILE',
    summary: 'one network of meta-train (run by meta-train in its own process)',
    options: [
      SPACE,
      { name: 'member', value: 'I', help: 'the index of the network in the ensemble' },
      { name: 'seed', value: 'N', help: 'random seed' },
      { name: 'train', value: 'a,b,..', help: 'meta-training devices' },
      { name: 'valid', value: 'c,..', help: 'validation devices' },
      { name: 'out', value: 'FILE', help: "the member's weights file to write" },
      ...META_TRAIN_TUNING,
    ],
    hidden: true,
  },
  bundle: {
    usage: 'bundle --space S [--weights FILE]',
    summary: 'rewrite the source bank and built-in devices beside the weights from data/',
    options: [SPACE, WEIGHTS],
  },
  nas: {
    usage:
      'nas --space S --device NAME|DEVICE.json --budget MS [--margin auto|PCT] [--candidates FILE] [--start SPEC]\n' +
      '    [--max-edits N] [--json]',
    summary:
      'latency-constrained search: nasbench201 picks the most accurate candidate that fits (or, with --start,\n' +
      'the fewest edits that fit); the search keeps the device\'s estimated prediction error as headroom\n' +
      '(--margin auto, the default; --margin 0 searches right up to the budget); fbnet/ofa evolve under\n' +
      'structural constraints for the lowest latency (or, with --start, the fewest edits that fit)',
    options: [
      SPACE,
      { name: 'device', value: 'NAME|DEVICE.json', help: 'a built-in device or an adapted device file' },
      { name: 'budget', value: 'MS', help: 'the latency budget in milliseconds' },
      { name: 'margin', value: 'auto|PCT', help: "headroom kept for prediction error (default auto: the device's estimated error)" },
      { name: 'start', value: 'SPEC', help: 'search for the fewest edits from this architecture that fit' },
      { name: 'max-edits', value: 'N', help: 'with --start: at most N edits' },
      { name: 'top', value: 'N', help: 'architectures to report (default 5)' },
      { name: 'candidates', value: 'FILE', help: 'nasbench201: "cell string, accuracy" rows (default: MetaD2A\'s list in data/)' },
      { name: 'min-convs', value: 'N', help: 'nasbench201 with --start: at least N convolutions in the cell' },
      { name: 'min-depth', value: 'N|a,b,c,d,e', help: 'fbnet/ofa: least depth of every stage, or of each of the 5 stages' },
      { name: 'min-total-depth', value: 'N', help: 'fbnet/ofa: least total depth' },
      { name: 'min-resolution', value: 'R', help: 'ofa: least input resolution' },
      { name: 'max-resolution', value: 'R', help: 'ofa: greatest input resolution' },
      { name: 'max-skips', value: 'K', help: 'fbnet: at most K skip blocks' },
      { name: 'seed', value: 'N', help: 'fbnet/ofa: random seed of the evolution (default 0)' },
      { name: 'generations', value: 'N', help: 'fbnet/ofa: generations of the evolution (default 40)' },
      { name: 'population', value: 'N', help: 'fbnet/ofa: population size (default 64)' },
      JSON_OUT,
      WEIGHTS,
    ],
  },
};

const CLI = 'node dist/cli.js';

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** `CMD --help`: the usage line, what the command does, and each option. */
export function commandHelpText(command: string): string {
  const c = COMMAND_HELP[command];
  const lines = [`usage: ${CLI} ${c.usage}`, '', indent(c.summary, '  '), '', 'options:'];
  const flag = (o: OptionHelp) => `--${o.name}${o.value ? ' ' + o.value : ''}`;
  const width = Math.min(28, Math.max(...c.options.map((o) => flag(o).length)));
  for (const o of c.options) {
    const f = flag(o);
    lines.push(f.length > width ? `  ${f}\n  ${' '.repeat(width)}  ${o.help}` : `  ${f.padEnd(width)}  ${o.help}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(width)}  this help`);
  return lines.join('\n');
}

/** The global usage: every public command among `commands` (those the CLI registers). */
export function globalUsage(commands: string[]): string {
  const lines = ['HELP latency predictor (Lee et al., NeurIPS 2021)', '', `usage: ${CLI} <command> [options]`, ''];
  for (const name of commands) {
    const c = COMMAND_HELP[name];
    if (!c || c.hidden) continue;
    lines.push(indent(c.usage, '  '), indent(c.summary, '      '));
  }
  lines.push('', `${CLI} <command> --help (or help <command>) shows the options of a command; --version the version.`);
  lines.push('', `spaces: ${SPACE_NAMES.join(', ')}`);
  return lines.join('\n');
}
