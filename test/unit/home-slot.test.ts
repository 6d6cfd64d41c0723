// @vitest-environment node
/**
 * "I live with three roommates" is not a home (issue 9, finding 11): it is stored beside "I live in
 * Berlin", which stays the user's home in their profile; a real move still replaces it.
 */
import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { Memory } from '../../src/engine/memory';
import { bundledEmbedder } from '../support/model';
import { testEngine } from '../support/engine';

const embedder = bundledEmbedder();
let memory: Memory;
let clock = Date.UTC(2026, 10, 23, 12);

beforeAll(async () => {
  await embedder.load();
});

beforeEach(() => {
  clock = Date.UTC(2026, 10, 23, 12);
  ({ memory } = testEngine({ embedder, now: () => clock }));
});

const texts = async (): Promise<string[]> => (await memory.getAll({ filters: { user_id: 'me' } })).results.map((r) => r.memory).sort();
const profile = async (): Promise<string[]> => (await memory.profile({ filters: { user_id: 'me' } })).map((m) => m.memory);

it.each(['I live with three roommates', 'I live alone', 'I live near the park', 'I live on a budget'])(
  'keeps "I live in Berlin" as the home when the user says %j',
  async (later) => {
    await memory.add('I live in Berlin', { userId: 'me' });
    clock += 86_400_000;
    const { results } = await memory.add(later, { userId: 'me' });
    expect(results.map((r) => r.event)).toEqual(['ADD']);
    expect(await texts()).toEqual(['I live in Berlin', later].sort());
    expect(await profile()).toContain('I live in Berlin');
    expect(await profile()).not.toContain(later);
  },
);

it('still replaces the home when the user moves, or says where they live', async () => {
  await memory.add('I live in Berlin', { userId: 'me' });
  clock += 86_400_000;
  await memory.add('I live with three roommates', { userId: 'me' });
  clock += 86_400_000;
  const { results } = await memory.add('I live in a flat in Kreuzberg', { userId: 'me' });
  expect(results).toMatchObject([{ event: 'UPDATE', metadata: { previousMemory: 'I live in Berlin' } }]);
  clock += 86_400_000;
  expect((await memory.add('I moved to Amsterdam', { userId: 'me' })).results).toMatchObject([{ event: 'UPDATE', metadata: { previousMemory: 'I live in a flat in Kreuzberg' } }]);
  expect(await texts()).toEqual(['I live with three roommates', 'I moved to Amsterdam']);
  expect(await profile()).toContain('I moved to Amsterdam');
});
