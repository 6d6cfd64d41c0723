// @vitest-environment node
/**
 * recall: what a prompt gets, through the very call the extension's send makes (the background's
 * recall handler calls `memory.recall(query, { filters: { user_id: 'me' } })`), on the bundled
 * model and Dexie: the calibrated gate, de-duplication, the token budget, dated lines, use counted.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Memory } from '../../src/engine/memory';
import { calibrate } from '../../src/engine/calibration';
import { RECALL } from '../../src/engine/recall-settings';
import { withMemoryBlock } from '../../src/inject/memory-block';
import type { MemoryStore } from '../../src/ports/memory-store';
import { bundledEmbedder } from '../support/model';
import { testEngine } from '../support/engine';

const embedder = bundledEmbedder();
const ME = { user_id: 'me' };
const SAID = Date.UTC(2026, 2, 3, 12);
let memory: Memory;
let store: MemoryStore;

beforeAll(async () => {
  await embedder.load();
});

beforeEach(async () => {
  ({ memory, store } = testEngine({ embedder, now: () => Date.UTC(2026, 10, 23, 12) }));
  for (const text of ['I live in Berlin', "I'm vegetarian", 'I have a dog named Max', 'I work as a nurse']) {
    await memory.add(text, { userId: 'me', saidAt: SAID });
  }
});

describe('recall', () => {
  it('gives a related prompt its memories as dated lines, and the tokens of their block', async () => {
    const recalled = await memory.recall('Can you suggest a restaurant near me for tonight?', { filters: ME, noteUse: false });
    const texts = recalled.memories.map((m) => m.text);
    expect(texts).toContain('I live in Berlin');
    expect(texts).toContain("I'm vegetarian");
    expect(recalled.memories.find((m) => m.text === 'I live in Berlin')?.line).toBe('I live in Berlin (said 3 Mar 2026)');
    expect(recalled.tokens).toBe(Math.ceil(withMemoryBlock(recalled.memories.map((m) => m.line), '').length / 4));
    expect(recalled.threshold).toBe((await calibrate(embedder)).offTopic);
  });

  it('gives both facts of one message when both are relevant (diversity reorders, it does not drop)', async () => {
    const { memory: fresh } = testEngine({ embedder, now: () => Date.UTC(2026, 10, 23, 12) });
    await fresh.add([{ role: 'user', content: "I'm vegetarian and I live in Berlin", id: 't1' }], { userId: 'me', saidAt: SAID });
    for (const q of ['Can you suggest a restaurant near me for tonight?', 'Any restaurant ideas near me?']) {
      expect((await fresh.recall(q, { filters: ME, noteUse: false })).memories.map((m) => m.text).sort()).toEqual(["I live in Berlin", "I'm vegetarian"]);
    }
  });

  it('leaves out memories far below the best one (the relative floor)', async () => {
    const q = 'Can you suggest a restaurant near me for tonight?';
    const all = await memory.recall(q, { filters: ME, noteUse: false, settings: { relativeFloor: 0 } });
    const best = await memory.recall(q, { filters: ME, noteUse: false, settings: { relativeFloor: 1 } });
    expect(all.memories.length).toBeGreaterThan(1);
    expect(best.memories.map((m) => m.id)).toEqual([all.memories[0]?.id]);
    for (const m of (await memory.recall(q, { filters: ME, noteUse: false })).memories) expect(m.score).toBeGreaterThanOrEqual((all.memories[0]?.score ?? 0) * 0.4);
  });

  it('gives a statement nothing: the user is telling, not asking', async () => {
    const recalled = await memory.recall('My sister Priya lives in Lisbon now.', { filters: ME, noteUse: false });
    expect(recalled).toMatchObject({ memories: [], tokens: 0 });
  });

  it('gives a world question that shares a word with a memory nothing, and the same question about the user its memory', async () => {
    expect((await memory.recall('How long do dogs live?', { filters: ME, noteUse: false })).memories).toEqual([]);
    expect((await memory.recall('How long will my dog live?', { filters: ME, noteUse: false })).memories.map((m) => m.text)).toContain('I have a dog named Max');
  });

  it('reads no prompt when the user asked for memories themselves (readPrompt: false)', async () => {
    const q = 'Tell me about dogs';
    expect((await memory.recall(q, { filters: ME, noteUse: false })).memories).toEqual([]);
    expect((await memory.recall(q, { filters: ME, noteUse: false, readPrompt: false })).memories.map((m) => m.text)).toContain('I have a dog named Max');
  });

  it('gives a prompt about nothing the user said nothing', async () => {
    const recalled = await memory.recall('Explain how photosynthesis works in plants', { filters: ME });
    expect(recalled).toMatchObject({ memories: [], tokens: 0 });
  });

  it('keeps to the scope asked, and merges several scopes', async () => {
    await memory.add('My cat Luna sleeps all day', { userId: 'bob', saidAt: SAID });
    const mine = await memory.recall('How do I keep my dog and my cat calm?', { filters: ME, noteUse: false });
    expect(mine.memories.map((m) => m.text)).toContain('I have a dog named Max');
    expect(mine.memories.map((m) => m.text)).not.toContain('My cat Luna sleeps all day');
    const both = await memory.recall('How do I keep my dog and my cat calm?', { scopes: [ME, { user_id: 'bob' }], noteUse: false });
    expect(both.memories.map((m) => m.text)).toEqual(expect.arrayContaining(['I have a dog named Max', 'My cat Luna sleeps all day']));
    await expect(memory.recall('Where do I live?', { filters: {} })).rejects.toThrow('filters must contain at least one of');
  });

  it('stays within the budget and the item count, without near-duplicates', async () => {
    for (let i = 0; i < 12; i++) await memory.add(`I like hiking trail number ${i} near Berlin`, { userId: 'me', infer: false, saidAt: SAID });
    const query = 'Plan a hiking weekend near Berlin for me';
    const recalled = await memory.recall(query, { filters: ME, noteUse: false });
    const trails = recalled.memories.filter((m) => m.text.startsWith('I like hiking trail'));
    expect(trails).toHaveLength(1); // twelve near-duplicates: only the best goes in
    expect(recalled.memories.length).toBeLessThanOrEqual(RECALL.topK);
    expect(recalled.tokens).toBeLessThanOrEqual(RECALL.budgetTokens);
    const restaurant = 'Can you suggest a restaurant near me for tonight?';
    expect((await memory.recall(restaurant, { filters: ME, noteUse: false })).memories.length).toBeGreaterThan(1);
    expect((await memory.recall(restaurant, { filters: ME, noteUse: false, settings: { topK: 1 } })).memories).toHaveLength(1);
    const tight = await memory.recall(restaurant, { filters: ME, noteUse: false, settings: { budgetTokens: 60 } });
    expect(tight.tokens).toBeLessThanOrEqual(60);
    expect(tight.memories).toHaveLength(1);
  });

  it('counts what it injected as used, unless told not to', async () => {
    const { memories } = await memory.recall('What should I cook for dinner?', { filters: ME });
    const id = memories.find((m) => m.text === "I'm vegetarian")?.id;
    expect(id).toBeDefined();
    await memory.noteUse([]); // writes are serial: this resolves once the deferred count landed
    expect((await store.get(id!))?.metadata.uses).toBe(1);
    await memory.recall('What should I cook for dinner?', { filters: ME, noteUse: false });
    await memory.reset(); // the deferred use count must not resurrect anything
    expect(await store.get(id!)).toBeUndefined();
  });

  it('takes an explicit threshold, checked as Mem0 checks one', async () => {
    expect((await memory.recall('What tricks can a dog named Max learn?', { filters: ME, threshold: 1 })).memories.map((m) => m.text)).toEqual([
      'I have a dog named Max', // shares two words: the lexical evidence still counts for a prompt
    ]);
    await expect(memory.recall('x', { filters: ME, threshold: 2 })).rejects.toThrow('Invalid threshold: 2');
  });
});
