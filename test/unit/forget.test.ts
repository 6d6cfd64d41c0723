// @vitest-environment node
/**
 * Forget means gone (issue 9, finding 2): once a memory is forgotten, no table of Engram's
 * database and no index snapshot holds what it said; processed turns keep no text; reset() and
 * "Forget everything" leave nothing. History keeps that a memory changed and was forgotten, and
 * when, never what it said.
 */
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngramDatabase } from '../../src/db/schema';
import { HELD_TTL_MS, TurnQueue } from '../../src/background/turn-queue';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { MAX_TURN_CHARS, type CapturedTurn } from '../../src/messaging/protocol';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const SECRET_WORD = 'Quokkazilla';

function setup() {
  let clock = Date.UTC(2026, 10, 30, 12);
  const engine = testEngine({ embedder, now: () => clock });
  const queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, { now: () => clock, schedule: () => undefined });
  return { ...engine, queue, advance: (ms: number) => (clock += ms), now: () => clock };
}

/** Every memory of the extension's user. */
const ALL = { filters: { user_id: 'me' }, topK: 10_000 };
/** Every candidate of the user's memories, unfiltered. */
const UNGATED = { filters: { user_id: 'me' }, threshold: 0 };

let sentAt = Date.UTC(2026, 10, 30, 11);
const turn = (text: string, conversationId = 'c1'): CapturedTurn => ({ site: 'chatgpt', conversationId, text, sentAt: sentAt++ });

/** Every row of every table, as text; typed arrays (vectors, snapshots) decoded byte by byte. */
async function everything(db: EngramDatabase): Promise<string> {
  const parts: string[] = [];
  for (const table of db.tables) {
    for (const row of await table.toArray()) {
      parts.push(
        JSON.stringify(row, (_key, value: unknown) =>
          ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1') : value,
        ),
      );
    }
  }
  return parts.join('\n');
}

describe('forgetting a memory', () => {
  it('leaves no trace of its text in any table or snapshot, whatever happened to it before', async () => {
    const { memory, queue, db, vectors } = setup();
    // Told through the queue (as the extension does), with an assistant question as context…
    const told = { ...turn(`I have a pet zebra named ${SECRET_WORD}`), replyTo: `Tell me about ${SECRET_WORD}s!` };
    await queue.enqueue(told, { held: true });
    await queue.confirm(told);
    await queue.drain();
    // …said again by another turn, corrected by the user, merged with a near-duplicate…
    const [first] = (await memory.getAll(ALL)).results;
    expect(first?.memory).toContain(SECRET_WORD);
    await memory.update(first!.id, `I have a pet zebra called ${SECRET_WORD}`);
    await memory.add(`I have a pet zebra called ${SECRET_WORD}!`, { userId: 'me', infer: false });
    await memory.consolidate();
    await vectors.save(embedder.modelId);
    const [kept] = (await memory.getAll(ALL)).results;
    expect((await everything(db)).includes(SECRET_WORD)).toBe(true);

    await memory.delete(kept!.id);

    expect((await memory.getAll(ALL)).results).toEqual([]);
    expect(await everything(db)).not.toContain(SECRET_WORD);
    // History still says that it was added, corrected and forgotten, and when.
    const events = (await memory.history(kept!.id)).map((h) => [h.action, h.previous_value, h.new_value]);
    expect(events[0]).toEqual(['DELETE', null, null]); // newest first
    expect(events.flat().join(' ')).not.toContain(SECRET_WORD);
    expect(events.length).toBeGreaterThan(1);
    expect(await db.history.count()).toBeGreaterThan(2);
    // And search finds nothing of it.
    expect((await memory.search(`What is my zebra called? ${SECRET_WORD}`, UNGATED)).results).toEqual([]);
  });

  it('also when the user says "forget that …" in a chat', async () => {
    const { memory, db } = setup();
    await memory.add(`I drive a car named ${SECRET_WORD}`, { userId: 'me' });
    expect((await memory.getAll(ALL)).results).toHaveLength(1);
    await memory.add(`Forget that I drive a car named ${SECRET_WORD}`, { userId: 'me' });
    expect((await memory.getAll(ALL)).results).toHaveLength(0);
    expect(await everything(db)).not.toContain(SECRET_WORD);
  });

  it('also for deleteAll and expired session memories', async () => {
    const { memory, db, advance } = setup();
    await memory.add(`I am testing ${SECRET_WORD} in this chat`, { userId: 'me', runId: 'chat-1', sessionTtlMs: 1000, infer: false });
    await memory.add(`My project is ${SECRET_WORD}`, { userId: 'me', space: 'work', infer: false });
    advance(2000);
    expect(await memory.sweepExpired()).toBe(1);
    await memory.deleteAll({ userId: 'me', filters: { space: 'work' } });
    expect(await everything(db)).not.toContain(SECRET_WORD);
  });
});

describe('the turn queue keeps no text it no longer needs', () => {
  it('keeps only the hash of a processed turn, so a redelivery is still a no-op', async () => {
    const { queue, db, memory } = setup();
    const t = turn(`I play the ${SECRET_WORD} drum`);
    await queue.enqueue(t);
    await queue.drain();
    expect(await everything(db)).toContain(SECRET_WORD); // the memory itself
    const jobs = await db.jobs.toArray();
    expect(jobs.map((j) => [j.status, j.text, j.replyTo])).toEqual([['done', '', null]]);
    expect(await queue.enqueue(t)).toBe(false);
    expect(await queue.confirm(t)).toBe(false);
    const [m] = (await memory.getAll(ALL)).results;
    await memory.delete(m!.id);
    expect(await everything(db)).not.toContain(SECRET_WORD);
  });

  it('bounds what it keeps of a huge message', async () => {
    const { queue, db } = setup();
    await queue.enqueue(turn(`I like tea. ${'x'.repeat(5_000_000)}`), { held: true });
    const [job] = await db.jobs.toArray();
    expect(job!.text.length).toBe(MAX_TURN_CHARS);
  });

  it('never processes a held turn whose send was not confirmed, and deletes it unread', async () => {
    const { queue, db, memory, advance } = setup();
    const unsent = turn(`I moved to ${SECRET_WORD}ville`);
    await queue.enqueue(unsent, { held: true });
    await queue.drain();
    expect((await memory.getAll(ALL)).results).toEqual([]);
    expect((await queue.stats()).held).toBe(1);
    advance(HELD_TTL_MS + 1);
    await queue.purge();
    expect(await db.jobs.count()).toBe(0);
    expect(await everything(db)).not.toContain(SECRET_WORD);
  });

  it('processes a held turn once its send is confirmed, even if the confirmation came first', async () => {
    const { queue, memory } = setup();
    const a = turn('I have a dog named Max');
    await queue.enqueue(a, { held: true });
    expect(await queue.confirm(a)).toBe(true);
    const b = turn('I work as a nurse', 'c2');
    expect(await queue.confirm(b)).toBe(true); // the capture was lost or is late
    expect(await queue.enqueue(b, { held: true })).toBe(false); // and then changes nothing
    await queue.drain();
    expect((await memory.getAll(ALL)).results.map((r) => r.memory).sort()).toEqual(['I have a dog named Max', 'I work as a nurse']);
  });

  it('withdraws a held turn whose send failed', async () => {
    const { queue, db } = setup();
    const t = turn(`I have a ${SECRET_WORD}`);
    await queue.enqueue(t, { held: true });
    expect(await queue.discard(t)).toBe(true);
    expect(await db.jobs.count()).toBe(0);
  });
});

describe('reset (Forget everything)', () => {
  it('clears every table and the index, queued and failed turns included', async () => {
    const { memory, queue, db, vectors } = setup();
    await queue.enqueue(turn(`My horse is called ${SECRET_WORD}`));
    await queue.drain();
    await queue.enqueue(turn(`I sent this while ${SECRET_WORD} slept`, 'c2'), { held: true });
    await db.jobs.add({ ...(await db.jobs.toArray())[0]!, seq: undefined, hash: 'failed-one', status: 'failed', text: `${SECRET_WORD} failed` });
    await vectors.save(embedder.modelId);
    expect(await everything(db)).toContain(SECRET_WORD);

    await memory.reset();

    for (const table of db.tables.filter((t) => t.name !== 'settings')) expect(await table.count(), table.name).toBe(0);
    expect(await everything(db)).not.toContain(SECRET_WORD);
    expect((await memory.search(`horse ${SECRET_WORD}`, UNGATED)).results).toEqual([]);
    // And Engram goes on working.
    await memory.add('I have a dog named Max', { userId: 'me' });
    expect((await memory.search('What is my dog called?', UNGATED)).results[0]?.memory).toBe('I have a dog named Max');
  });
});

describe('v3 → v4 migration', () => {
  it('removes the text of turns processed and memories deleted before forgetting was thorough', async () => {
    const indexedDB = new IDBFactory();
    const v3 = new Dexie('engram', { indexedDB, IDBKeyRange });
    v3.version(1).stores({ memories: 'id, site, conversationId, createdAt' });
    v3.version(2).stores({
      memories: 'id, &label, hash, userId, agentId, runId, space, site, conversationId, createdAt, updatedAt, expiresAt',
      vectors: '[model+memoryId], memoryId, model',
      history: '++id, memoryId, at',
      settings: 'key',
      snapshots: 'key',
    });
    v3.version(3).stores({ jobs: '++seq, &hash, status, nextAttemptAt, conversationId' });
    await v3.table('jobs').bulkAdd([
      { hash: 'h1', site: 'chatgpt', conversationId: 'c', text: 'my password is hunter2', replyTo: 'What is it?', sentAt: 1, status: 'done', attempts: 0, nextAttemptAt: 1, lastError: null, createdAt: 1, doneAt: 2, stored: 1 },
      { hash: 'h2', site: 'chatgpt', conversationId: 'c', text: 'I live in Oslo', sentAt: 3, status: 'pending', attempts: 0, nextAttemptAt: 3, lastError: null, createdAt: 3, doneAt: null, stored: 0 },
    ]);
    await v3.table('history').bulkAdd([
      { memoryId: 'gone', event: 'ADD', oldText: null, newText: 'my password is hunter2', at: 1 },
      { memoryId: 'gone', event: 'DELETE', oldText: 'my password is hunter2', newText: null, at: 2, reason: 'deleted by the user' },
    ]);
    v3.close();

    const db = new EngramDatabase('engram', { indexedDB, IDBKeyRange });
    expect(await everything(db)).not.toContain('hunter2');
    expect((await db.history.toArray()).map((h) => h.event)).toEqual(['ADD', 'DELETE']);
    expect((await db.jobs.toArray()).map((j) => j.text)).toEqual(['', 'I live in Oslo']); // a pending turn is still to be read
    db.close();
  });
});

describe('secrets stored before Engram recognised them', () => {
  it('are forgotten, text and all, by the next maintenance, once', async () => {
    const { memory, db, store, queue } = setup();
    // As an older version stored it: written past the engine's filter.
    await memory.add('I have a dog named Max', { userId: 'me', infer: false });
    const [dog] = (await memory.getAll(ALL)).results;
    const record = (await db.memories.get(dog!.id))!;
    await db.memories.put({ ...record, id: 'old', label: 999, hash: 'old', text: 'my password is hunter2' });
    await db.history.add({ memoryId: 'old', event: 'ADD', oldText: null, newText: 'my password is hunter2', at: 1 });
    const { maintain } = await import('../../src/background/maintenance');

    await maintain({ queue, memory, store });

    expect((await memory.getAll(ALL)).results.map((r) => r.memory)).toEqual(['I have a dog named Max']);
    expect(await everything(db)).not.toContain('hunter2');
    expect(await memory.forgetSecrets()).toBe(0);
  });
});

describe('the HNSW index of a forgotten memory', () => {
  it('keeps no trace of its vector, in memory or in its snapshot, and still finds the others', async () => {
    const { HnswIndex } = await import('../../src/adapters/hnsw-index');
    const random = (seed: number): Float32Array => {
      let s = seed;
      const v = Float32Array.from({ length: 32 }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const index = await HnswIndex.create(32, 64);
    for (let label = 1; label <= 40; label++) index.upsert(label, random(label));
    const forgotten = random(7);
    /** Whether `bytes` hold `vector` (as hnswlib stores it, float32), at any byte offset. */
    const holds = (bytes: Uint8Array, vector: Float32Array): boolean => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i + 4 * 8 <= bytes.length; i++) {
        let same = true;
        for (let d = 0; d < 8 && same; d++) same = Math.abs(view.getFloat32(i + 4 * d, true) - vector[d]!) < 1e-5;
        if (same) return true;
      }
      return false;
    };
    expect(holds(index.serialize(), forgotten)).toBe(true);

    index.remove(7);

    expect(holds(index.serialize(), forgotten)).toBe(false);
    expect(index.search(forgotten, 3).map((h) => h.label)).not.toContain(7);
    expect(index.search(random(12), 1)[0]?.label).toBe(12);
    index.upsert(7, random(70)); // a label can come back with a new vector
    expect(index.search(random(70), 1)[0]?.label).toBe(7);
  });
});

describe('the saved HNSW snapshot of a forgotten memory', () => {
  it('goes at once, and the next one saved is clean', async () => {
    const { memory, db, vectors, store } = setup();
    for (let i = 0; i < 310; i++) await memory.add(`I bought item number ${i} at the market`, { userId: 'me', infer: false });
    await memory.add(`My boat is called ${SECRET_WORD}`, { userId: 'me', infer: false });
    await memory.search('boat', { ...UNGATED, topK: 1 }); // builds the HNSW index
    await vectors.save(embedder.modelId);
    const key = `${embedder.modelId}:hnsw`;
    const saved = await store.getSnapshot(key);
    expect(saved).toBeDefined();
    const [vector] = await embedder.embedBatch([`My boat is called ${SECRET_WORD}`]);
    const holds = (bytes: Uint8Array): boolean => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const norm = Math.hypot(...vector!);
      for (let i = 0; i + 32 <= bytes.length; i++) {
        let same = true;
        for (let d = 0; d < 8 && same; d++) same = Math.abs(view.getFloat32(i + 4 * d, true) - vector![d]! / norm) < 1e-4;
        if (same) return true;
      }
      return false;
    };
    expect(holds(saved!.bytes)).toBe(true);

    const boat = (await memory.getAll(ALL)).results.find((r) => r.memory.includes(SECRET_WORD))!;
    await memory.delete(boat.id);
    expect(await store.getSnapshot(key)).toBeUndefined();
    await vectors.save(embedder.modelId);
    const next = await store.getSnapshot(key);
    expect(next).toBeDefined();
    expect(holds(next!.bytes)).toBe(false);
    expect(await db.memories.count()).toBe(310);
  });
});
