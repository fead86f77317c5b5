// The argument parser: `--flag value`, `--flag=value`, repeated flags collect, `--bool` flags take no value,
// `--` ends the options. It knows each command's options (help.ts), so a misspelt option is refused by name
// instead of swallowing the next argument as its value.
import { SpecError } from '../core/spaces/space';
import type { CommandHelp } from './help';

export interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string[]>;
  positional: string[];
  /** `-h` or `--help` was given. */
  help: boolean;
  /** `--version` was given. */
  version: boolean;
  /** The first problem with the arguments (an unknown option, a missing value, an extra argument). */
  error?: string;
}

/** `help CMD`: the one pseudo-command, taking the command to explain. */
const HELP_COMMAND: CommandHelp = { usage: 'help [COMMAND]', summary: '', options: [], positional: ['COMMAND'] };

const isOption = (a: string) => a.length > 1 && a.startsWith('-');

/** The command: the first argument that is neither an option nor an option's value (options may come first). */
function findCommand(argv: string[], commands: Record<string, CommandHelp>): number {
  const valued = new Set<string>();
  for (const c of Object.values(commands)) for (const o of c.options) if (o.value) valued.add(o.name);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return -1;
    if (!isOption(a)) return i;
    if (a.startsWith('--') && !a.includes('=') && valued.has(a.slice(2))) i++;
  }
  return -1;
}

/** Edit distance with transpositions (`jsno` is one from `json`), or Infinity beyond `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return Infinity;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length] <= max ? d[a.length][b.length] : Infinity;
}

/** The known option closest to a misspelt one, if any is close. */
export function closestOption(name: string, known: string[]): string | undefined {
  if (name.length > 64) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name, k, Math.min(2, Math.max(1, Math.floor(k.length / 3))));
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best === undefined) best = known.find((k) => k.startsWith(name) && name.length >= 2);
  return best;
}

export function parseArgs(argv: string[], commands: Record<string, CommandHelp>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const r: ParsedArgs = { command: undefined, flags, positional, help: false, version: false };
  const at = findCommand(argv, commands);
  if (at >= 0) r.command = argv[at];
  const spec = r.command === 'help' ? HELP_COMMAND : r.command !== undefined ? commands[r.command] : undefined;
  const fail = (msg: string) => {
    r.error ??= msg;
  };
  const where = r.command !== undefined ? ` for ${r.command}` : '';
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    if (i === at) continue;
    const a = argv[i];
    if (!optionsEnded && a === '--') {
      optionsEnded = true;
      continue;
    }
    if (optionsEnded || !isOption(a)) {
      if (r.command !== undefined && !spec) continue; // an unknown command: reported as such
      const allowed = spec?.positional ?? [];
      if (positional.length < allowed.length) positional.push(a);
      else fail(allowed.length ? `unexpected argument "${a}"${where} (it takes ${allowed.join(' ')} only)` : `unexpected argument "${a}"${where} (it takes options only)`);
      continue;
    }
    if (a === '-h' || a === '--help') {
      r.help = true;
      continue;
    }
    if (a === '--version') {
      r.version = true;
      continue;
    }
    if (!spec) {
      if (r.command === undefined) fail(`unknown option ${a.split('=')[0]} (give a command first; --help lists them)`);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : a.slice(1);
    const dashes = a.startsWith('--') ? '--' : '-';
    const option = dashes === '--' ? spec.options.find((o) => o.name === name) : undefined;
    if (!option) {
      if (r.error !== undefined) continue; // only the first problem is reported: no suggestion to compute
      const known = spec.options.map((o) => o.name);
      const near = closestOption(name, known);
      fail(`unknown option ${dashes}${name}${where} (${near ? `did you mean --${near}?` : known.length ? `known: ${known.map((k) => '--' + k).join(' ')}` : 'it takes none'})`);
      continue;
    }
    let value: string;
    if (!option.value) {
      if (eq > 0) {
        fail(`--${name} takes no value`);
        continue;
      }
      value = 'true';
    } else if (eq > 0) value = a.slice(eq + 1);
    else if (i + 1 < argv.length && i + 1 !== at && !argv[i + 1].startsWith('--')) value = argv[++i];
    else {
      fail(`--${name} needs a value (${option.value})`);
      continue;
    }
    const values = flags.get(name);
    if (values) values.push(value);
    else flags.set(name, [value]);
  }
  return r;
}

export class Args {
  constructor(private readonly p: ParsedArgs) {}
  get command() {
    return this.p.command;
  }
  get positional() {
    return this.p.positional;
  }
  has(name: string): boolean {
    return this.p.flags.has(name);
  }
  all(name: string): string[] {
    return this.p.flags.get(name) ?? [];
  }
  str(name: string): string | undefined {
    const v = this.p.flags.get(name);
    return v ? v[v.length - 1] : undefined;
  }
  required(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw new SpecError(`missing --${name}`);
    return v;
  }
  int(name: string, dflt: number, min = 0): number {
    const v = this.str(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new SpecError(`--${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  }
  list(name: string): string[] | undefined {
    const v = this.str(name);
    return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
  }
  /** Rejects flags a command does not take in this use (nas: options of another space's search). */
  only(allowed: string[]): void {
    for (const k of this.p.flags.keys()) {
      if (!allowed.includes(k)) throw new SpecError(`unknown option --${k} for ${this.p.command} (known: ${allowed.map((a) => '--' + a).join(' ')})`);
    }
  }
}
