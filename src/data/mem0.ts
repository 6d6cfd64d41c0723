/**
 * Mem0 records, both ways. Import: what Mem0's `getAll` returns — `{ results: [...] }` (the
 * TypeScript SDK, Python and the platform API; the platform adds `count`, `next`, `previous`) or
 * the bare list — each record
 *
 * ```
 * { id, memory, hash?, metadata?, categories?, created_at? | createdAt?, updated_at? | updatedAt?,
 *   user_id? | userId?, agent_id? | agentId?, run_id? | runId?, expiration_date?, score? }
 * ```
 *
 * Export: Engram's memories in that shape (snake_case, ISO dates, md5 `hash` of the text as Mem0
 * computes it), with Engram's provenance in `metadata` (`site`, `conversation_id`, `said_at`,
 * `space`, `expiration_date`), which the import reads back.
 */
import SparkMD5 from 'spark-md5';
import type { JsonValue, MemoryRecord, SiteId } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import type { EngramDatabase } from '../db/schema';
import { MAX_MEMORY_CHARS } from '../engine/add';
import { normalizeSpace } from '../engine/filters';
import { expirationDateOf, expiryOf } from '../engine/validate';
import { cleanText, hasWords } from '../pipeline/normalize';
import { at, ImportError, isObject, kindOf, own, previewOf, Warnings, type ImportPreview, type ImportResult } from './import-result';
import type { ImportedMemory } from './imported';
import { jsonObjectOf } from './json-value';
import { idOf, splitText, timeOf } from './text';

/** One record as Mem0's `getAll` gives it (the platform's snake_case shape). */
export interface Mem0Record {
  id: string;
  memory: string;
  /** md5 hex of `memory`. */
  hash: string;
  metadata: Record<string, JsonValue>;
  categories: string[];
  /** ISO 8601. */
  created_at: string;
  updated_at: string;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

/** What Mem0's `getAll` returns. */
export interface Mem0Export {
  results: Mem0Record[];
}

/** The most records read from one file. */
export const MAX_RECORDS = 1_000_000;
/** Metadata keys that are scope or Engram provenance, read into their own fields. */
const SCOPE_KEYS = new Set(['user_id', 'agent_id', 'run_id', 'userId', 'agentId', 'runId', 'actor_id']);
const PROVENANCE_KEYS = new Set(['site', 'conversation_id', 'said_at', 'space', 'expiration_date']);
const MAX_CATEGORIES = 50;

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Engram's memories as Mem0 records, oldest first.
 *
 * @example
 * const file = JSON.stringify({ results: toMem0Records(await db.memories.toArray()) });
 */
export function toMem0Records(memories: readonly MemoryRecord[]): Mem0Record[] {
  return [...memories]
    .sort((a, b) => a.createdAt - b.createdAt || a.label - b.label)
    .map((m) => {
      const metadata: Record<string, JsonValue> = { ...m.metadata };
      if (m.site !== null) metadata.site = m.site;
      if (m.conversationId !== null) metadata.conversation_id = m.conversationId;
      metadata.said_at = iso(m.saidAt);
      if (m.space !== null) metadata.space = m.space;
      if (m.expiresAt !== null) metadata.expiration_date = expirationDateOf(m.expiresAt);
      return {
        id: m.id,
        memory: m.text,
        hash: SparkMD5.hash(m.text),
        metadata,
        categories: [...m.categories],
        created_at: iso(m.createdAt),
        updated_at: iso(m.updatedAt),
        ...(m.userId !== null ? { user_id: m.userId } : {}),
        ...(m.agentId !== null ? { agent_id: m.agentId } : {}),
        ...(m.runId !== null ? { run_id: m.runId } : {}),
      };
    });
}

/** Every memory of the database in Mem0's shape (vectors stay: Mem0 computes its own). */
export async function buildMem0Export(db: EngramDatabase): Promise<Mem0Export> {
  return { results: toMem0Records(await db.memories.toArray()) };
}

/** The list of records in what a file holds: `{ results: [...] }` or the list itself. */
function recordsOf(data: unknown, where: string): { list: unknown[]; where: string } {
  if (Array.isArray(data)) return { list: data as unknown[], where };
  if (isObject(data)) {
    const results = own(data, 'results');
    if (Array.isArray(results)) return { list: results as unknown[], where: at(where, 'results') };
    const memories = own(data, 'memories');
    if (Array.isArray(memories)) return { list: memories as unknown[], where: at(where, 'memories') };
    throw new ImportError(where, results === undefined ? 'is not Mem0 records: expected a list, or an object with “results”' : `results: expected a list, found ${kindOf(results)}`);
  }
  throw new ImportError(where, `is not Mem0 records: expected a list, or an object with “results”, found ${kindOf(data)}`);
}

const firstOf = (record: Record<string, unknown>, ...keys: string[]): unknown => {
  for (const key of keys) {
    const value = own(record, key);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
};

/**
 * Mem0 records (a parsed `getAll` result) as memories to import, in the file's order. A record
 * that cannot be read is skipped and reported; a repeated id is skipped (the first wins). Throws
 * an ImportError when the file is not Mem0 records, or holds none that can be read.
 *
 * @example
 * const { items, warnings } = parseMem0(JSON.parse(text));
 * await memory.addMany(items.map(addManyMemoryOf), { userId: DEFAULT_USER, infer: false });
 */
export function parseMem0(data: unknown, file = 'file'): ImportResult<ImportedMemory> {
  const { list, where: base } = recordsOf(data, file);
  if (list.length > MAX_RECORDS) throw new ImportError(base, `has ${list.length} records; at most ${MAX_RECORDS} are imported at once`);
  const warnings = new Warnings();
  const items: ImportedMemory[] = [];
  const ids = new Set<string>();
  let skipped = 0;
  let firstProblem: ImportError | null = null;
  for (const [i, raw] of list.entries()) {
    const where = at(base, i);
    try {
      const record = recordOf(raw, where, warnings);
      const id = record.id;
      if (id !== undefined && ids.has(id)) {
        warnings.add(where, `skipped: id ${id} appears twice; the first was kept`);
        continue;
      }
      if (id !== undefined) ids.add(id);
      items.push(...record.memories);
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      skipped++;
      firstProblem ??= error;
      warnings.add(error.where, `skipped: ${error.reason}`);
    }
  }
  if (items.length === 0 && firstProblem) throw firstProblem;
  if (skipped > 0 && items.length === 0) throw new ImportError(base, 'holds no memory Engram can read');
  return { items, warnings: warnings.toArray() };
}

function recordOf(raw: unknown, where: string, warnings: Warnings): { id: string | undefined; memories: ImportedMemory[] } {
  if (!isObject(raw)) throw new ImportError(where, `expected a record (an object), found ${kindOf(raw)}`);
  const rawId = own(raw, 'id');
  const id = rawId === undefined || rawId === null ? undefined : (idOf(rawId) ?? undefined);
  if (rawId !== undefined && rawId !== null && id === undefined) throw new ImportError(at(where, 'id'), 'expected an id (a short string)');
  const data = own(raw, 'data');
  const memory = firstOf(raw, 'memory', 'text') ?? (isObject(data) ? own(data, 'memory') : undefined);
  if (typeof memory !== 'string') throw new ImportError(at(where, 'memory'), `expected a string, found ${kindOf(memory)}`);
  const text = cleanText(memory);
  if (!hasWords(text)) throw new ImportError(at(where, 'memory'), 'is not a memory in words');

  const metadataValue = own(raw, 'metadata');
  const metadata = metadataValue === undefined || metadataValue === null ? {} : jsonObjectOf(metadataValue, at(where, 'metadata'), warnings);
  const rest = Object.fromEntries(Object.entries(metadata).filter(([key]) => !SCOPE_KEYS.has(key) && !PROVENANCE_KEYS.has(key)));

  const created = firstOf(raw, 'created_at', 'createdAt');
  const updated = firstOf(raw, 'updated_at', 'updatedAt');
  const createdAt = created === undefined ? undefined : timeOf(created);
  if (created !== undefined && createdAt === undefined) warnings.add(at(where, 'created_at'), 'ignored: not a date');
  const updatedAt = updated === undefined ? undefined : timeOf(updated);
  const saidAt = typeof metadata.said_at === 'string' ? timeOf(metadata.said_at) : undefined;

  const scope: NonNullable<ImportedMemory['scope']> = {};
  for (const [name, keys] of [
    ['userId', ['user_id', 'userId']],
    ['agentId', ['agent_id', 'agentId']],
    ['runId', ['run_id', 'runId']],
  ] as const) {
    const value = firstOf(raw, ...keys);
    if (value === undefined) continue;
    const scopeId = idOf(value);
    if (scopeId === null || /\s/.test(scopeId)) warnings.add(at(where, keys[0]), 'ignored: not an id');
    else scope[name] = scopeId;
  }

  const categoriesValue = own(raw, 'categories');
  let categories: string[] | undefined;
  if (Array.isArray(categoriesValue)) {
    categories = (categoriesValue as unknown[])
      .filter((c): c is string => typeof c === 'string')
      .map((c) => cleanText(c).toLowerCase())
      .filter((c) => c.length > 0 && c.length <= 64)
      .slice(0, MAX_CATEGORIES);
  } else if (categoriesValue !== undefined && categoriesValue !== null) {
    warnings.add(at(where, 'categories'), `ignored: expected a list, found ${kindOf(categoriesValue)}`);
  }

  const expiration = firstOf(raw, 'expiration_date') ?? metadata.expiration_date;
  let expirationDate: string | undefined;
  if (expiration !== undefined && expiration !== null) {
    try {
      expiryOf(expiration);
      expirationDate = expiration as string;
    } catch {
      warnings.add(at(where, 'expiration_date'), 'ignored: expected a date as YYYY-MM-DD');
    }
  }

  const site = typeof metadata.site === 'string' && Object.prototype.hasOwnProperty.call(SITE_NAMES, metadata.site) ? (metadata.site as SiteId) : undefined;
  const conversationId = idOf(metadata.conversation_id) ?? undefined;
  let space: string | undefined;
  if (typeof metadata.space === 'string') {
    try {
      space = normalizeSpace(metadata.space) ?? undefined;
    } catch {
      warnings.add(at(at(where, 'metadata'), 'space'), 'ignored: not a space');
    }
  }

  const parts = text.length > MAX_MEMORY_CHARS ? splitText(text, MAX_MEMORY_CHARS) : [text];
  if (parts.length > 1) warnings.add(at(where, 'memory'), `longer than a memory may be (${MAX_MEMORY_CHARS} characters): kept as ${parts.length} memories`);
  const key = id ?? `md5:${SparkMD5.hash(text)}`;
  const when = saidAt ?? createdAt;
  return {
    id,
    memories: parts.map((part, n) => ({
      source: 'mem0',
      text: part,
      ...(when === undefined ? {} : { at: when }),
      ...(updatedAt === undefined ? {} : { updatedAt }),
      metadata: rest,
      ...(categories && categories.length > 0 ? { categories } : {}),
      ...(expirationDate ? { expirationDate } : {}),
      ...(Object.keys(scope).length > 0 ? { scope } : {}),
      ...(site ? { site } : {}),
      ...(conversationId ? { conversationId } : {}),
      ...(space ? { space } : {}),
      where,
      importKey: `mem0/${encodeURIComponent(key)}${parts.length > 1 ? `#${n + 1}` : ''}`,
    })),
  };
}

/** What importing Mem0 records would add: how many, the first five, the warnings. */
export function previewMem0(data: unknown): ImportPreview<ImportedMemory> {
  return previewOf(parseMem0(data));
}
