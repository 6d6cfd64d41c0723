import { TransformersEmbedder } from '../adapters/transformers-embedder';
import { EngramDatabase } from '../db/schema';
import { createEngine, type Engine } from '../engine/create-engine';
import { ModelManager } from '../engine/model-manager';
import { BUNDLED_MODEL, HUB_ORIGINS, modelInfo, type EmbeddingModelInfo } from '../engine/models';

const HUB = 'https://huggingface.co/';

function embedderFor(info: EmbeddingModelInfo, onProgress?: (percent: number) => void): TransformersEmbedder {
  return new TransformersEmbedder({
    modelId: info.id,
    localModelPath: chrome.runtime.getURL('/models/'),
    wasmUrl: chrome.runtime.getURL('/ort/ort-wasm-simd-threaded.wasm'),
    dtype: info.dtype,
    ...(info.queryPrefix ? { queryPrefix: info.queryPrefix } : {}),
    // Only models from the hub are ever downloaded, and only after the user agreed.
    ...(info.source === 'hub' ? { remoteHost: HUB } : {}),
    ...(onProgress
      ? {
          onProgress: (p: { percent: number }) => {
            onProgress(p.percent);
          },
        }
      : {}),
  });
}

export interface ExtensionEngine extends Engine {
  embedder: TransformersEmbedder;
  models: ModelManager;
  /** Resolves once the chosen model is active; handlers wait for it. */
  ready: Promise<void>;
}

/** The memory engine as the extension runs it: Dexie storage, the chosen model on WASM. */
export function createExtensionEngine(): ExtensionEngine {
  const embedder = embedderFor(modelInfo(BUNDLED_MODEL));
  const engine = createEngine({
    db: new EngramDatabase(),
    embedder,
    onError: (error) => {
      console.warn('[Engram]', error);
    },
  });
  const models = new ModelManager({
    memory: engine.memory,
    store: engine.store,
    hubOrigins: HUB_ORIGINS,
    consent: { granted: (origins) => chrome.permissions.contains({ origins: [...origins] }) },
    createEmbedder: embedderFor,
  });
  const ready = models.restore().catch((error: unknown) => {
    console.warn('[Engram] could not restore the chosen model', error);
  });
  return { ...engine, embedder, models, ready };
}
