import { stripMemoryBlock, withMemoryBlock } from '../inject/memory-block';
import type { SiteAdapter } from '../sites/site-adapter';

export interface SendHooks {
  /** Memories to put ahead of `query`; may be empty. */
  recall(query: string): Promise<string[]>;
  /**
   * Called once per send, with the text the user typed (no memory block), as soon as the send is
   * intercepted: the turn is stored durably before the prompt even leaves, so closing the browser
   * right after sending loses nothing.
   */
  captured(text: string): void;
  /** Called when the send failed after all: the captured turn was not sent and is withdrawn. */
  discarded?(text: string): void;
  /** How long a send may wait for memories before it goes out without them. */
  recallTimeoutMs?: number;
  onError?(error: unknown): void;
}

/**
 * Intercepts the user's send on a chat page (Enter without Shift in the composer, or a click on the
 * send button), adds the relevant memories ahead of the prompt, then sends it as the user would.
 * Listeners sit on `window` in the capture phase, so they run before the site's own handlers, and
 * are removed when `signal` aborts.
 */
export function interceptSends(adapter: SiteAdapter, hooks: SendHooks, signal: AbortSignal): void {
  let resending = false;
  let pending = false;
  const timeoutMs = hooks.recallTimeoutMs ?? 3000;

  const intercept = (event: Event): void => {
    if (resending) return;
    const text = adapter.readComposer();
    if (!text) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (pending) return; // a second Enter while the first is being prepared
    pending = true;
    void send(text).finally(() => {
      pending = false;
    });
  };

  const send = async (typed: string): Promise<void> => {
    const prompt = stripMemoryBlock(typed);
    if (prompt) hooks.captured(prompt);
    let memories: string[] = [];
    try {
      memories = prompt ? await withTimeout(hooks.recall(prompt), timeoutMs) : [];
    } catch (error) {
      hooks.onError?.(error); // never block the user's send on Engram
    }
    try {
      const final = withMemoryBlock(memories, prompt);
      if (final !== typed) await adapter.writeComposer(final);
      resending = true;
      await adapter.submit();
    } catch (error) {
      if (prompt) hooks.discarded?.(prompt); // only what was really sent is remembered
      hooks.onError?.(error);
    } finally {
      resending = false;
    }
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
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`Engram: no memories within ${ms} ms`));
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
