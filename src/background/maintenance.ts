import type { ExtensionEngine } from './extension-engine';

/** Consolidation runs at most this often (it reads every memory). */
export const CONSOLIDATE_EVERY_MS = 6 * 60 * 60 * 1000;
const LAST_CONSOLIDATED = 'lastConsolidatedAt';

/**
 * Background upkeep on the service worker's alarm: finish queued turns, drop expired session
 * memories, and now and then merge near-duplicate memories.
 */
export async function maintain({ queue, memory, store }: Pick<ExtensionEngine, 'queue' | 'memory' | 'store'>, now = Date.now()): Promise<void> {
  await queue.drain();
  // Held turns whose send never left, and the hashes of processed ones, once old enough.
  await queue.purge();
  await memory.sweepExpired();
  const last = Number((await store.getSetting(LAST_CONSOLIDATED)) ?? 0);
  if (now - last < CONSOLIDATE_EVERY_MS) return;
  await memory.consolidate();
  await store.setSetting(LAST_CONSOLIDATED, now);
}
