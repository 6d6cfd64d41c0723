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
import { RECALL } from '../../src/engine/recall';
import { withMemoryBlock } from '../../src/inject/memory-block';
import { bundledEmbedder } from '../support/model';
import { testEngine } from '../support/engine';

const embedder = bundledEmbedder();
let memory: Memory;
let db: EngramDatabase;
let clock = Date.UTC(2026, 10, 23, 12);

beforeAll(async () => {
  await embedder.load();
});

beforeEach(() => {
  clock = Date.UTC(2026, 10, 23, 12);
  ({ memory, db } = testEngine({ embedder, now: () => clock }));
});

const texts = async (options: Parameters<Memory['getAll']>[0] = {}): Promise<string[]> =>
  (await memory.getAll(options)).results.map((r) => r.memory).sort();
const found = async (query: string, options: Parameters<Memory['search']>[1] = {}): Promise<string[]> =>
  (await memory.search(query, options)).results.map((r) => r.memory);

describe('add', () => {
  it('extracts each fact of a message, with provenance', async () => {
    const { results } = await memory.add([{ role: 'user', content: "I'm vegetarian and I live in Berlin", id: 't1' }], {
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
      userId: 'me',
      site: 'chatgpt',
      conversationId: 'c1',
      sourceTurnIds: ['t1'],
      saidAt: Date.UTC(2026, 0, 5),
      categories: ['location'],
    });
  });

  it('stores messages verbatim with infer: false, assistant turns included', async () => {
    const { results } = await memory.add(
      [
        { role: 'user', content: 'Remind me: the launch is on Friday' },
        { role: 'assistant', content: 'Noted, launch on Friday.' },
      ],
      { infer: false, metadata: { source: 'import' } },
    );
    expect(results.map((r) => r.event)).toEqual(['ADD', 'ADD']);
    expect(await texts()).toEqual(['Noted, launch on Friday.', 'Remind me: the launch is on Friday']);
    expect((await memory.get(results[0]!.id))?.metadata).toEqual({ source: 'import' });
  });

  it('stores the same fact said twice once (NONE the second time)', async () => {
    await memory.add('I live in Berlin');
    const again = await memory.add('i live in berlin.');
    expect(again.results.map((r) => r.event)).toEqual(['NONE']);
    expect(await texts()).toEqual(['I live in Berlin']);
  });

  it('updates a contradicted fact and keeps the old value in history', async () => {
    const first = await memory.add('I live in Berlin');
    clock += 86_400_000;
    const moved = await memory.add('I moved to Amsterdam');
    expect(moved.results).toEqual([
      { id: first.results[0]!.id, memory: 'I moved to Amsterdam', event: 'UPDATE', previousMemory: 'I live in Berlin' },
    ]);
    expect(await texts()).toEqual(['I moved to Amsterdam']);
    const history = await memory.history(first.results[0]!.id);
    expect(history.map((h) => [h.event, h.oldText, h.newText])).toEqual([
      ['ADD', null, 'I live in Berlin'],
      ['UPDATE', 'I live in Berlin', 'I moved to Amsterdam'],
    ]);
    expect((await found('Which city do I live in?', { topK: 1 }))[0]).toBe('I moved to Amsterdam');
  });

  it('answers "now" with the current value and reaches the old one for a question about the past', async () => {
    await memory.add('I live in Berlin');
    clock += 86_400_000;
    await memory.add('I moved to Amsterdam');
    const now = (await memory.search('Which city do I live in?', { topK: 3 })).results;
    expect(now.map((r) => r.memory)).toEqual(['I moved to Amsterdam']);
    const before = (await memory.search('Where did I live before?', { topK: 3 })).results;
    expect(before.map((r) => r.memory)).toEqual(expect.arrayContaining(['I moved to Amsterdam', 'I live in Berlin']));
    expect(before.find((r) => r.memory === 'I live in Berlin')?.supersededAt).toBe(clock);
  });

  it('keeps facts a user has many of (pets, friends) side by side', async () => {
    await memory.add('I have a dog named Max');
    await memory.add('I have a cat named Tom');
    expect(await texts()).toEqual(['I have a cat named Tom', 'I have a dog named Max']);
  });

  it('deletes on "forget that …", keeping the deletion in history', async () => {
    const { results } = await memory.add('I live in Berlin');
    const forget = await memory.add('Forget that I live in Berlin');
    expect(forget.results.map((r) => r.event)).toEqual(['DELETE']);
    expect(await texts()).toEqual([]);
    expect((await memory.history(results[0]!.id)).map((h) => h.event)).toEqual(['ADD', 'DELETE']);
  });

  it('never stores its own injected block', async () => {
    await memory.add(withMemoryBlock(['I have a cat named Tom'], 'What should I call my new fish?'));
    expect(await texts()).toEqual([]);
  });

  it('applies concurrent adds one at a time, so no fact is stored twice', async () => {
    await Promise.all([
      memory.add('I have a dog named Max', { conversationId: 'tab-1' }),
      memory.add('I have a dog named Max', { conversationId: 'tab-2' }),
      memory.add('I work as a nurse', { conversationId: 'tab-1' }),
    ]);
    expect(await texts()).toEqual(['I have a dog named Max', 'I work as a nurse']);
  });
});

describe('search', () => {
  beforeEach(async () => {
    await memory.add("I'm vegetarian and I live in Berlin");
    await memory.add('I have a sister named Anna');
    await memory.add('I work as a software engineer at Siemens');
    await memory.add('I have a dog named Max');
  });

  it('finds what a question needs though it shares no word with it', async () => {
    expect((await found('Can you suggest a restaurant near me for tonight?', RECALL)).sort()).toEqual([
      'I live in Berlin',
      "I'm vegetarian",
    ]);
    expect(await found('What should I cook for dinner?', RECALL)).toEqual(["I'm vegetarian"]);
  });

  it('recalls nothing above the threshold for unrelated questions', async () => {
    for (const q of [
      'Explain how photosynthesis works in plants',
      'How do I reverse a linked list?',
      'What is the capital of France?',
      'Summarize this article about climate policy',
      'Write a haiku about autumn',
    ]) {
      expect(await found(q, RECALL), q).toEqual([]);
    }
  });

  it('answers a question anchored in time with what was said then, though it shares no word with it', async () => {
    await memory.add("I'm learning to play the cello", { saidAt: Date.UTC(2026, 2, 3) });
    await memory.add('I went hiking in the Alps with my cousins', { saidAt: Date.UTC(2026, 6, 12) });
    await memory.add('I adopted a rescue cat called Miso', { saidAt: Date.UTC(2026, 10, 18) });
    expect((await found('What did I get up to in July 2026?', { topK: 1 }))[0]).toBe('I went hiking in the Alps with my cousins');
    expect((await found('What happened in March?', { topK: 1 }))[0]).toBe("I'm learning to play the cello");
    expect((await found('What did I do on 18 November 2026?', { topK: 1 }))[0]).toBe('I adopted a rescue cat called Miso');
    // Before a send (the relevance gate on), the user's own day passes it; a year in a question
    // about the world does not make this year's memories relevant.
    expect((await memory.search('What did I do on 18 November 2026?', { topK: 1, threshold: RECALL.threshold })).results[0]?.memory).toBe(
      'I adopted a rescue cat called Miso',
    );
    expect((await memory.search('What are the best laptops of 2026?', { topK: 5, threshold: RECALL.threshold })).results).toEqual([]);
    expect((await memory.search('Can you help me plan my trip in July?', { topK: 5, threshold: RECALL.threshold })).results).toEqual([]);
    // Without a time, the order is relevance alone.
    expect((await found('Which instrument do I play?', { topK: 1 }))[0]).toBe("I'm learning to play the cello");
  });
  it('returns Mem0-shaped results, best first, at most topK', async () => {
    const { results } = await memory.search('restaurant near me', { topK: 3 });
    expect(results).toHaveLength(3);
    const [best] = results;
    expect(typeof best?.id).toBe('string');
    expect(typeof best?.memory).toBe('string');
    expect(best?.score).toBeGreaterThan(0);
    expect(best?.metadata).toEqual({});
    expect(results.map((r) => r.score)).toEqual(results.map((r) => r.score).sort((a, b) => b - a));
  });

  it('never returns a deleted memory', async () => {
    const berlin = (await memory.getAll()).results.find((r) => r.memory === 'I live in Berlin')!;
    expect((await memory.delete(berlin.id)).deleted).toBe(true);
    expect(await found('Can you suggest a restaurant near me for tonight?', RECALL)).toEqual(["I'm vegetarian"]);
    expect((await memory.delete(berlin.id)).deleted).toBe(false);
  });

  it('handles empty, unknown-word, emoji, right-to-left, HTML and 1 MB queries', async () => {
    expect(await found('')).toEqual([]);
    expect(await found('   \u200B ')).toEqual([]);
    expect(await found('qwzx blorf', RECALL)).toEqual([]);
    expect(await found('🍕🍕🍕', RECALL)).toEqual([]);
    expect(await found('أين أعيش؟', RECALL)).toEqual([]);
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
    expect(await texts({ userId: 'someone-else' })).toEqual(['I live in Oslo']);
    expect(await found('Where do I live?', { userId: 'me' })).not.toContain('I live in Oslo');
  });

  it('filters hierarchical spaces: a space holds its sub-spaces and nothing else', async () => {
    expect(await texts({ space: 'work' })).toEqual(['I use TypeScript at work', 'The Atlas launch is on Friday']);
    expect(await texts({ space: 'work/atlas' })).toHaveLength(2);
    expect(await texts({ space: 'personal' })).toEqual(['I am planning a trip to Lisbon']);
    expect(await found('When is the launch?', { space: 'personal' })).not.toContain('The Atlas launch is on Friday');
  });

  it('scopes agent and session memory', async () => {
    expect(await texts({ agentId: 'claude' })).toEqual(['Answer in German']);
    expect(await texts({ runId: 'chat-42' })).toEqual(['I am debugging the login page']);
  });

  it('expires session memory', async () => {
    clock += 2 * 3_600_000;
    expect(await texts({ runId: 'chat-42' })).toEqual([]);
    expect(await memory.sweepExpired()).toBe(1);
    expect(await db.memories.count()).toBe(6);
  });

  it('combines filters with AND / OR / NOT, on metadata, categories and dates', async () => {
    await memory.add('I am allergic to peanuts', { metadata: { pinned: true, importance: 3 } });
    expect(await texts({ filters: { OR: [{ agentId: 'claude' }, { runId: 'chat-42' }] } })).toEqual([
      'Answer in German',
      'I am debugging the login page',
    ]);
    expect(await texts({ filters: { metadata: { pinned: true } } })).toEqual(['I am allergic to peanuts']);
    expect(await texts({ filters: { metadata: { importance: { in: [2, 3] } } } })).toEqual(['I am allergic to peanuts']);
    expect(await texts({ filters: { category: 'health' } })).toEqual(['I am allergic to peanuts']);
    expect(await texts({ userId: 'me', filters: { AND: [{ space: 'work' }, { NOT: { metadata: { pinned: true } } }] } })).toHaveLength(2);
    expect(await texts({ filters: { createdAt: { gte: clock + 1 } } })).toEqual([]);
    const hits = await found('allergy', { filters: { metadata: { pinned: true } }, topK: 5 });
    expect(hits).toEqual(['I am allergic to peanuts']);
  });

  it('deleteAll removes only what matches, and refuses to run without a scope', async () => {
    expect((await memory.deleteAll({ space: 'work' })).deleted).toBe(2);
    expect(await texts({ space: 'work' })).toEqual([]);
    expect(await db.memories.count()).toBe(5);
    await expect(memory.deleteAll({})).rejects.toThrow(/reset/);
  });

  it('reset forgets everything', async () => {
    await memory.reset();
    expect(await db.memories.count()).toBe(0);
    expect(await found('Where do I live?')).toEqual([]);
    await memory.add('I live in Rome');
    expect(await found('Where do I live?', { topK: 1 })).toEqual(['I live in Rome']);
  });
});

describe('provenance and context', () => {
  it('finds a fact through the words around it in the message it came from', async () => {
    await memory.add([
      { role: 'user', content: 'I took the kids to the museum last weekend. They were stoked for the dinosaur exhibit!', id: 'D1:5' },
    ]);
    await memory.add('I have a dog named Max');
    const { results } = await memory.search('Where did the kids see the dinosaur exhibit?', { topK: 1 });
    expect(results[0]?.memory).toBe('I took the kids to the museum last weekend');
    expect(results[0]?.sourceTurnIds).toEqual(['D1:5']);
  });

  it('records every turn a repeated fact was said in', async () => {
    await memory.add([{ role: 'user', content: 'I live in Berlin', id: 't1' }]);
    const again = await memory.add([{ role: 'user', content: 'I live in Berlin.', id: 't7' }]);
    expect(again.results[0]?.event).toBe('NONE');
    expect((await memory.get(again.results[0]!.id))?.sourceTurnIds).toEqual(['t1', 't7']);
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
      await memory.add(t, { infer: false });
    }
    const top = await found('Who manages Atlas, and where is that person based?', { topK: 3 });
    expect(top.slice(0, 2)).toEqual(['Atlas is managed by Priya', 'Priya is based in Lisbon']);
  });

  it('ranks a memory naming the person the query names above ones that only share its other words', async () => {
    for (const t of ['Priya goes bouldering every Saturday', 'I do yoga on weekends', 'On weekends I sleep in', 'My weekends are for hiking']) {
      await memory.add(t, { infer: false });
    }
    expect((await found('What does Priya do on weekends?', { topK: 1 }))[0]).toBe('Priya goes bouldering every Saturday');
  });

  it('stores the relations each fact states, keeps them in step with edits, and lists them as a graph', async () => {
    await memory.add("I'm working on project Atlas, it's a lot of fun.", { saidAt: Date.UTC(2026, 9, 1) });
    await memory.add('Atlas is managed by Priya', { infer: false });
    await memory.add('My colleague Priya lives in Lisbon', { infer: false });
    const { entities, relations } = await memory.graph();
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
    expect((await memory.get(lisbon.memoryId))?.relations).toEqual([
      { subject: 'user', predicate: 'colleague', object: 'priya' },
      { subject: 'priya', predicate: 'lives in', object: 'lisbon' },
    ]);
    await memory.update(lisbon.memoryId, 'My colleague Priya lives in Porto');
    expect((await memory.graph()).relations.map((r) => r.object)).toContain('porto');
    expect((await memory.graph()).relations.map((r) => r.object)).not.toContain('lisbon');
  });
});

describe('importance', () => {
  it('a memory used in prompts gains weight; the others do not', async () => {
    await memory.add('I drink green tea every morning', { infer: false });
    await memory.add('I drink black coffee every morning', { infer: false });
    const [first, second] = (await memory.search('What do I drink every morning?', { topK: 2 })).results;
    for (let i = 0; i < 8; i++) await memory.noteUse([second!.id]);
    expect((await memory.get(second!.id))?.metadata).toMatchObject({ uses: 8 });
    expect((await memory.history(second!.id)).map((h) => h.event)).toEqual(['ADD']);
    const after = (await memory.search('What do I drink every morning?', { topK: 2 })).results;
    const usedAfter = after.find((r) => r.id === second!.id)!;
    const otherAfter = after.find((r) => r.id === first!.id)!;
    expect(usedAfter.score - second!.score).toBeCloseTo(0.02 * Math.log2(9), 3);
    expect(otherAfter.score).toBeCloseTo(first!.score, 6);
  });

  it('a pinned memory ranks above an equally relevant one', async () => {
    await memory.add('I drink green tea every morning', { infer: false, metadata: { pinned: true } });
    await memory.add('I drink black coffee every morning', { infer: false });
    expect((await found('What do I drink every morning?', { topK: 2 }))[0]).toBe('I drink green tea every morning');
  });

  it('pins and unpins a memory the user chose, without touching its text, vector or history', async () => {
    await memory.add('I drink black coffee every morning', { infer: false });
    const { results } = await memory.add('I drink green tea every morning', { infer: false });
    const id = results[0]!.id;
    const before = await memory.history(id);
    const pinned = await memory.setMetadata(id, { pinned: true });
    expect(pinned.metadata.pinned).toBe(true);
    expect((await found('What do I drink every morning?', { topK: 2 }))[0]).toBe('I drink green tea every morning');
    expect(await memory.history(id)).toEqual(before);
    await memory.setMetadata(id, { pinned: null });
    expect((await memory.get(id))?.metadata).not.toHaveProperty('pinned');
    await expect(memory.setMetadata('no-such-id', { pinned: true })).rejects.toThrow(/no memory with id/);
  });
});

describe('consolidation and profile', () => {
  it('merges near-duplicates said in other words into the most recent, keeping provenance and history', async () => {
    await memory.add([{ role: 'user', content: 'I have two cats named Tom and Jerry', id: 't1' }], { infer: false });
    clock += 1000;
    await memory.add([{ role: 'user', content: 'I have two cats, named Tom and Jerry!', id: 't2' }], { infer: false });
    await memory.add([{ role: 'user', content: 'I have a dog named Max', id: 't3' }], { infer: false });
    expect(await db.memories.count()).toBe(3);
    expect(await memory.consolidate()).toBe(1);
    const { results } = await memory.getAll();
    expect(results.map((r) => r.memory).sort()).toEqual(['I have a dog named Max', 'I have two cats, named Tom and Jerry!']);
    const cats = results.find((r) => r.memory.includes('cats'))!;
    expect(cats.sourceTurnIds.sort()).toEqual(['t1', 't2']);
    expect((await memory.history(cats.id)).at(-1)).toMatchObject({ event: 'UPDATE', reason: 'merged: I have two cats named Tom and Jerry' });
    expect(await memory.consolidate()).toBe(0);
    expect((await memory.search('How many cats do I have?', { topK: 1 })).results[0]?.memory).toBe('I have two cats, named Tom and Jerry!');
  });

  it('keeps a profile: the current value of each attribute, and what the user pinned', async () => {
    await memory.add('I live in Berlin');
    clock += 1000;
    await memory.add('I moved to Amsterdam');
    await memory.add('I work as a nurse');
    await memory.add('I went to the museum last weekend');
    await memory.add('I am allergic to peanuts', { infer: false, metadata: { pinned: true } });
    const profile = (await memory.profile()).map((m) => m.memory);
    expect(profile).toEqual(expect.arrayContaining(['I moved to Amsterdam', 'I work as a nurse', 'I am allergic to peanuts']));
    expect(profile).not.toContain('I live in Berlin');
    expect(profile).not.toContain('I went to the museum last weekend'); // an event, not an attribute
  });
});

describe('update and history', () => {
  it('edits a memory, re-embeds it and records the edit', async () => {
    const { results } = await memory.add('I live in Berlin');
    const id = results[0]!.id;
    await memory.update(id, 'I live in Hamburg');
    expect((await memory.get(id))?.memory).toBe('I live in Hamburg');
    expect((await memory.history(id)).at(-1)).toMatchObject({ event: 'UPDATE', oldText: 'I live in Berlin', newText: 'I live in Hamburg' });
    expect(await found('Which city do I live in?', { topK: 1 })).toEqual(['I live in Hamburg']);
    await expect(memory.update(id, '   ')).rejects.toThrow(/empty/);
    await expect(memory.update('missing', 'x')).rejects.toThrow(/no memory/);
  });
});

describe('bad input', () => {
  it('rejects empty or oversized verbatim memories clearly and stores nothing', async () => {
    await expect(memory.add('x'.repeat(1_000_000), { infer: false })).rejects.toThrow(/at most 2000 characters/);
    expect((await memory.add('', { infer: false })).results).toEqual([]);
    await expect(memory.add([{ role: 'user', content: 42 as unknown as string }])).rejects.toThrow(/no text/);
    expect(await db.memories.count()).toBe(0);
  });

  it('extracts from 1 MB of text without hanging, and keeps emoji, RTL and HTML text intact', async () => {
    const { results } = await memory.add(`I love hiking. ${'blah '.repeat(200_000)}`);
    expect(results.map((r) => r.memory)).toEqual(['I love hiking']);
    await memory.add('<b>I like bold coffee</b> 🐈‍⬛ and I live in תל אביב', { infer: false });
    expect(await texts()).toContain('<b>I like bold coffee</b> 🐈‍⬛ and I live in תל אביב');
  });

  it('reports a full disk clearly, loses nothing, and keeps working', async () => {
    await memory.add('I live in Berlin');
    const quota = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const spy = vi.spyOn(db.memories, 'bulkPut').mockImplementation(() => Promise.reject(quota) as never);
    await expect(memory.add('I have a dog named Max')).rejects.toBeInstanceOf(StorageFullError);
    spy.mockRestore();
    expect(await texts()).toEqual(['I live in Berlin']);
    await memory.add('I have a dog named Max');
    expect(await texts()).toEqual(['I have a dog named Max', 'I live in Berlin']);
  });

  it('says clearly when the embedding model cannot load, and stores nothing', async () => {
    const { TransformersEmbedder } = await import('../../src/adapters/transformers-embedder');
    const broken = new TransformersEmbedder({ modelId: 'no-such-model', localModelPath: '/nonexistent/' });
    const engine = testEngine({ embedder: broken });
    await expect(engine.memory.add('I live in Berlin')).rejects.toThrow(/could not load the embedding model "no-such-model"/);
    expect(await engine.db.memories.count()).toBe(0);
  });
});
