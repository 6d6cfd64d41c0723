/**
 * Engine benchmark: add throughput (extract + embed + decide + store + index) on real
 * conversation turns, and storage bytes per memory.
 *
 *   npx tsx --import ./scripts/hnswlib/node-loader.ts bench/engine-bench.ts [--quick] [--out bench/results.json]
 *
 * Turns come from LoCoMo (../shared/data/locomo10.json, read in place, never copied). The engine
 * is the real one: Dexie on fake-indexeddb, the bundled model through transformers.js (100-d;
 * the downloadable production models are 384-d, so bytes are also projected for 384-d).
 * Then bulk adds through memory.addMany: 10,000 distinct first-person statements stored verbatim
 * (infer: false) and 2,000 turns through extraction and the update step, each into a fresh store.
 * Merges "add", "bulk_add" and "bytes_per_memory" into the results JSON and writes its section of results.md.
 */
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serialize } from 'node:v8';
import { TransformersEmbedder } from '../src/adapters/transformers-embedder';
import { EngramDatabase } from '../src/db/schema';
import { DEFAULT_CHUNK_SIZE } from '../src/engine/add-many';
import { createEngine } from '../src/engine/create-engine';
import { BUNDLED_MODEL } from '../src/engine/models';
import { mergeResults, readResults, writeMarkdownSection } from './results-file';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : 'bench/results.json';
const DATA = resolve(process.env.LOCOMO ?? '../shared/data/locomo10.json');
const TURNS = quick ? 400 : 3000;
const BULK_VERBATIM = quick ? 2000 : 10_000;
const BULK_INFERRED = quick ? 400 : 2000;

interface Turn {
  speaker: string;
  text: string;
  dia_id: string;
}

function loadTurns(): { turns: Turn[]; source: string } {
  if (!existsSync(DATA)) {
    const turns = Array.from({ length: TURNS }, (_, i) => ({
      speaker: 'A',
      dia_id: `S${i}`,
      text: `I visited city number ${i} last summer and I loved the food there.`,
    }));
    return { turns, source: 'synthetic statements (LoCoMo not found)' };
  }
  const samples = JSON.parse(readFileSync(DATA, 'utf8')) as { conversation: Record<string, unknown> }[];
  const turns: Turn[] = [];
  for (const s of samples) {
    for (let n = 1; `session_${n}` in s.conversation; n++) turns.push(...(s.conversation[`session_${n}`] as Turn[]));
  }
  return { turns: turns.slice(0, TURNS), source: `LoCoMo turns (first ${TURNS})` };
}

/** `n` distinct first-person statements ("I visited the old harbour last Monday"), no two alike. */
function statements(n: number): string[] {
  const verbs = ['I visited', 'I love', 'I cooked', 'I bought', 'I read about', 'I want to try', 'I learned about', 'I talked about', 'I photographed', 'I painted'];
  const things = [
    'the old harbour', 'a Thai curry', 'the botanical garden', 'a vintage camera', 'the jazz festival', 'a sourdough loaf', 'the science museum', 'a mountain bike',
    'the night market', 'a ceramic vase', 'the city library', 'a lemon tart', 'the sculpture park', 'a wool sweater', 'the river cruise', 'a board game',
    'the rose garden', 'a paper kite', 'the art gallery', 'a green smoothie', 'the lighthouse', 'a chess set', 'the flea market', 'a bonsai tree',
    'the opera house', 'a mango salad', 'the ice rink', 'a leather bag', 'the planetarium', 'a ramen bowl', 'the castle ruins', 'a sketchbook',
    'the vineyard', 'a rain jacket', 'the aquarium', 'a pottery class', 'the waterfall', 'a sushi platter', 'the zoo', 'a travel guide',
  ];
  const times = [
    'last Monday', 'last Tuesday', 'last Wednesday', 'last Thursday', 'last Friday', 'last Saturday', 'last Sunday', 'yesterday', 'this morning', 'in January',
    'in February', 'in March', 'in April', 'in May', 'in June', 'in July', 'in August', 'in September', 'in October', 'in November',
    'in December', 'over the holidays', 'on my birthday', 'after work', 'with my sister',
  ];
  const all: string[] = [];
  for (const time of times) for (const thing of things) for (const verb of verbs) all.push(`${verb} ${thing} ${time}`);
  return all.slice(0, n);
}

/** Items per second and memories per second through memory.addMany, into a fresh store. */
async function bulkAdd(embedder: TransformersEmbedder, items: { messages: string | { role: 'user'; content: string; id: string }[] }[], infer: boolean) {
  const db = new EngramDatabase(`bench-bulk-${infer ? 'inferred' : 'verbatim'}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  const { memory, vectors } = createEngine({ db, embedder, saveDelayMs: 3_600_000 });
  const started = performance.now();
  const result = await memory.addMany(items, { userId: 'bench', infer });
  const seconds = (performance.now() - started) / 1000;
  vectors.dispose();
  const stored = await db.memories.count();
  return {
    n: items.length,
    items_per_s: Number((items.length / seconds).toFixed(1)),
    memories_per_s: Number((stored / seconds).toFixed(1)),
    memories_stored: stored,
    added: result.added,
    updated: result.updated,
    deleted: result.deleted,
    unchanged: result.unchanged,
    skipped: result.skipped,
    seconds: Number(seconds.toFixed(2)),
  };
}

async function main(): Promise<void> {
  const { turns, source } = loadTurns();
  const db = new EngramDatabase('bench', { indexedDB: new IDBFactory(), IDBKeyRange });
  const embedder = new TransformersEmbedder({ modelId: BUNDLED_MODEL, localModelPath: resolve('public/models') + '/' });
  await embedder.load();
  const { memory, vectors } = createEngine({ db, embedder, saveDelayMs: 3_600_000 });
  const started = performance.now();
  let facts = 0;
  for (const t of turns) {
    const { results } = await memory.add([{ role: 'user', content: t.text, id: t.dia_id }], { userId: t.speaker });
    facts += results.length; // only what was stored (ADD, UPDATE, DELETE): a fact already known (NONE) is not reported
  }
  const seconds = (performance.now() - started) / 1000;
  vectors.dispose();

  const verbatim = await bulkAdd(embedder, statements(BULK_VERBATIM).map((text) => ({ messages: text })), false);
  const inferred = await bulkAdd(
    embedder,
    turns.slice(0, BULK_INFERRED).map((t, i) => ({ messages: [{ role: 'user' as const, content: t.text, id: `${t.dia_id}#${i}` }] })),
    true,
  );
  const bulk_add = {
    verbatim: { ...verbatim, source: 'distinct first-person statements, infer: false' },
    inferred: { ...inferred, source: `${source.replace(/ \(first \d+\)/, '')}, first ${inferred.n}, one user` },
    chunk_size: DEFAULT_CHUNK_SIZE,
    model: `${BUNDLED_MODEL} (100-d)`,
    note:
      'memory.addMany into a fresh store: per chunk one extraction pass, one embedding batch, decisions against the store plus the chunk, one transaction. In Node the store is Dexie on fake-indexeddb (in-process, slower than a browser’s IndexedDB)',
  };

  const records = await db.memories.toArray();
  const vectorRows = await db.vectors.toArray();
  const avg = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const recordBytes = avg(records.map((r) => serialize(r).length));
  const vectorBytes100 = avg(vectorRows.map((v) => serialize(v).length));
  const vectorBytes384 = vectorBytes100 + (384 - 100) * 4;
  const existing = readResults(outPath);
  const indexRows = (existing.index as { n: number; method: string; snapshot_bytes: number }[] | undefined) ?? [];
  const hnsw10k = indexRows.find((r) => r.n === 10_000 && r.method === 'hnsw') ?? indexRows.filter((r) => r.method === 'hnsw').at(-1);
  const indexBytes = hnsw10k ? hnsw10k.snapshot_bytes / hnsw10k.n : 0;

  const add = {
    n: turns.length,
    per_s: Number((turns.length / seconds).toFixed(1)),
    memories_stored: records.length,
    facts_added_or_updated: facts,
    model: `${BUNDLED_MODEL} (100-d)`,
    source,
    note: 'turns per second through memory.add (rule-based extraction, embedding, update decision, Dexie write, index update)',
  };
  const bytes_per_memory = Math.round(recordBytes + vectorBytes384 + indexBytes);
  const bytes_detail = {
    record: Math.round(recordBytes),
    vector_100d: Math.round(vectorBytes100),
    vector_384d: Math.round(vectorBytes384),
    hnsw_snapshot_per_memory_384d: Math.round(indexBytes),
    note: 'bytes_per_memory = record + 384-d vector row + HNSW snapshot share (structured-clone sizes, as IndexedDB stores values)',
  };
  mergeResults(outPath, { add, bulk_add, bytes_per_memory, bytes_detail });
  const md = [
    '',
    '## Engine: add throughput and storage',
    '',
    `${source}; real engine (Dexie on fake-indexeddb, ${BUNDLED_MODEL} through transformers.js on onnxruntime-node).`,
    '',
    '| turns | turns/s | memories stored | bytes per memory (384-d) | record | vector | HNSW share |',
    '|---|---|---|---|---|---|---|',
    `| ${add.n} | ${add.per_s} | ${add.memories_stored} | ${bytes_per_memory} | ${bytes_detail.record} | ${bytes_detail.vector_384d} | ${bytes_detail.hnsw_snapshot_per_memory_384d} |`,
    '',
    `Bulk adds through memory.addMany (chunks of ${DEFAULT_CHUNK_SIZE}, one transaction each; Dexie on fake-indexeddb), each into a fresh store:`,
    '',
    '| items | mode | items/s | memories/s | memories stored | seconds |',
    '|---|---|---|---|---|---|',
    `| ${verbatim.n} | verbatim (infer: false), distinct statements | ${verbatim.items_per_s} | ${verbatim.memories_per_s} | ${verbatim.memories_stored} | ${verbatim.seconds} |`,
    `| ${inferred.n} | inferred, ${bulk_add.inferred.source} | ${inferred.items_per_s} | ${inferred.memories_per_s} | ${inferred.memories_stored} | ${inferred.seconds} |`,
    '',
  ].join('\n');
  writeMarkdownSection(outPath, 'engine-bench', md);
}

await main();
