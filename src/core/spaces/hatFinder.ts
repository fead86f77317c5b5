// Finds HAT SubTransformer configs in a text: JSON objects / Python dicts / YAML flow mappings (flat, or
// HAT's nested {'encoder': {...}, 'decoder': {...}} form), and YAML block mappings such as HAT's
// configs/*/subtransformer/*.yml (a whole file, or a run of "encoder-...: / decoder-...:" lines inside a
// larger YAML file). Every candidate is checked by parseHatConfig; only valid configs are reported.
import { formatHatConfig, parseHatConfig } from './hat';
import { Literal, readFlowLiteral, readLiteral, splitLines } from './literal';

export interface FoundHatConfig {
  /** Canonical SPEC (formatHatConfig). */
  spec: string;
  start: number;
  /** Exclusive. */
  end: number;
}

const WHAT = 'HAT config';

// A key line of a block config: an encoder-/decoder- key (HAT's YAML spelling or argparse underscores).
const KEY_LINE = /^([ \t]*)(["']?)((?:encoder|decoder)[-_][\w-]*)\2[ \t]*:(?=\s|$)/;

function tryHat(value: Literal): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  try {
    return formatHatConfig(parseHatConfig(value));
  } catch {
    return undefined;
  }
}

/** Every HAT SubTransformer config in `text`, sorted by start; `end` is exclusive. */
export function findHatConfigs(text: string): FoundHatConfig[] {
  // Every config names an encoder key; most texts have none, which costs one scan.
  if (!/encoder/.test(text)) return [];
  const out: FoundHatConfig[] = [];

  // Flow mappings. A failed outer object (other keys around a config) falls through to the inner "{".
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
    let value: Literal;
    let end: number;
    try {
      ({ value, end } = readFlowLiteral(text, i, WHAT, false));
    } catch {
      continue;
    }
    const spec = tryHat(value);
    if (spec === undefined) continue;
    out.push({ spec, start: i, end });
    i = end - 1;
  }
  const inFlow = (at: number) => out.some((f) => f.start <= at && at < f.end);

  // YAML block mappings: consecutive key lines at one indentation (blank and comment lines allowed between
  // them), each with its deeper-indented continuation lines (multi-line flow lists, "- 3072" items).
  const lines = splitLines(text);
  const indentOf = (s: string) => s.length - s.trimStart().length;
  const blank = (s: string) => s.trim() === '' || s.trim().startsWith('#');
  const blocks: FoundHatConfig[] = [];
  for (let i = 0; i < lines.length; ) {
    const m = KEY_LINE.exec(lines[i].text);
    if (!m || inFlow(lines[i].start)) {
      i++;
      continue;
    }
    const indent = m[1];
    let last = i;
    let j = i + 1;
    for (; j < lines.length; j++) {
      const t = lines[j].text;
      if (blank(t)) continue;
      const k = KEY_LINE.exec(t);
      if (k && k[1] === indent) last = j;
      else if (indentOf(t) > indent.length || (indentOf(t) === indent.length && /^\s*-(\s|$)/.test(t))) last = j;
      else break;
    }
    const block = lines
      .slice(i, last + 1)
      .map((l) => l.text)
      .join('\n');
    try {
      const spec = tryHat(readLiteral(block, WHAT));
      if (spec !== undefined) {
        const start = lines[i].start + indent.length;
        const end = lines[last].start + lines[last].text.replace(/\s+(?:#.*)?$/, '').replace(/\s+$/, '').length;
        blocks.push({ spec, start, end });
      }
    } catch {
      /* not a config (other keys, values out of the space) */
    }
    i = last + 1;
  }
  return [...out, ...blocks].sort((a, b) => a.start - b.start);
}
