/**
 * The memory manager's first page read straight from IndexedDB by the page that shows it (the
 * popup, the options page), without the service worker: when Chrome has stopped the worker, which
 * it does after 30 idle seconds, starting it again and evaluating its modules takes longer than
 * the whole read. Extension pages share the worker's origin, so they share its database.
 *
 * The read is the worker's own answer from the saved head (src/background/manager/page.ts): the
 * head (the first rows' ids, saved a moment after the last write), the store's revision and the
 * records, all in one read-only transaction, so they are one state of the store. The page is only
 * given when that state is the head's (same revision), nothing in it has expired, and every
 * record is in clear; otherwise null, and the page asks the worker as always. With encryption at
 * rest on, the head and the records are sealed: null, whatever the lock's state.
 *
 * Read only, never creating or upgrading the database: opened at whatever version it has, an open
 * that would create it is aborted, and the connection closes after the read (and at once if an
 * upgrade is waiting for it).
 */
import { recordView } from '../core/memory-view';
import type { MemoryPage, MemoryRecord } from '../core/types';
import { ENVELOPE_FIELD, KEYRING_KEY, SETTINGS_TABLE } from '../crypto/names';
import { DB_NAME, SETTING } from './names';
import { checkHead, HEAD_KEY } from './saved-head';

const MEMORIES_TABLE = 'memories';

export interface SavedFirstPageOptions {
  /** The IndexedDB factory (the page's own; a test's fake-indexeddb). */
  indexedDB?: IDBFactory;
  name?: string;
  /** Rows wanted (the list's page size); at most what the head holds. */
  limit: number;
  now?: number;
}

/** The database as it is, or null when there is none (nothing is created). */
function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    let creating = false;
    request.onupgradeneeded = () => {
      // No database yet: opening without a version would create an empty one. Leave that to the worker.
      creating = true;
      request.transaction?.abort();
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
      };
      resolve(db);
    };
    request.onerror = () => {
      if (creating) resolve(null);
      else reject(request.error ?? new Error('IndexedDB open failed'));
    };
  });
}

const got = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB read failed'));
    };
  });

type SettingRow = { value?: unknown } | undefined;

const inClear = (value: unknown): value is MemoryRecord =>
  typeof value === 'object' && value !== null && !(ENVELOPE_FIELD in value) && typeof (value as { text?: unknown }).text === 'string' && typeof (value as { metadata?: unknown }).metadata === 'object';

/**
 * The unfiltered list's first `limit` memories as of the saved head, or null when the head cannot
 * say (none saved, saved before the last write, an expiry passed, encryption on, no database).
 * Never throws: any failure is a null, and the worker answers.
 */
export async function readSavedFirstPage(options: SavedFirstPageOptions): Promise<MemoryPage | null> {
  const factory = options.indexedDB ?? ('indexedDB' in globalThis ? globalThis.indexedDB : null);
  if (!factory) return null;
  let db: IDBDatabase | null = null;
  try {
    db = await openExisting(factory, options.name ?? DB_NAME);
    if (!db || !db.objectStoreNames.contains(SETTINGS_TABLE) || !db.objectStoreNames.contains(MEMORIES_TABLE)) return null;
    const tx = db.transaction([SETTINGS_TABLE, MEMORIES_TABLE], 'readonly');
    const settings = tx.objectStore(SETTINGS_TABLE);
    const [keyring, revision, saved] = await Promise.all([
      got(settings.get(KEYRING_KEY) as IDBRequest<SettingRow>),
      got(settings.get(SETTING.revision) as IDBRequest<SettingRow>),
      got(settings.get(HEAD_KEY) as IDBRequest<SettingRow>),
    ]);
    if (keyring !== undefined) return null; // encryption at rest: the worker decrypts
    const head = checkHead(saved?.value as Parameters<typeof checkHead>[0]);
    const now = options.now ?? Date.now();
    if (!head || head.revision !== Number(revision?.value ?? 0)) return null;
    if (head.nextExpiry !== null && head.nextExpiry <= now) return null;
    const limit = Math.max(0, Math.min(options.limit, head.ids.length));
    if (limit < options.limit && head.ids.length < head.total) return null; // the head is shorter than the page
    const memories = tx.objectStore(MEMORIES_TABLE);
    const records = await Promise.all(head.ids.slice(0, limit).map((id) => got(memories.get(id) as IDBRequest<unknown>)));
    if (!records.every((r) => r === undefined || inClear(r))) return null;
    const items = records.filter((r): r is MemoryRecord => r !== undefined).map(recordView);
    // A record missing under the head's revision would be a store out of step with its counter: ask the worker.
    if (items.length !== limit) return null;
    return { total: head.total, items, revision: head.revision };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Where the popup's first script leaves the read it started (entrypoints/popup-first-page.ts). */
const STARTED = '__engramSavedFirstPage';

type WithStarted = typeof globalThis & { [STARTED]?: Promise<MemoryPage | null> };

/**
 * Start the read and leave it for the page's main module: the popup loads this in a small classic
 * script in its head, which runs while the page is parsed, long before its modules are loaded.
 */
export function startSavedFirstPage(limit: number): void {
  (globalThis as WithStarted)[STARTED] ??= readSavedFirstPage({ limit });
}

/** The read the page's first script started, or one started now (once: the first caller takes it). */
export function takeSavedFirstPage(limit: number): Promise<MemoryPage | null> {
  const scope = globalThis as WithStarted;
  const started = scope[STARTED];
  scope[STARTED] = undefined;
  return started ?? readSavedFirstPage({ limit });
}
