/**
 * Lazily loads hnswlib-wasm's Emscripten module (once per realm). The glue must have been patched
 * (see ./patch-glue.ts): by ./vite-plugin.ts in builds and tests, by ./node-loader.ts in plain Node.
 *
 * Only what Engram uses is typed here. Notes on hnswlib-wasm 0.8.2 (verified in
 * test/unit/vector-index.test.ts): errors thrown by C++ reach JS as `WebAssembly.Exception`s whose
 * `message` is `[type, what]`; `readIndex` returns undefined (not a Promise), and both
 * `readIndex`/`writeIndex` resolve file names under `/hnswlib-index/`.
 */

export interface HnswSearchResult {
  distances: number[];
  neighbors: number[];
}

export interface HierarchicalNSW {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void;
  readIndex(filename: string, maxElements: number): void;
  writeIndex(filename: string): void;
  resizeIndex(newMaxElements: number): void;
  addPoint(point: Float32Array, label: number, replaceDeleted: boolean): void;
  markDelete(label: number): void;
  unmarkDelete(label: number): void;
  searchKnn(query: Float32Array, k: number, filter: ((label: number) => boolean) | undefined): HnswSearchResult;
  getPoint(label: number): Float32Array | number[];
  getUsedLabels(): number[];
  getDeletedLabels(): number[];
  getMaxElements(): number;
  getCurrentCount(): number;
  getEfSearch(): number;
  setEfSearch(ef: number): void;
  /** embind: frees the C++ object (and the index it owns). */
  delete(): void;
}

export interface EmscriptenFS {
  mkdir(path: string): void;
  analyzePath(path: string): { exists: boolean };
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
}

export interface HnswlibModule {
  HierarchicalNSW: new (space: 'l2' | 'ip' | 'cosine', dims: number, autoSaveFilename: string) => HierarchicalNSW;
  FS: EmscriptenFS;
}

type Factory = () => Promise<HnswlibModule>;

// A static import: service workers forbid dynamic import(). The module only defines the factory;
// the WASM is instantiated on the first loadHnswlib() call.
// @ts-expect-error -- the Emscripten glue ships no declaration for this path; typed by HnswlibModule.
import glueFactory from 'hnswlib-wasm/dist/hnswlib-317962d7.js';

let loading: Promise<HnswlibModule> | null = null;
let current: HnswlibModule | null = null;

/** The module instance (one per realm, until it is discarded). */
export function loadHnswlib(): Promise<HnswlibModule> {
  loading ??= (async () => {
    const lib = await (glueFactory as Factory)();
    if (typeof lib.FS !== 'object') {
      throw new Error('hnswlib-wasm glue is not patched (Module.FS missing): load it through scripts/hnswlib/vite-plugin.ts or node-loader.ts');
    }
    current = lib;
    return lib;
  })().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

/**
 * Stop handing out `lib`: the next loadHnswlib() instantiates a fresh module. For after a
 * WebAssembly trap or a failed readIndex, which can leave the module's heap and stack broken for
 * every later call (indexes already built on `lib` keep it; the index built next does not).
 */
export function discardHnswlib(lib: HnswlibModule): void {
  if (current !== lib) return;
  current = null;
  loading = null;
}

/** True for a WebAssembly trap (as opposed to a C++ exception, after which the module is fine). */
export function isWasmTrap(error: unknown): boolean {
  return error instanceof WebAssembly.RuntimeError;
}
