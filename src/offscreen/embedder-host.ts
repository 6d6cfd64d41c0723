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

/** Models kept loaded: the one in use and, during a switch, the one every memory is re-embedded with. */
const KEPT = 2;

/**
 * The offscreen document's embedding model (Chrome): TransformersEmbedder with the same options
 * the service worker used to give it. During a switch between two downloaded models the old one
 * still answers recalls while the new one re-embeds, so the two most recently used stay loaded
 * (an older one is dropped). Each request names its model, so a document started again (or a
 * worker restarted) loads it anew.
 */
export function embedderHost(deps: EmbedderHostDeps = {}) {
  const create = deps.create ?? ((options: TransformersEmbedderOptions) => new TransformersEmbedder(options));
  const send = deps.send ?? ((message: OffscreenEmbedProgress) => void chrome.runtime.sendMessage(message).catch(() => undefined));
  const loaded = new Map<string, Loadable>(); // least recently used first

  function embedderFor(model: OffscreenEmbedModel): Loadable {
    const key = JSON.stringify([model.modelId, model.dtype, model.remoteHost ?? null]);
    let embedder = loaded.get(key);
    if (embedder) {
      loaded.delete(key);
    } else {
      const { modelId } = model;
      embedder = create({
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
      if (loaded.size >= KEPT) loaded.delete(loaded.keys().next().value!);
    }
    loaded.set(key, embedder);
    return embedder;
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
