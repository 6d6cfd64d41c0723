// @vitest-environment node
/**
 * Every port has one real adapter and an in-memory double that keep the same contract: the
 * engine behaves the same on Dexie and on the in-memory store, with the real model and with the
 * hashing embedder double.
 */
import { describe, expect, it } from 'vitest';
import { DexieMemoryStore } from '../../src/adapters/dexie-store';
import { createEngine } from '../../src/engine/create-engine';
import type { Embedder } from '../../src/ports/embedder';
import type { Extractor } from '../../src/ports/extractor';
import type { MemoryStore } from '../../src/ports/memory-store';
import { freshDb } from '../support/engine';
import { HashingEmbedder } from '../support/fake-embedder';
import { InMemoryStore } from '../../src/adapters/in-memory-store';
import { bundledEmbedder } from '../support/model';

const stores: [string, () => MemoryStore][] = [
  ['DexieMemoryStore', () => new DexieMemoryStore(freshDb())],
  ['InMemoryStore', () => new InMemoryStore()],
];
const embedders: [string, () => Embedder][] = [
  ['TransformersEmbedder (bundled model)', bundledEmbedder],
  ['HashingEmbedder', () => new HashingEmbedder()],
];

describe.each(stores)('MemoryStore: %s', (_name, makeStore) => {
  describe.each(embedders)('with %s', (_e, makeEmbedder) => {
    it('adds, updates on contradiction, searches, deletes and keeps history the same way', async () => {
      const store = makeStore();
      const { memory } = createEngine({ store, embedder: makeEmbedder(), hnsw: null });
      const added = await memory.add('I live in Berlin. I have a dog named Max.', { userId: 'me' });
      expect(added.results.map((r) => r.event)).toEqual(['ADD', 'ADD']);
      const moved = await memory.add('I moved to Amsterdam', { userId: 'me' });
      expect(moved.results[0]).toMatchObject({ event: 'UPDATE', metadata: { previousMemory: 'I live in Berlin' } });
      expect((await memory.add('I have a dog named Max', { userId: 'me' })).results).toEqual([]); // NONE
      expect(await store.count()).toBe(2);
      const { results } = await memory.search('dog named Max', { filters: { user_id: 'me' }, topK: 1, threshold: 0 });
      expect(results[0]?.memory).toBe('I have a dog named Max');
      const revision = await store.revision();
      await memory.delete(results[0]!.id);
      expect(await store.revision()).toBeGreaterThan(revision);
      expect((await memory.getAll({ filters: { user_id: 'me' } })).results.map((r) => r.memory)).toEqual(['I moved to Amsterdam']);
      expect((await memory.history(results[0]!.id)).map((h) => h.action)).toEqual(['DELETE', 'ADD']);
      await memory.reset();
      expect(await store.count()).toBe(0);
    });
  });
});

describe('Extractor port', () => {
  it('takes any extractor: a double that returns scripted facts drives the same update step', async () => {
    const scripted: Extractor = {
      name: 'scripted',
      extract: () =>
        Promise.resolve([{ text: 'User works at Globex', slot: 'job', categories: ['work'], forget: false, sourceTurnIds: ['m1'] }]),
    };
    const { memory } = createEngine({ store: new InMemoryStore(), embedder: new HashingEmbedder(), extractor: scripted });
    const { results } = await memory.add('whatever the user said', { userId: 'me' });
    expect(results).toMatchObject([{ memory: 'User works at Globex', event: 'ADD' }]);
    expect((await memory.get(results[0]!.id))?.sourceTurnIds).toEqual(['m1']);
  });
});
