/**
 * The injection log: every prompt that went out with memories, when, on which site and
 * conversation, in which mode, and each memory with its text as it was sent. The popup lists it
 * and shows where a memory was used. Forgetting a memory removes its text from every entry (the
 * entry keeps that a memory went, not what it said).
 */
import type { EngramDatabase } from '../db/schema';
import type { InjectionRecord, SiteId } from '../core/types';
import type { InjectionView } from '../messaging/protocol';

/** The log keeps this many entries; older ones go first. */
export const MAX_LOG_ENTRIES = 5000;

export class InjectionLog {
  constructor(private readonly db: EngramDatabase) {}

  /** Record one prompt's memories (texts as the store holds them now). Returns the entry's id. */
  async record(entry: { at: number; site: SiteId; conversationId: string; mode: InjectionRecord['mode']; memories: { id: string; text: string }[] }): Promise<number> {
    const record: InjectionRecord = {
      at: entry.at,
      site: entry.site,
      conversationId: entry.conversationId,
      mode: entry.mode,
      memories: entry.memories.map((m) => ({ id: m.id, text: m.text })),
      memoryIds: [...new Set(entry.memories.map((m) => m.id))],
    };
    return this.db.transaction('rw', this.db.injections, async () => {
      const id = (await this.db.injections.add(record)) as number;
      const count = await this.db.injections.count();
      if (count > MAX_LOG_ENTRIES) {
        const oldest = await this.db.injections.orderBy('at').limit(count - MAX_LOG_ENTRIES).primaryKeys();
        await this.db.injections.bulkDelete(oldest);
      }
      return id;
    });
  }

  /**
   * Newest first; only where `memoryId` went when given. A memory no longer stored shows no text,
   * even if its forgetting was interrupted before the log was scrubbed.
   */
  async list(query: { memoryId?: string; limit?: number } = {}): Promise<InjectionView[]> {
    const limit = Math.max(1, Math.min(query.limit ?? 100, 1000));
    const rows = query.memoryId
      ? (await this.db.injections.where('memoryIds').equals(query.memoryId).toArray()).sort((a, b) => b.at - a.at).slice(0, limit)
      : await this.db.injections.orderBy('at').reverse().limit(limit).toArray();
    const ids = [...new Set(rows.flatMap((r) => r.memoryIds))];
    const live = new Set((await this.db.memories.bulkGet(ids)).flatMap((m) => (m ? [m.id] : [])));
    return rows.map((r) => ({
      id: r.id ?? 0,
      at: r.at,
      site: r.site,
      conversationId: r.conversationId,
      mode: r.mode,
      memories: r.memories.map((m) => ({ id: m.id, text: live.has(m.id) ? m.text : null })),
    }));
  }

  /** These memories were forgotten: their texts leave every entry. */
  async forget(memoryIds: readonly string[]): Promise<void> {
    if (memoryIds.length === 0) return;
    const gone = new Set(memoryIds);
    await this.db.injections
      .where('memoryIds')
      .anyOf([...gone])
      .modify((r: InjectionRecord) => {
        r.memories = r.memories.map((m) => (gone.has(m.id) ? { id: m.id, text: null } : m));
      });
  }

  /** Scrub texts of memories no longer stored (an interrupted forget); maintenance runs it. */
  async forgetMissing(): Promise<number> {
    const all = await this.db.injections.toArray();
    const ids = [...new Set(all.flatMap((r) => r.memories.filter((m) => m.text !== null).map((m) => m.id)))];
    const stored = await this.db.memories.bulkGet(ids);
    const missing = ids.filter((_, i) => stored[i] === undefined);
    await this.forget(missing);
    return missing.length;
  }

  /** Forget everything: the log goes with the memories. */
  async clear(): Promise<void> {
    await this.db.injections.clear();
  }
}
