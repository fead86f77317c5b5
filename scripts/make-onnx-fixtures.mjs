// Writes the ONNX fixtures made in JavaScript (test/fixtures/onnx/written and test/fixtures/onnx/hostile):
//   node --import tsx scripts/make-onnx-fixtures.mjs
// - written/: a network from src/core/onnx/writer.ts (seed 0), a tiny model and one with external data;
// - hostile/: truncated, corrupt and malicious files, each with the problem the reader must name
//   (hostile/manifest.json: file -> a substring of the expected one-line OnnxError).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnnxBuilder, writeNasBench201 } from '../src/core/onnx/writer.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'onnx');
const written = path.join(root, 'written');
const hostile = path.join(root, 'hostile');
for (const d of [written, hostile]) {
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
}

// --- protobuf wire helpers ---------------------------------------------------------------------------------
function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field, wire) => varint(field * 8 + wire);
const vfield = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const lfield = (field, bytes) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([key(field, 2), varint(b.length), b]);
};
const cat = (...parts) => Buffer.concat(parts);

const node = (op, inputs, outputs, ...extra) => cat(...inputs.map((i) => lfield(1, i)), ...outputs.map((o) => lfield(2, o)), lfield(4, op), ...extra);
const valueInfo = (name, dims) =>
  cat(lfield(1, name), lfield(2, lfield(1, cat(vfield(1, 1), lfield(2, cat(...dims.map((d) => lfield(1, vfield(1, d)))))))));
const model = (graph, ir = 8, opset = 13) => cat(vfield(1, ir), lfield(2, 'hostile'), lfield(7, graph), lfield(8, vfield(2, opset)));

// --- written ------------------------------------------------------------------------------------------------
// Networks of the spaces are written in memory by the tests (write -> read -> recognise); only a small
// NAS-Bench-201 model with `none` left out is kept as a file, for the CLI.
const NB201 = '|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
fs.writeFileSync(path.join(written, 'nb201-drop-none.onnx'), writeNasBench201(NB201, { seed: 0, none: 'drop', foldBn: true }));

// A tiny valid model (Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm), the base of the hostile files.
const b = new OnnxBuilder(13, 0, false);
let x = b.relu(b.conv('input', 3, 8, 3, 1, 1));
const out = b.linear(b.gap(x), 8, 10);
const tiny = Buffer.from(b.encode('input', [1, 3, 16, 16], out, [1, 10], 'fixture'));
fs.writeFileSync(path.join(written, 'tiny.onnx'), tiny);

// External data: one 1x1 conv whose weights live in tiny-external.bin (written too, 4 KB).
const ext = cat(
  lfield(1, node('Conv', ['input', 'w'], ['output'])),
  lfield(5, cat(vfield(1, 32), vfield(1, 32), vfield(1, 1), vfield(1, 1), vfield(2, 1), lfield(8, 'w'),
    lfield(13, cat(lfield(1, 'location'), lfield(2, 'tiny-external.bin'))), lfield(13, cat(lfield(1, 'offset'), lfield(2, '0'))),
    lfield(13, cat(lfield(1, 'length'), lfield(2, '4096'))), vfield(14, 1))),
  lfield(11, valueInfo('input', [1, 32, 8, 8])),
  lfield(12, valueInfo('output', [1, 32, 8, 8])),
);
fs.writeFileSync(path.join(written, 'tiny-external.onnx'), model(ext));
fs.writeFileSync(path.join(written, 'tiny-external.bin'), Buffer.alloc(4096));

// --- hostile ------------------------------------------------------------------------------------------------
const cases = {};
const add = (file, bytes, expect) => {
  fs.writeFileSync(path.join(hostile, file), bytes);
  cases[file] = expect;
};

add('empty.onnx', Buffer.alloc(0), 'empty file');
add('json.onnx', Buffer.from('{"graph": {"node": []}}\n'), 'not an ONNX model');
add('zip.onnx', Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), 'not an ONNX model');
add('truncated-half.onnx', tiny.subarray(0, Math.floor(tiny.length / 2)), 'truncated');
add('truncated-header.onnx', tiny.subarray(0, 3), 'truncated');
add('bad-varint.onnx', cat(key(1, 0), Buffer.alloc(11, 0xff)), 'bad varint');
add('length-past-end.onnx', cat(vfield(1, 8), key(7, 2), varint(1_000_000), Buffer.alloc(20)), 'past the end');
add('no-graph.onnx', cat(vfield(1, 8), lfield(2, 'x')), 'no graph');
add('group-wire-type.onnx', cat(vfield(1, 8), key(7, 3), Buffer.alloc(4)), 'wire type');
// A tensor claiming 100,000 dimensions (packed), and one claiming 2^60 elements.
const manyDims = Buffer.concat(Array.from({ length: 100_000 }, () => varint(1)));
add('huge-repeated-count.onnx', model(lfield(5, cat(key(1, 2), varint(manyDims.length), manyDims, vfield(2, 1), lfield(8, 'w')))), 'more than 64 values');
add('absurd-dims.onnx', model(lfield(5, cat(vfield(1, 2 ** 30), vfield(1, 2 ** 30), vfield(1, 2 ** 30), vfield(2, 1), lfield(8, 'w'), lfield(9, Buffer.alloc(4))))), 'absurd element count');
add('raw-data-mismatch.onnx', model(lfield(5, cat(vfield(1, 4), vfield(1, 4), vfield(2, 1), lfield(8, 'w'), lfield(9, Buffer.alloc(12))))), 'raw_data has 12 bytes');
// A length field inside the graph that points past its enclosing message.
add('nested-length.onnx', cat(vfield(1, 8), key(7, 2), varint(6), lfield(1, Buffer.alloc(30))), 'past the end');
// Two nodes feeding each other.
add('cycle.onnx', model(cat(lfield(1, node('Relu', ['y'], ['x'])), lfield(1, node('Relu', ['x'], ['y'])), lfield(11, valueInfo('input', [1, 3, 8, 8])), lfield(12, valueInfo('y', [1, 3, 8, 8])))), 'cycle');
add('self-loop.onnx', model(cat(lfield(1, node('Add', ['input', 'z'], ['z'])), lfield(11, valueInfo('input', [1])), lfield(12, valueInfo('z', [1])))), 'cycle');
add('duplicate-output.onnx', model(cat(lfield(1, node('Relu', ['input'], ['a'])), lfield(1, node('Relu', ['input'], ['a'])), lfield(11, valueInfo('input', [1])))), 'produced by two nodes');
// If nodes nested 20 deep through their then_branch graphs.
let g = lfield(1, node('Relu', ['input'], ['out']));
for (let i = 0; i < 20; i++) g = lfield(1, node('If', ['cond'], ['out'], lfield(5, cat(lfield(1, 'then_branch'), lfield(6, g), vfield(20, 5)))));
add('deep-nesting.onnx', model(g), 'nested more than');
add('node-without-op.onnx', model(lfield(1, cat(lfield(1, 'input'), lfield(2, 'y')))), 'without op_type');

fs.writeFileSync(path.join(hostile, 'manifest.json'), JSON.stringify(cases, null, 1) + '\n');
console.log(`wrote ${fs.readdirSync(written).length} files to ${written} and ${Object.keys(cases).length} hostile cases to ${hostile}`);
