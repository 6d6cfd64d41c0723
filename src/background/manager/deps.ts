/** What the memory manager's verbs work with: the engine, its store and database, the log, the rows. */
import type { EngramDatabase } from '../../db/schema';
import type { Memory } from '../../engine/memory';
import type { MemoryStore } from '../../ports/memory-store';
import type { InjectionLog } from '../injection-log';
import type { MemoryRows } from './memory-rows';

export interface ManagerDeps {
  memory: Memory;
  store: MemoryStore;
  /** The store's database: history, vectors and the injection log are read (and put back) for an undo. */
  db: EngramDatabase;
  log: InjectionLog;
  rows: MemoryRows;
  /** Resolves once the embedding model is ready (a search waits for it; nothing else does). */
  ready: Promise<unknown>;
  now: () => number;
}
