// The spaces the predictor knows, behind the one interface the predictor, the CLI and the editor use.
import { GraphEncoding, SpecError } from './space';
import {
  encodeNasBench201Graph,
  formatNasBench201Cell,
  nasBench201CellAt,
  nasBench201CostFeatures,
  nasBench201Index,
  parseNasBench201Cell,
} from './nasbench201';
import { encodeFbnetLayerOps, encodeFbnetOneHot, fbnetCostFeatures, formatFbnetSpec, parseFbnetSpec } from './fbnet';
// FBNet and OFA reference architectures: the rows of data/<space>/reference_indices.json (checked by a test).
import REFERENCES from './references.json';
import { formatHatConfig, hatFeatures, hatRegressionFeatures, parseHatConfig } from './hat';
import { encodeOfaBlockOps, encodeOfaOneHot, formatOfaSpec, ofaAdditiveFeatures, ofaCostFeatures, parseOfaSpec } from './ofa';

export interface PredictorSpace {
  readonly name: string;
  /** `help`: the meta-trained HELP network; `hat-transfer`: source-model transfer (predictor/transfer.ts). */
  readonly predictor: 'help' | 'hat-transfer';
  /** HELP's 10 reference architectures (canonical SPECs) whose latencies form a device's hardware embedding. */
  readonly references: string[];
  /** Canonical SPEC string of a user-written spec; throws SpecError. */
  canonical(spec: unknown): string;
  /** The network input: a graph for the GCN (NAS-Bench-201) or a single node of one-hots (an MLP). */
  graph(canonical: string): GraphEncoding;
  /** Analytic cost features (MACs, traffic, ...) for the cost-model mapping candidate, if the space has them. */
  costFeatures?(canonical: string): number[];
  /** Offer the convex mix of calibrated source devices as a mapping family (combine.ts CombinationOptions). */
  readonly convexSources?: boolean;
  /** Networks meta-trained side by side into the ensemble (`meta-train --members`; default 2). */
  readonly metaTrainMembers?: number;
  /** Features in which a device's latency is close to additive (per-layer op one-hots), for the source
   *  devices' latency models when the tables do not cover the space (predictor/sourceModels.ts). */
  additiveFeatures?(canonical: string): number[];
  /** Spaces small enough to enumerate: every architecture has an index (the measured tables' row order),
   *  which lets the predictor cache embeddings and read source devices' measured latencies. */
  readonly index?: {
    size: number;
    indexOf(canonical: string): number;
    specAt(index: number): string;
  };
}

function singleNode(x: Float32Array): GraphEncoding {
  return { nodes: 1, features: x.length, x, adj: Float32Array.of(1) };
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const NB201_REFERENCES = [11982, 431, 55, 9, 14451, 8636, 9881, 13479, 6196, 1462];

const nasbench201: PredictorSpace = {
  name: 'nasbench201',
  predictor: 'help',
  // data/nasbench201/reference_indices.json (checked by a test).
  // Lazily: the index lookup reads a bundled table, which module loading must not do.
  get references() {
    return NB201_REFERENCES.map((i) => formatNasBench201Cell(nasBench201CellAt(i)));
  },
  canonical(spec) {
    if (typeof spec !== 'string') throw new SpecError('NAS-Bench-201: a SPEC is a cell string such as |nor_conv_3x3~0|+|...|+|...|');
    return formatNasBench201Cell(parseNasBench201Cell(spec));
  },
  graph: (c) => encodeNasBench201Graph(parseNasBench201Cell(c)),
  costFeatures: (c) => nasBench201CostFeatures(parseNasBench201Cell(c)),
  // A third network (seed 2, without the linear path) lifted the four devices held out of a second
  // meta-training run from 0.9477 to 0.9533 (README); on 2 cores it costs ~50% more training time.
  metaTrainMembers: 3,
  index: {
    size: 15625,
    indexOf: (c) => nasBench201Index(parseNasBench201Cell(c)),
    specAt: (i) => formatNasBench201Cell(nasBench201CellAt(i)),
  },
};

// FBNet and OFA: HELP's one-hot encodings, followed by the per-layer op one-hots that make a sum of
// per-layer costs linear in the input (the structure of layer-by-layer devices), fed to an MLP.
const fbnet: PredictorSpace = {
  name: 'fbnet',
  predictor: 'help',
  references: REFERENCES.fbnet,
  canonical: (spec) => formatFbnetSpec(parseFbnetSpec(spec)),
  graph(c) {
    const a = parseFbnetSpec(c);
    return singleNode(concat(encodeFbnetOneHot(a), encodeFbnetLayerOps(a)));
  },
  costFeatures: (c) => fbnetCostFeatures(parseFbnetSpec(c)),
  convexSources: true,
  // A third network lifted the four devices held out of a second FBNet meta-training run from 0.9091 to
  // 0.9139 over 10 seeds (meta-validation 0.9732 -> 0.9735; README).
  metaTrainMembers: 3,
  additiveFeatures: (c) => Array.from(encodeFbnetLayerOps(parseFbnetSpec(c))),
};

const ofa: PredictorSpace = {
  name: 'ofa',
  predictor: 'help',
  references: REFERENCES.ofa,
  canonical: (spec) => formatOfaSpec(parseOfaSpec(spec)),
  graph(c) {
    const a = parseOfaSpec(c);
    return singleNode(concat(encodeOfaOneHot(a), encodeOfaBlockOps(a)));
  },
  costFeatures: (c) => ofaCostFeatures(parseOfaSpec(c)),
  additiveFeatures: (c) => ofaAdditiveFeatures(parseOfaSpec(c)),
};

// HAT: the 10 table features (scaled to [0, 1]) as a single node; the predictor is transfer.ts.
const HAT_SCALE = [640, 6, 3072, 8, 640, 6, 3072, 8, 8, 3];
const hat: PredictorSpace = {
  name: 'hat',
  predictor: 'hat-transfer',
  references: REFERENCES.hat,
  canonical: (spec) => formatHatConfig(parseHatConfig(spec)),
  graph: (c) => singleNode(Float32Array.from(hatFeatures(parseHatConfig(c)), (v, i) => v / HAT_SCALE[i])),
  costFeatures: (c) => hatRegressionFeatures(hatFeatures(parseHatConfig(c))),
};

const SPACES: Record<string, PredictorSpace> = { nasbench201, fbnet, ofa, hat };

export const SPACE_NAMES = Object.keys(SPACES);

export function getSpace(name: string | undefined): PredictorSpace {
  const s = name ? SPACES[name] : undefined;
  if (!s) throw new SpecError(`unknown space "${name ?? ''}" (known: ${SPACE_NAMES.join(', ')})`);
  return s;
}
