// Draws media/icon.png (128x128): a latency bar chart on a dark tile. PNG written by hand (zlib + CRC)
// so the repository needs no image tooling.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const W = 128;
const H = 128;
const px = Buffer.alloc(W * H * 4);
const set = (x, y, [r, g, b, a = 255]) => {
  const i = (y * W + x) * 4;
  px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a;
};
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
  const r = 20;
  const dx = Math.max(r - x, x - (W - 1 - r), 0);
  const dy = Math.max(r - y, y - (H - 1 - r), 0);
  set(x, y, dx * dx + dy * dy <= r * r ? [30, 36, 52] : [0, 0, 0, 0]);
}
const bars = [[22, 70, [86, 156, 214]], [46, 45, [78, 201, 176]], [70, 88, [220, 220, 170]], [94, 30, [206, 145, 120]]];
for (const [x0, h, c] of bars) for (let x = x0; x < x0 + 14; x++) for (let y = 104 - h; y < 104; y++) set(x, y, c);
for (let x = 16; x < 112; x++) set(x, 105, [200, 200, 200]);

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4); ihdr[8] = 8; ihdr[9] = 6;
const raw = Buffer.alloc(H * (W * 4 + 1));
for (let y = 0; y < H; y++) px.copy(raw, y * (W * 4 + 1) + 1, y * W * 4, (y + 1) * W * 4);
writeFileSync('media/icon.png', Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
]));
