/**
 * consolidate (run in the background): near-duplicate memories of one scope, the same fact in
 * other words, are merged into the most recent one, which gains the other's provenance; both
 * changes are kept in history. Returns how many memories were merged away.
 */
import { SAME_FACT, SAME_WORDS, wordOverlap } from '../pipeline/decide';
import { dot } from '../pipeline/similarity';
import type { HistoryEntry, MemoryRecord } from '../core/types';
import type { EngineContext } from './context';

export function consolidate(ctx: EngineContext): Promise<number> {
  return ctx.serial(async () => {
    const byLabel = await ctx.memories();
    const now = ctx.now();
    const vectors = new Map((await ctx.store.vectors(ctx.embedder.modelId)).map((v) => [v.memoryId, v.vector]));
    const groups = new Map<string, MemoryRecord[]>();
    for (const m of byLabel.values()) {
      const key = [m.userId, m.agentId, m.runId, m.space].join('\u0000');
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    const merged: MemoryRecord[] = [];
    const removed: MemoryRecord[] = [];
    const history: HistoryEntry[] = [];
    for (const group of groups.values()) {
      const kept: MemoryRecord[] = [];
      for (const m of group.sort((a, b) => b.saidAt - a.saidAt || b.updatedAt - a.updatedAt)) {
        const v = vectors.get(m.id);
        const twin = v
          ? kept.find((k) => {
              const w = vectors.get(k.id);
              return !!w && dot(v, w) >= SAME_FACT && wordOverlap(k.text, m.text) >= SAME_WORDS;
            })
          : undefined;
        if (!twin) {
          kept.push({ ...m }); // a copy: the cache changes only once the write has landed
          continue;
        }
        twin.sourceTurnIds = [...new Set([...twin.sourceTurnIds, ...m.sourceTurnIds])];
        twin.updatedAt = now;
        if (!merged.includes(twin)) merged.push(twin);
        removed.push(m);
        history.push(
          { memoryId: m.id, event: 'DELETE', oldText: m.text, newText: null, at: now, reason: `merged into: ${twin.text}`, mergedInto: twin.id },
          { memoryId: twin.id, event: 'UPDATE', oldText: twin.text, newText: twin.text, at: now, reason: `merged: ${m.text}` },
        );
      }
    }
    if (removed.length === 0) return 0;
    await ctx.write({ put: merged, delete: removed.map((m) => m.id), removedLabels: removed.map((m) => m.label), history });
    return removed.length;
  });
}
