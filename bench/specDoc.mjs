// The benchmark documents of the editor targets (bench/editor-bench.ts in process, test/e2e/bench.mjs in a
// real VS Code): Python-like text of a given length with a given number of architecture specs of all four
// spaces, in eight forms (25 each per 200): NAS-Bench-201 cell strings in a Python string and in a comment,
// FBNet as a Python list and as a YAML block list, OFA as a Python dict and as a YAML block mapping, HAT as a
// Python dict (argparse keys) and as a YAML block mapping (HAT's .yml keys). The rest of the lines are
// ordinary Python. Deterministic (seeded). Plain JavaScript so that both scripts import it.

const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const FBNET_OPS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'];

/** mulberry32 */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}

function cell(r) {
  const o = () => pick(r, NB201_OPS);
  return `|${o()}~0|+|${o()}~0|${o()}~1|+|${o()}~0|${o()}~1|${o()}~2|`;
}

function fbnet(r) {
  return Array.from({ length: 22 }, () => pick(r, FBNET_OPS));
}

function ofa(r) {
  return {
    ks: Array.from({ length: 20 }, () => pick(r, [3, 5, 7])),
    e: Array.from({ length: 20 }, () => pick(r, [3, 4, 6])),
    d: Array.from({ length: 5 }, () => pick(r, [2, 3, 4])),
    r: 128 + 4 * Math.floor(r() * 25),
  };
}

function hat(r) {
  const dec = pick(r, [1, 2, 3, 4, 5, 6]);
  const list = (n, xs) => Array.from({ length: n }, () => pick(r, xs));
  return [
    ['encoder-embed-dim-subtransformer', pick(r, [512, 640])],
    ['decoder-embed-dim-subtransformer', pick(r, [512, 640])],
    ['encoder-ffn-embed-dim-all-subtransformer', list(6, [1024, 2048, 3072])],
    ['decoder-ffn-embed-dim-all-subtransformer', list(dec, [1024, 2048, 3072])],
    ['encoder-layer-num-subtransformer', 6],
    ['decoder-layer-num-subtransformer', dec],
    ['encoder-self-attention-heads-all-subtransformer', list(6, [4, 8])],
    ['decoder-self-attention-heads-all-subtransformer', list(dec, [4, 8])],
    ['decoder-ende-attention-heads-all-subtransformer', list(dec, [4, 8])],
    ['decoder-arbitrary-ende-attn-all-subtransformer', list(dec, [-1, 1, 2])],
  ];
}

const py = (v) => JSON.stringify(v).replace(/"/g, "'").replace(/,/g, ', ').replace(/:/g, ': ');
const flow = (xs) => `[${xs.join(', ')}]`;

/** The eight spec forms; each returns the spec's lines (a block form is framed by a comment before and a
 *  top-level statement after it, so that it never runs into the code around it). */
const FORMS = [
  (r, k) => [`CELL_${k} = "${cell(r)}"`],
  (r, k) => [`# searched cell ${k}: ${cell(r)}`],
  (r, k) => [`fbnet_${k} = ${py(fbnet(r))}`],
  (r, k) => ['', `# fbnet_${k} (yaml)`, ...fbnet(r).map((op) => `- ${op}`), `fbnet_${k}_done = True`],
  (r, k) => [`ofa_${k} = ${py(ofa(r))}`],
  (r, k) => {
    const c = ofa(r);
    return ['', `# ofa_${k} (yaml)`, `ks: ${flow(c.ks)}`, `e: ${flow(c.e)}`, `d: ${flow(c.d)}`, `r: ${c.r}`, `ofa_${k}_done = True`];
  },
  (r, k) => [`hat_${k} = {${hat(r).map(([key, v]) => `'${key.replace(/-/g, '_')}': ${Array.isArray(v) ? flow(v) : v}`).join(', ')}}`],
  (r, k) => ['', `# hat_${k} (yaml)`, ...hat(r).map(([key, v]) => `${key}: ${Array.isArray(v) ? flow(v) : v}`), `hat_${k}_done = True`],
];

// Ordinary Python between the specs, in whole statements (a function is never cut by a spec).
const UNITS = [
  (k) => [`def layer_${k}(x, width=${16 + (k % 7) * 8}):`, `    y = conv(x, width, stride=${1 + (k % 2)})`, `    y = bn(y) + x if ${k % 3} else relu(y)`, `    return pool(y, ${2 + (k % 3)})`, ''],
  (k) => [`# note ${k}: measured on the board after warm-up, see the log`],
  (k) => [`results[${k}] = evaluate(model, data, batch_size=${32 << k % 3})`],
  (k) => [`print(f"step {${k}}: {results[${k}]:.3f}")`],
  (k) => [`config_${k} = dict(lr=${(k % 9) + 1}e-4, epochs=${10 + (k % 5)}, tags=["run", "${k}"])`, ''],
];

/** `n` lines of code: whole units, then one-line comments to fill up. */
function filler(n, k0) {
  const out = [];
  for (let k = k0; out.length < n; k++) {
    const u = UNITS[k % UNITS.length](k);
    out.push(...(out.length + u.length <= n ? u : [`# filler ${k}`]));
  }
  return out;
}

/**
 * A document of exactly `lines` lines holding `specs` specs (all found by findSpecs), spread evenly.
 * Returns { text, specLines } where specLines[i] is the 0-based first line of spec i.
 */
export function specDocument({ lines = 5000, specs = 200, seed = 1 } = {}) {
  const r = rng(seed);
  const chunks = Array.from({ length: specs }, (_, i) => FORMS[i % FORMS.length](r, i));
  const specLineCount = chunks.reduce((n, c) => n + c.length, 0);
  const header = ['# Generated benchmark file: architectures of four search spaces among ordinary code.', 'import math', ''];
  let fill = lines - specLineCount - header.length;
  if (fill < 0) throw new Error(`${specs} specs need more than ${lines} lines`);
  const out = [...header];
  const specLines = [];
  for (let i = 0; i < specs; i++) {
    const n = Math.floor(fill / (specs - i + 1));
    out.push(...filler(n, out.length));
    fill -= n;
    const c = chunks[i];
    // The first line of the spec itself (a block form starts with a blank and a comment line).
    specLines.push(out.length + (c.length > 1 ? 2 : 0));
    out.push(...c);
  }
  out.push(...filler(lines - out.length, out.length));
  return { text: out.join('\n') + '\n', specLines };
}
