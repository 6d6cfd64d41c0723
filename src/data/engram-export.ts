/**
 * Engram's own export: everything a profile holds that is the user's, as one versioned JSON file,
 * and its restore into another profile.
 *
 * ```
 * { format: 'engram-export', version: 1, exportedAt: ISO 8601,
 *   memories: MemoryRecord[],   every field, as stored (times in ms since epoch)
 *   history: HistoryEntry[],    every change of every memory, forgotten ones included (without their text)
 *   spaces: string[],           every space, in use or created by the user
 *   settings: { key: JSON },    the user's settings: the caller's (e.g. `control`, from the extension's
 *                               storage) and the store's USER_SETTINGS (never its counters, stamps or caches)
 *   injections: InjectionRecord[] }  the injection log
 * ```
 *
 * Never exported: vectors and index snapshots (recomputed on restore: embeddings are as sensitive
 * as the text and belong to a model), and the turn queue (work in progress).
 *
 * While encryption at rest is on, the file is this JSON encrypted with the user's passphrase
 * (src/crypto/export-file.ts, `engram-export-YYYY-MM-DD.encrypted.json`), opened before it is read.
 *
 * A restore validates the whole file first (an ImportError names the first field that is wrong,
 * e.g. `memories[12].text: expected a string`), then writes memories, history, the injection log
 * and the spaces in one transaction, keeping each memory's id, dates, scope, space, provenance and
 * metadata; then the engine embeds them with its model. Settings are checked and handed back, never
 * applied by the restore: a file must not be able to point the extractor at a server, say.
 */
import type { HistoryEntry, InjectionRecord, JsonValue, MemoryRecord, Relation, SiteId } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import { MAX_TURN_CHARS } from '../core/turns';
import { parseControl, type ControlSettings } from '../core/control';
import { DexieMemoryStore } from '../adapters/dexie-store';
import type { EngramDatabase } from '../db/schema';
import { MAX_MEMORY_CHARS } from '../engine/add';
import { normalizeSpace } from '../engine/filters';
import type { Memory, ReembedProgress } from '../engine/memory';
import { cleanText, factHash, hasWords } from '../pipeline/normalize';
import type { MemoryStore } from '../ports/memory-store';
import { at, ImportError, isObject, kindOf, own, plural, previewOf, Warnings, type ImportPreview, type ImportResult } from './import-result';
import { jsonObjectOf, type JsonLimits } from './json-value';
import { readJsonFile } from './json-text';

export const EXPORT_FORMAT = 'engram-export';
export const EXPORT_VERSION = 1;

export interface EngramExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  memories: MemoryRecord[];
  history: HistoryEntry[];
  spaces: string[];
  settings: Record<string, JsonValue>;
  injections: InjectionRecord[];
}

/**
 * The store's settings that are the user's choices, exported by name: everything else in the
 * settings table is the store's own (counters, maintenance stamps, the memory manager's cached
 * rows) and stays behind. A new user setting kept in the store is added here.
 */
export const USER_SETTINGS: readonly string[] = ['extractionChoice', 'activeModel', 'retention'];

/**
 * The settings key of the spaces the user created (src/background/manager/spaces.ts): exported as
 * `spaces`, with those memories are filed in, and merged back on restore.
 */
export const SPACES_SETTING = 'spaces';

export interface BuildExportOptions {
  now?: () => number;
  /** More spaces to list (the store's own list of those the user created, and those memories are filed in, always are). */
  spaces?: readonly string[];
  /** Settings kept outside the store (e.g. `control`, from the extension's storage), over the store's own. */
  settings?: Record<string, JsonValue>;
}

/** A memory as exported: every field of the record, in a fixed order, nothing else. */
function exportedMemory(m: MemoryRecord): MemoryRecord {
  return {
    id: m.id,
    label: m.label,
    text: m.text,
    hash: m.hash,
    userId: m.userId,
    agentId: m.agentId,
    runId: m.runId,
    space: m.space,
    site: m.site,
    conversationId: m.conversationId,
    sourceTurnIds: [...m.sourceTurnIds],
    ...(m.context === undefined ? {} : { context: m.context }),
    saidAt: m.saidAt,
    categories: [...m.categories],
    ...(m.relations === undefined ? {} : { relations: m.relations.map((r) => ({ ...r })) }),
    metadata: m.metadata,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    expiresAt: m.expiresAt,
  };
}

/**
 * Everything of the user's in `db` as an Engram export (read in one transaction, so it is one
 * consistent moment of the profile). Vectors, index snapshots and the turn queue are not read.
 *
 * @example
 * const file = new Blob([JSON.stringify(await buildExport(db, { settings: { control } }))], { type: 'application/json' });
 */
export async function buildExport(db: EngramDatabase, options: BuildExportOptions = {}): Promise<EngramExport> {
  const [memories, history, injections, settings] = await db.transaction('r', [db.memories, db.history, db.injections, db.settings], () =>
    Promise.all([db.memories.toArray(), db.history.orderBy('id').toArray(), db.injections.orderBy('id').toArray(), db.settings.toArray()]),
  );
  const spaces = new Set<string>();
  const created = settings.find((s) => s.key === SPACES_SETTING)?.value;
  for (const s of [...(Array.isArray(created) ? created : []), ...(options.spaces ?? [])]) {
    try {
      const space = typeof s === 'string' ? normalizeSpace(s) : null;
      if (space !== null) spaces.add(space);
    } catch {
      // A malformed stored space (a part over 64 characters) is left out, as the manager leaves it.
    }
  }
  for (const m of memories) if (m.space !== null) spaces.add(m.space);
  const stored = Object.fromEntries(settings.filter((s) => USER_SETTINGS.includes(s.key)).map((s) => [s.key, s.value]));
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date((options.now ?? Date.now)()).toISOString(),
    memories: memories.sort((a, b) => a.label - b.label).map(exportedMemory),
    history,
    spaces: [...spaces].sort(),
    settings: { ...stored, ...options.settings },
    injections,
  };
}

/** A name for the export file: `engram-export-2026-11-23.json`. */
export const exportFileName = (now: number): string => `engram-export-${new Date(now).toISOString().slice(0, 10)}.json`;

/** A name for the export file encrypted with the passphrase (src/crypto/export-file.ts): `engram-export-2026-11-23.encrypted.json`. */
export const encryptedExportFileName = (now: number): string => `engram-export-${new Date(now).toISOString().slice(0, 10)}.encrypted.json`;

/** An export, checked: the memories (first of each id), and the rest of the file. */
export interface ParsedExport extends ImportResult<MemoryRecord> {
  /** ms since epoch. */
  exportedAt: number;
  history: HistoryEntry[];
  spaces: string[];
  settings: Record<string, JsonValue>;
  injections: InjectionRecord[];
}

/** The most of each kind a file may hold. */
export const EXPORT_LIMITS = { memories: 1_000_000, history: 5_000_000, injections: 1_000_000, spaces: 10_000 } as const;
const SETTINGS_LIMITS: JsonLimits = { depth: 16, width: 10_000, stringChars: 100_000 };
const MAX_CONVERSATION_ID_CHARS = 1000;
const MAX_TURN_IDS = 10_000;
const MAX_CATEGORIES = 50;
const MAX_RELATIONS = 500;
const MAX_REASON_CHARS = MAX_TURN_CHARS;
const MAX_INJECTED = 1000;

// eslint-disable-next-line no-control-regex -- ids with control characters are refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const MEMORY_FIELDS = new Set([
  'id', 'label', 'text', 'hash', 'userId', 'agentId', 'runId', 'space', 'site', 'conversationId', 'sourceTurnIds',
  'context', 'saidAt', 'categories', 'relations', 'metadata', 'createdAt', 'updatedAt', 'expiresAt',
]);
const HISTORY_FIELDS = new Set(['id', 'memoryId', 'event', 'oldText', 'newText', 'at', 'reason', 'correction', 'mergedInto']);
const INJECTION_FIELDS = new Set(['id', 'at', 'site', 'conversationId', 'mode', 'memories', 'memoryIds']);
const TOP_FIELDS = new Set(['format', 'version', 'exportedAt', 'memories', 'history', 'spaces', 'settings', 'injections']);

/** Checks of one field: each throws an ImportError naming it. */
function field(record: Record<string, unknown>, where: string) {
  const get = (key: string): unknown => own(record, key);
  const place = (key: string): string => at(where, key);
  const fail = (key: string, expected: string): never => {
    throw new ImportError(place(key), `expected ${expected}, found ${kindOf(get(key))}`);
  };
  const string = (key: string, max: number, what = 'a string'): string => {
    const value = get(key);
    if (typeof value !== 'string') return fail(key, what);
    if (value.length > max) throw new ImportError(place(key), `is ${value.length} characters long; at most ${max}`);
    return value;
  };
  const id = (key: string): string => {
    const value = string(key, 200, 'an id (a string)');
    if (value.trim() === '' || CONTROL.test(value)) throw new ImportError(place(key), 'is not an id (empty, or with control characters)');
    return value;
  };
  const nullable = <T>(key: string, read: (key: string) => T): T | null => (get(key) === null ? null : read(key));
  const optional = <T>(key: string, read: (key: string) => T): T | undefined => (get(key) === undefined ? undefined : read(key));
  const time = (key: string): number => {
    const value = get(key);
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 8.64e15) return fail(key, 'a time (ms since 1970)');
    return value;
  };
  const integer = (key: string, min: number): number => {
    const value = get(key);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) return fail(key, `a whole number of at least ${min}`);
    return value;
  };
  const boolean = (key: string): boolean => {
    const value = get(key);
    return typeof value === 'boolean' ? value : fail(key, 'true or false');
  };
  const list = (key: string, max: number): unknown[] => {
    const value = get(key);
    if (!Array.isArray(value)) return fail(key, 'a list');
    if (value.length > max) throw new ImportError(place(key), `has ${value.length} items; at most ${max}`);
    return value as unknown[];
  };
  const strings = (key: string, max: number, maxChars: number): string[] =>
    list(key, max).map((v, i) => {
      if (typeof v !== 'string') throw new ImportError(at(place(key), i), `expected a string, found ${kindOf(v)}`);
      if (v.length > maxChars) throw new ImportError(at(place(key), i), `is ${v.length} characters long; at most ${maxChars}`);
      return v;
    });
  const oneOf = <T extends string>(key: string, values: readonly T[]): T => {
    const value = get(key);
    return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : fail(key, `one of ${values.map((v) => `“${v}”`).join(', ')}`);
  };
  const scopeId = (key: string): string => {
    const value = id(key);
    if (/\s/.test(value)) throw new ImportError(place(key), 'is not a scope id (it has white space)');
    return value;
  };
  return { get, place, string, id, nullable, optional, time, integer, boolean, list, strings, oneOf, scopeId };
}

const SITES = Object.keys(SITE_NAMES) as SiteId[];

function ignoreUnknown(record: Record<string, unknown>, known: ReadonlySet<string>, kind: string, warnings: Warnings): void {
  for (const key of Object.keys(record)) {
    if (!known.has(key)) warnings.tally(`${kind}:${key}`, (n) => `${kind}: the field “${key.slice(0, 40)}” of ${plural(n, 'item')} was ignored (not a field Engram knows)`);
  }
}

function memoryOf(raw: unknown, where: string, warnings: Warnings): MemoryRecord {
  if (!isObject(raw)) throw new ImportError(where, `expected a memory (an object), found ${kindOf(raw)}`);
  ignoreUnknown(raw, MEMORY_FIELDS, 'memories', warnings);
  const f = field(raw, where);
  const id = f.id('id');
  const label = f.integer('label', 1);
  const given = f.string('text', MAX_MEMORY_CHARS * 2);
  const text = cleanText(given);
  if (!hasWords(text)) throw new ImportError(f.place('text'), 'is not a memory in words');
  if (text.length > MAX_MEMORY_CHARS) throw new ImportError(f.place('text'), `is ${text.length} characters long; a memory is at most ${MAX_MEMORY_CHARS}`);
  if (text !== given) warnings.tally('cleaned', (n) => `${plural(n, 'memory had', 'memories had')} control or invisible characters, removed`);
  const userId = f.nullable('userId', f.scopeId);
  const agentId = f.nullable('agentId', f.scopeId);
  const runId = f.nullable('runId', f.scopeId);
  if (userId === null && agentId === null && runId === null) throw new ImportError(where, 'has no scope (userId, agentId or runId)');
  const spaceText = f.nullable('space', (k) => f.string(k, 1000));
  let space: string | null;
  try {
    space = normalizeSpace(spaceText);
  } catch (error) {
    throw new ImportError(f.place('space'), error instanceof Error ? error.message.replace(/^Invalid space "[^"]*": /, '') : 'is not a space');
  }
  const context = f.optional('context', (k) => f.nullable(k, (k2) => f.string(k2, MAX_TURN_CHARS)));
  const relations = f.optional('relations', (k) => f.list(k, MAX_RELATIONS).map((r, i) => relationOf(r, at(f.place(k), i))));
  const metadata = jsonObjectOf(f.get('metadata'), f.place('metadata'), warnings);
  f.string('hash', 64);
  const scope = { userId, agentId, runId, space };
  return {
    id,
    label,
    text,
    hash: factHash(text, scope),
    ...scope,
    site: f.nullable('site', (k) => f.oneOf(k, SITES)),
    conversationId: f.nullable('conversationId', (k) => f.string(k, MAX_CONVERSATION_ID_CHARS)),
    sourceTurnIds: f.strings('sourceTurnIds', MAX_TURN_IDS, 1000),
    ...(context === undefined ? {} : { context }),
    saidAt: f.time('saidAt'),
    categories: f.strings('categories', MAX_CATEGORIES, 100),
    ...(relations === undefined ? {} : { relations }),
    metadata,
    createdAt: f.time('createdAt'),
    updatedAt: f.time('updatedAt'),
    expiresAt: f.nullable('expiresAt', f.time),
  };
}

function relationOf(raw: unknown, where: string): Relation {
  if (!isObject(raw)) throw new ImportError(where, `expected a relation (an object), found ${kindOf(raw)}`);
  const f = field(raw, where);
  return { subject: f.string('subject', 500), predicate: f.string('predicate', 500), object: f.string('object', 500) };
}

function historyOf(raw: unknown, where: string, warnings: Warnings): HistoryEntry {
  if (!isObject(raw)) throw new ImportError(where, `expected a history entry (an object), found ${kindOf(raw)}`);
  ignoreUnknown(raw, HISTORY_FIELDS, 'history', warnings);
  const f = field(raw, where);
  const id = f.optional('id', (k) => f.integer(k, 1));
  const reason = f.optional('reason', (k) => f.string(k, MAX_REASON_CHARS));
  const correction = f.optional('correction', f.boolean);
  const mergedInto = f.optional('mergedInto', f.id);
  return {
    ...(id === undefined ? {} : { id }),
    memoryId: f.id('memoryId'),
    event: f.oneOf('event', ['ADD', 'UPDATE', 'DELETE'] as const),
    oldText: f.nullable('oldText', (k) => f.string(k, MAX_TURN_CHARS)),
    newText: f.nullable('newText', (k) => f.string(k, MAX_TURN_CHARS)),
    at: f.time('at'),
    ...(reason === undefined ? {} : { reason }),
    ...(correction === undefined ? {} : { correction }),
    ...(mergedInto === undefined ? {} : { mergedInto }),
  };
}

function injectionOf(raw: unknown, where: string, warnings: Warnings): InjectionRecord {
  if (!isObject(raw)) throw new ImportError(where, `expected an injection (an object), found ${kindOf(raw)}`);
  ignoreUnknown(raw, INJECTION_FIELDS, 'injections', warnings);
  const f = field(raw, where);
  const id = f.optional('id', (k) => f.integer(k, 1));
  const memories = f.list('memories', MAX_INJECTED).map((m, i) => {
    const place = at(f.place('memories'), i);
    if (!isObject(m)) throw new ImportError(place, `expected a memory sent (an object), found ${kindOf(m)}`);
    const g = field(m, place);
    return { id: g.id('id'), text: g.nullable('text', (k) => g.string(k, MAX_MEMORY_CHARS * 2)) };
  });
  return {
    ...(id === undefined ? {} : { id }),
    at: f.time('at'),
    site: f.oneOf('site', SITES),
    conversationId: f.string('conversationId', MAX_CONVERSATION_ID_CHARS),
    mode: f.oneOf('mode', ['automatic', 'review', 'manual'] as const),
    memories,
    memoryIds: f.strings('memoryIds', MAX_INJECTED, 200),
  };
}

/**
 * An Engram export checked field by field. Throws an ImportError naming the first wrong field
 * (`memories[12].text: expected a string, found a number`); a memory whose id was seen before
 * is left out (the first wins) and reported, as are fields Engram does not know.
 *
 * @example
 * const parsed = parseExport(JSON.parse(text));
 * show(previewExport(parsed)); // then, once the user agrees: await restoreExport(engine, parsed)
 */
export function parseExport(data: unknown, file = 'file'): ParsedExport {
  if (!isObject(data)) throw new ImportError(file, `is not an Engram export: expected an object, found ${kindOf(data)}`);
  const f = field(data, '');
  const format = f.get('format');
  if (format !== EXPORT_FORMAT) throw new ImportError('format', `expected “${EXPORT_FORMAT}”: this is not an Engram export`);
  const version = f.get('version');
  if (typeof version === 'number' && Number.isInteger(version) && version > EXPORT_VERSION) {
    throw new ImportError('version', `this export is from a newer Engram (version ${version}); update Engram to import it`);
  }
  if (version !== EXPORT_VERSION) throw new ImportError('version', `expected ${EXPORT_VERSION}, found ${kindOf(version)}`);
  const warnings = new Warnings();
  ignoreUnknown(data, TOP_FIELDS, 'the export', warnings);
  const exportedAt = Date.parse(f.string('exportedAt', 64, 'a date (ISO 8601)'));
  if (!Number.isFinite(exportedAt)) throw new ImportError('exportedAt', 'is not a date');

  const items: MemoryRecord[] = [];
  const ids = new Set<string>();
  for (const [i, raw] of f.list('memories', EXPORT_LIMITS.memories).entries()) {
    const memory = memoryOf(raw, at('memories', i), warnings);
    if (ids.has(memory.id)) {
      warnings.add(at('memories', i), `skipped: id ${memory.id} appears twice; the first was kept`);
      continue;
    }
    ids.add(memory.id);
    items.push(memory);
  }
  const history = f.list('history', EXPORT_LIMITS.history).map((raw, i) => historyOf(raw, at('history', i), warnings));
  const spaces = [
    ...new Set(
      f.strings('spaces', EXPORT_LIMITS.spaces, 1000).flatMap((s, i) => {
        try {
          const space = normalizeSpace(s);
          return space === null ? [] : [space];
        } catch {
          throw new ImportError(at('spaces', i), 'is not a space (a part is longer than 64 characters)');
        }
      }),
    ),
  ];
  const settings = jsonObjectOf(f.get('settings'), 'settings', warnings, SETTINGS_LIMITS);
  const injections = f.list('injections', EXPORT_LIMITS.injections).map((raw, i) => injectionOf(raw, at('injections', i), warnings));
  return { items, exportedAt, history, spaces, settings, injections, warnings: warnings.toArray() };
}

/** Read and check an Engram export file. */
export async function readExport(file: Blob): Promise<ParsedExport> {
  return parseExport(await readJsonFile(file, 'name' in file && typeof file.name === 'string' && file.name ? file.name : 'file'));
}

/** What restoring an export would add: how many memories, the first five, the warnings. */
export function previewExport(parsed: ParsedExport): ImportPreview<MemoryRecord> {
  return previewOf(parsed);
}

/** The user's control settings in an export's settings, or null when it has none. */
export function controlOf(settings: Record<string, JsonValue>): ControlSettings | null {
  return Object.prototype.hasOwnProperty.call(settings, 'control') ? parseControl(settings.control) : null;
}

/** Where a restore writes: the engine (it embeds the memories) and its store; the database for the injection log. */
export interface RestoreTarget {
  memory: Memory;
  store: MemoryStore;
  /** The Dexie database behind `store`: the injection log is restored into it (in the same transaction). */
  db?: EngramDatabase;
}

export interface RestoreOptions {
  /** Told as memories are embedded. */
  onProgress?: (progress: ReembedProgress) => void;
}

export interface RestoreResult {
  /** Memories written. */
  memories: number;
  /** Memories left out, and why: already in this profile (by id, or the same words in the same scope). */
  skipped: { id: string; reason: string }[];
  history: number;
  injections: number;
  /** Memories embedded by the engine's model (all memories of the store without a vector). */
  embedded: ReembedProgress;
  /** The export's settings, checked but NOT applied: the caller applies what it trusts (see controlOf). */
  settings: Record<string, JsonValue>;
  /** The export's spaces, added to the store's list of spaces the user created. */
  spaces: string[];
}

const injectionKey = (r: InjectionRecord): string => JSON.stringify([r.at, r.site, r.conversationId, r.mode, r.memoryIds]);

/**
 * Restore a checked export into a profile (a fresh one, or one with memories: memories it
 * already has — the same id, or the same words in the same scope — are left out, with their
 * history). Memories keep their ids, texts, scopes, spaces, provenance, metadata, dates and
 * expiry; the store gives them new labels (its vector index keys). Memories, history, the
 * injection log and the spaces are written in one transaction: all or nothing. Every space of the
 * export joins the store's list of spaces the user created (the export does not tell those apart
 * from the ones memories are filed in), so none is lost when memories move. Then the engine embeds
 * every memory that has no vector under its model (`memory.reembed` with its own embedder):
 * should that fail (the model could not load), the memories are stored and calling
 * `memory.reembed` again finishes the work. Settings are returned, not applied.
 */
export async function restoreExport(target: RestoreTarget, parsed: ParsedExport, options: RestoreOptions = {}): Promise<RestoreResult> {
  const { store, db, memory } = target;
  const existing = await store.list();
  const ids = new Set(existing.map((m) => m.id));
  const hashes = new Set(existing.map((m) => m.hash));
  const skipped: RestoreResult['skipped'] = [];
  const kept: MemoryRecord[] = [];
  for (const m of [...parsed.items].sort((a, b) => a.label - b.label)) {
    if (ids.has(m.id)) skipped.push({ id: m.id, reason: 'already in this profile' });
    else if (hashes.has(m.hash)) skipped.push({ id: m.id, reason: 'already remembered (the same words in the same scope)' });
    else {
      kept.push(m);
      hashes.add(m.hash);
    }
  }
  // History comes with the memories restored, and with memories no longer held (forgotten ones,
  // their entries without text) unless this profile has history of theirs already (a second restore).
  const restoring = new Set(kept.map((m) => m.id));
  const left = new Set(skipped.map((s) => s.id));
  const orphans = [...new Set(parsed.history.map((h) => h.memoryId))].filter((id) => !restoring.has(id) && !left.has(id) && !ids.has(id));
  const fresh = new Set<string>();
  for (const id of orphans) if ((await store.history(id)).length === 0) fresh.add(id);
  const history = parsed.history.filter((h) => restoring.has(h.memoryId) || fresh.has(h.memoryId)).map(({ id: _id, ...entry }) => entry);
  const logged = db ? new Set((await db.injections.toArray()).map(injectionKey)) : new Set<string>();
  const injections = db ? parsed.injections.map(({ id: _id, ...r }) => r).filter((r) => !logged.has(injectionKey(r))) : [];

  const write = async (): Promise<void> => {
    if (db && injections.length > 0) await db.injections.bulkAdd(injections);
    if (parsed.spaces.length > 0) {
      const current = await store.getSetting(SPACES_SETTING);
      const listed = Array.isArray(current) ? current.filter((v): v is string => typeof v === 'string') : [];
      if (parsed.spaces.some((space) => !listed.includes(space))) await store.setSetting(SPACES_SETTING, [...new Set([...listed, ...parsed.spaces])].sort());
    }
    if (kept.length === 0 && history.length === 0) return;
    const labels = kept.length > 0 ? await store.allocateLabels(kept.length) : [];
    const put = kept.map((m, i) => ({ ...m, label: labels[i]! }));
    await store.write({ put, history });
  };
  if (db && store instanceof DexieMemoryStore && store.db === db) {
    await db.transaction('rw', [db.memories, db.vectors, db.history, db.settings, db.injections], write);
  } else {
    await write();
  }
  const embedded = await memory.reembed(memory.embedder, options.onProgress, 64);
  return { memories: kept.length, skipped, history: history.length, injections: injections.length, embedded, settings: parsed.settings, spaces: parsed.spaces };
}
