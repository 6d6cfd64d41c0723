/**
 * The embedder `new Memory(config)` builds when the config names a model rather than passing an
 * embedder (config.ts): transformers.js, in Node and in a page. Chrome's service worker never
 * builds one (the extension passes its embedder: extension-engine.ts), and its bundle carries no
 * transformers.js: its build swaps in library-embedder.chrome.ts (wxt.config.ts, `perBrowserModules`).
 */
import { TransformersEmbedder, type TransformersEmbedderOptions } from '../adapters/transformers-embedder';
import type { Embedder } from '../ports/embedder';

export function libraryEmbedder(options: TransformersEmbedderOptions): Embedder {
  return new TransformersEmbedder(options);
}
