import { memoryLine, stripMemoryBlock, withMemoryBlock } from '../inject/memory-block';
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
}

export function interceptSends(adapter: SiteAdapter, hooks: SendHooks, signal: AbortSignal): SendInterceptor {
  let resending = false;
  let pending = false;
  const timeoutMs = hooks.recallTimeoutMs ?? RECALL_TIMEOUT_MS;
  const trusted = (event: Event): boolean => (hooks.isTrusted ? hooks.isTrusted(event) : event.isTrusted);
  // Kept in this closure only: a prefetched memory reaches the page in the user's send, or never.
  const prefetcher = createPrefetcher({
    read: () => stripMemoryBlock(adapter.readComposer()),
    fetch: (text) => hooks.recall(text, { prefetch: true }),
    ...(hooks.prefetchDebounceMs === undefined ? {} : { debounceMs: hooks.prefetchDebounceMs }),
    ...(hooks.prefetchTtlMs === undefined ? {} : { ttlMs: hooks.prefetchTtlMs }),
    onError: (error) => {
      hooks.onError?.(error);
    },
  });
  signal.addEventListener('abort', () => {
    prefetcher.cancel();
  });

  const intercept = (event: Event): void => {
    if (resending || !trusted(event)) return;
    const text = adapter.readComposer();
    if (!text) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (pending) return; // a second Enter while the first is being prepared
    pending = true;
    prefetcher.cancel(); // the text is being sent: no prefetch of it (or of the page clearing it) now
    void send(text).finally(() => {
      pending = false;
    });
  };

  const send = async (typed: string): Promise<void> => {
    const prompt = stripMemoryBlock(typed);
    if (prompt) hooks.captured(prompt);
    let memories: RecalledLine[] = [];
    // Prefetched for exactly this text (answered and fresh, or still in flight), or asked now: the
    // typing woke the worker, so this is a cheap re-check. Either way within the same budget.
    const prefetched = prompt ? prefetcher.lookup(prompt) : null;
    try {
      memories = prompt ? await withTimeout(prefetched ?? hooks.recall(prompt), timeoutMs) : [];
    } catch (error) {
      hooks.skipped?.(error instanceof RecallTimeout ? 'timeout' : 'error');
      hooks.onError?.(error); // never block the user's send on Engram
    }
    try {
      const final = withMemoryBlock(memories.map((m) => m.text), prompt);
      if (final !== typed) await adapter.writeComposer(final);
      resending = true;
      await adapter.submit();
    } catch (error) {
      if (prompt) hooks.discarded?.(prompt); // not sent: not remembered
      hooks.onError?.(error);
      return;
    } finally {
      resending = false;
    }
    // The page's send handler has run: the prompt left, so the turn may be remembered.
    if (prompt) hooks.sent?.(prompt);
    // A prefetch counted no use: the memories that went out (a line withMemoryBlock kept) count now.
    const injected = prefetched ? memories.filter((m) => memoryLine(m.text)).map((m) => m.id) : [];
    if (injected.length > 0) hooks.noteInjected?.(injected);
  };

  window.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.altKey) return;
      if (!adapter.isInComposer(event.target)) return;
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
  window.addEventListener(
    'input',
    (event) => {
      if (pending || !trusted(event) || !adapter.isInComposer(event.target)) return;
      if (hooks.typing && Date.now() - lastTyping >= WAKE_EVERY_MS) {
        lastTyping = Date.now();
        hooks.typing(); // at once: a stopped worker wakes while the user is still typing
      }
      prefetcher.typed();
    },
    { capture: true, signal },
  );
  return {
    forgetPrefetched: () => {
      prefetcher.forget();
    },
  };
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
