/**
 * Chat-history import benchmark: a generated ChatGPT export of 10,000 user messages
 * (src/data/generate-export.ts) through the extension's real path, in Node: the file parsed as
 * the options page parses it (readChatExport), its messages sent in batches of 200 to the
 * background's import (src/background/data/import-history.ts), which stages them and feeds them
 * to the durable turn queue a window at a time, where each is extracted by the rule-based
 * extractor, embedded by the bundled model (its static token table, as the extension runs it) and
 * stored; Dexie on fake-indexeddb.
 *
 *   npx tsx --import ./scripts/hnswlib/node-loader.ts bench/import-history.ts [--quick] [--out bench/results.json]
 *
 * Merges `import_history: { messages, seconds, messages_per_s, peak_rss_mb, machine, … }` into
 * the results JSON and writes its section of results.md.
 */
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { DexieTurnStore } from '../src/adapters/dexie-turn-store';
import { StaticEmbedder } from '../src/adapters/static-embedder';
import { FEED_WINDOW, HistoryImport } from '../src/background/data/import-history';
import { TurnQueue } from '../src/background/turn-queue';
import { readChatExport } from '../src/data/chat-export';
import { generateChatGptExport } from '../src/data/generate-export';
import { EngramDatabase } from '../src/db/schema';
import { createEngine } from '../src/engine/create-engine';
import { BUNDLED_MODEL } from '../src/engine/models';
import { HISTORY_BATCH, historyMessageOf } from '../src/messaging/data-protocol';
import { mergeResults, writeMarkdownSection } from './results-file';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : 'bench/results.json';
const MESSAGES = quick ? 1000 : 10_000;

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

async function main(): Promise<void> {
  // The bundled model (a no-op when it is built and current).
  const built = spawnSync(process.execPath, ['scripts/build-model.mjs'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`model build failed:\n${built.stdout}\n${built.stderr}`);
  const embedder = new StaticEmbedder({
    modelId: BUNDLED_MODEL,
    localModelPath: `${resolve('public/models')}/`,
    readFile: async (path) => {
      const bytes = await readFile(path);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  });
  await embedder.load();

  const file = new Blob([JSON.stringify(generateChatGptExport({ messages: MESSAGES, seed: 1 }))], { type: 'application/json' });
  const db = new EngramDatabase('bench-import-history', { indexedDB: new IDBFactory(), IDBKeyRange });
  const { memory, vectors } = createEngine({ db, embedder, saveDelayMs: 3_600_000 });
  const queue = new TurnQueue(new DexieTurnStore(db), memory, { schedule: () => undefined });
  const history = new HistoryImport({ db, queue, keepAlive: () => undefined });

  let peakRss = process.memoryUsage().rss;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const sampler = setInterval(sample, 20);

  const started = performance.now();
  // The options page: read the file, then hand the messages over in batches.
  const parsed = await readChatExport(file);
  const parseSeconds = (performance.now() - started) / 1000;
  sample();
  const { runId } = await history.start({ source: 'chatgpt', label: 'conversations.json', conversations: parsed.conversations, messages: parsed.items.length });
  for (let i = 0; i < parsed.items.length; i += HISTORY_BATCH) {
    await history.addBatch({ runId, messages: parsed.items.slice(i, i + HISTORY_BATCH).map(historyMessageOf) });
  }
  await history.finish({ runId });
  // The background: feed the queue and let it extract, until every message is processed.
  for (;;) {
    await history.pump();
    const progress = await history.progress();
    if (progress?.state === 'done') break;
  }
  const seconds = (performance.now() - started) / 1000;
  sample();
  clearInterval(sampler);
  vectors.dispose();

  const progress = (await history.progress())!;
  const stored = await db.memories.count();
  const jobs = await db.jobs.where('status').equals('done').count();
  if (progress.done !== MESSAGES || progress.failed !== 0 || jobs !== MESSAGES) {
    throw new Error(`the import did not process every message once: ${JSON.stringify({ progress, jobs })}`);
  }
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
  const import_history = {
    messages: MESSAGES,
    seconds: round(seconds, 2),
    messages_per_s: round(MESSAGES / seconds),
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
    machine,
    parse_seconds: round(parseSeconds, 2),
    conversations: parsed.conversations,
    memories_stored: stored,
    memories_added_or_updated: progress.added,
    extractor: memory.extractorName,
    model: `${BUNDLED_MODEL} (static token table, as the extension runs it)`,
    batch: HISTORY_BATCH,
    feed_window: FEED_WINDOW,
    note: 'generated ChatGPT export (generateChatGptExport, seed 1) parsed with readChatExport, sent in batches to the background import, fed to the durable turn queue, extracted one turn at a time; Dexie on fake-indexeddb (in-process, slower than a browser’s IndexedDB); peak RSS of the whole Node process',
  };
  mergeResults(outPath, { import_history });
  writeMarkdownSection(
    outPath,
    'import-history',
    [
      '',
      '## Importing a chat history',
      '',
      `A generated ChatGPT export of ${MESSAGES.toLocaleString('en')} user messages in ${parsed.conversations} conversations, parsed as the options page does and imported through the durable turn queue (rule-based extraction, ${BUNDLED_MODEL}; Dexie on fake-indexeddb).`,
      '',
      '| messages | seconds | messages/s | peak RSS (MB) | parse (s) | memories stored |',
      '|---|---|---|---|---|---|',
      `| ${MESSAGES} | ${import_history.seconds} | ${import_history.messages_per_s} | ${import_history.peak_rss_mb} | ${import_history.parse_seconds} | ${stored} |`,
      '',
      `Machine: ${machine.cores} × ${machine.cpu}, ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.date}.`,
      '',
    ].join('\n'),
  );
}

await main();
