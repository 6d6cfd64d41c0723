/**
 * Engram's Memory as a developer who knows Mem0's TypeScript SDK (mem0ai/oss 3.x) would use it:
 * the calls, options, defaults, shapes, validation and messages of Mem0, on the device (the
 * bundled model, an in-memory store, the rule-based extractor), created with Mem0's config.
 */
import { createHash } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/engine/memory';
import { ensureBundledModel, MODELS_DIR } from '../support/model';

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let memory: Memory;

beforeAll(() => {
  ensureBundledModel();
});

beforeEach(() => {
  // Mem0's config shape; Engram maps each part to its on-device counterpart.
  memory = new Memory({
    embedder: { provider: 'transformers', config: { modelPath: MODELS_DIR } },
    vectorStore: { provider: 'memory', config: { collectionName: 'memories' } },
    llm: { provider: 'engram' },
  });
});

/** Verbatim memories (infer: false), one per text, for a user. */
async function seed(userId: string, texts: string[], metadata: (i: number) => Record<string, unknown> = () => ({})): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, text] of texts.entries()) {
    const { results } = await memory.add(text, { userId, infer: false, metadata: metadata(i) as Record<string, never> });
    ids.push(results[0]!.id);
  }
  return ids;
}

describe('add', () => {
  it('returns what it added in Mem0’s shape, the event in metadata', async () => {
    const { results } = await memory.add("I'm vegetarian and I live in Berlin", { userId: 'alice' });
    expect(results.map((r) => r.memory).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    for (const r of results) {
      expect(r).toMatchObject({ event: 'ADD', metadata: { event: 'ADD' } });
      expect(typeof r.id).toBe('string');
    }
  });

  it('reports a changed fact as UPDATE with the previous memory', async () => {
    await memory.add('I live in Berlin', { userId: 'alice' });
    const { results } = await memory.add('I moved to Amsterdam', { userId: 'alice' });
    expect(results).toEqual([
      expect.objectContaining({ event: 'UPDATE', memory: 'I moved to Amsterdam', metadata: { event: 'UPDATE', previousMemory: 'I live in Berlin' } }),
    ]);
  });

  it('needs a scope, and trims or converts its ids', async () => {
    await expect(memory.add('I live in Berlin', {})).rejects.toThrow('One of the filters: userId, agentId or runId is required!');
    await expect(memory.add('I live in Berlin', { userId: '   ' })).rejects.toThrow('Invalid userId: cannot be empty or whitespace-only');
    await expect(memory.add('I live in Berlin', { userId: 'al ice' })).rejects.toThrow('Invalid userId: cannot contain whitespace');
    await expect(memory.add('I live in Berlin', undefined as never)).rejects.toThrow('userId, agentId or runId');
    await memory.add('I live in Berlin', { userId: '  alice  ', infer: false });
    await memory.add('I have a dog', { userId: 42, infer: false });
    await memory.add('I like tea', { filters: { user_id: ' bob ' }, infer: false });
    expect((await memory.getAll({ filters: { user_id: 'alice' } })).results.map((r) => r.user_id)).toEqual(['alice']);
    expect((await memory.getAll({ filters: { user_id: '42' } })).results.map((r) => r.memory)).toEqual(['I have a dog']);
    expect((await memory.getAll({ filters: { user_id: 'bob' } })).results.map((r) => r.memory)).toEqual(['I like tea']);
  });

  it('refuses empty input with Mem0’s messages', async () => {
    await expect(memory.add(null as never, { userId: 'a' })).rejects.toThrow('messages is required and cannot be undefined or null');
    await expect(memory.add([], { userId: 'a' })).rejects.toThrow('messages array cannot be empty');
    await expect(memory.add('  ', { userId: 'a' })).rejects.toThrow('messages string cannot be empty');
    await expect(memory.add([{ role: 'user', content: ' ' }], { userId: 'a' })).rejects.toThrow('messages array cannot contain only blank content');
    await expect(memory.add([{ role: 'user' }] as never, { userId: 'a' })).rejects.toThrow('messages[0] must be an object with a string content');
    expect((await memory.getAll({ filters: { user_id: 'a' } })).results).toEqual([]);
  });

  it('stores messages verbatim with infer: false, never the system prompt, and keeps scope out of metadata', async () => {
    const { results } = await memory.add(
      [
        { role: 'system', content: 'You are a helpful assistant' },
        { role: 'user', content: 'Remember: my locker is 42' },
        { role: 'assistant', content: 'Noted, locker 42' },
      ],
      { userId: 'alice', infer: false, metadata: { source: 'import', user_id: 'mallory' } },
    );
    expect(results.map((r) => r.memory)).toEqual(['Remember: my locker is 42', 'Noted, locker 42']);
    const stored = await memory.get(results[0]!.id);
    expect(stored).toMatchObject({ user_id: 'alice', metadata: { source: 'import' } });
    expect(stored?.metadata).not.toHaveProperty('user_id');
  });
});

describe('get', () => {
  it('returns an item in Mem0’s shape, or null', async () => {
    const [id] = await seed('alice', ['I live in Berlin']);
    const item = await memory.get(id!);
    expect(item).toMatchObject({ id, memory: 'I live in Berlin', hash: md5('I live in Berlin'), user_id: 'alice', metadata: {} });
    expect(item?.createdAt).toMatch(ISO);
    expect(item).not.toHaveProperty('agent_id');
    expect(item).not.toHaveProperty('updatedAt');
    expect(await memory.get('no-such-id')).toBeNull();
    await expect(memory.get('  ')).rejects.toThrow('memoryId must be a non-empty string');
  });
});

describe('getAll', () => {
  it('takes the scope in filters (snake_case or camelCase), and requires one', async () => {
    await seed('alice', ['I live in Berlin']);
    await expect(memory.getAll({ userId: 'alice' } as never)).rejects.toThrow(
      'Top-level entity parameters [userId] are not supported in getAll(). Use filters: { user_id: "..." } instead.',
    );
    await expect(memory.getAll({})).rejects.toThrow("filters must contain at least one of: user_id, agent_id, run_id. Example: filters: { user_id: 'u1' }");
    await expect(memory.getAll()).rejects.toThrow('filters must contain at least one of');
    expect((await memory.getAll({ filters: { userId: 'alice' } })).results).toHaveLength(1);
  });

  it('lists oldest first, 20 by default, topK checked', async () => {
    const texts = Array.from({ length: 25 }, (_, i) => `Fact number ${i + 1} about my garden`);
    await seed('alice', texts);
    const { results } = await memory.getAll({ filters: { user_id: 'alice' } });
    expect(results.map((r) => r.memory)).toEqual(texts.slice(0, 20));
    expect((await memory.getAll({ filters: { user_id: 'alice' }, topK: 100 })).results).toHaveLength(25);
    expect((await memory.getAll({ filters: { user_id: 'alice' }, topK: 0 })).results).toEqual([]);
    await expect(memory.getAll({ filters: { user_id: 'alice' }, topK: -1 })).rejects.toThrow('Invalid topK: -1. Must be a non-negative integer.');
    await expect(memory.getAll({ filters: { user_id: 'alice' }, topK: 2.5 })).rejects.toThrow('topK must be a valid integer');
  });

  it('keeps users, agents and runs apart', async () => {
    await memory.add('I like tea', { userId: 'alice', infer: false });
    await memory.add('Answer in German', { userId: 'alice', agentId: 'claude', infer: false });
    await memory.add('I am debugging the login page', { runId: 'chat-42', infer: false });
    await memory.add('I like coffee', { userId: 'bob', infer: false });
    const texts = async (filters: Record<string, unknown>): Promise<string[]> => (await memory.getAll({ filters })).results.map((r) => r.memory);
    expect(await texts({ user_id: 'alice' })).toEqual(['I like tea', 'Answer in German']);
    expect(await texts({ agent_id: 'claude' })).toEqual(['Answer in German']);
    expect(await texts({ run_id: 'chat-42' })).toEqual(['I am debugging the login page']);
    expect(await texts({ user_id: 'bob' })).toEqual(['I like coffee']);
    const run = (await memory.getAll({ filters: { run_id: 'chat-42' } })).results[0];
    expect(run).toMatchObject({ run_id: 'chat-42' });
    expect(run).not.toHaveProperty('user_id');
  });
});

describe('filters', () => {
  beforeEach(async () => {
    await seed('alice', ['I play tennis', 'I play chess', 'I play the Piano', 'I play golf'], (i) => ({
      priority: i + 1,
      kind: ['sport', 'game', 'music', 'sport'][i]!,
      ...(i === 3 ? {} : { tag: `tag-${i}` }),
    }));
  });
  const texts = async (filters: Record<string, unknown>): Promise<string[]> =>
    (await memory.getAll({ filters: { user_id: 'alice', ...filters } })).results.map((r) => r.memory);

  it('supports every operator of Mem0’s filter language', async () => {
    expect(await texts({ kind: 'sport' })).toEqual(['I play tennis', 'I play golf']);
    expect(await texts({ kind: { eq: 'game' } })).toEqual(['I play chess']);
    expect(await texts({ kind: { ne: 'sport' } })).toEqual(['I play chess', 'I play the Piano']);
    expect(await texts({ priority: { gt: 2 } })).toEqual(['I play the Piano', 'I play golf']);
    expect(await texts({ priority: { gte: 2, lte: 3 } })).toEqual(['I play chess', 'I play the Piano']);
    expect(await texts({ priority: { lt: 2 } })).toEqual(['I play tennis']);
    expect(await texts({ kind: { in: ['game', 'music'] } })).toEqual(['I play chess', 'I play the Piano']);
    expect(await texts({ kind: { nin: ['sport'] } })).toEqual(['I play chess', 'I play the Piano']);
    expect(await texts({ memory: { contains: 'Piano' } })).toEqual(['I play the Piano']);
    expect(await texts({ memory: { icontains: 'PIANO' } })).toEqual(['I play the Piano']);
    expect(await texts({ tag: '*' })).toEqual(['I play tennis', 'I play chess', 'I play the Piano']);
    expect(await texts({ OR: [{ kind: 'music' }, { priority: 1 }] })).toEqual(['I play tennis', 'I play the Piano']);
    expect(await texts({ AND: [{ kind: 'sport' }, { priority: { gt: 1 } }] })).toEqual(['I play golf']);
    expect(await texts({ NOT: [{ kind: 'sport' }] })).toEqual(['I play chess', 'I play the Piano']);
    expect(await texts({ created_at: { gte: day(-1) } })).toHaveLength(4);
    expect(await texts({ created_at: { lt: day(-1) } })).toEqual([]);
  });

  it('refuses a malformed filter with an error naming it', async () => {
    await expect(texts({ kind: { like: 'sp%' } })).rejects.toThrow(/filters.*kind.*like/);
    await expect(texts({ kind: { in: 'sport' } })).rejects.toThrow(/filters.*kind.*in/);
    await expect(memory.getAll({ filters: 'alice' as never })).rejects.toThrow('filters must be an object');
  });

  it('applies to search and deleteAll too', async () => {
    const { results } = await memory.search('what do I play', { filters: { user_id: 'alice', kind: 'sport' }, threshold: 0 });
    expect(results.map((r) => r.memory).sort()).toEqual(['I play golf', 'I play tennis']);
    await memory.deleteAll({ userId: 'alice', filters: { kind: 'sport' } });
    expect(await texts({})).toEqual(['I play chess', 'I play the Piano']);
  });
});

describe('search', () => {
  beforeEach(async () => {
    await memory.add("I'm vegetarian and I live in Berlin", { userId: 'alice' });
    await memory.add('I have a dog named Max', { userId: 'alice' });
    await memory.add('I live in Lisbon', { userId: 'bob' });
  });

  it('finds the relevant memories of the scope, scored 0–1, best first', async () => {
    const { results } = await memory.search('Suggest a restaurant near me', { filters: { user_id: 'alice' } });
    // Where they live and what they eat, before their dog.
    expect(results.slice(0, 2).map((r) => r.memory).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect(results.every((r) => r.user_id === 'alice')).toBe(true);
    const scores = results.map((r) => r.score!);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('takes threshold as a bound on similarity: at 1.0 nothing that merely shares words passes', async () => {
    expect((await memory.search('a dog named Max', { filters: { user_id: 'alice' }, threshold: 1 })).results).toEqual([]);
    expect((await memory.search('a dog named Max', { filters: { user_id: 'alice' }, threshold: 0.2 })).results[0]?.memory).toBe('I have a dog named Max');
  });

  it('checks its parameters as Mem0 does', async () => {
    const filters = { user_id: 'alice' };
    await expect(memory.search('x', { filters, threshold: 1.5 })).rejects.toThrow('Invalid threshold: 1.5. Must be between 0 and 1 (inclusive).');
    await expect(memory.search('x', { filters, threshold: -0.1 })).rejects.toThrow('Invalid threshold: -0.1');
    await expect(memory.search('x', { filters, threshold: Number.NaN })).rejects.toThrow('threshold must be a valid number');
    await expect(memory.search('x', { filters, topK: -3 })).rejects.toThrow('Invalid topK: -3. Must be a non-negative integer.');
    await expect(memory.search('x', { userId: 'alice' } as never)).rejects.toThrow('Top-level entity parameters [userId] are not supported in search()');
    await expect(memory.search('x', {})).rejects.toThrow('filters must contain at least one of: user_id, agent_id, run_id');
    expect((await memory.search('dog', { filters, topK: 0 })).results).toEqual([]);
    expect((await memory.search('dog', { filters: { user_id: 'nobody' } })).results).toEqual([]);
  });
});

describe('update, delete, history', () => {
  it('updates text (history keeps the old), metadata or expiry, with Mem0’s messages', async () => {
    const [id] = await seed('alice', ['I live in Berlin']);
    expect(await memory.update(id!, 'I live in Hamburg')).toEqual({ message: 'Memory updated successfully!' });
    expect(await memory.update(id!, { metadata: { verified: true } })).toEqual({ message: 'Memory updated successfully!' });
    const item = await memory.get(id!);
    expect(item).toMatchObject({ memory: 'I live in Hamburg', hash: md5('I live in Hamburg'), metadata: { verified: true } });
    expect(item?.updatedAt).toMatch(ISO);
    await expect(memory.update(id!, {})).rejects.toThrow('At least one of text, metadata, or expirationDate must be provided.');
    await expect(memory.update(id!, undefined as never)).rejects.toThrow('At least one of text, metadata, or expirationDate must be provided.');
    await expect(memory.update(id!, '   ')).rejects.toThrow(/text must be a fact in words/);
    await expect(memory.update('missing', 'I live in Rome')).rejects.toThrow('Memory with ID missing not found');
    expect((await memory.get(id!))?.memory).toBe('I live in Hamburg'); // a refused update changes nothing
  });

  it('gives history newest first in Mem0’s row shape, and forgets the text on delete', async () => {
    const [id] = await seed('alice', ['I live in Berlin']);
    await memory.update(id!, 'I live in Hamburg');
    const rows = await memory.history(id!);
    expect(rows.map((r) => [r.action, r.previous_value, r.new_value, r.is_deleted])).toEqual([
      ['UPDATE', 'I live in Berlin', 'I live in Hamburg', 0],
      ['ADD', null, 'I live in Berlin', 0],
    ]);
    expect(rows[0]?.memory_id).toBe(id);
    expect(rows[0]?.created_at).toMatch(ISO);
    expect(await memory.delete(id!)).toEqual({ message: 'Memory deleted successfully!' });
    expect(await memory.get(id!)).toBeNull();
    const after = await memory.history(id!);
    expect(after[0]).toMatchObject({ action: 'DELETE', is_deleted: 1, new_value: null });
    expect(JSON.stringify(after)).not.toMatch(/Berlin|Hamburg/);
    await expect(memory.delete(id!)).rejects.toThrow(`Memory with ID ${id} not found`);
    expect(await memory.history('unknown')).toEqual([]);
  });

  it('deleteAll needs a scope and deletes only it; reset forgets everything', async () => {
    await seed('alice', ['I like tea', 'I like jazz']);
    await seed('bob', ['I like coffee']);
    await expect(memory.deleteAll({})).rejects.toThrow(
      'At least one filter is required to delete all memories. If you want to delete all memories, use the `reset()` method.',
    );
    expect(await memory.deleteAll({ userId: ' alice ' })).toEqual({ message: 'Memories deleted successfully!', deleted: 2 });
    expect((await memory.getAll({ filters: { user_id: 'alice' } })).results).toEqual([]);
    expect((await memory.getAll({ filters: { user_id: 'bob' } })).results).toHaveLength(1);
    await memory.reset();
    expect((await memory.getAll({ filters: { user_id: 'bob' } })).results).toEqual([]);
  });
});

describe('expiry', () => {
  it('hides a memory after its expiration date from search and getAll, not from get', async () => {
    const { results: [kept] } = await memory.add('I have a dog named Max', { userId: 'alice', infer: false, expirationDate: day(1) });
    const { results: [gone] } = await memory.add('I am at the dentist today', { userId: 'alice', infer: false, expirationDate: day(-1) });
    expect((await memory.get(kept!.id))?.metadata.expiration_date).toBe(day(1));
    const all = async (showExpired?: boolean): Promise<string[]> =>
      (await memory.getAll({ filters: { user_id: 'alice' }, ...(showExpired ? { showExpired } : {}) })).results.map((r) => r.memory);
    expect(await all()).toEqual(['I have a dog named Max']);
    expect(await all(true)).toEqual(['I have a dog named Max', 'I am at the dentist today']);
    expect((await memory.search('dentist', { filters: { user_id: 'alice' }, threshold: 0 })).results.map((r) => r.memory)).not.toContain('I am at the dentist today');
    expect((await memory.get(gone!.id))?.memory).toBe('I am at the dentist today');
    // Clearing the date brings it back; sweeping forgets what is still expired.
    await memory.update(gone!.id, { expirationDate: null });
    expect(await all()).toHaveLength(2);
    await memory.update(kept!.id, { expirationDate: day(-2) });
    expect(await memory.sweepExpired()).toBe(1);
    expect(await memory.get(kept!.id)).toBeNull();
  });

  it('refuses a date that is not YYYY-MM-DD', async () => {
    for (const bad of ['2026-02-30', '30/11/2026', 'tomorrow']) {
      await expect(memory.add('I like tea', { userId: 'alice', expirationDate: bad })).rejects.toThrow('expirationDate must be a valid date in YYYY-MM-DD format.');
    }
    expect((await memory.getAll({ filters: { user_id: 'alice' } })).results).toEqual([]);
  });
});

describe('config', () => {
  it('maps Mem0’s providers to on-device parts and refuses what would leave the device', () => {
    expect(() => new Memory({ embedder: { provider: 'openai', config: {} } })).toThrow(/embedder provider "openai" is not available/);
    expect(() => new Memory({ vectorStore: { provider: 'qdrant' } })).toThrow(/vectorStore provider "qdrant" is not available/);
    expect(() => new Memory({ llm: { provider: 'openai', config: { model: 'gpt-4.1' } } })).toThrow(/needs config.baseURL/);
    expect(() => new Memory({ llm: { provider: 'anthropic' } })).toThrow(/llm provider "anthropic" is not available/);
    expect(Memory.fromConfig({ embedder: { provider: 'engram', config: { modelPath: MODELS_DIR } } })).toBeInstanceOf(Memory);
  });

  it('works with no config at all (bundled model, memory store, rules)', async () => {
    const plain = new Memory();
    await plain.add('I have a cat named Luna', { userId: 'u1' });
    const { results } = await plain.search('my pet', { filters: { user_id: 'u1' } });
    expect(results[0]?.memory).toBe('I have a cat named Luna');
  });
});
