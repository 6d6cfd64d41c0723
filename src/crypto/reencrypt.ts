/**
 * Re-encryption of everything stored, resumable: when encryption is turned on (rows in clear →
 * the new generation), the passphrase changed (old generation → new one) or encryption turned off
 * (→ clear). Each table is walked in primary-key order, a chunk at a time; each chunk is read,
 * written back (the middleware writes it the way the keyring now says) and its progress marker
 * saved in the keyring, in ONE transaction. Killed half-way (worker stopped, browser closed), a
 * chunk either happened with its marker or not at all; the next run resumes after the marker.
 * Every value carries its generation's key id, so a half-done table reads fine meanwhile.
 *
 * The walk covers every table, including tables added later, and the settings last (their values
 * but for the few kept in clear, vault.ts CLEAR_SETTINGS; the keyring itself is written with each
 * chunk's progress, never put back from the chunk).
 */
import type Dexie from 'dexie';
import type { IndexableType, Table } from 'dexie';
import { KEYRING_KEY, SETTINGS_TABLE, type Keyring, type Vault } from './vault';

/** Rows per transaction; a snapshot row (a whole index) goes alone. */
export const REENCRYPT_CHUNK = 200;
const BIG_ROW_TABLES: ReadonlySet<string> = new Set(['snapshots']);

export interface ReencryptOptions {
  chunk?: number;
  /** Tests: stop after this many chunks, as if the worker were killed there (nothing is finished). */
  haltAfterChunks?: number;
  onProgress?: (done: number, total: number) => void;
  /** Checked between chunks: true stops the walk (the keys went: locked). */
  stopped?: () => boolean;
}

/** The keyring changed under the walk (another change began): this walk stops. */
export class KeyringChanged extends Error {
  constructor() {
    super('Engram encryption: the keys changed during re-encryption');
    this.name = 'KeyringChanged';
  }
}

function sameGenerations(a: Keyring | null | undefined, b: Keyring | null): boolean {
  return !!a && !!b && a.state === b.state && a.current?.id === b.current?.id && a.previous?.id === b.previous?.id;
}

/** The tables re-encrypted, in order: every table, the settings last. */
export function encryptedTables(db: Dexie): Table[] {
  return [...db.tables.filter((t) => t.name !== SETTINGS_TABLE), ...db.tables.filter((t) => t.name === SETTINGS_TABLE)];
}

/**
 * Walk every table not yet done. Returns 'done' when every table is (the caller then finishes
 * the change), 'halted' when stopped early. Throws LockedError when locked meanwhile.
 */
export async function reencrypt(db: Dexie, vault: Vault, options: ReencryptOptions = {}): Promise<'done' | 'halted'> {
  const start = vault.keyring;
  if (!start || start.state === 'on') return 'done';
  const settings = db.table(SETTINGS_TABLE);
  const tables = encryptedTables(db);
  const outbound = tables.find((t) => !t.schema.primKey.keyPath);
  if (outbound) throw new Error(`Engram encryption: ${outbound.name} keeps its keys out of its rows, which re-encryption does not handle`);
  let total = 0;
  let done = 0;
  for (const t of tables) {
    const n = await t.count();
    total += n;
    if (start.progress[t.name] === true) done += n;
  }
  options.onProgress?.(done, total);
  let chunks = 0;
  for (const table of tables) {
    let last = start.progress[table.name];
    if (last === true) continue;
    const size = BIG_ROW_TABLES.has(table.name) ? 1 : (options.chunk ?? REENCRYPT_CHUNK);
    for (;;) {
      if (options.stopped?.()) return 'halted';
      const from = last;
      const step = await db.transaction('rw', [...new Set([table.name, SETTINGS_TABLE])], async () => {
        const ring = (await settings.get(KEYRING_KEY)) as { value?: Keyring } | undefined;
        if (!sameGenerations(ring?.value, vault.keyring)) throw new KeyringChanged();
        const keyring = ring!.value!;
        const range = from === undefined || from === null ? table.orderBy(':id') : table.where(':id').above(from);
        const keys = (await range.limit(size).primaryKeys()) as IndexableType[];
        // The keyring is written below, with this chunk's progress.
        const own = table.name === SETTINGS_TABLE ? keys.filter((k) => k !== KEYRING_KEY) : keys;
        if (own.length > 0) {
          const rows = (await table.bulkGet(own)) as unknown[];
          // Every table of Engram's keeps its key in its rows (inbound), so the rows are enough.
          await table.bulkPut(rows.filter((r) => r !== undefined));
        }
        const next = keys.length < size ? true : (keys[keys.length - 1] as Keyring['progress'][string]);
        keyring.progress = { ...keyring.progress, [table.name]: next };
        await settings.put({ key: KEYRING_KEY, value: keyring });
        return { next, count: keys.length, keyring };
      });
      vault.progressed(step.keyring);
      done += step.count;
      options.onProgress?.(done, total);
      chunks++;
      if (options.haltAfterChunks !== undefined && chunks >= options.haltAfterChunks) return 'halted';
      if (step.next === true) break;
      last = step.next;
      // Between chunks: a recall or a capture waiting for these tables goes first.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  return 'done';
}
