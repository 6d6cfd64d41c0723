import { cachedModels, deleteCachedModel, loadWebLlm, webGpuSupport, type WebLlmEngine } from '../adapters/llm/webllm';
import { isOffscreenRequest, type OffscreenProgress, type OffscreenRequest } from '../messaging/offscreen-protocol';
import { embedderHost } from './embedder-host';

/**
 * The offscreen document's side: hosts one WebLLM engine and (Chrome's) downloaded embedding
 * model, and answers the service worker's requests (see offscreen-protocol.ts). Loading is
 * idempotent: the same model asked twice (the worker restarted mid-download) shares one load.
 */
export function hostOffscreen(embedding: ReturnType<typeof embedderHost> = embedderHost()): void {
  let engine: WebLlmEngine | null = null;
  let loaded: string | null = null;
  let loading: { modelId: string; promise: Promise<WebLlmEngine>; abort: AbortController } | null = null;

  const progress = (p: { progress: number; text: string; timeElapsed: number }): void => {
    const message: OffscreenProgress = { target: 'engram-background', type: 'llmProgress', ...p };
    void chrome.runtime.sendMessage(message).catch(() => undefined);
  };

  async function load(modelId: string): Promise<void> {
    if (loaded === modelId && engine) return;
    if (loading?.modelId !== modelId) {
      loading?.abort.abort();
      const abort = new AbortController();
      const promise = (async () => {
        await engine?.unload().catch(() => undefined);
        engine = null;
        loaded = null;
        return loadWebLlm(modelId, { onProgress: progress, signal: abort.signal });
      })();
      loading = { modelId, promise, abort };
    }
    const current = loading;
    try {
      engine = await current.promise;
      loaded = modelId;
    } finally {
      if (loading === current) loading = null;
    }
  }

  async function handle(request: OffscreenRequest): Promise<unknown> {
    switch (request.type) {
      case 'webgpu':
        return webGpuSupport();
      case 'load':
        await load(request.data.modelId);
        return { loaded: true };
      case 'cancel':
        loading?.abort.abort();
        return { cancelled: loading !== null };
      case 'unload':
        await engine?.unload();
        engine = null;
        loaded = null;
        return { unloaded: true };
      case 'complete':
        if (!engine) throw new Error('No local AI model is loaded');
        return engine.chat.completions.create(request.data);
      case 'interrupt':
        engine?.interruptGenerate?.();
        return { interrupted: true };
      case 'cached':
        return { cached: await (request.data.modelIds.length ? cachedModels(request.data.modelIds) : cachedModels()) };
      case 'deleteCached':
        await deleteCachedModel(request.data.modelId);
        return { deleted: true };
      case 'embedLoad':
        return embedding.embedLoad(request.data);
      case 'embed':
        return embedding.embed(request.data);
    }
  }

  chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse: (reply: unknown) => void) => {
    if (!isOffscreenRequest(message)) return false;
    // Only Engram's service worker drives the models; a content script or page never does.
    if (!fromExtensionContext(sender)) return false;
    handle(message).then(
      (value) => {
        sendResponse({ ok: true, value });
      },
      (error: unknown) => {
        sendResponse({ ok: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
    return true;
  });
}

/** A message from the extension's own background (not a tab, not another extension). */
export function fromExtensionContext(sender: chrome.runtime.MessageSender): boolean {
  return sender.id === chrome.runtime.id && sender.tab === undefined && !!sender.url?.startsWith(chrome.runtime.getURL('/'));
}
