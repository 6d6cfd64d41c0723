import { signal, type Signal } from '@preact/signals';
import type { MemoryView } from '../core/types';
import { sendMessage } from '../messaging/protocol';
import { S } from './strings';

/** What the inbox asks of the background: the real messages, or a test double. */
export interface InboxBackend {
  /** The memories waiting for the user's consent, newest first. */
  list(): Promise<MemoryView[]>;
  /** Accept one, with the user's edit if any; it is recalled from now on. */
  accept(id: string, text?: string): Promise<MemoryView>;
  /** Reject one: it is forgotten, never recalled. */
  reject(id: string): Promise<unknown>;
}

/** The InboxBackend over the extension's typed messages. */
export const messagingInboxBackend: InboxBackend = {
  list: () => sendMessage('listInbox'),
  accept: (id, text) => sendMessage('acceptMemory', text === undefined ? { id } : { id, text }),
  reject: (id) => sendMessage('rejectMemory', id),
};

export interface InboxStore {
  /** The waiting memories, newest first. */
  items: Signal<MemoryView[]>;
  error: Signal<string | null>;
  /** What the last accept or reject did, in words (the inbox's live region). */
  announcement: Signal<string>;
  refresh(): Promise<void>;
  /** Accept a waiting memory, as edited (`text`) or as is; the accepted memory, or null on failure. */
  accept(id: string, text?: string): Promise<MemoryView | null>;
  /** Reject a waiting memory; false (and `error` set) on failure. */
  reject(id: string): Promise<boolean>;
  dispose(): void;
}

export function createInboxStore(backend: InboxBackend): InboxStore {
  const items = signal<MemoryView[]>([]);
  const error = signal<string | null>(null);
  const announcement = signal('');
  const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  const drop = (id: string): void => {
    items.value = items.value.filter((m) => m.id !== id);
  };

  return {
    items,
    error,
    announcement,
    async refresh() {
      try {
        items.value = await backend.list();
        error.value = null;
      } catch (e) {
        error.value = message(e);
      }
    },
    async accept(id, text) {
      const waiting = items.value.find((m) => m.id === id);
      if (!waiting) return null;
      let edited: string | undefined;
      if (text !== undefined) {
        const clean = text.trim();
        if (!clean) {
          error.value = S.inbox.empty;
          return null;
        }
        if (clean !== waiting.text) edited = clean;
      }
      try {
        const accepted = await backend.accept(id, edited);
        drop(id);
        error.value = null;
        announcement.value = S.inbox.accepted(accepted.text);
        return accepted;
      } catch (e) {
        error.value = message(e);
        return null;
      }
    },
    async reject(id) {
      const waiting = items.value.find((m) => m.id === id);
      if (!waiting) return false;
      try {
        await backend.reject(id);
        drop(id);
        error.value = null;
        announcement.value = S.inbox.rejected(waiting.text);
        return true;
      } catch (e) {
        error.value = message(e);
        return false;
      }
    },
    dispose() {
      // Nothing runs in the background: the inbox is read when the popup opens.
    },
  };
}
