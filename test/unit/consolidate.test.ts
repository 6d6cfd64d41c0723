/**
 * Consolidation merges near-duplicates as before, and never holds up a recall: it works in slices
 * outside the write queue, and only writes pairs no other write changed meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { statements } from '../../bench/statements';
import { testEngine } from '../support/engine';

const ME = { user_id: 'me' };

describe('consolidate', () => {
  it('merges the same fact said twice into the newest, across a store past the HNSW crossover', async () => {
    const { memory } = testEngine();
    await memory.addMany(statements(600).map((text, i) => ({ messages: text, saidAt: 1_000_000 + i })), { userId: 'me', infer: false });
    // The same fact in other words, said later; verbatim so that both are stored.
    await memory.add('My sister Priya lives in Lisbon and works near the sushi place', { userId: 'me', infer: false, saidAt: 9_000_000 });
    await memory.add('My sister, Priya, lives in Lisbon and works near the sushi place.', { userId: 'me', infer: false, saidAt: 9_000_001 });
    const before = (await memory.getAll({ filters: ME, topK: 10_000 })).results.length;
    expect(await memory.consolidate()).toBe(1);
    const after = (await memory.getAll({ filters: ME, topK: 10_000 })).results;
    expect(after).toHaveLength(before - 1);
    const kept = after.filter((m) => /^My sister,? Priya,? lives in Lisbon and works near the sushi place/.test(m.memory));
    expect(kept.map((m) => m.memory)).toEqual(['My sister, Priya, lives in Lisbon and works near the sushi place.']);
    const history = await memory.history(kept[0]!.id);
    expect(history[0]).toMatchObject({ action: 'UPDATE', reason: 'merged: My sister Priya lives in Lisbon and works near the sushi place' });
    expect(await memory.consolidate()).toBe(0); // nothing left to merge
  });

  it('keeps facts that share most words but not all (another person, another relation, another year)', async () => {
    const { memory } = testEngine();
    for (const text of ['I went to Lisbon with Priya in March 2012', 'I went to Lisbon with Tom in March 2012', 'I went to Lisbon with Priya in March 2014', 'My sister Priya lives in Lisbon', 'My friend Priya lives in Lisbon']) {
      await memory.add(text, { userId: 'me', infer: false });
    }
    expect(await memory.consolidate()).toBe(0);
  });

  it('lets a search through while it works, and skips a pair a write changed meanwhile', async () => {
    const { memory } = testEngine();
    await memory.addMany(statements(3000).map((text) => ({ messages: text })), { userId: 'me', infer: false });
    const a = await memory.add('I keep my bike in the shed behind the house', { userId: 'me', infer: false, saidAt: 5 });
    await memory.add('I keep my bike in the shed, behind the house', { userId: 'me', infer: false, saidAt: 6 });
    const order: string[] = [];
    const consolidating = memory.consolidate().then((n) => {
      order.push('consolidated');
      return n;
    });
    const searching = memory.search('Where do I keep my bike?', { filters: ME, topK: 3 }).then((r) => {
      order.push('searched');
      return r;
    });
    // Meanwhile the older twin is edited: that pair is no longer the same fact, and is left alone.
    await memory.update(a.results[0]!.id, 'I keep my bike in the garage');
    const [merged, found] = await Promise.all([consolidating, searching]);
    expect(order[0]).toBe('searched');
    expect(found.results.length).toBeGreaterThan(0);
    expect(merged).toBe(0);
    const texts = (await memory.getAll({ filters: ME, topK: 10_000 })).results.map((m) => m.memory);
    expect(texts).toContain('I keep my bike in the garage');
    expect(texts).toContain('I keep my bike in the shed, behind the house');
  });
});
