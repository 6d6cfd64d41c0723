import type { ExtensionEngine } from './extension-engine';
import { historyImportOf } from './data/import-history';
import { applyRetention } from './data/retention';

/** Consolidation runs at most this often (it reads every memory). */
export const CONSOLIDATE_EVERY_MS = 6 * 60 * 60 * 1000;
const LAST_CONSOLIDATED = 'lastConsolidatedAt';
/** Bumped whenever the secret detector learns a new kind: stored memories are swept once more. */
export const SECRET_SWEEP_VERSION = 2;
const SECRET_SWEEP = 'secretSweepVersion';

/**
 * Background upkeep on the service worker's alarm: finish queued turns, go on with an imported
 * chat history (after a restart too), apply the retention policy, drop expired memories (an
 * expiry date reached, a session or a conversation over), forget memories holding a secret stored
 * before Engram recognised it (once per detector version), and now and then merge near-duplicate
 * memories.
 */
export async function maintain(
  { queue, memory, store, log, db }: Pick<ExtensionEngine, 'queue' | 'memory' | 'store'> & {
    log?: Pick<ExtensionEngine['log'], 'forgetMissing'>;
    db?: ExtensionEngine['db'];
  },
  now = Date.now(),
): Promise<void> {
  await queue.drain();
  // An imported chat history goes on in the background (not awaited: it runs for as long as it takes).
  if (db) historyImportOf({ db, queue }).kick();
  await memory.flushUses();
  // A forget interrupted before the injection log was cleaned: its texts go now.
  await log?.forgetMissing();
  // Held turns whose send never left, and the hashes of processed ones, once old enough.
  await queue.purge();
  // Memories lasting until their conversation ends follow it; those unused for the policy's days go.
  await applyRetention({ memory, store, db });
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
