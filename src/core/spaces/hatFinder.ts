// Finds HAT SubTransformer configs in a text: JSON objects / Python dicts / YAML flow mappings (flat, or
// HAT's nested {'encoder': {...}, 'decoder': {...}} form), and YAML block mappings such as HAT's
// configs/*/subtransformer/*.yml (a whole file, or a run of "encoder-...: / decoder-...:" lines inside a
// larger YAML file). Every candidate is checked by parseHatConfig; only valid configs are reported.
import { formatHatConfig, parseHatConfig } from './hat';
import { findFlowMappings, lengthWithoutComment, Literal, readLiteral, splitLines, yamlBlockAt } from './literal';
import { ScanBudget } from './scanBudget';

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
  // Every config has an encoder key ("encoder", "encoder-...", "encoder_...", "encoderEmbedDim"); the rest are
  // turned down before parseHatConfig builds a SpecError (whose stack trace costs more than the reading).
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.keys(value).some((k) => k.startsWith('encoder'))) return undefined;
  try {
    return formatHatConfig(parseHatConfig(value));
  } catch {
    return undefined;
  }
}

/** Every HAT SubTransformer config in `text`, sorted by start; `end` is exclusive. */
export function findHatConfigs(text: string, budget?: ScanBudget): FoundHatConfig[] {
  // Every config names an encoder key; most texts have none, which costs one scan.
  if (!text.includes('encoder')) return [];
  const out: FoundHatConfig[] = findFlowMappings(text, WHAT, tryHat, budget);
  // Whether a line start lies inside a flow config: lines are visited in order, so one pointer into `out`.
  let flowAt = 0;
  const inFlow = (at: number) => {
    while (flowAt < out.length && out[flowAt].end <= at) flowAt++;
    return flowAt < out.length && out[flowAt].start <= at;
  };

  // YAML block mappings: consecutive key lines at one indentation (blank and comment lines allowed between
  // them), each with its deeper-indented continuation lines (multi-line flow lists, "- 3072" items).
  const lines = splitLines(text);
  const blocks: FoundHatConfig[] = [];
  for (let i = 0; i < lines.length; ) {
    if (budget && !budget.spend(1 + (lines[i].text.length >> 4))) break;
    const m = KEY_LINE.exec(lines[i].text);
    if (!m || inFlow(lines[i].start)) {
      i++;
      continue;
    }
    const indent = m[1];
    const { block, last } = yamlBlockAt(lines, i, indent, KEY_LINE);
    try {
      const spec = tryHat(readLiteral(block, WHAT));
      if (spec !== undefined) {
        const start = lines[i].start + indent.length;
        const end = lines[last].start + lines[last].text.slice(0, lengthWithoutComment(lines[last].text, 'space')).trimEnd().length;
        blocks.push({ spec, start, end });
      }
    } catch {
      /* not a config (other keys, values out of the space) */
    }
    i = last + 1;
  }
  return [...out, ...blocks].sort((a, b) => a.start - b.start);
}
