import type { Diagnostics } from '../../src/background/diagnostics';
import type { Memory } from '../../src/engine/memory';
import { expect, test } from './fixtures';

type EngramGlobal = { engram: { memory: Memory; diagnostics: () => Promise<Diagnostics> } };

test('the memory engine runs inside the extension service worker, HNSW included', async ({ context, extensionId }) => {
  expect(extensionId).toMatch(/^[a-p]{32}$/);
  const [worker] = context.serviceWorkers();
  if (!worker) throw new Error('no service worker');

  // hnswlib-wasm under the extension's CSP (no eval): builds, searches and restores a snapshot.
  const diagnostics = await worker.evaluate(() => (globalThis as unknown as EngramGlobal).engram.diagnostics());
  expect(diagnostics.hnsw.recallAt10).toBeGreaterThanOrEqual(0.95);
  expect(diagnostics.hnsw.restoredIdentical).toBe(true);
  expect(diagnostics.model).toBe('engram-glove-30k');

  // Mem0's API through the worker: a contradiction updates, history keeps the old value.
  const result = await worker.evaluate(async () => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    await memory.add('I live in Berlin', { userId: 'e2e' });
    const moved = await memory.add('I moved to Amsterdam', { userId: 'e2e' });
    const id = moved.results[0]?.id ?? '';
    const { results } = await memory.search('Which city do I live in?', { filters: { user_id: 'e2e' }, topK: 1 });
    return { moved: moved.results, top: results[0]?.memory, history: (await memory.history(id)).map((h) => h.action) };
  });
  expect(result.moved).toMatchObject([{ event: 'UPDATE', memory: 'I moved to Amsterdam', metadata: { event: 'UPDATE', previousMemory: 'I live in Berlin' } }]);
  expect(result.top).toBe('I moved to Amsterdam');
  expect(result.history).toEqual(['UPDATE', 'ADD']); // newest first, as Mem0's history

  // Relations come from compromise's tagger, which runs under the worker's CSP too.
  const edges = await worker.evaluate(async () => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    await memory.add('My sister Anna lives in Porto', { userId: 'e2e', infer: false });
    const { relations } = await memory.graph({ filters: { user_id: 'e2e' } });
    return relations.map((r) => `${r.subject} –${r.predicate}→ ${r.object}`);
  });
  expect(edges.sort()).toEqual(['anna –lives in→ porto', 'user –moved to→ amsterdam', 'user –sister→ anna']);
});
