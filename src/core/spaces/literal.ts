// A small tolerant literal reader (JSON, Python literals, YAML flow and block collections) shared by the
// spaces whose specs users paste from all three kinds of files (fbnet.ts, ofa.ts, hat.ts).
import { SpecError } from './space';
import { ScanBudget } from './scanBudget';

export type Literal = null | boolean | number | string | Literal[] | { [key: string]: Literal };

/** 1-based line and column of offset `at` (for error messages). */
function lineCol(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return `line ${line}, column ${at - start + 1}`;
}

function describe(text: string, at: number): string {
  return at >= text.length ? 'end of text' : `"${text[at]}"`;
}

function setKey(obj: { [key: string]: Literal }, key: string, value: Literal): boolean {
  if (Object.prototype.hasOwnProperty.call(obj, key)) return false;
  // defineProperty: a key such as "__proto__" must stay an ordinary key.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return true;
}

const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain (unquoted) scalar: YAML/Python/JSON keywords and numbers, otherwise the word itself. */
function plainScalar(s: string): Literal {
  if (NUMBER_RE.test(s)) return Number(s);
  if (s === 'null' || s === 'None' || s === '~' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True') return true;
  if (s === 'false' || s === 'False') return false;
  return s;
}

/** What a finder's reader returns where a parser throws a SpecError: the finders drop the message, and
 *  building an Error (its stack trace) and unwinding to the catch cost more than the failed attempt. */
class NotAValue {}
const NOT_A_VALUE = new NotAValue();

/** Thrown by a scan whose budget is spent (the finders stop and keep what they found). */
export class BudgetExceeded extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'BudgetExceeded';
  }
}

/**
 * What one finder's scan of a text remembers between the flow values it tries (one at every "{"): every
 * container already read (its value and end, or that it is not a value) and the ends of the multi-line gaps (blank and
 * comment lines) already skipped. A literal is context free, so a "{" or "[" read inside an earlier attempt
 * reads the same on its own: with the memory each container and gap is read once, whatever the nesting.
 */
export class FlowScan {
  readonly containers = new Map<number, { value: Literal; end: number } | NotAValue>();
  // Disjoint intervals [gapFirst[i], gapEnd[i]): a gap through a newline in one ends at its gapEnd (all the
  // newlines of a gap belong to it: comments stop before them).
  private readonly gapFirst: number[] = [];
  private readonly gapEnd: number[] = [];
  private lineFrom = -1;
  private lineEnd = -1;
  private keptAfterPurge = 0;

  constructor(
    readonly text: string,
    readonly budget?: ScanBudget,
  ) {}

  /** Offset of the first "\n" at or after `at` (or the text's length); one search per line however asked. */
  endOfLine(at: number): number {
    if (at >= this.lineFrom && at <= this.lineEnd) return this.lineEnd;
    let e = this.text.indexOf('\n', at);
    if (e < 0) e = this.text.length;
    this.budget?.spend((e - at) >> 4);
    this.lineFrom = at;
    this.lineEnd = e;
    return e;
  }

  /** End of the recorded gap holding the newline at `at`, or -1. */
  gapThrough(at: number): number {
    const f = this.gapFirst;
    let lo = 0;
    let hi = f.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (f[mid] <= at) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && at < this.gapEnd[hi] ? this.gapEnd[hi] : -1;
  }

  recordGap(firstNewline: number, end: number): void {
    const e = this.gapEnd;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid] < end) lo = mid + 1;
      else hi = mid;
    }
    if (lo < e.length && e[lo] === end) this.gapFirst[lo] = Math.min(this.gapFirst[lo], firstNewline);
    else {
      this.gapFirst.splice(lo, 0, firstNewline);
      e.splice(lo, 0, end);
    }
  }

  /** Drops what no attempt at `at` or later can ask for (they read only from `at` on). */
  forgetBefore(at: number): void {
    if (this.containers.size > Math.max(4096, 2 * this.keptAfterPurge)) {
      for (const k of this.containers.keys()) if (k < at) this.containers.delete(k);
      this.keptAfterPurge = this.containers.size;
    }
    if (this.gapEnd.length > 4096 && this.gapEnd[this.gapEnd.length >> 1] <= at) {
      let k = 0;
      while (k < this.gapEnd.length && this.gapEnd[k] <= at) k++;
      this.gapFirst.splice(0, k);
      this.gapEnd.splice(0, k);
    }
  }
}

// A number (no backtracking beyond one token: each part is tried once), a word, or "~".
const SCALAR_RE = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])|[A-Za-z_][\w.-]*|~/y;
const KEY_RE = /[^\s:,{}[\]()#'"]+/y;

// In a finder's scan, how deep containers are read (a spec is at most MAX_SPEC_DEPTH deep: HAT's nested
// form is 3). Bounds the memory of a scan of "{ks:{ks:{ks:...".
const MAX_SCAN_DEPTH = 64;
const MAX_SPEC_DEPTH = 8;

/** A container being read: a list (or tuple) or a mapping, with its next key. */
interface Frame {
  open: number;
  close: string;
  items?: Literal[];
  obj?: { [key: string]: Literal };
  key?: string;
  keyAt?: number;
}

/** Flow values: JSON, Python list/tuple/dict literals, YAML flow collections. Comments: # and //. Reads with
 *  an explicit stack (no recursion: nesting depth is the text's to choose). A parse error throws a SpecError;
 *  in a finder's scan it is returned as NOT_A_VALUE instead (exceptions thrown and caught at every "{" of a
 *  large text cost more than the reading). */
class FlowReader {
  constructor(
    readonly text: string,
    public pos: number,
    readonly what: string,
    readonly positions = true,
    readonly scan?: FlowScan,
  ) {}

  fail(msg: string, at = this.pos): NotAValue {
    if (this.scan) return NOT_A_VALUE;
    // Finders try every "{" of a document and drop the errors: counting lines from the start of the text
    // for each would make a scan quadratic in the document's length.
    throw new SpecError(`${this.what}: ${msg} at ${this.positions ? lineCol(this.text, at) : `offset ${at}`}`);
  }

  skip(): void {
    const t = this.text;
    const scan = this.scan;
    const from = this.pos;
    let p = from;
    let firstNewline = -1;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c === 10) {
        if (scan) {
          const end = scan.gapThrough(p);
          if (end >= 0) {
            p = end;
            break;
          }
          if (firstNewline < 0) firstNewline = p;
        }
        p++;
      } else if (c === 32 || c === 9 || c === 13) p++;
      else if (c === 35 || (c === 47 && t.charCodeAt(p + 1) === 47)) {
        if (scan) p = scan.endOfLine(p);
        else {
          const e = t.indexOf('\n', p);
          p = e < 0 ? t.length : e;
        }
      } else break;
    }
    if (scan && firstNewline >= 0) scan.recordGap(firstNewline, p);
    this.pos = p;
    if (scan?.budget && !scan.budget.spend(1 + ((p - from) >> 4))) throw new BudgetExceeded(scan.budget.exceeded!);
  }

  /** A scalar or a string at pos. */
  private atom(): Literal | NotAValue {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.str();
    SCALAR_RE.lastIndex = this.pos;
    const m = SCALAR_RE.exec(this.text);
    if (!m) return this.fail(`unexpected ${describe(this.text, this.pos)}`);
    this.pos += m[0].length;
    return plainScalar(m[0]);
  }

  /** After "[" or "," (or "{" or ","): the closing bracket (then the container's value) or the next entry
   *  begins (then undefined; a mapping's key and ":" are read). */
  private nextEntry(f: Frame, outermost: boolean): Literal | undefined | NotAValue {
    this.skip();
    if (this.text[this.pos] === f.close) {
      this.pos++;
      return this.closed(f, outermost);
    }
    if (this.pos >= this.text.length) return this.fail(f.obj ? 'unterminated mapping (missing "}")' : `unterminated list (missing "${f.close}")`, f.open);
    if (!f.obj) return undefined;
    f.keyAt = this.pos;
    const q = this.text[this.pos];
    if (q === '"' || q === "'") {
      const key = this.str();
      if (key instanceof NotAValue) return key;
      f.key = key;
    } else {
      KEY_RE.lastIndex = this.pos;
      const m = KEY_RE.exec(this.text);
      if (!m) return this.fail(`expected a key but found ${describe(this.text, this.pos)}`);
      f.key = m[0];
      this.pos += f.key.length;
    }
    this.skip();
    if (this.text[this.pos] !== ':') return this.fail(`expected ":" after key "${f.key}"`);
    this.pos++;
    return undefined;
  }

  private closed(f: Frame, outermost: boolean): Literal {
    const value = f.obj ?? f.items!;
    if (!outermost) this.scan?.containers.set(f.open, { value, end: this.pos });
    return value;
  }

  value(): Literal {
    const v = this.read();
    if (v instanceof NotAValue) throw new SpecError(`${this.what}: not a value`); // (only in a scan: fail throws otherwise)
    return v;
  }

  /** The value at pos, or NOT_A_VALUE (in a scan; every container it opened is remembered as failed). */
  read(): Literal | NotAValue {
    const stack: Frame[] = [];
    const start = this.pos;
    // (The container at the start is not remembered: later attempts and lookups are all after it.)
    const failed = () => {
      if (this.scan) for (const f of stack) if (f.open !== start) this.scan.containers.set(f.open, NOT_A_VALUE);
      return NOT_A_VALUE;
    };
    for (;;) {
      // A value begins here: a scalar or string, a container read before, or a new container.
      this.skip();
      const c = this.text[this.pos];
      let v: Literal | undefined | NotAValue;
      if (c === '[' || c === '(' || c === '{') {
        const known = this.scan?.containers.get(this.pos);
        if (known instanceof NotAValue) return failed();
        if (known) {
          v = known.value;
          this.pos = known.end;
        } else {
          if (this.scan && stack.length >= MAX_SCAN_DEPTH) {
            // No spec nests this deep: the containers holding more than MAX_SPEC_DEPTH levels are not
            // specs, whatever follows (remembered as such); the innermost ones get their own attempts.
            for (const f of stack.slice(0, stack.length - MAX_SPEC_DEPTH)) this.scan.containers.set(f.open, NOT_A_VALUE);
            return NOT_A_VALUE;
          }
          const f: Frame = c === '{' ? { open: this.pos, close: '}', obj: {} } : { open: this.pos, close: c === '[' ? ']' : ')', items: [] };
          stack.push(f);
          this.pos++;
          v = this.nextEntry(f, stack.length === 1);
          if (v !== undefined && !(v instanceof NotAValue)) stack.pop();
        }
      } else v = this.atom();
      // Complete values go into their containers until one wants another entry.
      while (v !== undefined) {
        if (v instanceof NotAValue) return failed();
        const f = stack[stack.length - 1];
        if (!f) return v;
        if (f.obj) {
          if (!setKey(f.obj, f.key!, v)) {
            this.fail(`key "${f.key}" given twice`, f.keyAt);
            return failed();
          }
        } else f.items!.push(v);
        this.skip();
        const sep = this.text[this.pos];
        if (sep === ',') {
          this.pos++;
          v = this.nextEntry(f, stack.length === 1);
        } else if (sep === f.close) {
          this.pos++;
          v = this.closed(f, stack.length === 1);
        } else if (this.pos >= this.text.length) v = this.fail(f.obj ? 'unterminated mapping (missing "}")' : `unterminated list (missing "${f.close}")`, f.open);
        else v = this.fail(`expected "," or "${f.close}" but found ${describe(this.text, this.pos)}`);
        if (v !== undefined && !(v instanceof NotAValue)) stack.pop();
      }
    }
  }

  str(): string | NotAValue {
    const open = this.pos;
    const q = this.text[this.pos++];
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') return this.fail('unterminated string', open);
      this.pos++;
      if (c === q) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      if (e === 'n') out += '\n';
      else if (e === 't') out += '\t';
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else out += e ?? '';
    }
  }
}

/** Reads one flow value starting at `start`; returns it and the offset just after it. Throws SpecError,
 *  whose message gives the line and column of the problem unless `positions` is false (then the offset). */
export function readFlowLiteral(text: string, start: number, what: string, positions = true): { value: Literal; end: number } {
  const r = new FlowReader(text, start, what, positions);
  const value = r.value();
  return { value, end: r.pos };
}

/**
 * The flow mappings of `text` that `accept` turns into a SPEC: tried at every "{" in order; a mapping that
 * is a spec is reported and the search goes on after it, one that is not (other keys around a config) lets
 * the search go on at the next "{" (inside it). Each container and gap is read once (FlowScan). Stops when
 * `budget` is spent, with what it found so far.
 */
export function findFlowMappings(
  text: string,
  what: string,
  accept: (value: Literal) => string | undefined,
  budget?: ScanBudget,
): { spec: string; start: number; end: number }[] {
  const out: { spec: string; start: number; end: number }[] = [];
  const scan = new FlowScan(text, budget);
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
    if (budget && !budget.spend()) break;
    scan.forgetBefore(i);
    let value: Literal;
    let end: number;
    const known = scan.containers.get(i);
    if (known instanceof NotAValue) continue;
    if (known) ({ value, end } = known);
    else {
      try {
        const r = new FlowReader(text, i, what, false, scan);
        const v = r.read();
        if (v instanceof NotAValue) continue;
        value = v;
        end = r.pos;
      } catch (e) {
        if (e instanceof BudgetExceeded) break;
        throw e;
      }
    }
    const spec = accept(value);
    if (spec === undefined) continue;
    out.push({ spec, start: i, end });
    i = end - 1;
  }
  return out;
}

interface Line {
  start: number;
  /** Offset of the first non-blank character. */
  content: number;
  end: number;
  indent: number;
  blank: boolean;
}

/** Nesting of block mappings and sequences readBlock accepts (specs nest 2-4 levels). */
const MAX_BLOCK_DEPTH = 256;

/** The YAML subset specs use: block mappings and sequences (nested by indentation) whose leaves are plain
 *  scalars or flow values (which may span lines). */
function readBlock(text: string, what: string): Literal {
  const lines: Line[] = [];
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let content = start;
    while (content < end && (text[content] === ' ' || text[content] === '\t')) content++;
    const rest = text.slice(content, end).trimEnd();
    const blank = rest === '' || rest.startsWith('#') || rest === '---' || rest === '...';
    lines.push({ start, content, end, indent: content - start, blank });
    start = end + 1;
  }
  const n = lines.length;
  function fail(msg: string, at: number): never {
    throw new SpecError(`${what}: ${msg} at ${lineCol(text, at)}`);
  }
  const next = (li: number) => {
    while (li < n && lines[li].blank) li++;
    return li;
  };
  const isItem = (l: Line) => text[l.content] === '-' && (l.content + 1 >= l.end || /\s/.test(text[l.content + 1]));
  const lineOf = (at: number) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lines[mid].start <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // A value after "- " or "key:" on line li, starting at offset `at`; returns it and the next line index.
  const inline = (li: number, at: number): [Literal, number] => {
    const c = text[at];
    if (c === '[' || c === '{' || c === '"' || c === "'") {
      const r = new FlowReader(text, at, what);
      const value = r.value();
      const endLine = lineOf(r.pos);
      const rest = text.slice(r.pos, lines[endLine].end).trim();
      if (rest !== '' && !rest.startsWith('#')) fail(`stray text "${rest}" after a value`, r.pos);
      return [value, endLine + 1];
    }
    let s = text.slice(at, lines[li].end);
    const hash = s.search(/\s#/);
    if (hash >= 0) s = s.slice(0, hash);
    return [plainScalar(s.trim()), li + 1];
  };
  // The block nested under "key:" or "- " that ended line li (or null when there is none).
  const nested = (li: number, indent: number): [Literal, number] => {
    const nl = next(li + 1);
    if (nl < n && (lines[nl].indent > indent || (lines[nl].indent === indent && isItem(lines[nl])))) return node(nl);
    return [null, li + 1];
  };
  const seq = (li: number): [Literal, number] => {
    const indent = lines[li].indent;
    const out: Literal[] = [];
    for (li = next(li); li < n && lines[li].indent === indent && isItem(lines[li]); li = next(li)) {
      let at = lines[li].content + 1;
      while (at < lines[li].end && (text[at] === ' ' || text[at] === '\t')) at++;
      const rest = text.slice(at, lines[li].end).trim();
      let v: Literal;
      if (rest === '' || rest.startsWith('#')) {
        const nl = next(li + 1);
        if (nl < n && lines[nl].indent > indent) [v, li] = node(nl);
        else [v, li] = [null, li + 1];
      } else [v, li] = inline(li, at);
      out.push(v);
    }
    return [out, li];
  };
  const mapping = (li: number): [Literal, number] => {
    const indent = lines[li].indent;
    const obj: { [key: string]: Literal } = {};
    for (li = next(li); li < n && lines[li].indent === indent && !isItem(lines[li]); li = next(li)) {
      const l = lines[li];
      const m = blockKey(text.slice(l.content, l.end), true);
      if (!m) fail(`expected "key: value" but found "${text.slice(l.content, l.end).trim()}"`, l.content);
      const key = m.quoted ? m.key.slice(1, -1) : m.key;
      let at = l.content + m.length;
      while (at < l.end && (text[at] === ' ' || text[at] === '\t')) at++;
      const rest = text.slice(at, l.end).trim();
      let v: Literal;
      if (rest === '' || rest.startsWith('#')) [v, li] = nested(li, indent);
      else [v, li] = inline(li, at);
      if (!setKey(obj, key, v)) fail(`key "${key}" given twice`, l.content);
    }
    return [obj, li];
  };
  // Blocks nest by recursion (a spec nests a few levels): deeper text is refused before the stack runs out.
  let depth = 0;
  const node = (li: number): [Literal, number] => {
    if (++depth > MAX_BLOCK_DEPTH) fail(`blocks nested deeper than ${MAX_BLOCK_DEPTH} levels`, lines[li].content);
    try {
      return isItem(lines[li]) ? seq(li) : mapping(li);
    } finally {
      depth--;
    }
  };

  const first = next(0);
  if (first >= n) throw new SpecError(`${what}: empty`);
  // Text cut from an indented block (an editor selection, a find* range) loses the first line's indentation:
  // "- a\n    - b". When the first two entries are of one kind and the first carries its value inline, the
  // first line belongs to the second one's indentation.
  const second = next(first + 1);
  if (first === 0 && second < n && lines[second].indent > lines[0].indent && isItem(lines[0]) === isItem(lines[second])) {
    const l = lines[0];
    const line = text.slice(l.content, l.end);
    const inlineValue = isItem(l) ? !/^-\s*(#.*)?$/.test(line) : /:[ \t]+[^\s#]/.test(line);
    const opens = (line.match(/[[{(]/g) ?? []).length - (line.match(/[\]})]/g) ?? []).length;
    const entry = isItem(l) || blockKey(text.slice(lines[second].content, lines[second].end), false) !== undefined;
    if (inlineValue && opens === 0 && entry) l.indent = lines[second].indent;
  }
  const [value, after] = node(first);
  const li = next(after);
  if (li < n) fail(lines[li].indent !== lines[first].indent ? 'unexpected indentation' : `stray text "${text.slice(lines[li].content, lines[li].end).trim()}"`, lines[li].content);
  return value;
}

// JavaScript's \s, and the line terminators "." does not match.
function isSpaceCode(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}
function lastLineTerminator(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i;
  }
  return -1;
}

/**
 * The "key:" at the start of a block-mapping line (a quoted key, or a plain one up to the first ":" before
 * any "#"), followed by whitespace or the end: the key as written (trailing blanks dropped) and the length up
 * to and including the ":". `escapes`: a double-quoted key may hold backslash escapes. One pass (the regex
 * /^(...|[^\s:#'"[\]{}][^:#]*?)[ \t]*:/ it replaces was quadratic in a line of blanks).
 */
function blockKey(line: string, escapes: boolean): { key: string; quoted: boolean; length: number } | undefined {
  const q = line[0];
  let keyEnd: number;
  let colon: number;
  if (q === '"' || q === "'") {
    let i = 1;
    for (;;) {
      const c = line[i];
      if (c === undefined || (escapes && c === '\n')) return undefined;
      if (c === q) break;
      if (escapes && q === '"' && c === '\\') {
        const e = line.charCodeAt(i + 1);
        if (Number.isNaN(e) || e === 10 || e === 13 || e === 0x2028 || e === 0x2029) return undefined;
        i += 2;
      } else i++;
    }
    keyEnd = i + 1;
    colon = keyEnd;
    while (line[colon] === ' ' || line[colon] === '\t') colon++;
    if (line[colon] !== ':') return undefined;
  } else {
    if (line === '' || isSpaceCode(line.charCodeAt(0)) || ':#\'"[]{}'.includes(q)) return undefined;
    colon = 1;
    while (colon < line.length && line[colon] !== ':' && line[colon] !== '#' && line[colon] !== '\n') colon++;
    if (line[colon] !== ':') return undefined;
    keyEnd = colon;
    while (keyEnd > 1 && (line[keyEnd - 1] === ' ' || line[keyEnd - 1] === '\t')) keyEnd--;
  }
  if (colon + 1 < line.length && !isSpaceCode(line.charCodeAt(colon + 1))) return undefined;
  return { key: line.slice(0, keyEnd), quoted: q === '"' || q === "'", length: colon + 1 };
}

/**
 * Length of `line` without a trailing comment and the blanks before it, in one pass: what
 * `line.replace(/\s+(?:#.*)?$/, '')` leaves (`blanks` 'space': any whitespace before the comment, which is
 * then required) or `line.replace(/[ \t]*(?:#.*)?$/, '')` (`blanks` 'tab': spaces and tabs, optional).
 * (Those regexes are quadratic in a run of blanks in the middle of a line.)
 */
export function lengthWithoutComment(line: string, blanks: 'space' | 'tab'): number {
  const isBlank = blanks === 'space' ? isSpaceCode : (c: number) => c === 32 || c === 9;
  const lastTerm = lastLineTerminator(line);
  const n = line.length;
  for (let p = 0; p < n; ) {
    const c = line.charCodeAt(p);
    if (isBlank(c)) {
      let q = p + 1;
      while (q < n && isBlank(line.charCodeAt(q))) q++;
      if (q === n || (line.charCodeAt(q) === 35 && q > lastTerm)) return p;
      p = q;
    } else {
      if (blanks === 'tab' && c === 35 && p > lastTerm) return p;
      p++;
    }
  }
  return n;
}

/** Parses JSON, a Python literal, or YAML (flow or block) into plain values. Throws a one-line SpecError
 *  prefixed with `what`. */
export function readLiteral(text: string, what: string): Literal {
  const r = new FlowReader(text, 0, what);
  r.skip();
  if (r.pos >= text.length) throw new SpecError(`${what}: empty`);
  const c = text[r.pos];
  if (c === '[' || c === '(' || c === '{' || c === '"' || c === "'") {
    let flowError: unknown;
    try {
      const value = r.value();
      r.skip();
      if (r.pos >= text.length) return value;
      if (text[r.pos] !== ':') r.fail(`stray text after the value: "${text.slice(r.pos, r.pos + 20).split('\n')[0]}"`);
    } catch (e) {
      flowError = e;
    }
    // A quoted first key ("ks": ...) is YAML block syntax, not a flow value.
    if (flowError && c !== '"' && c !== "'") throw flowError;
  }
  return readBlock(text, what);
}

/** "null", "a list", "a mapping" or the type and value, for error messages. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** The lines of `text` with their start offsets (\r\n tolerated), for the block-syntax spec finders. */
export function splitLines(text: string): { start: number; text: string }[] {
  const lines: { start: number; text: string }[] = [];
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lines.push({ start, text: text.slice(start, end).replace(/\r$/, '') });
    start = end + 1;
  }
  return lines;
}

/**
 * A YAML block mapping starting at key line `first` (indentation `indent`): consecutive key lines at that
 * indentation (blank and comment lines allowed between them), each with its deeper-indented continuation
 * lines and `- item` lines. Returns its lines joined and its last line; looks at most `maxLines` lines.
 */
export function yamlBlockAt(lines: readonly { text: string }[], first: number, indent: string, keyLine: RegExp, maxLines = Infinity): { block: string; last: number } {
  const indentOf = (t: string) => t.length - t.trimStart().length;
  const blank = (t: string) => t.trim() === '' || t.trimStart().startsWith('#');
  let last = first;
  for (let j = first + 1; j < lines.length && j - first < maxLines; j++) {
    const t = lines[j].text;
    if (blank(t)) continue;
    const k = keyLine.exec(t);
    if (k && k[1] === indent) last = j;
    else if (indentOf(t) > indent.length || (indentOf(t) === indent.length && /^\s*-(\s|$)/.test(t))) last = j;
    else break;
  }
  return {
    block: lines
      .slice(first, last + 1)
      .map((l) => l.text)
      .join('\n'),
    last,
  };
}
