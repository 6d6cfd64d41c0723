import { signal, type Signal } from '@preact/signals';
import { sendMessage, type InjectionView } from '../messaging/protocol';

/** How many prompts the log shows. */
export const LOG_LIMIT = 50;

/** What the injection log asks of the background: the real message, or a test double. */
export interface InjectionLogBackend {
  /** The prompts sent with memories, newest first (`memoryId`: only those that carried it). */
  list(query: { memoryId?: string; limit?: number }): Promise<InjectionView[]>;
}

/** The InjectionLogBackend over the extension's typed messages. */
export const messagingLogBackend: InjectionLogBackend = {
  list: (query) => sendMessage('injectionLog', query),
};

export interface InjectionLogStore {
  /** The latest prompts sent with memories, newest first; null until loaded. */
  entries: Signal<InjectionView[] | null>;
  error: Signal<string | null>;
  refresh(): Promise<void>;
  /** The prompts that carried this memory, newest first (throws when they cannot be read). */
  usesOf(memoryId: string): Promise<InjectionView[]>;
  dispose(): void;
}

export function createInjectionLogStore(backend: InjectionLogBackend): InjectionLogStore {
  const entries = signal<InjectionView[] | null>(null);
  const error = signal<string | null>(null);
  let seq = 0;
  return {
    entries,
    error,
    async refresh() {
      const mine = ++seq;
      try {
        const list = await backend.list({ limit: LOG_LIMIT });
        if (mine !== seq) return; // a newer refresh is on its way
        entries.value = list;
        error.value = null;
      } catch (e) {
        if (mine === seq) error.value = e instanceof Error ? e.message : String(e);
      }
    },
    usesOf: (memoryId) => backend.list({ memoryId }),
    dispose() {
      seq++; // an answer still on its way is dropped
    },
  };
}
