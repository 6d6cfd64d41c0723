/**
 * Draws Engram's toolbar icon (a rounded square with a memory "node" mark) at 16, 32, 48 and 128
 * px into public/icon/, as PNG, with no dependency: a few shapes, anti-aliased by supersampling.
 * Run once when the design changes; the PNGs are committed.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  const rows = [];
  for (let y = 0; y < size; y++) rows.push(Buffer.from([0]), rgba.subarray(y * size * 4, (y + 1) * size * 4));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Colour of a point in the unit square, or null for transparent. */
function shade(x, y) {
  const r = 0.22; // corner radius
  const dx = Math.max(r - x, x - (1 - r), 0);
  const dy = Math.max(r - y, y - (1 - r), 0);
  if (dx * dx + dy * dy > r * r) return null;
  const nodes = [
    [0.32, 0.34],
    [0.68, 0.3],
    [0.5, 0.7],
  ];
  const onEdge = (ax, ay, bx, by) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) < 0.045;
  };
  for (const [nx, ny] of nodes) if (Math.hypot(x - nx, y - ny) < 0.11) return [255, 255, 255];
  for (let i = 0; i < nodes.length; i++) {
    const [ax, ay] = nodes[i];
    const [bx, by] = nodes[(i + 1) % nodes.length];
    if (onEdge(ax, ay, bx, by)) return [200, 215, 255];
  }
  return [58, 76, 214];
}

for (const size of [16, 32, 48, 128]) {
  const rgba = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let rr = 0, gg = 0, bb = 0, aa = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size);
          if (c) {
            rr += c[0];
            gg += c[1];
            bb += c[2];
            aa += 1;
          }
        }
      }
      const o = (y * size + x) * 4;
      if (aa > 0) {
        rgba[o] = Math.round(rr / aa);
        rgba[o + 1] = Math.round(gg / aa);
        rgba[o + 2] = Math.round(bb / aa);
      }
      rgba[o + 3] = Math.round((255 * aa) / (ss * ss));
    }
  }
  writeFileSync(new URL(`../public/icon/${size}.png`, import.meta.url), png(size, rgba));
}
console.log('icons written to public/icon/');
