// @vitest-environment node
/**
 * The durable pipeline: captured turns are stored before anything happens, processed in order
 * per conversation, retried with backoff, processed once per capture, and resumed by a new
 * service worker (a new queue on the same database).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_ATTEMPTS, TurnQueue } from '../../src/engine/turn-queue';
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
  const queue = new TurnQueue(engine.db, engine.memory, {
    now: () => clock,
    schedule: (ms) => scheduled.push(ms),
  });
  return { ...engine, queue, scheduled, advance: (ms: number) => (clock += ms) };
}

const texts = async (memory: ReturnType<typeof setup>['memory']) => (await memory.getAll()).results.map((r) => r.memory).sort();

describe('TurnQueue', () => {
  it('keeps what the assistant asked with the answer, so a short answer is found by the question', async () => {
    const { queue, memory } = setup();
    await queue.enqueue({ ...turn('Three times a week, it keeps me sane.'), replyTo: 'Great plan! How often do you go running?' });
    await queue.enqueue(turn('Twice a month, it keeps me humble.', 'c2'));
    await queue.drain();
    expect(await texts(memory)).toEqual(['Three times a week, it keeps me sane', 'Twice a month, it keeps me humble']);
    // Only the first was an answer to a question about running.
    const { results } = await memory.search('How often do I go running?', { threshold: 0.99 });
    expect(results.map((r) => r.memory)).toEqual(['Three times a week, it keeps me sane']);
    // The assistant's words are context, never facts of their own.
    expect((await memory.getAll()).results.every((r) => !r.memory.includes('How often'))).toBe(true);
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
      options?.conversationId === 'broken' ? Promise.reject(new Error('boom')) : original(messages, options),
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
    await first.memory.add([{ role: 'user', content: job!.text, id: `turn:${job!.hash}` }], { saidAt: job!.sentAt });

    const restarted = new TurnQueue(first.db, first.memory);
    await restarted.drain();
    expect(await texts(first.memory)).toEqual(['I have a cat named Tom', 'I play the violin']);
    expect(await restarted.stats()).toMatchObject({ pending: 0, done: 2 });
  });
});
