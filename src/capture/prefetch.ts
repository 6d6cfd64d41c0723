/**
 * Prefetch: the memories for what the user is typing, asked for while they type, so that pressing
 * Enter never waits for Engram. Once the user pauses (PREFETCH_DEBOUNCE_MS without typing), the
 * composer's text goes to the background as a prefetch, which counts no memory as used. One request
 * is in flight at a time: a text the user pauses on meanwhile is asked for when it returns (the
 * newest only, never a queue of stale ones). The answer is kept for its one text, for
 * PREFETCH_TTL_MS, and only ever handed to a send of exactly that text: nothing of it reaches the
 * page before the user's own send.
 */

/**
 * How long the user must stop typing before their text is prefetched: shorter than the gap between
 * two keystrokes of a fast typist (about 100 ms at 120 words a minute), so the final text has
 * usually been prefetched by the time Enter follows it. With one request in flight at a time, the
 * worker does at most one recall per keystroke.
 */
export const PREFETCH_DEBOUNCE_MS = 60;

/** How long a prefetched answer may be used: memories change (a new turn, an edit in the popup). */
export const PREFETCH_TTL_MS = 60_000;

/** A recalled memory as the content script gets it: its id (to note its use) and the line to inject. */
export interface RecalledLine {
  readonly id: string;
  readonly text: string;
}

export interface PrefetchOptions {
  /** The text a send would be for right now (the composer without any memory block); '' for none. */
  read(): string;
  /** Ask the background for memories for `text`, as a prefetch. */
  fetch(text: string): Promise<RecalledLine[]>;
  debounceMs?: number;
  ttlMs?: number;
  onError?(error: unknown): void;
}

export interface Prefetcher {
  /** The user typed (a trusted input in the composer): prefetch once they pause. */
  typed(): void;
  /**
   * What a send of `text` may use instead of a new request: the memories prefetched for exactly
   * that text (still fresh), or the prefetch of it still in flight; null when the send must ask.
   */
  lookup(text: string): Promise<RecalledLine[]> | null;
  /** Forget any pause being waited for (a send began, or the script stops). */
  cancel(): void;
  /**
   * Drop every prefetched answer, and the one in flight: memories were forgotten or changed, and a
   * forgotten memory must never reach a prompt. The next send asks afresh.
   */
  forget(): void;
}

/** One prefetch: its text, its request, and once answered, its memories and when. */
interface Prefetch {
  readonly text: string;
  readonly request: Promise<RecalledLine[]>;
  answer?: { memories: RecalledLine[]; at: number };
  failed?: boolean;
}

export function createPrefetcher(options: PrefetchOptions): Prefetcher {
  const debounceMs = options.debounceMs ?? PREFETCH_DEBOUNCE_MS;
  const ttlMs = options.ttlMs ?? PREFETCH_TTL_MS;
  /** The latest prefetch: the only one ever kept, and the only one that may be in flight. */
  let current: Prefetch | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The user paused on another text while `current` was in flight: ask for theirs when it returns. */
  let behind = false;

  const inFlight = (p: Prefetch): boolean => !p.answer && !p.failed;
  const fresh = (p: Prefetch): boolean => p.answer !== undefined && Date.now() - p.answer.at <= ttlMs;

  const prefetchNow = (): void => {
    timer = undefined;
    let text: string;
    try {
      text = options.read();
    } catch (error) {
      options.onError?.(error); // the page changed under us: no prefetch, the send will ask
      return;
    }
    if (!text) return;
    if (current && inFlight(current)) {
      behind = current.text !== text;
      return;
    }
    // Already answered (or failed: the send asks again, a broken background is not asked twice).
    if (current?.text === text && (current.failed === true || fresh(current))) return;
    behind = false;
    const prefetch: Prefetch = {
      text,
      request: new Promise<RecalledLine[]>((resolve) => {
        resolve(options.fetch(text)); // a fetch that throws is a failed prefetch, like one that rejects
      }),
    };
    current = prefetch;
    prefetch.request
      .then(
        (memories) => {
          prefetch.answer = { memories, at: Date.now() };
        },
        (error: unknown) => {
          prefetch.failed = true;
          options.onError?.(error);
        },
      )
      .finally(() => {
        // The newest text the user paused on, unless a pause still being waited for will ask.
        if (behind && timer === undefined) prefetchNow();
      });
  };

  return {
    typed() {
      clearTimeout(timer);
      timer = setTimeout(prefetchNow, debounceMs);
    },
    lookup(text) {
      if (current?.text !== text || current.failed === true) return null;
      if (current.answer) return fresh(current) ? Promise.resolve(current.answer.memories) : null;
      return current.request;
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      behind = false;
    },
    forget() {
      clearTimeout(timer);
      timer = undefined;
      behind = false;
      current = null; // an answer still in flight lands on its own record, never used again
    },
  };
}
