/**
 * aboutYou for the popup: the profile (the current value of each attribute, pinned memories) and
 * the entities the user mentions most, read from the memories the manager lists first (pinned,
 * then the most recently said), at most ABOUT_SCAN of them.
 *
 * Over every memory this is seconds of the worker's time at 100,000 (a slot and the entities of
 * each text, and the relations of those a bulk import has not backfilled yet), and the popup asks
 * for it on every open and after every change: the worker could answer nothing else meanwhile.
 * The recent memories hold the current values and the people of the moment; below ABOUT_SCAN
 * memories the answer is the same as over all. The answer is kept for its revision, and each
 * memory read for it (with its entities) for as long as its row is unchanged: after a forget or an
 * edit only the rows that are new among the first ABOUT_SCAN are read again, not all of them (at
 * 100,000 memories, re-reading 2,000 records after each forget kept the worker from answering the
 * forget itself for about a quarter of a second).
 */
import { profileOf } from '../../engine/profile';
import { entitiesOf } from '../../pipeline/entities';
import type { MemoryRecord, MemoryView } from '../../core/types';
import type { ManagerDeps } from './deps';
import { liveRow } from './filter';
import type { Row } from './memory-rows';
import { recordView } from './views';

/** The most memories the profile and the entities are read from. */
export const ABOUT_SCAN = 2000;

/** How long an answer serves its revision (an expiry date may pass meanwhile). */
const ABOUT_TTL_MS = 60_000;

export interface About {
  profile: MemoryView[];
  /** Lower-cased, most mentioned first (then by name). */
  entities: { name: string; memories: number }[];
}

export class AboutCache {
  #kept: { revision: number; at: number; about: About } | null = null;
  /** Each memory read for an answer, and its entities, while its row stands (a write makes a new row). */
  #read = new WeakMap<Row, { record: MemoryRecord; entities: readonly string[] }>();

  constructor(private readonly deps: ManagerDeps) {
    // Locked, forget everything: the memories read in clear go with the manager's search texts.
    deps.rows.texts.onDrop(() => {
      this.clear();
    });
  }

  async about(): Promise<About> {
    const rows = await this.deps.rows.rows();
    const now = this.deps.now();
    const kept = this.#kept;
    if (kept?.revision === rows.revision && now - kept.at < ABOUT_TTL_MS) return kept.about;
    const scanned: Row[] = [];
    for (const row of rows.sorted) {
      if (!liveRow(row, now)) continue;
      scanned.push(row);
      if (scanned.length >= ABOUT_SCAN) break;
    }
    const missing = scanned.filter((row) => !this.#read.has(row));
    if (missing.length > 0) {
      const byId = new Map((await this.deps.store.getMany(missing.map((row) => row.id))).map((m) => [m.id, m]));
      for (const row of missing) {
        const record = byId.get(row.id);
        if (record) this.#read.set(row, { record, entities: entitiesOf(record.text) });
      }
    }
    const records: MemoryRecord[] = [];
    const mentions = new Map<string, number>();
    for (const row of scanned) {
      const read = this.#read.get(row);
      if (!read) continue; // gone between the rows and the read
      records.push(read.record);
      for (const e of read.entities) mentions.set(e, (mentions.get(e) ?? 0) + 1);
    }
    const about: About = {
      profile: profileOf(records).map(recordView),
      entities: [...mentions]
        .map(([name, memories]) => ({ name, memories }))
        .sort((a, b) => b.memories - a.memories || a.name.localeCompare(b.name)),
    };
    this.#kept = { revision: rows.revision, at: now, about };
    return about;
  }

  clear(): void {
    this.#kept = null;
    this.#read = new WeakMap();
  }
}
