/**
 * reembed: switch to another embedding model. Every memory is re-embedded in batches (resuming
 * where an interrupted run stopped), and only once all have new vectors does search switch over
 * and the old model's vectors and index go. Memories are never touched, so none is lost.
 *
 * Recall goes on meanwhile with the old model: batches are small and the worker answers between
 * them, and the new model's vectors leave the old model's index as it is.
 */
import { indexText } from '../pipeline/categorize';
import type { Embedder } from '../ports/embedder';
import type { EngineContext } from './context';
import { backgroundTurn } from './priority';

export interface ReembedProgress {
  done: number;
  total: number;
}

export function reembed(ctx: EngineContext, next: Embedder, onProgress?: (p: ReembedProgress) => void, batchSize = 16): Promise<ReembedProgress> {
  return ctx.serial(async () => {
    const previous = ctx.embedder.modelId;
    const all = await ctx.store.list();
    const done = new Set((await ctx.store.vectors(next.modelId)).map((v) => v.memoryId));
    const todo = all.filter((m) => !done.has(m.id));
    const total = all.length;
    let count = total - todo.length;
    onProgress?.({ done: count, total });
    for (let i = 0; i < todo.length; i += batchSize) {
      const batch = todo.slice(i, i + batchSize);
      const vectors = await next.embedBatch(batch.map((m) => indexText(m.text, m.categories)));
      await ctx.write({ vectors: batch.map((m, j) => ({ memoryId: m.id, model: next.modelId, label: m.label, vector: vectors[j]! })) }, next.modelId);
      count += batch.length;
      onProgress?.({ done: count, total });
      await backgroundTurn(); // a recall waiting is answered first
    }
    ctx.embedder = next;
    ctx.invalidate();
    if (previous !== next.modelId) await ctx.vectors.dropModel(previous);
    return { done: count, total };
  });
}
