// Writes weights/nasbench201-index.bin: for each official NAS-Bench-201 index (the order of
// data/nasbench201/architectures.json), the cell's base-5 code as little-endian uint16
// (code = sum over the 6 edges of op_id * 5^edge, ops none, skip_connect, nor_conv_1x1, nor_conv_3x3,
// avg_pool_3x3). The shipped extension looks indices up here instead of reading data/.
import { readFileSync, writeFileSync } from 'node:fs';

const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
const archs = JSON.parse(readFileSync('data/nasbench201/architectures.json', 'utf8'));
const buf = Buffer.alloc(archs.length * 2);
archs.forEach((s, i) => {
  const ops = s.split('+').flatMap((node) => node.slice(1, -1).split('|').map((t) => t.split('~')[0]));
  const code = ops.reduce((acc, op, e) => acc + OPS.indexOf(op) * 5 ** e, 0);
  buf.writeUInt16LE(code, 2 * i);
});
writeFileSync('weights/nasbench201-index.bin', buf);
console.log(`wrote weights/nasbench201-index.bin (${archs.length} cells)`);
