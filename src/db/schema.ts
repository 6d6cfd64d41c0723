import Dexie, { type EntityTable, type Table, type Transaction } from 'dexie';
import type { HistoryEntry, IndexSnapshot, InjectionRecord, JsonValue, MemoryRecord, VectorRecord } from '../core/types';
import type { CapturedTurn, TurnJob } from '../core/turns';
import { DEFAULT_USER } from '../core/types';
import { factHash } from '../pipeline/normalize';
import { DB_NAME, SETTING } from './names';

export { DB_NAME, SETTING } from './names';

export type { TurnJob } from '../core/turns';

export type { IndexSnapshot } from '../core/types';

export interface SettingRecord {
  key: string;
  value: JsonValue;
}

/**
 * One message of an imported chat history (src/background/data/import-history.ts): staged until
 * it is fed to the turn queue, then followed there until processed. Once done only its key stays
 * (no text), so importing the same file again adds nothing twice.
 */
export interface ImportedTurnRecord {
  seq?: number;
  /** The message's import key (`source/conversation/message`): one row per message, ever. */
  key: string;
  /** staged: waiting to be queued; queued: in the turn queue (`job` is its hash); done, failed: processed. */
  status: 'staged' | 'queued' | 'done' | 'failed';
  /** The turn to queue; null once processed. */
  turn: CapturedTurn | null;
  /** The turn queue's hash of its job, once queued. */
  job: string | null;
  /** Memories its processing added or updated. */
  stored: number;
}

/** The version-1 record (walking skeleton), kept for the migration. */
interface MemoryRecordV1 {
  id: string;
  text: string;
  categories?: string[];
  embedding: Float32Array;
  model: string;
  site: MemoryRecord['site'];
  conversationId: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * Engram's IndexedDB schema. Only what is filtered on is indexed; vectors are stored but never
 * indexed. Every version stays declared, with its upgrade, so old profiles upgrade step by step.
 */
export class EngramDatabase extends Dexie {
  memories!: EntityTable<MemoryRecord, 'id'>;
  vectors!: Table<VectorRecord, [string, string]>;
  history!: EntityTable<HistoryEntry, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;
  snapshots!: EntityTable<IndexSnapshot, 'key'>;
  jobs!: EntityTable<TurnJob, 'seq'>;
  injections!: EntityTable<InjectionRecord, 'id'>;
  imports!: EntityTable<ImportedTurnRecord, 'seq'>;

  constructor(name: string = DB_NAME, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    // v1 (walking skeleton): one table, the embedding inside each memory.
    this.version(1).stores({
      memories: 'id, site, conversationId, createdAt',
    });
    // v2 (memory engine): scopes, labels for vector indexes, vectors per model, history.
    this.version(2)
      .stores({
        memories: 'id, &label, hash, userId, agentId, runId, space, site, conversationId, createdAt, updatedAt, expiresAt',
        vectors: '[model+memoryId], memoryId, model',
        history: '++id, memoryId, at',
        settings: 'key',
        snapshots: 'key',
      })
      .upgrade(upgradeToV2);
    // v3 (durable pipeline): captured turns are queued before anything else happens.
    this.version(3).stores({
      jobs: '++seq, &hash, status, nextAttemptAt, conversationId',
    });
    // v4 (forget means gone): processed turns keep no text; a forgotten memory's history keeps no
    // text; merged memories name the memory they were merged into, to be forgotten with it.
    this.version(4)
      .stores({
        history: '++id, memoryId, at, mergedInto',
      })
      .upgrade(upgradeToV4);
    // v5 (the user in control): every prompt sent with memories, and which memories it carried.
    this.version(5).stores({
      injections: '++id, at, *memoryIds',
    });
    // v6 (the user's data): an imported chat history's messages, fed to the turn queue in order;
    // their keys stay, so a second import of the same file adds nothing twice.
    this.version(6).stores({
      imports: '++seq, &key, [status+seq]',
    });
  }
}


async function upgradeToV4(tx: Transaction): Promise<void> {
  // Turns processed before v4 kept their full text forever.
  await tx
    .table('jobs')
    .where('status')
    .equals('done')
    .modify((job: TurnJob) => {
      job.text = '';
      job.replyTo = null;
    });
  // Memories deleted before v4 kept their text in history.
  const live = new Set((await tx.table('memories').toCollection().primaryKeys()) as string[]);
  await tx
    .table('history')
    .filter((h: HistoryEntry) => !live.has(h.memoryId))
    .modify((h: HistoryEntry) => {
      h.oldText = null;
      h.newText = null;
      h.reason = 'forgotten';
    });
}

async function upgradeToV2(tx: Transaction): Promise<void> {
  const old = (await tx.table('memories').toArray()) as MemoryRecordV1[];
  let label = 1;
  const memories: MemoryRecord[] = [];
  const vectors: VectorRecord[] = [];
  for (const m of old.sort((a, b) => a.createdAt - b.createdAt)) {
    const record: MemoryRecord = {
      id: m.id,
      label: label++,
      text: m.text,
      hash: factHash(m.text, { userId: DEFAULT_USER, agentId: null, runId: null, space: null }),
      userId: DEFAULT_USER,
      agentId: null,
      runId: null,
      space: null,
      site: m.site,
      conversationId: m.conversationId,
      sourceTurnIds: [],
      saidAt: m.createdAt,
      categories: m.categories ?? [],
      metadata: {},
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      expiresAt: null,
    };
    memories.push(record);
    vectors.push({ memoryId: m.id, model: m.model, label: record.label, vector: m.embedding });
  }
  await tx.table('memories').bulkPut(memories);
  await tx.table('vectors').bulkPut(vectors);
  await tx.table('settings').bulkPut([
    { key: SETTING.nextLabel, value: label },
    { key: SETTING.revision, value: 1 },
  ]);
}
