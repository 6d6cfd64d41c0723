// @vitest-environment node
/**
 * Every Dexie migration, run on fake-indexeddb: a profile from an older version opens in the new
 * schema with nothing lost, and the engine works on the upgraded data.
 */
import Dexie from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { EngramDatabase } from '../../src/db/schema';
import { createEngine } from '../../src/engine/create-engine';
import { bundledEmbedder } from '../support/model';

describe('v1 (walking skeleton) → v2 (memory engine)', () => {
  it('moves embeddings to the vectors table, assigns labels and scopes, and keeps every memory', async () => {
    const indexedDB = new IDBFactory();
    const embedder = bundledEmbedder();
    const [berlin, veg] = await embedder.embedBatch(['I live in Berlin', "I'm vegetarian"]);
    const v1 = new Dexie('engram', { indexedDB, IDBKeyRange });
    v1.version(1).stores({ memories: 'id, site, conversationId, createdAt' });
    await v1.table('memories').bulkAdd([
      { id: 'a', text: 'I live in Berlin', categories: ['location'], embedding: berlin, model: embedder.modelId, site: 'chatgpt', conversationId: 'c1', createdAt: 1000, updatedAt: 1000 },
      { id: 'b', text: "I'm vegetarian", embedding: veg, model: embedder.modelId, site: 'claude', conversationId: 'c2', createdAt: 2000, updatedAt: 2000 },
    ]);
    v1.close();

    const db = new EngramDatabase('engram', { indexedDB, IDBKeyRange });
    const memories = await db.memories.orderBy('label').toArray();
    expect(memories.map((m) => [m.id, m.label, m.text, m.userId, m.site, m.saidAt])).toEqual([
      ['a', 1, 'I live in Berlin', 'me', 'chatgpt', 1000],
      ['b', 2, "I'm vegetarian", 'me', 'claude', 2000],
    ]);
    expect(memories[0]).not.toHaveProperty('embedding');
    expect(memories[1]?.categories).toEqual([]);
    const vectors = await db.vectors.toArray();
    expect(vectors.map((v) => [v.memoryId, v.label, v.vector.length])).toEqual([
      ['a', 1, 100],
      ['b', 2, 100],
    ]);

    // The engine picks up where the skeleton left off: search works, new labels do not collide.
    const { memory } = createEngine({ db, embedder });
    const { results } = await memory.search('Which city do I live in?', { filters: { user_id: 'me' }, topK: 1, threshold: 0 });
    expect(results[0]?.memory).toBe('I live in Berlin');
    await memory.add('I have a dog named Max', { userId: 'me' });
    expect((await db.memories.orderBy('label').last())?.label).toBe(3);
    db.close();
  });
});
