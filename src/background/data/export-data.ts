/**
 * Export: everything of the user's as Engram's versioned JSON (src/data/engram-export.ts: memories
 * with their provenance, history, spaces, settings, the injection log; never vectors), or the
 * memories as Mem0 records. The file is made in the worker (the only reader of the database) and
 * handed to the options page in pieces (`exportChunk`), which saves it as a download.
 */
import type { ControlSettings } from '../../core/control';
import type { JsonValue } from '../../core/types';
import { buildExport, exportFileName } from '../../data/engram-export';
import { buildMem0Export } from '../../data/mem0';
import type { EngramDatabase } from '../../db/schema';
import { MAX_CHUNK_CHARS, type ExportReady } from '../../messaging/data-protocol';

/** A prepared export is kept this long for its pieces to be fetched. */
export const EXPORT_TTL_MS = 5 * 60_000;
const MAX_EXPORTS = 2;

export interface ExportDeps {
  db: EngramDatabase;
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

  /** Make an export of `format` ('engram' or 'mem0'). */
  async prepare(value: unknown): Promise<ExportReady> {
    const format = (value as { format?: unknown } | null)?.format;
    if (format !== 'engram' && format !== 'mem0') throw new Error('Engram: a malformed exportData was refused');
    const now = this.#now();
    let text: string;
    let memories: number;
    let fileName: string;
    if (format === 'engram') {
      const control = (await this.deps.control()) as unknown as JsonValue;
      const data = await buildExport(this.deps.db, { now: () => now, settings: { control } });
      text = JSON.stringify(data, null, 2);
      memories = data.memories.length;
      fileName = exportFileName(now);
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
    return { exportId, fileName, chunks: chunks.length, memories };
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
