/**
 * The file hnswlib writes with `saveIndex` (hnswalg.h), as built for wasm32 by hnswlib-wasm 0.8.2
 * (size_t, tableint, labeltype and linklistsizeint are all 4 bytes), read and checked in JS before
 * its bytes reach `readIndex`. hnswlib trusts the file it reads: a wrong element size, neighbour id
 * or level makes it allocate without bound or read out of bounds, and a WebAssembly trap leaves the
 * whole module unusable. Every field and every link is checked here, so only a file hnswlib itself
 * could have written (with Engram's settings) is loaded.
 *
 * Layout: a 56-byte header (offsetLevel0, maxElements, curElementCount, sizeDataPerElement,
 * labelOffset, offsetData, maxLevel, enterpoint, maxM, maxM0, M as u32/i32, mult as f64,
 * efConstruction as u32); then each element's level-0 block (link count u16, flags u8, a reserved
 * byte, maxM0 neighbour ids, the vector, the label); then, for each element, the byte length of
 * its upper-level links (u32) and those links (per level: a count u32 and maxM ids).
 */

/** Bytes in the file header. */
export const INDEX_FILE_HEADER_BYTES = 56;
/** The flag hnswlib sets on an element marked deleted (third byte of its level-0 link header). */
const DELETE_MARK = 0x01;
/** hnswlib draws levels as ⌊−ln(U)·mult⌋ with mult = 1/ln(M): above this, the file is not one it wrote. */
const MAX_LEVEL = 32;

/** What the file must say for the index Engram built. */
export interface IndexFileExpectations {
  dimensions: number;
  m: number;
  efConstruction: number;
  /** The capacity our own header records (the file's maxElements must agree). */
  capacity: number;
}

/** What was read: elements (live and deleted) and live ones, and the bytes one element takes. */
export interface IndexFileSummary {
  elements: number;
  live: number;
  bytesPerElement: number;
}

/**
 * Checks an hnswlib index file completely (header against `expect`, the byte length, every link
 * list, neighbour id, level, flag, label and vector component); throws an Error saying what is
 * wrong, or returns what the file holds.
 */
export function checkIndexFile(file: Uint8Array, expect: IndexFileExpectations): IndexFileSummary {
  const fail = (why: string): never => {
    throw new Error(`hnswlib index file: ${why}`);
  };
  if (file.length < INDEX_FILE_HEADER_BYTES) fail(`${file.length} bytes, shorter than its header`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  const { dimensions: d, m } = expect;

  const maxElements = u32(4);
  const count = u32(8);
  const sizePerElement = u32(12);
  const labelOffset = u32(16);
  const offsetData = u32(20);
  const maxLevel = view.getInt32(24, true);
  const enterpoint = u32(28);
  const maxM = u32(32);
  const maxM0 = u32(36);
  const mult = view.getFloat64(44, true);

  if (u32(0) !== 0) fail('level-0 offset is not 0');
  if (u32(40) !== m || maxM !== m || maxM0 !== 2 * m) fail(`M ${u32(40)}, maxM ${maxM}, maxM0 ${maxM0}; expected ${m}, ${m}, ${2 * m}`);
  if (u32(52) !== expect.efConstruction) fail(`efConstruction ${u32(52)}, expected ${expect.efConstruction}`);
  if (!(Math.abs(mult - 1 / Math.log(m)) < 1e-9)) fail(`level multiplier ${mult}`);
  const linksLevel0 = 4 + 4 * maxM0;
  if (offsetData !== linksLevel0 || labelOffset !== offsetData + 4 * d || sizePerElement !== labelOffset + 4) {
    fail(`element layout (${offsetData}, ${labelOffset}, ${sizePerElement}) is not that of ${d} dimensions`);
  }
  if (maxElements !== expect.capacity) fail(`capacity ${maxElements}, the snapshot header says ${expect.capacity}`);
  if (count > maxElements) fail(`${count} elements for a capacity of ${maxElements}`);
  if (count === 0 ? maxLevel !== -1 || enterpoint !== 0xffffffff : maxLevel < 0 || maxLevel > MAX_LEVEL || enterpoint >= count) {
    fail(`entry point ${enterpoint} at level ${maxLevel} for ${count} elements`);
  }
  const level0End = INDEX_FILE_HEADER_BYTES + count * sizePerElement;
  if (level0End > file.length) fail(`${count} elements need more than ${file.length} bytes`);

  // Upper levels: where each element's links start, and how many levels it has.
  const linksPerLevel = 4 + 4 * maxM;
  const levels = new Uint8Array(count);
  const upperAt = new Uint32Array(count);
  let at = level0End;
  for (let i = 0; i < count; i++) {
    if (at + 4 > file.length) fail(`file ends inside element ${i}'s links`);
    const size = u32(at);
    at += 4;
    if (size % linksPerLevel !== 0 || size / linksPerLevel > maxLevel) fail(`element ${i} has ${size} bytes of upper links`);
    if (at + size > file.length) fail(`file ends inside element ${i}'s links`);
    levels[i] = size / linksPerLevel;
    upperAt[i] = at;
    at += size;
  }
  if (at !== file.length) fail(`${file.length - at} bytes after the last element`);
  if (count > 0 && levels[enterpoint] !== maxLevel) fail(`entry point ${enterpoint} is not on the top level ${maxLevel}`);

  // Every link list: a count within bounds, neighbours that exist and reach that level.
  const checkLinks = (start: number, max: number, level: number, owner: number): void => {
    const n = view.getUint16(start, true);
    if (n > max) fail(`element ${owner} has ${n} links at level ${level}, at most ${max}`);
    for (let j = 0; j < n; j++) {
      const neighbour = u32(start + 4 + 4 * j);
      if (neighbour >= count || levels[neighbour]! < level) fail(`element ${owner} links to ${neighbour} at level ${level}`);
    }
  };
  const labels = new Set<number>();
  let deleted = 0;
  for (let i = 0; i < count; i++) {
    const base = INDEX_FILE_HEADER_BYTES + i * sizePerElement;
    const flags = file[base + 2]!;
    if ((flags & ~DELETE_MARK) !== 0 || file[base + 3] !== 0) fail(`element ${i} has flags ${flags}`);
    if (flags & DELETE_MARK) deleted++;
    checkLinks(base, maxM0, 0, i);
    for (let l = 1; l <= levels[i]!; l++) checkLinks(upperAt[i]! + (l - 1) * linksPerLevel, maxM, l, i);
    for (let k = 0; k < d; k++) {
      if (!Number.isFinite(view.getFloat32(base + offsetData + 4 * k, true))) fail(`element ${i} has a non-finite vector component`);
    }
    const label = u32(base + labelOffset);
    if (labels.has(label)) fail(`label ${label} appears twice`);
    labels.add(label);
  }
  return { elements: count, live: count - deleted, bytesPerElement: sizePerElement };
}
