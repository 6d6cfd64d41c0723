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
      const before = memories.value;
      memories.value = before.filter((m) => m.id !== id); // optimistic; restored on failure
      try {
        await backend.remove(id);
      } catch (e) {
        memories.value = before;
        fail(e);
      }
    },
  };
}
