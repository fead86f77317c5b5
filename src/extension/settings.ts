// The help.* settings, validated. Pure (no vscode import): config.ts reads the raw values and shows the
// warnings; a bad entry is dropped with a warning naming it, never a failure to activate.
import { globProblem } from './glob';

export const RUNNERS = ['onnxruntime', 'command'] as const;
export type Runner = (typeof RUNNERS)[number];
export const KNOWN_SPACES = ['nasbench201', 'fbnet', 'ofa', 'hat'];
/** Spaces a help.devices entry may name: the NAS spaces, and `onnx` (any ONNX model, from its kernels). */
export const DEVICE_SPACES = [...KNOWN_SPACES, 'onnx'];

export interface DeviceSetting {
  name: string;
  space?: string;
  runner: Runner;
  command?: string;
  threads?: number;
  /** Seconds a command run may take; the first run's (runner "command"). */
  timeoutS?: number;
  firstRunTimeoutS?: number;
}

export interface HelpSettings {
  devices: DeviceSetting[];
  primaryDevices: string[];
  codeLensEnabled: boolean;
  exclude: string[];
  maxFileSizeMB: number;
  updateDelayMs: number;
  /** Architectures "HELP: Adapt to this machine" and "Measure on device" measure besides the 10 references. */
  adaptExtra: number;
}

export const DEFAULTS: HelpSettings = {
  devices: [],
  primaryDevices: ['gold_6226', 'titan_rtx_256', 'pixel2'],
  codeLensEnabled: true,
  exclude: ['**/node_modules/**', '**/.git/**'],
  maxFileSizeMB: 2,
  updateDelayMs: 400,
  adaptExtra: 10,
};

export interface RawSettings {
  devices?: unknown;
  primaryDevices?: unknown;
  codeLensEnabled?: unknown;
  exclude?: unknown;
  maxFileSizeMB?: unknown;
  updateDelayMs?: unknown;
  adaptExtra?: unknown;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** One help.devices entry; returns the device or the warning naming the entry. */
export function validateDevice(raw: unknown, index: number): DeviceSetting | string {
  const where = `help.devices[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return `${where}: expected an object {name, runner, ...}, got ${show(raw)}`;
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name.trim() === '') return `${where}: "name" must be a non-empty string`;
  const named = `${where} ("${r.name}")`;
  if (!/^[\w .@+-]{1,64}$/.test(r.name)) return `${named}: "name" may use letters, digits, spaces and . _ @ + - (at most 64 characters)`;
  if (r.space !== undefined && (typeof r.space !== 'string' || !DEVICE_SPACES.includes(r.space))) return `${named}: "space" must be one of ${DEVICE_SPACES.join(', ')}, got ${show(r.space)}`;
  const runner = r.runner ?? 'onnxruntime';
  if (typeof runner !== 'string' || !(RUNNERS as readonly string[]).includes(runner)) return `${named}: "runner" must be "onnxruntime" or "command", got ${show(r.runner)}`;
  if (runner === 'command' && (typeof r.command !== 'string' || r.command.trim() === '')) return `${named}: runner "command" needs a "command" string`;
  if (r.command !== undefined && typeof r.command !== 'string') return `${named}: "command" must be a string`;
  if (r.threads !== undefined && (typeof r.threads !== 'number' || !Number.isInteger(r.threads) || r.threads < 1 || r.threads > 256)) return `${named}: "threads" must be an integer from 1 to 256, got ${show(r.threads)}`;
  for (const key of ['timeoutS', 'firstRunTimeoutS'] as const) {
    const t = r[key];
    if (t === undefined) continue;
    if (typeof t !== 'number' || !(t > 0) || t > 86400) return `${named}: "${key}" must be a number of seconds above 0 and at most 86400, got ${show(t)}`;
    if (runner !== 'command') return `${named}: "${key}" applies to runner "command" only`;
  }
  const known = ['name', 'space', 'runner', 'command', 'threads', 'timeoutS', 'firstRunTimeoutS'];
  const extra = Object.keys(r).filter((k) => !known.includes(k));
  if (extra.length) return `${named}: unknown key "${extra[0]}" (known: ${known.join(', ')})`;
  const d: DeviceSetting = { name: r.name.trim(), runner: runner as Runner };
  if (r.space !== undefined) d.space = r.space as string;
  if (r.command !== undefined) d.command = r.command as string;
  if (r.threads !== undefined) d.threads = r.threads as number;
  if (r.timeoutS !== undefined) d.timeoutS = r.timeoutS as number;
  if (r.firstRunTimeoutS !== undefined) d.firstRunTimeoutS = r.firstRunTimeoutS as number;
  return d;
}

function stringList(raw: unknown, key: string, warnings: string[], fallback: string[]): string[] {
  if (raw === undefined) return fallback;
  if (!Array.isArray(raw)) {
    warnings.push(`${key}: expected a list of strings, got ${show(raw)}`);
    return fallback;
  }
  const out: string[] = [];
  raw.forEach((v, i) => {
    if (typeof v === 'string' && v.trim() !== '') out.push(v.trim());
    else warnings.push(`${key}[${i}]: expected a non-empty string, got ${show(v)}`);
  });
  return out;
}

/** help.exclude: a pattern that is not a valid glob matches nothing; it is dropped with a warning. */
function excludeGlobs(raw: unknown, warnings: string[]): string[] {
  const globs = stringList(raw, 'help.exclude', warnings, DEFAULTS.exclude);
  return globs.filter((g, i) => {
    const problem = globProblem(g);
    if (problem) warnings.push(`help.exclude[${i}] ${show(g)}: ${problem}; it is ignored`);
    return !problem;
  });
}

function numberIn(raw: unknown, key: string, lo: number, hi: number, warnings: string[], fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < lo || raw > hi) {
    warnings.push(`${key}: expected a number from ${lo} to ${hi}, got ${show(raw)}; using ${fallback}`);
    return fallback;
  }
  return raw;
}

/** Every setting, with defaults for missing or invalid values and one warning per invalid entry. */
export function validateSettings(raw: RawSettings): { settings: HelpSettings; warnings: string[] } {
  const warnings: string[] = [];
  const devices: DeviceSetting[] = [];
  if (raw.devices !== undefined && !Array.isArray(raw.devices)) warnings.push(`help.devices: expected a list of devices, got ${show(raw.devices)}`);
  else
    (raw.devices as unknown[] | undefined)?.forEach((d, i) => {
      const v = validateDevice(d, i);
      if (typeof v === 'string') warnings.push(v);
      else if (devices.some((e) => e.name === v.name)) warnings.push(`help.devices[${i}] ("${v.name}"): a device of that name is already listed; ignoring this one`);
      else devices.push(v);
    });
  let codeLensEnabled = DEFAULTS.codeLensEnabled;
  if (raw.codeLensEnabled !== undefined) {
    if (typeof raw.codeLensEnabled === 'boolean') codeLensEnabled = raw.codeLensEnabled;
    else warnings.push(`help.codeLens.enabled: expected true or false, got ${show(raw.codeLensEnabled)}`);
  }
  return {
    settings: {
      devices,
      primaryDevices: stringList(raw.primaryDevices, 'help.primaryDevices', warnings, DEFAULTS.primaryDevices),
      codeLensEnabled,
      exclude: excludeGlobs(raw.exclude, warnings),
      maxFileSizeMB: numberIn(raw.maxFileSizeMB, 'help.maxFileSizeMB', 0.001, 1024, warnings, DEFAULTS.maxFileSizeMB),
      updateDelayMs: Math.round(numberIn(raw.updateDelayMs, 'help.updateDelayMs', 0, 10000, warnings, DEFAULTS.updateDelayMs)),
      adaptExtra: Math.round(numberIn(raw.adaptExtra, 'help.adapt.extraArchitectures', 0, 200, warnings, DEFAULTS.adaptExtra)),
    },
    warnings,
  };
}
