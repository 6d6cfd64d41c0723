// @vitest-environment node
/**
 * What the parsers give, handed to the engine as the import will hand it (addMany): chat
 * messages are extracted with their dates and provenance, saved memories and Mem0 records are
 * stored as they are, and importing the same file a second time adds nothing. On Dexie
 * (fake-indexeddb) with a deterministic embedder and the rule-based extractor.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChatGptExport } from '../../src/data/chatgpt-export';
import { parseClaudeExport } from '../../src/data/claude-export';
import { addManyItemOf, addManyMemoryOf } from '../../src/data/imported';
import { parseMem0 } from '../../src/data/mem0';
import { parseSavedMemories } from '../../src/data/saved-memories';
import { HashingEmbedder } from '../support/fake-embedder';
import { testEngine } from '../support/engine';

const read = (path: string): string => readFileSync(new URL(`../fixtures/exports/${path}`, import.meta.url), 'utf8');
const engine = () => testEngine({ embedder: new HashingEmbedder(), hnsw: null, now: () => Date.UTC(2026, 0, 1) });

describe('imported into the engine', () => {
  it('a chat history becomes memories dated when they were said, with their provenance; a second import adds nothing', async () => {
    const { memory, db } = engine();
    const messages = [...parseChatGptExport(JSON.parse(read('chatgpt/conversations.json'))).items, ...parseClaudeExport(JSON.parse(read('claude/conversations.json'))).items];
    const first = await memory.addMany(messages.map(addManyItemOf), { userId: 'me' });
    expect(first.added).toBeGreaterThan(3);
    expect(first.skipped).toBe(0);
    const stored = await db.memories.toArray();
    const lisbon = stored.find((m) => /lisbon/i.test(m.text) && m.site === 'chatgpt');
    expect(lisbon).toMatchObject({ site: 'chatgpt', conversationId: 'conv-lisbon', saidAt: Date.UTC(2024, 2, 1, 11, 0, 10, 250), sourceTurnIds: ['chatgpt/conv-lisbon/l-u1'], metadata: { importedFrom: 'chatgpt' } });
    // The abandoned branches were never read.
    expect(stored.some((m) => /I have a cat\b|I don't like lentils/.test(m.text))).toBe(false);

    const second = await memory.addMany(messages.map(addManyItemOf), { userId: 'me' });
    expect([second.added, second.updated, second.deleted]).toEqual([0, 0, 0]);
    expect(await db.memories.count()).toBe(stored.length);
  });

  it('saved memories and Mem0 records are stored as they are, dated; a second import adds nothing', async () => {
    const { memory, db } = engine();
    const memories = [...parseSavedMemories(read('claude-memories.txt')).items, ...parseMem0(JSON.parse(read('mem0-getall.json'))).items];
    const first = await memory.addMany(memories.map(addManyMemoryOf), { userId: 'me', infer: false });
    expect([first.added, first.skipped]).toEqual([memories.length, 0]);
    const byText = new Map((await db.memories.toArray()).map((m) => [m.text, m]));
    expect(byText.get('Works as a nurse at Hospital de Santa Maria in Lisbon')).toMatchObject({ saidAt: Date.UTC(2025, 2, 14), metadata: { importedFrom: 'saved-memories' } });
    expect(byText.get('Is planning a trip to Japan in April')).toMatchObject({ saidAt: Date.UTC(2025, 2, 1, 12), expiresAt: Date.UTC(2025, 4, 1), metadata: { importedFrom: 'mem0' } });
    expect(byText.get('Is allergic to peanuts')?.metadata).toEqual({ source: 'onboarding', confidence: 0.9, importedFrom: 'mem0' });

    const second = await memory.addMany(memories.map(addManyMemoryOf), { userId: 'me', infer: false });
    expect(second.added).toBe(0);
    expect(await db.memories.count()).toBe(memories.length);
  });
});
