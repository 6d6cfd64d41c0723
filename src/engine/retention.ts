/**
 * How long memories stay: a memory's own expiry (a date, or the end of the conversation it came
 * from), and the policy "forget memories not used in N days" (pinned ones are kept). Whatever ends
 * a memory, it is forgotten as any forget is (engine/context.ts `forgetting`): gone from the store,
 * the indexes and history's texts, with a DELETE entry whose reason is `expired`.
 */
import { everyMemoryWhere } from './forget';
import type { MemoryRecord } from '../core/types';
import { forgetting, type EngineContext } from './context';

export const DAY_MS = 86_400_000;

/** Why a memory forgotten by its expiry or the retention policy is gone, in its history. */
export const EXPIRED_REASON = 'expired';

/**
 * A conversation has ended when nothing was said in it for this long: a memory that lasts "until
 * this conversation ends" is forgotten then (its expiry moves on while the conversation goes on).
 */
export const CONVERSATION_IDLE_MS = 60 * 60_000;

/** The metadata key of a memory that lasts until its conversation ends. */
export const UNTIL_CONVERSATION_ENDS = 'untilConversationEnds';

/**
 * When a memory was last used: it went into a prompt (`lastUsedAt`, written by the recall's
 * bookkeeping), or was stored or changed (said again, corrected, accepted, moved).
 */
export function lastUsedAt(m: MemoryRecord): number {
  const used = m.metadata.lastUsedAt;
  return Math.max(typeof used === 'number' && Number.isFinite(used) ? used : 0, m.createdAt, m.updatedAt);
}

/** Whether the retention policy of `days` forgets `m` at `now`: not pinned, and not used for more than `days` days. */
export function unusedFor(m: MemoryRecord, days: number, now: number): boolean {
  return m.metadata.pinned !== true && lastUsedAt(m) < now - days * DAY_MS;
}

/** The last moment something was said in each of these conversations (ms), when known. */
export type ConversationActivity = (conversationIds: readonly string[]) => Promise<ReadonlyMap<string, number>>;

export interface Retention {
  /** Forget the memory at `expiresAt` (ms since epoch), or never (null). Returns the record. */
  setExpiry(id: string, expiresAt: number | null): Promise<MemoryRecord>;
  /**
   * Forget the memory when its conversation ends: after CONVERSATION_IDLE_MS without anything
   * said in it (`activity` tells when something last was, beyond the memories' own dates).
   */
  untilConversationEnds(id: string, activity?: ConversationActivity): Promise<MemoryRecord>;
  /**
   * Move on the expiry of memories that last until their conversation ends, for conversations
   * still going on. Returns how many moved.
   */
  followConversations(activity?: ConversationActivity): Promise<number>;
  /** Forget every memory not pinned and not used for more than `days` days. Returns how many. */
  forgetUnused(days: number): Promise<number>;
}

/** The last activity of each conversation: what `activity` says, and when its memories were said. */
async function lastActivity(ctx: EngineContext, ids: readonly string[], activity?: ConversationActivity): Promise<Map<string, number>> {
  const wanted = new Set(ids);
  const last = new Map<string, number>();
  const note = (id: string, at: number): void => {
    if (at > (last.get(id) ?? -Infinity)) last.set(id, at);
  };
  for (const m of (await ctx.memories()).values()) if (m.conversationId !== null && wanted.has(m.conversationId)) note(m.conversationId, m.saidAt);
  if (activity && wanted.size > 0) for (const [id, at] of await activity([...wanted])) if (wanted.has(id)) note(id, at);
  return last;
}

export function retentionOf(ctx: EngineContext): Retention {
  const change = (id: string, update: (m: MemoryRecord) => Promise<MemoryRecord> | MemoryRecord): Promise<MemoryRecord> =>
    ctx.serial(async () => {
      const old = await ctx.store.get(id);
      if (!old) throw new Error(`Memory with ID ${id} not found`);
      const updated = await update(old);
      await ctx.write({ put: [updated] });
      return updated;
    });
  const withoutFlag = (m: MemoryRecord): MemoryRecord['metadata'] => Object.fromEntries(Object.entries(m.metadata).filter(([key]) => key !== UNTIL_CONVERSATION_ENDS));

  return {
    setExpiry(id, expiresAt) {
      if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) throw new TypeError('expiresAt must be a time (ms) or null');
      return change(id, (m) => ({ ...m, expiresAt, metadata: withoutFlag(m), updatedAt: ctx.now() }));
    },
    untilConversationEnds(id, activity) {
      return change(id, async (m) => {
        if (m.conversationId === null) throw new Error('Engram: this memory comes from no conversation');
        const now = ctx.now();
        const last = (await lastActivity(ctx, [m.conversationId], activity)).get(m.conversationId) ?? now;
        return { ...m, expiresAt: Math.max(now, last) + CONVERSATION_IDLE_MS, metadata: { ...m.metadata, [UNTIL_CONVERSATION_ENDS]: true }, updatedAt: now };
      });
    },
    followConversations(activity) {
      return ctx.serial(async () => {
        const following = [...(await ctx.memories()).values()].filter((m) => m.metadata[UNTIL_CONVERSATION_ENDS] === true && m.conversationId !== null && m.expiresAt !== null);
        if (following.length === 0) return 0;
        const last = await lastActivity(ctx, [...new Set(following.map((m) => m.conversationId!))], activity);
        // Not a use of the memory: its updatedAt stays.
        const put = following.flatMap((m) => {
          const end = (last.get(m.conversationId!) ?? 0) + CONVERSATION_IDLE_MS;
          return end > m.expiresAt! ? [{ ...m, expiresAt: end }] : [];
        });
        if (put.length > 0) await ctx.write({ put });
        return put.length;
      });
    },
    forgetUnused(days) {
      if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0) throw new TypeError('days must be a positive number');
      return ctx.serial(async () => {
        const now = ctx.now();
        const doomed = await everyMemoryWhere(ctx, (m) => unusedFor(m, days, now)); // every minute: not a read of every record
        if (doomed.length > 0) await ctx.write(forgetting(doomed, now, EXPIRED_REASON));
        return doomed.length;
      });
    },
  };
}
