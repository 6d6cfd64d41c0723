/**
 * The options page's "Your data" (data-panel.tsx): what the user picked or pasted, read and
 * previewed here in the page (src/data parses any context), then handed to the background only
 * once they agree: a chat history's messages in batches, a memories file or an export as text in
 * chunks; the background checks everything again before writing. The import of a chat history
 * runs in the background; this store follows its progress while it runs. Exports come back as a
 * file to save. Retention is read and written here too.
 *
 * While encryption at rest is on, Engram's export is encrypted with the user's passphrase (asked
 * for here, checked by the background) and Mem0's, which is never encrypted, is written only once
 * the user confirmed that; an encrypted Engram file picked for import is opened here with the
 * passphrase it was saved with, then previewed like any other.
 */
import { signal, type Signal } from '@preact/signals';
import type { MemoryView } from '../core/types';
import { DamagedExport, decryptExport, exportsEncryptedIn, isEncryptedExport, WrongExportPassphrase } from '../crypto/export-file';
import { readChatExport } from '../data/chat-export';
import { parseExport, previewExport } from '../data/engram-export';
import { isObject, PREVIEW_SIZE } from '../data/import-result';
import type { ChatSource, ImportedMessage } from '../data/imported';
import { parseJsonText } from '../data/json-text';
import { parseMem0 } from '../data/mem0';
import { parseSavedMemories } from '../data/saved-memories';
import {
  HISTORY_BATCH,
  historyMessageOf,
  MAX_CHUNK_CHARS,
  type ExpiryRequest,
  type ExportRestoreResult,
  type HistoryImportProgress,
  type HistoryImportStart,
  type HistoryMessage,
  type MemoriesImportResult,
  type RetentionSettings,
} from '../messaging/data-protocol';
import { sendMessage } from '../messaging/protocol';
import { S } from './strings';

export { HISTORY_BATCH } from '../messaging/data-protocol';
/** How often the progress of an import running in the background is read again. */
export const POLL_MS = 1000;

/** What the page asks of the background: the real messages, or a test double. */
export interface DataBackend {
  startHistory(start: HistoryImportStart): Promise<HistoryImportProgress>;
  sendHistory(runId: string, messages: HistoryMessage[]): Promise<{ accepted: number; duplicates: number }>;
  finishHistory(runId: string): Promise<HistoryImportProgress>;
  historyProgress(): Promise<HistoryImportProgress | null>;
  pauseHistory(): Promise<HistoryImportProgress | null>;
  resumeHistory(): Promise<HistoryImportProgress | null>;
  importMemories(kind: 'saved-memories' | 'mem0', text: string, name?: string): Promise<MemoriesImportResult>;
  importExport(text: string, name: string, applySettings: boolean): Promise<ExportRestoreResult>;
  /**
   * The export's file: its name, its text in pieces, how many memories it holds, whether it is
   * encrypted. While encryption is on, Engram's needs the passphrase and Mem0's `unencrypted`.
   */
  exportData(format: 'engram' | 'mem0', options?: ExportOptions): Promise<{ fileName: string; parts: string[]; memories: number; encrypted?: boolean }>;
  /** Whether exports are encrypted now (encryption at rest is on); absent: never. */
  exportsEncrypted?(): Promise<boolean>;
  retention(): Promise<RetentionSettings>;
  setRetention(settings: RetentionSettings): Promise<RetentionSettings>;
  setExpiry(request: ExpiryRequest): Promise<MemoryView>;
}

/** What an export request carries while encryption is on. */
export interface ExportOptions {
  /** Engram's format: the user's passphrase, the file is encrypted with it. */
  passphrase?: string;
  /** Mem0's format: the user confirmed that this file will not be encrypted. */
  unencrypted?: boolean;
}

let uploads = 0;

/** A text as the background takes it: whole when small, else uploaded in chunks first. */
async function sendText(text: string): Promise<{ text: string } | { uploadId: string }> {
  if (text.length <= MAX_CHUNK_CHARS) return { text };
  const uploadId = `${Date.now().toString(36)}-${++uploads}`;
  for (let i = 0, index = 0; i < text.length; i += MAX_CHUNK_CHARS, index++) {
    await sendMessage('uploadChunk', { uploadId, index, text: text.slice(i, i + MAX_CHUNK_CHARS) });
  }
  return { uploadId };
}

/** The DataBackend over the extension's typed messages. */
export const messagingDataBackend: DataBackend = {
  startHistory: (start) => sendMessage('importHistoryStart', start),
  sendHistory: (runId, messages) => sendMessage('importHistoryBatch', { runId, messages }),
  finishHistory: (runId) => sendMessage('importHistoryFinish', { runId }),
  historyProgress: () => sendMessage('importHistoryProgress'),
  pauseHistory: () => sendMessage('pauseHistoryImport'),
  resumeHistory: () => sendMessage('resumeHistoryImport'),
  importMemories: async (kind, text, name) => sendMessage('importMemories', { kind, file: await sendText(text), ...(name ? { name } : {}) }),
  importExport: async (text, name, applySettings) => sendMessage('importEngramExport', { file: await sendText(text), name, applySettings }),
  exportData: async (format, options = {}) => {
    const ready = await sendMessage('exportData', { format, ...options });
    const parts: string[] = [];
    for (let index = 0; index < ready.chunks; index++) parts.push(await sendMessage('exportChunk', { exportId: ready.exportId, index }));
    return { fileName: ready.fileName, parts, memories: ready.memories, encrypted: ready.encrypted };
  },
  exportsEncrypted: async () => exportsEncryptedIn((await sendMessage('encryptionStatus')).state),
  retention: () => sendMessage('getRetention'),
  setRetention: (settings) => sendMessage('setRetention', settings),
  setExpiry: (request) => sendMessage('setExpiry', request),
};

/** What a picked chat history holds, before anything is imported. */
export interface HistoryPreview {
  fileName: string;
  source: ChatSource | null;
  conversations: number;
  messages: number;
  /** The first and last message's dates (ms), when there are messages. */
  from: number | null;
  to: number | null;
  sample: { text: string; at: number; title: string }[];
  warnings: string[];
}

/** What pasted memories or a memories file hold, before anything is added. */
export interface MemoriesPreview {
  kind: 'saved-memories' | 'mem0' | 'engram';
  fileName: string;
  count: number;
  sample: { text: string; at: number | null }[];
  warnings: string[];
  /** An Engram export's other contents. */
  history?: number;
  injections?: number;
  spaces?: number;
  settings?: string[];
}

export interface DataStore {
  history: {
    preview: Signal<HistoryPreview | null>;
    reading: Signal<boolean>;
    /** Messages handed to the background so far, while sending. */
    sending: Signal<{ sent: number; total: number } | null>;
    progress: Signal<HistoryImportProgress | null>;
    error: Signal<string | null>;
  };
  paste: { preview: Signal<MemoriesPreview | null>; result: Signal<string | null>; error: Signal<string | null>; busy: Signal<boolean> };
  file: {
    preview: Signal<MemoriesPreview | null>;
    result: Signal<string | null>;
    error: Signal<string | null>;
    busy: Signal<boolean>;
    /** An encrypted Engram file was picked: its name, until it is opened with its passphrase. */
    encrypted: Signal<string | null>;
  };
  exported: {
    busy: Signal<boolean>;
    file: Signal<ExportedFile | null>;
    error: Signal<string | null>;
    /** Exports are encrypted now (encryption at rest is on): Engram's asks for the passphrase. */
    encrypted: Signal<boolean>;
    /** A Mem0 export waits for the user to confirm that it will not be encrypted. */
    confirmClear: Signal<boolean>;
  };
  retention: { days: Signal<number | null | undefined>; saved: Signal<boolean>; error: Signal<string | null> };
  /** Counts the times memories were added (the page's memory list reads them again). */
  changed: Signal<number>;

  /** Read a picked chat history (a ZIP or conversations.json) and show what it holds. */
  pickHistory(file: Blob & { name?: string }): Promise<void>;
  /** Hand the previewed messages to the background, then follow the import. */
  importHistory(): Promise<boolean>;
  cancelHistory(): void;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** The background import's progress, read again. */
  refreshProgress(): Promise<void>;
  /** Follow the import while it runs (the page is open); returns the stop. */
  watch(): () => void;

  previewPaste(text: string): void;
  addPaste(): Promise<boolean>;
  cancelPaste(): void;
  pickFile(file: Blob & { name?: string }): Promise<void>;
  /** Open the picked encrypted Engram file with its passphrase, and preview it. */
  openFile(passphrase: string): Promise<boolean>;
  importFile(applySettings: boolean): Promise<boolean>;
  cancelFile(): void;

  /** Whether exports are encrypted now, read again. */
  loadExportMode(): Promise<void>;
  /**
   * Export as `format`. While encryption is on, Engram's needs `passphrase`, and Mem0's asks for
   * the user's confirmation first (`confirmClear`), then goes with `unencrypted`.
   */
  exportAs(format: 'engram' | 'mem0', options?: ExportOptions): Promise<boolean>;
  /** The Mem0 file is not exported after all. */
  cancelClearExport(): void;

  loadRetention(): Promise<void>;
  setRetention(days: number | null): Promise<boolean>;
}

/** An export ready to save. */
export interface ExportedFile {
  url: string;
  fileName: string;
  memories: number;
  encrypted: boolean;
}

export interface DataStoreOptions {
  /** A download address for the exported file (URL.createObjectURL in the page). */
  fileUrl?: (blob: Blob) => string;
  pollMs?: number;
}

const why = (e: unknown): string => S.data.failed(e instanceof Error ? e.message : String(e));
const excerpt = (text: string): string => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
const nameOf = (file: Blob & { name?: string }, fallback: string): string => (typeof file.name === 'string' && file.name ? file.name : fallback);

export function createDataStore(backend: DataBackend, options: DataStoreOptions = {}): DataStore {
  const pollMs = options.pollMs ?? POLL_MS;
  const history = {
    preview: signal<HistoryPreview | null>(null),
    reading: signal(false),
    sending: signal<{ sent: number; total: number } | null>(null),
    progress: signal<HistoryImportProgress | null>(null),
    error: signal<string | null>(null),
  };
  const paste = { preview: signal<MemoriesPreview | null>(null), result: signal<string | null>(null), error: signal<string | null>(null), busy: signal(false) };
  const file = { preview: signal<MemoriesPreview | null>(null), result: signal<string | null>(null), error: signal<string | null>(null), busy: signal(false), encrypted: signal<string | null>(null) };
  const exported = { busy: signal(false), file: signal<ExportedFile | null>(null), error: signal<string | null>(null), encrypted: signal(false), confirmClear: signal(false) };
  const retention = { days: signal<number | null | undefined>(undefined), saved: signal(false), error: signal<string | null>(null) };
  const changed = signal(0);
  const onChange = (): void => {
    changed.value++;
  };
  const fileUrl =
    options.fileUrl ??
    ((blob: Blob) => {
      const previous = exported.file.value?.url;
      if (previous) URL.revokeObjectURL(previous);
      return URL.createObjectURL(blob);
    });

  /** The messages of the previewed history (kept out of signals: thousands of them). */
  let messages: ImportedMessage[] = [];
  let pastedText = '';
  let fileText = '';
  /** The picked encrypted file, parsed, until it is opened. */
  let envelope: unknown = null;
  let watching = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Show what a picked file holds: an Engram export or Mem0 records; what an encrypted file held
   * (`opened`) can only be an Engram export.
   */
  const previewFile = (text: string, data: unknown, fileName: string, opened = false): void => {
    if (opened || (isObject(data) && data.format === 'engram-export')) {
      const parsed = parseExport(data, fileName);
      const preview = previewExport(parsed);
      file.preview.value = {
        kind: 'engram',
        fileName,
        count: preview.count,
        sample: preview.sample.map((m) => ({ text: m.text, at: m.saidAt })),
        warnings: preview.warnings,
        history: parsed.history.length,
        injections: parsed.injections.length,
        spaces: parsed.spaces.length,
        settings: Object.keys(parsed.settings),
      };
    } else {
      const { items, warnings } = parseMem0(data, fileName);
      file.preview.value = { kind: 'mem0', fileName, count: items.length, sample: items.slice(0, PREVIEW_SIZE).map((m) => ({ text: m.text, at: m.at ?? null })), warnings };
    }
    fileText = text;
  };

  const running = (p: HistoryImportProgress | null): boolean => p?.state === 'uploading' || p?.state === 'running';
  const poll = (): void => {
    if (timer !== null || watching === 0 || !running(history.progress.value)) return;
    timer = setTimeout(() => {
      timer = null;
      void store.refreshProgress().then(poll);
    }, pollMs);
  };
  const showProgress = (p: HistoryImportProgress | null): void => {
    const was = history.progress.value;
    history.progress.value = p;
    if (p && was && p.added !== was.added) onChange();
    poll();
  };

  const store: DataStore = {
    history,
    paste,
    file,
    exported,
    retention,
    changed,

    async pickHistory(picked) {
      history.error.value = null;
      history.preview.value = null;
      history.reading.value = true;
      messages = [];
      try {
        const fileName = nameOf(picked, 'conversations.json');
        const result = await readChatExport(picked);
        const titles = new Map<string, string>();
        for (const m of result.items) if (!titles.has(m.conversationId)) titles.set(m.conversationId, m.title);
        let from = Infinity;
        let to = -Infinity;
        for (const m of result.items) {
          from = Math.min(from, m.at);
          to = Math.max(to, m.at);
        }
        messages = result.items;
        history.preview.value = {
          fileName,
          source: result.source,
          conversations: new Set(result.items.map((m) => m.conversationId)).size,
          messages: result.items.length,
          from: result.items.length > 0 ? from : null,
          to: result.items.length > 0 ? to : null,
          sample: result.items.slice(0, PREVIEW_SIZE).map((m) => ({ text: excerpt(m.text), at: m.at, title: m.title })),
          warnings: result.warnings,
        };
      } catch (e) {
        history.error.value = why(e);
      } finally {
        history.reading.value = false;
      }
    },

    async importHistory() {
      const preview = history.preview.value;
      if (!preview?.source || messages.length === 0 || history.sending.value) return false;
      history.error.value = null;
      const sending = messages;
      history.sending.value = { sent: 0, total: sending.length };
      try {
        const started = await backend.startHistory({ source: preview.source, label: preview.fileName, conversations: preview.conversations, messages: sending.length });
        showProgress(started);
        for (let i = 0; i < sending.length; i += HISTORY_BATCH) {
          await backend.sendHistory(started.runId, sending.slice(i, i + HISTORY_BATCH).map(historyMessageOf));
          history.sending.value = { sent: Math.min(i + HISTORY_BATCH, sending.length), total: sending.length };
        }
        showProgress(await backend.finishHistory(started.runId));
        history.preview.value = null;
        messages = [];
        return true;
      } catch (e) {
        history.error.value = why(e);
        return false;
      } finally {
        history.sending.value = null;
      }
    },

    cancelHistory() {
      history.preview.value = null;
      history.error.value = null;
      messages = [];
    },

    async pause() {
      try {
        showProgress(await backend.pauseHistory());
      } catch (e) {
        history.error.value = why(e);
      }
    },

    async resume() {
      try {
        showProgress(await backend.resumeHistory());
      } catch (e) {
        history.error.value = why(e);
      }
    },

    async refreshProgress() {
      try {
        showProgress(await backend.historyProgress());
      } catch (e) {
        history.error.value = why(e);
      }
    },

    watch() {
      watching++;
      void store.refreshProgress();
      return () => {
        watching--;
        if (watching === 0 && timer !== null) {
          clearTimeout(timer);
          timer = null;
        }
      };
    },

    previewPaste(text) {
      paste.error.value = null;
      paste.result.value = null;
      paste.preview.value = null;
      try {
        const { items, warnings } = parseSavedMemories(text);
        pastedText = text;
        paste.preview.value = {
          kind: 'saved-memories',
          fileName: 'pasted text',
          count: items.length,
          sample: items.slice(0, PREVIEW_SIZE).map((m) => ({ text: m.text, at: m.at ?? null })),
          warnings,
        };
      } catch (e) {
        paste.error.value = why(e);
      }
    },

    async addPaste() {
      if (!paste.preview.value || paste.busy.value) return false;
      paste.busy.value = true;
      paste.error.value = null;
      try {
        const result = await backend.importMemories('saved-memories', pastedText);
        paste.result.value = S.data.memoriesAdded(String(result.added), String(result.skipped));
        paste.preview.value = null;
        pastedText = '';
        onChange();
        return true;
      } catch (e) {
        paste.error.value = why(e);
        return false;
      } finally {
        paste.busy.value = false;
      }
    },

    cancelPaste() {
      paste.preview.value = null;
      pastedText = '';
    },

    async pickFile(picked) {
      file.error.value = null;
      file.result.value = null;
      file.preview.value = null;
      file.encrypted.value = null;
      fileText = '';
      envelope = null;
      const fileName = nameOf(picked, 'file');
      try {
        const text = await picked.text();
        const data = parseJsonText(text, fileName);
        if (isEncryptedExport(data)) {
          // Nothing to preview until it is opened with its passphrase (openFile).
          envelope = data;
          file.encrypted.value = fileName;
          return;
        }
        previewFile(text, data, fileName);
      } catch (e) {
        file.error.value = why(e);
      }
    },

    async openFile(passphrase) {
      const fileName = file.encrypted.value;
      if (fileName === null || envelope === null || file.busy.value || passphrase === '') return false;
      file.busy.value = true;
      file.error.value = null;
      try {
        const text = await decryptExport(envelope, passphrase);
        previewFile(text, parseJsonText(text, fileName), fileName, true);
        file.encrypted.value = null;
        envelope = null;
        return true;
      } catch (e) {
        file.error.value = e instanceof WrongExportPassphrase ? S.data.wrongFilePassphrase : e instanceof DamagedExport ? S.data.damagedFile : why(e);
        return false;
      } finally {
        file.busy.value = false;
      }
    },

    async importFile(applySettings) {
      const preview = file.preview.value;
      if (!preview || file.busy.value) return false;
      file.busy.value = true;
      file.error.value = null;
      try {
        if (preview.kind === 'engram') {
          const result = await backend.importExport(fileText, preview.fileName, applySettings);
          file.result.value = S.data.restored(String(result.memories), String(result.skipped));
        } else {
          const result = await backend.importMemories('mem0', fileText, preview.fileName);
          file.result.value = S.data.memoriesAdded(String(result.added), String(result.skipped));
        }
        file.preview.value = null;
        fileText = '';
        onChange();
        return true;
      } catch (e) {
        file.error.value = why(e);
        return false;
      } finally {
        file.busy.value = false;
      }
    },

    cancelFile() {
      file.preview.value = null;
      file.encrypted.value = null;
      file.error.value = null;
      fileText = '';
      envelope = null;
    },

    async loadExportMode() {
      try {
        exported.encrypted.value = (await backend.exportsEncrypted?.()) ?? false;
      } catch (e) {
        exported.error.value = why(e);
      }
    },

    async exportAs(format, options = {}) {
      if (exported.busy.value) return false;
      exported.busy.value = true;
      exported.error.value = null;
      try {
        // Read again: encryption may have been turned on or off in this page since.
        const encrypted = (await backend.exportsEncrypted?.()) ?? false;
        exported.encrypted.value = encrypted;
        let request: ExportOptions | null = null;
        if (encrypted && format === 'engram') {
          if (!options.passphrase) {
            exported.error.value = S.data.exportNeedsPassphrase;
            return false;
          }
          request = { passphrase: options.passphrase };
        }
        exported.confirmClear.value = false;
        if (encrypted && format === 'mem0') {
          if (options.unencrypted !== true) {
            // Nothing is written until the user confirms that this file will not be encrypted.
            exported.confirmClear.value = true;
            return false;
          }
          request = { unencrypted: true };
        }
        const { fileName, parts, memories, encrypted: sealed } = request ? await backend.exportData(format, request) : await backend.exportData(format);
        const url = fileUrl(new Blob(parts, { type: 'application/json' }));
        exported.file.value = { url, fileName, memories, encrypted: sealed === true };
        return true;
      } catch (e) {
        exported.error.value = why(e);
        return false;
      } finally {
        exported.busy.value = false;
      }
    },

    cancelClearExport() {
      exported.confirmClear.value = false;
    },

    async loadRetention() {
      try {
        retention.days.value = (await backend.retention()).unusedDays;
        retention.error.value = null;
      } catch (e) {
        retention.error.value = why(e);
      }
    },

    async setRetention(days) {
      retention.saved.value = false;
      try {
        retention.days.value = (await backend.setRetention({ unusedDays: days })).unusedDays;
        retention.error.value = null;
        retention.saved.value = true;
        return true;
      } catch (e) {
        retention.error.value = why(e);
        return false;
      }
    },
  };
  return store;
}

/** The options page's store over the extension's messages, made once. */
let shared: DataStore | null = null;
export function extensionDataStore(): DataStore {
  return (shared ??= createDataStore(messagingDataBackend));
}
