/**
 * A corrupt HNSW snapshot in the browser's IndexedDB never leaves search unavailable (issue 9,
 * finding 12, in Chromium): with enough memories for the HNSW index, its saved snapshot is
 * damaged the way an attacker or a bad disk would (a forged header, random bytes), the service
 * worker is stopped, and the next send still gets the right memory.
 */
import type { BrowserContext, Worker } from '@playwright/test';
import type { Memory } from '../../src/engine/memory';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, openNewChat, sendPrompt, SITES, test, type ChatSite } from './fixtures';

type EngramGlobal = { engram: { memory: Memory } };
const [CHATGPT] = SITES as [ChatSite];
/** Above the exact-scan crossover (300), so the HNSW index and its snapshot are used. */
const FILLER = 330;

async function worker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

/** The saved HNSW snapshots, read from (or, with `damage`, rewritten in) the worker's IndexedDB. */
function snapshots(w: Worker, damage?: 'header' | 'random'): Promise<{ key: string; length: number }[]> {
  return w.evaluate(async (how) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('engram');
      open.onsuccess = () => { resolve(open.result); };
      open.onerror = () => { reject(open.error ?? new Error('open failed')); };
    });
    const tx = db.transaction('snapshots', 'readwrite');
    const store = tx.objectStore('snapshots');
    const all = await new Promise<{ key: string; kind: string; bytes: Uint8Array }[]>((resolve, reject) => {
      const request = store.getAll();
      request.onsuccess = () => { resolve(request.result as { key: string; kind: string; bytes: Uint8Array }[]); };
      request.onerror = () => { reject(request.error ?? new Error('read failed')); };
    });
    const hnsw = all.filter((s) => s.kind === 'hnsw');
    for (const s of how ? hnsw : []) {
      const bytes = new Uint8Array(s.bytes);
      if (how === 'header') {
        // A capacity of 0x40000000 in every 4-byte field of the header: whichever one is the capacity.
        for (let i = 4; i < 28; i += 4) new DataView(bytes.buffer).setUint32(i, 0x40000000, true);
      } else {
        crypto.getRandomValues(bytes.subarray(0, Math.min(bytes.length, 65_536)));
      }
      store.put({ ...s, bytes });
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => { resolve(); };
      tx.onerror = () => { reject(tx.error ?? new Error('write failed')); };
    });
    db.close();
    return hnsw.map((s) => ({ key: s.key, length: s.bytes.length }));
  }, damage);
}

for (const damage of ['header', 'random'] as const) {
  test(`a snapshot with a ${damage === 'header' ? 'forged header' : 'random body'} is rebuilt, and the next send still gets its memory`, async ({
    context,
    received,
  }) => {
    let w = await worker(context);
    await w.evaluate(async (count) => {
      const { memory } = (globalThis as unknown as EngramGlobal).engram;
      const things = ['lamp', 'chair', 'kettle', 'poster', 'mug', 'rug', 'clock', 'plant', 'shelf', 'vase', 'desk'];
      for (let i = 0; i < count; i++) {
        await memory.add(`I bought a ${things[i % things.length]!} in shop number ${i}`, { userId: 'me', infer: false });
      }
      await memory.add('My dog is called Biscuit', { userId: 'me', infer: false });
      await memory.search('Which shops did I buy things in?', { filters: { user_id: 'me' }, topK: 1 }); // builds the HNSW index
    }, FILLER);
    // The index snapshot is written a moment after the last change.
    await expect.poll(async () => (await snapshots(w)).length, { timeout: 30_000 }).toBe(1);

    await snapshots(w, damage);
    const page = await openNewChat(context, CHATGPT);
    const cdp = await context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers'); // the next start reads the damaged snapshot

    await sendPrompt(page, CHATGPT, 'What is my dog called?');
    const prompt = received.at(-1)!.prompt;
    expect(prompt.startsWith(BLOCK_HEADER), prompt).toBe(true);
    expect(prompt).toContain('My dog is called Biscuit');

    // Search keeps working, later adds are found, and a sound snapshot is written again.
    w = await worker(context);
    const found = await w.evaluate(async () => {
      const { memory } = (globalThis as unknown as EngramGlobal).engram;
      await memory.add('My cat is called Pepper', { userId: 'me', infer: false });
      return (await memory.search('What is my cat called?', { filters: { user_id: 'me' }, topK: 3 })).results.map((r) => r.memory);
    });
    expect(found[0]).toBe('My cat is called Pepper');
    await expect.poll(async () => (await snapshots(w)).length, { timeout: 30_000 }).toBe(1);
  });
}
