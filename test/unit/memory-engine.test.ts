// @vitest-environment node
/**
 * The memory engine's Mem0-shaped API end to end, on the real bundled model and real Dexie (on
 * fake-indexeddb): add / search / get / getAll / update / delete / deleteAll / history / reset,
 * scopes and filters, the update step, and bad input.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngramDatabase } from '../../src/db/schema';
import { StorageFullError } from '../../src/adapters/dexie-store';
import type { Memory } from '../../src/engine/memory';
import type { MemoryStore } from '../../src/ports/memory-store';
import { RECALL } from '../../src/engine/recall-settings';
import { withMemoryBlock } from '../../src/inject/memory-block';
import { bundledEmbedder } from '../support/model';
import { testEngine } from '../support/engine';

const embedder = bundledEmbedder();
let memory: Memory;
let db: EngramDatabase;
let store: MemoryStore;
let clock = Date.UTC(2026, 10, 23, 12);

beforeAll(async () => {
  await embedder.load();
});

beforeEach(() => {
  clock = Date.UTC(2026, 10, 23, 12);
  ({ memory, db, store } = testEngine({ embedder, now: () => clock }));
});

type Filters = Record<string, unknown>;
/** The extension's user: every memory here is theirs unless a test says otherwise. */
const ME = { user_id: 'me' };
/** Everything in a scope (the user's unless `filters` names another), texts sorted. */
const texts = async (filters: Filters = {}): Promise<string[]> =>
  (await memory.getAll({ filters: { ...ME, ...filters }, topK: 1000 })).results.map((r) => r.memory).sort();
/** Search the user's memories; unfiltered (threshold 0) unless a test gates it. */
const found = async (query: string, options: NonNullable<Parameters<Memory['search']>[1]> = {}): Promise<string[]> =>
  (await memory.search(query, { threshold: 0, ...options, filters: { ...ME, ...options.filters } })).results.map((r) => r.memory);
/** What the relevance gate a prompt's recall uses lets through, at most the recall's topK. */
const GATED = { gate: 'recall', topK: RECALL.topK } as const;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('add', () => {
  it('extracts each fact of a message, with provenance', async () => {
    const { results } = await memory.add([{ role: 'user', content: "I'm vegetarian and I live in Berlin", id: 't1' }], {
      userId: 'me',
      site: 'chatgpt',
      conversationId: 'c1',
      saidAt: Date.UTC(2026, 0, 5),
    });
    expect(results.map((r) => [r.memory, r.event])).toEqual([
      ["I'm vegetarian", 'ADD'],
      ['I live in Berlin', 'ADD'],
    ]);
    const item = await memory.get(results[1]!.id);
    expect(item).toMatchObject({
      memory: 'I live in Berlin',
      user_id: 'me',
      site: 'chatgpt',
      conversationId: 'c1',
      sourceTurnIds: ['t1'],
      saidAt: iso(Date.UTC(2026, 0, 5)),
      categories: ['location'],
    });
  });

  it('stores messages verbatim with infer: false, assistant turns included', async () => {
    const { results } = await memory.add(
      [
        { role: 'user', content: 'Remind me: the launch is on Friday' },
        { role: 'assistant', content: 'Noted, launch on Friday.' },
      ],
      { userId: 'me', infer: false, metadata: { source: 'import' } },
    );
    expect(results.map((r) => r.event)).toEqual(['ADD', 'ADD']);
    expect(await texts()).toEqual(['Noted, launch on Friday.', 'Remind me: the launch is on Friday']);
    expect((await memory.get(results[0]!.id))?.metadata).toEqual({ source: 'import' });
  });

  it('stores the same fact said twice once (nothing reported the second time: NONE)', async () => {
    await memory.add('I live in Berlin', { userId: 'me' });
    const again = await memory.add('i live in berlin.', { userId: 'me' });
    expect(again.results).toEqual([]);
    expect(await texts()).toEqual(['I live in Berlin']);
  });

  it('keeps a fact that shares most words with a stored one but is another fact (another person, another year)', async () => {
    await memory.add('I went to Lisbon with Priya in March 2012', { userId: 'me' });
    await memory.add('I went to Lisbon with Tom in March 2012', { userId: 'me' });
    await memory.add('I went to Lisbon with Priya in March 2014', { userId: 'me' });
    await memory.add('I went to Lisbon with Priya, in March 2012!', { userId: 'me' }); // the first, said again
    expect((await texts()).sort()).toEqual([
      'I went to Lisbon with Priya in March 2012',
      'I went to Lisbon with Priya in March 2014',
      'I went to Lisbon with Tom in March 2012',
    ]);
  });

  it('updates a contradicted fact and keeps the old value in history', async () => {
    const first = await memory.add('I live in Berlin', { userId: 'me' });
    clock += 86_400_000;
    const moved = await memory.add('I moved to Amsterdam', { userId: 'me' });
    expect(moved.results).toEqual([
      {
        id: first.results[0]!.id,
        memory: 'I moved to Amsterdam',
        event: 'UPDATE',
        metadata: { event: 'UPDATE', previousMemory: 'I live in Berlin' },
      },
    ]);
    expect(await texts()).toEqual(['I moved to Amsterdam']);
    const history = await memory.history(first.results[0]!.id);
    // Newest first, as Mem0 lists history.
    expect(history.map((h) => [h.action, h.previous_value, h.new_value])).toEqual([
      ['UPDATE', 'I live in Berlin', 'I moved to Amsterdam'],
      ['ADD', null, 'I live in Berlin'],
    ]);
    expect((await found('Which city do I live in?', { topK: 1 }))[0]).toBe('I moved to Amsterdam');
  });

  it('answers "now" with the current value and reaches the old one for a question about the past', async () => {
    await memory.add('I live in Berlin', { userId: 'me' });
    clock += 86_400_000;
    await memory.add('I moved to Amsterdam', { userId: 'me' });
    const now = (await memory.search('Which city do I live in?', { filters: ME, topK: 3, threshold: 0 })).results;
    expect(now.map((r) => r.memory)).toEqual(['I moved to Amsterdam']);
    const before = (await memory.search('Where did I live before?', { filters: ME, topK: 3, threshold: 0 })).results;
    expect(before.map((r) => r.memory)).toEqual(expect.arrayContaining(['I moved to Amsterdam', 'I live in Berlin']));
    expect(before.find((r) => r.memory === 'I live in Berlin')?.supersededAt).toBe(iso(clock));
  });

  it('keeps facts a user has many of (pets, friends) side by side', async () => {
    await memory.add('I have a dog named Max', { userId: 'me' });
    await memory.add('I have a cat named Tom', { userId: 'me' });
    expect(await texts()).toEqual(['I have a cat named Tom', 'I have a dog named Max']);
  });

  it('deletes on "forget that …", keeping the deletion in history', async () => {
    const { results } = await memory.add('I live in Berlin', { userId: 'me' });
    const forget = await memory.add('Forget that I live in Berlin', { userId: 'me' });
    expect(forget.results.map((r) => r.event)).toEqual(['DELETE']);
    expect(await texts()).toEqual([]);
    expect((await memory.history(results[0]!.id)).map((h) => h.action)).toEqual(['DELETE', 'ADD']);
  });

  it('never stores its own injected block', async () => {
    await memory.add(withMemoryBlock(['I have a cat named Tom'], 'What should I call my new fish?'), { userId: 'me' });
    expect(await texts()).toEqual([]);
  });

  it('applies concurrent adds one at a time, so no fact is stored twice', async () => {
    await Promise.all([
      memory.add('I have a dog named Max', { userId: 'me', conversationId: 'tab-1' }),
      memory.add('I have a dog named Max', { userId: 'me', conversationId: 'tab-2' }),
      memory.add('I work as a nurse', { userId: 'me', conversationId: 'tab-1' }),
    ]);
    expect(await texts()).toEqual(['I have a dog named Max', 'I work as a nurse']);
  });
});

describe('search', () => {
  beforeEach(async () => {
    await memory.add("I'm vegetarian and I live in Berlin", { userId: 'me' });
    await memory.add('I have a sister named Anna', { userId: 'me' });
    await memory.add('I work as a software engineer at Siemens', { userId: 'me' });
    await memory.add('I have a dog named Max', { userId: 'me' });
  });

  it('finds what a question needs though it shares no word with it', async () => {
    expect((await found('Can you suggest a restaurant near me for tonight?', GATED)).sort()).toEqual([
      'I live in Berlin',
      "I'm vegetarian",
    ]);
    expect(await found('What should I cook for dinner?', GATED)).toEqual(["I'm vegetarian"]);
  });

  it('recalls nothing above the threshold for unrelated questions', async () => {
    for (const q of [
      'Explain how photosynthesis works in plants',
      'How do I reverse a linked list?',
      'What is the capital of France?',
      'Summarize this article about climate policy',
      'Write a haiku about autumn',
    ]) {
      expect(await found(q, GATED), q).toEqual([]);
    }
  });

  it('answers a question anchored in time with what was said then, though it shares no word with it', async () => {
    await memory.add("I'm learning to play the cello", { userId: 'me', saidAt: Date.UTC(2026, 2, 3) });
    await memory.add('I went hiking in the Alps with my cousins', { userId: 'me', saidAt: Date.UTC(2026, 6, 12) });
    await memory.add('I adopted a rescue cat called Miso', { userId: 'me', saidAt: Date.UTC(2026, 10, 18) });
    expect((await found('What did I get up to in July 2026?', { topK: 1 }))[0]).toBe('I went hiking in the Alps with my cousins');
    expect((await found('What happened in March?', { topK: 1 }))[0]).toBe("I'm learning to play the cello");
    expect((await found('What did I do on 18 November 2026?', { topK: 1 }))[0]).toBe('I adopted a rescue cat called Miso');
    // Before a send (the relevance gate on), the user's own day passes it; a year in a question
    // about the world does not make this year's memories relevant.
    expect((await found('What did I do on 18 November 2026?', { topK: 1, gate: 'recall' }))[0]).toBe('I adopted a rescue cat called Miso');
    expect(await found('What are the best laptops of 2026?', { topK: 5, gate: 'recall' })).toEqual([]);
    expect(await found('Can you help me plan my trip in July?', { topK: 5, gate: 'recall' })).toEqual([]);
    // Without a time, the order is relevance alone.
    expect((await found('Which instrument do I play?', { topK: 1 }))[0]).toBe("I'm learning to play the cello");
  });
  it('returns Mem0-shaped results, best first, at most topK', async () => {
    const { results } = await memory.search('restaurant near me', { filters: ME, topK: 3, threshold: 0 });
    expect(results).toHaveLength(3);
    const [best] = results;
    expect(typeof best?.id).toBe('string');
    expect(typeof best?.memory).toBe('string');
    expect(best?.score).toBeGreaterThan(0);
    expect(best?.score).toBeLessThanOrEqual(1);
    expect(best?.metadata).toEqual({});
    const scores = results.map((r) => r.score!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('never returns a deleted memory', async () => {
    const berlin = (await memory.getAll({ filters: ME })).results.find((r) => r.memory === 'I live in Berlin')!;
    expect(await memory.delete(berlin.id)).toEqual({ message: 'Memory deleted successfully!' });
    expect(await found('Can you suggest a restaurant near me for tonight?', GATED)).toEqual(["I'm vegetarian"]);
    await expect(memory.delete(berlin.id)).rejects.toThrow(`Memory with ID ${berlin.id} not found`);
  });

  it('handles empty, unknown-word, emoji, right-to-left, HTML and 1 MB queries', async () => {
    expect(await found('')).toEqual([]);
    expect(await found('   \u200B ')).toEqual([]);
    expect(await found('qwzx blorf', GATED)).toEqual([]);
    expect(await found('🍕🍕🍕', GATED)).toEqual([]);
    expect(await found('أين أعيش؟', GATED)).toEqual([]);
    expect(await found('<script>alert(1)</script> restaurant near me', { topK: 2 })).toHaveLength(2);
    expect(await found('restaurant near me '.repeat(55_000), { topK: 2 })).toHaveLength(2);
  });
});

describe('scopes and filters', () => {
  beforeEach(async () => {
    await memory.add('I prefer concise answers', { userId: 'me' });
    await memory.add('I use TypeScript at work', { userId: 'me', space: 'work/atlas' });
    await memory.add('The Atlas launch is on Friday', { userId: 'me', space: 'work/atlas', infer: false });
    await memory.add('I am planning a trip to Lisbon', { userId: 'me', space: 'personal/travel' });
    await memory.add('Answer in German', { userId: 'me', agentId: 'claude', infer: false });
    await memory.add('I am debugging the login page', { userId: 'me', runId: 'chat-42', sessionTtlMs: 3_600_000 });
    await memory.add('I live in Oslo', { userId: 'someone-else' });
  });

  it('isolates users', async () => {
    expect(await texts({ user_id: 'someone-else' })).toEqual(['I live in Oslo']);
    expect(await found('Where do I live?', { filters: { user_id: 'me' } })).not.toContain('I live in Oslo');
  });

  it('filters hierarchical spaces: a space holds its sub-spaces and nothing else', async () => {
    expect(await texts({ space: 'work' })).toEqual(['I use TypeScript at work', 'The Atlas launch is on Friday']);
    expect(await texts({ space: 'work/atlas' })).toHaveLength(2);
    expect(await texts({ space: 'personal' })).toEqual(['I am planning a trip to Lisbon']);
    expect(await found('When is the launch?', { filters: { space: 'personal' } })).not.toContain('The Atlas launch is on Friday');
  });

  it('scopes agent and session memory', async () => {
    expect(await texts({ agent_id: 'claude' })).toEqual(['Answer in German']);
    expect(await texts({ run_id: 'chat-42' })).toEqual(['I am debugging the login page']);
  });

  it('expires session memory', async () => {
    clock += 2 * 3_600_000;
    expect(await texts({ run_id: 'chat-42' })).toEqual([]);
    expect(await memory.sweepExpired()).toBe(1);
    expect(await db.memories.count()).toBe(6);
  });

  it('combines filters with AND / OR / NOT, on metadata, categories and dates', async () => {
    await memory.add('I am allergic to peanuts', { userId: 'me', metadata: { pinned: true, importance: 3 } });
    expect(await texts({ OR: [{ agentId: 'claude' }, { runId: 'chat-42' }] })).toEqual([
      'Answer in German',
      'I am debugging the login page',
    ]);
    expect(await texts({ metadata: { pinned: true } })).toEqual(['I am allergic to peanuts']);
    expect(await texts({ metadata: { importance: { in: [2, 3] } } })).toEqual(['I am allergic to peanuts']);
    expect(await texts({ category: 'health' })).toEqual(['I am allergic to peanuts']);
    expect(await texts({ user_id: 'me', AND: [{ space: 'work' }, { NOT: { metadata: { pinned: true } } }] })).toHaveLength(2);
    expect(await texts({ createdAt: { gte: clock + 1 } })).toEqual([]);
    const hits = await found('allergy', { filters: { metadata: { pinned: true } }, topK: 5 });
    expect(hits).toEqual(['I am allergic to peanuts']);
  });

  it('deleteAll removes only what matches, and refuses to run without a scope', async () => {
    expect(await memory.deleteAll({ userId: 'me', filters: { space: 'work' } })).toEqual({ message: 'Memories deleted successfully!', deleted: 2 });
    expect(await texts({ space: 'work' })).toEqual([]);
    expect(await db.memories.count()).toBe(5);
    await expect(memory.deleteAll({})).rejects.toThrow(/reset/);
    await expect(memory.deleteAll({ filters: { space: 'work' } })).rejects.toThrow(/reset/);
  });

  it('reset forgets everything', async () => {
    await memory.reset();
    expect(await db.memories.count()).toBe(0);
    expect(await found('Where do I live?')).toEqual([]);
    await memory.add('I live in Rome', { userId: 'me' });
    expect(await found('Where do I live?', { topK: 1 })).toEqual(['I live in Rome']);
  });
});

describe('provenance and context', () => {
  it('finds a fact through the words around it in the message it came from', async () => {
    await memory.add(
      [{ role: 'user', content: 'I took the kids to the museum last weekend. They were stoked for the dinosaur exhibit!', id: 'D1:5' }],
      { userId: 'me' },
    );
    await memory.add('I have a dog named Max', { userId: 'me' });
    const { results } = await memory.search('Where did the kids see the dinosaur exhibit?', { filters: ME, topK: 1, threshold: 0 });
    expect(results[0]?.memory).toBe('I took the kids to the museum last weekend');
    expect(results[0]?.sourceTurnIds).toEqual(['D1:5']);
  });

  it('records every turn a repeated fact was said in', async () => {
    const first = await memory.add([{ role: 'user', content: 'I live in Berlin', id: 't1' }], { userId: 'me' });
    const again = await memory.add([{ role: 'user', content: 'I live in Berlin.', id: 't7' }], { userId: 'me' });
    expect(again.results).toEqual([]); // NONE: nothing new stored
    expect(await db.memories.count()).toBe(1);
    expect((await memory.get(first.results[0]!.id))?.sourceTurnIds).toEqual(['t1', 't7']);
  });
});

describe('entity links', () => {
  it('answers a two-hop question: the memory naming the entity draws the memory about its bridge', async () => {
    for (const t of [
      'I work on project Atlas',
      'Atlas is managed by Priya',
      'Priya is based in Lisbon',
      'Our office is based in Berlin',
      'My brother is based in Madrid',
      'The Atlas launch is in May',
      'I like hiking',
    ]) {
      await memory.add(t, { userId: 'me', infer: false });
    }
    const top = await found('Who manages Atlas, and where is that person based?', { topK: 3 });
    expect(top.slice(0, 2)).toEqual(['Atlas is managed by Priya', 'Priya is based in Lisbon']);
  });

  it('ranks a memory naming the person the query names above ones that only share its other words', async () => {
    for (const t of ['Priya goes bouldering every Saturday', 'I do yoga on weekends', 'On weekends I sleep in', 'My weekends are for hiking']) {
      await memory.add(t, { userId: 'me', infer: false });
    }
    expect((await found('What does Priya do on weekends?', { topK: 1 }))[0]).toBe('Priya goes bouldering every Saturday');
  });

  it('stores the relations each fact states, keeps them in step with edits, and lists them as a graph', async () => {
    await memory.add("I'm working on project Atlas, it's a lot of fun.", { userId: 'me', saidAt: Date.UTC(2026, 9, 1) });
    await memory.add('Atlas is managed by Priya', { userId: 'me', infer: false });
    await memory.add('My colleague Priya lives in Lisbon', { userId: 'me', infer: false });
    const { entities, relations } = await memory.graph({ filters: ME });
    const edges = relations.map((r) => `${r.subject} –${r.predicate}→ ${r.object}`);
    expect(edges).toEqual(
      expect.arrayContaining(['user –working on→ atlas', 'atlas –managed by→ priya', 'user –colleague→ priya', 'priya –lives in→ lisbon']),
    );
    expect(entities).toEqual([
      { name: 'atlas', memories: 2 },
      { name: 'priya', memories: 2 },
      { name: 'lisbon', memories: 1 },
    ]);
    // Each relation points at the memory that states it, where it is stored too.
    const lisbon = relations.find((r) => r.object === 'lisbon')!;
    expect((await store.get(lisbon.memoryId))?.relations).toEqual([
      { subject: 'user', predicate: 'colleague', object: 'priya' },
      { subject: 'priya', predicate: 'lives in', object: 'lisbon' },
    ]);
    await memory.update(lisbon.memoryId, 'My colleague Priya lives in Porto');
    expect((await memory.graph({ filters: ME })).relations.map((r) => r.object)).toContain('porto');
    expect((await memory.graph({ filters: ME })).relations.map((r) => r.object)).not.toContain('lisbon');
  });
});

describe('importance', () => {
  it('a memory used in prompts gains weight; the others do not', async () => {
    await memory.add('I drink green tea every morning', { userId: 'me', infer: false });
    await memory.add('I drink black coffee every morning', { userId: 'me', infer: false });
    const [first, second] = (await memory.search('What do I drink every morning?', { filters: ME, topK: 2, threshold: 0 })).results;
    for (let i = 0; i < 8; i++) await memory.noteUse([second!.id]);
    expect((await memory.get(second!.id))?.metadata).toMatchObject({ uses: 8 });
    expect((await memory.history(second!.id)).map((h) => h.action)).toEqual(['ADD']);
    const after = (await memory.search('What do I drink every morning?', { filters: ME, topK: 2, threshold: 0 })).results;
    const usedAfter = after.find((r) => r.id === second!.id)!;
    const otherAfter = after.find((r) => r.id === first!.id)!;
    // Scores are tanh of the rank score: compare the rank scores themselves.
    const rank = (score: number | undefined): number => Math.atanh(score!);
    expect(rank(usedAfter.score) - rank(second!.score)).toBeCloseTo(0.02 * Math.log2(9), 3);
    expect(rank(otherAfter.score)).toBeCloseTo(rank(first!.score), 6);
  });

  it('a pinned memory ranks above an equally relevant one', async () => {
    await memory.add('I drink green tea every morning', { userId: 'me', infer: false, metadata: { pinned: true } });
    await memory.add('I drink black coffee every morning', { userId: 'me', infer: false });
    expect((await found('What do I drink every morning?', { topK: 2 }))[0]).toBe('I drink green tea every morning');
  });

  it('pins and unpins a memory the user chose, without touching its text, vector or history', async () => {
    await memory.add('I drink black coffee every morning', { userId: 'me', infer: false });
    const { results } = await memory.add('I drink green tea every morning', { userId: 'me', infer: false });
    const id = results[0]!.id;
    const before = await memory.history(id);
    const pinned = await memory.setMetadata(id, { pinned: true });
    expect(pinned.metadata.pinned).toBe(true);
    expect((await found('What do I drink every morning?', { topK: 2 }))[0]).toBe('I drink green tea every morning');
    expect(await memory.history(id)).toEqual(before);
    await memory.setMetadata(id, { pinned: null });
    expect((await memory.get(id))?.metadata).not.toHaveProperty('pinned');
    await expect(memory.setMetadata('no-such-id', { pinned: true })).rejects.toThrow('Memory with ID no-such-id not found');
  });
});

describe('consolidation and profile', () => {
  it('merges near-duplicates said in other words into the most recent, keeping provenance and history', async () => {
    await memory.add([{ role: 'user', content: 'I have two cats named Tom and Jerry', id: 't1' }], { userId: 'me', infer: false });
    clock += 1000;
    await memory.add([{ role: 'user', content: 'I have two cats, named Tom and Jerry!', id: 't2' }], { userId: 'me', infer: false });
    await memory.add([{ role: 'user', content: 'I have a dog named Max', id: 't3' }], { userId: 'me', infer: false });
    expect(await db.memories.count()).toBe(3);
    expect(await memory.consolidate()).toBe(1);
    const { results } = await memory.getAll({ filters: ME });
    expect(results.map((r) => r.memory).sort()).toEqual(['I have a dog named Max', 'I have two cats, named Tom and Jerry!']);
    const cats = results.find((r) => r.memory.includes('cats'))!;
    expect(cats.sourceTurnIds.sort()).toEqual(['t1', 't2']);
    expect((await memory.history(cats.id))[0]).toMatchObject({ action: 'UPDATE', reason: 'merged: I have two cats named Tom and Jerry' });
    expect(await memory.consolidate()).toBe(0);
    expect((await found('How many cats do I have?', { topK: 1 }))[0]).toBe('I have two cats, named Tom and Jerry!');
  });

  it('keeps a profile: the current value of each attribute, and what the user pinned', async () => {
    await memory.add('I live in Berlin', { userId: 'me' });
    clock += 1000;
    await memory.add('I moved to Amsterdam', { userId: 'me' });
    await memory.add('I work as a nurse', { userId: 'me' });
    await memory.add('I went to the museum last weekend', { userId: 'me' });
    await memory.add('I am allergic to peanuts', { userId: 'me', infer: false, metadata: { pinned: true } });
    const profile = (await memory.profile({ filters: ME })).map((m) => m.memory);
    expect(profile).toEqual(expect.arrayContaining(['I moved to Amsterdam', 'I work as a nurse', 'I am allergic to peanuts']));
    expect(profile).not.toContain('I live in Berlin');
    expect(profile).not.toContain('I went to the museum last weekend'); // an event, not an attribute
  });
});

describe('update and history', () => {
  it('edits a memory, re-embeds it and records the edit', async () => {
    const { results } = await memory.add('I live in Berlin', { userId: 'me' });
    const id = results[0]!.id;
    await memory.update(id, 'I live in Hamburg');
    expect((await memory.get(id))?.memory).toBe('I live in Hamburg');
    expect((await memory.history(id))[0]).toMatchObject({ action: 'UPDATE', previous_value: 'I live in Berlin', new_value: 'I live in Hamburg' });
    expect(await found('Which city do I live in?', { topK: 1 })).toEqual(['I live in Hamburg']);
    await expect(memory.update(id, '   ')).rejects.toThrow(/empty/);
    await expect(memory.update('missing', 'x')).rejects.toThrow('Memory with ID missing not found');
  });
});

describe('bad input', () => {
  it('rejects empty or oversized verbatim memories clearly and stores nothing', async () => {
    await expect(memory.add('x'.repeat(1_000_000), { userId: 'me', infer: false })).rejects.toThrow(/at most 2000 characters/);
    await expect(memory.add('', { userId: 'me', infer: false })).rejects.toThrow(/cannot be empty/);
    await expect(memory.add([{ role: 'user', content: 42 as unknown as string }], { userId: 'me' })).rejects.toThrow(/string content/);
    expect(await db.memories.count()).toBe(0);
  });

  it('extracts from 1 MB of text without hanging, and keeps emoji, RTL and HTML text intact', async () => {
    const { results } = await memory.add(`I love hiking. ${'blah '.repeat(200_000)}`, { userId: 'me' });
    expect(results.map((r) => r.memory)).toEqual(['I love hiking']);
    await memory.add('<b>I like bold coffee</b> 🐈‍⬛ and I live in תל אביב', { userId: 'me', infer: false });
    expect(await texts()).toContain('<b>I like bold coffee</b> 🐈‍⬛ and I live in תל אביב');
  });

  it('reports a full disk clearly, loses nothing, and keeps working', async () => {
    await memory.add('I live in Berlin', { userId: 'me' });
    const quota = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const spy = vi.spyOn(db.memories, 'bulkPut').mockImplementation(() => Promise.reject(quota) as never);
    await expect(memory.add('I have a dog named Max', { userId: 'me' })).rejects.toBeInstanceOf(StorageFullError);
    spy.mockRestore();
    expect(await texts()).toEqual(['I live in Berlin']);
    await memory.add('I have a dog named Max', { userId: 'me' });
    expect(await texts()).toEqual(['I have a dog named Max', 'I live in Berlin']);
  });

  it('says clearly when the embedding model cannot load, and stores nothing', async () => {
    const { TransformersEmbedder } = await import('../../src/adapters/transformers-embedder');
    const broken = new TransformersEmbedder({ modelId: 'no-such-model', localModelPath: '/nonexistent/' });
    const engine = testEngine({ embedder: broken });
    await expect(engine.memory.add('I live in Berlin', { userId: 'me' })).rejects.toThrow(/could not load the embedding model "no-such-model"/);
    expect(await engine.db.memories.count()).toBe(0);
  });
});
