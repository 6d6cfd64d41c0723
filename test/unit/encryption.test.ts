// @vitest-environment node
/**
 * Encryption at rest (issue 16): with a passphrase set, nothing Engram stores is readable on disk
 * (every table and snapshot scanned byte by byte through a connection without the vault); locked,
 * nothing is recalled and captured turns wait, sealed; a wrong passphrase changes nothing; a
 * passphrase change stopped half-way resumes in a new worker and loses nothing; turning it off
 * leaves everything in clear again.
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
import { decodeValue, encodeValue } from '../../src/crypto/codec';
import { decryptSecret, encryptSecret, openSealed, seal } from '../../src/crypto/envelope';
import { createGeneration, PBKDF2_ITERATIONS, unlockGeneration } from '../../src/crypto/keys';
import { ENVELOPE_FIELD, KEYRING_KEY, LockedError, Vault, type Keyring } from '../../src/crypto/vault';
import { factHash } from '../../src/pipeline/normalize';
import type { CapturedTurn } from '../../src/messaging/protocol';
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
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    /** A worker: the database with its lock, the engine, the queue and the log on it. */
    worker(options: { chunk?: number } = {}) {
      const db = new EngramDatabase(name, { indexedDB: factory, IDBKeyRange });
      // As the extension wires it (extension-engine.ts): locking makes the worker's caches stale.
      const lock = new Lock({ db, session, ...FAST, chunk: options.chunk ?? 3, now: () => clock, onLocked: () => store.invalidate() });
      const store = new DexieMemoryStore(db, { exclusive: true });
      const engine = createEngine({ store, embedder, saveDelayMs: 10, now: () => clock });
      const queue = new TurnQueue(new DexieTurnStore(db), engine.memory, { now: () => clock, schedule: () => undefined });
      return { db, lock, ...engine, queue, log: new InjectionLog(db) };
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

/** Every stored row's generation key id (null: in clear), by table. */
async function keyIds(db: Dexie): Promise<Record<string, (number | null)[]>> {
  const out: Record<string, (number | null)[]> = {};
  for (const table of db.tables) {
    if (table.name === 'settings') continue;
    out[table.name] = (await table.toArray()).map((row) => Vault.keyIdOf(row));
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
    // A turn waiting (not yet processed) and one captured while locked.
    await w.queue.enqueue(turn(`${SECRET} likes carrots`), { held: true });
    await w.lock.lock();
    await w.queue.enqueue(turn(`${SECRET} hates rain`), { held: true });

    const raw = p.raw();
    const disk = await everything(raw);
    expect(disk).not.toContain(SECRET);
    expect(disk).not.toContain(SECRET.toLowerCase());
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
    for (const [table, ids] of Object.entries(await keyIds(p.raw()))) for (const id of ids) expect(id, table).toBe(next);
    expect((await p.raw().table('settings').get(KEYRING_KEY) as { value: Keyring }).value).toMatchObject({ state: 'on', previous: null });
    expect((await w2.memory.getAll(ALL)).results).toHaveLength(12);
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
    await w.memory.add('My sister is called Ingrid', { userId: 'me', infer: false });
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
    expect((await raw.memories.toArray())[0]?.hash).toBe(factHash('My sister is called Ingrid', { userId: 'me', agentId: null, runId: null, space: null }));
    p.close();
  });
});
