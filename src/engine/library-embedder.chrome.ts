/**
 * Chrome's service-worker build of library-embedder.ts: transformers.js is not in the worker (it
 * runs in the offscreen document), so a config that names a model instead of passing an embedder
 * is refused plainly. The extension always passes its embedder (extension-engine.ts).
 */
import type { TransformersEmbedderOptions } from '../adapters/transformers-embedder';
import type { Embedder } from '../ports/embedder';

export function libraryEmbedder(options: TransformersEmbedderOptions): Embedder {
  throw new Error(
    `Engram: the embedding model "${options.modelId}" cannot run in Chrome's service worker (transformers.js runs in the offscreen document); pass an embedder in the config instead`,
  );
}
