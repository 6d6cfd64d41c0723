/**
 * The messages of "Your data" (the options page → background): importing a chat history, saved
 * memories, Mem0 records or an Engram export; exporting; how long memories stay. Part of the one
 * protocol map (protocol.ts `ProtocolMap extends DataProtocolMap`); only Engram's own pages may
 * send them (register-data-handlers.ts DATA_SENDERS).
 *
 * Files are read in the page: a chat history (up to hundreds of megabytes) is parsed there and its
 * user messages sent in batches; a memories file or an export travels as text in chunks
 * (`uploadChunk`), parsed again, and checked, in the background before anything is written.
 */
import type { MemoryView } from '../core/types';
import type { ChatSource, ImportedMessage } from '../data/imported';

/** The most messages of a chat history in one `importHistoryBatch`. */
export const MAX_HISTORY_BATCH = 500;
/** How many the options page sends in one. */
export const HISTORY_BATCH = 200;
/** The most characters of one `uploadChunk`, and of a file's text sent whole. */
export const MAX_CHUNK_CHARS = 4 * 1024 * 1024;

/** One user message of a chat history, as the page sends it (src/data/imported.ts ImportedMessage's fields). */
export interface HistoryMessage {
  source: ChatSource;
  conversationId: string;
  /** The site's id of the message: with the source and conversation, its import key. */
  messageId: string;
  text: string;
  /** When it was said, ms since epoch. */
  at: number;
  previousAssistant?: string;
}

/** A parsed message as `importHistoryBatch` sends it. */
export function historyMessageOf(m: ImportedMessage): HistoryMessage {
  return {
    source: m.source,
    conversationId: m.conversationId,
    messageId: m.messageId,
    text: m.text,
    at: m.at,
    ...(m.previousAssistant ? { previousAssistant: m.previousAssistant } : {}),
  };
}

/** What the page read of the file, to start (or add to) an import. */
export interface HistoryImportStart {
  source: ChatSource;
  /** The file's name, as the progress shows it. */
  label: string;
  conversations: number;
  /** How many messages the page will send. */
  messages: number;
}

/**
 * How far an import of a chat history is (kept in the database: it survives the worker's and the
 * browser's restarts). `total` counts the messages queued for extraction in this run; messages
 * imported before are `duplicates`, never queued again.
 */
export interface HistoryImportProgress {
  runId: string;
  source: ChatSource;
  label: string;
  conversations: number;
  /** Messages the page said it would send. */
  expected: number;
  /** Messages received, new: each is extracted once. */
  total: number;
  /** Messages received that an earlier import already had. */
  duplicates: number;
  /** Messages processed (failed ones included). */
  done: number;
  /** Messages whose extraction gave up after its retries. */
  failed: number;
  /** Memories added or updated by the processed messages. */
  added: number;
  paused: boolean;
  /** uploading: the page is still sending; running / paused: messages wait; done: nothing left. */
  state: 'uploading' | 'running' | 'paused' | 'done';
  startedAt: number;
  finishedAt: number | null;
}

/** A memories file or an export's text: sent whole (at most MAX_CHUNK_CHARS), or uploaded in chunks first. */
export type DataText = { text: string } | { uploadId: string };

/** What a memories import did. */
export interface MemoriesImportResult {
  /** Memories in the file. */
  read: number;
  added: number;
  /** Already remembered (the same words), or refused by the engine (e.g. a secret). */
  skipped: number;
  warnings: string[];
}

/** What restoring an Engram export did. */
export interface ExportRestoreResult {
  memories: number;
  /** Memories already in this profile, left as they are. */
  skipped: number;
  history: number;
  injections: number;
  spaces: number;
  /** The settings applied (`control`, `retention`), when asked to. */
  settings: string[];
  warnings: string[];
}

/** An export ready to download, in `chunks` pieces (`exportChunk`). */
export interface ExportReady {
  exportId: string;
  fileName: string;
  chunks: number;
  memories: number;
  /** Encrypted with the user's passphrase (encryption at rest is on; Engram's format only). */
  encrypted: boolean;
}

/** The retention policy: forget memories not used in this many days (pinned ones stay); null: never. */
export interface RetentionSettings {
  unusedDays: number | null;
}

/** The choices the options page offers (any whole number of days from 1 to MAX_RETENTION_DAYS is accepted). */
export const RETENTION_CHOICES = [null, 30, 90, 180, 365] as const;
export const MAX_RETENTION_DAYS = 3650;

/** A memory's expiry: a time (ms), never (null), or when its conversation ends. */
export type ExpiryRequest = { id: string; expiresAt: number | null } | { id: string; untilConversationEnds: true };

export interface DataProtocolMap {
  /** Options → background: a chat history is about to be sent (or more of one): returns the run it joins. */
  importHistoryStart(start: HistoryImportStart): HistoryImportProgress;
  /** Options → background: the next messages, in order; messages imported before are skipped. */
  importHistoryBatch(batch: { runId: string; messages: HistoryMessage[] }): { accepted: number; duplicates: number };
  /** Options → background: every message was sent. */
  importHistoryFinish(request: { runId: string }): HistoryImportProgress;
  /** Options → background: the last import's progress (null: none yet). */
  importHistoryProgress(): HistoryImportProgress | null;
  /** Options → background: stop feeding messages to extraction until resumed (kept across restarts). */
  pauseHistoryImport(): HistoryImportProgress | null;
  resumeHistoryImport(): HistoryImportProgress | null;
  /** Options → background: one chunk of a text to import (index 0, 1, … in order); held in memory a few minutes. */
  uploadChunk(chunk: { uploadId: string; index: number; text: string }): { received: number };
  /** Options → background: pasted saved memories, or a Mem0 file: parsed, checked, then stored as they are. */
  importMemories(request: { kind: 'saved-memories' | 'mem0'; file: DataText; name?: string }): MemoriesImportResult;
  /**
   * Options → background: an Engram export: checked whole, then restored (settings only when asked).
   * An encrypted one (src/crypto/export-file.ts) is opened with `passphrase`.
   */
  importEngramExport(request: { file: DataText; name?: string; applySettings: boolean; passphrase?: string }): ExportRestoreResult;
  /**
   * Options → background: prepare an export (Engram's format, or Mem0's records) for download.
   * While encryption is on, Engram's is encrypted with `passphrase` (required, checked against
   * Engram's), and Mem0's (never encrypted) needs `unencrypted: true`: the user confirmed it.
   */
  exportData(request: { format: 'engram' | 'mem0'; passphrase?: string; unencrypted?: boolean }): ExportReady;
  /** Options → background: one piece of a prepared export. */
  exportChunk(request: { exportId: string; index: number }): string;
  /** Options → background: when a memory is forgotten (a time, never, or when its conversation ends). */
  setExpiry(request: ExpiryRequest): MemoryView;
  getRetention(): RetentionSettings;
  setRetention(settings: RetentionSettings): RetentionSettings;
}
