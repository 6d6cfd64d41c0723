import { DexieMemoryStore } from '../adapters/dexie-store';
import { exactIndexFactory } from '../adapters/exact-index';
import { hnswIndexFactory } from '../adapters/hnsw-index';
import { RuleBasedExtractor } from '../adapters/rule-based-extractor';
import type { EngramDatabase } from '../db/schema';
import type { Embedder } from '../ports/embedder';
import type { Decider } from '../ports/decider';
import type { Extractor } from '../ports/extractor';
import type { MemoryStore } from '../ports/memory-store';
import type { VectorIndexFactory } from '../ports/vector-index';
import type { EngineParts } from './context';
import { HNSW_CROSSOVER } from './config';
import { Memory } from './memory';
import { VectorSearch } from './vector-search';

export { HNSW_CROSSOVER };

export interface EngineOptions {
  /** A Dexie database, or any MemoryStore. */
  db?: EngramDatabase;
  store?: MemoryStore;
  embedder: Embedder;
  extractor?: Extractor;
  decider?: Decider;
  /** Pass null to always scan exactly. */
  hnsw?: VectorIndexFactory | null;
  crossover?: number;
  saveDelayMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
  /** This engine is the only writer of `db` (the extension's service worker): see DexieStoreOptions. */
  exclusive?: boolean;
  /** Told of every write once it landed. */
  onWrite?: EngineParts['onWrite'];
}

export interface Engine {
  memory: Memory;
  vectors: VectorSearch;
  store: MemoryStore;
}

/** The memory engine, wired the same way in the extension, in tests and in benchmarks. */
export function createEngine(options: EngineOptions): Engine {
  const store = options.store ?? (options.db ? new DexieMemoryStore(options.db, { exclusive: options.exclusive === true }) : undefined);
  if (!store) throw new Error('createEngine needs a db or a store');
  const vectors = new VectorSearch(store, {
    exact: exactIndexFactory,
    ...(options.hnsw === null ? {} : { hnsw: options.hnsw ?? hnswIndexFactory }),
    crossover: options.crossover ?? HNSW_CROSSOVER,
    ...(options.saveDelayMs === undefined ? {} : { saveDelayMs: options.saveDelayMs }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const memory = new Memory({
    engine: {
      store,
      embedder: options.embedder,
      extractor: options.extractor ?? new RuleBasedExtractor(),
      ...(options.decider ? { decider: options.decider } : {}),
      vectors,
      ...(options.now ? { now: options.now } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onWrite ? { onWrite: options.onWrite } : {}),
    },
  });
  return { memory, vectors, store };
}
