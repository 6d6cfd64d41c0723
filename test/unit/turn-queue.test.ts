// @vitest-environment node
/**
 * The durable pipeline: captured turns are stored before anything happens, processed in order
 * per conversation, retried with backoff, processed once per capture, and resumed by a new
 * service worker (a new queue on the same database).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DONE_TTL_MS, HELD_TTL_MS, MAX_ATTEMPTS, TurnQueue } from '../../src/background/turn-queue';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import type { TurnJob } from '../../src/core/turns';
import { DEFAULT_USER } from '../../src/core/types';
import type { EngramDatabase } from '../../src/db/schema';
import type { StoredTurnJob, TurnFailure, TurnStore } from '../../src/ports/turn-store';
import { MAX_REPLY_TO_CHARS, type CapturedTurn } from '../../src/messaging/protocol';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

let t = Date.UTC(2026, 10, 23, 12);
const turn = (text: string, conversationId = 'c1'): CapturedTurn => ({ site: 'chatgpt', conversationId, text, sentAt: t++ });

function setup() {
  let clock = Date.UTC(2026, 10, 23, 13);
  const engine = testEngine({ embedder, now: () => clock });
  const scheduled: number[] = [];
  const queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, {
    now: () => clock,
    schedule: (ms) => scheduled.push(ms),
  });
  return { ...engine, queue, scheduled, advance: (ms: number) => (clock += ms) };
}

/** The queue stores what it reads for the extension's one user. */
const filters = { user_id: DEFAULT_USER };
const texts = async (memory: ReturnType<typeof setup>['memory']) => (await memory.getAll({ filters })).results.map((r) => r.memory).sort();

describe('TurnQueue', () => {
  it('keeps what the assistant asked with the answer, so a short answer is found by the question', async () => {
    const { queue, memory } = setup();
    await queue.enqueue({ ...turn('Three times a week, it keeps me sane.'), replyTo: 'Great plan! How often do you go running?' });
    await queue.enqueue(turn('Twice a month, it keeps me humble.', 'c2'));
    await queue.drain();
    expect(await texts(memory)).toEqual(['Three times a week, it keeps me sane', 'Twice a month, it keeps me humble']);
    // Only the first was an answer to a question about running: it is the one found for it.
    const { results } = await memory.search('How often do I go running?', { filters, topK: 1 });
    expect(results.map((r) => r.memory)).toEqual(['Three times a week, it keeps me sane']);
    // The assistant's words are context, never facts of their own.
    expect((await memory.getAll({ filters })).results.every((r) => !r.memory.includes('How often'))).toBe(true);
  });

  it('keeps at most the end of a huge assistant message with a turn', async () => {
    const { queue, db } = setup();
    await queue.enqueue({ ...turn('I live in Porto'), replyTo: `${'blah '.repeat(100_000)}Where do you live?` });
    const [job] = await db.jobs.toArray();
    expect(job?.replyTo?.length).toBe(MAX_REPLY_TO_CHARS);
    expect(job?.replyTo?.endsWith('Where do you live?')).toBe(true);
  });

  it('stores a captured turn before processing it, and processes each capture once', async () => {
    const { queue, db, memory } = setup();
    const captured = turn("I'm vegetarian and I live in Berlin");
    expect(await queue.enqueue(captured)).toBe(true);
    expect(await queue.enqueue(captured)).toBe(false); // delivered twice by a retrying content script
    expect(await db.jobs.where('status').equals('pending').count()).toBe(1);
    expect(await texts(memory)).toEqual([]); // nothing happens on the send path
    await queue.drain();
    expect(await texts(memory)).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect((await queue.stats())).toMatchObject({ pending: 0, done: 1, failed: 0 });
    await queue.drain();
    expect(await db.memories.count()).toBe(2);
  });

  it('withdraws a turn whose send failed, before it is processed', async () => {
    const { queue, memory } = setup();
    const captured = turn('I have a cat named Tom');
    await queue.enqueue(captured);
    expect(await queue.discard(captured)).toBe(true);
    await queue.drain();
    expect(await texts(memory)).toEqual([]);
    expect(await queue.discard(captured)).toBe(false);
  });

  it('processes turns in capture order within a conversation', async () => {
    const { queue, memory } = setup();
    await queue.enqueue(turn('I live in Berlin'));
    await queue.enqueue(turn('I moved to Amsterdam'));
    await queue.drain();
    expect(await texts(memory)).toEqual(['I moved to Amsterdam']);
  });

  it('retries a failing turn with backoff, and a later turn of the same conversation waits for it', async () => {
    const { queue, memory, scheduled, advance, db } = setup();
    const add = vi.spyOn(memory, 'add');
    add.mockRejectedValueOnce(new Error('embedding model not ready')).mockRejectedValueOnce(new Error('still not ready'));
    await queue.enqueue(turn('I live in Berlin'));
    await queue.enqueue(turn('I moved to Amsterdam'));
    await queue.drain();
    expect(await texts(memory)).toEqual([]);
    expect(scheduled.at(-1)).toBe(2000); // 1 s · 2¹
    expect((await queue.stats()).lastError).toBe('embedding model not ready');
    advance(2000);
    await queue.drain();
    expect(scheduled.at(-1)).toBe(4000);
    advance(4000);
    await queue.drain();
    expect(await texts(memory)).toEqual(['I moved to Amsterdam']); // order kept: Berlin first, then the move
    expect(await db.jobs.where('status').equals('done').count()).toBe(2);
  });

  it('parks a turn that keeps failing, without blocking other conversations', async () => {
    const { queue, memory, advance } = setup();
    const original = memory.add.bind(memory);
    vi.spyOn(memory, 'add').mockImplementation((messages, options) =>
      options.conversationId === 'broken' ? Promise.reject(new Error('boom')) : original(messages, options),
    );
    await queue.enqueue(turn('I have a dog named Max', 'broken'));
    await queue.enqueue(turn('I work as a nurse', 'fine'));
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await queue.drain();
      advance(10 * 60_000);
    }
    const stats = await queue.stats();
    expect(stats.failed).toBe(1);
    expect(stats.done).toBe(1);
  });

  it('is resumed by a new worker: pending turns are processed, a half-done one is not duplicated', async () => {
    const first = setup();
    await first.queue.enqueue(turn('I have a cat named Tom'));
    await first.queue.enqueue(turn('I play the violin'));
    // The worker dies after memory.add for the first turn but before marking it done.
    const [job] = await first.db.jobs.toArray();
    await first.memory.add([{ role: 'user', content: job!.text, id: `turn:${job!.hash}` }], { userId: DEFAULT_USER, saidAt: job!.sentAt });

    const restarted = new TurnQueue(new DexieTurnStore(first.db), first.memory);
    await restarted.drain();
    expect(await texts(first.memory)).toEqual(['I have a cat named Tom', 'I play the violin']);
    expect(await restarted.stats()).toMatchObject({ pending: 0, done: 2 });
  });

  it.each([
    ['Dexie', (db: EngramDatabase): TurnStore => new DexieTurnStore(db)],
    ['an in-memory double', (): TurnStore => new ArrayTurnStore()],
  ])('runs over the TurnStore port alone (%s)', async (_name, makeStore) => {
    let clock = Date.UTC(2026, 10, 24, 9);
    const { db, memory } = testEngine({ embedder, now: () => clock });
    const scheduled: number[] = [];
    const queue = new TurnQueue(makeStore(db), memory, { now: () => clock, schedule: (ms) => scheduled.push(ms) });

    // Each capture is queued once.
    const berlin = turn('I live in Berlin');
    expect(await queue.enqueue(berlin)).toBe(true);
    expect(await queue.enqueue(berlin)).toBe(false);
    // A held turn waits for its send to be confirmed, once; a confirmed turn never captured is queued.
    const moved = turn('I moved to Amsterdam');
    expect(await queue.enqueue(moved, { held: true })).toBe(true);
    const tom = turn('I have a cat named Tom', 'c2');
    expect(await queue.confirm(tom)).toBe(true);
    // A withdrawn turn is never processed.
    const withdrawn = turn('I play the violin', 'c3');
    await queue.enqueue(withdrawn);
    expect(await queue.discard(withdrawn)).toBe(true);
    expect(await queue.discard(withdrawn)).toBe(false);
    expect(await queue.stats()).toEqual({ held: 1, pending: 2, failed: 0, done: 0, lastError: null });

    // A failure is retried after a backoff; the other conversation does not wait for it.
    vi.spyOn(memory, 'add').mockRejectedValueOnce(new Error('embedding model not ready'));
    await queue.drain();
    expect(scheduled.at(-1)).toBe(2000);
    expect(await queue.stats()).toEqual({ held: 1, pending: 1, failed: 0, done: 1, lastError: 'embedding model not ready' });
    expect(await texts(memory)).toEqual(['I have a cat named Tom']);

    // Confirmed, the held turn waits behind the earlier turn of its conversation, then follows it.
    expect(await queue.confirm(moved)).toBe(true);
    expect(await queue.confirm(moved)).toBe(false);
    await queue.drain();
    expect(await texts(memory)).toEqual(['I have a cat named Tom']);
    clock += 2000;
    await queue.drain();
    expect(await texts(memory)).toEqual(['I have a cat named Tom', 'I moved to Amsterdam']);
    expect(await queue.stats()).toEqual({ held: 0, pending: 0, failed: 0, done: 3, lastError: null });
    expect(await queue.enqueue(berlin)).toBe(false); // a processed capture delivered again

    // Old held turns and the hashes of old processed turns are purged.
    await queue.enqueue(turn('I work as a nurse', 'c4'), { held: true });
    clock += HELD_TTL_MS;
    expect(await queue.purge()).toBe(1);
    clock += DONE_TTL_MS;
    expect(await queue.purge()).toBe(3);
    expect(await queue.stats()).toEqual({ held: 0, pending: 0, failed: 0, done: 0, lastError: null });
    expect(await queue.enqueue(berlin)).toBe(true);
  });
});

/** The TurnStore contract, kept in an array: what the queue needs of a store, and no more. */
class ArrayTurnStore implements TurnStore {
  #jobs: StoredTurnJob[] = [];
  #seq = 0;

  add(job: TurnJob): Promise<boolean> {
    if (this.#jobs.some((j) => j.hash === job.hash)) return Promise.resolve(false);
    this.#jobs.push({ ...job, seq: ++this.#seq });
    return Promise.resolve(true);
  }

  confirm(hash: string, job: TurnJob, now: number): Promise<boolean> {
    const found = this.#jobs.find((j) => j.hash === hash);
    if (!found) return this.add(job);
    if (found.status !== 'held') return Promise.resolve(false);
    Object.assign(found, { status: 'pending', nextAttemptAt: now });
    return Promise.resolve(true);
  }

  discard(hash: string): Promise<boolean> {
    return Promise.resolve(this.#remove((j) => j.hash === hash && (j.status === 'held' || j.status === 'pending')) > 0);
  }

  purge(heldBefore: number, doneBefore: number): Promise<number> {
    return Promise.resolve(
      this.#remove((j) => (j.status === 'held' && j.createdAt <= heldBefore) || (j.status === 'done' && (j.doneAt ?? 0) <= doneBefore)),
    );
  }

  pending(): Promise<StoredTurnJob[]> {
    return Promise.resolve(this.#jobs.filter((j) => j.status === 'pending').map((j) => ({ ...j })));
  }

  markDone(seq: number, { doneAt, stored }: { doneAt: number; stored: number }): Promise<void> {
    this.#update(seq, { status: 'done', doneAt, stored, lastError: null, text: '', replyTo: null });
    return Promise.resolve();
  }

  markFailed(seq: number, failure: TurnFailure): Promise<void> {
    this.#update(seq, failure);
    return Promise.resolve();
  }

  counts(): Promise<Record<TurnJob['status'], number>> {
    const count = (status: TurnJob['status']) => this.#jobs.filter((j) => j.status === status).length;
    return Promise.resolve({ held: count('held'), pending: count('pending'), failed: count('failed'), done: count('done') });
  }

  lastError(): Promise<string | null> {
    const last = (status: TurnJob['status']) => this.#jobs.filter((j) => j.status === status && j.lastError !== null).at(-1);
    return Promise.resolve((last('pending') ?? last('failed'))?.lastError ?? null);
  }

  #update(seq: number, changes: Partial<TurnJob>): void {
    const job = this.#jobs.find((j) => j.seq === seq);
    if (job) Object.assign(job, changes);
  }

  #remove(match: (job: StoredTurnJob) => boolean): number {
    const before = this.#jobs.length;
    this.#jobs = this.#jobs.filter((j) => !match(j));
    return before - this.#jobs.length;
  }
}
