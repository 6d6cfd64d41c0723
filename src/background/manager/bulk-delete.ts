/**
 * deleteMemories and undoDelete: forget the selected memories through the engine (one write: their
 * history keeps no text, their vectors leave the store and the index, the chat pages and the
 * injection log are told), keeping in this worker's memory only, never on disk, what puts each back
 * exactly: the record, its vectors under every model, its history as it was, its texts in the
 * injection log. An undo within UNDO_WINDOW_MS puts them back through the store (the caches and the
 * vector index find them again) and removes the history entries the forgetting added; after the
 * window the copy is gone and an undo restores nothing.
 */
import type { HistoryEntry, MemoryRecord, VectorRecord } from '../../core/types';
import type { EngramDatabase } from '../../db/schema';
import { UNDO_WINDOW_MS } from '../../messaging/protocol';
import type { ManagerDeps } from './deps';
import { MalformedRequest } from './filter';

/** Above this many memories a delete cannot be undone (the copy would hold their vectors in memory: ~2 KB each). */
export const MAX_UNDOABLE = 20_000;

/** What puts forgotten memories back exactly. */
interface Kept {
  records: readonly MemoryRecord[];
  vectors: VectorRecord[];
  /** Their history entries as they were (and those of memories merged into them), ids included. */
  history: HistoryEntry[];
  /** The last history entry's id before the forgetting: every entry after it is newer. */
  lastHistoryId: number;
  /** Injection log entry id → memory id → the text it was sent with. */
  injections: Map<number, Map<string, string>>;
}

/** Copies kept for an undo, by token; each dropped when its window ends. */
export class UndoShelf {
  readonly #kept = new Map<string, { kept: Kept; until: number; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly now: () => number) {}

  keep(kept: Kept): string {
    const token = crypto.randomUUID();
    const timer = setTimeout(() => this.#kept.delete(token), UNDO_WINDOW_MS);
    this.#kept.set(token, { kept, until: this.now() + UNDO_WINDOW_MS, timer });
    return token;
  }

  /** The copy for `token`, once (null when unknown, used or too late). */
  take(token: string): Kept | null {
    const entry = this.#kept.get(token);
    if (!entry) return null;
    this.#kept.delete(token);
    clearTimeout(entry.timer);
    // A worker that slept through its timer still refuses a late undo.
    return this.now() <= entry.until ? entry.kept : null;
  }

  /** Drop every copy (after "Forget everything"). */
  clear(): void {
    for (const { timer } of this.#kept.values()) clearTimeout(timer);
    this.#kept.clear();
  }

  get size(): number {
    return this.#kept.size;
  }
}

/** Up to this many memories, their history is read one query per memory. */
const FEW_MEMORIES = 256;

/**
 * The history entries of these memories. Many of them: one read of the whole table, filtered here;
 * a few: one query per memory, all in flight at once (an `anyOf` would walk a cursor, one key after
 * another).
 */
async function historyOf(db: EngramDatabase, memoryIds: readonly string[]): Promise<HistoryEntry[]> {
  // (A count walks the table too: only worth it when the table may be small beside the selection.)
  if (memoryIds.length > FEW_MEMORIES && memoryIds.length * 8 >= (await db.history.count())) {
    const wanted = new Set(memoryIds);
    return (await db.history.toArray()).filter((h) => wanted.has(h.memoryId));
  }
  return (await Promise.all(memoryIds.map((id) => db.history.where('memoryId').equals(id).toArray()))).flat();
}

/** Read what puts these memories back (inside the engine's write queue, just before they go). */
async function copyOf(db: EngramDatabase, records: readonly MemoryRecord[]): Promise<Kept> {
  const ids = records.map((r) => r.id);
  return db.transaction('r', [db.vectors, db.history, db.injections], async () => {
    // Vectors by their keys, one model at a time (a switch of model in progress has two).
    const models = (await db.vectors.orderBy('model').uniqueKeys()) as string[];
    const vectors = (await Promise.all(models.map((model) => db.vectors.bulkGet(ids.map((id) => [model, id] as [string, string]))))).flat();
    const [merged, logged, last] = await Promise.all([
      db.history.where('mergedInto').anyOf(ids).toArray(),
      db.injections.where('memoryIds').anyOf(ids).toArray(),
      db.history.orderBy(':id').lastKey(),
    ]);
    // Forgetting a memory also takes the text of the memories merged into it: theirs is kept too.
    const historyIds = [...new Set([...ids, ...merged.map((h) => h.memoryId)])];
    const history = await historyOf(db, historyIds);
    const wanted = new Set(ids);
    const injections = new Map<number, Map<string, string>>();
    for (const entry of logged) {
      const texts = new Map(entry.memories.flatMap((m) => (wanted.has(m.id) && m.text !== null ? [[m.id, m.text] as const] : [])));
      if (entry.id !== undefined && texts.size > 0) injections.set(entry.id, texts);
    }
    return {
      records,
      vectors: vectors.filter((v): v is VectorRecord => v !== undefined),
      history,
      lastHistoryId: typeof last === 'number' ? last : 0,
      injections,
    };
  });
}

/** Forget these memories (ids of the user's); an undo token when they can be put back. */
export async function deleteMemories(deps: ManagerDeps, shelf: UndoShelf, ids: readonly string[]): Promise<{ deleted: number; undo: string | null }> {
  if (ids.length === 0) return { deleted: 0, undo: null };
  const copy: { kept?: Kept } = {};
  const keep = async (records: readonly MemoryRecord[]): Promise<void> => {
    copy.kept = await copyOf(deps.db, records);
  };
  const deleted = await deps.memory.forgetMany(ids, ids.length <= MAX_UNDOABLE ? { keep } : {});
  if (deleted === 0) return { deleted: 0, undo: null };
  // The extension's onWrite scrubs the log too; done here as well, so it is over before any undo.
  await deps.log.forget(ids);
  return { deleted, undo: copy.kept ? shelf.keep(copy.kept) : null };
}

/** Put back what a deleteMemories forgot, exactly as it was; how many (0 when the token is unknown or too late). */
export async function undoDelete(deps: ManagerDeps, shelf: UndoShelf, token: unknown): Promise<{ restored: number }> {
  if (typeof token !== 'string' || token.length > 100) throw new MalformedRequest('undoDelete', 'the token must be the one deleteMemories gave');
  const kept = shelf.take(token);
  if (!kept) return { restored: 0 };
  const restored = new Set(await deps.memory.restore(kept.records, kept.vectors));
  if (restored.size === 0) return { restored: 0 };
  await putBackHistory(deps.db, kept, restored);
  return { restored: restored.size };
}

/** History and the injection log as they were before the forgetting, for the memories restored. */
async function putBackHistory(db: EngramDatabase, kept: Kept, restored: ReadonlySet<string>): Promise<void> {
  // A merged memory's entries belong to the memory it was merged into.
  const owner = new Map<string, string>();
  for (const h of kept.history) if (h.mergedInto !== undefined && restored.has(h.mergedInto)) owner.set(h.memoryId, h.mergedInto);
  const history = kept.history.filter((h) => restored.has(h.memoryId) || owner.has(h.memoryId));
  const before = new Set(history.map((h) => h.id));
  await db.transaction('rw', [db.history, db.injections], async () => {
    // The entries the forgetting added ("forgotten", newer than any kept) go; the ones it emptied get their texts back.
    const added = (await db.history.where(':id').above(kept.lastHistoryId).toArray()).flatMap((h) =>
      h.id !== undefined && restored.has(h.memoryId) && !before.has(h.id) ? [h.id] : [],
    );
    await db.history.bulkDelete(added);
    await db.history.bulkPut(history);
    const entries = [...kept.injections.keys()];
    if (entries.length === 0) return;
    await db.injections
      .where('id')
      .anyOf(entries)
      .modify((entry) => {
        const texts = kept.injections.get(entry.id ?? -1);
        entry.memories = entry.memories.map((m) => {
          const text = restored.has(m.id) ? texts?.get(m.id) : undefined;
          return text === undefined ? m : { id: m.id, text };
        });
      });
  });
}
