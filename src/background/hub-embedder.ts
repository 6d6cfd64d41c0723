/**
 * The embedder for a model that is not the bundled static table (a model downloaded from the hub):
 * transformers.js, which is where the browsers differ.
 *
 * - Firefox (and Node): this file. The background is an event page, a document where
 *   TransformersEmbedder runs directly (transformers.js loaded on first use, lazy-transformers.cjs).
 * - Chrome: hub-embedder.chrome.ts, swapped in for this file at build time (wxt.config.ts,
 *   `perBrowserModules`). The model runs in the offscreen document, so the service worker's bundle
 *   has no transformers.js: even unevaluated, it was parsed at every worker start (~15–20 ms of
 *   each cold start).
 *
 * Both export `hubEmbedder` with the same signature (checked by `HubEmbedderFactory`).
 */
import { TransformersEmbedder } from '../adapters/transformers-embedder';
import type { EmbeddingModelInfo } from '../engine/models';
import type { Embedder } from '../ports/embedder';

/** An embedder that can be loaded (downloading its files) ahead of its first use. */
export type HubEmbedder = Embedder & { load(): Promise<unknown> };

/** `hubEmbedder`'s signature, shared by this file and hub-embedder.chrome.ts. */
export type HubEmbedderFactory = (info: EmbeddingModelInfo, remoteHost: string | undefined, onProgress?: (percent: number) => void) => HubEmbedder;

export const hubEmbedder: HubEmbedderFactory = (info, remoteHost, onProgress) =>
  new TransformersEmbedder({
    modelId: info.id,
    localModelPath: chrome.runtime.getURL('/models/'),
    wasmUrl: chrome.runtime.getURL('/ort/ort-wasm-simd-threaded.wasm'),
    dtype: info.dtype,
    ...(info.queryPrefix ? { queryPrefix: info.queryPrefix } : {}),
    ...(remoteHost ? { remoteHost } : {}),
    ...(onProgress
      ? {
          onProgress: (p: { percent: number }) => {
            onProgress(p.percent);
          },
        }
      : {}),
  });
