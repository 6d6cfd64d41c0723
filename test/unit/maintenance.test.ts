// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { CONSOLIDATE_EVERY_MS, maintain } from '../../src/background/maintenance';
import { TurnQueue } from '../../src/background/turn-queue';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { testEngine } from '../support/engine';

describe('maintain', () => {
  it('drains queued turns, drops expired sessions, and merges near-duplicates at most every 6 hours', async () => {
    const start = Date.UTC(2026, 10, 23);
    let clock = start;
    const { memory, store, db } = testEngine({ now: () => clock });
    const queue = new TurnQueue(new DexieTurnStore(db), memory, { now: () => clock });
    await queue.enqueue({ site: 'chatgpt', conversationId: 'c', text: 'I have a dog named Max', sentAt: start });
    await memory.add('I am debugging the login page', { userId: 'me', runId: 'chat-1', sessionTtlMs: 1000, infer: false });
    await memory.add('I have two cats named Tom and Jerry', { userId: 'me', infer: false });
    clock += 2000;
    await memory.add('I have two cats, named Tom and Jerry!', { userId: 'me', infer: false });

    await maintain({ queue, memory, store }, clock);
    const texts = async () => (await memory.getAll({ filters: { user_id: 'me' } })).results.map((r) => r.memory).sort();
    expect(await texts()).toEqual(['I have a dog named Max', 'I have two cats, named Tom and Jerry!']);

    await memory.add('I have a dog, named Max!', { userId: 'me', infer: false });
    await maintain({ queue, memory, store }, clock + 60_000); // too soon to consolidate again
    expect(await texts()).toHaveLength(3);
    await maintain({ queue, memory, store }, clock + CONSOLIDATE_EVERY_MS + 1);
    expect(await texts()).toHaveLength(2);
  });
});
