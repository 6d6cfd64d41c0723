// @vitest-environment node
/**
 * What encryption at rest costs, printed (no timing is asserted: a loaded machine would fail it):
 * bulk add, the cold start's reads (the recall image; every memory when there is none), and a
 * warm recall, with encryption off and on, on fake-indexeddb in Node. `test/e2e/encryption.spec.ts`
 * and the report give the figures in Chromium.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DexieMemoryStore } from '../../src/adapters/dexie-store';
import { Lock, memorySession } from '../../src/background/lock/lock';
import { EngramDatabase } from '../../src/db/schema';
import { createEngine } from '../../src/engine/create-engine';
import { IMAGE_KEY } from '../../src/engine/recall-image';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const N = 1000;
const facts = Array.from({ length: N }, (_, i) => `My friend number ${i} lives in city ${i % 300} and likes food ${i % 97}`);
const QUERIES = ['Where does my friend number 12 live?', 'What food does friend 7 like?', 'Who lives in city 44?'];

async function measure(encrypted: boolean) {
  const factory = new IDBFactory();
  const name = `bench-${String(encrypted)}`;
  const open = () => {
    const db = new EngramDatabase(name, { indexedDB: factory, IDBKeyRange });
    const lock = new Lock({ db, session, iterations: 1000, minIterations: 1000 });
    const store = new DexieMemoryStore(db, { exclusive: true });
    return { db, lock, ...createEngine({ store, embedder, saveDelayMs: 10 }), store };
  };
  const session = memorySession();
  const first = open();
  if (encrypted) {
    await first.lock.enable('correct horse battery');
    await first.lock.settle();
  }
  let t = performance.now();
  await first.memory.addMany(facts.map((messages) => ({ messages })), { userId: 'me', infer: false });
  const bulkMs = performance.now() - t;
  await first.memory.settled();
  await first.memory.saveRecallImage();
  await first.vectors.save(embedder.modelId);
  // A new worker: the recall image read (a cold start), every memory read, then recalls.
  const second = open();
  t = performance.now();
  const image = await second.store.getSnapshot(IMAGE_KEY);
  const imageMs = performance.now() - t;
  t = performance.now();
  const all = await second.store.list();
  const listMs = performance.now() - t;
  t = performance.now();
  await second.memory.recall(QUERIES[0]!, { filters: { user_id: 'me' }, noteUse: false });
  const coldRecallMs = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < 30; i++) {
    t = performance.now();
    await second.memory.recall(QUERIES[i % QUERIES.length]!, { filters: { user_id: 'me' }, noteUse: false });
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  first.db.close();
  second.db.close();
  return { image: !!image, memories: all.length, bulkPerSecond: Math.round(N / (bulkMs / 1000)), imageReadMs: imageMs, listAllMs: listMs, coldRecallMs, warmRecallP50Ms: warm[15]!, warmRecallP95Ms: warm[28]! };
}

describe(`encryption overhead at ${N} memories (printed)`, () => {
  it('bulk add, cold reads and recall, off and on', async () => {
    const off = await measure(false);
    const on = await measure(true);
    const fmt = (x: number) => Math.round(x * 10) / 10;
    const table = Object.keys(off).map((k) => {
      const a = off[k as keyof typeof off];
      const b = on[k as keyof typeof on];
      return `${k.padEnd(16)} off ${String(typeof a === 'number' ? fmt(a) : a).padStart(8)}   on ${String(typeof b === 'number' ? fmt(b) : b).padStart(8)}`;
    });
    console.log(`encryption at rest, ${N} memories (fake-indexeddb, Node):\n${table.join('\n')}`);
    expect(on.memories).toBe(N);
    expect(on.image).toBe(true);
  });
});
