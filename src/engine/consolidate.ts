/**
 * consolidate (run in the background): near-duplicate memories of one scope, the same fact in
 * other words, are merged into the most recent one, which gains the other's provenance; both
 * changes are kept in history. Returns how many memories were merged away.
 *
 * It never holds up a recall: the twins are found outside the write queue, through the vector
 * index (each memory's nearest neighbours, not every pair), in slices of a few milliseconds
 * between which the worker answers whatever came in; only the final write takes the queue, and it
 * merges only pairs that no write changed meanwhile.
 */
import { SAME_FACT, sameFact } from '../pipeline/decide';
import { dot } from '../pipeline/similarity';
import type { HistoryEntry, MemoryRecord } from '../core/types';
import type { EngineContext } from './context';
import { backgroundTurn } from './priority';

/** How long consolidation works before it lets the worker answer anything else (ms). */
export const SLICE_MS = 8;
/** Neighbours looked at per memory: near-duplicates of one fact are few. */
const NEIGHBOURS = 8;


interface Merge {
  twin: MemoryRecord;
  merged: MemoryRecord;
}

export async function consolidate(ctx: EngineContext): Promise<number> {
  const model = ctx.embedder.modelId;
  // The HNSW index, not an exact scan of every vector for each memory (while an import's index is
  // built, or a new worker restores it): background work that waits costs nothing.
  await ctx.vectors.built(model);
  await backgroundTurn(); // reading every vector holds the worker a moment: not while someone waits
  const byLabel = await ctx.memories();
  const vectors = new Map((await ctx.store.vectors(model)).map((v) => [v.memoryId, v.vector]));
  const scopeOf = (m: MemoryRecord): string => [m.userId, m.agentId, m.runId, m.space].join('\u0000');
  // Newest first: a memory merges into a newer one already kept.
  const order = [...byLabel.values()].sort((a, b) => b.saidAt - a.saidAt || b.updatedAt - a.updatedAt);
  const rank = new Map(order.map((m, i) => [m.label, i]));
  const kept = new Set<number>();
  const merges: Merge[] = [];
  let slice = performance.now();
  for (const m of order) {
    if (performance.now() - slice > SLICE_MS) {
      await backgroundTurn();
      slice = performance.now();
    }
    const v = vectors.get(m.id);
    const scope = scopeOf(m);
    let twin: MemoryRecord | undefined;
    if (v) {
      // The nearest neighbours, then those kept in the same scope. Not a filtered search: while
      // few memories are kept it widens until it has seen every vector (100,000 JS callbacks, a
      // second of the worker's time per memory at 100,000); a twin is among the nearest anyway.
      const hits = (await ctx.vectors.search(model, v, NEIGHBOURS * 4))
        .filter((h) => {
          const k = byLabel.get(h.label);
          return !!k && kept.has(h.label) && scopeOf(k) === scope;
        })
        .slice(0, NEIGHBOURS);
      // The newest kept memory that says the same thing (as when every pair was compared, newest first).
      twin = hits
        .filter((h) => h.score >= SAME_FACT)
        .flatMap((h) => {
          const k = byLabel.get(h.label);
          const w = k ? vectors.get(k.id) : undefined;
          return k && w && dot(v, w) >= SAME_FACT && sameFact(k.text, m.text) ? [k] : [];
        })
        .sort((a, b) => rank.get(a.label)! - rank.get(b.label)!)[0];
    }
    if (twin) merges.push({ twin, merged: m });
    else kept.add(m.label);
  }
  if (merges.length === 0) return 0;
  await backgroundTurn();
  return ctx.serial(async () => {
    // Only pairs whose texts no write changed while they were found, as they are now (a use
    // counted meanwhile is kept).
    const now = await ctx.memories();
    const same = (m: MemoryRecord): MemoryRecord | undefined => {
      const current = now.get(m.label);
      return current?.id === m.id && current.text === m.text && current.updatedAt === m.updatedAt ? current : undefined;
    };
    const valid = merges.flatMap(({ twin, merged }) => {
      const t = same(twin);
      const m = same(merged);
      return t && m ? [{ twin: t, merged: m }] : [];
    });
    if (valid.length === 0) return 0;
    const twins = new Map<number, MemoryRecord>();
    const history: HistoryEntry[] = [];
    const at = ctx.now();
    for (const { twin, merged } of valid) {
      const copy = twins.get(twin.label) ?? { ...twin }; // a copy: the cache changes only once the write has landed
      twins.set(twin.label, copy);
      copy.sourceTurnIds = [...new Set([...copy.sourceTurnIds, ...merged.sourceTurnIds])];
      copy.updatedAt = at;
      history.push(
        { memoryId: merged.id, event: 'DELETE', oldText: merged.text, newText: null, at, reason: `merged into: ${copy.text}`, mergedInto: copy.id },
        { memoryId: copy.id, event: 'UPDATE', oldText: copy.text, newText: copy.text, at, reason: `merged: ${merged.text}` },
      );
    }
    const removed = valid.map((v) => v.merged);
    await ctx.write({ put: [...twins.values()], delete: removed.map((m) => m.id), removedLabels: removed.map((m) => m.label), history });
    return removed.length;
  });
}
