// `scan PATH [--device D ...] [--json]`: what the editor would show for a file or a folder of files, without
// the editor. Text files are read with the editor's chunked finders (the same specs the CodeLens shows);
// .onnx files are recognised as the ONNX viewer does. Each architecture is predicted on the given devices,
// or on the primary devices the extension shows by default. `npm start` runs it on data/examples/.
import * as fs from 'fs';
import * as path from 'path';
import { Args } from './args';
import { CLI_SCAN_MS, linesAndColumns, readTextFile } from './specs';
import { findSpecsChunkedWithin } from '../core/spaces/chunkedSpecs';
import { ScanBudget } from '../core/spaces/scanBudget';
import { findBesidePackageJson } from '../core/paths';
import { primaryDevicesFor } from '../core/devices/primary';
import { readOnnxFile } from '../core/onnx/reader';
import { recogniseOnnx } from '../core/onnx/recognise';
import { loadPredictor, SpacePredictor } from '../core/predictor/load';
import { getSpace } from '../core/spaces/registry';
import { SpecError } from '../core/spaces/space';
import { neutraliseForDisplay } from '../core/text/safeText';

/** Bounds on a folder walk: a scan of a home folder by mistake stays short. */
const MAX_FILES = 2000;
const MAX_DEPTH = 8;
const MAX_TEXT_BYTES = 2 * 1024 * 1024;
const TEXT_EXTENSIONS = new Set(['.txt', '.py', '.md', '.json', '.jsonc', '.yaml', '.yml']);
const SKIP_FOLDERS = new Set(['node_modules', '.git', 'dist', '.cache']);

export interface ScanEntry {
  file: string;
  line?: number;
  space: string;
  spec: string;
  /** Milliseconds per device name. */
  latency_ms: Record<string, number>;
}

export interface ScanSkip {
  file: string;
  reason: string;
}

/** The files under `root` (itself when it is a file), breadth first, bounded in count and depth. */
export function filesToScan(root: string): { files: string[]; truncated: boolean } {
  const st = statOrThrow(root);
  if (st.isFile()) return { files: [root], truncated: false };
  if (!st.isDirectory()) throw new SpecError(`${neutraliseForDisplay(root)}: not a regular file or folder`);
  const files: string[] = [];
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  for (let q = 0; q < queue.length; q++) {
    const { dir, depth } = queue[q];
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (depth + 1 <= MAX_DEPTH && !SKIP_FOLDERS.has(d.name)) queue.push({ dir: p, depth: depth + 1 });
      } else if (d.isFile() && (TEXT_EXTENSIONS.has(path.extname(d.name).toLowerCase()) || /\.onnx$/i.test(d.name))) {
        if (files.length >= MAX_FILES) return { files, truncated: true };
        files.push(p);
      }
    }
  }
  return { files, truncated: false };
}

function statOrThrow(p: string): fs.Stats {
  try {
    return fs.statSync(p);
  } catch (e) {
    throw new SpecError(`cannot read ${neutraliseForDisplay(p)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The extension's default help.primaryDevices, from the package.json beside the CLI. */
export function defaultPrimaryDevices(): string[] {
  const file = findBesidePackageJson('package.json');
  if (!file) return [];
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    const d = pkg?.contributes?.configuration?.properties?.['help.primaryDevices']?.default;
    return Array.isArray(d) ? d.filter((x: unknown): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export async function scanCommand(args: Args): Promise<void> {
  if (args.positional.length !== 1) throw new SpecError('usage: scan PATH [--device D ...] [--json]');
  const root = args.positional[0];
  const { files, truncated } = filesToScan(root);
  const explicit = args.all('device');
  const wanted = explicit.length > 0 ? explicit : defaultPrimaryDevices();
  const found: { file: string; line?: number; space: string; spec: string }[] = [];
  const skipped: ScanSkip[] = [];
  for (const file of files) {
    if (/\.onnx$/i.test(file)) {
      try {
        const r = recogniseOnnx(readOnnxFile(file));
        if (r.space && r.spec) found.push({ file, space: r.space, spec: getSpace(r.space).canonical(r.spec) });
        else skipped.push({ file, reason: `not an architecture of a known space: ${'reason' in r ? r.reason : 'unrecognised'}` });
      } catch (e) {
        skipped.push({ file, reason: (e as Error).message.split('\n')[0] });
      }
      continue;
    }
    if (fs.statSync(file).size > MAX_TEXT_BYTES) {
      skipped.push({ file, reason: `larger than ${MAX_TEXT_BYTES / 1024 / 1024} MB` });
      continue;
    }
    // What the CodeLens shows: the chunked finder, with the CLI's budget.
    const text = readTextFile(file);
    const chunked = findSpecsChunkedWithin(text, ScanBudget.forText(text.length, CLI_SCAN_MS));
    const specs = [...chunked.specs].sort((a, b) => a.start - b.start);
    const exceeded = chunked.exceeded;
    if (exceeded) skipped.push({ file, reason: `scan stopped early (${exceeded}); later architectures are missing` });
    const positions = linesAndColumns(text, specs.map((s) => s.start));
    specs.forEach((s, k) => {
      try {
        found.push({ file, line: positions[k].line, space: s.space, spec: getSpace(s.space).canonical(s.spec) });
      } catch {
        /* the space's parser refuses what the finder delimited: left out, as the editor does */
      }
    });
  }
  const entries: ScanEntry[] = [];
  for (const spaceName of [...new Set(found.map((f) => f.space))]) {
    const mine = found.filter((f) => f.space === spaceName);
    const predictor = await loadPredictor(spaceName, args.str('weights'));
    const names = explicit.length > 0 ? explicit : primaryDevicesFor(wanted, predictor.builtinDevices());
    const handles = names.map((d) => predictor.resolve(d));
    const results = predictor.predictOnDevices(handles, mine.map((f) => f.spec));
    mine.forEach((f, i) => entries.push({ ...f, latency_ms: Object.fromEntries(handles.map((h, k) => [h.info.name, results[k][i]])) }));
  }
  const order = new Map(files.map((f, i) => [f, i]));
  entries.sort((a, b) => order.get(a.file)! - order.get(b.file)! || (a.line ?? 0) - (b.line ?? 0));
  if (args.has('json')) {
    process.stdout.write(JSON.stringify({ files: files.length, truncated, entries, skipped }, null, 1) + '\n');
    return;
  }
  const out: string[] = [];
  for (const e of entries) {
    const where = neutraliseForDisplay(path.relative(process.cwd(), e.file) || e.file) + (e.line ? `:${e.line}` : '');
    const spec = neutraliseForDisplay(e.spec.replace(/\s+/g, ' '));
    const lat = Object.entries(e.latency_ms)
      .map(([d, ms]) => `${neutraliseForDisplay(d)} ${ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)} ms`)
      .join(' · ');
    out.push(`${where}  [${e.space}] ${spec.length > 60 ? spec.slice(0, 57) + '...' : spec}\n    ${lat}`);
  }
  for (const s of skipped) out.push(`${neutraliseForDisplay(path.relative(process.cwd(), s.file) || s.file)}: ${neutraliseForDisplay(s.reason)}`);
  out.push(`${entries.length} architecture${entries.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}${truncated ? ` (stopped at ${MAX_FILES} files)` : ''}`);
  process.stdout.write(out.join('\n') + '\n');
}
