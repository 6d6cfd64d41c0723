/** The verbs that change a memory in place: its text (a correction), its metadata, its use. */
import { categorize, indexText } from '../pipeline/categorize';
import { factHash } from '../pipeline/normalize';
import { relationsOf } from '../pipeline/relations';
import { assertNoSecret } from '../pipeline/secrets';
import type { JsonValue, MemoryRecord } from '../core/types';
import { historyEntry, type EngineContext } from './context';
import { checkText } from './add';

export interface MemoryChange {
  /** New text: re-embedded; history records a correction (never a past value). */
  text?: string;
  /** Merged into the memory's metadata (shallow, as Mem0 does). */
  metadata?: Record<string, JsonValue>;
  /** When it expires (ms since epoch), or null for never. */
  expiresAt?: number | null;
}

/** Change a memory in place: its text (the user's correction), metadata or expiry. */
export function updateMemory(ctx: EngineContext, id: string, change: MemoryChange): Promise<MemoryRecord> {
  return ctx.serial(async () => {
    const old = await ctx.store.get(id);
    if (!old) throw new Error(`Memory with ID ${id} not found`);
    const now = ctx.now();
    let updated: MemoryRecord = {
      ...old,
      metadata: change.metadata ? { ...old.metadata, ...change.metadata } : old.metadata,
      expiresAt: change.expiresAt === undefined ? old.expiresAt : change.expiresAt,
      updatedAt: now,
    };
    if (change.text === undefined) {
      await ctx.write({ put: [updated] });
      return updated;
    }
    const clean = checkText(change.text, 'text');
    assertNoSecret(clean);
    const categories = categorize(clean);
    const [vector] = await ctx.embedder.embedBatch([indexText(clean, categories)]);
    if (!vector) throw new Error('Engram: the embedding model returned nothing');
    updated = { ...updated, text: clean, hash: factHash(clean, old), categories, relations: relationsOf(clean) };
    const model = ctx.embedder.modelId;
    // A correction of what Engram wrote, not a change in the user's life: never a past value.
    const entry = { ...historyEntry(id, 'UPDATE', old.text, clean, now, 'corrected by the user'), correction: true };
    await ctx.write({ put: [updated], vectors: [{ memoryId: id, model, label: old.label, vector }], history: [entry] });
    return updated;
  });
}

/**
 * File memories in spaces (id → space path, null for none), in one write. The hash, which covers
 * the space (the same fact is stored once per space), follows. Not recorded in history (the fact
 * did not change). Unknown ids are skipped; returns the records that moved.
 */
export function setSpaces(ctx: EngineContext, spaces: ReadonlyMap<string, string | null>): Promise<MemoryRecord[]> {
  return ctx.serial(async () => {
    const now = ctx.now();
    const put = (await ctx.store.getMany([...spaces.keys()])).flatMap((m): MemoryRecord[] => {
      const space = spaces.get(m.id) ?? null;
      return space === m.space ? [] : [{ ...m, space, hash: factHash(m.text, { ...m, space }), updatedAt: now }];
    });
    if (put.length > 0) await ctx.write({ put });
    return put;
  });
}

/** Merge metadata into a memory (a null value removes the key). Not recorded in history. */
export function setMetadata(ctx: EngineContext, id: string, patch: Record<string, JsonValue>): Promise<MemoryRecord> {
  return ctx.serial(async () => {
    const old = await ctx.store.get(id);
    if (!old) throw new Error(`Memory with ID ${id} not found`);
    const merged = { ...old.metadata, ...patch };
    const metadata = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== null));
    const updated: MemoryRecord = { ...old, metadata, updatedAt: ctx.now() };
    await ctx.write({ put: [updated] });
    return updated;
  });
}

/** Uses noted by recalls and not written yet, per engine: memory id → how many times. */
const pendingUses = new WeakMap<EngineContext, { counts: Map<string, number>; at: number; timer: ReturnType<typeof setTimeout> | null }>();

/**
 * How long uses noted by recalls wait before they are written, all in one write: a write between
 * two recalls would make the second wait for it (IndexedDB queues reads behind a write).
 */
export const USE_BATCH_MS = 5000;

/** Add one use of each of `ids` to the engine's batch. */
function count(ctx: EngineContext, ids: readonly string[]): { counts: Map<string, number>; at: number; timer: ReturnType<typeof setTimeout> | null } {
  let batch = pendingUses.get(ctx);
  if (!batch) {
    batch = { counts: new Map(), at: 0, timer: null };
    pendingUses.set(ctx, batch);
  }
  for (const id of ids) batch.counts.set(id, (batch.counts.get(id) ?? 0) + 1);
  batch.at = ctx.now();
  return batch;
}

/**
 * Record, later and in one batch, that these memories went into a prompt (recall's bookkeeping,
 * off the send path). Written within USE_BATCH_MS, or at the next `flushUses`.
 */
export function noteUseLater(ctx: EngineContext, ids: readonly string[]): void {
  const batch = count(ctx, ids);
  batch.timer ??= setTimeout(() => {
    void flushUses(ctx).catch(() => undefined); // a lost count only weighs a little less in ranking
  }, USE_BATCH_MS);
}

/**
 * Record that these memories went into a prompt (and so were kept by the user): used memories
 * keep their weight in ranking. Not recorded in history (nothing about the fact changed).
 * Written now, with any uses still waiting in the batch.
 */
export function noteUse(ctx: EngineContext, ids: readonly string[]): Promise<void> {
  count(ctx, ids);
  return flushUses(ctx);
}

/** Write every use noted so far, in one write (unknown or deleted memories are skipped). */
export function flushUses(ctx: EngineContext): Promise<void> {
  const batch = pendingUses.get(ctx);
  if (!batch || batch.counts.size === 0) return Promise.resolve();
  if (batch.timer) clearTimeout(batch.timer);
  pendingUses.delete(ctx);
  const { counts, at } = batch;
  return ctx.serial(async () => {
    const records = await ctx.store.getMany([...counts.keys()]);
    if (records.length === 0) return;
    const put = records.map((m) => ({
      ...m,
      metadata: { ...m.metadata, uses: (typeof m.metadata.uses === 'number' ? m.metadata.uses : 0) + (counts.get(m.id) ?? 0), lastUsedAt: at },
    }));
    await ctx.write({ put });
  });
}
