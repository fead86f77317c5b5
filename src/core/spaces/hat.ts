// HAT SubTransformers (Wang et al., ACL 2020): encoder-decoder Transformers cut from a SuperTransformer. A
// SPEC is a SubTransformer config as in HAT's configs/*/subtransformer/*.yml: embedding dims, layer counts,
// and per-layer lists (FFN dim, attention heads, how many encoder layers each decoder layer attends to).
// Lists may be longer than the layer count (HAT samples the SuperTransformer's 6 slots); only the first
// `layer-num` entries are used.
import { kindOf, readLiteral } from './literal';
import { Rng, SearchSpace, SpecError } from './space';

export interface HatConfig {
  encoderEmbedDim: number;
  decoderEmbedDim: number;
  encoderFfnEmbedDim: number[];
  decoderFfnEmbedDim: number[];
  encoderLayerNum: number;
  decoderLayerNum: number;
  encoderSelfAttentionHeads: number[];
  decoderSelfAttentionHeads: number[];
  decoderEndeAttentionHeads: number[];
  /** Per decoder layer: -1 attends to the last encoder layer, 1 to the last two, 2 to the last three. */
  decoderArbitraryEndeAttn: number[];
}

type Field = keyof HatConfig;

/** The SubTransformer search space, data/hat/space-wmt14ende.yml (checked by a test). The latency tables in
 *  data/hat/latency were sampled from a wider space (FFN 512 and 2 heads too), so every config of this
 *  space lies inside the range the tables cover. */
export const HAT_CHOICES = {
  'encoder-embed-choice': [640, 512],
  'decoder-embed-choice': [640, 512],
  'encoder-ffn-embed-dim-choice': [3072, 2048, 1024],
  'decoder-ffn-embed-dim-choice': [3072, 2048, 1024],
  'encoder-layer-num-choice': [6],
  'decoder-layer-num-choice': [6, 5, 4, 3, 2, 1],
  'encoder-self-attention-heads-choice': [8, 4],
  'decoder-self-attention-heads-choice': [8, 4],
  'decoder-ende-attention-heads-choice': [8, 4],
  'decoder-arbitrary-ende-attn-choice': [-1, 1, 2],
} as const;

/** Layer slots of the SuperTransformer: the most entries a per-layer list may have. */
export const HAT_MAX_LAYERS = 6;

// One row per config key, in HAT's file order: the YAML key, the field, the allowed values, and for a
// per-layer list the field holding its layer count.
const SPEC: { key: string; field: Field; allowed: readonly number[]; layers?: Field }[] = [
  { key: 'encoder-embed-dim-subtransformer', field: 'encoderEmbedDim', allowed: HAT_CHOICES['encoder-embed-choice'] },
  { key: 'decoder-embed-dim-subtransformer', field: 'decoderEmbedDim', allowed: HAT_CHOICES['decoder-embed-choice'] },
  { key: 'encoder-ffn-embed-dim-all-subtransformer', field: 'encoderFfnEmbedDim', allowed: HAT_CHOICES['encoder-ffn-embed-dim-choice'], layers: 'encoderLayerNum' },
  { key: 'decoder-ffn-embed-dim-all-subtransformer', field: 'decoderFfnEmbedDim', allowed: HAT_CHOICES['decoder-ffn-embed-dim-choice'], layers: 'decoderLayerNum' },
  { key: 'encoder-layer-num-subtransformer', field: 'encoderLayerNum', allowed: HAT_CHOICES['encoder-layer-num-choice'] },
  { key: 'decoder-layer-num-subtransformer', field: 'decoderLayerNum', allowed: HAT_CHOICES['decoder-layer-num-choice'] },
  { key: 'encoder-self-attention-heads-all-subtransformer', field: 'encoderSelfAttentionHeads', allowed: HAT_CHOICES['encoder-self-attention-heads-choice'], layers: 'encoderLayerNum' },
  { key: 'decoder-self-attention-heads-all-subtransformer', field: 'decoderSelfAttentionHeads', allowed: HAT_CHOICES['decoder-self-attention-heads-choice'], layers: 'decoderLayerNum' },
  { key: 'decoder-ende-attention-heads-all-subtransformer', field: 'decoderEndeAttentionHeads', allowed: HAT_CHOICES['decoder-ende-attention-heads-choice'], layers: 'decoderLayerNum' },
  { key: 'decoder-arbitrary-ende-attn-all-subtransformer', field: 'decoderArbitraryEndeAttn', allowed: HAT_CHOICES['decoder-arbitrary-ende-attn-choice'], layers: 'decoderLayerNum' },
];
export const HAT_KEYS = SPEC.map((s) => s.key);

// HAT's in-memory form (utils.get_subtransformer_config, printed by its evolutionary search):
// {'encoder': {'encoder_embed_dim': ..., ...}, 'decoder': {...}}; inner name -> YAML key.
const NESTED: Record<string, string> = {
  encoder_embed_dim: 'encoder-embed-dim-subtransformer',
  encoder_layer_num: 'encoder-layer-num-subtransformer',
  encoder_ffn_embed_dim: 'encoder-ffn-embed-dim-all-subtransformer',
  encoder_self_attention_heads: 'encoder-self-attention-heads-all-subtransformer',
  decoder_embed_dim: 'decoder-embed-dim-subtransformer',
  decoder_layer_num: 'decoder-layer-num-subtransformer',
  decoder_ffn_embed_dim: 'decoder-ffn-embed-dim-all-subtransformer',
  decoder_self_attention_heads: 'decoder-self-attention-heads-all-subtransformer',
  decoder_ende_attention_heads: 'decoder-ende-attention-heads-all-subtransformer',
  decoder_arbitrary_ende_attn: 'decoder-arbitrary-ende-attn-all-subtransformer',
};

const PREFIX = 'HAT config';

function show(v: unknown): string {
  return v !== null && typeof v === 'object' ? kindOf(v) : JSON.stringify(v) ?? String(v);
}

/** Flattens the nested form and maps argparse spellings (underscores) and HatConfig fields to the YAML keys. */
function flatten(obj: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(obj);
  const nested = keys.length > 0 && keys.every((k) => k === 'encoder' || k === 'decoder');
  const flat: Record<string, unknown> = {};
  const put = (key: string, v: unknown) => {
    if (key in flat) throw new SpecError(`${PREFIX}: key "${key}" given twice`);
    flat[key] = v;
  };
  if (nested) {
    for (const part of keys) {
      const inner = obj[part];
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw new SpecError(`${PREFIX}: ${part} must be a mapping, got ${kindOf(inner)}`);
      for (const [k, v] of Object.entries(inner)) {
        const key = NESTED[k];
        if (!key || !k.startsWith(part)) throw new SpecError(`${PREFIX}: unknown key "${part}.${k}" (expected ${Object.keys(NESTED).filter((n) => n.startsWith(part)).join(', ')})`);
        put(key, v);
      }
    }
  } else {
    for (const [k, v] of Object.entries(obj)) put(SPEC.find((s) => s.field === k)?.key ?? k.replace(/_/g, '-'), v);
  }
  return flat;
}

/** Parses a SubTransformer config (object, YAML or JSON text, or HAT's nested dict) and checks every value
 *  against HAT_CHOICES. Throws a one-line SpecError naming the key. */
export function parseHatConfig(spec: unknown): HatConfig {
  const v: unknown = typeof spec === 'string' ? readLiteral(spec, PREFIX) : spec;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SpecError(`${PREFIX}: expected a mapping of SubTransformer keys, got ${v === undefined ? 'nothing' : kindOf(v)}`);
  const flat = flatten(v as Record<string, unknown>);
  for (const k of Object.keys(flat)) if (!HAT_KEYS.includes(k)) throw new SpecError(`${PREFIX}: unknown key "${k}" (expected ${HAT_KEYS.join(', ')})`);
  for (const k of HAT_KEYS) if (!(k in flat)) throw new SpecError(`${PREFIX}: missing key "${k}"`);
  const out = {} as Record<Field, number | number[]>;
  // Scalars first: the lists are checked against the layer counts.
  for (const s of SPEC.filter((s) => !s.layers)) {
    const x = flat[s.key];
    if (typeof x !== 'number' || !s.allowed.includes(x)) throw new SpecError(`${PREFIX}: ${s.key} = ${show(x)} (allowed: ${s.allowed.join(', ')})`);
    out[s.field] = x;
  }
  for (const s of SPEC.filter((s) => s.layers)) {
    const x = flat[s.key];
    const layerKey = SPEC.find((t) => t.field === s.layers)!.key;
    const layers = out[s.layers!] as number;
    if (!Array.isArray(x)) throw new SpecError(`${PREFIX}: ${s.key} must be a list with one value per layer, got ${kindOf(x)}`);
    if (x.length < layers) throw new SpecError(`${PREFIX}: ${s.key} has ${x.length} entries but ${layerKey} is ${layers} (one value per layer needed)`);
    if (x.length > HAT_MAX_LAYERS) throw new SpecError(`${PREFIX}: ${s.key} has ${x.length} entries (at most ${HAT_MAX_LAYERS}, one per layer)`);
    x.forEach((y, i) => {
      if (typeof y !== 'number' || !s.allowed.includes(y)) throw new SpecError(`${PREFIX}: ${s.key}[${i}] = ${show(y)} (allowed: ${s.allowed.join(', ')})`);
    });
    out[s.field] = (x as number[]).slice();
  }
  return out as unknown as HatConfig;
}

/** Canonical SPEC: compact JSON with the YAML keys in HAT's file order; lists kept as given. */
export function formatHatConfig(config: HatConfig): string {
  const o: Record<string, number | number[]> = {};
  for (const s of SPEC) o[s.key] = config[s.field];
  return JSON.stringify(o);
}

/** Column names of data/hat/latency/*.csv before the latency columns (HAT's utils.get_feature_info). */
export const HAT_FEATURE_NAMES = [
  'encoder_embed_dim',
  'encoder_layer_num',
  'encoder_ffn_embed_dim_avg',
  'encoder_self_attention_heads_avg',
  'decoder_embed_dim',
  'decoder_layer_num',
  'decoder_ffn_embed_dim_avg',
  'decoder_self_attention_heads_avg',
  'decoder_ende_attention_heads_avg',
  'decoder_arbitrary_ende_attn_avg',
] as const;

function meanOfFirst(xs: number[], n: number, map: (x: number) => number = (x) => x): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += map(xs[i]);
  return s / n;
}

// HAT's utils.get_config_features: per-layer values are averaged over the active layers only (the first
// layer-num entries); the arbitrary attention code -1 / 1 / 2 is first turned into the number of encoder
// layers attended, 1 / 2 / 3. Summing in order then dividing gives numpy's mean bit for bit (<= 6 values).
const ENDE_LAYERS: Record<number, number> = { [-1]: 1, 1: 2, 2: 3 };

/** The 10 features of HAT's latency tables, in HAT_FEATURE_NAMES order. */
export function hatFeatures(config: HatConfig): number[] {
  const enc = config.encoderLayerNum;
  const dec = config.decoderLayerNum;
  return [
    config.encoderEmbedDim,
    enc,
    meanOfFirst(config.encoderFfnEmbedDim, enc),
    meanOfFirst(config.encoderSelfAttentionHeads, enc),
    config.decoderEmbedDim,
    dec,
    meanOfFirst(config.decoderFfnEmbedDim, dec),
    meanOfFirst(config.decoderSelfAttentionHeads, dec),
    meanOfFirst(config.decoderEndeAttentionHeads, dec),
    meanOfFirst(config.decoderArbitraryEndeAttn, dec, (x) => ENDE_LAYERS[x]),
  ];
}

/** Uniform over HAT_CHOICES, as HAT's utils.sample_configs (lists as long as the layer count). */
export function sampleHat(n: number, rng: Rng): HatConfig[] {
  const pick = (xs: readonly number[]) => xs[Math.floor(rng() * xs.length)];
  return Array.from({ length: n }, () => {
    const c = {} as Record<Field, number | number[]>;
    for (const s of SPEC.filter((s) => !s.layers)) c[s.field] = pick(s.allowed);
    for (const s of SPEC.filter((s) => s.layers)) c[s.field] = Array.from({ length: c[s.layers!] as number }, () => pick(s.allowed));
    return c as unknown as HatConfig;
  });
}

export const hatSpace: SearchSpace<HatConfig> = {
  name: 'hat',
  parse: parseHatConfig,
  format: formatHatConfig,
  sample: sampleHat,
};

// Scales of the 10 table features (their largest values), so that the products below are O(1).
const HAT_FEATURE_SCALE = [640, 6, 3072, 8, 640, 6, 3072, 8, 8, 3];

/**
 * Regression features of a SubTransformer from its 10 table features: per-layer-sum costs (layers x dim^2,
 * layers x dim x FFN, layers x heads, decoder layers x encoder layers attended, ...) and all pairwise
 * products of the scaled features. The latency tables give only the averaged features, so everything the
 * HAT predictor uses must be a function of them.
 */
export function hatRegressionFeatures(f: readonly number[]): number[] {
  const [de, le, ffe, he, dd, ld, ffd, hd, hed, ende] = f;
  const out = [
    (le * de * de) / 1e6,
    (le * de * ffe) / 1e6,
    le * he,
    (ld * dd * dd) / 1e6,
    (ld * dd * ffd) / 1e6,
    ld,
    ld * hd,
    ld * hed,
    ld * ende,
    (ld * ende * dd) / 1e3,
    de / 100,
    dd / 100,
  ];
  const n = f.map((v, i) => v / HAT_FEATURE_SCALE[i]);
  for (let i = 0; i < n.length; i++) for (let j = i; j < n.length; j++) out.push(n[i] * n[j]);
  return out;
}
