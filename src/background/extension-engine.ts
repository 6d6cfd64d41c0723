import { DexieMemoryStore } from '../adapters/dexie-store';
import { TransformersEmbedder } from '../adapters/transformers-embedder';
import { EngramDatabase } from '../db/schema';
import { MemoryService } from '../engine/memory-service';
import { BUNDLED_MODEL } from '../engine/models';

/** The memory engine as the extension runs it: Dexie storage, the bundled model on WASM. */
export function createExtensionEngine(): { service: MemoryService; embedder: TransformersEmbedder } {
  const embedder = new TransformersEmbedder({
    modelId: BUNDLED_MODEL,
    localModelPath: chrome.runtime.getURL('/models/'),
    wasmUrl: chrome.runtime.getURL('/ort/ort-wasm-simd-threaded.wasm'),
  });
  const service = new MemoryService({ store: new DexieMemoryStore(new EngramDatabase()), embedder });
  return { service, embedder };
}
