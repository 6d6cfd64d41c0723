import { mulberry32 } from '../engine/random';
import type { VectorHit, VectorIndex, VectorIndexFactory } from '../ports/vector-index';
import { checkLabel, checkVector, openSnapshot, snapshotChecksum } from './exact-index';
import { checkIndexFile, type IndexFileSummary } from './hnswlib/index-file';
import { mark } from '../core/timings';
import { discardHnswlib, isWasmTrap, loadHnswlib, type HierarchicalNSW, type HnswlibModule } from './hnswlib/load';

/**
 * Approximate nearest-neighbour index: HNSW via hnswlib-wasm (cosine space).
 *
 * hnswlib-wasm 0.8.2 behaviours this adapter is built around (each covered by a unit test):
 * - 'cosine' is hnswlib's inner-product space on normalised copies: distance = 1 − cos, so
 *   score = 1 − distance.
 * - Indexes are created with replacement of deleted elements enabled, so `addPoint(v, L, true)`
 *   for a *new* label reuses a deleted slot (and evicts that slot's old label), while
 *   `addPoint(v, L, false)` on a live label updates it in place. `addPoint` on a label that is
 *   marked deleted throws, hence upsert of a removed label is `unmarkDelete` + in-place update.
 *   `addPoint(v, L, true)` on a label already present would duplicate it, so it is only used for
 *   labels hnswlib does not know.
 * - `addPoint` throws whenever count == maxElements (even for in-place updates or when deleted
 *   slots could be reused): the index doubles with `resizeIndex` first.
 * - `searchKnn` throws if k > maxElements and skips deleted elements; default ef is 10.
 * - `writeIndex`/`readIndex` use `/hnswlib-index/<name>` in the Emscripten FS; `writeIndex` then
 *   calls the library's IDBFS sync, which throws "EmscriptenFileSystemManager must be initialized"
 *   because Engram never initialises it (it keeps the bytes in Dexie): that error is expected and
 *   swallowed once the file is verified written.
 * - `readIndex` trusts its file: a bad size or link makes it allocate without bound or read out of
 *   bounds, and a WebAssembly trap (RuntimeError) leaves the whole module unusable. So a snapshot is
 *   checked completely before it is read (./hnswlib/index-file.ts), and after a trap or a failed
 *   readIndex the module is discarded: the next index is built on a fresh one.
 */

const MAGIC = 0x4e484745; // 'EGHN' little-endian
/**
 * 2: the checksum covers the whole snapshot, header included (version 1 left the header out, so a
 * header could say anything). A version-1 snapshot is rejected, and the index rebuilt from Dexie.
 */
const VERSION = 2;
/** magic, version, dims, capacity, live count, payload length, checksum of all the rest (u32 each). */
const HEADER_BYTES = 28;
const CHECKSUM_AT = 24;
/** A snapshot makes room for at most this many vectors… */
export const MAX_SNAPSHOT_CAPACITY = 1 << 22;
/** …in at most this much WebAssembly memory. */
export const MAX_SNAPSHOT_BYTES = 1 << 30;
const FS_DIR = '/hnswlib-index';
const FS_NAME = 'engram.hnsw';
const M = 16;
const EF_CONSTRUCTION = 200;
const SEED = 100;
const MIN_CAPACITY = 16;

/** C++ exceptions surface as WebAssembly.Exception with `message: [type, what]` (assertion builds). */
function describeWasmError(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (Array.isArray(message)) return message.map(String).join(': ');
  if (typeof message === 'string') return message;
  return String(error);
}

function wasmError(what: string, error: unknown): Error {
  return new Error(`hnswlib: ${what}: ${describeWasmError(error)}`, { cause: error });
}

/** Frees the C++ index when a forgotten HnswIndex is garbage-collected. */
const finalizer = new FinalizationRegistry<HierarchicalNSW>((native) => {
  try {
    native.delete();
  } catch {
    // already freed
  }
});

export class HnswIndex implements VectorIndex {
  readonly kind = 'hnsw' as const;
  /** Labels hnswlib holds and that are not marked deleted. */
  private readonly live: Set<number>;
  /** Labels hnswlib still holds but marked deleted (their slots are reused by new labels). */
  private deleted: Set<number>;
  private ef: number;
  private native: HierarchicalNSW | null;
  /** Set once a WebAssembly trap broke this index. */
  private trapped = false;

  private constructor(
    private readonly lib: HnswlibModule,
    native: HierarchicalNSW,
    readonly dimensions: number,
  ) {
    this.native = native;
    this.live = new Set(native.getUsedLabels());
    this.deleted = new Set(native.getDeletedLabels());
    this.ef = native.getEfSearch();
    finalizer.register(this, native, this);
  }

  static async create(dimensions: number, capacity: number): Promise<HnswIndex> {
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw new RangeError(`invalid dimensions: ${dimensions}`);
    const lib = await loadHnswlib();
    // Third argument: autosave file name; '' disables autosave (no writes, no IDBFS sync).
    const native = new lib.HierarchicalNSW('cosine', dimensions, '');
    try {
      native.initIndex(Math.max(MIN_CAPACITY, Math.ceil(capacity)), M, EF_CONSTRUCTION, SEED);
    } catch (error) {
      if (isWasmTrap(error)) discardHnswlib(lib);
      else deleteQuietly(native);
      throw wasmError('initIndex failed', error);
    }
    return new HnswIndex(lib, native, dimensions);
  }

  /**
   * Reads a `serialize()` snapshot. Everything is checked before anything is allocated: the
   * checksum of the whole snapshot, its fields against bounds and against each other, and the
   * hnswlib file inside link by link. Throws a clear error on any of it.
   */
  static async restore(snapshot: Uint8Array, dimensions: number): Promise<HnswIndex> {
    const format = { kind: 'HNSW index', magic: MAGIC, version: VERSION, headerBytes: HEADER_BYTES, checksumAt: CHECKSUM_AT };
    const { view, fail } = openSnapshot(snapshot, dimensions, format);
    const capacity = view.getUint32(12, true);
    const liveCount = view.getUint32(16, true);
    const payloadLength = view.getUint32(20, true);
    if (snapshot.length !== HEADER_BYTES + payloadLength) {
      fail(`${snapshot.length} bytes, expected ${HEADER_BYTES + payloadLength}`);
    }
    if (capacity < MIN_CAPACITY || capacity > MAX_SNAPSHOT_CAPACITY) fail(`capacity ${capacity}, outside ${MIN_CAPACITY}…${MAX_SNAPSHOT_CAPACITY}`);
    if (liveCount > capacity) fail(`${liveCount} live vectors for a capacity of ${capacity}`);
    const payload = snapshot.subarray(HEADER_BYTES);
    let file: IndexFileSummary | undefined;
    try {
      file = checkIndexFile(payload, { dimensions, m: M, efConstruction: EF_CONSTRUCTION, capacity });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    if (!file) return fail('unreadable index file');
    if (file.live !== liveCount) fail(`${file.live} live vectors in the index, the header says ${liveCount}`);
    // Room for what the file holds, and for it to double; never more, whatever the capacity field says.
    const room = Math.max(MIN_CAPACITY, Math.min(capacity, 2 * file.elements));
    if (room * file.bytesPerElement > MAX_SNAPSHOT_BYTES) fail(`${room} vectors of ${dimensions} dimensions need more than ${MAX_SNAPSHOT_BYTES} bytes`);

    const lib = await loadHnswlib();
    mark('hnswlib');
    const path = ensureDir(lib);
    const native = new lib.HierarchicalNSW('cosine', dimensions, '');
    try {
      lib.FS.writeFile(path, payload);
      native.readIndex(FS_NAME, room);
      mark('hnswRead');
    } catch (error) {
      // Whatever failed half-way through loading may have left the module's heap broken.
      discardHnswlib(lib);
      if (!isWasmTrap(error)) deleteQuietly(native);
      throw wasmError('readIndex failed', error);
    } finally {
      unlinkQuietly(lib, path);
    }
    let index: HnswIndex;
    try {
      index = new HnswIndex(lib, native, dimensions);
    } catch (error) {
      discardHnswlib(lib);
      throw wasmError('reading the restored index failed', error);
    }
    if (index.size !== liveCount) {
      index.dispose();
      fail(`${index.size} live vectors read, header says ${liveCount}`);
    }
    return index;
  }

  get size(): number {
    return this.live.size;
  }

  /** Current maximum number of elements (doubles when full). */
  get capacity(): number {
    return this.index().getMaxElements();
  }

  has(label: number): boolean {
    return this.live.has(label);
  }

  vectorOf(label: number): Float32Array | undefined {
    if (!this.live.has(label)) return undefined;
    const point = this.call(`getPoint(${label}) failed`, (native) => native.getPoint(label));
    return Float32Array.from(point);
  }

  upsert(label: number, vector: Float32Array): void {
    checkLabel(label);
    checkVector(vector, this.dimensions);
    this.call('resizeIndex failed', (native) => {
      this.ensureRoom(native);
    });
    this.call(`addPoint(${label}) failed`, (native) => {
      if (this.live.has(label)) {
        native.addPoint(vector, label, false); // in-place update
        return;
      }
      if (this.deleted.has(label)) {
        native.unmarkDelete(label);
        this.deleted.delete(label);
        this.live.add(label);
        native.addPoint(vector, label, false);
        return;
      }
      native.addPoint(vector, label, true); // may reuse a deleted slot, evicting its label
      this.live.add(label);
      if (this.deleted.size > 0) this.deleted = new Set(native.getDeletedLabels());
    });
  }

  remove(label: number): void {
    if (!this.live.has(label)) return;
    this.call(`markDelete(${label}) failed`, (native) => {
      // hnswlib keeps a deleted element's vector (as a routing node, and in every snapshot). A
      // forgotten memory's embedding says what the memory said, so it is overwritten first with
      // a vector that says nothing (random, fixed by the label), then marked deleted.
      native.addPoint(contentFreeVector(label, this.dimensions), label, false);
      native.markDelete(label);
    });
    this.live.delete(label);
    this.deleted.add(label);
  }

  search(query: Float32Array, k: number, accept?: (label: number) => boolean): VectorHit[] {
    checkVector(query, this.dimensions);
    const n = this.live.size;
    const want = Math.min(Math.floor(k), n);
    if (!(want > 0)) return [];
    const native = this.index();
    if (!accept) return this.knn(native, query, want).hits;

    // Widen k' (×4) until `want` accepted hits, or every live point has been seen.
    for (let kk = Math.min(n, want * 4); ; kk = Math.min(n, kk * 4)) {
      const { hits } = this.knn(native, query, kk);
      const accepted: VectorHit[] = [];
      for (const hit of hits) {
        if (accept(hit.label)) {
          accepted.push(hit);
          if (accepted.length === want) return accepted;
        }
      }
      if (kk >= n) return accepted;
    }
  }

  serialize(): Uint8Array {
    const native = this.index();
    const lib = this.lib;
    const path = ensureDir(lib);
    let payload: Uint8Array;
    try {
      try {
        native.writeIndex(FS_NAME);
      } catch (error) {
        // The index file is written before the library's IDBFS sync, which throws when the
        // library's file system manager was never initialised (by design here).
        if (isWasmTrap(error)) this.broken();
        if (!describeWasmError(error).includes('must be initialized before calling syncFS')) {
          throw wasmError('writeIndex failed', error);
        }
      }
      if (!lib.FS.analyzePath(path).exists) throw new Error(`hnswlib: writeIndex did not create ${path}`);
      payload = lib.FS.readFile(path);
    } finally {
      unlinkQuietly(lib, path);
    }
    const out = new Uint8Array(HEADER_BYTES + payload.length);
    out.set(payload, HEADER_BYTES);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, this.dimensions, true);
    view.setUint32(12, this.call('getMaxElements failed', (n) => n.getMaxElements()), true);
    view.setUint32(16, this.live.size, true);
    view.setUint32(20, payload.length, true);
    view.setUint32(CHECKSUM_AT, snapshotChecksum(out, CHECKSUM_AT), true);
    return out;
  }

  /** Frees the WASM memory of this index now (it is also freed when garbage-collected). */
  dispose(): void {
    if (!this.native) return;
    finalizer.unregister(this);
    this.native.delete();
    this.native = null;
  }

  private index(): HierarchicalNSW {
    if (!this.native) throw new Error(this.trapped ? 'HNSW index is unusable after a WebAssembly trap: rebuild it' : 'HNSW index was disposed');
    return this.native;
  }

  /** Runs `fn` on the native index; a trap there breaks this index and discards its module. */
  private call<T>(what: string, fn: (native: HierarchicalNSW) => T): T {
    const native = this.index();
    try {
      return fn(native);
    } catch (error) {
      if (isWasmTrap(error)) this.broken();
      throw wasmError(what, error);
    }
  }

  /** After a trap: no call reaches this index's module again (not even delete), and no new index uses it. */
  private broken(): void {
    discardHnswlib(this.lib);
    finalizer.unregister(this);
    this.native = null;
    this.trapped = true;
  }

  private ensureRoom(native: HierarchicalNSW): void {
    const max = native.getMaxElements();
    if (native.getCurrentCount() < max) return;
    native.resizeIndex(max * 2);
  }

  private knn(native: HierarchicalNSW, query: Float32Array, k: number): { hits: VectorHit[] } {
    const ef = Math.max(64, 2 * k);
    if (ef !== this.ef) {
      this.call('setEfSearch failed', () => {
        native.setEfSearch(ef);
      });
      this.ef = ef;
    }
    const result = this.call('searchKnn failed', () => native.searchKnn(query, k, undefined));
    const hits: VectorHit[] = [];
    const { distances, neighbors } = result;
    for (let i = 0; i < neighbors.length; i++) hits.push({ label: neighbors[i]!, score: 1 - distances[i]! });
    return { hits };
  }
}

function ensureDir(lib: HnswlibModule): string {
  if (!lib.FS.analyzePath(FS_DIR).exists) lib.FS.mkdir(FS_DIR);
  return `${FS_DIR}/${FS_NAME}`;
}

function deleteQuietly(native: HierarchicalNSW): void {
  try {
    native.delete();
  } catch {
    // already freed, or the module is gone
  }
}

function unlinkQuietly(lib: HnswlibModule, path: string): void {
  try {
    lib.FS.unlink(path);
  } catch {
    // not there
  }
}

export const hnswIndexFactory: VectorIndexFactory = {
  kind: 'hnsw',
  create: (dimensions, capacity) => HnswIndex.create(dimensions, capacity),
  restore: (snapshot, dimensions) => HnswIndex.restore(snapshot, dimensions),
};

/** A unit vector that depends only on `label`, standing in for a forgotten one. */
export function contentFreeVector(label: number, dimensions: number): Float32Array {
  const random = mulberry32(label * 0x9e3779b1);
  const v = Float32Array.from({ length: dimensions }, () => random() - 0.5);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}
