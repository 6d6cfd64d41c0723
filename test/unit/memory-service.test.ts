// @vitest-environment node
/**
 * The walking skeleton's memory engine on the real bundled model and real Dexie (on
 * fake-indexeddb): what is captured, what is recalled, and what is never stored.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DexieMemoryStore } from '../../src/adapters/dexie-store';
import { EngramDatabase } from '../../src/db/schema';
import { MemoryService } from '../../src/engine/memory-service';
import { withMemoryBlock } from '../../src/inject/memory-block';
import type { CapturedTurn } from '../../src/messaging/protocol';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
let db: EngramDatabase;
let service: MemoryService;

const turn = (text: string, conversationId = 'c1'): CapturedTurn => ({
  site: 'chatgpt',
  conversationId,
  text,
  sentAt: Date.UTC(2026, 10, 23, 12),
});

beforeAll(async () => {
  await embedder.load();
});

beforeEach(() => {
  db = new EngramDatabase('engram-test', { indexedDB: new IDBFactory() });
  service = new MemoryService({ store: new DexieMemoryStore(db), embedder });
});

const recalled = async (query: string): Promise<string[]> => (await service.recall(query)).map((m) => m.text);

describe('capture', () => {
  it('stores each fact of a message, with its site, conversation and time', async () => {
    await service.capture(turn("I'm vegetarian and I live in Berlin"));
    const all = await db.memories.toArray();
    expect(all.map((m) => m.text).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    for (const m of all) {
      expect(m).toMatchObject({ site: 'chatgpt', conversationId: 'c1', createdAt: Date.UTC(2026, 10, 23, 12) });
      expect(m.embedding).toBeInstanceOf(Float32Array);
      expect(m.embedding).toHaveLength(100);
    }
  });

  it('stores a fact said twice once', async () => {
    await service.capture(turn('I live in Berlin'));
    await service.capture(turn('I live in Berlin.', 'c2'));
    await service.capture(turn('i live in berlin'));
    expect(await db.memories.count()).toBe(1);
  });

  it('never stores its own injected block, even when the user sends it back', async () => {
    await service.capture(turn("I'm vegetarian and I live in Berlin"));
    const injected = withMemoryBlock(["I'm vegetarian", 'I live in Berlin'], 'Can you suggest a restaurant near me?');
    await service.capture(turn(injected));
    await service.capture(turn(withMemoryBlock(['I have a cat named Tom'], 'What should I call my new fish?')));
    expect((await service.list()).map((m) => m.text).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);
  });

  it('stores nothing from questions and requests', async () => {
    await service.capture(turn('Can you suggest a restaurant near me for tonight?'));
    await service.capture(turn('Please write a haiku about autumn'));
    expect(await db.memories.count()).toBe(0);
  });

  it('applies concurrent captures one at a time, so no fact is stored twice', async () => {
    await Promise.all([
      service.capture(turn('I have a dog named Max', 'tab-1')),
      service.capture(turn('I have a dog named Max', 'tab-2')),
      service.capture(turn('I work as a nurse', 'tab-1')),
    ]);
    expect((await service.list()).map((m) => m.text).sort()).toEqual(['I have a dog named Max', 'I work as a nurse']);
  });
});

describe('recall', () => {
  beforeEach(async () => {
    await service.capture(turn("I'm vegetarian and I live in Berlin"));
    await service.capture(turn('My sister is a doctor'));
    await service.capture(turn('I work as a software engineer at Siemens'));
    await service.capture(turn('I have a dog named Max'));
  });

  it('finds the facts a question needs though they share no word with it', async () => {
    expect((await recalled('Can you suggest a restaurant near me for tonight?')).sort()).toEqual([
      'I live in Berlin',
      "I'm vegetarian",
    ]);
    expect(await recalled('What should I cook for dinner?')).toEqual(["I'm vegetarian"]);
  });

  it('recalls nothing for unrelated questions', async () => {
    for (const q of [
      'Explain how photosynthesis works in plants',
      'How do I reverse a linked list?',
      'What is the capital of France?',
      'Summarize this article about climate policy',
      'Write a haiku about autumn',
    ]) {
      expect(await recalled(q), q).toEqual([]);
    }
  });

  it('ranks best first, never more than topK, and skips memories of another model', async () => {
    const results = await service.recall('Can you suggest a restaurant near me for tonight?', { threshold: -1, topK: 3 });
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
    await db.memories.toCollection().modify({ model: 'some-other-model' });
    expect(await service.recall('restaurant', { threshold: -1 })).toEqual([]);
  });

  it('never recalls a deleted memory', async () => {
    const berlin = (await service.list()).find((m) => m.text === 'I live in Berlin');
    expect(berlin).toBeDefined();
    expect(await service.delete(berlin!.id)).toBe(true);
    expect(await recalled('Can you suggest a restaurant near me for tonight?')).toEqual(["I'm vegetarian"]);
    expect(await service.delete(berlin!.id)).toBe(false);
  });

  it('handles empty, unknown-word and huge queries', async () => {
    expect(await recalled('')).toEqual([]);
    expect(await recalled('qwzx blorf')).toEqual([]); // no known word: no direction, no match
    const huge = 'restaurant near me '.repeat(50_000);
    expect(await service.recall(huge)).toBeInstanceOf(Array);
  });
});

describe('storage errors', () => {
  it('reports a full disk clearly and keeps what was stored', async () => {
    await service.capture(turn('I live in Berlin'));
    const quota = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    vi.spyOn(db.memories, 'bulkPut').mockImplementation(() => Promise.reject(quota) as never);
    await expect(service.capture(turn('I have a dog named Max'))).rejects.toThrow(/storage is full/);
    expect((await service.list()).map((m) => m.text)).toEqual(['I live in Berlin']);
    // The engine keeps working after the failure.
    expect(await recalled('Where do I live?')).toBeInstanceOf(Array);
  });
});
