import Dexie, { type EntityTable } from 'dexie';
import type { MemoryRecord } from '../engine/types';

export const DB_NAME = 'engram';

/**
 * Engram's IndexedDB schema. Only what is filtered on is indexed; the embedding is stored but
 * never indexed. Every version stays declared so that old profiles upgrade step by step.
 */
export class EngramDatabase extends Dexie {
  memories!: EntityTable<MemoryRecord, 'id'>;

  constructor(name: string = DB_NAME, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      memories: 'id, site, conversationId, createdAt',
    });
  }
}
