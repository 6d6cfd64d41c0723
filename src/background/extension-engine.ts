import { TransformersEmbedder } from '../adapters/transformers-embedder';
import { EngramDatabase } from '../db/schema';
import { createEngine, type Engine } from '../engine/create-engine';
import { ModelManager } from '../engine/model-manager';
import { TurnQueue } from '../engine/turn-queue';
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
  queue: TurnQueue;
  /** Why extraction fell back to the rule-based extractor, if it did. */
  extractorNote: { value: string | null };
  /** Resolves once the chosen model is active; handlers wait for it. */
  ready: Promise<void>;
}

/** The memory engine as the extension runs it: Dexie storage, the chosen model on WASM. */
export function createExtensionEngine(): ExtensionEngine {
  const embedder = embedderFor(modelInfo(BUNDLED_MODEL));
  const db = new EngramDatabase();
  const engine = createEngine({
    db,
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
  const queue = new TurnQueue(db, engine.memory, {
    onError: (error) => {
      console.warn('[Engram] a captured turn will be retried', error);
    },
  });
  // Turns captured before the worker was stopped are processed as soon as it starts again.
  void ready.then(() => queue.drain());
  return { ...engine, embedder, models, ready, queue, extractorNote: { value: null } };
}
