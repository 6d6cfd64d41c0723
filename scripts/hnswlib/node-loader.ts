/**
 * `node --import` / `tsx --import` entry: registers a module-loader hook that patches hnswlib-wasm's
 * glue (see ./patch-glue.ts) so plain Node scripts (the benchmark) can load it. Exports nothing.
 *
 *   npx tsx --import ./scripts/hnswlib/node-loader.ts bench/index-bench.ts
 */
import { register } from 'node:module';

// `module.registerHooks` (in-thread, synchronous) needs Node ≥ 22.15; Engram supports Node 20.
// eslint-disable-next-line @typescript-eslint/no-deprecated
register('./node-hooks.mjs', import.meta.url);
