// @vitest-environment node
/**
 * Retention (engine/retention.ts, background/data/retention.ts, the maintenance alarm): "forget
 * memories not used in N days" forgets exactly those unused past N days that are not pinned;
 * expiry dates reached and conversations over end their memories; every one of them is recorded
 * in history as expired, without its text, as any forget. Dexie on fake-indexeddb, the real engine.
 */
import { describe, expect, it } from 'vitest';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { readRetention, RETENTION_SETTING, retentionSettingsOf, setExpiry, writeRetention } from '../../src/background/data/retention';
import { maintain } from '../../src/background/maintenance';
import { TurnQueue } from '../../src/background/turn-queue';
import { CONVERSATION_IDLE_MS, DAY_MS, EXPIRED_REASON, lastUsedAt, UNTIL_CONVERSATION_ENDS } from '../../src/engine/retention';
import { HashingEmbedder } from '../support/fake-embedder';
import { testEngine } from '../support/engine';

const T0 = Date.UTC(2026, 0, 1, 12);

function profile() {
  let clock = T0;
  const engine = testEngine({ embedder: new HashingEmbedder(), hnsw: null, now: () => clock });
  const queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, { now: () => clock, schedule: () => undefined });
  const run = () => maintain({ ...engine, queue }, clock);
  return {
    ...engine,
    queue,
    run,
    at: (ms: number) => {
      clock = ms;
    },
    add: async (text: string, options: Record<string, unknown> = {}) => {
      const [added] = (await engine.memory.add(text, { userId: 'me', infer: false, ...options })).results;
      return added!.id;
    },
    texts: async () => (await engine.db.memories.toArray()).map((m) => m.text).sort(),
  };
}

describe('retention', () => {
  it('forgets exactly the memories unused for more than N days, keeps pinned and recently used ones, and history says expired without the text', async () => {
    const p = profile();
    const oldUnused = await p.add('I used to play the trumpet');
    const oldPinned = await p.add('My blood type is O negative', { metadata: { pinned: true } });
    const oldUsed = await p.add('I live in Berlin');
    const oldEdited = await p.add('I work as a nurse');
    p.at(T0 + 60 * DAY_MS);
    const recent = await p.add('I started learning Portuguese');
    await p.memory.noteUse([oldUsed]); // went into a prompt 40 days ago
    await p.memory.update(oldEdited, 'I work as a night nurse'); // corrected 40 days ago
    p.at(T0 + 100 * DAY_MS);

    // Off: nothing is forgotten for being unused.
    await p.run();
    expect(await p.db.memories.count()).toBe(5);

    await writeRetention(p.store, { unusedDays: 90 });
    await p.run();
    expect(await p.texts()).toEqual(['I live in Berlin', 'I started learning Portuguese', 'I work as a night nurse', 'My blood type is O negative']);

    const history = await p.db.history.where('memoryId').equals(oldUnused).toArray();
    expect(history.map((h) => [h.event, h.reason ?? null])).toEqual([
      ['ADD', 'forgotten'],
      ['DELETE', EXPIRED_REASON],
    ]);
    expect(history.every((h) => h.oldText === null && h.newText === null)).toBe(true);
    expect(JSON.stringify(await p.db.history.toArray())).not.toContain('trumpet');
    expect(await p.memory.history(oldUnused)).toMatchObject([{ action: 'DELETE' }, { action: 'ADD' }]);

    // 30 days: what was last used, stored or changed 40 days ago goes; pinned stays, however old.
    const today = await p.add('I bought a bike');
    await writeRetention(p.store, { unusedDays: 30 });
    await p.run();
    expect(await p.texts()).toEqual(['I bought a bike', 'My blood type is O negative']);
    expect((await p.db.history.where('memoryId').anyOf([oldUsed, oldEdited]).toArray()).filter((h) => h.event === 'DELETE').map((h) => h.reason)).toEqual([EXPIRED_REASON, EXPIRED_REASON]);
    expect(await p.db.memories.get(oldPinned)).toBeTruthy();
    expect(await p.db.memories.get(recent)).toBeUndefined();
    expect(await p.db.memories.get(today)).toBeTruthy();
  });

  it('counts a memory as used when it went into a prompt, was stored, or changed', async () => {
    const p = profile();
    const id = await p.add('I have a dog named Max');
    const record = async () => (await p.db.memories.get(id))!;
    expect(lastUsedAt(await record())).toBe(T0);
    p.at(T0 + 5 * DAY_MS);
    await p.memory.noteUse([id]);
    expect(lastUsedAt(await record())).toBe(T0 + 5 * DAY_MS);
  });

  it('ends a memory at its expiry date, or when its conversation ends, as expired', async () => {
    const p = profile();
    const dated = await p.add('I am in Tokyo this week', { site: 'chatgpt', conversationId: 'trip' });
    const session = await p.add('I am debugging the login page', { site: 'chatgpt', conversationId: 'debug' });
    const kept = await p.add('I have two cats', { site: 'chatgpt', conversationId: 'debug' });

    await setExpiry(p.memory, { id: dated, expiresAt: T0 + 7 * DAY_MS });
    const following = await setExpiry(p.memory, { id: session, untilConversationEnds: true });
    expect(following).toMatchObject({ expiresAt: T0 + CONVERSATION_IDLE_MS, metadata: { [UNTIL_CONVERSATION_ENDS]: true } });
    await expect(setExpiry(p.memory, { id: kept, expiresAt: 'tomorrow' })).rejects.toThrow(/malformed setExpiry/);
    await expect(setExpiry(p.memory, { id: 'nope', expiresAt: null })).rejects.toThrow(/not found/);

    // The conversation goes on: a turn said there 50 minutes later moves the end on.
    p.at(T0 + 50 * 60_000);
    await p.queue.enqueue({ site: 'chatgpt', conversationId: 'debug', text: 'The login page works now', sentAt: T0 + 50 * 60_000 });
    await p.run();
    expect((await p.db.memories.get(session))?.expiresAt).toBe(T0 + 50 * 60_000 + CONVERSATION_IDLE_MS);

    // Nothing said for an hour: the conversation is over, its memory goes; the others stay.
    p.at(T0 + 50 * 60_000 + CONVERSATION_IDLE_MS + 1);
    await p.run();
    expect(await p.db.memories.get(session)).toBeUndefined();
    expect(await p.db.memories.get(dated)).toBeTruthy();
    expect(await p.db.memories.get(kept)).toBeTruthy();

    // A week on, the date is reached.
    p.at(T0 + 7 * DAY_MS);
    await p.run();
    expect(await p.texts()).toEqual(['I have two cats']);
    for (const id of [dated, session]) {
      const entries = await p.db.history.where('memoryId').equals(id).toArray();
      expect(entries.at(-1)).toMatchObject({ event: 'DELETE', reason: EXPIRED_REASON, oldText: null, newText: null });
    }

    // Never: an expiry is taken back.
    const back = await setExpiry(p.memory, { id: kept, expiresAt: T0 + 8 * DAY_MS });
    expect(back.expiresAt).toBe(T0 + 8 * DAY_MS);
    expect((await setExpiry(p.memory, { id: kept, expiresAt: null })).expiresAt).toBeNull();
    p.at(T0 + 9 * DAY_MS);
    await p.run();
    expect(await p.db.memories.get(kept)).toBeTruthy();
  });

  it('a memory from no conversation cannot last until its conversation ends', async () => {
    const p = profile();
    const id = await p.add('I prefer short answers');
    await expect(setExpiry(p.memory, { id, untilConversationEnds: true })).rejects.toThrow(/no conversation/);
  });

  it('stores only a policy it understands', async () => {
    const p = profile();
    expect(await readRetention(p.store)).toEqual({ unusedDays: null });
    expect(await writeRetention(p.store, { unusedDays: 180 })).toEqual({ unusedDays: 180 });
    expect(await p.store.getSetting(RETENTION_SETTING)).toEqual({ unusedDays: 180 });
    for (const junk of [{ unusedDays: 0 }, { unusedDays: 1.5 }, { unusedDays: '30' }, { unusedDays: 10_000 }, null, 'forever']) {
      await expect(writeRetention(p.store, junk), JSON.stringify(junk)).rejects.toThrow(/whole number of days/);
    }
    expect(await readRetention(p.store)).toEqual({ unusedDays: 180 });
    expect(await writeRetention(p.store, { unusedDays: null })).toEqual({ unusedDays: null });
    expect(retentionSettingsOf({ unusedDays: -3 })).toEqual({ unusedDays: null });
  });
});
