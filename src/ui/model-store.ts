import { signal, type Signal } from '@preact/signals';
import type { ModelStatus } from '../core/status';
import { HUB_ORIGINS } from '../engine/models';
import { sendMessage } from '../messaging/protocol';

/** What the model panel asks of the browser and the background (real, or a test double). */
export interface ModelBackend {
  status(): Promise<ModelStatus>;
  /** Ask the user for the download hosts; true when granted. Must run in a user gesture. */
  requestHosts(): Promise<boolean>;
  switchTo(id: string): Promise<unknown>;
}

export const extensionModelBackend: ModelBackend = {
  status: () => sendMessage('modelStatus'),
  requestHosts: () => chrome.permissions.request({ origins: [...HUB_ORIGINS] }),
  switchTo: (id) => sendMessage('switchModel', id),
};

export interface ModelStore {
  status: Signal<ModelStatus | null>;
  error: Signal<string | null>;
  refresh(): Promise<void>;
  /** Ask for consent, then switch; polls progress until the switch ends. */
  choose(id: string): Promise<void>;
  dispose(): void;
}

export function createModelStore(backend: ModelBackend, pollMs = 400): ModelStore {
  const status = signal<ModelStatus | null>(null);
  const error = signal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;

  const refresh = async (): Promise<void> => {
    try {
      status.value = await backend.status();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
    const phase = status.value?.job?.phase;
    if (phase === 'downloading' || phase === 'reembedding') timer = setTimeout(() => void refresh(), pollMs);
  };

  return {
    status,
    error,
    refresh,
    async choose(id) {
      error.value = null;
      // The permission prompt must open from the click itself, before any await.
      const granted = await backend.requestHosts();
      if (!granted) {
        error.value = 'Download cancelled: Engram needs your permission to reach huggingface.co.';
        return;
      }
      try {
        await backend.switchTo(id);
      } catch (e) {
        error.value = e instanceof Error ? e.message : String(e);
      }
      await refresh();
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}
