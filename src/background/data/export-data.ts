/**
 * Export: everything of the user's as Engram's versioned JSON (src/data/engram-export.ts: memories
 * with their provenance, history, spaces, settings, the injection log; never vectors), or the
 * memories as Mem0 records. The file is made in the worker (the only reader of the database) and
 * handed to the options page in pieces (`exportChunk`), which saves it as a download.
 *
 * While encryption at rest is on, an export would otherwise put everything it protects in a file
 * in clear: Engram's export is then encrypted with the user's passphrase (src/crypto/export-file.ts),
 * which the request carries and which is checked against Engram's own first (a typo must not make
 * a file nobody can open). Mem0's records are a clear format for other tools by definition: they
 * are written only when the request says the user confirmed that this file will not be encrypted.
 */
import type { ControlSettings } from '../../core/control';
import type { JsonValue } from '../../core/types';
import { encryptExport } from '../../crypto/export-file';
import { buildExport, encryptedExportFileName, exportFileName } from '../../data/engram-export';
import { buildMem0Export } from '../../data/mem0';
import type { EngramDatabase } from '../../db/schema';
import { MAX_CHUNK_CHARS, type ExportReady } from '../../messaging/data-protocol';

/** A prepared export is kept this long for its pieces to be fetched. */
export const EXPORT_TTL_MS = 5 * 60_000;
const MAX_EXPORTS = 2;

/** What an export needs of encryption at rest (background/lock/lock.ts Lock). */
export interface ExportLock {
  /** Whether exports are encrypted now (encryption on, being turned on, or its passphrase changing). */
  exportsEncrypted(): Promise<boolean>;
  /** Throws (WrongPassphrase, LockedError) unless `passphrase` is the one Engram is encrypted with now. */
  checkPassphrase(passphrase: unknown): Promise<void>;
  /** PBKDF2 iterations for the file's key. */
  readonly iterations: number;
}

/** Refused: encryption is on and the request has no passphrase to encrypt Engram's export with. */
export const PASSPHRASE_NEEDED = 'Engram: encryption is on, so the export is encrypted with your passphrase; enter it to export';
/** Refused: encryption is on and the user did not confirm that the Mem0 file is written in clear. */
export const CLEAR_EXPORT_NOT_CONFIRMED = 'Engram: encryption is on and Mem0 records are never encrypted; confirm that this file will not be encrypted to export it';

export interface ExportDeps {
  db: EngramDatabase;
  /** Encryption at rest (absent where there is none: exports are then in clear). */
  lock?: ExportLock | undefined;
  /** The user's control settings (the extension's storage), exported with the store's own. */
  control: () => Promise<ControlSettings>;
  now?: () => number;
  newId?: () => string;
}

/** Exports prepared and waiting for the page to fetch them. */
export class Exports {
  readonly #ready = new Map<string, { chunks: string[]; at: number }>();
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(private readonly deps: ExportDeps) {
    this.#now = deps.now ?? Date.now;
    this.#newId = deps.newId ?? (() => crypto.randomUUID());
  }

  /**
   * Make an export of `format` ('engram' or 'mem0'). While encryption is on, Engram's needs the
   * user's `passphrase` (the file is encrypted with it) and Mem0's needs `unencrypted: true` (the
   * user confirmed the file is in clear); either refused, nothing is read.
   */
  async prepare(value: unknown): Promise<ExportReady> {
    const request = value as { format?: unknown; passphrase?: unknown; unencrypted?: unknown } | null;
    const format = request?.format;
    if (format !== 'engram' && format !== 'mem0') throw new Error('Engram: a malformed exportData was refused');
    const lock = this.deps.lock;
    const encrypted = lock ? await lock.exportsEncrypted() : false;
    let passphrase: string | null = null;
    if (encrypted && format === 'engram') {
      if (typeof request?.passphrase !== 'string' || request.passphrase === '') throw new Error(PASSPHRASE_NEEDED);
      await lock!.checkPassphrase(request.passphrase);
      passphrase = request.passphrase;
    }
    if (encrypted && format === 'mem0' && request?.unencrypted !== true) throw new Error(CLEAR_EXPORT_NOT_CONFIRMED);
    const now = this.#now();
    let text: string;
    let memories: number;
    let fileName: string;
    if (format === 'engram') {
      const control = (await this.deps.control()) as unknown as JsonValue;
      const data = await buildExport(this.deps.db, { now: () => now, settings: { control } });
      memories = data.memories.length;
      if (passphrase !== null) {
        text = JSON.stringify(await encryptExport(JSON.stringify(data), passphrase, { iterations: lock!.iterations }), null, 2);
        fileName = encryptedExportFileName(now);
      } else {
        text = JSON.stringify(data, null, 2);
        fileName = exportFileName(now);
      }
    } else {
      const data = await buildMem0Export(this.deps.db);
      text = JSON.stringify(data, null, 2);
      memories = data.results.length;
      fileName = `engram-mem0-${new Date(now).toISOString().slice(0, 10)}.json`;
    }
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += MAX_CHUNK_CHARS) chunks.push(text.slice(i, i + MAX_CHUNK_CHARS));
    if (chunks.length === 0) chunks.push('');
    this.#expire();
    const exportId = this.#newId();
    this.#ready.set(exportId, { chunks, at: now });
    while (this.#ready.size > MAX_EXPORTS) this.#ready.delete(this.#ready.keys().next().value!);
    return { exportId, fileName, chunks: chunks.length, memories, encrypted: passphrase !== null };
  }

  /** Piece `index` of a prepared export; the export is forgotten once its last piece is fetched. */
  chunk(value: unknown): string {
    const request = value as { exportId?: unknown; index?: unknown } | null;
    const { exportId, index } = request ?? {};
    if (typeof exportId !== 'string' || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      throw new Error('Engram: a malformed exportChunk was refused');
    }
    this.#expire();
    const ready = this.#ready.get(exportId);
    const chunk = ready?.chunks[index];
    if (!ready || chunk === undefined) throw new Error('Engram: that export is no longer ready; export again');
    if (index === ready.chunks.length - 1) this.#ready.delete(exportId);
    return chunk;
  }

  #expire(): void {
    const now = this.#now();
    for (const [id, ready] of this.#ready) if (now - ready.at > EXPORT_TTL_MS) this.#ready.delete(id);
  }
}
