// A small tolerant literal reader (JSON, Python literals, YAML flow and block collections) shared by the
// spaces whose specs users paste from all three kinds of files (fbnet.ts, ofa.ts, hat.ts).
import { SpecError } from './space';


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

/** Flow values: JSON, Python list/tuple/dict literals, YAML flow collections. Comments: # and //. */
class FlowReader {
  constructor(
    readonly text: string,
    public pos: number,
    readonly what: string,
    readonly positions = true,
  ) {}

  fail(msg: string, at = this.pos): never {
    // Finders try every "{" of a document and drop the errors: counting lines from the start of the text
    // for each would make a scan quadratic in the document's length.
    throw new SpecError(`${this.what}: ${msg} at ${this.positions ? lineCol(this.text, at) : `offset ${at}`}`);
  }

  skip(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#' || (c === '/' && t[this.pos + 1] === '/')) while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      else break;
    }
  }

  value(): Literal {
    this.skip();
    const c = this.text[this.pos];
    if (c === '[') return this.list(']');
    if (c === '(') return this.list(')');
    if (c === '{') return this.map();
    if (c === '"' || c === "'") return this.str();
    const re = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])|[A-Za-z_][\w.-]*|~/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) this.fail(`unexpected ${describe(this.text, this.pos)}`);
    this.pos += m[0].length;
    return plainScalar(m[0]);
  }

  list(close: string): Literal[] {
    const open = this.pos++;
    const items: Literal[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      if (this.pos >= this.text.length) this.fail(`unterminated list (missing "${close}")`, open);
      items.push(this.value());
      this.skip();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) {
        if (this.pos >= this.text.length) this.fail(`unterminated list (missing "${close}")`, open);
        this.fail(`expected "," or "${close}" but found ${describe(this.text, this.pos)}`);
      }
    }
  }

  map(): { [key: string]: Literal } {
    const open = this.pos++;
    const obj: { [key: string]: Literal } = {};
    for (;;) {
      this.skip();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return obj;
      }
      if (this.pos >= this.text.length) this.fail('unterminated mapping (missing "}")', open);
      const keyAt = this.pos;
      let key: string;
      const q = this.text[this.pos];
      if (q === '"' || q === "'") key = this.str();
      else {
        const re = /[^\s:,{}[\]()#'"]+/y;
        re.lastIndex = this.pos;
        const m = re.exec(this.text);
        if (!m) this.fail(`expected a key but found ${describe(this.text, this.pos)}`);
        key = m[0];
        this.pos += key.length;
      }
      this.skip();
      if (this.text[this.pos] !== ':') this.fail(`expected ":" after key "${key}"`);
      this.pos++;
      if (!setKey(obj, key, this.value())) this.fail(`key "${key}" given twice`, keyAt);
      this.skip();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') {
        if (this.pos >= this.text.length) this.fail('unterminated mapping (missing "}")', open);
        this.fail(`expected "," or "}" but found ${describe(this.text, this.pos)}`);
      }
    }
  }

  str(): string {
    const open = this.pos;
    const q = this.text[this.pos++];
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated string', open);
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

interface Line {
  start: number;
  /** Offset of the first non-blank character. */
  content: number;
  end: number;
  indent: number;
  blank: boolean;
}

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
      const m = /^("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s:#'"[\]{}][^:#\n]*?)[ \t]*:(?=\s|$)/.exec(text.slice(l.content, l.end));
      if (!m) fail(`expected "key: value" but found "${text.slice(l.content, l.end).trim()}"`, l.content);
      const key = /^["']/.test(m[1]) ? m[1].slice(1, -1) : m[1];
      let at = l.content + m[0].length;
      while (at < l.end && (text[at] === ' ' || text[at] === '\t')) at++;
      const rest = text.slice(at, l.end).trim();
      let v: Literal;
      if (rest === '' || rest.startsWith('#')) [v, li] = nested(li, indent);
      else [v, li] = inline(li, at);
      if (!setKey(obj, key, v)) fail(`key "${key}" given twice`, l.content);
    }
    return [obj, li];
  };
  const node = (li: number): [Literal, number] => (isItem(lines[li]) ? seq(li) : mapping(li));

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
    const entry = isItem(l) || /^("[^"]*"|'[^']*'|[^\s:#'"[\]{}][^:#]*?)[ \t]*:(\s|$)/.test(text.slice(lines[second].content, lines[second].end));
    if (inlineValue && opens === 0 && entry) l.indent = lines[second].indent;
  }
  const [value, after] = node(first);
  const li = next(after);
  if (li < n) fail(lines[li].indent !== lines[first].indent ? 'unexpected indentation' : `stray text "${text.slice(lines[li].content, lines[li].end).trim()}"`, lines[li].content);
  return value;
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
