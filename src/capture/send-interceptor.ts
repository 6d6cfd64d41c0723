import type { SiteState } from '../core/control';
import type { InjectionRecord } from '../core/types';
import { memoryLine, stripMemoryBlock, withMemoryBlock } from '../inject/memory-block';
import type { EngramPanel } from '../inject/review-panel';
import type { SiteAdapter } from '../sites/site-adapter';
import { createPrefetcher, type RecalledLine } from './prefetch';

export { PREFETCH_DEBOUNCE_MS, PREFETCH_TTL_MS, type RecalledLine } from './prefetch';

/**
 * The longest a send waits for memories (a cold service worker, a busy one) before the prompt
 * goes out without them and the user is told so (README: Privacy and security).
 */
export const RECALL_TIMEOUT_MS = 2500;

/** Typing wakes the background at most this often, so the send finds it warm. */
export const WAKE_EVERY_MS = 10_000;

export interface SendHooks {
  /**
   * Memories to put ahead of `query`; may be empty. `prefetch`: asked while the user types, before
   * any send, so the background must count none of them as used (see `noteInjected`).
   * An answer flagged `locked` (Engram is locked) carries none, and the indicator says Engram is locked.
   */
  recall(query: string, options?: { prefetch?: boolean }): Promise<RecalledLine[]>;
  /**
   * A prompt went out (the page's send handler ran) with these prefetched memories: they were
   * recalled without being counted as used, so the background counts them now.
   */
  noteInjected?(ids: string[]): void;
  /**
   * Called once per send, with the text the user typed (no memory block), as soon as the send is
   * intercepted: the turn is stored durably, but held, before the prompt even leaves.
   */
  captured(text: string): void;
  /**
   * The prompt was handed to the page's send handler: the held turn may now be remembered. A turn
   * whose send never left (the tab closed first, the send failed) is never remembered.
   */
  sent?(text: string): void;
  /** Called when the send failed after all: the held turn is withdrawn. */
  discarded?(text: string): void;
  /** The prompt went out without memories because Engram could not answer in time (or failed). */
  skipped?(reason: 'timeout' | 'error'): void;
  /**
   * What Engram does on this page now (the user's mode for the site, or paused); a temporary chat
   * counts as `off`. Default `automatic`. `off` and `paused`: the page is left alone entirely.
   */
  state?(): SiteState;
  /** The panel above the composer (review and manual modes, and the indicator after a send). */
  panel?: Pick<EngramPanel, 'review' | 'manual' | 'indicate' | 'hide' | 'kept' | 'seen' | 'remember' | 'newTurn' | 'focusList' | 'view'>;
  /** A prompt went out with these memories (the injection log). */
  injected?(ids: string[], mode: InjectionRecord['mode']): void;
  /**
   * The page no longer looks as the adapter expects (SiteAdapter.health): the send went through
   * untouched, and Engram should say it needs an update for this site.
   */
  unhealthy?(reason: string): void;
  /** Manual mode found nothing to insert (or the composer was empty). */
  nothingToInsert?(reason: 'empty' | 'none' | 'locked'): void;
  /** The user typed in the composer (a trusted input), at most once every WAKE_EVERY_MS: wake the background. */
  typing?(): void;
  /** How long a send may wait for memories before it goes out without them. */
  recallTimeoutMs?: number;
  /** How long the user must stop typing before their text is prefetched (PREFETCH_DEBOUNCE_MS). */
  prefetchDebounceMs?: number;
  /** How long a prefetched answer may be used (PREFETCH_TTL_MS). */
  prefetchTtlMs?: number;
  /**
   * Whether an event was really the user's. Default: `event.isTrusted`, so a page script that
   * fires a synthetic Enter, click or input never makes Engram recall, inject or capture.
   */
  isTrusted?(event: Event): boolean;
  onError?(error: unknown): void;
}

export class RecallTimeout extends Error {
  constructor(ms: number) {
    super(`Engram: no memories within ${ms} ms`);
    this.name = 'RecallTimeout';
  }
}

/**
 * Intercepts the user's send on a chat page (Enter without Shift in the composer, or a click on the
 * send button), adds the relevant memories ahead of the prompt, then sends it as the user would.
 * While the user types, the memories for their text are prefetched (prefetch.ts), so the send
 * usually finds them ready. Listeners sit on `window` in the capture phase, so they run before the
 * site's own handlers, and are removed when `signal` aborts. Only trusted events (the user's own)
 * are acted on: whatever a page script dispatches goes to the page untouched, and Engram neither
 * reads nor writes anything.
 */
/** What the content script may tell the interceptor after it started. */
export interface SendInterceptor {
  /** Memories were forgotten or changed in the background: nothing prefetched before may be sent. */
  forgetPrefetched(): void;
  /** Manual mode: insert the memories for the composer's text (the panel's button, or the shortcut). */
  insertMemories(): void;
  /** Send what is in the composer without memories (the review panel's button). */
  sendWithout(): void;
}

export function interceptSends(adapter: SiteAdapter, hooks: SendHooks, signal: AbortSignal): SendInterceptor {
  let resending = false;
  let pending = false;
  const timeoutMs = hooks.recallTimeoutMs ?? RECALL_TIMEOUT_MS;
  const trusted = (event: Event): boolean => (hooks.isTrusted ? hooks.isTrusted(event) : event.isTrusted);
  // Kept in this closure only: a prefetched memory reaches the page in the user's send, or never.
  const prefetcher = createPrefetcher({
    read: () => stripMemoryBlock(adapter.readComposer()),
    fetch: async (text) => {
      const memories = await hooks.recall(text, { prefetch: true });
      // Review: the list appears while the user types, fed by the prefetch, if the text is still theirs.
      const lines = memories.filter((m) => memoryLine(m.text));
      if (stateNow() === 'review' && hooks.panel && !pending && stripMemoryBlock(adapter.readComposer()) === text) {
        hooks.panel.review(lines); // with none, a quiet bar: "no memories", and "don't remember this message"
      }
      return memories;
    },
    ...(hooks.prefetchDebounceMs === undefined ? {} : { debounceMs: hooks.prefetchDebounceMs }),
    ...(hooks.prefetchTtlMs === undefined ? {} : { ttlMs: hooks.prefetchTtlMs }),
    onError: (error) => {
      hooks.onError?.(error);
    },
  });
  signal.addEventListener('abort', () => {
    prefetcher.cancel();
  });

  const stateNow = (): SiteState => hooks.state?.() ?? 'automatic';
  const active = (state: SiteState): boolean => state !== 'off' && state !== 'paused';
  const { panel } = hooks;
  /** Manual mode: the memories the user inserted into the composer this turn. */
  let inserted: RecalledLine[] = [];
  /** Engram is writing the composer itself (its input events are not the user's typing). */
  let writing = false;
  /** Manual mode: the memories being put into the composer, and whether a send waits for them. */
  let inserting: Promise<void> | null = null;
  let sendAfterInsert = false;

  const intercept = (event: Event, options: { without?: boolean } = {}): void => {
    if (resending || !trusted(event)) return;
    const state = stateNow();
    if (!active(state)) return; // off, paused or a temporary chat: the send is the page's alone
    if (pending) {
      // A second Enter (or a click) while the first is being prepared: never a second send.
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (inserting) {
      // Enter while the inserted memories are still being written (the text may already show):
      // the send is held, not lost, and goes once the composer is whole.
      event.preventDefault();
      event.stopImmediatePropagation();
      if (!sendAfterInsert) {
        sendAfterInsert = true;
        const without = options.without === true;
        void inserting.then(() => {
          sendAfterInsert = false;
          const now = stateNow();
          const text = adapter.readComposer();
          if (!active(now) || pending || !text) return;
          pending = true;
          void send(text, now, without).finally(() => {
            pending = false;
          });
        });
      }
      return;
    }
    // A page that changed under the adapter is left alone: the send is the page's own.
    const health = adapter.health();
    if (!health.ok) {
      hooks.unhealthy?.(health.reason);
      return;
    }
    const text = adapter.readComposer();
    if (!text) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    pending = true;
    prefetcher.cancel(); // the text is being sent: no prefetch of it (or of the page clearing it) now
    void send(text, state, options.without === true).finally(() => {
      pending = false;
    });
  };

  const send = async (typed: string, state: SiteState, without: boolean): Promise<void> => {
    const prompt = stripMemoryBlock(typed);
    // Automatic: the turn is stored (held) at once, before anything can stop the send. Review and
    // manual: once the user's choice ("don't remember this message") is known, still before it leaves.
    const capturedEarly = state === 'automatic' && prompt !== '';
    if (capturedEarly) hooks.captured(prompt);
    let memories: RecalledLine[] = [];
    // Prefetched for exactly this text (answered and fresh, or still in flight), or asked now: the
    // typing woke the worker, so this is a cheap re-check. Either way within the same budget. Every
    // recall is a prefetch (no use counted): only what really goes out is noted, below.
    if (prompt && !without && (state === 'automatic' || state === 'review')) {
      try {
        memories = await withTimeout(prefetcher.lookup(prompt) ?? hooks.recall(prompt, { prefetch: true }), timeoutMs);
      } catch (error) {
        hooks.skipped?.(error instanceof RecallTimeout ? 'timeout' : 'error');
        hooks.onError?.(error); // never block the user's send on Engram
      }
    }
    // Engram is locked (encryption at rest): nothing was recalled, the send goes as typed, and the indicator says so.
    const locked = (memories as RecalledLine[] & { locked?: boolean }).locked === true;
    memories = memories.filter((m) => memoryLine(m.text));
    if (state === 'review' && panel && memories.length > 0) {
      // Review: no memory leaves that the user has not had on screen. New ones: show them, hold the send.
      if (!panel.seen(memories)) {
        panel.review(memories);
        return;
      }
      memories = panel.kept(memories);
    }
    const remember = state === 'automatic' || !panel ? true : panel.remember;
    // Manual: what the user inserted and left in the composer went out; nothing is added now.
    const sentIds =
      state === 'manual' ? inserted.filter((m) => typed.includes(`- ${memoryLine(m.text)}`)).map((m) => m.id) : memories.map((m) => m.id);
    if (prompt && remember && !capturedEarly) hooks.captured(prompt);
    try {
      const final = state === 'manual' ? typed : withMemoryBlock(memories.map((m) => m.text), prompt);
      if (final !== typed) {
        writing = true;
        try {
          await adapter.writeComposer(final);
        } finally {
          writing = false;
        }
      }
      resending = true;
      await adapter.submit();
    } catch (error) {
      if (prompt && remember) hooks.discarded?.(prompt); // not sent: not remembered
      hooks.onError?.(error);
      return;
    } finally {
      resending = false;
    }
    // The page's send handler has run: the prompt left, so the turn may be remembered.
    if (prompt && remember) hooks.sent?.(prompt);
    inserted = [];
    panel?.newTurn();
    if (locked) panel?.indicate(sentIds.length, { locked });
    else panel?.indicate(sentIds.length);
    if (sentIds.length > 0) {
      // Recalled as prefetches, so no use was counted: the memories that went out count now.
      hooks.noteInjected?.(sentIds);
      hooks.injected?.(sentIds, state === 'manual' ? 'manual' : state === 'review' ? 'review' : 'automatic');
    }
  };

  /** Manual mode: put the memories for the composer's text into it, where the user can edit them. */
  const insert = (): void => {
    const state = stateNow();
    if (!active(state) || pending || inserting) return;
    const typed = adapter.readComposer();
    const prompt = stripMemoryBlock(typed);
    if (!prompt) {
      hooks.nothingToInsert?.('empty');
      return;
    }
    inserting = insertFor(prompt).finally(() => {
      inserting = null;
    });
  };
  const insertFor = async (prompt: string): Promise<void> => {
    try {
      const recalled: RecalledLine[] & { locked?: boolean } = await withTimeout(hooks.recall(prompt, { prefetch: true }), timeoutMs);
      const memories = recalled.filter((m) => memoryLine(m.text));
      if (memories.length === 0) {
        hooks.nothingToInsert?.(recalled.locked === true ? 'locked' : 'none');
        return;
      }
      inserted = memories;
      writing = true;
      try {
        await adapter.writeComposer(withMemoryBlock(memories.map((m) => m.text), prompt));
      } finally {
        writing = false;
      }
    } catch (error) {
      hooks.onError?.(error);
    }
  };

  window.addEventListener(
    'keydown',
    (event) => {
      if (!adapter.isInComposer(event.target)) return;
      // Move into the review list (the user's own request for focus).
      if (event.key === 'ArrowUp' && event.altKey && !event.shiftKey && trusted(event) && panel?.focusList()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      // Enter that confirms an input method's candidate is not a send (isComposing; keyCode 229 where
      // a browser reports the composition only that way).
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the one signal some IMEs give
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      if (event.altKey) {
        // Alt+Enter: send without memories, while the review panel lists some.
        if (panel?.view === 'review' && stateNow() === 'review') intercept(event, { without: true });
        return;
      }
      intercept(event);
    },
    { capture: true, signal },
  );
  // Both sites send on the button's click; capturing it on window runs before their handlers,
  // while the composer still holds the text.
  window.addEventListener(
    'click',
    (event) => {
      if (adapter.isSendButton(event.target)) {
        intercept(event);
      }
    },
    { capture: true, signal },
  );
  // Checked cheapest first: this runs on every keystroke of the page. Input during a send is
  // Engram's own writing of the prompt (execCommand makes it trusted), not the user's typing.
  let lastTyping = -Infinity;
  const typed = (event: Event): void => {
    if (pending || writing || !trusted(event)) return;
    if (!adapter.isInComposer(event.target)) {
      // The user types into an editor while the adapter finds no composer at all: the site has
      // changed its page. Said at once (deduplicated by the content script), nothing else done.
      if (hooks.unhealthy && isEditable(event.target) && !adapter.findComposer() && active(stateNow())) {
        const health = adapter.health();
        if (!health.ok) hooks.unhealthy(health.reason);
      }
      return;
    }
    const state = stateNow();
    if (!active(state)) return;
    if (hooks.typing && Date.now() - lastTyping >= WAKE_EVERY_MS) {
      lastTyping = Date.now();
      hooks.typing(); // at once: a stopped worker wakes while the user is still typing
    }
    if (state === 'manual') {
      if (panel && panel.view !== 'manual') panel.manual();
      return;
    }
    if (panel?.view === 'indicator') panel.hide();
    if (state === 'review' && panel?.view === 'review' && !stripMemoryBlock(adapter.readComposer())) panel.hide();
    prefetcher.typed();
  };
  window.addEventListener('input', typed, { capture: true, signal });
  // An editor that applies every keystroke itself (Lexical) cancels the browser's edit at
  // `beforeinput`, and then no `input` event follows: the keystroke is heard there too (the
  // prefetch waits for the pause, when the editor has the text).
  window.addEventListener('beforeinput', typed, { capture: true, signal });
  return {
    forgetPrefetched: () => {
      prefetcher.forget();
      if (panel?.view === 'review') prefetcher.typed(); // the list on screen is asked for afresh
    },
    insertMemories: () => {
      insert();
    },
    sendWithout: () => {
      const state = stateNow();
      if (!active(state) || pending || inserting) return;
      const text = adapter.readComposer();
      if (!text) return;
      pending = true;
      void send(text, state, true).finally(() => {
        pending = false;
      });
    },
  };
}

/** A text field or an editable element (where a chat composer could be). */
function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLTextAreaElement || (target instanceof HTMLElement && target.isContentEditable);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new RecallTimeout(ms));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
