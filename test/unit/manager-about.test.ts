// @vitest-environment node
/**
 * The memory manager's "About you" and its dates (issue 15), with the real engine: the profile and
 * the entities read from the memories listed first (the same as the engine's over every memory,
 * for a store this small), kept for their revision; and a memory's date is when it was said (an
 * import's old chats keep their dates), for the order and the date filter alike.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ABOUT_SCAN } from '../../src/background/manager/about';
import { createMemoryManager } from '../../src/background/manager/manager';
import { MINE } from '../../src/background/manager/filter';
import { bundledEmbedder } from '../support/model';
import { managerSetup } from '../support/manager';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const DAY = 86_400_000;

describe('about', () => {
  it('is the engine’s profile and entities, from the memories listed first, and kept until the store changes', async () => {
    const s = managerSetup(embedder);
    await s.remember('I live in Berlin', { site: 'chatgpt' });
    const vegetarian = await s.remember("I'm vegetarian", { site: 'claude' });
    await s.remember('My sister Priya lives in Lisbon');
    await s.remember('I work with Priya on the Atlas project');
    await s.memory.setMetadata(vegetarian, { pinned: true });
    expect(ABOUT_SCAN).toBeGreaterThan(4);

    const about = await s.manager.about();
    const [profile, graph] = await Promise.all([s.memory.profile({ filters: MINE }), s.memory.graph({ filters: MINE })]);
    expect(about.profile.map((m) => m.id).sort()).toEqual(profile.map((m) => m.id).sort());
    expect(about.entities).toEqual(graph.entities);
    expect(about.entities[0]).toEqual({ name: 'priya', memories: 2 });
    expect(about.profile.find((m) => m.id === vegetarian)).toMatchObject({ text: "I'm vegetarian", pinned: true });

    // The same answer while nothing changed; a new one after a change.
    expect(await s.manager.about()).toBe(about);
    await s.remember('My dog is called Max');
    const after = await s.manager.about();
    expect(after).not.toBe(about);
    expect(after.entities.map((e) => e.name)).toContain('max');
  });

  it('after a forget or an edit reads again only the memories that changed, and answers as a fresh read would', async () => {
    const s = managerSetup(embedder);
    const berlin = await s.remember('I live in Berlin');
    const priya = await s.remember('My sister Priya lives in Lisbon');
    const atlas = await s.remember('I work with Priya on the Atlas project');
    const max = await s.remember('My dog is called Max');
    const read: string[][] = [];
    const getMany = s.store.getMany.bind(s.store);
    s.store.getMany = async (ids) => {
      read.push([...ids]);
      return getMany(ids);
    };
    const fresh = () => createMemoryManager({ ...s, ready: Promise.resolve(), now: s.now }).about();
    await s.manager.about();
    expect(read.flat()).toHaveLength(4);

    // Forgotten: nothing read again, and the dog is gone from the entities.
    await s.manager.deleteMemories({ ids: [max] });
    read.length = 0; // (the forget's own reads aside)
    const afterForget = await s.manager.about();
    expect(read.flat()).toEqual([]);
    expect(afterForget.entities.map((e) => e.name)).not.toContain('max');
    expect(afterForget).toEqual(await fresh());

    // Edited: that memory alone is read again, with its new text.
    await s.memory.update(priya, 'My sister Anika lives in Lisbon');
    read.length = 0;
    const afterEdit = await s.manager.about();
    expect(read.flat()).toEqual([priya]);
    expect(afterEdit.entities.map((e) => e.name)).toContain('anika');
    expect(afterEdit).toEqual(await fresh());

    // Locked (the manager's texts dropped): nothing read in clear is kept; the next answer reads them all.
    read.length = 0;
    s.rows.texts.drop();
    await s.manager.about();
    expect(read.flat().sort()).toEqual([berlin, priya, atlas].sort());
  });
});

describe('a memory’s date', () => {
  it('is when it was said: an imported old chat lists after today’s, and the date filter leaves it out', async () => {
    const s = managerSetup(embedder);
    const today = await s.remember('I live in Berlin');
    // Stored after it, but said a year before (an imported chat).
    const saidAt = s.now() - 400 * DAY;
    const old = await s.remember('I ran the Berlin marathon', { saidAt });
    const page = await s.manager.page({ filter: {}, offset: 0, limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual([today, old]);
    expect(page.items[1]).toMatchObject({ saidAt });
    const lastWeek = await s.manager.page({ filter: { from: s.now() - 7 * DAY }, offset: 0, limit: 10 });
    expect(lastWeek.items.map((m) => m.id)).toEqual([today]);
    // A search with the same date filter too.
    const searched = await s.manager.page({ filter: { text: 'Berlin', from: s.now() - 7 * DAY }, offset: 0, limit: 10 });
    expect(searched.items.map((m) => m.id)).toEqual([today]);
  });
});
