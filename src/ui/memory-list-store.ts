import { signal, type Signal } from '@preact/signals';
import type { MemoryView } from '../engine/types';
import { sendMessage } from '../messaging/protocol';

/** What the popup asks of the background: the real messages, or a test double. */
export interface MemoryBackend {
  list(): Promise<MemoryView[]>;
  remove(id: string): Promise<unknown>;
}

/** The MemoryBackend over the extension's typed messages. */
export const messagingBackend: MemoryBackend = {
  list: () => sendMessage('listMemories'),
  remove: (id) => sendMessage('deleteMemory', id),
};

export interface MemoryListStore {
  memories: Signal<MemoryView[]>;
  status: Signal<'loading' | 'ready' | 'error'>;
  error: Signal<string | null>;
  load(): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The popup's state: the memory list, loaded from and deleted through the background. */
export function createMemoryListStore(backend: MemoryBackend): MemoryListStore {
  const memories = signal<MemoryView[]>([]);
  const status = signal<'loading' | 'ready' | 'error'>('loading');
  const error = signal<string | null>(null);

  const fail = (e: unknown): void => {
    status.value = 'error';
    error.value = e instanceof Error ? e.message : String(e);
  };

  return {
    memories,
    status,
    error,
    async load() {
      try {
        memories.value = await backend.list();
        status.value = 'ready';
        error.value = null;
      } catch (e) {
        fail(e);
      }
    },
    async remove(id) {
      const index = memories.value.findIndex((m) => m.id === id);
      const removed = memories.value[index];
      if (!removed) return;
      memories.value = memories.value.filter((m) => m.id !== id); // optimistic
      try {
        await backend.remove(id);
        if (status.value === 'error') {
          status.value = 'ready';
          error.value = null;
        }
      } catch (e) {
        // Put back only this memory: others removed meanwhile stay removed.
        const list = [...memories.value];
        list.splice(Math.min(index, list.length), 0, removed);
        memories.value = list;
        fail(e);
      }
    },
  };
}
