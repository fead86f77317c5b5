// Once-for-All MobileNetV3 (Cai et al., ICLR 2020) as used by HELP: 5 stages of up to 4 blocks (20 block
// slots). A SPEC is {"ks": [20 kernel sizes], "e": [20 expansion ratios], "d": [5 stage depths], "r": input
// resolution}; stage s runs its first d[s] blocks (slots 4s .. 4s+d[s]-1), later slots are skipped but keep
// whatever values they were given. OFA's own configs add "wid": null (fixed width), which is accepted.
import { findFlowMappings, kindOf, lengthWithoutComment, Literal, readLiteral, splitLines } from './literal';
import { ScanBudget } from './scanBudget';
import { Rng, SearchSpace, SpecError } from './space';

export const OFA_KS = [3, 5, 7] as const;
export const OFA_E = [3, 4, 6] as const;
export const OFA_D = [2, 3, 4] as const;
export const OFA_STAGES = 5;
export const OFA_BLOCKS_PER_STAGE = 4;
export const OFA_BLOCKS = OFA_STAGES * OFA_BLOCKS_PER_STAGE;
export const OFA_R_MIN = 128;
export const OFA_R_MAX = 224;
export const OFA_R_STEP = 4;
export const OFA_RESOLUTIONS = Array.from({ length: (OFA_R_MAX - OFA_R_MIN) / OFA_R_STEP + 1 }, (_, i) => OFA_R_MIN + i * OFA_R_STEP);

export type OfaArch = { ks: number[]; e: number[]; d: number[]; r: number };

const PREFIX = 'OFA spec';
const KEYS = ['ks', 'e', 'd', 'r'] as const;

function show(v: unknown): string {
  return v !== null && typeof v === 'object' ? kindOf(v) : JSON.stringify(v) ?? String(v);
}

function checkList(obj: Record<string, unknown>, key: string, length: number, allowed: readonly number[], what: string): number[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw new SpecError(`${PREFIX}: ${key} must be a list of ${length} ${what}, got ${kindOf(v)}`);
  if (v.length !== length) throw new SpecError(`${PREFIX}: ${key} has ${v.length} entries (expected ${length}: ${what})`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !allowed.includes(x)) throw new SpecError(`${PREFIX}: ${key}[${i}] = ${show(x)} (allowed: ${allowed.join(', ')})`);
  });
  return (v as number[]).slice();
}

/** Parses an OFA config given as an object or as JSON / Python / YAML text. Throws a one-line SpecError. */
export function parseOfaSpec(spec: unknown): OfaArch {
  const v: unknown = typeof spec === 'string' ? readLiteral(spec, PREFIX) : spec;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new SpecError(`${PREFIX}: expected a mapping with keys ks, e, d, r, got ${v === undefined ? 'nothing' : kindOf(v)}`);
  }
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(k) && k !== 'wid') throw new SpecError(`${PREFIX}: unknown key "${k}" (expected ks, e, d, r and optionally wid: null)`);
  }
  for (const k of KEYS) if (!(k in obj)) throw new SpecError(`${PREFIX}: missing key "${k}" (expected ks, e, d, r)`);
  // OFA writes "wid": None for the default width; this space has no width choice.
  if (obj.wid !== undefined && obj.wid !== null) throw new SpecError(`${PREFIX}: wid = ${show(obj.wid)} (allowed: null; the width is fixed in this space)`);
  const ks = checkList(obj, 'ks', OFA_BLOCKS, OFA_KS, 'kernel size per block slot, 5 stages x 4');
  const e = checkList(obj, 'e', OFA_BLOCKS, OFA_E, 'expansion ratio per block slot, 5 stages x 4');
  const d = checkList(obj, 'd', OFA_STAGES, OFA_D, 'depth per stage');
  const r = obj.r;
  if (typeof r !== 'number' || !OFA_RESOLUTIONS.includes(r)) throw new SpecError(`${PREFIX}: r = ${show(r)} (allowed: ${OFA_R_MIN}..${OFA_R_MAX} in steps of ${OFA_R_STEP})`);
  return { ks, e, d, r };
}

/** Canonical SPEC: compact JSON with keys ks, e, d, r (the form of data/ofa/architectures.json). Values of
 *  skipped block slots are kept: they do not change the encoding, and parse(format(a)) must equal a. */
export function formatOfaSpec(arch: OfaArch): string {
  return JSON.stringify({ ks: arch.ks, e: arch.e, d: arch.d, r: arch.r });
}

// HELP's 145-dim OFA encoding (utils.arch_encoding_ofa in HayeonLee/HELP):
//   [0, 60)    kernel size, block-major: slot b uses [3b, 3b+3) with columns [ks3, ks5, ks7]
//   [60, 120)  expansion ratio, block-major: slot b uses [60+3b, 60+3b+3) with columns [e3, e4, e6]
//   [120, 145) resolution: index 120 + (r - 128) / 4
// Slots skipped by the stage depth (4s + j with j >= d[s]) are all zero in both the ks and e parts.
export const OFA_ONEHOT_SIZE = 2 * OFA_BLOCKS * 3 + OFA_RESOLUTIONS.length;

export function encodeOfaOneHot(arch: OfaArch): Float32Array {
  const v = new Float32Array(OFA_ONEHOT_SIZE);
  for (let b = 0; b < OFA_BLOCKS; b++) {
    const stage = Math.floor(b / OFA_BLOCKS_PER_STAGE);
    if (b % OFA_BLOCKS_PER_STAGE >= arch.d[stage]) continue;
    v[3 * b + (OFA_KS as readonly number[]).indexOf(arch.ks[b])] = 1;
    v[3 * OFA_BLOCKS + 3 * b + (OFA_E as readonly number[]).indexOf(arch.e[b])] = 1;
  }
  v[6 * OFA_BLOCKS + (arch.r - OFA_R_MIN) / OFA_R_STEP] = 1;
  return v;
}

export function sampleOfa(n: number, rng: Rng): OfaArch[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  return Array.from({ length: n }, () => ({
    ks: Array.from({ length: OFA_BLOCKS }, () => pick(OFA_KS)),
    e: Array.from({ length: OFA_BLOCKS }, () => pick(OFA_E)),
    d: Array.from({ length: OFA_STAGES }, () => pick(OFA_D)),
    r: pick(OFA_RESOLUTIONS),
  }));
}

export const ofaSpace: SearchSpace<OfaArch> = {
  name: 'ofa',
  parse: parseOfaSpec,
  format: formatOfaSpec,
  sample: sampleOfa,
};

function tryOfa(v: Literal): string | undefined {
  // Most mappings of a text are not configs: they are turned down before parseOfaSpec builds a SpecError
  // (whose stack trace costs more than reading the mapping).
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, 'ks')) return undefined;
  try {
    return formatOfaSpec(parseOfaSpec(v));
  } catch {
    return undefined;
  }
}

const OFA_KEY_LINE = /^([ \t]*)(?:(["']?)(ks|e|d|r|wid)\2)[ \t]*:(?=\s|$)/;

/** Every OFA config in `text`: JSON objects / Python dicts / YAML flow mappings, and YAML block mappings
 *  made of the keys ks, e, d, r (and wid). */
export function findOfaSpecs(text: string, budget?: ScanBudget): { spec: string; start: number; end: number }[] {
  const out = findFlowMappings(text, PREFIX, tryOfa, budget);
  // YAML block mappings: consecutive "key:" lines at one indentation, each followed by its deeper-indented
  // (or same-indent "- ") continuation lines.
  const lines = splitLines(text);
  const indentOf = (s: string) => s.length - s.trimStart().length;
  const blank = (s: string) => s.trim() === '' || s.trim().startsWith('#');
  for (let i = 0; i < lines.length; ) {
    if (budget && !budget.spend(1 + (lines[i].text.length >> 4))) break;
    const m = OFA_KEY_LINE.exec(lines[i].text);
    if (!m || (i > 0 && OFA_KEY_LINE.exec(lines[i - 1].text)?.[1] === m[1])) {
      i++;
      continue;
    }
    const indent = m[1];
    let j = i + 1;
    let last = i;
    for (; j < lines.length; j++) {
      const t = lines[j].text;
      if (blank(t)) continue;
      const k = OFA_KEY_LINE.exec(t);
      if (k && k[1] === indent) last = j;
      else if (indentOf(t) > indent.length || (indentOf(t) === indent.length && /^\s*-(\s|$)/.test(t))) last = j;
      else break;
    }
    const start = lines[i].start + indent.length;
    const end = lines[last].start + lengthWithoutComment(lines[last].text, 'space');
    const block = lines
      .slice(i, last + 1)
      .map((l) => l.text)
      .join('\n');
    try {
      const spec = tryOfa(readLiteral(block, PREFIX));
      if (spec !== undefined) out.push({ spec, start, end });
    } catch {
      /* not a config */
    }
    i = last + 1;
  }
  return out.sort((a, b) => a.start - b.start);
}

// OFA MobileNetV3-Large (width 1.0): a 3x3 stride-2 stem with 16 channels and a fixed 16-channel depthwise
// block, then the 5 searchable stages below, then 1x1 convs to 960 and 1280 channels and a classifier.
export const OFA_STAGE_CHANNELS = [24, 40, 80, 112, 160];
export const OFA_STAGE_STRIDES = [2, 2, 2, 1, 2];
export const OFA_STAGE_SE = [false, true, false, true, true];
export const OFA_STAGE_HSWISH = [false, false, true, true, true];

/** OFA's channel rounding (make_divisible to 8, never below 90% of the value). */
export function ofaMakeDivisible(v: number, divisor = 8): number {
  const r = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return r < 0.9 * v ? r + divisor : r;
}

/**
 * Analytic cost features, in millions: pointwise-conv MACs (stem and head included), depthwise MACs,
 * activation traffic, parameters of the searchable blocks, and the number of blocks. See fbnetCostFeatures.
 */
export function ofaCostFeatures(arch: OfaArch): number[] {
  let size = arch.r / 2;
  const f = [size * size * 16 * 27 + size * size * 16 * 16, size * size * 16 * 9, size * size * 16 * 3, 0, 0];
  let cin = 16;
  for (let s = 0; s < OFA_STAGES; s++) {
    for (let j = 0; j < arch.d[s]; j++) {
      const b = s * OFA_BLOCKS_PER_STAGE + j;
      const stride = j === 0 ? OFA_STAGE_STRIDES[s] : 1;
      const out = Math.ceil(size / stride);
      const cout = OFA_STAGE_CHANNELS[s];
      const mid = ofaMakeDivisible(cin * arch.e[b]);
      const k = arch.ks[b];
      let pw = size * size * cin * mid + out * out * mid * cout;
      if (OFA_STAGE_SE[s]) pw += 2 * mid * ofaMakeDivisible(mid / 4);
      f[0] += pw;
      f[1] += out * out * mid * k * k;
      f[2] += size * size * (cin + mid) + out * out * (mid + cout);
      f[3] += cin * mid + mid * cout + mid * k * k;
      f[4] += 1e6;
      cin = cout;
      size = out;
    }
  }
  f[0] += size * size * 160 * 960 + 960 * 1280 + 1280 * 1000;
  f[2] += size * size * (160 + 960);
  return f.map((v) => v / 1e6);
}

/** Each active block's (kernel, expansion) pair as a one-hot over the 9 combinations: 20 x 9. */
export function encodeOfaBlockOps(arch: OfaArch): Float32Array {
  const v = new Float32Array(OFA_BLOCKS * 9);
  for (let b = 0; b < OFA_BLOCKS; b++) {
    if (b % OFA_BLOCKS_PER_STAGE >= arch.d[Math.floor(b / OFA_BLOCKS_PER_STAGE)]) continue;
    v[b * 9 + 3 * (OFA_KS as readonly number[]).indexOf(arch.ks[b]) + (OFA_E as readonly number[]).indexOf(arch.e[b])] = 1;
  }
  return v;
}

/** Per-block (kernel, expansion) one-hots, the same scaled by (r/224)^2 (a block's work grows with the
 *  pixels it sees), and the resolution one-hot: latency is close to linear in these on batched GPUs. */
export function ofaAdditiveFeatures(arch: OfaArch): number[] {
  const b = Array.from(encodeOfaBlockOps(arch));
  const s = (arch.r / OFA_R_MAX) ** 2;
  return [...b, ...b.map((v) => v * s), ...OFA_RESOLUTIONS.map((r) => (r === arch.r ? 1 : 0))];
}
