import type { MemoryService } from '../engine/memory-service';
import type { TransformersEmbedder } from '../adapters/transformers-embedder';
import { onMessage } from '../messaging/protocol';

/** Answers every message the background handles. One handler per message of the protocol. */
export function registerHandlers(service: MemoryService, embedder: Pick<TransformersEmbedder, 'load'>): void {
  onMessage('captureTurn', async ({ data }) => ({ stored: (await service.capture(data)).length }));
  onMessage('recall', async ({ data }) => ({ memories: await service.recall(data.query) }));
  onMessage('warmUp', async () => {
    await embedder.load();
    return { ready: true };
  });
  onMessage('listMemories', () => service.list());
  onMessage('deleteMemory', async ({ data }) => ({ deleted: await service.delete(data) }));
}
