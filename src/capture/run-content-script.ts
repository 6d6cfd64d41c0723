import { MAX_NOTED_IDS, MAX_REASON_CHARS, MAX_REPLY_TO_CHARS, MAX_TURN_CHARS, onBroadcast, sendMessage, type CapturedTurn } from '../messaging/protocol';
import { createNotice } from '../inject/notice';
import { createPanel } from '../inject/review-panel';
import { readControl, watchControl } from '../adapters/control-storage';
import { captures, stateOf, type ControlSettings, type SiteState } from '../core/control';
import type { SiteAdapter, SiteHealth } from '../sites/site-adapter';
import { interceptSends, RECALL_TIMEOUT_MS } from './send-interceptor';

/** The page's first health check, after it has had time to draw its composer (then again at 3×). */
export const HEALTH_FIRST_CHECK_MS = 4000;
/** Then a check this often: a site may change its page under an open tab. */
export const HEALTH_CHECK_EVERY_MS = 60_000;

/** Attempts to hand a turn to the background before giving up (about 30 s in all). */
export const DELIVERY_ATTEMPTS = 6;

type TurnMessage = 'captureTurn' | 'confirmTurn';

/**
 * Hand a captured turn to the background, retrying with backoff: the browser may stop the
 * service worker while it is storing the turn. The background queues each capture once (by
 * content hash, with the same `sentAt`), so a retry never stores a turn twice.
 */
export function deliver(type: TurnMessage, turn: CapturedTurn, send: typeof sendMessage = sendMessage, attempt = 0): void {
  send(type, turn).catch((error: unknown) => {
    if (attempt + 1 >= DELIVERY_ATTEMPTS) {
      console.warn('[Engram] could not hand this message to Engram', error);
      return;
    }
    setTimeout(() => {
      deliver(type, turn, send, attempt + 1);
    }, 500 * 2 ** attempt);
  });
}

/**
 * What every chat-site content script does, on top of its site's adapter: wake the background
 * while the user types and prefetch the memories for their text, add memories to each prompt the
 * user sends, and hand the sent turn to the background. Only the user's own (trusted) input is
 * acted on.
 */
/** Where the content script reads and watches the user's control settings (the extension's storage). */
export interface ControlSource {
  read(): Promise<ControlSettings>;
  watch(onChange: (settings: ControlSettings) => void): () => void;
}

const storedControl: ControlSource = { read: readControl, watch: watchControl };

export function runContentScript(adapter: SiteAdapter, signal: AbortSignal, source: ControlSource = storedControl): { ready: Promise<void> } {
  // Until the user's settings are read (a few ms), Engram does nothing on the page.
  let control: ControlSettings | null = null;
  /** What Engram does here now: the site's mode, paused, or `off` in a temporary chat. */
  const state = (): SiteState => {
    if (!control) return 'paused';
    const s = stateOf(control, adapter.site);
    return captures(s) && adapter.isTemporaryChat() ? 'off' : s;
  };
  const notice = createNotice();
  const panel = createPanel(() => adapter.findComposer(), {
    sendWithout: () => {
      interceptor.sendWithout();
    },
    insert: () => {
      interceptor.insertMemories();
    },
    openLog: () => void sendMessage('openInjectionLog').catch(() => undefined),
    focusComposer: () => adapter.findComposer()?.focus(),
  });
  /** The panel follows the settings: manual shows its bar, other modes hide whatever does not apply. */
  const applyState = (): void => {
    const s = state();
    if (s === 'manual') {
      if (adapter.findComposer()) panel.manual();
    } else if (panel.view === 'manual' || !captures(s)) {
      panel.hide();
    }
  };
  /** What was last said of this page's health ('ok', or the reason), so each change is sent once. */
  let reported: string | null = null;
  const report = (health: SiteHealth): void => {
    const said = health.ok ? 'ok' : health.reason;
    if (said === reported) return;
    reported = said;
    void sendMessage('siteHealth', health.ok ? { ok: true } : { ok: false, reason: health.reason.slice(0, MAX_REASON_CHARS) }).catch(() => undefined);
  };
  // The page is checked now and then (a site may change under an open tab); a failure is said only
  // when it is seen twice in a row, since a page still loading has no composer yet. A send checks
  // at once (send-interceptor.ts), and says so without waiting.
  let lastFailure: string | null = null;
  const check = (): void => {
    if (!captures(state())) return;
    const health = adapter.health();
    if (health.ok || health.reason === lastFailure) report(health);
    lastFailure = health.ok ? null : health.reason;
  };
  const timers = [setTimeout(check, HEALTH_FIRST_CHECK_MS), setTimeout(check, HEALTH_FIRST_CHECK_MS * 3)];
  const every = setInterval(check, HEALTH_CHECK_EVERY_MS);
  signal.addEventListener('abort', () => {
    for (const t of timers) clearTimeout(t);
    clearInterval(every);
  });
  const ready = source.read().then(
    (settings) => {
      control = settings;
      // The first send must not wait for a model load.
      if (captures(state())) void sendMessage('warmUp').catch(() => undefined);
      applyState();
    },
    (error: unknown) => {
      console.warn('[Engram] could not read its settings; it stays paused on this page', error);
    },
  );
  const unwatch = source.watch((settings) => {
    control = settings;
    applyState();
  });
  signal.addEventListener('abort', () => {
    unwatch();
    panel.remove();
  });
  /** The last capture of each text, to confirm or withdraw it once its send is over. */
  const inFlight = new Map<string, CapturedTurn>();
  // eslint-disable-next-line prefer-const -- the panel's callbacks reach it once it exists
  let interceptor = interceptSends(
    adapter,
    {
      // A prefetch is flagged so that the background counts no use of what the user may never send.
      recall: async (query, options) => {
        const { memories, locked } = await sendMessage('recall', { site: adapter.site, query, ...(options?.prefetch ? { prefetch: true } : {}) });
        const lines = memories.map(({ id, text }) => ({ id, text }));
        return locked ? Object.assign(lines, { locked }) : lines; // locked: the indicator says so
      },
      // Fire-and-forget: a use not counted costs a little ranking weight, never the send.
      noteInjected: (ids) => void sendMessage('noteInjected', { ids: ids.slice(0, MAX_NOTED_IDS) }).catch(() => undefined),
      injected: (ids, mode) =>
        void sendMessage('logInjection', { ids: ids.slice(0, MAX_NOTED_IDS), mode, conversationId: adapter.conversationId() }).catch(() => undefined),
      state,
      panel,
      unhealthy: (reason) => {
        report({ ok: false, reason });
      },
      nothingToInsert: (reason) => {
        notice.show(
          reason === 'empty' ? 'type your message first, then add memories to it.' : reason === 'locked' ? 'locked. Unlock it from its toolbar button first, then add memories.' : 'no memories match this message.',
        );
      },
      captured: (text) => {
        const replyTo = lastAssistantText(adapter);
        const turn: CapturedTurn = {
          site: adapter.site,
          conversationId: adapter.conversationId(),
          text: text.slice(0, MAX_TURN_CHARS),
          sentAt: Date.now(),
          ...(replyTo ? { replyTo } : {}),
        };
        inFlight.set(text, turn);
        deliver('captureTurn', turn);
      },
      sent: (text) => {
        const turn = inFlight.get(text);
        if (!turn) return;
        inFlight.delete(text);
        deliver('confirmTurn', turn);
        if (text.length > MAX_TURN_CHARS) {
          notice.show(
            `this message is ${text.length.toLocaleString()} characters long; only its first ${MAX_TURN_CHARS.toLocaleString()} were read for memories.`,
          );
        }
      },
      discarded: (text) => {
        const turn = inFlight.get(text);
        inFlight.delete(text);
        if (turn) void sendMessage('discardTurn', turn).catch(() => undefined);
      },
      skipped: (reason) => {
        notice.show(
          reason === 'timeout'
            ? `sent without memories: Engram was not ready within ${(RECALL_TIMEOUT_MS / 1000).toLocaleString()} s.`
            : 'sent without memories: Engram could not be reached.',
        );
      },
      // The service worker may have been stopped while the user read the answer: wake it now.
      typing: () => void sendMessage('warmUp').catch(() => undefined),
      onError: (error) => {
        console.warn('[Engram]', error);
      },
    },
    signal,
  );
  // The user forgot or corrected a memory (popup, a chat, maintenance): what was prefetched may
  // hold it, and a forgotten memory must never reach a prompt. Only the extension itself can send this.
  const fromExtension = (sender: chrome.runtime.MessageSender): boolean => sender.id === chrome.runtime.id && !sender.tab;
  const stop = onBroadcast('memoriesChanged', ({ sender }) => {
    if (fromExtension(sender)) interceptor.forgetPrefetched();
  });
  // The user pressed the extension's shortcut (the browser delivers it through the background).
  const stopInsert = onBroadcast('insertMemories', ({ sender }) => {
    if (fromExtension(sender) && state() === 'manual') interceptor.insertMemories();
  });
  signal.addEventListener('abort', () => {
    stop();
    stopInsert();
  });
  return { ready };
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
