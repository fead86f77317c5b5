import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFlowLiteral, readLiteral } from '../../../src/core/spaces/literal';
import {
  formatHatConfig,
  HatConfig,
  hatFeatures,
  hatSpace,
  HAT_CHOICES,
  HAT_FEATURE_NAMES,
  HAT_KEYS,
  parseHatConfig,
  sampleHat,
} from '../../../src/core/spaces/hat';
import { makeRng, SpecError } from '../../../src/core/spaces/space';

const root = path.resolve(__dirname, '..', '..', '..', 'data');
const exampleFiles = ['hat', 'hat-official'].flatMap((d) =>
  fs
    .readdirSync(path.join(root, 'examples', d))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => path.join(root, 'examples', d, f)),
);
const read = (f: string) => fs.readFileSync(f, 'utf8');
const HELP_74MS = read(path.join(root, 'examples', 'hat', 'wmt14ende_help_titanrtx@74.0ms.yml'));

const CONFIG: HatConfig = {
  encoderEmbedDim: 512,
  decoderEmbedDim: 512,
  encoderFfnEmbedDim: [3072, 3072, 3072, 2048, 3072, 3072],
  decoderFfnEmbedDim: [3072, 3072],
  encoderLayerNum: 6,
  decoderLayerNum: 2,
  encoderSelfAttentionHeads: [4, 8, 4, 8, 8, 8],
  decoderSelfAttentionHeads: [8, 8],
  decoderEndeAttentionHeads: [8, 8],
  decoderArbitraryEndeAttn: [1, 1],
};
const YAML_KEYS: Record<string, unknown> = {
  'encoder-embed-dim-subtransformer': 512,
  'decoder-embed-dim-subtransformer': 512,
  'encoder-ffn-embed-dim-all-subtransformer': [3072, 3072, 3072, 2048, 3072, 3072],
  'decoder-ffn-embed-dim-all-subtransformer': [3072, 3072],
  'encoder-layer-num-subtransformer': 6,
  'decoder-layer-num-subtransformer': 2,
  'encoder-self-attention-heads-all-subtransformer': [4, 8, 4, 8, 8, 8],
  'decoder-self-attention-heads-all-subtransformer': [8, 8],
  'decoder-ende-attention-heads-all-subtransformer': [8, 8],
  'decoder-arbitrary-ende-attn-all-subtransformer': [1, 1],
};
const CANON = JSON.stringify(YAML_KEYS);

function rejects(spec: unknown, exact: string | undefined, ...patterns: RegExp[]) {
  assert.throws(
    () => parseHatConfig(spec),
    (e: unknown) => {
      assert.ok(e instanceof SpecError, 'SpecError');
      const msg = (e as Error).message;
      assert.ok(!msg.includes('\n'), `one line: ${msg}`);
      if (exact !== undefined) assert.equal(msg, exact);
      assert.match(msg, /^HAT config: /);
      for (const p of patterns) assert.match(msg, p);
      return true;
    },
  );
}
const withKey = (k: string, v: unknown) => ({ ...YAML_KEYS, [k]: v });

test('the allowed values are those of data/hat/space-wmt14ende.yml', () => {
  assert.deepEqual(readLiteral(read(path.join(root, 'hat', 'space-wmt14ende.yml')), 'space'), JSON.parse(JSON.stringify(HAT_CHOICES)));
});

test('every example config parses and round-trips', () => {
  assert.equal(exampleFiles.length, 21);
  for (const f of exampleFiles) {
    const c = parseHatConfig(read(f));
    const canon = formatHatConfig(c);
    assert.deepEqual(parseHatConfig(canon), c, f);
    assert.deepEqual(Object.keys(JSON.parse(canon)), HAT_KEYS);
    // In these files every per-layer list is exactly as long as its layer count.
    assert.equal(c.decoderArbitraryEndeAttn.length, c.decoderLayerNum, f);
  }
  assert.deepEqual(parseHatConfig(HELP_74MS), CONFIG);
  assert.deepEqual(parseHatConfig(HELP_74MS.replace(/\n/g, '\r\n')), CONFIG, 'CRLF line endings');
  assert.equal(formatHatConfig(parseHatConfig(HELP_74MS)), CANON);
});

test('parses every spec form to the same config', () => {
  const snake = Object.fromEntries(Object.entries(YAML_KEYS).map(([k, v]) => [k.replace(/-/g, '_'), v]));
  // HAT's evolutionary search prints configs in this nested form (a Python dict).
  const nested =
    "{'encoder': {'encoder_embed_dim': 512, 'encoder_layer_num': 6, 'encoder_ffn_embed_dim': [3072, 3072, 3072, 2048, 3072, 3072], " +
    "'encoder_self_attention_heads': [4, 8, 4, 8, 8, 8]}, 'decoder': {'decoder_embed_dim': 512, 'decoder_layer_num': 2, " +
    "'decoder_ffn_embed_dim': [3072, 3072], 'decoder_self_attention_heads': [8, 8], 'decoder_ende_attention_heads': [8, 8], " +
    "'decoder_arbitrary_ende_attn': [1, 1]}}";
  const block = Object.entries(YAML_KEYS)
    .map(([k, v]) => (Array.isArray(v) ? `${k}:\n${v.map((x) => `  - ${x}`).join('\n')}` : `${k}: ${v}`))
    .join('\n');
  const forms: unknown[] = [CONFIG, YAML_KEYS, snake, HELP_74MS, CANON, JSON.stringify(YAML_KEYS, null, 2), nested, readLiteral(nested, 'x'), block];
  for (const f of forms) assert.deepEqual(parseHatConfig(f), CONFIG, `form: ${String(typeof f === 'string' ? f : JSON.stringify(f)).slice(0, 60)}`);
  assert.equal(hatSpace.name, 'hat');
  assert.deepEqual(hatSpace.parse(CANON), CONFIG);
  assert.equal(hatSpace.format(CONFIG), CANON);
});

test('lists longer than the layer count (the SuperTransformer\'s 6 slots) are accepted and kept', () => {
  const c = parseHatConfig(withKey('decoder-arbitrary-ende-attn-all-subtransformer', [1, 1, -1, 2, 2, -1]));
  assert.deepEqual(c.decoderArbitraryEndeAttn, [1, 1, -1, 2, 2, -1]);
  assert.deepEqual(parseHatConfig(formatHatConfig(c)), c);
  assert.deepEqual(hatFeatures(c), hatFeatures(CONFIG), 'only the first layer-num entries count');
});

test('every malformed config gets a one-line error naming the key and the allowed values', () => {
  rejects(withKey('encoder-embed-dim-subtransformer', 768), 'HAT config: encoder-embed-dim-subtransformer = 768 (allowed: 640, 512)');
  rejects(withKey('decoder-embed-dim-subtransformer', '512'), 'HAT config: decoder-embed-dim-subtransformer = "512" (allowed: 640, 512)');
  rejects(withKey('encoder-layer-num-subtransformer', 5), 'HAT config: encoder-layer-num-subtransformer = 5 (allowed: 6)');
  rejects(withKey('decoder-layer-num-subtransformer', 7), 'HAT config: decoder-layer-num-subtransformer = 7 (allowed: 6, 5, 4, 3, 2, 1)');
  rejects(withKey('decoder-layer-num-subtransformer', 0), undefined, /decoder-layer-num-subtransformer = 0/);
  rejects(
    withKey('encoder-ffn-embed-dim-all-subtransformer', [3072, 3072, 3072, 4096, 3072, 3072]),
    'HAT config: encoder-ffn-embed-dim-all-subtransformer[3] = 4096 (allowed: 3072, 2048, 1024)',
  );
  rejects(withKey('decoder-ffn-embed-dim-all-subtransformer', [3072, 512]), 'HAT config: decoder-ffn-embed-dim-all-subtransformer[1] = 512 (allowed: 3072, 2048, 1024)');
  rejects(withKey('encoder-self-attention-heads-all-subtransformer', [8, 8, 8, 8, 8, 2]), 'HAT config: encoder-self-attention-heads-all-subtransformer[5] = 2 (allowed: 8, 4)');
  rejects(withKey('decoder-self-attention-heads-all-subtransformer', [8, 16]), undefined, /decoder-self-attention-heads-all-subtransformer\[1\] = 16 \(allowed: 8, 4\)/);
  rejects(withKey('decoder-ende-attention-heads-all-subtransformer', [null, 8]), 'HAT config: decoder-ende-attention-heads-all-subtransformer[0] = null (allowed: 8, 4)');
  rejects(withKey('decoder-arbitrary-ende-attn-all-subtransformer', [1, 0]), 'HAT config: decoder-arbitrary-ende-attn-all-subtransformer[1] = 0 (allowed: -1, 1, 2)');
  rejects(
    withKey('decoder-ffn-embed-dim-all-subtransformer', [3072]),
    'HAT config: decoder-ffn-embed-dim-all-subtransformer has 1 entries but decoder-layer-num-subtransformer is 2 (one value per layer needed)',
  );
  rejects(
    withKey('encoder-self-attention-heads-all-subtransformer', [8, 8, 8, 8, 8]),
    undefined,
    /encoder-self-attention-heads-all-subtransformer has 5 entries but encoder-layer-num-subtransformer is 6/,
  );
  rejects(withKey('decoder-arbitrary-ende-attn-all-subtransformer', [1, 1, 1, 1, 1, 1, 1]), 'HAT config: decoder-arbitrary-ende-attn-all-subtransformer has 7 entries (at most 6, one per layer)');
  rejects(withKey('decoder-ffn-embed-dim-all-subtransformer', 3072), 'HAT config: decoder-ffn-embed-dim-all-subtransformer must be a list with one value per layer, got number 3072');
  rejects(withKey('encoder-embed-dim-subtransformer', [512]), 'HAT config: encoder-embed-dim-subtransformer = a list (allowed: 640, 512)');
  for (const k of HAT_KEYS) {
    const o = { ...YAML_KEYS };
    delete o[k];
    rejects(o, `HAT config: missing key "${k}"`);
  }
  rejects({ ...YAML_KEYS, 'encoder-embed-dim': 640 }, undefined, /unknown key "encoder-embed-dim" \(expected encoder-embed-dim-subtransformer, /);
  rejects({ ...YAML_KEYS, encoder_embed_dim_subtransformer: 512 }, 'HAT config: key "encoder-embed-dim-subtransformer" given twice');
  rejects({ encoder: { encoder_embed_dim: 512 }, decoder: { encoder_layer_num: 6 } }, undefined, /unknown key "decoder.encoder_layer_num"/);
  rejects({ encoder: 1, decoder: {} }, 'HAT config: encoder must be a mapping, got number 1');
  rejects([YAML_KEYS], undefined, /expected a mapping of SubTransformer keys, got a list/);
  rejects('', 'HAT config: empty');
  rejects(HELP_74MS.replace('decoder-layer-num-subtransformer: 2', 'decoder-layer-num-subtransformer: 3'), undefined, /decoder-ffn-embed-dim-all-subtransformer has 2 entries but decoder-layer-num-subtransformer is 3/);
  rejects(HELP_74MS.replace('[8, 8]\n', '[8, 8\n'), undefined, /expected "," or "\]"|unterminated list/, /line \d+/);
});

test('features, hand-worked on two example files', () => {
  assert.deepEqual(hatFeatures(CONFIG), [
    512, // encoder_embed_dim
    6, // encoder_layer_num
    (5 * 3072 + 2048) / 6, // encoder_ffn_embed_dim_avg = 2901.33...
    (4 + 8 + 4 + 8 + 8 + 8) / 6, // encoder_self_attention_heads_avg = 6.67
    512,
    2,
    3072,
    8,
    8,
    2, // decoder_arbitrary_ende_attn_avg: code 1 = last two encoder layers -> 2
  ]);
  const xeon = parseHatConfig(read(path.join(root, 'examples', 'hat-official', 'HAT_wmt14ende_xeon@450.9ms_bleu@28.5.yml')));
  // heads [4,4,8,8,8,4]; dec self [8,8,8,4,4,4]; ende [4,8,8,8,8,8]; arbitrary [-1,1,1,1,-1,-1] -> [1,2,2,2,1,1]
  assert.deepEqual(hatFeatures(xeon), [512, 6, 3072, 6, 512, 6, 3072, 6, 44 / 6, 9 / 6]);
  assert.equal(HAT_FEATURE_NAMES.length, 10);
});

// Finds `count` values of `choices` summing to `sum` (a multiset, largest first), or undefined.
function composition(sum: number, count: number, choices: number[]): number[] | undefined {
  if (count === 0) return sum === 0 ? [] : undefined;
  for (const c of choices) {
    const rest = composition(sum - c, count - 1, choices.filter((x) => x <= c));
    if (rest) return [c, ...rest];
  }
  return undefined;
}

test('features match the columns of every row of the HAT latency tables', () => {
  // The tables were sampled from HAT's latency-dataset space (configs/*/latency_dataset/*.yml), which adds
  // FFN 512 and 2 heads to the search space. For each row, build a config that the row's averages allow
  // (sum = average x layers) and check that hatFeatures reproduces the row bit for bit.
  const ffn = [3072, 2048, 1024, 512];
  const heads = [8, 4, 2];
  const fromEndeLayers: Record<number, number> = { 1: -1, 2: 1, 3: 2 };
  const dir = path.join(root, 'hat', 'latency');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.csv'));
  assert.equal(files.length, 8);
  let rows = 0;
  let above2 = 0;
  for (const f of files) {
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 10), HAT_FEATURE_NAMES, f);
    assert.deepEqual(header.slice(10), ['latency_mean_encoder', 'latency_mean_decoder', 'latency_std_encoder', 'latency_std_decoder']);
    for (const line of lines.slice(1)) {
      const x = line.split(',').map(Number);
      const [encEmbed, encLayers, encFfn, encHeads, decEmbed, decLayers, decFfn, decHeads, endeHeads, ende] = x;
      const list = (avg: number, n: number, choices: number[]) => {
        const l = composition(Math.round(avg * n), n, choices);
        assert.ok(l, `${f}: no ${n} values of ${choices} average ${avg}`);
        return l;
      };
      const config: HatConfig = {
        encoderEmbedDim: encEmbed,
        decoderEmbedDim: decEmbed,
        encoderLayerNum: encLayers,
        decoderLayerNum: decLayers,
        encoderFfnEmbedDim: list(encFfn, encLayers, ffn),
        encoderSelfAttentionHeads: list(encHeads, encLayers, heads),
        decoderFfnEmbedDim: list(decFfn, decLayers, ffn),
        decoderSelfAttentionHeads: list(decHeads, decLayers, heads),
        decoderEndeAttentionHeads: list(endeHeads, decLayers, heads),
        decoderArbitraryEndeAttn: list(ende, decLayers, [3, 2, 1]).map((n) => fromEndeLayers[n]),
      };
      assert.deepEqual(hatFeatures(config), x.slice(0, 10), `${f}: ${line}`);
      if (ende > 2) above2++;
      rows++;
    }
  }
  assert.equal(rows, 8 * 2000);
  // Raw codes (-1, 1, 2) never average above 2: the tables use the attended-layer counts (1, 2, 3).
  assert.ok(above2 > 0);
});

test('uniform sampling is deterministic by seed, valid, and covers the choices', () => {
  const a = sampleHat(500, makeRng(11));
  assert.deepEqual(sampleHat(500, makeRng(11)), a);
  assert.notDeepEqual(sampleHat(10, makeRng(12)), a.slice(0, 10));
  const decLayers = new Set<number>();
  const ende = new Set<number>();
  for (const c of a) {
    assert.deepEqual(parseHatConfig(formatHatConfig(c)), c);
    assert.equal(c.decoderFfnEmbedDim.length, c.decoderLayerNum);
    assert.equal(c.encoderFfnEmbedDim.length, 6);
    decLayers.add(c.decoderLayerNum);
    c.decoderArbitraryEndeAttn.forEach((x) => ende.add(x));
  }
  assert.deepEqual([...decLayers].sort(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...ende].sort(), [-1, 1, 2]);
});

test('flow literal errors name the line and column, or only the offset for finders that drop them', () => {
  const text = 'a = 1\nb = {"x": 1,, }';
  assert.throws(() => readFlowLiteral(text, 10, 'HAT config'), (e: Error) => e instanceof SpecError && /^HAT config: .* at line 2, column 13$/.test(e.message));
  assert.throws(() => readFlowLiteral(text, 10, 'HAT config', false), (e: Error) => e instanceof SpecError && /^HAT config: .* at offset 18$/.test(e.message));
});
