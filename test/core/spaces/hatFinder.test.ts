// findHatConfigs: HAT SubTransformer configs in YAML files (whole file or a block inside a larger file),
// JSON objects, Python dicts (flat or HAT's nested form), with ranges; invalid configs are not reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findHatConfigs } from '../../../src/core/spaces/hatFinder';
import { formatHatConfig, parseHatConfig } from '../../../src/core/spaces/hat';

const examples = path.resolve(__dirname, '..', '..', '..', 'data', 'examples');
const yamlFiles = ['hat', 'hat-official'].flatMap((d) => fs.readdirSync(path.join(examples, d)).map((f) => path.join(examples, d, f)));

test('every example SubTransformer YAML file is one config spanning its keys', () => {
  assert.ok(yamlFiles.length >= 10);
  for (const f of yamlFiles) {
    const text = fs.readFileSync(f, 'utf8');
    const found = findHatConfigs(text);
    assert.equal(found.length, 1, f);
    assert.equal(found[0].spec, formatHatConfig(parseHatConfig(text)), f);
    assert.ok(text.slice(found[0].start).startsWith('encoder-embed-dim-subtransformer'), f);
    assert.equal(text.slice(found[0].end).trim(), '', `${f}: range ends at the last value`);
    // The range itself parses to the same config.
    assert.equal(formatHatConfig(parseHatConfig(text.slice(found[0].start, found[0].end))), found[0].spec);
  }
});

const YAML = fs.readFileSync(yamlFiles[0], 'utf8');
const CONFIG = parseHatConfig(YAML);
const FLAT = JSON.parse(formatHatConfig(CONFIG)) as Record<string, unknown>;

test('a YAML block inside a larger file, indented, with comments and other keys around it', () => {
  const block = YAML.trim()
    .split('\n')
    .map((l) => (l.trim() ? `  ${l}  # c` : l))
    .join('\n');
  const text = `train:\n  lr: 0.001\nmodel:\n${block}\nother: 1\n`;
  const found = findHatConfigs(text);
  assert.equal(found.length, 1);
  assert.equal(found[0].spec, formatHatConfig(CONFIG));
  assert.ok(text.slice(found[0].start).startsWith('encoder-embed-dim-subtransformer'));
  assert.match(text.slice(0, found[0].end), /\]$/, 'ends before the trailing comment');
});

test('JSON objects and Python dicts, flat and nested, several in one file', () => {
  const json = JSON.stringify(FLAT, null, 2);
  const nested = `{'encoder': {'encoder_embed_dim': ${CONFIG.encoderEmbedDim}, 'encoder_layer_num': 6, 'encoder_ffn_embed_dim': ${JSON.stringify(CONFIG.encoderFfnEmbedDim)}, 'encoder_self_attention_heads': ${JSON.stringify(CONFIG.encoderSelfAttentionHeads)}}, 'decoder': {'decoder_embed_dim': ${CONFIG.decoderEmbedDim}, 'decoder_layer_num': ${CONFIG.decoderLayerNum}, 'decoder_ffn_embed_dim': ${JSON.stringify(CONFIG.decoderFfnEmbedDim)}, 'decoder_self_attention_heads': ${JSON.stringify(CONFIG.decoderSelfAttentionHeads)}, 'decoder_ende_attention_heads': ${JSON.stringify(CONFIG.decoderEndeAttentionHeads)}, 'decoder_arbitrary_ende_attn': ${JSON.stringify(CONFIG.decoderArbitraryEndeAttn)}}}`;
  const text = `best = ${nested}\n\nwith open('x.json') as f:\n    pass\n# json:\n${json}\n`;
  const found = findHatConfigs(text);
  assert.equal(found.length, 2);
  assert.deepEqual(found.map((f) => f.spec), [formatHatConfig(CONFIG), formatHatConfig(CONFIG)]);
  assert.equal(text.slice(found[0].start, found[0].end), nested);
  assert.equal(text.slice(found[1].start, found[1].end), json);
});

test('a config wrapped in a larger JSON object is found inside it', () => {
  const text = JSON.stringify({ name: 'run 3', subtransformer: FLAT, bleu: 27.6 }, null, 2);
  const found = findHatConfigs(text);
  assert.equal(found.length, 1);
  assert.equal(formatHatConfig(parseHatConfig(text.slice(found[0].start, found[0].end))), found[0].spec);
});

test('invalid or incomplete configs and unrelated text give nothing', () => {
  assert.deepEqual(findHatConfigs('no transformer here'), []);
  assert.deepEqual(findHatConfigs(YAML.replace(/decoder-layer-num-subtransformer: \d/, 'decoder-layer-num-subtransformer: 9')), []);
  assert.deepEqual(findHatConfigs(YAML.replace(/^encoder-embed-dim-subtransformer.*$/m, '')), []);
  assert.deepEqual(findHatConfigs(JSON.stringify({ ...FLAT, 'encoder-embed-dim-subtransformer': 100 })), []);
  assert.deepEqual(findHatConfigs('{"encoder": 1, "decoder": {'), []);
});
