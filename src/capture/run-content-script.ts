import { MAX_REPLY_TO_CHARS, sendMessage, type CapturedTurn } from '../messaging/protocol';
import type { SiteAdapter } from '../sites/site-adapter';
import { interceptSends } from './send-interceptor';

/** Attempts to hand a turn to the background before giving up (about 30 s in all). */
export const DELIVERY_ATTEMPTS = 6;

/**
 * Hand a captured turn to the background, retrying with backoff: the browser may stop the
 * service worker while it is storing the turn. The background queues each capture once (by
 * content hash, with the same `sentAt`), so a retry never stores a turn twice.
 */
export function deliver(turn: CapturedTurn, attempt = 0, send: typeof sendMessage = sendMessage): void {
  send('captureTurn', turn).catch((error: unknown) => {
    if (attempt + 1 >= DELIVERY_ATTEMPTS) {
      console.warn('[Engram] could not hand this message to Engram', error);
      return;
    }
    setTimeout(() => {
      deliver(turn, attempt + 1, send);
    }, 500 * 2 ** attempt);
  });
}

/**
 * What every chat-site content script does, on top of its site's adapter: warm the models up,
 * add memories to each prompt the user sends, and hand the sent turn to the background.
 */
export function runContentScript(adapter: SiteAdapter, signal: AbortSignal): void {
  void sendMessage('warmUp').catch(() => undefined); // the first send must not wait for a model load
  /** The last capture of each text, to withdraw it if its send fails. */
  const inFlight = new Map<string, CapturedTurn>();
  interceptSends(
    adapter,
    {
      recall: async (query) => {
        const turn = inFlight.get(query);
        const request = { site: adapter.site, query, ...(turn ? { before: turn.sentAt } : {}) };
        return (await sendMessage('recall', request)).memories.map((m) => m.text);
      },
      captured: (text) => {
        const replyTo = lastAssistantText(adapter);
        const turn: CapturedTurn = {
          site: adapter.site,
          conversationId: adapter.conversationId(),
          text,
          sentAt: Date.now(),
          ...(replyTo ? { replyTo } : {}),
        };
        inFlight.set(text, turn);
        deliver(turn);
      },
      discarded: (text) => {
        const turn = inFlight.get(text);
        if (turn) void sendMessage('discardTurn', turn).catch(() => undefined);
      },
      onError: (error) => {
        console.warn('[Engram]', error);
      },
    },
    signal,
  );
}

/** The end of the assistant's last message on the page, or null (a new chat, or an unreadable page). */
export function lastAssistantText(adapter: Pick<SiteAdapter, 'readTurns'>): string | null {
  try {
    const turns = adapter.readTurns();
    for (let i = turns.length - 1; i >= 0; i--) {
      const turn = turns[i]!;
      if (turn.role === 'assistant') return turn.text.slice(-MAX_REPLY_TO_CHARS);
    }
  } catch {
    // The page changed under us: the turn is captured without it.
  }
  return null;
}
