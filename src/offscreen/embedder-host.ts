import { TransformersEmbedder, type TransformersEmbedderOptions } from '../adapters/transformers-embedder';
import type { OffscreenEmbedModel, OffscreenEmbedProgress, OffscreenRequests } from '../messaging/offscreen-protocol';
import type { Embedder } from '../ports/embedder';

type Loadable = Embedder & { load(): Promise<unknown> };

export interface EmbedderHostDeps {
  /** Builds the embedder (TransformersEmbedder; a fake in tests). */
  create?: (options: TransformersEmbedderOptions) => Loadable;
  /** Sends a message to the service worker (progress). */
  send?: (message: OffscreenEmbedProgress) => void;
  /** The extension URL of the model folders and of onnxruntime-web's WASM. */
  localModelPath?: string;
  wasmUrl?: string;
}

/**
 * The offscreen document's embedding model (Chrome): TransformersEmbedder with the same options
 * the service worker used to give it, one model at a time (a switch drops the previous one). Each
 * request names its model, so a document started again (or a worker restarted) loads it anew.
 */
export function embedderHost(deps: EmbedderHostDeps = {}) {
  const create = deps.create ?? ((options: TransformersEmbedderOptions) => new TransformersEmbedder(options));
  const send = deps.send ?? ((message: OffscreenEmbedProgress) => void chrome.runtime.sendMessage(message).catch(() => undefined));
  let current: { key: string; embedder: Loadable } | null = null;

  function embedderFor(model: OffscreenEmbedModel): Loadable {
    const key = JSON.stringify([model.modelId, model.dtype, model.remoteHost ?? null]);
    if (current?.key !== key) {
      const { modelId } = model;
      const embedder = create({
        modelId,
        localModelPath: deps.localModelPath ?? chrome.runtime.getURL('/models/'),
        wasmUrl: deps.wasmUrl ?? chrome.runtime.getURL('/ort/ort-wasm-simd-threaded.wasm'),
        dtype: model.dtype,
        // Only hub models are ever downloaded, and the worker sets a host only after the user agreed.
        ...(model.remoteHost ? { remoteHost: model.remoteHost } : {}),
        onProgress: (p) => {
          send({ target: 'engram-background', type: 'embedProgress', modelId, ...p });
        },
      });
      current = { key, embedder };
    }
    return current.embedder;
  }

  return {
    async embedLoad({ model }: OffscreenRequests['embedLoad']['data']): Promise<OffscreenRequests['embedLoad']['reply']> {
      await embedderFor(model).load();
      return { loaded: true };
    },
    async embed({ model, texts }: OffscreenRequests['embed']['data']): Promise<OffscreenRequests['embed']['reply']> {
      const vectors = await embedderFor(model).embedBatch(texts);
      return { vectors: vectors.map((v) => Array.from(v)) };
    },
  };
}
