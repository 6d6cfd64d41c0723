import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { EngramDatabase } from '../../src/db/schema';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/create-engine';
import { bundledEmbedder } from './model';

let dbCount = 0;

/** A fresh Dexie database on its own fake IndexedDB. */
export function freshDb(name = `engram-test-${++dbCount}`): EngramDatabase {
  return new EngramDatabase(name, { indexedDB: new IDBFactory(), IDBKeyRange });
}

/** The real engine (bundled model, Dexie on fake-indexeddb) for tests. */
export function testEngine(options: Partial<EngineOptions> = {}): Engine & { db: EngramDatabase } {
  const db = options.db ?? freshDb();
  return { ...createEngine({ db, embedder: options.embedder ?? bundledEmbedder(), saveDelayMs: 10, ...options }), db };
}
