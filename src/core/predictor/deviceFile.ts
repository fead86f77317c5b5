// DEVICE.json as read from disk (`predict --device FILE`, `nas --device FILE`, the extension's stored
// adaptations): nothing in it is trusted. Every field is checked against what the predictor reading it
// expects (types; tensor shapes from the network; coefficient counts from the mapping; finite numbers;
// source indices within the bank) before anything is allocated from it: a tensor's base64 text must have
// exactly the length its shape implies before it is decoded. One function per shape; a failure names the
// field (`adaptation.head[0].data: ...`).
//
// What happens then (loadDeviceFile): a broken envelope or broken samples is an error naming the field
// (exit 2 in the CLI). The adaptation is only a cache of what the samples give with these weights (it is
// already recomputed when the weights change), so a broken adaptation, or one that does not reproduce its
// own samples, is recomputed from the samples with a warning naming the field.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SpecError } from '../spaces/space';
import type { PredictorSpace } from '../spaces/registry';
import { neutraliseForDisplay } from '../text/safeText';
import type { CombinationKind } from './combine';
import type { DeviceFile, DeviceSample } from './service';

export const DEVICE_FORMAT = 'help-device';
export const DEVICE_VERSION = 1;

/** A device file is about 300 KB; anything far larger is not one (and is not read into memory). */
export const MAX_DEVICE_FILE_BYTES = 64 << 20;
const MAX_NAME_CHARS = 256;
/** Blends of blends occur (a blend of families, one of which is the convex source mix); deeper is not ours. */
const MAX_BLEND_DEPTH = 3;
const MAX_BLEND_PARTS = 64;

/** What the predictor reading a device file expects its adaptation to look like. */
export interface AdaptationShape {
  /** HELP: shapes of the adapted head's tensors and of the hardware embedding (absent for HAT). */
  head?: number[][];
  hw?: number[];
  /** Size of the source bank that `combination.sources` index into. */
  sources: number;
  /** Cost features per architecture (0: the space has none). */
  costFeatures: number;
  /** The mapping kinds this predictor writes. */
  kinds: readonly CombinationKind[];
  /** HAT: coefficients are one per source (no network output), parts may be power laws (`log`). */
  sourcesOnly?: boolean;
}

/** A field of a device file that is not what it must be; `field` is its path, e.g. adaptation.head[0].data. */
export class DeviceFieldError extends SpecError {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A short description of a value for a message (never the whole value: it may be huge or hostile). */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const short = v.length <= 8 && v.every((x) => typeof x === 'number' || typeof x === 'boolean' || x === null);
    return short ? `[${v.map((x) => String(x)).join(', ')}]` : `an array of ${v.length}`;
  }
  if (typeof v === 'string') return neutraliseForDisplay(JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v));
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === undefined ? 'nothing' : 'an object';
}

function fail(field: string, expected: string, got?: unknown): never {
  throw new DeviceFieldError(field, arguments.length > 2 ? `expected ${expected}, got ${describe(got)}` : expected);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function objectAt(v: unknown, field: string): Record<string, unknown> {
  if (!isObject(v)) fail(field, 'an object', v);
  return v;
}

function finiteAt(v: unknown, field: string, what = 'a finite number'): number {
  if (!isFiniteNumber(v)) fail(field, what, v);
  return v;
}

function stringAt(v: unknown, field: string, maxChars: number): string {
  if (typeof v !== 'string') fail(field, 'a string', v);
  if (v.length > maxChars) fail(field, `at most ${maxChars} characters, got ${v.length}`);
  return v;
}

/** An array checked for being one (and its length) before any element is looked at. */
function arrayAt(v: unknown, field: string, expected: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v) || v.length < min || v.length > max) fail(field, expected, v);
  return v;
}

function finiteArrayAt(v: unknown, field: string, length: number): number[] {
  const what = `an array of ${length} finite numbers`;
  const a = arrayAt(v, field, what, length, length);
  for (let k = 0; k < a.length; k++) if (!isFiniteNumber(a[k])) fail(`${field}[${k}]`, 'a finite number', a[k]);
  return a as number[];
}

// ---- the envelope: what the file is, and its samples ----

function checkSample(s: unknown, field: string): DeviceSample {
  const o = objectAt(s, field);
  stringAt(o.arch, `${field}.arch`, 1 << 16);
  if (!isFiniteNumber(o.latency_ms) || o.latency_ms <= 0) fail(`${field}.latency_ms`, 'a positive finite number of milliseconds', o.latency_ms);
  if (o.spread !== undefined && (!isFiniteNumber(o.spread) || o.spread < 0)) fail(`${field}.spread`, 'a non-negative finite number', o.spread);
  return o as unknown as DeviceSample;
}

/**
 * The fields around the adaptation: format, version, space, name, created, weightsId, samplesSha256 and
 * every sample. The adaptation itself is checked by checkAdaptation (it can be recomputed; these cannot).
 */
export function checkDeviceEnvelope(raw: unknown, space: string): DeviceFile {
  if (!isObject(raw)) throw new DeviceFieldError('(top level)', `expected a HELP device file (a JSON object), got ${describe(raw)}`);
  if (raw.format !== DEVICE_FORMAT) throw new DeviceFieldError('format', `expected "${DEVICE_FORMAT}", got ${describe(raw.format)}: not a HELP device file`);
  if (typeof raw.version !== 'number') fail('version', `the number ${DEVICE_VERSION}`, raw.version);
  if (raw.version !== DEVICE_VERSION) throw new DeviceFieldError('version', `device file version ${describe(raw.version)} is not supported (expected ${DEVICE_VERSION})`);
  if (typeof raw.space !== 'string') fail('space', `"${space}"`, raw.space);
  if (raw.space !== space) throw new DeviceFieldError('space', `a ${describe(raw.space)} device, not ${space}`);
  const name = stringAt(raw.name, 'name', MAX_NAME_CHARS);
  if (name.trim() === '') fail('name', 'a device name', name);
  if (raw.created !== undefined) stringAt(raw.created, 'created', 64);
  stringAt(raw.weightsId, 'weightsId', 64);
  if (raw.samplesSha256 !== undefined && (typeof raw.samplesSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(raw.samplesSha256))) {
    fail('samplesSha256', 'a SHA-256 in hex', raw.samplesSha256);
  }
  const samples = arrayAt(raw.samples, 'samples', 'a non-empty array of samples', 1, Infinity);
  for (let k = 0; k < samples.length; k++) checkSample(samples[k], `samples[${k}]`);
  return raw as unknown as DeviceFile;
}

// ---- the adaptation ----

/** Base64 characters of `bytes` bytes (with padding, as Buffer writes it). */
function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** A serialized float32 tensor of exactly `shape`, every value finite. */
function checkTensor(t: unknown, field: string, shape: number[]): void {
  const o = objectAt(t, field);
  const s = arrayAt(o.shape, `${field}.shape`, `[${shape.join(', ')}]`, shape.length, shape.length);
  if (s.some((d, k) => d !== shape[k])) fail(`${field}.shape`, `[${shape.join(', ')}]`, s);
  const n = shape.reduce((a, b) => a * b, 1);
  const expected = `a base64 string of ${n} float32 numbers`;
  // The length is checked before decoding: a lying length never allocates.
  if (typeof o.data !== 'string' || o.data.length !== base64Length(4 * n)) fail(`${field}.data`, expected, o.data);
  const buf = Buffer.from(o.data, 'base64');
  if (buf.byteLength !== 4 * n) fail(`${field}.data`, `${expected} (not valid base64)`);
  for (let k = 0; k < n; k++) if (!Number.isFinite(buf.readFloatLE(4 * k))) fail(`${field}.data`, `${expected} (value ${k} is ${buf.readFloatLE(4 * k)})`);
}

function sourceIndicesAt(v: unknown, field: string, bank: number): number[] {
  const what = `an array of distinct source indices from 0 to ${bank - 1}`;
  const a = arrayAt(v, field, bank > 0 ? what : 'an empty array (this space has no source bank)', 0, bank);
  const seen = new Set<number>();
  for (let k = 0; k < a.length; k++) {
    const j = a[k];
    if (typeof j !== 'number' || !Number.isInteger(j) || j < 0 || j >= bank || seen.has(j)) fail(`${field}[${k}]`, bank > 0 ? `a new source index from 0 to ${bank - 1}` : 'no source index', j);
    seen.add(j);
  }
  return a as number[];
}

/**
 * The millisecond mapping (combine.ts / transfer.ts): a kind this predictor writes, source indices within
 * the bank, as many finite coefficients as the kind, its sources and cost features take, and for a blend,
 * parts with weights on the simplex. Blends nest at most MAX_BLEND_DEPTH deep, walked with a stack.
 */
export function checkCombination(c: unknown, field: string, shape: AdaptationShape): void {
  const stack: { c: unknown; field: string; depth: number }[] = [{ c, field, depth: 1 }];
  while (stack.length) {
    const item = stack.pop()!;
    const f = item.field;
    const o = objectAt(item.c, f);
    if (typeof o.kind !== 'string' || !shape.kinds.includes(o.kind as CombinationKind)) fail(`${f}.kind`, `one of ${shape.kinds.join(', ')}`, o.kind);
    if (!isFiniteNumber(o.looMse) || o.looMse < 0) fail(`${f}.looMse`, 'a non-negative finite number', o.looMse);
    if (o.cost !== undefined && typeof o.cost !== 'boolean') fail(`${f}.cost`, 'true, false or nothing', o.cost);
    if (o.cost && shape.costFeatures === 0) fail(`${f}.cost`, 'nothing (this space has no cost features)', o.cost);
    if (o.log !== undefined && (!shape.sourcesOnly || typeof o.log !== 'boolean')) fail(`${f}.log`, shape.sourcesOnly ? 'true, false or nothing' : 'nothing', o.log);
    const sources = sourceIndicesAt(o.sources, `${f}.sources`, shape.sources);
    if (o.kind === 'blend') {
      if (item.depth >= MAX_BLEND_DEPTH) fail(`${f}.parts`, `blends nested at most ${MAX_BLEND_DEPTH} deep`);
      const parts = arrayAt(o.parts, `${f}.parts`, `an array of 1 to ${MAX_BLEND_PARTS} mappings`, 1, MAX_BLEND_PARTS);
      const weights = finiteArrayAt(o.weights, `${f}.weights`, parts.length);
      if (weights.some((w) => w < 0) || Math.abs(weights.reduce((a, b) => a + b, 0) - 1) > 1e-6) fail(`${f}.weights`, `${parts.length} non-negative numbers summing to 1`);
      // Prediction reads source latencies and cost features only when the top of the mapping says so.
      for (let k = 0; k < parts.length; k++) {
        const p = objectAt(parts[k], `${f}.parts[${k}]`);
        if (Array.isArray(p.sources) && p.sources.some((j) => !sources.includes(j as number))) fail(`${f}.sources`, `every source of its parts (part ${k} uses ${describe(p.sources)})`);
        if (p.cost === true && o.cost !== true) fail(`${f}.cost`, `true (part ${k} uses cost features)`, o.cost);
        stack.push({ c: p, field: `${f}.parts[${k}]`, depth: item.depth + 1 });
      }
      continue;
    }
    if (o.kind === 'cost' && o.cost !== true) fail(`${f}.cost`, 'true (kind "cost")', o.cost);
    finiteAt(o.intercept, `${f}.intercept`);
    const n = shape.sourcesOnly ? sources.length : (o.kind === 'cost' ? 0 : 1) + sources.length + (o.cost ? shape.costFeatures : 0);
    finiteArrayAt(o.coef, `${f}.coef`, n);
    if (o.bags !== undefined && (typeof o.bags !== 'number' || !Number.isInteger(o.bags) || o.bags < 1)) fail(`${f}.bags`, 'a positive integer', o.bags);
  }
}

function checkSpike(s: unknown, field: string): void {
  const o = objectAt(s, field);
  stringAt(o.arch, `${field}.arch`, 1 << 16);
  finiteAt(o.latency_ms, `${field}.latency_ms`);
  finiteAt(o.fitted_ms, `${field}.fitted_ms`);
}

/** The `adaptation` of a device file whose envelope passed checkDeviceEnvelope. */
export function checkAdaptation(a: unknown, shape: AdaptationShape, sampleCount: number): void {
  const o = objectAt(a, 'adaptation');
  arrayAt(o.sourceDevices, 'adaptation.sourceDevices', 'an array of device names', 0, Math.max(shape.sources, 0));
  if (shape.head) {
    finiteAt(o.mean, 'adaptation.mean');
    if (!isFiniteNumber(o.std) || o.std <= 0) fail('adaptation.std', 'a positive finite number', o.std);
    const head = arrayAt(o.head, 'adaptation.head', `an array of ${shape.head.length} tensors`, shape.head.length, shape.head.length);
    for (let k = 0; k < head.length; k++) checkTensor(head[k], `adaptation.head[${k}]`, shape.head[k]);
    checkTensor(o.hw, 'adaptation.hw', shape.hw!);
  }
  checkCombination(o.combination, 'adaptation.combination', shape);
  if (o.spikes !== undefined) {
    const spikes = arrayAt(o.spikes, 'adaptation.spikes', `an array of at most ${sampleCount} spikes`, 0, sampleCount);
    for (let k = 0; k < spikes.length; k++) checkSpike(spikes[k], `adaptation.spikes[${k}]`);
  }
}

/**
 * Whether a stored mapping reproduces its own samples (spikes, which it leaves out, excluded): every
 * prediction finite, and the error no more than a few times what the mapping claims (`looMse`) plus 10%
 * of the samples' scale. Catches numbers that pass every type check but cannot be the fit of these samples
 * (an intercept of 1e308, coefficients from another device).
 */
export function reproducesSamples(predicted: number[], measured: number[], looMse: number): string | undefined {
  let worst = -1;
  let sq = 0;
  let scale = 0;
  for (let k = 0; k < measured.length; k++) {
    const e = predicted[k] - measured[k];
    if (!Number.isFinite(predicted[k])) return `it predicts ${predicted[k]} ms for sample ${k}`;
    sq += e * e;
    scale += measured[k] * measured[k];
    if (worst < 0 || Math.abs(e) > Math.abs(predicted[worst] - measured[worst])) worst = k;
  }
  if (worst < 0) return undefined;
  const rmse = Math.sqrt(sq / measured.length);
  const allowed = 3 * Math.sqrt(looMse) + 0.1 * Math.sqrt(scale / measured.length);
  if (rmse <= allowed) return undefined;
  const fmt = (v: number) => (!Number.isFinite(v) ? 'beyond 1e308' : Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toFixed(3));
  return `it gives ${fmt(predicted[worst])} ms for a sample measured at ${fmt(measured[worst])} ms (RMSE ${fmt(rmse)} ms on its samples, at most ${fmt(allowed)} expected)`;
}

// ---- reading from disk ----

/** `foo.json` -> `foo.samples.json`: the raw measurements kept beside a device file. */
export function samplesPathFor(deviceFile: string): string {
  return deviceFile.replace(/(\.json)?$/i, '.samples.json');
}

export function sha256Hex(content: string | Uint8Array): string {
  return crypto.createHash('sha256').update(content).digest('hex');
}

/** A regular file's bytes, refused when it is not one (a FIFO would block) or larger than `maxBytes`. */
export function readRegularFile(file: string, what: string, maxBytes: number): Buffer {
  const shown = neutraliseForDisplay(file);
  let fd: number;
  try {
    // Non-blocking, so that a FIFO swapped in for the file cannot hang the open.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new SpecError(`cannot read ${what} ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SpecError(`cannot read ${what} ${shown}: not a regular file`);
    if (st.size > maxBytes) throw new SpecError(`cannot read ${what} ${shown}: ${st.size} bytes, more than a ${what} can be (${maxBytes})`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function parseJson(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new SpecError(`${neutraliseForDisplay(file)}: not valid JSON (${neutraliseForDisplay((e as Error).message.split('\n')[0])})`);
  }
}

/** What loadDeviceFile needs from the predictor of a space. */
export interface DeviceFileReader {
  readonly space: PredictorSpace;
  readonly weightsId: string;
  readonly sourceDevices: string[];
  readonly adaptationShape: AdaptationShape;
  adapt(name: string, samples: DeviceSample[], where: string): DeviceFile;
  /** Milliseconds that the (checked) stored adaptation of `d` gives canonical specs. */
  predictStored(d: DeviceFile, specs: string[]): number[];
}

const sameList = (a: unknown, b: string[]) => Array.isArray(a) && a.length === b.length && a.every((x, k) => x === b[k]);

/**
 * A device file read, checked and ready to open: its own adaptation when that is intact and current, or a
 * re-adaptation from its samples (silently when the weights changed; with a warning when the adaptation is
 * broken, or when the raw samples beside it are newer than it: a save interrupted between the two files).
 */
export function loadDeviceFile(reader: DeviceFileReader, file: string, warn: (message: string) => void): DeviceFile {
  const shown = neutraliseForDisplay(file);
  const raw = parseJson(readRegularFile(file, 'device file', MAX_DEVICE_FILE_BYTES), file);
  let d: DeviceFile;
  try {
    d = checkDeviceEnvelope(raw, reader.space.name);
  } catch (e) {
    if (e instanceof DeviceFieldError) throw new SpecError(`${shown}: ${e.message}`);
    throw e;
  }
  const specs = d.samples.map((s, k) => {
    try {
      return reader.space.canonical(s.arch);
    } catch (e) {
      throw new SpecError(`${shown}: samples[${k}].arch: ${neutraliseForDisplay((e as Error).message.split('\n')[0])}`);
    }
  });
  const readapt = (why?: string): DeviceFile => {
    const fresh = { ...reader.adapt(d.name, d.samples, shown), created: d.created, ...(d.samplesSha256 ? { samplesSha256: d.samplesSha256 } : {}) };
    if (why) warn(`${shown}: ${why}; re-adapted from its ${d.samples.length} samples`);
    return fresh;
  };

  const newer = newerRawSamples(reader, file, d, warn);
  if (newer) return newer;
  const a = d.adaptation as unknown;
  // Adapted with other weights or another source bank: the samples inside make the file self-contained.
  if (d.weightsId !== reader.weightsId || (isObject(a) && !sameList(a.sourceDevices, reader.sourceDevices))) return readapt();
  try {
    checkAdaptation(a, reader.adaptationShape, d.samples.length);
  } catch (e) {
    if (e instanceof DeviceFieldError) return readapt(e.message);
    throw e;
  }
  const spikes = new Set((d.adaptation.spikes ?? []).map((s) => s.arch));
  const kept = specs.map((s, k) => k).filter((k) => !spikes.has(specs[k]));
  const predicted = reader.predictStored(d, kept.map((k) => specs[k]));
  const wrong = reproducesSamples(
    predicted,
    kept.map((k) => d.samples[k].latency_ms),
    d.adaptation.combination.looMse,
  );
  if (wrong) return readapt(`adaptation: does not reproduce its samples: ${wrong}`);
  return d;
}

/**
 * The raw samples beside a device file (saveAdapted writes them first, then the device file recording
 * their SHA-256): when they are not the ones the device records, the save was interrupted after them, and
 * the device they would have given is adapted from them (with a warning). Nothing when they match, are
 * absent, or the device records none (files written by `adapt`, or before the hash was recorded).
 */
function newerRawSamples(reader: DeviceFileReader, file: string, d: DeviceFile, warn: (message: string) => void): DeviceFile | undefined {
  if (!d.samplesSha256) return undefined;
  const samplesFile = samplesPathFor(file);
  if (samplesFile === file || !fs.existsSync(samplesFile)) return undefined;
  const shown = neutraliseForDisplay(file);
  const base = neutraliseForDisplay(path.basename(samplesFile));
  try {
    const bytes = readRegularFile(samplesFile, 'samples file', MAX_DEVICE_FILE_BYTES);
    const sha = sha256Hex(bytes);
    if (sha === d.samplesSha256) return undefined;
    const record = parseJson(bytes, samplesFile);
    if (!isObject(record) || !Array.isArray(record.samples)) throw new SpecError('expected {"space", "device", "samples": [...]}');
    if (record.space !== reader.space.name) throw new SpecError(`its space is ${describe(record.space)}, not ${reader.space.name}`);
    const samples = record.samples.map((s) => (isObject(s) ? { arch: s.arch, latency_ms: s.latency_ms, ...(s.spread !== undefined ? { spread: s.spread } : {}) } : s)) as DeviceSample[];
    const fresh = { ...reader.adapt(d.name, samples, base), samplesSha256: sha };
    warn(`${shown}: the raw samples beside it (${base}) are newer than it (its save was interrupted): adapted from their ${samples.length} samples`);
    return fresh;
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    warn(`${shown}: the raw samples beside it (${base}) do not belong to it and cannot be adapted from (${e.message.split('\n')[0]}): using the device as saved`);
    return undefined;
  }
}
