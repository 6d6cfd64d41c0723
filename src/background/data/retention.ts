/**
 * How long memories stay, in the background: the policy "forget memories not used in N days"
 * (kept in the settings table, applied by the maintenance alarm; pinned memories are exempt),
 * and a memory's own expiry, set from its detail: a date, never, or when its conversation ends
 * (engine/retention.ts). Whatever ends a memory, its history says `expired`, without its text.
 */
import type { MemoryRecord } from '../../core/types';
import type { EngramDatabase } from '../../db/schema';
import type { Memory } from '../../engine/memory';
import { CONVERSATION_IDLE_MS, type ConversationActivity } from '../../engine/retention';
import { MAX_RETENTION_DAYS, type ExpiryRequest, type RetentionSettings } from '../../messaging/data-protocol';
import type { MemoryStore } from '../../ports/memory-store';

/** The settings key of the retention policy (exported with the user's settings: data/engram-export.ts USER_SETTINGS). */
export const RETENTION_SETTING = 'retention';

export const NO_RETENTION: RetentionSettings = { unusedDays: null };

/** A retention policy as stored or sent: a whole number of days from 1 to MAX_RETENTION_DAYS, or null (never); anything else is null. */
export function retentionSettingsOf(value: unknown): RetentionSettings {
  const days = (value as { unusedDays?: unknown } | null)?.unusedDays;
  return typeof days === 'number' && Number.isSafeInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS ? { unusedDays: days } : NO_RETENTION;
}

export async function readRetention(store: Pick<MemoryStore, 'getSetting'>): Promise<RetentionSettings> {
  return retentionSettingsOf(await store.getSetting(RETENTION_SETTING));
}

/** Store the policy the user chose (refusing anything that is not one). */
export async function writeRetention(store: Pick<MemoryStore, 'setSetting'>, value: unknown): Promise<RetentionSettings> {
  const days = (value as { unusedDays?: unknown } | null)?.unusedDays;
  const settings = retentionSettingsOf(value);
  if (days !== null && settings.unusedDays === null) throw new Error(`Engram: a retention is a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or none`);
  await store.setSetting(RETENTION_SETTING, { unusedDays: settings.unusedDays });
  return settings;
}

/**
 * When something was last said in each conversation, beyond its memories' dates: the turns
 * captured there (the queue keeps them a day) and the prompts that went out with memories.
 */
export function conversationActivity(db: EngramDatabase, now: () => number = Date.now): ConversationActivity {
  return async (ids) => {
    const last = new Map<string, number>();
    const note = (id: string, at: number): void => {
      if (at > (last.get(id) ?? -Infinity)) last.set(id, at);
    };
    for (const job of await db.jobs.where('conversationId').anyOf([...ids]).toArray()) note(job.conversationId, job.sentAt);
    const wanted = new Set(ids);
    const recent = await db.injections.where('at').above(now() - 2 * CONVERSATION_IDLE_MS).toArray();
    for (const sent of recent) if (wanted.has(sent.conversationId)) note(sent.conversationId, sent.at);
    return last;
  };
}

/** A `setExpiry` request, checked. */
export function expiryOf(value: unknown): ExpiryRequest {
  const request = value as Partial<Record<'id' | 'expiresAt' | 'untilConversationEnds', unknown>> | null;
  if (!request || typeof request.id !== 'string' || request.id === '' || request.id.length > 100) throw new Error('Engram: a malformed setExpiry was refused');
  if (request.untilConversationEnds === true) return { id: request.id, untilConversationEnds: true };
  const at = request.expiresAt;
  if (at === null || (typeof at === 'number' && Number.isFinite(at) && Math.abs(at) <= 8.64e15)) return { id: request.id, expiresAt: at };
  throw new Error('Engram: a malformed setExpiry was refused');
}

/** Set a memory's expiry. */
export async function setExpiry(memory: Memory, value: unknown, activity?: ConversationActivity): Promise<MemoryRecord> {
  const request = expiryOf(value);
  const retention = memory.retention();
  return 'untilConversationEnds' in request ? retention.untilConversationEnds(request.id, activity) : retention.setExpiry(request.id, request.expiresAt);
}

/**
 * The maintenance step: memories lasting until their conversation ends follow it; memories not
 * used for the policy's days are forgotten. (Expiry dates reached are the engine's sweep, next.)
 */
export async function applyRetention(
  { memory, store, db }: { memory: Memory; store: Pick<MemoryStore, 'getSetting'>; db?: EngramDatabase | undefined },
): Promise<{ followed: number; forgotten: number }> {
  const retention = memory.retention();
  const followed = await retention.followConversations(db ? conversationActivity(db) : undefined);
  const { unusedDays } = await readRetention(store);
  const forgotten = unusedDays === null ? 0 : await retention.forgetUnused(unusedDays);
  return { followed, forgotten };
}
