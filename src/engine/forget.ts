/**
 * The verbs that forget: one memory, every memory matching a filter, expired memories, memories
 * holding a secret, everything. Forget means gone: the text leaves history too; only that the
 * memory was forgotten, and when, stays.
 */
import { inSlices, storedPages } from './slices';
import { containsSecret } from '../pipeline/secrets';
import type { MemoryRecord, VectorRecord } from '../core/types';
import { forgetting, type EngineContext } from './context';
import { matchesFilter, type MemoryFilter } from './filters';

/** Delete one memory; false when there is none with that id. */
export function deleteMemory(ctx: EngineContext, id: string, reason = 'deleted by the user'): Promise<boolean> {
  return ctx.serial(async () => {
    const old = await ctx.store.get(id);
    if (!old) return false;
    await ctx.write(forgetting([old], ctx.now(), reason));
    return true;
  });
}

/**
 * Forget these memories in one write, as deleting each would (history, vectors, the vector index;
 * the extension's onWrite tells the chat pages and the injection log). Unknown ids are skipped.
 * `keep` is called first, inside the write queue, with the records about to go: nothing else
 * changes them between the copy it may take (an undo) and the forgetting. Returns the records forgotten.
 */
export function forgetMany(
  ctx: EngineContext,
  ids: readonly string[],
  reason = 'deleted by the user',
  keep?: (records: readonly MemoryRecord[]) => Promise<void>,
): Promise<MemoryRecord[]> {
  return ctx.serial(async () => {
    const records = await ctx.store.getMany([...new Set(ids)]);
    if (records.length === 0) return [];
    await keep?.(records);
    await ctx.write(forgetting(records, ctx.now(), reason));
    return records;
  });
}

/**
 * Put memories forgotten a moment ago back exactly as they were (same ids, labels, texts, metadata,
 * dates) with their vectors, through the store, so the caches and the vector index find them again.
 * A memory whose id is stored again is left as it is. Their history is the caller's to put back.
 * Returns the records restored.
 */
export function restoreMany(ctx: EngineContext, records: readonly MemoryRecord[], vectors: readonly VectorRecord[]): Promise<MemoryRecord[]> {
  return ctx.serial(async () => {
    const present = new Set((await ctx.store.getMany(records.map((r) => r.id))).map((r) => r.id));
    const back = records.filter((r) => !present.has(r.id));
    if (back.length === 0) return [];
    const ids = new Set(back.map((r) => r.id));
    // Every model's vectors go back to the store; the active model's index takes its own.
    await ctx.write({ put: [...back], vectors: vectors.filter((v) => ids.has(v.memoryId)) });
    return back;
  });
}

/** Delete every memory passing `filter`; returns how many. */
export function deleteMatching(ctx: EngineContext, filter: MemoryFilter): Promise<number> {
  return forgetWhere(ctx, (m) => matchesFilter(m, filter), 'deleteAll');
}

/** Forget memories past their expiration date (a session's end, or the date given). */
export function sweepExpired(ctx: EngineContext): Promise<number> {
  const now = ctx.now();
  // Maintenance sweeps every minute: from the engine's copy of the store (forgetWhere).
  return forgetWhere(ctx, (m) => m.expiresAt !== null && m.expiresAt <= now, 'expired', 'cache');
}

/**
 * Forget every stored memory that holds a secret (a password, key, card number…), as the user
 * forgetting it would: for memories stored before Engram recognised that kind of secret.
 */
export function forgetSecrets(ctx: EngineContext): Promise<number> {
  return forgetWhere(ctx, (m) => !!containsSecret(m.text) || (!!m.context && !!containsSecret(m.context)), 'held a secret');
}

/** Forget everything: memories, vectors, history, index snapshots and queued turns. */
export function reset(ctx: EngineContext): Promise<void> {
  return ctx.serial(async () => {
    await ctx.store.clear();
    ctx.invalidate();
  });
}

function forgetWhere(ctx: EngineContext, doomed: (m: MemoryRecord) => boolean, reason: string, from: 'store' | 'cache' = 'store'): Promise<number> {
  return ctx.serial(async () => {
    const records = from === 'cache' ? await everyMemoryWhere(ctx, doomed) : await storedWhere(ctx, doomed);
    if (records.length > 0) await ctx.write(forgetting(records, ctx.now(), reason));
    return records.length;
  });
}

/** Records read from the store at a time, in id order. */
const PAGE = 1000;

/**
 * The stored records passing `test`, read a page at a time (what the store holds, whoever wrote
 * it: a sweep for what an older version stored). Call it inside the write queue.
 */
async function storedWhere(ctx: EngineContext, test: (m: MemoryRecord) => boolean): Promise<MemoryRecord[]> {
  const out: MemoryRecord[] = [];
  for await (const page of storedPages(ctx.store, PAGE)) {
    await inSlices(page, (m) => {
      if (test(m)) out.push(m);
    });
  }
  return out;
}

/**
 * The memories passing `test`, from the engine's copy of the store (kept in step with every write)
 * and in slices: for the sweeps maintenance runs every minute (expiry dates, a retention policy),
 * where reading every record each time held the worker 1.5–4 s at 100,000. Call it inside the
 * write queue: no write lands between the slices.
 */
export async function everyMemoryWhere(ctx: EngineContext, test: (m: MemoryRecord) => boolean): Promise<MemoryRecord[]> {
  const out: MemoryRecord[] = [];
  await inSlices([...(await ctx.memories()).values()], (m) => {
    if (test(m)) out.push(m);
  });
  return out;
}
