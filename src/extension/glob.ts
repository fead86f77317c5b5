// Glob patterns of the help.exclude setting, matched against workspace-relative or absolute paths. Pure.
// Supported: ** (any folders), * and ? (within a folder), {a,b} alternatives, [abc] classes ([!a] negates).
//
// help.exclude is not a restricted setting: a repository can set it, so a pattern must not be able to
// freeze the editor or throw. A pattern is compiled to a small automaton and run over the path once, with
// every state it can be in at once (O(path x pattern), no backtracking: the regex it replaces took seconds
// on "*a*a*a*a*a*a*a*a*a*ab"). An invalid pattern ("[z-a]") matches nothing and is reported once.

type CharTest = (c: number) => boolean;

/** One instruction: consume a character that passes `test`, or branch (epsilon) to `x` and `y`, or match. */
type Instr = { op: 'char'; test: CharTest } | { op: 'split'; x: number; y: number } | { op: 'jump'; x: number } | { op: 'match' };

const SLASH = 47;
const notSlash: CharTest = (c) => c !== SLASH;
// A regex "." (which "**" used to be): anything but a line terminator.
const notTerminator: CharTest = (c) => c !== 10 && c !== 13 && c !== 0x2028 && c !== 0x2029;

class InvalidGlob extends Error {}

/** A "[...]" class's test (the text between the brackets). */
function classTest(body: string): CharTest {
  let negate = false;
  let k = 0;
  if (body[0] === '!' || body[0] === '^') {
    negate = true;
    k = 1;
  }
  const ranges: [number, number][] = [];
  while (k < body.length) {
    const lo = body.charCodeAt(k);
    if (body[k + 1] === '-' && k + 2 < body.length) {
      const hi = body.charCodeAt(k + 2);
      if (hi < lo) throw new InvalidGlob(`range "${body.slice(k, k + 3)}" is out of order`);
      ranges.push([lo, hi]);
      k += 3;
    } else {
      ranges.push([lo, lo]);
      k++;
    }
  }
  return (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi) !== negate;
}

/** Appends the instructions of `glob` (a whole pattern or one {a,b} alternative) to `prog`. */
function compile(glob: string, prog: Instr[]): void {
  const char = (test: CharTest) => prog.push({ op: 'char', test });
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // "**/": any number of folders (also none); a trailing "**": anything.
        const anyFolders = glob[i + 1] === '/';
        if (anyFolders) i++;
        const entry = prog.length;
        // entry: split(loop, exit); loop: char(any) jump entry  [then for "**/": the "/" is inside the repeat]
        prog.push({ op: 'split', x: entry + 1, y: -1 });
        if (anyFolders) {
          // (?:.*/)? as: repeat { anything ending in "/" } zero or one time, i.e. zero or more (.*/ absorbs it).
          const inner = prog.length;
          prog.push({ op: 'split', x: inner + 1, y: inner + 3 });
          char(notTerminator);
          prog.push({ op: 'jump', x: inner });
          char((d) => d === SLASH);
        } else {
          char(notTerminator);
          prog.push({ op: 'jump', x: entry });
        }
        (prog[entry] as { y: number }).y = prog.length;
      } else {
        const entry = prog.length;
        prog.push({ op: 'split', x: entry + 1, y: entry + 3 });
        char(notSlash);
        prog.push({ op: 'jump', x: entry });
      }
    } else if (c === '?') char(notSlash);
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) {
        char((d) => d === 123);
        continue;
      }
      const alternatives = glob.slice(i + 1, close).split(',');
      const jumpsToEnd: number[] = [];
      alternatives.forEach((alt, k) => {
        const last = k === alternatives.length - 1;
        const split = prog.length;
        if (!last) prog.push({ op: 'split', x: split + 1, y: -1 });
        compile(alt, prog);
        if (!last) {
          jumpsToEnd.push(prog.length);
          prog.push({ op: 'jump', x: -1 });
          (prog[split] as { y: number }).y = prog.length;
        }
      });
      for (const j of jumpsToEnd) (prog[j] as { x: number }).x = prog.length;
      i = close;
    } else if (c === '[') {
      const close = glob.indexOf(']', i);
      if (close < 0) {
        char((d) => d === 91);
        continue;
      }
      char(classTest(glob.slice(i + 1, close)));
      i = close;
    } else {
      const code = glob.charCodeAt(i);
      char((d) => d === code);
    }
  }
}

/**
 * Whether `prog` matches `path` from its start or from just after any "/" to its end: all the states the
 * automaton can be in are followed together, a character at a time.
 */
function run(prog: Instr[], path: string): boolean {
  const seen = new Int32Array(prog.length).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  const stack: number[] = [];
  // Adds pc and what it reaches without reading (epsilon closure) to `into`, once per step.
  const add = (pc: number, step: number, into: number[]) => {
    stack.push(pc);
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen[p] === step) continue;
      seen[p] = step;
      const ins = prog[p];
      if (ins.op === 'split') stack.push(ins.y, ins.x);
      else if (ins.op === 'jump') stack.push(ins.x);
      else into.push(p);
    }
  };
  for (let i = 0; ; i++) {
    // A match may start here: at the start, or after a folder separator.
    if (i === 0 || path.charCodeAt(i - 1) === SLASH) add(0, i, current);
    if (i === path.length) return current.some((p) => prog[p].op === 'match');
    const c = path.charCodeAt(i);
    next.length = 0;
    for (const p of current) {
      const ins = prog[p];
      if (ins.op === 'char' && ins.test(c)) add(p + 1, i + 1, next);
    }
    [current, next] = [next, current];
  }
}

const compiled = new Map<string, Instr[] | InvalidGlob>();

function program(glob: string): Instr[] | InvalidGlob {
  let prog = compiled.get(glob);
  if (prog) return prog;
  try {
    const g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
    prog = [];
    compile(g.includes('/') ? g : `**/${g}`, prog);
    prog.push({ op: 'match' });
  } catch (e) {
    if (!(e instanceof InvalidGlob)) throw e;
    prog = e;
  }
  if (compiled.size >= 256) compiled.delete(compiled.keys().next().value as string);
  compiled.set(glob, prog);
  return prog;
}

/** Why `glob` is not a valid pattern (it then matches nothing), or undefined. */
export function globProblem(glob: string): string | undefined {
  const prog = program(glob);
  return prog instanceof InvalidGlob ? prog.message : undefined;
}

/** A matcher for a glob; a pattern without "/" matches a file name in any folder (as files.exclude does
 *  for "**" prefixed patterns). Relative patterns match a suffix of an absolute path at a folder boundary.
 *  An invalid pattern (see globProblem) matches nothing. */
export function globMatcher(glob: string): (path: string) => boolean {
  const prog = program(glob);
  if (prog instanceof InvalidGlob) return () => false;
  return (p) => run(prog, p.replace(/\\/g, '/'));
}

/** True when `path` matches any of the globs. */
export function isExcluded(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globMatcher(g)(path));
}
