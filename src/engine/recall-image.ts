/**
 * The recall image: everything the first recall after a cold start needs, in one stored record, so
 * a stopped service worker answers from one IndexedDB read instead of reading every memory and
 * every vector and rebuilding the BM25 index, the entity links and the vector index from them
 * (about 450 ms at 10,000 memories, measured with `npm run bench`).
 *
 * It is a cache like the index snapshots: written a moment after the last write (and after a cold
 * read), used only when it reflects the store's current revisions, ignored and deleted when it is
 * older, of another version or malformed. A write that forgets or rewords a memory deletes it at
 * once, with the write: a forgotten memory's text never waits in it for the next save.
 */
import { inSlices } from './slices';
import type { IndexSnapshot, MemoryRecord } from '../core/types';
import type { TextIndexData } from '../pipeline/text-index';

export const IMAGE_KEY = 'recall-image';

/** An image of another version (an older Engram) is ignored. */
export const IMAGE_VERSION = 4;

/** How long after the last write the image is saved (ms): a burst of writes saves once. */
export const IMAGE_SAVE_DELAY_MS = 1500;

/**
 * The stored form, in the shapes IndexedDB clones fastest and a cold start unpacks cheapest: the
 * labels a typed array, the records one string (each record's JSON, one per line: split, never
 * parsed until looked up), the text index flat typed arrays. No array of many small values: 10,000
 * records as objects took about 250 ms to clone back, and as a JSON array of strings most of the
 * rest of reading the image went into JSON.parse unescaping every record (bench/profile-cold-start.ts).
 */
export interface RecallImage extends IndexSnapshot {
  kind: 'image';
  version: number;
  /** The store revision the records, the text index and the links reflect (`revision` is the vectors'). */
  storeRevision: number;
  /** Every memory's label, in the store's order… */
  labels: Float64Array;
  /** …and its record (recordLine: JSON of its values), one per line in the same order (JSON never holds a raw newline). */
  records: string;
  /** JSON of which memories name which entity (EntityLinks.toData()). */
  entities: string;
  /** The BM25 index (TextIndex.toData(): flat typed arrays, cloned as blocks). */
  lexical: TextIndexData;
  /** `bytes`: the active model's vectors, as ExactIndex.serialize() writes them; this is their wordChecksum(). */
  checksum: number;
  /** The relevance gate's calibration for `model` (engine/calibration.ts), with what it depends on. */
  calibration?: { fingerprint: string; value: unknown };
}

export interface ImageContent {
  /** Every memory's label, in the store's order… */
  labels: ArrayLike<number>;
  /** …and its record's line (recordLine): parsed when first looked up (engine/lazy-records.ts). */
  records: string[];
  /** Which memories name which entity (EntityLinks.toData()). */
  entities: [string, number[]][];
}

/** The stored image when it is one this version can use, else null (the caller deletes it). */
export function asImage(snapshot: IndexSnapshot | undefined): RecallImage | null {
  if (snapshot?.kind !== 'image') return null;
  const image = snapshot as Partial<RecallImage>;
  if (image.version !== IMAGE_VERSION || !Number.isInteger(image.storeRevision) || !Number.isInteger(image.revision)) return null;
  if (!(image.bytes instanceof Uint8Array) || !Number.isInteger(image.dimensions)) return null;
  if (!(image.labels instanceof Float64Array) || typeof image.records !== 'string' || typeof image.entities !== 'string') return null;
  const lexical: unknown = image.lexical;
  if (typeof lexical !== 'object' || lexical === null) return null;
  if (image.bytes.length % 4 !== 0 || wordChecksum(image.bytes) !== image.checksum) return null;
  return image as RecallImage;
}

/**
 * FNV-1a over 32-bit words (in the platform's byte order: written and read on the same device), not bytes: a quarter of the steps of the index
 * snapshots' checksum, for the one read a cold start waits on (35 → about 8 ms at 10,000 vectors).
 */
export function wordChecksum(bytes: Uint8Array): number {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.length / 4));
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}

/** The image's content; throws a clear error when it is not what saveImage wrote. */
export function imageContent(image: RecallImage): ImageContent {
  const records = image.records === '' ? [] : image.records.split('\n');
  if (records.length !== image.labels.length) throw new Error(`recall image: ${image.labels.length} labels for ${records.length} records`);
  const entities = JSON.parse(image.entities) as unknown;
  if (!Array.isArray(entities)) throw new Error('recall image: malformed entity links');
  return { labels: image.labels, records, entities: entities as [string, number[]][] };
}

/**
 * A record's fields in the order a line of the image holds them: a line is a JSON array of their
 * values, not an object, which halves the image (the field names were most of each record).
 */
const FIELDS = [
  'id', 'label', 'text', 'hash', 'userId', 'agentId', 'runId', 'space', 'site', 'conversationId', 'sourceTurnIds',
  'context', 'saidAt', 'categories', 'metadata', 'createdAt', 'updatedAt', 'expiresAt', 'relations',
] as const satisfies readonly (keyof MemoryRecord)[];
/** Fails to compile when MemoryRecord gains a field FIELDS does not name. */
type Named<T extends never> = T;
export type UnnamedRecordFields = Named<Exclude<keyof MemoryRecord, (typeof FIELDS)[number]>>;
const FIELD_SET: ReadonlySet<string> = new Set(FIELDS);
/** Optional fields: absent is written 0 (never one of their values), so that it comes back absent, not null. */
const OPTIONAL: ReadonlySet<string> = new Set(['context', 'relations']);

/** One line of the image: the record's values in FIELDS order, then any field FIELDS does not name. */
export function recordLine(m: MemoryRecord): string {
  const values: unknown[] = FIELDS.map((f) => (m[f] === undefined && OPTIONAL.has(f) ? 0 : m[f]));
  let others: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(m)) if (!FIELD_SET.has(key)) (others ??= {})[key] = value;
  if (others) values.push(others);
  return JSON.stringify(values);
}

/** The record a line holds (as recordLine wrote it), or null when it is not one: the caller checks the rest. */
export function recordFromLine(line: string): unknown {
  const values: unknown = JSON.parse(line);
  if (!Array.isArray(values) || values.length < FIELDS.length) return null;
  const record: Record<string, unknown> = {};
  FIELDS.forEach((field, i) => {
    const value: unknown = values[i];
    if (!(value === 0 && OPTIONAL.has(field))) record[field] = value;
  });
  const others: unknown = values[FIELDS.length];
  if (typeof others === 'object' && others !== null && !Array.isArray(others)) {
    for (const [key, value] of Object.entries(others)) if (key !== '__proto__' && !FIELD_SET.has(key)) record[key] = value;
  }
  return record;
}

/** The stored form of these memories and links (the image's `labels`, `records` and `entities`). */
export async function imageParts(records: Iterable<MemoryRecord>, entities: [string, number[]][]): Promise<Pick<RecallImage, 'labels' | 'records' | 'entities'>> {
  const labels: number[] = [];
  const lines: string[] = [];
  // In slices: at 100,000 memories the lines took 0.3 s in one go.
  await inSlices(records, (m) => {
    labels.push(m.label);
    lines.push(recordLine(m));
  });
  return { labels: Float64Array.from(labels), records: lines.join('\n'), entities: JSON.stringify(entities) };
}
