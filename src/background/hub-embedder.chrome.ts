/**
 * Chrome's `hubEmbedder` (see hub-embedder.ts, which this file replaces in Chrome's build): the
 * model runs in the offscreen document, shared with WebLLM; the service worker only sends it texts.
 */
import { OffscreenEmbedder, type OffscreenEmbedderTransport } from '../adapters/offscreen-embedder';
import type { HubEmbedderFactory } from './hub-embedder';
import { callOffscreen } from './offscreen-document';

/** chrome.runtime as the OffscreenEmbedder's transport. */
export function chromeTransport(): OffscreenEmbedderTransport {
  return {
    call: callOffscreen,
    listen(listener) {
      chrome.runtime.onMessage.addListener(listener);
      return () => {
        chrome.runtime.onMessage.removeListener(listener);
      };
    },
    runtimeId: chrome.runtime.id,
    keepAlive: () => void chrome.runtime.getPlatformInfo(),
  };
}

export const hubEmbedder: HubEmbedderFactory = (info, remoteHost, onProgress) =>
  new OffscreenEmbedder(
    {
      modelId: info.id,
      dtype: info.dtype,
      ...(info.queryPrefix ? { queryPrefix: info.queryPrefix } : {}),
      ...(remoteHost ? { remoteHost } : {}),
      ...(onProgress
        ? {
            onProgress: (p: { percent: number }) => {
              onProgress(p.percent);
            },
          }
        : {}),
    },
    chromeTransport(),
  );
