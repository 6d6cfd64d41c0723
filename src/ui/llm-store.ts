import { signal, type Signal } from '@preact/signals';
import { LOCAL_SERVER_ORIGINS, WEBLLM_HOST_ORIGINS } from '../adapters/llm/hosts';
import type { WebLlmTierId } from '../adapters/llm/webllm-tiers';
import type { LlmStatus } from '../core/status';
import { sendMessage } from '../messaging/protocol';

/** What the local-AI panel asks of the browser and the background (real, or a test double). */
export interface LlmBackend {
  status(): Promise<LlmStatus>;
  /** Ask the user for hosts; true when granted. Must run in the click's user gesture. */
  requestHosts(origins: readonly string[]): Promise<boolean>;
  enable(tier: WebLlmTierId): Promise<unknown>;
  cancel(): Promise<unknown>;
  disable(): Promise<unknown>;
  remove(modelId: string): Promise<unknown>;
  useLocalServer(baseUrl: string, model: string): Promise<unknown>;
}

export const extensionLlmBackend: LlmBackend = {
  status: () => sendMessage('llmStatus'),
  requestHosts: (origins) => chrome.permissions.request({ origins: [...origins] }),
  enable: (tier) => sendMessage('llmEnable', tier),
  cancel: () => sendMessage('llmCancel'),
  disable: () => sendMessage('llmDisable'),
  remove: (modelId) => sendMessage('llmDelete', modelId),
  useLocalServer: (baseUrl, model) => sendMessage('llmUseLocalServer', { baseUrl, model }),
};

export interface LlmStore {
  status: Signal<LlmStatus | null>;
  error: Signal<string | null>;
  refresh(): Promise<void>;
  enable(tier: WebLlmTierId): Promise<void>;
  cancel(): Promise<void>;
  disable(): Promise<void>;
  remove(modelId: string): Promise<void>;
  useLocalServer(baseUrl: string, model: string): Promise<void>;
  dispose(): void;
}

export function createLlmStore(backend: LlmBackend, pollMs = 500): LlmStore {
  const status = signal<LlmStatus | null>(null);
  const error = signal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

  const refresh = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    try {
      status.value = await backend.status();
    } catch (e) {
      error.value = message(e);
    }
    if (status.value?.job?.phase === 'downloading') timer = setTimeout(() => void refresh(), pollMs);
  };
  const act = async (action: () => Promise<unknown>): Promise<void> => {
    error.value = null;
    try {
      await action();
    } catch (e) {
      error.value = message(e);
    }
    await refresh();
  };

  return {
    status,
    error,
    refresh,
    async enable(tier) {
      // The permission prompt opens from the click itself, before any other await.
      if (!(await backend.requestHosts(WEBLLM_HOST_ORIGINS))) {
        error.value = 'Download cancelled: Engram needs your permission to reach huggingface.co and raw.githubusercontent.com.';
        return;
      }
      await act(() => backend.enable(tier));
    },
    cancel: () => act(() => backend.cancel()),
    disable: () => act(() => backend.disable()),
    remove: (modelId) => act(() => backend.remove(modelId)),
    async useLocalServer(baseUrl, model) {
      if (!(await backend.requestHosts(LOCAL_SERVER_ORIGINS))) {
        error.value = 'Engram needs your permission to reach a server on this computer.';
        return;
      }
      await act(() => backend.useLocalServer(baseUrl, model));
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}
