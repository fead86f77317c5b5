// A small argument parser: `--flag value`, repeated flags collect, `--bool` flags take no value.
import { SpecError } from '../core/spaces/space';

export interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string[]>;
  positional: string[];
}

export function parseArgs(argv: string[], booleans: Set<string>): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      let value: string;
      if (eq > 0) value = a.slice(eq + 1);
      else if (booleans.has(name)) value = 'true';
      else {
        if (i + 1 >= argv.length) throw new SpecError(`--${name} needs a value`);
        value = argv[++i];
      }
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else if (command === undefined) command = a;
    else positional.push(a);
  }
  return { command, flags, positional };
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
  /** Rejects flags a command does not know, so typos are not silently ignored. */
  only(allowed: string[]): void {
    for (const k of this.p.flags.keys()) {
      if (!allowed.includes(k)) throw new SpecError(`unknown option --${k} for ${this.p.command} (known: ${allowed.map((a) => '--' + a).join(' ')})`);
    }
  }
}
