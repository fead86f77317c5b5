// Shape inference and MAC count on large and adversarial graphs (issue 15 item 1): each file is run as
// `node dist/cli.js inspect FILE --json` in its own process, with wall time, CPU time, peak RSS (VmHWM,
// written at exit by a preloaded script) and the MAC total. Targets: a 350 MB model in under 2 s and
// 200 MB; every adversarial graph in under 5 s.
//   node --import tsx bench/hostile/onnx-shapes.ts [--quick] [--cli PATH/TO/cli.js] [--zoo DIR] [--only NAME]
// --zoo DIR (default .cache/zoo if present) adds the zoo's largest models.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from 'onnx-proto';
import { writeBigGemmModel } from '../../test/core/onnx/helpers';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const cli = path.resolve(opt('--cli') ?? path.join(__dirname, '..', '..', 'dist', 'cli.js'));
const zoo = opt('--zoo') ?? path.join(__dirname, '..', '..', '.cache', 'zoo');
const only = opt('--only');
const q = (full: number, small: number) => (quick ? small : full);
const M = 1 << 20;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'help-onnx-shapes-'));
const preload = path.join(dir, 'maxrss.cjs');
fs.writeFileSync(
  preload,
  `process.on('exit', () => { try { const fs = require('fs'); let kb = process.resourceUsage().maxRSS; try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch {} const u = process.resourceUsage(); fs.writeFileSync(process.env.HELP_MAXRSS_FILE, kb + ' ' + (u.userCPUTime + u.systemCPUTime) / 1e6); } catch {} });\n`,
);

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const vi = (name: string, dims: number[] | null, elemType: number = T.FLOAT): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } } });
const f32 = (name: string, dims: number[]): onnx.ITensorProto => ({ name, dims, dataType: T.FLOAT, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });
const write = (file: string, g: onnx.IGraphProto) => fs.writeFileSync(file, onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g }).finish());

/** `n` If nodes in a chain, each branch a MatMul with its own 4x4 weight. */
function manyIfs(file: string, n: number): void {
  const nodes: onnx.INodeProto[] = [];
  let x = 'x';
  for (let i = 0; i < n; i++) {
    const branch = (tag: string): onnx.IGraphProto => ({ name: `${tag}${i}`, node: [{ opType: 'MatMul', input: [x, `${tag}w${i}`], output: [`${tag}y${i}`] }], initializer: [f32(`${tag}w${i}`, [4, 4])], output: [vi(`${tag}y${i}`, null)] });
    nodes.push({ opType: 'If', input: ['c'], output: [`h${i}`], attribute: [{ name: 'then_branch', type: A.GRAPH, g: branch('t') }, { name: 'else_branch', type: A.GRAPH, g: branch('e') }] });
    x = `h${i}`;
  }
  write(file, { name: 'g', node: nodes, input: [vi('x', [1, 4]), vi('c', [], T.BOOL)], output: [vi(x, null)] });
}

/** An exported-style shape sub-graph per layer: Shape -> Gather -> Unsqueeze -> Concat -> Reshape, `n` times. */
function shapeChains(file: string, n: number): void {
  const nodes: onnx.INodeProto[] = [];
  const init: onnx.ITensorProto[] = [
    { name: 'zero', dims: [], dataType: T.INT64, int64Data: [0] },
    { name: 'ax', dims: [1], dataType: T.INT64, int64Data: [0] },
    { name: 'm1', dims: [1], dataType: T.INT64, int64Data: [-1] },
    f32('w', [64, 64]),
  ];
  let x = 'x';
  for (let i = 0; i < n; i++) {
    nodes.push({ opType: 'Shape', input: [x], output: [`s${i}`] }, { opType: 'Gather', input: [`s${i}`, 'zero'], output: [`g${i}`] }, { opType: 'Unsqueeze', input: [`g${i}`, 'ax'], output: [`u${i}`] });
    nodes.push({ opType: 'Concat', input: [`u${i}`, 'm1'], output: [`c${i}`], attribute: [{ name: 'axis', type: A.INT, i: 0 }] }, { opType: 'Reshape', input: [x, `c${i}`], output: [`r${i}`] });
    nodes.push({ opType: 'MatMul', input: [`r${i}`, 'w'], output: [`y${i}`] });
    x = `y${i}`;
  }
  write(file, { name: 'g', node: nodes, initializer: init, input: [vi('x', [8, 64])], output: [vi(x, null)] });
}

type Case = { name: string; file?: string; make?: (file: string) => void; args?: string[] };
const cases: Case[] = [
  { name: `Gemm model of ${q(350, 100)} MB (sparse)`, make: (f) => writeBigGemmModel(f, q(9472, 5120), q(9472, 5120)) },
  { name: `${q(20_000, 5_000)} If nodes with weights in both branches`, make: (f) => manyIfs(f, q(20_000, 5_000)) },
  { name: `${q(40_000, 10_000)} shape sub-graphs (240k nodes)`, make: (f) => shapeChains(f, q(40_000, 10_000)) },
];
if (fs.existsSync(zoo)) {
  for (const [f, shape] of [['vit_b_16.onnx', []], ['unet.onnx', ['image=1x3x256x256']], ['bert_mini.onnx', ['input_ids=1x128', 'attention_mask=1x128']]] as [string, string[]][]) {
    if (fs.existsSync(path.join(zoo, f))) cases.push({ name: `zoo ${f}`, file: path.join(zoo, f), args: shape.flatMap((s) => ['--input-shape', s]) });
  }
}

const rows: string[] = [];
let i = 0;
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const file = c.file ?? path.join(dir, `case${i++}.onnx`);
  if (c.make) c.make(file);
  const size = fs.statSync(file).size;
  const rssFile = path.join(dir, 'rss');
  fs.rmSync(rssFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', preload, cli, 'inspect', file, '--json', ...(c.args ?? [])], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 1 << 30, env: { ...process.env, HELP_MAXRSS_FILE: rssFile } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const [kb, cpu] = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').split(' ').map(Number) : [NaN, NaN];
  let outcome = `exit ${r.status ?? r.signal}`;
  if (r.status === 0) {
    const j = JSON.parse(r.stdout).summary;
    outcome += `: ${j.macs.toLocaleString('en')} MACs${j.macsComplete ? '' : ' (incomplete)'}, ${j.parameters.toLocaleString('en')} params`;
  } else outcome += `: ${(r.stderr ?? '').trim().split('\n').pop()?.slice(0, 100)}`;
  rows.push(`| ${c.name} | ${(size / M).toFixed(1)} MB | ${s.toFixed(2)} | ${Number.isFinite(cpu) ? cpu.toFixed(2) : '-'} | ${Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : '-'} | ${outcome} |`);
  process.stdout.write(rows[rows.length - 1] + '\n');
  if (!c.file) fs.rmSync(file, { force: true });
}
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\n\`inspect --json\` with ${cli}${quick ? ' (--quick)' : ''}\n\n| input | size | wall s | CPU s | peak RSS | outcome |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
