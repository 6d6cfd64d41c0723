/**
 * The text of a file the options page sends in chunks (a Mem0 file, an Engram export: files too
 * large for one message), held in the worker's memory until the import takes it, and for a few
 * minutes at most. Nothing of it is written anywhere: an import that fails changes nothing.
 */
import { MAX_JSON_CHARS } from '../../data/json-text';
import { MAX_CHUNK_CHARS, type DataText } from '../../messaging/data-protocol';

/** An upload not added to for this long is dropped. */
export const UPLOAD_TTL_MS = 10 * 60_000;
/** At most this many uploads are held at once (the oldest goes). */
export const MAX_UPLOADS = 4;
const MAX_UPLOAD_ID_CHARS = 100;

interface Upload {
  parts: string[];
  chars: number;
  at: number;
}

export class Uploads {
  readonly #held = new Map<string, Upload>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Add chunk `index` (0, 1, … in order) of upload `uploadId`. Returns the characters received so far. */
  put(value: unknown): number {
    const chunk = value as { uploadId?: unknown; index?: unknown; text?: unknown } | null;
    const { uploadId, index, text } = chunk ?? {};
    if (typeof uploadId !== 'string' || uploadId === '' || uploadId.length > MAX_UPLOAD_ID_CHARS || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      throw new Error('Engram: a malformed uploadChunk was refused');
    }
    if (typeof text !== 'string' || text.length > MAX_CHUNK_CHARS) throw new Error(`Engram: an upload chunk is text of at most ${MAX_CHUNK_CHARS} characters`);
    this.#expire();
    let upload = this.#held.get(uploadId);
    if (index === 0) {
      upload = { parts: [], chars: 0, at: this.now() };
      this.#held.delete(uploadId);
      this.#held.set(uploadId, upload);
      while (this.#held.size > MAX_UPLOADS) this.#held.delete(this.#held.keys().next().value!);
    }
    if (!upload || index !== upload.parts.length) throw new Error('Engram: the file arrived out of order; import it again');
    if (upload.chars + text.length > MAX_JSON_CHARS) {
      this.#held.delete(uploadId);
      throw new Error(`Engram: the file is too large to import (more than ${MAX_JSON_CHARS} characters)`);
    }
    upload.parts.push(text);
    upload.chars += text.length;
    upload.at = this.now();
    return upload.chars;
  }

  /** The whole text of an upload, which is then forgotten. */
  take(uploadId: string): string {
    this.#expire();
    const upload = this.#held.get(uploadId);
    if (!upload) throw new Error('Engram: the file was not received (or too long ago); import it again');
    this.#held.delete(uploadId);
    return upload.parts.join('');
  }

  /** The text a request names: given whole, or uploaded before. */
  textOf(value: unknown): string {
    const file = value as Partial<Record<'text' | 'uploadId', unknown>> | null;
    if (file && typeof file.text === 'string') {
      if (file.text.length > MAX_CHUNK_CHARS) throw new Error(`Engram: a file sent whole is at most ${MAX_CHUNK_CHARS} characters; upload it in chunks`);
      return file.text;
    }
    if (file && typeof file.uploadId === 'string') return this.take(file.uploadId);
    throw new Error('Engram: no file was given');
  }

  #expire(): void {
    const now = this.now();
    for (const [id, upload] of this.#held) if (now - upload.at > UPLOAD_TTL_MS) this.#held.delete(id);
  }
}

export type { DataText };
