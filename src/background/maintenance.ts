import type { ExtensionEngine } from './extension-engine';

/** Consolidation runs at most this often (it reads every memory). */
export const CONSOLIDATE_EVERY_MS = 6 * 60 * 60 * 1000;
const LAST_CONSOLIDATED = 'lastConsolidatedAt';
/** Bumped whenever the secret detector learns a new kind: stored memories are swept once more. */
export const SECRET_SWEEP_VERSION = 2;
const SECRET_SWEEP = 'secretSweepVersion';

/**
 * Background upkeep on the service worker's alarm: finish queued turns, drop expired session
 * memories, forget memories holding a secret stored before Engram recognised it (once per
 * detector version), and now and then merge near-duplicate memories.
 */
export async function maintain(
  { queue, memory, store, log }: Pick<ExtensionEngine, 'queue' | 'memory' | 'store'> & { log?: Pick<ExtensionEngine['log'], 'forgetMissing'> },
  now = Date.now(),
): Promise<void> {
  await queue.drain();
  await memory.flushUses();
  // A forget interrupted before the injection log was cleaned: its texts go now.
  await log?.forgetMissing();
  // Held turns whose send never left, and the hashes of processed ones, once old enough.
  await queue.purge();
  await memory.sweepExpired();
  if ((await store.getSetting(SECRET_SWEEP)) !== SECRET_SWEEP_VERSION) {
    await memory.forgetSecrets();
    await store.setSetting(SECRET_SWEEP, SECRET_SWEEP_VERSION);
  }
  const last = Number((await store.getSetting(LAST_CONSOLIDATED)) ?? 0);
  if (now - last < CONSOLIDATE_EVERY_MS) return;
  await memory.consolidate();
  await store.setSetting(LAST_CONSOLIDATED, now);
}
