import { signal, type Signal } from '@preact/signals';
import { pinnedFirst, type MemoryView } from '../core/types';
import { sendMessage, type AboutYou } from '../messaging/protocol';

/** What the popup asks of the background: the real messages, or a test double. */
export interface MemoryBackend {
  list(): Promise<MemoryView[]>;
  remove(id: string): Promise<unknown>;
  search?(query: string): Promise<MemoryView[]>;
  edit?(id: string, text: string): Promise<MemoryView>;
  pin?(id: string, pinned: boolean): Promise<MemoryView>;
  about?(): Promise<AboutYou>;
  /** Forget every memory, its history and every queued turn. */
  forgetAll?(): Promise<unknown>;
}

/** The MemoryBackend over the extension's typed messages. */
export const messagingBackend: MemoryBackend = {
  list: () => sendMessage('listMemories'),
  remove: (id) => sendMessage('deleteMemory', id),
  search: (query) => sendMessage('searchMemories', query),
  edit: (id, text) => sendMessage('editMemory', { id, text }),
  pin: (id, pinned) => sendMessage('pinMemory', { id, pinned }),
  about: () => sendMessage('aboutYou'),
  forgetAll: () => sendMessage('forgetEverything'),
};

export interface MemoryListStore {
  memories: Signal<MemoryView[]>;
  status: Signal<'loading' | 'ready' | 'error'>;
  error: Signal<string | null>;
  /** The search box's text; empty shows every memory. */
  query: Signal<string>;
  /** The memories matching `query`, best first; null while there is no query. */
  results: Signal<MemoryView[] | null>;
  /** The profile and the most mentioned entities; null until loaded (or without a backend for it). */
  about: Signal<AboutYou | null>;
  load(): Promise<void>;
  remove(id: string): Promise<void>;
  search(query: string): Promise<void>;
  /** Save the user's correction; false (and `error` set) when it could not be saved. */
  edit(id: string, text: string): Promise<boolean>;
  pin(id: string, pinned: boolean): Promise<void>;
  /** Forget everything (the caller asked the user to confirm); false (and `error` set) on failure. */
  forgetAll(): Promise<boolean>;
}

/** The popup's state: the memory list, loaded from and changed through the background. */
export function createMemoryListStore(backend: MemoryBackend): MemoryListStore {
  const memories = signal<MemoryView[]>([]);
  const status = signal<'loading' | 'ready' | 'error'>('loading');
  const error = signal<string | null>(null);
  const query = signal('');
  const results = signal<MemoryView[] | null>(null);
  const about = signal<AboutYou | null>(null);
  let searchSeq = 0;

  /** The profile follows every change; it is secondary, so a failure leaves the last one shown. */
  const refreshAbout = async (): Promise<void> => {
    if (!backend.about) return;
    try {
      about.value = await backend.about();
    } catch {
      // The list and its error message are what matter; keep the previous profile.
    }
  };

  const fail = (e: unknown): void => {
    status.value = 'error';
    error.value = e instanceof Error ? e.message : String(e);
  };
  const recovered = (): void => {
    if (status.value === 'error') {
      status.value = 'ready';
      error.value = null;
    }
  };
  /** Apply a changed memory wherever it is shown. */
  const replace = (view: MemoryView): void => {
    memories.value = memories.value.map((m) => (m.id === view.id ? view : m));
    if (results.value) results.value = results.value.map((m) => (m.id === view.id ? view : m));
  };

  return {
    memories,
    status,
    error,
    query,
    results,
    about,
    async load() {
      try {
        memories.value = await backend.list();
        status.value = 'ready';
        error.value = null;
      } catch (e) {
        fail(e);
      }
      await refreshAbout();
    },
    async remove(id) {
      const index = memories.value.findIndex((m) => m.id === id);
      const removed = memories.value[index];
      if (!removed) return;
      memories.value = memories.value.filter((m) => m.id !== id); // optimistic
      const shownResults = results.value;
      if (shownResults) results.value = shownResults.filter((m) => m.id !== id);
      try {
        await backend.remove(id);
        recovered();
        void refreshAbout();
      } catch (e) {
        // Put back only this memory: others removed meanwhile stay removed.
        const list = [...memories.value];
        list.splice(Math.min(index, list.length), 0, removed);
        memories.value = list;
        if (shownResults && results.value) results.value = shownResults;
        fail(e);
      }
    },
    async search(text) {
      query.value = text;
      const seq = ++searchSeq;
      if (!text.trim() || !backend.search) {
        results.value = null;
        return;
      }
      try {
        const found = await backend.search(text);
        if (seq !== searchSeq) return; // a newer search is on its way
        results.value = found;
        recovered();
      } catch (e) {
        if (seq === searchSeq) fail(e);
      }
    },
    async edit(id, text) {
      if (!backend.edit) return false;
      const clean = text.trim();
      if (!clean) {
        error.value = 'A memory cannot be empty. Use Forget to remove it.';
        status.value = 'error';
        return false;
      }
      try {
        replace(await backend.edit(id, clean));
        recovered();
        void refreshAbout();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    async pin(id, pinned) {
      if (!backend.pin) return;
      try {
        replace(await backend.pin(id, pinned));
        // Pinned memories lead the list.
        memories.value = [...memories.value].sort(pinnedFirst);
        recovered();
        void refreshAbout();
      } catch (e) {
        fail(e);
      }
    },
    async forgetAll() {
      if (!backend.forgetAll) return false;
      try {
        await backend.forgetAll();
        memories.value = [];
        results.value = null;
        query.value = '';
        about.value = null;
        recovered();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
  };
}
