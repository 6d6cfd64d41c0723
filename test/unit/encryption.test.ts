// @vitest-environment node
/**
 * Encryption at rest (issue 16): with a passphrase set, nothing Engram stores is readable on disk
 * (every table and snapshot scanned byte by byte through a connection without the vault: the
 * settings too, a space's name and the memory manager's saved rows among them); locked, nothing is
 * recalled and captured turns wait, sealed, and a setting that is not needed while locked is
 * refused, that read only; a wrong passphrase changes nothing; a passphrase change stopped
 * half-way resumes in a new worker and loses nothing; turning it off leaves everything in clear
 * again; a profile an earlier version encrypted (its settings and space index in clear) is walked
 * again at the next unlock.
 */
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EngramDatabase } from '../../src/db/schema';
import { createEngine } from '../../src/engine/create-engine';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { DexieMemoryStore } from '../../src/adapters/dexie-store';
import { TurnQueue } from '../../src/background/turn-queue';
import { InjectionLog } from '../../src/background/injection-log';
import { Lock, memorySession, WrongPassphrase, type SessionPort } from '../../src/background/lock/lock';
import { readRetention, writeRetention } from '../../src/background/data/retention';
import { createMemoryManager } from '../../src/background/manager/manager';
import { HEAD_KEY, MemoryRows, ROWS_KEY } from '../../src/background/manager/memory-rows';
import { SPACES_KEY } from '../../src/background/manager/spaces';
import { decodeValue, encodeValue } from '../../src/crypto/codec';
import { decryptSecret, encryptSecret, openSealed, seal } from '../../src/crypto/envelope';
import { createGeneration, PBKDF2_ITERATIONS, unlockGeneration } from '../../src/crypto/keys';
import { CLEAR_SETTINGS, ENVELOPE_FIELD, KEYRING_KEY, KEYRING_LAYOUT, LockedError, Vault, type Keyring } from '../../src/crypto/vault';
import { factHash } from '../../src/pipeline/normalize';
import { readSavedFirstPage } from '../../src/db/saved-first-page';
import { ExtractionManager } from '../../src/background/extraction-manager';
import { ModelManager } from '../../src/background/model-manager';
import type { ChatModel } from '../../src/ports/chat-model';
import type { CapturedTurn } from '../../src/messaging/protocol';
import type { JsonValue } from '../../src/core/types';
import type { EngineWrite } from '../../src/engine/context';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

/** Low for speed here; one test below derives with the real count. */
const FAST = { iterations: 1000, minIterations: 1000 };
const PASS = 'correct horse battery';
const NEXT = 'staple tangerine orbit';

let dbCount = 0;

/** One profile: its IndexedDB, the browser session's storage, and as many workers as a test starts. */
function profile() {
  const factory = new IDBFactory();
  const name = `engram-enc-${++dbCount}`;
  let session: SessionPort & { state: unknown } = memorySession();
  const raws: EngramDatabase[] = [];
  let clock = Date.UTC(2026, 10, 30, 12);
  return {
    factory,
    name,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    /** A worker: the database with its lock, the engine, the queue, the log and the memory manager on it. */
    worker(options: { chunk?: number } = {}) {
      const db = new EngramDatabase(name, { indexedDB: factory, IDBKeyRange });
      // As the extension wires it (extension-engine.ts): locking makes the worker's caches stale.
      const lock = new Lock({ db, session, ...FAST, chunk: options.chunk ?? 3, now: () => clock, onLocked: () => store.invalidate() });
      const store = new DexieMemoryStore(db, { exclusive: true });
      // The memory manager's rows follow every write, as in the extension; saved when a test says.
      const rows = new MemoryRows(store, { saveDelayMs: null, onError: () => undefined });
      const onWrite = (change: EngineWrite): void => {
        rows.observe(change);
      };
      const engine = createEngine({ store, embedder, saveDelayMs: 10, now: () => clock, onWrite });
      const queue = new TurnQueue(new DexieTurnStore(db), engine.memory, { now: () => clock, schedule: () => undefined });
      const log = new InjectionLog(db);
      const manager = createMemoryManager({ ...engine, db, log, rows, ready: Promise.resolve(), now: () => clock });
      return { db, lock, ...engine, store, queue, log, rows, manager };
    },
    /** The browser closed: session storage is gone. */
    restartBrowser() {
      session = memorySession();
    },
    /** The database as it is on disk: a connection without the vault. */
    raw(): EngramDatabase {
      const db = new EngramDatabase(name, { indexedDB: factory, IDBKeyRange });
      raws.push(db);
      return db;
    },
    close() {
      for (const db of raws) db.close();
    },
  };
}

/** Every row of every table, as text; typed arrays (vectors, snapshots, envelopes) as their bytes. */
async function everything(db: Dexie): Promise<string> {
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

/** Every stored row's generation key id (null: in clear), by table; of the settings, those not kept in clear (nor cleared to null). */
async function keyIds(db: Dexie): Promise<Record<string, (number | null)[]>> {
  const out: Record<string, (number | null)[]> = {};
  for (const table of db.tables) {
    const rows = (await table.toArray()) as Record<string, unknown>[];
    out[table.name] = rows.filter((row) => table.name !== 'settings' || (!CLEAR_SETTINGS.has(String(row.key)) && row.value !== null)).map((row) => Vault.keyIdOf(row));
  }
  return out;
}

const ALL = { filters: { user_id: 'me' }, topK: 10_000 };
let sentAt = Date.UTC(2026, 10, 30, 11);
const turn = (text: string, extra: Partial<CapturedTurn> = {}): CapturedTurn => ({ site: 'chatgpt', conversationId: 'c1', text, sentAt: sentAt++, ...extra });

describe('the crypto parts', () => {
  it('encodes what IndexedDB would store, typed arrays as their bytes', () => {
    const value = { a: 'Zürich ✓', n: -1.5, b: true, z: null, u: undefined, list: [1, 'two', [3]], v: new Float32Array([0.25, -2]), i: new Uint32Array([7, 9]), d: new Date(5) };
    const back = decodeValue(encodeValue(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.v).toBeInstanceOf(Float32Array);
    expect(back.i).toBeInstanceOf(Uint32Array);
    expect(decodeValue(encodeValue('x'.repeat(100_000)))).toBe('x'.repeat(100_000));
  });

  it('AES-GCM envelopes carry their key id, a fresh IV each, and refuse another key, table or any change', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const other = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const plain = new TextEncoder().encode('I live in Lisbon');
    const a = await encryptSecret(key, 42, plain, 'memories');
    const b = await encryptSecret(key, 42, plain, 'memories');
    expect(a.slice(7, 19)).not.toEqual(b.slice(7, 19)); // a random 96-bit IV per value
    expect(new DataView(a.buffer).getUint32(3)).toBe(42);
    expect(new TextDecoder().decode(await decryptSecret(key, a, 'memories'))).toBe('I live in Lisbon');
    await expect(decryptSecret(other, a, 'memories')).rejects.toThrow();
    await expect(decryptSecret(key, a, 'history')).rejects.toThrow();
    const tampered = a.slice();
    tampered[tampered.length - 1]! ^= 1;
    await expect(decryptSecret(key, tampered, 'memories')).rejects.toThrow();
  });

  it('seals to a public key (ephemeral ECDH → AES-GCM) that only the private key opens', async () => {
    const { keys } = await createGeneration(PASS, FAST);
    const other = await createGeneration(PASS, FAST);
    const sealed = await seal(keys.publicKey, keys.id, new TextEncoder().encode('a turn'), 'jobs');
    expect(new TextDecoder().decode(await openSealed(keys.privateKey, sealed, 'jobs'))).toBe('a turn');
    await expect(openSealed(other.keys.privateKey, sealed, 'jobs')).rejects.toThrow();
  });

  it(`derives keys with PBKDF2-SHA-256 at ${PBKDF2_ITERATIONS.toLocaleString('en')} iterations by default, and tells a wrong passphrase`, async () => {
    const { record } = await createGeneration(PASS);
    expect(record).toMatchObject({ kdf: 'PBKDF2-SHA-256', iterations: PBKDF2_ITERATIONS });
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    await expect(unlockGeneration(record, 'not the passphrase')).rejects.toBeInstanceOf(WrongPassphrase);
    expect((await unlockGeneration(record, PASS)).id).toBe(record.id);
    // A record claiming fewer iterations (tampered with) is refused.
    await expect(unlockGeneration({ ...record, iterations: 1000 }, PASS)).rejects.toThrow(/not valid/);
  });
});

describe('encryption on', () => {
  it('leaves no text, vector or snapshot of anything written in clear in any table', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    const SECRET = 'Quokkazilla';
    // A turn through the queue (with the assistant's words as its context), a correction (history),
    // an injection, the recall image, the vector snapshot, and an HNSW-like snapshot.
    const told = turn(`I have a pet zebra named ${SECRET}`, { replyTo: `Tell me about ${SECRET}s!` });
    await w.queue.enqueue(told, { held: true });
    await w.queue.confirm(told);
    await w.queue.drain();
    const [first] = (await w.memory.getAll(ALL)).results;
    expect(first?.memory).toContain(SECRET);
    await w.memory.update(first!.id, `I have a pet zebra called ${SECRET}`);
    await w.memory.add(`My neighbour ${SECRET}son waters the plants`, { userId: 'me', infer: false });
    await w.log.record({ at: p.now(), site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id: first!.id, text: `I have a pet zebra called ${SECRET}` }] });
    expect(await w.memory.saveRecallImage()).toBe(true);
    await w.vectors.save(embedder.modelId);
    await w.store.putSnapshot({ key: `${embedder.modelId}:hnsw`, model: embedder.modelId, kind: 'hnsw', revision: 1, dimensions: 3, bytes: new TextEncoder().encode(`graph of ${SECRET}`), savedAt: 1 });
    // A space the user named (the settings' list of spaces), a memory in a space under it (the
    // memories' space index), and the memory manager's rows saved for the next worker (spaces,
    // sites and categories of every memory), all with another unique string.
    const SPACE = 'Vexillarium';
    await w.manager.createSpace(SPACE);
    await w.memory.add('I keep my passport in the top drawer', { userId: 'me', infer: false, space: `${SPACE}/trips` });
    await w.rows.rows();
    expect(await w.rows.save()).toBe(true);
    // The popup's own read of the first page (no key there) stands aside: the worker answers, decrypted.
    expect(await readSavedFirstPage({ indexedDB: p.factory, name: p.name, limit: 100, now: p.now() })).toBeNull();
    expect((await w.manager.page({ filter: {}, offset: 0, limit: 100 })).items.map((m) => m.text)).toContain('I keep my passport in the top drawer');
    await w.store.setSetting('retention', { unusedDays: 30 });
    // A turn waiting (not yet processed) and one captured while locked.
    await w.queue.enqueue(turn(`${SECRET} likes carrots`), { held: true });
    await w.lock.lock();
    await w.queue.enqueue(turn(`${SECRET} hates rain`), { held: true });

    const raw = p.raw();
    const disk = await everything(raw);
    expect(disk).not.toContain(SECRET);
    expect(disk).not.toContain(SECRET.toLowerCase());
    expect(disk).not.toContain(SPACE);
    expect(disk).not.toContain(SPACE.toLowerCase());
    expect(disk).not.toContain('trips');
    // The settings that hold it are there, encrypted: a value each, bound to its key.
    for (const key of [SPACES_KEY, ROWS_KEY, HEAD_KEY, 'retention', 'nextLabel']) {
      const row = (await raw.settings.get(key)) as Record<string, unknown> | undefined;
      expect(row, key).toBeDefined();
      expect(row, key).not.toHaveProperty('value');
      expect(row?.[ENVELOPE_FIELD], key).toBeInstanceOf(Uint8Array);
    }
    // The space index holds an HMAC per level of the path, not its names.
    const filed = (await raw.memories.toArray()).map((m) => m.space).filter((space) => space !== null);
    expect(filed).toEqual([expect.stringMatching(/^p1[0-9a-f]{32}\/[0-9a-f]{32}$/)]);
    // The memories' hash index holds an HMAC, not the guessable hash of the fact.
    const rawMemories = await raw.memories.toArray();
    for (const m of rawMemories) {
      expect(m.hash).toMatch(/^m1[0-9a-f]{32}$/);
      expect(m).not.toHaveProperty('text');
      expect(m[ENVELOPE_FIELD as keyof typeof m]).toBeInstanceOf(Uint8Array);
    }
    // No vector's bytes are on disk: neither in the vectors table nor in any snapshot.
    await w.lock.unlock(PASS);
    const vectors = await w.store.vectors(embedder.modelId);
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const bytes = Buffer.from(v.vector.buffer, v.vector.byteOffset, v.vector.byteLength).toString('latin1');
      expect(disk.includes(bytes.slice(0, 64))).toBe(false);
    }
    // Every table but the settings holds envelopes only.
    for (const [table, ids] of Object.entries(await keyIds(raw))) {
      for (const id of ids) expect(id, table).not.toBeNull();
    }
    // …and through the vault, everything reads as it was written.
    const texts = (await w.memory.getAll(ALL)).results.map((m) => m.memory);
    expect(texts).toEqual(expect.arrayContaining([`I have a pet zebra called ${SECRET}`, `My neighbour ${SECRET}son waters the plants`]));
    const history = await w.memory.history(first!.id);
    expect(history.map((h) => h.new_value)).toContain(`I have a pet zebra called ${SECRET}`);
    expect((await w.log.list())[0]?.memories[0]?.text).toContain(SECRET);
    const recalled = await w.memory.recall('what is my zebra called?', { filters: { user_id: 'me' } });
    expect(recalled.memories.map((m) => m.line).join(' ')).toContain(SECRET);
    // The memory is found by its fact's hash (the HMAC'd index), so the same fact is stored once.
    expect(await w.store.byHash(factHash(`I have a pet zebra called ${SECRET}`, { userId: 'me', agentId: null, runId: null, space: null }))).toBeDefined();
    const count = await w.store.count();
    await w.memory.add(`My neighbour ${SECRET}son waters the plants`, { userId: 'me', infer: false });
    expect(await w.store.count()).toBe(count);
    // The spaces read back, and a space and what is under it are found by the HMAC'd index: renamed,
    // the memory follows, and the new name is nowhere on disk either.
    expect(await w.store.getSetting('retention')).toEqual({ unusedDays: 30 });
    expect(await w.manager.listSpaces()).toEqual([
      { path: SPACE, memories: 0 },
      { path: `${SPACE}/trips`, memories: 1 },
    ]);
    const RENAMED = 'Quillonbury';
    await w.manager.renameSpace({ from: SPACE, to: RENAMED });
    expect((await w.memory.getAll(ALL)).results.find((m) => m.memory.includes('passport'))?.space).toBe(`${RENAMED}/trips`);
    expect((await w.manager.listSpaces()).map((s) => s.path)).toEqual([RENAMED, `${RENAMED}/trips`]);
    await w.rows.rows();
    await w.rows.save();
    const renamed = await everything(p.raw());
    expect(renamed).not.toContain(RENAMED);
    expect(renamed).not.toContain(SPACE);
    await w.manager.deleteSpace(RENAMED);
    expect((await w.memory.getAll(ALL)).results.find((m) => m.memory.includes('passport'))?.space).toBeNull();
    p.close();
  });

  it('still forgets, purges and withdraws through encrypted rows (cursors, anyOf, modify)', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    const { results } = await w.memory.add('My locker code is behind the blue door', { userId: 'me', infer: false });
    const id = results[0]!.id;
    await w.memory.update(id, 'My locker is behind the blue door');
    await w.log.record({ at: p.now(), site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id, text: 'My locker is behind the blue door' }] });
    await w.memory.delete(id);
    await w.log.forget([id]);
    expect((await w.memory.history(id)).every((h) => h.previous_value === null && h.new_value === null)).toBe(true);
    expect((await w.log.list())[0]?.memories[0]?.text).toBeNull();
    // A held turn withdrawn, an old held one purged: both found by their clear fields and filters.
    const withdrawn = turn('I am flying to Oslo');
    await w.queue.enqueue(withdrawn, { held: true });
    expect(await w.queue.discard(withdrawn)).toBe(true);
    await w.queue.enqueue(turn('I am flying to Rome'), { held: true });
    p.advance(60 * 60_000);
    expect(await w.queue.purge()).toBe(1);
    const disk = await everything(p.raw());
    expect(disk).not.toContain('blue door');
    expect((await p.raw().jobs.count())).toBe(0);
    p.close();
  });

  it('reads the memories in id-ordered slices (the manager\u2019s search texts) decrypted, and only while unlocked', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    const texts = ['I keep bees on the roof', 'My aunt Odile lives in Nantes', 'I collect old maps'];
    for (const text of texts) await w.memory.add(text, { userId: 'me', infer: false });
    const first = await w.store.listAfter(null, 2);
    const rest = await w.store.listAfter(first[1]!.id, 2);
    expect(first.map((m) => m.id)).toEqual([...first.map((m) => m.id)].sort());
    expect([...first, ...rest].map((m) => m.text).sort()).toEqual([...texts].sort());
    expect(await everything(p.raw())).not.toContain('Odile');
    await w.lock.lock();
    await expect(w.store.listAfter(null, 2)).rejects.toThrow();
    p.close();
  });

  it('keeps one transaction across its crypto: a failing write leaves nothing behind', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    const { db } = w;
    await db.transaction('rw', [db.history, db.injections], async () => {
      const outer = Dexie.currentTransaction;
      await db.history.add({ memoryId: 'm1', event: 'ADD', oldText: null, newText: 'one', at: 1 });
      expect(Dexie.currentTransaction).toBe(outer);
      const read = await db.history.where('memoryId').equals('m1').toArray();
      expect(read[0]?.newText).toBe('one');
      await db.history.where('memoryId').equals('m1').modify((h) => {
        h.newText = 'two';
      });
      expect(Dexie.currentTransaction).toBe(outer);
      await db.injections.add({ at: 1, site: 'chatgpt', conversationId: 'c', mode: 'automatic', memories: [{ id: 'm1', text: 'two' }], memoryIds: ['m1'] });
    });
    expect((await db.history.toArray()).map((h) => h.newText)).toEqual(['two']);
    await expect(
      db.transaction('rw', [db.history], async () => {
        await db.history.add({ memoryId: 'm2', event: 'ADD', oldText: null, newText: 'three', at: 2 });
        await db.history.where('memoryId').equals('m2').toArray();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.history.toArray()).map((h) => h.newText)).toEqual(['two']);
    // Cursors (a filter), reverse order with a limit, counts: all decrypted on the way.
    expect(await db.history.filter((h) => h.newText === 'two').count()).toBe(1);
    expect((await db.injections.orderBy('at').reverse().limit(1).toArray())[0]?.memories[0]?.text).toBe('two');
    const each: string[] = [];
    await db.history.each((h) => void each.push(h.newText ?? ''));
    expect(each).toEqual(['two']);
    p.close();
  });
});

describe('locked', () => {
  it('recalls nothing (the background says locked), and processes the turns captured meanwhile after the unlock', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    await w.memory.add('I live in Lisbon', { userId: 'me', infer: false });
    expect(await w.lock.gate()).toBe(false);
    await w.lock.lock();
    expect(await w.lock.gate()).toBe(true);
    expect((await w.lock.status()).locked).toBe(true);
    // Nothing reads the memories while locked, not even from the worker's caches.
    await expect(w.memory.getAll(ALL)).rejects.toBeInstanceOf(LockedError);
    await expect(w.memory.recall('where do I live?', { filters: { user_id: 'me' } })).rejects.toBeInstanceOf(LockedError);

    // The background's recall answers "locked" with no memories.
    const answer = await recallThroughBackground(w, 'where do I live?');
    expect(answer).toEqual({ memories: [], locked: true });

    // A turn sent while locked is queued (sealed to the public key), confirmed, and waits.
    const sent = turn('My favourite colour is teal');
    expect(await w.queue.enqueue(sent, { held: true })).toBe(true);
    expect(await w.queue.enqueue(sent, { held: true })).toBe(false); // the same capture once
    expect(await w.queue.confirm(sent)).toBe(true);
    await w.queue.drain();
    expect((await w.queue.stats()).pending).toBe(1);
    expect(await everything(p.raw())).not.toContain('teal');

    // A new worker (the browser stopped this one) is still locked and still processes nothing.
    const w2 = p.worker();
    expect(await w2.lock.gate()).toBe(true);
    await w2.queue.drain();
    expect((await w2.queue.stats()).pending).toBe(1);
    await expect(w2.lock.unlock('wrong passphrase')).rejects.toBeInstanceOf(WrongPassphrase);
    await w2.lock.unlock(PASS);
    await w2.queue.drain();
    expect((await w2.queue.stats()).pending).toBe(0);
    expect((await w2.memory.getAll(ALL)).results.map((m) => m.memory)).toEqual(expect.arrayContaining(['I live in Lisbon', 'My favourite colour is teal']));
    expect((await recallThroughBackground(w2, 'where do I live?')).memories.map((m) => m.text).join(' ')).toContain('Lisbon');
    p.close();
  });

  it('locks after the idle time the user chose, and when the browser closes', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS, 15);
    await w.lock.settle();
    p.advance(10 * 60_000);
    expect(await w.lock.gate()).toBe(false); // a use: the idle lock moves on
    p.advance(10 * 60_000);
    await w.lock.idle();
    expect((await w.lock.status()).locked).toBe(false);
    p.advance(16 * 60_000);
    await w.lock.idle();
    expect((await w.lock.status()).locked).toBe(true);

    await w.lock.unlock(PASS);
    await w.lock.setLockAfter(0); // only when the browser closes
    p.advance(7 * 24 * 60 * 60_000);
    await w.lock.idle();
    expect((await w.lock.status()).locked).toBe(false);
    // A restarted worker in the same browser session: still unlocked; after a browser restart: locked.
    expect((await p.worker().lock.status()).locked).toBe(false);
    p.restartBrowser();
    expect((await p.worker().lock.status()).locked).toBe(true);
    p.close();
  });
});

describe('the settings, locked', () => {
  it('keep in clear only what is needed while locked; any other setting is refused, that read only, and nothing is lost', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    await w.memory.add('I collect vinyl records', { userId: 'me', infer: false });
    await w.manager.createSpace('Hobbies');
    await writeRetention(w.store, { unusedDays: 90 });
    await w.store.setSetting('activeModel', embedder.modelId);
    await w.store.setSetting('extractionChoice', { kind: 'local', baseUrl: 'http://127.0.0.1:11434', model: 'llama3' });
    const raw = p.raw();
    const stored = (await raw.settings.toArray()) as unknown as Record<string, unknown>[];
    expect(stored.map((r) => r.key)).toEqual(expect.arrayContaining([KEYRING_KEY, 'revision', 'nextLabel', SPACES_KEY, 'retention', 'activeModel', 'extractionChoice']));
    // Exactly the allowlist is in clear.
    for (const row of stored) expect(row[ENVELOPE_FIELD] === undefined, String(row.key)).toBe(CLEAR_SETTINGS.has(String(row.key)));
    const sealed = async () => JSON.stringify(((await raw.settings.toArray()) as unknown as Record<string, unknown>[]).filter((r) => !CLEAR_SETTINGS.has(String(r.key))), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    await w.lock.lock();
    const before = await sealed();

    // What the lock, the store's caches, the model manager and the extraction manager need while
    // locked (a worker started after a browser restart is locked) is read, and written.
    expect(await w.store.revision()).toBeGreaterThan(0);
    await w.store.invalidate();
    const models = new ModelManager({ memory: w.memory, store: w.store, consent: { granted: () => Promise.resolve(true) }, hubOrigins: [], createEmbedder: () => embedder });
    expect(await models.chosen()).toBe(embedder.modelId);
    const chat: ChatModel = { chat: { completions: { create: () => Promise.resolve({ choices: [{ message: { content: '{}' }, finish_reason: 'stop' }] }) } } };
    const extraction = new ExtractionManager({
      memory: w.memory,
      store: w.store,
      consent: { granted: () => Promise.resolve(true) },
      webllmOrigins: [],
      localOrigins: [],
      webgpu: () => Promise.resolve({ supported: false, reason: 'none in Node' }),
      loadWebLlm: () => Promise.reject(new Error('no WebLLM here')),
      cachedModels: () => Promise.resolve([]),
      deleteCachedModel: () => Promise.resolve(),
      localServer: () => chat,
    });
    await extraction.restore();
    expect(w.memory.extractorName).toBe('local-server:llama3');
    await extraction.disable(); // written while locked
    expect(await w.store.getSetting('extractionChoice')).toBeNull();

    // Anything else is a LockedError for that read or write only: the caller says "locked".
    await expect(w.store.getSetting(SPACES_KEY)).rejects.toBeInstanceOf(LockedError);
    await expect(readRetention(w.store)).rejects.toBeInstanceOf(LockedError);
    await expect(w.manager.listSpaces()).rejects.toBeInstanceOf(LockedError);
    await expect(w.db.settings.toArray()).rejects.toBeInstanceOf(LockedError);
    await expect(w.store.setSetting(SPACES_KEY, ['Intruders'])).rejects.toBeInstanceOf(LockedError);
    await expect(writeRetention(w.store, { unusedDays: 7 })).rejects.toBeInstanceOf(LockedError);
    await expect(w.store.allocateLabels(1)).rejects.toBeInstanceOf(LockedError);
    expect(await sealed()).toBe(before);
    // Clearing a setting hides nothing and works: forgetting everything drops the manager's saved rows.
    await w.manager.forgetAll();
    expect(await raw.settings.get(ROWS_KEY)).toEqual({ key: ROWS_KEY, value: null });

    // A new worker after a browser restart: locked, and everything is there once unlocked.
    p.restartBrowser();
    const w2 = p.worker();
    expect(await w2.lock.gate()).toBe(true);
    expect(await w2.store.getSetting('activeModel')).toBe(embedder.modelId);
    await w2.lock.unlock(PASS);
    expect(await w2.manager.listSpaces()).toEqual([{ path: 'Hobbies', memories: 0 }]);
    expect(await readRetention(w2.store)).toEqual({ unusedDays: 90 });
    expect((await w2.memory.getAll(ALL)).results.map((m) => m.memory)).toEqual(['I collect vinyl records']);

    // A value is bound to its key: moved to another setting, it does not open.
    const spaces = (await raw.settings.get(SPACES_KEY)) as unknown as Record<string, unknown>;
    await raw.settings.put({ key: 'retention', [ENVELOPE_FIELD]: spaces[ENVELOPE_FIELD] } as never);
    await expect(w2.store.getSetting('retention')).rejects.toThrow();
    expect(await w2.store.getSetting(SPACES_KEY)).toEqual(['Hobbies']);
    p.close();
  });
});

/** The background's recall handler, as a content script on chatgpt.com would reach it. */
async function recallThroughBackground(w: ReturnType<ReturnType<typeof profile>['worker']>, query: string) {
  vi.resetModules();
  const listeners = new Map<string, (message: { data: unknown; sender: unknown }) => unknown>();
  vi.doMock('../../src/messaging/protocol', async (importOriginal) => ({
    ...(await importOriginal<typeof import('../../src/messaging/protocol')>()),
    onMessage: (type: string, listener: (message: { data: unknown; sender: unknown }) => unknown) => {
      listeners.set(type, listener);
      return () => listeners.delete(type);
    },
  }));
  const { registerHandlers } = await import('../../src/background/register-handlers');
  const { parseControl } = await import('../../src/core/control');
  const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
  registerHandlers({ memory: w.memory, lock: w.lock, ready: Promise.resolve(), embedder, control: () => Promise.resolve(parseControl({ mode: 'automatic' })) } as never, {
    extension: EXT,
    sites: [{ site: 'chatgpt', matches: ['https://chatgpt.com/*'] }],
  });
  const answer = await listeners.get('recall')!({ data: { site: 'chatgpt', query }, sender: { id: EXT.id, url: 'https://chatgpt.com/c/1', tab: { id: 1 }, frameId: 0 } });
  vi.doUnmock('../../src/messaging/protocol');
  return answer as { memories: { id: string; text: string }[]; locked?: boolean };
}

describe('the passphrase', () => {
  it('a wrong one is told clearly and changes nothing', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    await w.memory.add('I work at Atlas Corp', { userId: 'me', infer: false });
    const before = await everything(p.raw());
    await expect(w.lock.changePassphrase('wrong one!', NEXT)).rejects.toThrow(/does not unlock Engram. Nothing was changed/);
    await expect(w.lock.disable('wrong one!')).rejects.toBeInstanceOf(WrongPassphrase);
    expect(await everything(p.raw())).toBe(before);
    expect(await w.lock.status()).toMatchObject({ state: 'on', locked: false });
    await w.lock.lock();
    const locked = await everything(p.raw());
    await expect(w.lock.unlock('wrong one!')).rejects.toBeInstanceOf(WrongPassphrase);
    expect(await everything(p.raw())).toBe(locked);
    expect((await w.lock.status()).locked).toBe(true);
    await w.lock.unlock(PASS);
    expect((await w.memory.getAll(ALL)).results.map((m) => m.memory)).toEqual(['I work at Atlas Corp']);
    p.close();
  });

  it('a change stopped half-way (the worker killed) resumes in the next worker and loses nothing', async () => {
    const p = profile();
    const w = p.worker({ chunk: 2 });
    await w.lock.enable(PASS);
    await w.lock.settle();
    const facts = Array.from({ length: 12 }, (_, i) => `My colleague number ${i} is called Person${i}`);
    for (const fact of facts) await w.memory.add(fact, { userId: 'me', infer: false });
    await w.memory.update((await w.memory.getAll(ALL)).results[0]!.id, 'My colleague number 0 is called Personzero');
    await w.memory.saveRecallImage();
    // Settings are re-encrypted too (keyIds counts those not kept in clear).
    await w.manager.createSpace('Orchestra');
    await w.memory.add('I play second violin', { userId: 'me', infer: false, space: 'Orchestra' });
    facts.push('I play second violin');
    await w.rows.rows();
    await w.rows.save();
    const first = (await p.raw().table('settings').get(KEYRING_KEY) as { value: Keyring }).value.current!.id;

    w.lock.haltAfterChunks = 3; // as if the worker were stopped after 3 chunks
    await w.lock.changePassphrase(PASS, NEXT);
    await w.lock.settle();
    const mid = await keyIds(p.raw());
    const ring = (await p.raw().table('settings').get(KEYRING_KEY) as { value: Keyring }).value;
    expect(ring.state).toBe('rotating');
    const next = ring.current!.id;
    const all = Object.values(mid).flat();
    expect(all).toContain(first); // half-way: both generations on disk
    expect(all).toContain(next);
    // Half-way, a space is still renamed with its memory (rows under both keys are found).
    await w.manager.renameSpace({ from: 'Orchestra', to: 'Ensemble' });
    expect(await w.manager.listSpaces()).toEqual([{ path: 'Ensemble', memories: 1 }]);

    // The browser closed too: the next worker is locked, and only the NEW passphrase opens it.
    p.restartBrowser();
    const w2 = p.worker({ chunk: 2 });
    expect((await w2.lock.status())).toMatchObject({ state: 'rotating', locked: true });
    await expect(w2.lock.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphrase);
    await w2.lock.unlock(NEXT);
    // Readable at once, half-way or not…
    const texts = (await w2.memory.getAll(ALL)).results.map((m) => m.memory).sort();
    expect(texts).toEqual([...facts.slice(1), 'My colleague number 0 is called Personzero'].sort());
    // …and the change finishes by itself.
    await w2.lock.settle();
    expect((await w2.lock.status()).state).toBe('on');
    const done = await keyIds(p.raw());
    expect(done.settings?.length).toBeGreaterThanOrEqual(4); // nextLabel, spaces, managerRows, managerHead
    for (const [table, ids] of Object.entries(done)) for (const id of ids) expect(id, table).toBe(next);
    expect((await p.raw().table('settings').get(KEYRING_KEY) as { value: Keyring }).value).toMatchObject({ state: 'on', previous: null, layout: KEYRING_LAYOUT });
    expect((await w2.memory.getAll(ALL)).results).toHaveLength(13);
    expect(await w2.manager.listSpaces()).toEqual([{ path: 'Ensemble', memories: 1 }]);
    expect(await everything(p.raw())).not.toContain('Orchestra');
    expect(await everything(p.raw())).not.toContain('Ensemble');
    expect((await w2.memory.history((await w2.memory.getAll(ALL)).results.find((m) => m.memory.endsWith('Personzero'))!.id)).length).toBe(2);
    await w2.lock.lock();
    await expect(w2.lock.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphrase);
    p.close();
  });

  it('a change killed half-way within the browser session resumes unlocked in the next worker', async () => {
    const p = profile();
    const w = p.worker({ chunk: 1 });
    await w.lock.enable(PASS);
    await w.lock.settle();
    for (let i = 0; i < 6; i++) await w.memory.add(`I visited city number ${i} last year`, { userId: 'me', infer: false });
    w.lock.haltAfterChunks = 4;
    await w.lock.changePassphrase(PASS, NEXT);
    await w.lock.settle();
    const w2 = p.worker({ chunk: 1 });
    expect((await w2.lock.status()).locked).toBe(false);
    await vi.waitFor(async () => {
      expect((await w2.lock.status()).state).toBe('on');
    });
    expect((await w2.memory.getAll(ALL)).results).toHaveLength(6);
    p.close();
  });

  it('turning encryption off decrypts everything, and the keys are gone', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    await w.memory.add('My sister is called Ingrid', { userId: 'me', infer: false, space: 'Family' });
    await w.manager.createSpace('Gardening');
    await w.queue.enqueue(turn('I play the cello'), { held: true });
    await w.lock.disable(PASS);
    await w.lock.settle();
    expect(await w.lock.status()).toMatchObject({ state: 'off', locked: false });
    const raw = p.raw();
    expect(await raw.table('settings').get(KEYRING_KEY)).toBeUndefined();
    for (const [table, ids] of Object.entries(await keyIds(raw))) for (const id of ids) expect(id, table).toBeNull();
    const disk = await everything(raw);
    expect(disk).toContain('My sister is called Ingrid');
    expect(disk).toContain('I play the cello');
    expect((await raw.memories.toArray())[0]).toMatchObject({ hash: factHash('My sister is called Ingrid', { userId: 'me', agentId: null, runId: null, space: 'Family' }), space: 'Family' });
    expect(await raw.settings.get(SPACES_KEY)).toEqual({ key: SPACES_KEY, value: ['Gardening'] });
    expect((await w.manager.listSpaces()).map((s) => s.path)).toEqual(['Family', 'Gardening']);
    p.close();
  });
});

describe('a profile an earlier version encrypted', () => {
  it('is walked again at its next unlock: settings and space names it left in clear are encrypted, and nothing is lost', async () => {
    const p = profile();
    const w = p.worker();
    await w.lock.enable(PASS);
    await w.lock.settle();
    await w.memory.add('I sing in a choir', { userId: 'me', infer: false });
    // What an earlier version left: a keyring without a layout, a space the user named and a
    // memory filed in it, in clear (the settings and the space index were not encrypted then).
    const raw = p.raw();
    const { layout, ...legacy } = ((await raw.table('settings').get(KEYRING_KEY)) as { value: Keyring }).value;
    expect(layout).toBe(KEYRING_LAYOUT);
    await raw.settings.put({ key: KEYRING_KEY, value: legacy as unknown as JsonValue });
    await raw.settings.put({ key: SPACES_KEY, value: ['Madrigals'] });
    const scope = { userId: 'me', agentId: null, runId: null, space: 'Madrigals/spring' };
    const at = p.now();
    await raw.memories.put({ id: 'legacy-1', label: 9999, text: 'I sing the alto part', hash: factHash('I sing the alto part', scope), ...scope, site: null, conversationId: null, sourceTurnIds: [], saidAt: at, categories: [], metadata: {}, createdAt: at, updatedAt: at, expiresAt: null });
    expect(await everything(raw)).toContain('Madrigals');

    // The browser restarts; the first unlock walks everything again, and the change shows as such.
    p.restartBrowser();
    const w2 = p.worker();
    expect((await w2.lock.status()).locked).toBe(true);
    const unlocked = await w2.lock.unlock(PASS);
    expect(unlocked.state).toBe('enabling');
    // Readable meanwhile, and found by the space index.
    expect((await w2.manager.listSpaces()).map((s) => s.path)).toEqual(['Madrigals', 'Madrigals/spring']);
    await w2.lock.settle();
    expect(await w2.lock.status()).toMatchObject({ state: 'on', locked: false });
    expect(((await raw.table('settings').get(KEYRING_KEY)) as { value: Keyring }).value.layout).toBe(KEYRING_LAYOUT);
    const disk = await everything(raw);
    expect(disk).not.toContain('Madrigals');
    expect(disk).not.toContain('alto part');
    for (const [table, ids] of Object.entries(await keyIds(raw))) for (const id of ids) expect(id, table).not.toBeNull();
    expect((await w2.memory.getAll(ALL)).results.map((m) => m.memory).sort()).toEqual(['I sing in a choir', 'I sing the alto part']);
    expect(await w2.manager.listSpaces()).toEqual([
      { path: 'Madrigals', memories: 0 },
      { path: 'Madrigals/spring', memories: 1 },
    ]);
    await w2.manager.renameSpace({ from: 'Madrigals', to: 'Motets' });
    expect((await w2.store.get('legacy-1'))?.space).toBe('Motets/spring');
    p.close();
  });

  it('starts a change it began again from the first row, so tables it had passed are covered too', async () => {
    const p = profile();
    const w = p.worker({ chunk: 1 });
    await w.lock.enable(PASS);
    await w.lock.settle();
    for (let i = 0; i < 3; i++) await w.memory.add(`I read book number ${i} this summer`, { userId: 'me', infer: false });
    w.lock.haltAfterChunks = 2;
    await w.lock.changePassphrase(PASS, NEXT);
    await w.lock.settle();
    // As an earlier version would have left it: no layout, the memories' table passed, and a
    // memory there with its space in clear.
    const raw = p.raw();
    const ring = ((await raw.table('settings').get(KEYRING_KEY)) as { value: Keyring }).value;
    expect(ring.state).toBe('rotating');
    const { layout: _layout, ...legacy } = { ...ring, progress: { ...ring.progress, memories: true } };
    await raw.settings.put({ key: KEYRING_KEY, value: legacy as unknown as JsonValue });
    const scope = { userId: 'me', agentId: null, runId: null, space: 'Sonnets' };
    await raw.memories.put({ id: 'legacy-2', label: 9998, text: 'I learn a sonnet a week', hash: factHash('I learn a sonnet a week', scope), ...scope, site: null, conversationId: null, sourceTurnIds: [], saidAt: 1, categories: [], metadata: {}, createdAt: 1, updatedAt: 1, expiresAt: null });

    // The next worker (same browser session: unlocked) starts the change again, and finishes it.
    const w2 = p.worker({ chunk: 1 });
    await vi.waitFor(async () => {
      expect(await w2.lock.status()).toMatchObject({ state: 'on', migrating: false });
    });
    expect(((await raw.table('settings').get(KEYRING_KEY)) as { value: Keyring }).value).toMatchObject({ state: 'on', previous: null, layout: KEYRING_LAYOUT });
    const next = ((await raw.table('settings').get(KEYRING_KEY)) as { value: Keyring }).value.current!.id;
    for (const [table, ids] of Object.entries(await keyIds(raw))) for (const id of ids) expect(id, table).toBe(next);
    expect(await everything(raw)).not.toContain('Sonnets');
    expect(await w2.manager.listSpaces()).toEqual([{ path: 'Sonnets', memories: 1 }]);
    expect((await w2.memory.getAll(ALL)).results).toHaveLength(4);
    p.close();
  });
});
