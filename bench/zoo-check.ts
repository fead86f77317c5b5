// The zoo check of issue 15: the repo's graph analysis (`inspect --json`) against the independent count of
// scripts/zoo-reference-counts.py, per zoo model. MACs and parameters must agree within 2% and
// `summary.macsComplete` must be true.
//
//   npm run zoo                         (once: export the zoo and count it; needs python3-torch, see scripts/make-zoo.py)
//   npm run bench:zoo-check [-- --zoo DIR] [-- --only resnet18,unet] [-- --convention element-ops] [-- --json] [-- --verbose]
//
// Each model is inspected by the built CLI (dist/cli.js) as a child process, with `--input-shape NAME=AxBxC`
// for every input when the CLI has that option (the concrete shapes of the zoo manifest), so the wall time
// and peak RSS of `inspect` are measured too. `--convention element-ops` compares against the reference's
// second convention (MACs plus the elements written by element-wise, normalisation and pooling ops).
// `--verbose` lists, for every failing model, the MACs per operator type on both sides.
// Exit code: 0 when every model passes, 1 otherwise.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TOLERANCE = 0.02;

interface ManifestEntry {
  file: string;
  family: string;
  inputs: { name: string; shape: number[]; dynamic: Record<string, string> }[];
  dynamic: boolean;
  bytes: number;
}

interface Reference {
  macs: number;
  macsByOp: Record<string, number>;
  elementOps: Record<string, number>;
  macsPlusElementOps: number;
  parameters: number;
  complete: boolean;
}

interface Row {
  model: string;
  family: string;
  mb: number;
  input: string;
  refMacs: number;
  refParams: number;
  ourMacs: number | null;
  ourParams: number | null;
  macsComplete: boolean | null;
  macsDiff: number | null;
  paramsDiff: number | null;
  pass: boolean;
  /** Operator types our summary left "unknown". */
  unknownOps: string[];
  refByOp: Record<string, number>;
  ourByOp: Record<string, number | 'unknown'>;
  inspectMs: number;
  peakRssMb: number | null;
  error?: string;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const relDiff = (ours: number, ref: number) => (ref === 0 ? (ours === 0 ? 0 : Infinity) : Math.abs(ours - ref) / ref);

function fmt(n: number | null): string {
  if (n === null) return '-';
  if (n >= 1e9) return `${(n / 1e9).toFixed(3)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(3)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

const pct = (d: number | null) => (d === null ? '-' : d === Infinity ? 'inf' : `${(d * 100).toFixed(d < 0.1 ? 2 : 0)}%`);

/** Per operator type, a + b. */
function sumInto(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function main() {
  const argv = process.argv.slice(2);
  const root = path.join(__dirname, '..');
  const zoo = path.resolve(option(argv, '--zoo') ?? path.join(root, '.cache', 'zoo'));
  const only = option(argv, '--only')?.split(',');
  const convention = option(argv, '--convention') ?? 'textbook';
  if (convention !== 'textbook' && convention !== 'element-ops') throw new Error(`--convention: textbook or element-ops, not ${convention}`);
  const cli = path.join(root, 'dist', 'cli.js');
  const manifestFile = path.join(zoo, 'zoo-manifest.json');
  const referenceFile = path.join(zoo, 'zoo-reference.json');
  for (const f of [cli, manifestFile, referenceFile]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing (${f === cli ? 'node esbuild.js' : 'npm run zoo'})`);
  }
  const manifest: { models: ManifestEntry[] } = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const reference: { models: Record<string, Reference>; conventions: Record<string, string> } = JSON.parse(fs.readFileSync(referenceFile, 'utf8'));
  const help = spawnSync(process.execPath, [cli, 'help', 'inspect'], { encoding: 'utf8' });
  const hasInputShape = `${help.stdout}${help.stderr}`.includes('--input-shape');
  // Peak RSS of the child, read from its own resource usage when it exits (works with process.exit too).
  const rssProbe = `data:text/javascript,${encodeURIComponent("import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, `\\nZOO_MAXRSS_KB ${process.resourceUsage().maxRSS}\\n`));")}`;
  const rows: Row[] = [];
  for (const m of manifest.models) {
    const name = m.file.replace(/\.onnx$/, '');
    if (only && !only.includes(name) && !only.includes(m.file)) continue;
    const ref = reference.models[m.file];
    if (!ref) throw new Error(`${m.file}: not in ${referenceFile} (npm run zoo)`);
    const args = ['--import', rssProbe, cli, 'inspect', path.join(zoo, m.file), '--json'];
    if (hasInputShape) for (const i of m.inputs) args.push('--input-shape', `${i.name}=${i.shape.join('x')}`);
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const inspectMs = Number(process.hrtime.bigint() - t) / 1e6;
    const rss = /ZOO_MAXRSS_KB (\d+)/.exec(r.stderr ?? '');
    const refMacs = convention === 'textbook' ? ref.macs : ref.macsPlusElementOps;
    const row: Row = {
      model: name,
      family: m.family,
      mb: m.bytes / 1e6,
      input: m.inputs.map((i) => `${i.name}=${i.shape.join('x')}${Object.keys(i.dynamic).length ? '*' : ''}`).join(' '),
      refMacs,
      refParams: ref.parameters,
      ourMacs: null,
      ourParams: null,
      macsComplete: null,
      macsDiff: null,
      paramsDiff: null,
      pass: false,
      unknownOps: [],
      refByOp: convention === 'textbook' ? ref.macsByOp : sumInto(ref.macsByOp, ref.elementOps),
      ourByOp: {},
      inspectMs,
      peakRssMb: rss ? Number(rss[1]) / 1024 : null,
    };
    if (r.status !== 0) {
      row.error = `exit ${r.status}: ${(r.stderr ?? '').replace(/ZOO_MAXRSS_KB \d+/, '').trim().split('\n')[0]}`;
    } else {
      const s = JSON.parse(r.stdout).summary;
      row.ourMacs = s.macs;
      row.ourParams = s.parameters;
      row.macsComplete = s.macsComplete;
      row.ourByOp = s.macsByOp;
      row.unknownOps = Object.keys(s.macsByOp).filter((k) => s.macsByOp[k] === 'unknown');
      row.macsDiff = relDiff(s.macs, refMacs);
      row.paramsDiff = relDiff(s.parameters, ref.parameters);
      row.pass = row.macsDiff <= TOLERANCE && row.paramsDiff <= TOLERANCE && s.macsComplete === true;
    }
    rows.push(row);
  }
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ convention, hasInputShape, rows }, null, 1));
  } else {
    console.log(`zoo: ${zoo}; MACs convention: ${convention} (${convention === 'textbook' ? reference.conventions.macs : reference.conventions.elementOps})`);
    console.log(`inspect ${hasInputShape ? 'given --input-shape for every input' : 'has no --input-shape option: dynamic dims (*) are left to its default'}; pass = MACs and parameters within ${TOLERANCE * 100}% and macsComplete\n`);
    console.log('| model | family | MB | input | MACs ref | MACs ours | diff | params ref | params ours | diff | macsComplete (unknown ops) | inspect ms | peak RSS MB | pass |');
    console.log('|---|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|');
    for (const r of rows) {
      const unknown = r.unknownOps.length ? ` (${r.unknownOps.slice(0, 4).join(', ')}${r.unknownOps.length > 4 ? ', ...' : ''})` : '';
      console.log(`| ${r.model} | ${r.family} | ${r.mb.toFixed(1)} | ${r.input} | ${fmt(r.refMacs)} | ${fmt(r.ourMacs)} | ${pct(r.macsDiff)} | ${fmt(r.refParams)} | ${fmt(r.ourParams)} | ${pct(r.paramsDiff)} | ${r.macsComplete ?? '-'}${unknown} | ${r.inspectMs.toFixed(0)} | ${r.peakRssMb?.toFixed(0) ?? '-'} | ${r.pass ? 'pass' : r.error ? `FAIL (${r.error})` : 'FAIL'} |`);
    }
    console.log(`\n${rows.filter((r) => r.pass).length}/${rows.length} pass`);
    if (argv.includes('--verbose')) {
      // Per operator type, for the models that fail: where the counts part.
      for (const r of rows.filter((x) => !x.pass)) {
        console.log(`\n${r.model}: MACs per operator type (reference vs ours)`);
        for (const op of [...new Set([...Object.keys(r.refByOp), ...Object.keys(r.ourByOp)])].sort()) {
          const ours = r.ourByOp[op];
          const ref = r.refByOp[op] ?? 0;
          if (ours === undefined && ref === 0) continue;
          console.log(`  ${op}: ${fmt(ref)} vs ${ours === 'unknown' ? 'unknown' : fmt(ours ?? 0)}${typeof ours === 'number' ? ` (${pct(relDiff(ours, ref))})` : ''}`);
        }
      }
    }
  }
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}

main();
