// @vitest-environment node
/**
 * A chat history imported in the background (src/background/data/import-history.ts): messages
 * staged in order, fed to the real durable turn queue a window at a time, extracted by the rules
 * with each message's real date; progress kept in the database (a new worker sees it); pause and
 * resume, also across a restart; a second import of the same file adds nothing; a malformed batch
 * is refused whole and changes nothing. Dexie on fake-indexeddb, a deterministic embedder.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { forgetImportedHistory, HistoryImport, type HistoryQueue } from '../../src/background/data/import-history';
import { TurnQueue } from '../../src/background/turn-queue';
import { parseChatGptExport } from '../../src/data/chatgpt-export';
import type { EngramDatabase } from '../../src/db/schema';
import { historyMessageOf, type HistoryMessage } from '../../src/messaging/data-protocol';
import { HashingEmbedder } from '../support/fake-embedder';
import { testEngine } from '../support/engine';

const NOW = Date.UTC(2026, 0, 1);
const fixture = (): HistoryMessage[] =>
  parseChatGptExport(JSON.parse(readFileSync(new URL('../fixtures/exports/chatgpt/conversations.json', import.meta.url), 'utf8'))).items.map(historyMessageOf);

function profile() {
  const engine = testEngine({ embedder: new HashingEmbedder(), hnsw: null, now: () => NOW });
  const queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, { now: () => NOW, schedule: () => undefined });
  const importer = (q: HistoryQueue = queue, db: EngramDatabase = engine.db) =>
    new HistoryImport({ db, queue: q, now: () => NOW, yieldTurn: () => Promise.resolve(), window: 2, newId: () => 'run-1', onError: (e) => { throw e; } });
  return { ...engine, queue, importer };
}

/** Send the messages as the options page does: start, batches, finish. */
async function send(history: HistoryImport, messages: HistoryMessage[], batch = 3) {
  const { runId } = await history.start({ source: 'chatgpt', label: 'conversations.json', conversations: 2, messages: messages.length });
  let accepted = 0;
  let duplicates = 0;
  for (let i = 0; i < messages.length; i += batch) {
    const result = await history.addBatch({ runId, messages: messages.slice(i, i + batch) });
    accepted += result.accepted;
    duplicates += result.duplicates;
  }
  await history.finish({ runId });
  return { runId, accepted, duplicates };
}

describe('importing a chat history in the background', () => {
  it('turns every message into memories dated when it was said, in conversation order, and a second import adds nothing', async () => {
    const { importer, db, memory } = profile();
    const history = importer();
    const messages = fixture();
    expect(await send(history, messages)).toMatchObject({ accepted: 4, duplicates: 0 });
    await history.pump();
    expect(await history.progress()).toMatchObject({ state: 'done', total: 4, done: 4, failed: 0, duplicates: 0, paused: false, label: 'conversations.json', source: 'chatgpt' });
    const added = (await history.progress())!.added;
    expect(added).toBeGreaterThan(2);

    const stored = await db.memories.toArray();
    expect(stored.length).toBeGreaterThan(2);
    const lisbon = stored.find((m) => /lisbon/i.test(m.text));
    expect(lisbon).toMatchObject({ site: 'chatgpt', conversationId: 'conv-lisbon', saidAt: Date.UTC(2024, 2, 1, 11, 0, 10, 250) });
    expect(stored.find((m) => /cats/i.test(m.text))).toMatchObject({ conversationId: 'conv-lisbon', saidAt: Date.UTC(2024, 2, 1, 11, 0, 50) });
    // The turns were processed by the queue, in the order they were said.
    const jobs = await db.jobs.orderBy('seq').toArray();
    expect(jobs.map((j) => j.sentAt)).toEqual(messages.map((m) => m.at));
    expect(jobs.every((j) => j.status === 'done' && j.text === '')).toBe(true);
    // Once processed, only the keys stay.
    expect((await db.imports.toArray()).map((r) => [r.key, r.status, r.turn])).toEqual(messages.map((m) => [`chatgpt/${m.conversationId}/${m.messageId}`, 'done', null]));

    // The same file again (even after the queue forgot its turns): nothing is queued twice.
    await db.jobs.clear();
    const again = await send(history, messages);
    expect(again).toMatchObject({ accepted: 0, duplicates: 4 });
    await history.pump();
    expect(await history.progress()).toMatchObject({ state: 'done', total: 0, duplicates: 4, done: 0, added: 0 });
    expect(await db.jobs.count()).toBe(0);
    expect(await db.memories.count()).toBe(stored.length);
    expect((await memory.getAll({ filters: { user_id: 'me' }, topK: 100 })).results).toHaveLength(stored.length);
  });

  it('keeps its progress and its pause across a restart, and goes on when resumed', async () => {
    const p = profile();
    const first = p.importer();
    const { runId } = await first.start({ source: 'chatgpt', label: 'export.zip', conversations: 2, messages: 4 });
    await first.pause();
    await first.addBatch({ runId, messages: fixture() });
    await first.finish({ runId });
    await first.pump();
    expect(await first.progress()).toMatchObject({ state: 'paused', paused: true, total: 4, done: 0 });
    expect(await p.db.jobs.count()).toBe(0);

    // The browser restarts: a new worker, a new queue over the same database.
    const queue = new TurnQueue(new DexieTurnStore(p.db), p.memory, { now: () => NOW, schedule: () => undefined });
    const second = p.importer(queue);
    expect(await second.progress()).toMatchObject({ runId, state: 'paused', total: 4, done: 0, label: 'export.zip' });
    await second.pump();
    expect(await p.db.jobs.count()).toBe(0); // still paused
    await second.resume();
    await second.pump();
    expect(await second.progress()).toMatchObject({ state: 'done', paused: false, total: 4, done: 4 });
    expect(await p.db.memories.count()).toBeGreaterThan(2);
  });

  it('goes on after the worker stopped half-way, each message processed once', async () => {
    const p = profile();
    // A queue that takes turns but never processes them: the worker stops before it does.
    const stuck: HistoryQueue = { enqueue: (t) => p.queue.enqueue(t), discard: (t) => p.queue.discard(t), drain: () => Promise.resolve() };
    const first = p.importer(stuck);
    await send(first, fixture());
    await first.pump();
    expect(await first.progress()).toMatchObject({ state: 'running', total: 4, done: 0 });
    expect(await p.db.jobs.where('status').equals('pending').count()).toBe(2); // one window

    const second = p.importer();
    await second.pump();
    expect(await second.progress()).toMatchObject({ state: 'done', total: 4, done: 4 });
    expect(await p.db.jobs.count()).toBe(4);
    expect((await p.db.jobs.toArray()).every((j) => j.status === 'done')).toBe(true);
  });

  it('pausing takes the messages waiting in the queue back out', async () => {
    const p = profile();
    const stuck: HistoryQueue = { enqueue: (t) => p.queue.enqueue(t), discard: (t) => p.queue.discard(t), drain: () => Promise.resolve() };
    const history = p.importer(stuck);
    await send(history, fixture());
    await history.pump();
    expect(await p.db.jobs.where('status').equals('pending').count()).toBe(2);
    expect(await history.pause()).toMatchObject({ state: 'paused', done: 0 });
    expect(await p.db.jobs.count()).toBe(0);
    expect((await p.db.imports.toArray()).map((r) => r.status)).toEqual(['staged', 'staged', 'staged', 'staged']);
    await p.queue.drain();
    expect(await p.db.memories.count()).toBe(0);
  });

  it('refuses a malformed or hostile batch whole, and changes nothing', async () => {
    const { importer, db } = profile();
    const history = importer();
    const { runId } = await history.start({ source: 'chatgpt', label: 'conversations.json', conversations: 1, messages: 1 });
    const [good] = fixture();
    const bad: [unknown, RegExp][] = [
      [{ runId, messages: 'all of them' }, /messages is not a list/],
      [{ runId, messages: [] }, /messages is not a list/],
      [{ runId, messages: new Array(501).fill(good) }, /messages is not a list of 1 to 500/],
      [{ runId, messages: [good, null] }, /messages\[1\] is not a message/],
      [{ runId, messages: [{ ...good, source: 'gemini' }] }, /messages\[0\]\.source/],
      [{ runId, messages: [{ ...good, text: 42 }] }, /messages\[0\]\.text/],
      [{ runId, messages: [{ ...good, text: 'x'.repeat(20_001) }] }, /messages\[0\]\.text is not text of 1 to 20000/],
      [{ runId, messages: [good, { ...good, at: 'yesterday' }] }, /messages\[1\]\.at/],
      [{ runId, messages: [{ ...good, at: 1e20 }] }, /messages\[0\]\.at/],
      [{ runId, messages: [{ ...good, conversationId: 'a\u0000b' }] }, /conversationId is not an id/],
      [{ runId, messages: [{ ...good, messageId: 'm'.repeat(201) }] }, /messageId is not an id/],
      [{ runId, messages: [{ ...good, previousAssistant: 'x'.repeat(1001) }] }, /previousAssistant/],
      [{ runId: 'another', messages: [good] }, /that import is over/],
    ];
    for (const [batch, error] of bad) await expect(history.addBatch(batch), JSON.stringify(batch).slice(0, 80)).rejects.toThrow(error);
    await expect(history.start({ source: 'chatgpt', label: 1, conversations: 1, messages: 1 })).rejects.toThrow(/malformed importHistoryStart/);
    expect(await db.imports.count()).toBe(0);
    expect(await history.progress()).toMatchObject({ total: 0, duplicates: 0 });
  });

  it('forgets every imported message with everything, so the file can be imported again', async () => {
    const { importer, db } = profile();
    const history = importer();
    await send(history, fixture());
    await history.pump();
    await forgetImportedHistory(db);
    expect(await db.imports.count()).toBe(0);
    expect(await history.progress()).toBeNull();
    await db.jobs.clear();
    expect(await send(history, fixture())).toMatchObject({ accepted: 4, duplicates: 0 });
  });
});
