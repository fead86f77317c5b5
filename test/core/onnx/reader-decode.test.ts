// The reader decodes with onnx-proto, piece by piece and without weight bytes: its result must match a full
// onnx.ModelProto.decode of the same file (node ops, inputs/outputs, attributes, initializer names, dims,
// types, and where raw_data lies), on the written and PyTorch fixtures and on large nodes that take the
// slimmed-copy path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { OnnxError, OnnxModel, OnnxNode, OnnxSubgraph, OnnxTensor, OnnxValueInfo, readOnnxBytes, readOnnxFile } from '../../../src/core/onnx/reader';
import { writeFbnet, writeNasBench201, writeOfa } from '../../../src/core/onnx/writer';
import { formatFbnetSpec, sampleFbnet } from '../../../src/core/spaces/fbnet';
import { formatOfaSpec, sampleOfa } from '../../../src/core/spaces/ofa';
import { makeRng } from '../../../src/core/spaces/space';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'onnx');
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** An int64 from protobufjs (number or Long) as a number. */
const int = (v: unknown) => (typeof v === 'number' ? v : Number(String(v)));
const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

function checkTensor(t: OnnxTensor, p: onnx.ITensorProto, buf: Buffer, where: string): void {
  const w = `${where} tensor ${p.name}`;
  assert.equal(t.name, p.name ?? '', w);
  assert.deepEqual(t.dims, (p.dims ?? []).map(int), w);
  assert.equal(t.dataType, p.dataType ?? 0, w);
  if (p.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const e = Object.fromEntries((p.externalData ?? []).map((x) => [x.key, x.value]));
    // `problem`: the reader's check of the range against the external file (absent for some fixtures).
    const { problem, ...written } = t.external!;
    assert.deepEqual(written, { location: e.location ?? '', offset: e.offset === undefined ? undefined : Number(e.offset), length: e.length === undefined ? undefined : Number(e.length) }, w);
    assert.ok(problem === undefined || /ENOENT|past its end/.test(problem), `${w}: ${problem}`);
    assert.equal(t.rawData, undefined, w);
  } else if (has(p, 'rawData')) {
    // The reader never copies raw_data: it says where the bytes are, and they are onnx-proto's bytes.
    const raw = p.rawData!;
    assert.ok(t.rawData, w);
    assert.equal(t.rawData.length, raw.length, w);
    assert.equal(Buffer.compare(buf.subarray(t.rawData.offset, t.rawData.offset + t.rawData.length), raw), 0, `${w}: raw_data offset`);
    if (t.values && p.dataType === onnx.TensorProto.DataType.FLOAT) {
      assert.deepEqual(t.values, Array.from(new Float32Array(Uint8Array.from(raw).buffer)), w);
    }
    if (t.values && p.dataType === onnx.TensorProto.DataType.INT64) {
      assert.deepEqual(t.values, Array.from(new BigInt64Array(Uint8Array.from(raw).buffer), Number), w);
    }
    if (t.size <= 64 && (p.dataType === 1 || p.dataType === 7)) assert.ok(t.values, `${w}: small constant decoded`);
    if (t.size > 64) assert.equal(t.values, undefined, `${w}: weights are not decoded`);
  } else {
    assert.equal(t.rawData, undefined, w);
    const typed = [...(p.floatData ?? []), ...(p.int32Data ?? []), ...(p.int64Data ?? []).map(int), ...(p.doubleData ?? [])];
    if (typed.length > 0 && typed.length <= 64 && typed.length === t.size && p.dataType !== 10 && p.dataType !== 16) assert.deepEqual(t.values, typed, w);
    if (typed.length > 64) assert.equal(t.values, undefined, w);
  }
}

function checkAttribute(v: unknown, a: onnx.IAttributeProto, buf: Buffer, where: string): void {
  const w = `${where} attribute ${a.name}`;
  const T = onnx.AttributeProto.AttributeType;
  const text = (b: Uint8Array) => (b.length > 4096 ? `<${b.length} bytes>` : utf8(b));
  switch (a.type) {
    case T.FLOAT:
      assert.equal(v, a.f, w);
      break;
    case T.INT:
      assert.equal(v, int(a.i), w);
      break;
    case T.STRING:
      assert.equal(v, text(a.s!), w);
      break;
    case T.FLOATS:
      assert.deepEqual(v, a.floats, w);
      break;
    case T.INTS:
      assert.deepEqual(v, (a.ints ?? []).map(int), w);
      break;
    case T.STRINGS:
      assert.deepEqual(v, (a.strings ?? []).map(text), w);
      break;
    case T.TENSOR:
      checkTensor(v as OnnxTensor, a.t!, buf, w);
      break;
    case T.TENSORS:
      assert.equal((v as OnnxTensor[]).length, a.tensors!.length, w);
      a.tensors!.forEach((t, i) => checkTensor((v as OnnxTensor[])[i], t, buf, w));
      break;
    case T.GRAPH:
      checkSubgraph(v as OnnxSubgraph, a.g!, buf, w);
      break;
    case T.GRAPHS:
      assert.equal((v as OnnxSubgraph[]).length, a.graphs!.length, w);
      a.graphs!.forEach((g, i) => checkSubgraph((v as OnnxSubgraph[])[i], g, buf, w));
      break;
    default:
      assert.fail(`${w}: attribute type ${a.type} not in the fixtures`);
  }
}

function checkNodes(nodes: OnnxNode[], protos: onnx.INodeProto[], buf: Buffer, where: string): void {
  assert.equal(nodes.length, protos.length, `${where}: node count`);
  // The reader orders nodes topologically; the fixtures are already in that order, but match by outputs to
  // stay independent of it.
  const key = (outs: string[], op: string, name: string) => `${op}|${name}|${outs.join(',')}`;
  const byKey = new Map(nodes.map((n) => [key(n.outputs, n.opType, n.name), n]));
  assert.equal(byKey.size, nodes.length, `${where}: nodes told apart`);
  for (const p of protos) {
    const n = byKey.get(key(p.output ?? [], p.opType ?? '', p.name ?? ''));
    assert.ok(n, `${where}: node ${p.name} (${p.opType}) read`);
    const w = `${where} node ${p.name} (${p.opType})`;
    assert.equal(n.domain, p.domain ?? '', w);
    assert.deepEqual(n.inputs, p.input ?? [], w);
    assert.deepEqual(Object.keys(n.attributes).sort(), (p.attribute ?? []).map((a) => a.name ?? '').sort(), w);
    for (const a of p.attribute ?? []) checkAttribute(n.attributes[a.name ?? ''], a, buf, w);
  }
}

function checkSubgraph(g: OnnxSubgraph, p: onnx.IGraphProto, buf: Buffer, where: string): void {
  const w = `${where} graph ${p.name}`;
  assert.equal(g.name, p.name ?? '', w);
  checkNodes(g.nodes, p.node ?? [], buf, w);
  assert.equal(g.initializers.length, (p.initializer ?? []).length, w);
  (p.initializer ?? []).forEach((t, i) => checkTensor(g.initializers[i], t, buf, w));
}

function valueInfo(p: onnx.IValueInfoProto): OnnxValueInfo {
  const tt = p.type?.tensorType;
  const shape = tt?.shape ? (tt.shape.dim ?? []).map((d) => (has(d, 'dimValue') ? int(d.dimValue) : has(d, 'dimParam') ? d.dimParam! : null)) : null;
  return { name: p.name ?? '', elemType: tt?.elemType ?? 0, shape };
}

/** The reader's model against onnx-proto's decode of the whole buffer. */
function checkModel(m: OnnxModel, buf: Buffer, where: string): void {
  const full = onnx.ModelProto.decode(buf);
  const g = full.graph as onnx.GraphProto;
  assert.equal(m.irVersion, int(full.irVersion), where);
  assert.equal(m.producer, full.producerName, where);
  assert.equal(m.producerVersion, full.producerVersion, where);
  assert.deepEqual(m.opsets, full.opsetImport.map((o) => ({ domain: o.domain ?? '', version: int(o.version) })), where);
  assert.equal(m.graphName, g.name, where);
  const inits = new Set(g.initializer.map((t) => t.name));
  assert.deepEqual(m.inputs, g.input.filter((i) => !inits.has(i.name)).map(valueInfo), `${where}: inputs`);
  assert.deepEqual(m.outputs, g.output.map(valueInfo), `${where}: outputs`);
  assert.deepEqual(m.valueInfo, g.valueInfo.map(valueInfo), `${where}: value_info`);
  checkNodes(m.nodes, g.node, buf, where);
  assert.equal(m.initializers.length, g.initializer.length, `${where}: initializer count`);
  g.initializer.forEach((t, i) => checkTensor(m.initializers[i], t, buf, where));
}

test('the reader matches a full onnx-proto decode on the written and PyTorch fixtures', () => {
  let files = 0;
  for (const dir of ['written', 'torch']) {
    for (const f of fs.readdirSync(path.join(fixtures, dir)).filter((x) => x.endsWith('.onnx'))) {
      const file = path.join(fixtures, dir, f);
      const buf = fs.readFileSync(file);
      checkModel(readOnnxFile(file), buf, file);
      checkModel(readOnnxBytes(buf, file), buf, file);
      files++;
    }
  }
  assert.ok(files >= 12, `${files} fixture files`);
});

test('the reader matches a full onnx-proto decode on written networks of the three spaces', () => {
  const rng = makeRng(21);
  const bufs = [
    writeNasBench201('|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|', { foldBn: true, opset: 11 }),
    writeFbnet(formatFbnetSpec(sampleFbnet(1, rng)[0]), { opset: 17 }),
    writeOfa(formatOfaSpec(sampleOfa(1, rng)[0])),
  ];
  for (const b of bufs) checkModel(readOnnxBytes(b, 'written'), Buffer.from(b), 'written');
});

/** A model with nodes over 64 KiB (read through slimmed copies): a Constant with 80 KB of raw_data, a
 *  Constant with 20,000 float_data values, an If whose branch holds a 100 KB initializer and a long string
 *  attribute; plus small Constants decoded whole. */
function bigNodesModel(seed = 1): Buffer {
  const T = onnx.AttributeProto.AttributeType;
  const F = onnx.TensorProto.DataType;
  const rng = makeRng(seed);
  // Floats with random bytes (any sign, exponent and mantissa, never NaN or infinite).
  const bits = new Uint32Array(1);
  const float = () => {
    bits[0] = ((Math.floor(rng() * 2 ** 32) & 0x807fffff) | ((1 + Math.floor(rng() * 253)) << 23)) >>> 0;
    return new Float32Array(bits.buffer)[0];
  };
  const raw = (n: number) => new Uint8Array(Float32Array.from({ length: n }, float).buffer);
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: F.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const branch = (name: string, big: boolean): onnx.IGraphProto => ({
    name,
    node: [{ opType: 'Add', input: ['x', `${name}_w`], output: [`${name}_y`], name: `${name}_add` }],
    initializer: [big ? { name: `${name}_w`, dims: [25_000], dataType: F.FLOAT, rawData: raw(25_000) } : { name: `${name}_w`, dims: [2], dataType: F.FLOAT, floatData: [0.5, -2] }],
    output: [vi(`${name}_y`, [25_000])],
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'big-nodes',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [
        { opType: 'Constant', output: ['c_big'], name: 'c_big', attribute: [{ name: 'value', type: T.TENSOR, t: { name: 'c_big_t', dims: [200, 100], dataType: F.FLOAT, rawData: raw(20_000) } }] },
        { opType: 'Constant', output: ['c_typed'], name: 'c_typed', attribute: [{ name: 'value', type: T.TENSOR, t: { name: 'c_typed_t', dims: [20_000], dataType: F.FLOAT, floatData: Array.from({ length: 20_000 }, float) } }] },
        { opType: 'Constant', output: ['c_shape'], name: 'c_shape', attribute: [{ name: 'value', type: T.TENSOR, t: { name: 'c_shape_t', dims: [3], dataType: F.INT64, int64Data: [1, -1, 4] } }] },
        { opType: 'Constant', output: ['c_zero'], name: 'c_zero', attribute: [{ name: 'value', type: T.TENSOR, t: { name: 'c_zero_t', dims: [], dataType: F.FLOAT, rawData: new Uint8Array(4) } }] },
        {
          opType: 'If',
          input: ['cond'],
          output: ['y'],
          name: 'branchy',
          attribute: [
            { name: 'then_branch', type: T.GRAPH, g: branch('then', true) },
            { name: 'else_branch', type: T.GRAPH, g: branch('else', false) },
            { name: 'note', type: T.STRING, s: Buffer.from(Array.from({ length: 5000 }, () => 97 + Math.floor(rng() * 26))) },
            { name: 'axes', type: T.INTS, ints: [0, -1, 2] },
            { name: 'scales', type: T.FLOATS, floats: [0.5, 2] },
          ],
        },
      ],
      input: [{ name: 'cond', type: { tensorType: { elemType: F.BOOL, shape: { dim: [] } } } }, vi('x', [25_000])],
      output: [vi('y', [25_000])],
    },
  };
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

test('nodes over 64 KiB are read through slimmed copies without their weight bytes, and match onnx-proto', () => {
  const buf = bigNodesModel();
  const m = readOnnxBytes(buf, 'big-nodes');
  checkModel(m, buf, 'big-nodes');
  const byName = new Map(m.nodes.map((n) => [n.name, n]));
  const big = byName.get('c_big')!.attributes.value as OnnxTensor;
  assert.equal(big.rawData!.length, 80_000);
  assert.equal(big.values, undefined);
  assert.equal((byName.get('c_typed')!.attributes.value as OnnxTensor).values, undefined, 'long float_data is not decoded');
  assert.deepEqual((byName.get('c_shape')!.attributes.value as OnnxTensor).values, [1, -1, 4]);
  assert.deepEqual((byName.get('c_zero')!.attributes.value as OnnxTensor).values, [0]);
  const ifNode = byName.get('branchy')!;
  assert.equal(ifNode.attributes.note, '<5000 bytes>');
  const then = ifNode.attributes.then_branch as OnnxSubgraph;
  assert.equal(then.initializers[0].rawData!.length, 100_000);
  assert.deepEqual((ifNode.attributes.else_branch as OnnxSubgraph).initializers[0].values, [0.5, -2]);
  // The same through positioned reads.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-bignodes-'));
  try {
    const f = path.join(dir, 'm.onnx');
    fs.writeFileSync(f, buf);
    const fm = readOnnxFile(f);
    checkModel(fm, buf, f);
    assert.deepEqual({ ...fm, where: '' }, { ...m, where: '' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('bytes that protobufjs would misread are refused in one line naming the file and what was read', () => {
  // A node whose op_type (field 4) is written as a varint: protobufjs would read it as a string anyway.
  const node = Buffer.from([0x0a, 0x01, 0x78, 0x12, 0x01, 0x79, 0x20, 0x05]);
  const graph = Buffer.concat([Buffer.from([0x0a, node.length]), node]);
  const model = Buffer.concat([Buffer.from([0x08, 0x08, 0x3a, graph.length]), graph, Buffer.from([0x42, 0x02, 0x10, 0x0d])]);
  assert.throws(() => readOnnxBytes(model, 'm.onnx'), (e: Error) => {
    assert.ok(e instanceof OnnxError);
    assert.match(e.message, /^m\.onnx: node at offset 6: op_type: wrong wire type 0 \(expected 2\) at offset 12$/);
    return true;
  });
  // A nested length running past the end of its node (protobufjs would read into the next field).
  const node2 = Buffer.from([0x22, 0x04, 0x52, 0x65, 0x6c, 0x75, 0x2a, 0x09, 0x0a, 0x01, 0x61]);
  const graph2 = Buffer.concat([Buffer.from([0x0a, node2.length]), node2, Buffer.from([0x12, 0x04, 0x6e, 0x61, 0x6d, 0x65])]);
  const model2 = Buffer.concat([Buffer.from([0x08, 0x08, 0x3a, graph2.length]), graph2]);
  assert.throws(() => readOnnxBytes(model2, 'm2.onnx'), /^OnnxError: m2\.onnx: node at offset 6: attribute: length 9 at offset 12 runs past the end of its enclosing message$/);
});

test('corrupting or cutting large nodes gives a model or a one-line OnnxError, never a crash', () => {
  const buf = bigNodesModel();
  // Flip bytes of the structure the slimmed copies come from, not of the weights (where flips change
  // nothing): the bytes the same in models with other (random) weights.
  const others = [bigNodesModel(2), bigNodesModel(3)];
  assert.ok(others.every((o) => o.length === buf.length));
  const structure = [...buf.keys()].filter((i) => others.every((o) => o[i] === buf[i]));
  assert.ok(structure.length > 200 && structure.length < 2000, `${structure.length} structure bytes`);
  const rng = makeRng(5);
  let errors = 0;
  const attempt = (b: Buffer) => {
    try {
      readOnnxBytes(b, 'fuzz');
    } catch (e) {
      assert.ok(e instanceof OnnxError, `not an OnnxError: ${(e as Error)?.stack}`);
      assert.ok(!e.message.includes('\n') && e.message.startsWith('fuzz: '), e.message);
      errors++;
    }
  };
  for (let i = 0; i < 1500; i++) {
    const b = Buffer.from(buf);
    for (let k = 0; k < 1 + Math.floor(rng() * 3); k++) b[structure[Math.floor(rng() * structure.length)]] = Math.floor(rng() * 256);
    attempt(b);
  }
  assert.ok(errors > 600, `${errors} corruptions refused`);
  for (let i = 0; i < 200; i++) attempt(buf.subarray(0, Math.floor(rng() * buf.length)));
});
