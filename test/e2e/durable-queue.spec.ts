import type { QueueStats } from '../../src/core/turns';
import type { Memory } from '../../src/engine/memory';
import { expect, extensionIdOf, launchWithExtension, openNewChat, popupMemories, sendPrompt, SITES, test, type ReceivedPrompt } from './fixtures';

type EngramGlobal = { engram: { memory: Memory; queue: { stats(): Promise<QueueStats> } } };

test('turns captured around service-worker stops and a browser restart are all processed, exactly once', async ({ profileDir }) => {
  const [site] = SITES;
  if (!site) throw new Error('no site');
  const received: ReceivedPrompt[] = [];
  let context = await launchWithExtension(profileDir, received);
  await extensionIdOf(context);
  const page = await openNewChat(context, site);
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');

  await sendPrompt(page, site, 'I have a dog named Max');
  await cdp.send('ServiceWorker.stopAllWorkers'); // killed right after the capture
  await sendPrompt(page, site, 'I work as a nurse'); // wakes it up again
  await cdp.send('ServiceWorker.stopAllWorkers');
  const other = await openNewChat(context, site);
  await sendPrompt(other, site, 'I live in Lisbon');
  await context.close(); // and the browser goes away

  context = await launchWithExtension(profileDir, received);
  try {
    const extensionId = await extensionIdOf(context);
    await expect
      .poll(async () => (await popupMemories(context, extensionId)).sort(), { timeout: 30_000 })
      .toEqual(['I have a dog named Max', 'I live in Lisbon', 'I work as a nurse']);
    const [worker] = context.serviceWorkers();
    const state = await worker!.evaluate(async () => {
      const { memory, queue } = (globalThis as unknown as EngramGlobal).engram;
      const { results } = await memory.getAll({ filters: { user_id: 'me' }, topK: 100 });
      const histories = await Promise.all(results.map((r) => memory.history(r.id)));
      return { stats: await queue.stats(), events: histories.map((h) => h.map((e) => e.action).join(',')) };
    });
    expect(state.stats).toMatchObject({ pending: 0, failed: 0, done: 3 });
    expect(state.events).toEqual(['ADD', 'ADD', 'ADD']); // each fact stored once, never re-added
  } finally {
    await context.close();
  }
});
