import { sendMessage } from '../messaging/protocol';
import type { SiteAdapter } from '../sites/site-adapter';
import { interceptSends } from './send-interceptor';

/**
 * What every chat-site content script does, on top of its site's adapter: warm the models up,
 * add memories to each prompt the user sends, and hand the sent turn to the background.
 */
export function runContentScript(adapter: SiteAdapter, signal: AbortSignal): void {
  void sendMessage('warmUp').catch(() => undefined); // the first send must not wait for a model load
  interceptSends(
    adapter,
    {
      recall: async (query) =>
        (await sendMessage('recall', { site: adapter.site, query })).memories.map((m) => m.text),
      captured: (text) => {
        void sendMessage('captureTurn', {
          site: adapter.site,
          conversationId: adapter.conversationId(),
          text,
          sentAt: Date.now(),
        }).catch((error: unknown) => {
          console.warn('[Engram] capture failed', error);
        });
      },
      onError: (error) => {
        console.warn('[Engram]', error);
      },
    },
    signal,
  );
}
