import type { LoadWebLlmOptions, WebLlmEngine } from '../adapters/llm/webllm';
import type { WebGpuSupport } from '../adapters/llm/webllm-tiers';
import type { ExtractionManagerDeps } from './extraction-manager';
import { isOffscreenProgress } from '../messaging/offscreen-protocol';
import type { ChatModelRequest } from '../ports/chat-model';
import { callOffscreen as call, fromOffscreen } from './offscreen-document';

/**
 * WebLLM as the service worker sees it: every call goes to the offscreen document, which loads
 * WebLLM only there. Implements the ExtractionManager's model dependencies. Chrome's host; Firefox
 * runs WebLLM in its background page instead (llm-host.ts chooses).
 */
export function offscreenWebLlm(): Pick<ExtractionManagerDeps, 'webgpu' | 'loadWebLlm' | 'cachedModels' | 'deleteCachedModel'> {
  return {
    webgpu: (): Promise<WebGpuSupport> => call('webgpu', undefined),
    cachedModels: async () => (await call('cached', { modelIds: [] })).cached,
    deleteCachedModel: async (modelId) => {
      await call('deleteCached', { modelId });
    },
    async loadWebLlm(modelId: string, options: LoadWebLlmOptions): Promise<WebLlmEngine> {
      const onProgress = (message: unknown, sender: chrome.runtime.MessageSender): void => {
        // Progress comes from the offscreen document only, never from a tab.
        if (isOffscreenProgress(message) && fromOffscreen(sender)) options.onProgress?.(message);
      };
      chrome.runtime.onMessage.addListener(onProgress);
      const cancel = (): void => void call('cancel', undefined).catch(() => undefined);
      options.signal?.addEventListener('abort', cancel, { once: true });
      // Extension API calls keep the worker alive through a long download.
      const keepAlive = setInterval(() => void chrome.runtime.getPlatformInfo(), 20_000);
      try {
        await call('load', { modelId });
        options.signal?.throwIfAborted();
      } finally {
        clearInterval(keepAlive);
        chrome.runtime.onMessage.removeListener(onProgress);
        options.signal?.removeEventListener('abort', cancel);
      }
      const proxy: WebLlmEngine = {
        chat: { completions: { create: (request: ChatModelRequest) => call('complete', request) } },
        interruptGenerate: () => void call('interrupt', undefined).catch(() => undefined),
        unload: async () => {
          await call('unload', undefined);
        },
        setInitProgressCallback: () => undefined,
        reload: async (id: string) => {
          await call('load', { modelId: id });
        },
      };
      return proxy;
    },
  };
}
