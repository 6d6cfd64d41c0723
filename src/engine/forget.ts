/**
 * The verbs that forget: one memory, every memory matching a filter, expired memories, memories
 * holding a secret, everything. Forget means gone: the text leaves history too; only that the
 * memory was forgotten, and when, stays.
 */
import { containsSecret } from '../pipeline/secrets';
import type { MemoryRecord } from '../core/types';
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

/** Delete every memory passing `filter`; returns how many. */
export function deleteMatching(ctx: EngineContext, filter: MemoryFilter): Promise<number> {
  return forgetWhere(ctx, (m) => matchesFilter(m, filter), 'deleteAll');
}

/** Forget memories past their expiration date (a session's end, or the date given). */
export function sweepExpired(ctx: EngineContext): Promise<number> {
  const now = ctx.now();
  return forgetWhere(ctx, (m) => m.expiresAt !== null && m.expiresAt <= now, 'expired');
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

function forgetWhere(ctx: EngineContext, doomed: (m: MemoryRecord) => boolean, reason: string): Promise<number> {
  return ctx.serial(async () => {
    const records = (await ctx.store.list()).filter(doomed);
    if (records.length > 0) await ctx.write(forgetting(records, ctx.now(), reason));
    return records.length;
  });
}
