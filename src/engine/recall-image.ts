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
import type { IndexSnapshot, MemoryRecord } from '../core/types';
import type { TextIndexData } from '../pipeline/text-index';

export const IMAGE_KEY = 'recall-image';

/** An image of another version (an older Engram) is ignored. */
export const IMAGE_VERSION = 2;

/** How long after the last write the image is saved (ms): a burst of writes saves once. */
export const IMAGE_SAVE_DELAY_MS = 1500;

/**
 * The stored form. Records, text index and links are one JSON string, not objects: IndexedDB
 * clones a string as one block, where 10,000 records and a BM25 index as objects took about 250 ms
 * to clone back (JSON.parse of the same takes a tenth of that).
 */
export interface RecallImage extends IndexSnapshot {
  kind: 'image';
  version: number;
  /** The store revision the records, the text index and the links reflect (`revision` is the vectors'). */
  storeRevision: number;
  /** JSON of ImageContent. */
  content: string;
  /** The BM25 index (TextIndex.toData(): flat typed arrays, cloned as blocks). */
  lexical: TextIndexData;
  /** `bytes`: the active model's vectors, as ExactIndex.serialize() writes them; this is their wordChecksum(). */
  checksum: number;
  /** The relevance gate's calibration for `model` (engine/calibration.ts), with what it depends on. */
  calibration?: { fingerprint: string; value: unknown };
}

export interface ImageContent {
  /** Every memory's label, in the store's order… */
  labels: number[];
  /** …and its record as JSON of its own: parsed when first looked up (engine/lazy-records.ts). */
  records: string[];
  /** Which memories name which entity (EntityLinks.toData()). */
  entities: [string, number[]][];
}

/** The stored image when it is one this version can use, else null (the caller deletes it). */
export function asImage(snapshot: IndexSnapshot | undefined): RecallImage | null {
  if (snapshot?.kind !== 'image') return null;
  const image = snapshot as Partial<RecallImage>;
  if (image.version !== IMAGE_VERSION || !Number.isInteger(image.storeRevision) || !Number.isInteger(image.revision)) return null;
  if (!(image.bytes instanceof Uint8Array) || !Number.isInteger(image.dimensions) || typeof image.content !== 'string') return null;
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
  const content = JSON.parse(image.content) as Partial<ImageContent> | null;
  if (typeof content !== 'object' || content === null) throw new Error('recall image: content is not an object');
  if (!Array.isArray(content.labels) || !Array.isArray(content.records) || content.labels.length !== content.records.length) throw new Error('recall image: malformed records');
  if (!Array.isArray(content.entities)) throw new Error('recall image: malformed entity links');
  return content as ImageContent;
}

/** The stored form of these memories and links. */
export function imageJson(records: Iterable<MemoryRecord>, entities: [string, number[]][]): string {
  const labels: number[] = [];
  const json: string[] = [];
  for (const m of records) {
    labels.push(m.label);
    json.push(JSON.stringify(m));
  }
  const content: ImageContent = { labels, records: json, entities };
  return JSON.stringify(content);
}
