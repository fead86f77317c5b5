// The spaces the predictor knows, behind the one interface the predictor, the CLI and the editor use.
import { GraphEncoding, SpecError } from './space';
import {
  encodeNasBench201Graph,
  formatNasBench201Cell,
  nasBench201CellAt,
  nasBench201Index,
  parseNasBench201Cell,
} from './nasbench201';

export interface PredictorSpace {
  readonly name: string;
  /** Number of architectures in the space's index (the table order). */
  readonly size: number;
  /** HELP's 10 reference architectures (indices) whose latencies form a device's hardware embedding. */
  readonly referenceIndices: number[];
  /** Canonical SPEC string of a user-written spec; throws SpecError. */
  canonical(spec: unknown): string;
  indexOf(canonical: string): number;
  specAt(index: number): string;
  graph(canonical: string): GraphEncoding;
}

const nasbench201: PredictorSpace = {
  name: 'nasbench201',
  size: 15625,
  // data/nasbench201/reference_indices.json (checked by a test).
  referenceIndices: [11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462],
  canonical(spec) {
    if (typeof spec !== 'string') throw new SpecError('NAS-Bench-201: a SPEC is a cell string such as |nor_conv_3x3~0|+|...|+|...|');
    return formatNasBench201Cell(parseNasBench201Cell(spec));
  },
  indexOf: (c) => nasBench201Index(parseNasBench201Cell(c)),
  specAt: (i) => formatNasBench201Cell(nasBench201CellAt(i)),
  graph: (c) => encodeNasBench201Graph(parseNasBench201Cell(c)),
};

const SPACES: Record<string, PredictorSpace> = { nasbench201 };

export const SPACE_NAMES = Object.keys(SPACES);

export function getSpace(name: string | undefined): PredictorSpace {
  const s = name ? SPACES[name] : undefined;
  if (!s) throw new SpecError(`unknown space "${name ?? ''}" (known: ${SPACE_NAMES.join(', ')})`);
  return s;
}
