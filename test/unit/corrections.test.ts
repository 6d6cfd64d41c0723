// @vitest-environment node
/**
 * A user's edit is a correction, not a change in their life (issue 9, finding 10): the corrected
 * text never comes back as a past value ("no longer true"), while a real change still does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

describe('corrections', () => {
  it('never returns the text the user corrected as a past value', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const { memory } = testEngine({ embedder, now: () => clock });
    await memory.add('I live in Berlin', { userId: 'me' });
    const [home] = (await memory.getAll({ filters: { user_id: 'me' } })).results;
    clock += 86_400_000;
    await memory.update(home!.id, 'I live in Munich');

    const { results } = await memory.search('Where did I live before?', { filters: { user_id: 'me' }, threshold: 0 });
    expect(results.map((r) => r.memory)).toContain('I live in Munich');
    expect(results.some((r) => r.memory.includes('Berlin'))).toBe(false);
    expect(results.every((r) => r.supersededAt === undefined)).toBe(true);
    // History records the correction as one.
    const last = (await memory.history(home!.id))[0]; // newest first
    expect(last).toMatchObject({ action: 'UPDATE', previous_value: 'I live in Berlin', new_value: 'I live in Munich', correction: true });

    // A real move afterwards: Munich is now a past value, Berlin still never is.
    clock += 86_400_000;
    const { results: moved } = await memory.add('I moved to Hamburg', { userId: 'me' });
    expect(moved.map((r) => r.event)).toEqual(['UPDATE']);
    const { results: before } = await memory.search('Where did I live before?', { filters: { user_id: 'me' }, threshold: 0 });
    const past = before.filter((r) => r.supersededAt !== undefined).map((r) => r.memory);
    expect(past).toEqual(['I live in Munich']);
    expect(before.some((r) => r.memory.includes('Berlin'))).toBe(false);
  });
});
