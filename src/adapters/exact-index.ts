import type { VectorHit, VectorIndex, VectorIndexFactory } from '../ports/vector-index';

/**
 * Exact nearest-neighbour index: a brute-force dot-product scan over contiguous Float32Array
 * storage. The reference for HNSW, and the faster choice for small stores (see bench/results.md).
 *
 * Vectors are normalised on the way in (and queries at search time), so scores are cosine
 * similarities even for inputs that are not exactly unit length.
 */

const MAGIC = 0x49584745; // 'EGXI' little-endian
/** 2: the checksum covers the header too (a version-1 snapshot is rejected, and the index rebuilt). */
const VERSION = 2;
/** magic, version, dims, count, checksum (u32 each). */
const HEADER_BYTES = 20;
const CHECKSUM_AT = 16;
const MAX_LABEL = 0xffffffff;
/** No embedding model Engram runs has more dimensions; a snapshot saying more is corrupt. */
export const MAX_DIMENSIONS = 4096;

/**
 * The checksum of a whole snapshot, header included: FNV-1a over every byte but the four of the
 * checksum itself (at `checksumAt`). Detects corruption anywhere, not tampering: whoever can write
 * the snapshot can recompute it, so every field is also checked against bounds before use.
 */
export function snapshotChecksum(bytes: Uint8Array, checksumAt: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    if (i === checksumAt) {
      i += 3;
      continue;
    }
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** What a snapshot's header must say before its payload is read. */
export interface SnapshotFormat {
  /** Which index, for the error message ("HNSW index"). */
  kind: string;
  magic: number;
  version: number;
  headerBytes: number;
  /** Where the u32 checksum of the whole snapshot (see `snapshotChecksum`) sits in the header. */
  checksumAt: number;
}

/**
 * Check what every index snapshot starts with — magic, version, the checksum of the whole
 * snapshot, dimensions within bounds and as expected — and return a view of it and a `fail` that
 * throws a clear error naming the index.
 */
export function openSnapshot(
  snapshot: Uint8Array,
  dimensions: number,
  format: SnapshotFormat,
  /** false: the caller verified the bytes itself (the recall image checks them word by word, 4× faster). */
  checksum = true,
): { view: DataView; fail: (why: string) => never } {
  const fail = (why: string): never => {
    throw new Error(`${format.kind} snapshot is corrupt or incompatible: ${why}`);
  };
  if (snapshot.length < format.headerBytes) fail(`${snapshot.length} bytes, shorter than the header`);
  const view = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  if (view.getUint32(0, true) !== format.magic) fail('bad magic');
  const version = view.getUint32(4, true);
  if (version !== format.version) fail(`unsupported version ${version}`);
  if (checksum && snapshotChecksum(snapshot, format.checksumAt) !== view.getUint32(format.checksumAt, true)) fail('checksum mismatch');
  const d = view.getUint32(8, true);
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) fail(`${dimensions} dimensions expected, outside 1…${MAX_DIMENSIONS}`);
  if (d !== dimensions) fail(`${d} dimensions, expected ${dimensions}`);
  return { view, fail };
}

export function checkLabel(label: number): void {
  if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) {
    throw new RangeError(`vector index label must be an integer in [0, 2^32): ${label}`);
  }
}

export function checkVector(vector: Float32Array, dimensions: number): void {
  if (vector.length !== dimensions) {
    throw new RangeError(`vector has ${vector.length} dimensions, the index has ${dimensions}`);
  }
}

/** Copies `src` into `dst` scaled to unit length (zero vectors stay zero). */
function writeNormalized(dst: Float32Array, src: Float32Array): void {
  let s = 0;
  for (let i = 0; i < src.length; i++) s += src[i]! * src[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! * inv;
}

/**
 * A bounded min-heap of (score, label) keeping the `k` best: O(n log k) for a scan of n items,
 * instead of sorting all n.
 */
class TopK {
  private readonly scores: Float64Array;
  private readonly labels: Float64Array;
  size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.labels = new Float64Array(k);
  }

  /** The score a candidate must beat once the heap is full. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  push(score: number, label: number): void {
    const { scores, labels } = this;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (scores[parent]! <= score) break;
        scores[i] = scores[parent]!;
        labels[i] = labels[parent]!;
        i = parent;
      }
      scores[i] = score;
      labels[i] = label;
      return;
    }
    if (score <= scores[0]!) return;
    // Replace the root and sift down.
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && scores[r]! < scores[l]! ? r : l;
      if (scores[c]! >= score) break;
      scores[i] = scores[c]!;
      labels[i] = labels[c]!;
      i = c;
    }
    scores[i] = score;
    labels[i] = label;
  }

  /** Best first. */
  drain(): VectorHit[] {
    const hits: VectorHit[] = [];
    for (let i = 0; i < this.size; i++) hits.push({ label: this.labels[i]!, score: this.scores[i]! });
    hits.sort((a, b) => b.score - a.score || a.label - b.label);
    return hits;
  }
}

export class ExactIndex implements VectorIndex {
  readonly kind = 'exact' as const;
  private data: Float32Array;
  private labels: Uint32Array;
  private readonly slotOf = new Map<number, number>();
  private count = 0;
  private readonly query: Float32Array;

  constructor(
    readonly dimensions: number,
    capacity = 64,
  ) {
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw new RangeError(`invalid dimensions: ${dimensions}`);
    const cap = Math.max(16, Math.ceil(capacity));
    this.data = new Float32Array(cap * dimensions);
    this.labels = new Uint32Array(cap);
    this.query = new Float32Array(dimensions);
  }

  get size(): number {
    return this.count;
  }

  /** Allocated slots (grows by doubling). */
  get capacity(): number {
    return this.labels.length;
  }

  has(label: number): boolean {
    return this.slotOf.has(label);
  }

  vectorOf(label: number): Float32Array | undefined {
    const slot = this.slotOf.get(label);
    if (slot === undefined) return undefined;
    const d = this.dimensions;
    return this.data.slice(slot * d, slot * d + d);
  }

  upsert(label: number, vector: Float32Array): void {
    checkLabel(label);
    checkVector(vector, this.dimensions);
    let slot = this.slotOf.get(label);
    if (slot === undefined) {
      if (this.count === this.labels.length) this.grow();
      slot = this.count++;
      this.slotOf.set(label, slot);
      this.labels[slot] = label;
    }
    const d = this.dimensions;
    writeNormalized(this.data.subarray(slot * d, slot * d + d), vector);
  }

  remove(label: number): void {
    const slot = this.slotOf.get(label);
    if (slot === undefined) return;
    this.slotOf.delete(label);
    const last = --this.count;
    if (slot !== last) {
      // Keep storage contiguous: move the last vector into the hole.
      const d = this.dimensions;
      this.data.copyWithin(slot * d, last * d, last * d + d);
      const moved = this.labels[last]!;
      this.labels[slot] = moved;
      this.slotOf.set(moved, slot);
    }
    // A forgotten memory's vector does not linger in the buffer either.
    this.data.fill(0, last * this.dimensions, (last + 1) * this.dimensions);
  }

  search(query: Float32Array, k: number, accept?: (label: number) => boolean): VectorHit[] {
    checkVector(query, this.dimensions);
    const want = Math.min(Math.floor(k), this.count);
    if (!(want > 0)) return [];
    const q = this.query;
    writeNormalized(q, query);
    const { data, labels, dimensions: d } = this;
    const top = new TopK(want);
    for (let slot = 0, base = 0; slot < this.count; slot++, base += d) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        s0 += q[i]! * data[base + i]!;
        s1 += q[i + 1]! * data[base + i + 1]!;
        s2 += q[i + 2]! * data[base + i + 2]!;
        s3 += q[i + 3]! * data[base + i + 3]!;
      }
      for (; i < d; i++) s0 += q[i]! * data[base + i]!;
      const s = s0 + s1 + (s2 + s3);
      if (s <= top.threshold) continue;
      const label = labels[slot]!;
      if (accept && !accept(label)) continue;
      top.push(s, label);
    }
    return top.drain();
  }

  serialize(): Uint8Array {
    const n = this.count;
    const d = this.dimensions;
    const out = new Uint8Array(HEADER_BYTES + 4 * n + 4 * n * d);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, d, true);
    view.setUint32(12, n, true);
    for (let i = 0; i < n; i++) view.setUint32(HEADER_BYTES + 4 * i, this.labels[i]!, true);
    const vectors = new Uint8Array(this.data.buffer, this.data.byteOffset, n * d * 4);
    if (littleEndian()) {
      out.set(vectors, HEADER_BYTES + 4 * n);
    } else {
      for (let i = 0; i < n * d; i++) view.setFloat32(HEADER_BYTES + 4 * n + 4 * i, this.data[i]!, true);
    }
    view.setUint32(CHECKSUM_AT, snapshotChecksum(out, CHECKSUM_AT), true);
    return out;
  }

  /**
   * Rebuilds an index from `serialize()` output; throws on any inconsistency. `checksum: false`
   * when the caller verified the bytes by other means (the recall image).
   */
  static restore(snapshot: Uint8Array, dimensions: number, checksum = true): ExactIndex {
    const format = { kind: 'exact index', magic: MAGIC, version: VERSION, headerBytes: HEADER_BYTES, checksumAt: CHECKSUM_AT };
    const { view, fail } = openSnapshot(snapshot, dimensions, format, checksum);
    const d = dimensions;
    const n = view.getUint32(12, true);
    // Checked before anything is allocated: the count must be what the bytes hold.
    const expected = HEADER_BYTES + 4 * n + 4 * n * d;
    if (snapshot.length !== expected) fail(`${snapshot.length} bytes, expected ${expected} for ${n} vectors`);

    const index = new ExactIndex(d, Math.max(16, n));
    for (let i = 0; i < n; i++) {
      const label = view.getUint32(HEADER_BYTES + 4 * i, true);
      if (index.slotOf.has(label)) fail(`duplicate label ${label}`);
      index.slotOf.set(label, i);
      index.labels[i] = label;
    }
    const vecStart = HEADER_BYTES + 4 * n;
    if (littleEndian()) {
      new Uint8Array(index.data.buffer, 0, n * d * 4).set(snapshot.subarray(vecStart, vecStart + n * d * 4));
    } else {
      for (let i = 0; i < n * d; i++) index.data[i] = view.getFloat32(vecStart + 4 * i, true);
    }
    // One sum instead of a check per component: any NaN or infinity makes it non-finite (unit
    // vectors cannot overflow it), and only then is each component looked at.
    let sum = 0;
    for (let i = 0; i < n * d; i++) sum += index.data[i]!;
    if (!Number.isFinite(sum)) for (let i = 0; i < n * d; i++) if (!Number.isFinite(index.data[i])) fail('non-finite vector component');
    index.count = n;
    return index;
  }

  private grow(): void {
    const cap = this.labels.length * 2;
    const data = new Float32Array(cap * this.dimensions);
    data.set(this.data);
    this.data = data;
    const labels = new Uint32Array(cap);
    labels.set(this.labels);
    this.labels = labels;
  }
}

let endianness: boolean | undefined;
function littleEndian(): boolean {
  endianness ??= new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  return endianness;
}

export const exactIndexFactory: VectorIndexFactory = {
  kind: 'exact',
  create(dimensions, capacity) {
    return Promise.resolve(new ExactIndex(dimensions, capacity));
  },
  restore(snapshot, dimensions, options) {
    try {
      return Promise.resolve(ExactIndex.restore(snapshot, dimensions, options?.checksum !== false));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};

