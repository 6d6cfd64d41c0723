import { MAX_REPLY_TO_CHARS, MAX_TURN_CHARS, type CapturedTurn, type QueueStats, type TurnJob } from '../core/turns';
import { DEFAULT_USER, type JsonValue, type SiteId } from '../core/types';
import type { ChatMessage } from '../ports/extractor';
import type { StoredTurnJob, TurnStore } from '../ports/turn-store';
import { factHash } from '../pipeline/normalize';
import type { Memory } from '../engine/memory';

/** After this many failed attempts a turn is parked as failed (kept, and shown in the popup). */
export const MAX_ATTEMPTS = 8;

/** A held turn whose send was never confirmed is deleted, unread, after this long. */
export const HELD_TTL_MS = 10 * 60_000;

/**
 * A processed turn keeps only its hash (no text), so that a capture delivered again is not
 * processed twice; after this long even that goes.
 */
export const DONE_TTL_MS = 24 * 60 * 60_000;

export type { QueueStats } from '../core/turns';

export interface TurnQueueOptions {
  now?: () => number;
  /** Backoff before attempt n+1, ms (default: 1 s · 2ⁿ, at most 5 min). */
  backoffMs?: (attempts: number) => number;
  /** Schedules a later drain (setTimeout; the service worker also has an alarm as a safety net). */
  schedule?: (ms: number, run: () => void) => void;
  onError?: (error: unknown, job: TurnJob) => void;
  /**
   * Metadata for the memories a turn adds, decided when it is processed: `{ pending: true }` while
   * the user asks to accept new memories first ("Ask before remembering").
   */
  metadata?: () => Promise<Record<string, JsonValue>> | Record<string, JsonValue>;
  /** The space a turn's memories are filed in, decided when it is processed (the user's default space for its site); none when null. */
  space?: (site: SiteId) => Promise<string | null> | string | null;
}

/**
 * The durable pipeline between capture and memory: a captured turn is written to the turn store
 * (IndexedDB in the extension) before anything else happens, then processed off the send path,
 * in capture order (so in order per conversation), retried with backoff, once per capture
 * (idempotent by content hash), and resumed whenever the service worker starts again.
 */
export class TurnQueue {
  #draining: Promise<void> | null = null;
  #again = false;
  readonly #now: () => number;

  constructor(
    private readonly store: TurnStore,
    private readonly memory: Memory,
    private readonly options: TurnQueueOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /**
   * Queue a captured turn. Resolves once it is durably stored; returns false if already queued.
   * A `held` turn (captured while its send is prepared) is processed only once `confirm`ed.
   */
  async enqueue(turn: CapturedTurn, { held = false }: { held?: boolean } = {}): Promise<boolean> {
    // False when the same capture is delivered twice.
    return this.store.add(this.#job(turn, held ? 'held' : 'pending'));
  }

  /**
   * The send of a captured turn left the page: a held turn becomes pending (and a turn whose
   * capture never arrived is queued now). Returns false if it was already confirmed or processed.
   */
  confirm(turn: CapturedTurn): Promise<boolean> {
    const job = this.#job(turn, 'pending');
    return this.store.confirm(job.hash, job, job.nextAttemptAt);
  }

  /** Withdraw a captured turn whose send failed, unless it was already processed. */
  discard(turn: CapturedTurn): Promise<boolean> {
    return this.store.discard(captureHash(turn));
  }

  /**
   * Delete held turns whose send was never confirmed (the tab closed first) and the hashes kept
   * of processed turns, once they are old enough. Returns how many rows went.
   */
  purge(): Promise<number> {
    const now = this.#now();
    return this.store.purge(now - HELD_TTL_MS, now - DONE_TTL_MS);
  }

  #job(turn: CapturedTurn, status: TurnJob['status']): TurnJob {
    const now = this.#now();
    return {
      hash: captureHash(turn),
      site: turn.site,
      conversationId: turn.conversationId,
      // Bounded here too: whatever a content script sends, a job stays small.
      text: turn.text.slice(0, MAX_TURN_CHARS),
      sentAt: turn.sentAt,
      replyTo: typeof turn.replyTo === 'string' && turn.replyTo ? turn.replyTo.slice(-MAX_REPLY_TO_CHARS) : null,
      status,
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      doneAt: null,
      stored: 0,
    };
  }

  /** Process every pending turn that is due, one at a time, oldest first. */
  drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      // A drain asked for while one runs (a new capture) runs right after it.
      for (let again = true; again; again = this.#takeAgain()) {
        await this.#drainOnce();
      }
    })().finally(() => {
      this.#draining = null;
    });
    return this.#draining;
  }

  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  async #drainOnce(): Promise<void> {
    for (;;) {
      const now = this.#now();
      const next = await this.store.pending();
      const due = next.find((j) => j.nextAttemptAt <= now);
      if (!due) {
        const later = next.reduce((min, j) => Math.min(min, j.nextAttemptAt), Infinity);
        if (Number.isFinite(later)) this.#scheduleDrain(later - now);
        return;
      }
      // Keep capture order within a conversation: an earlier turn still waiting blocks later ones.
      const earlier = next.find((j) => j.conversationId === due.conversationId && j.seq < due.seq);
      if (earlier) {
        this.#scheduleDrain(earlier.nextAttemptAt - now);
        return;
      }
      await this.#process(due);
    }
  }

  async #process(job: StoredTurnJob): Promise<void> {
    try {
      const said: ChatMessage[] = [{ role: 'user', content: job.text, id: `turn:${job.hash}` }];
      // What the assistant had just said is context for the extractor, never a source of facts.
      const messages: ChatMessage[] = job.replyTo ? [{ role: 'assistant', content: job.replyTo }, ...said] : said;
      const metadata = (await this.options.metadata?.()) ?? {};
      const space = (await this.options.space?.(job.site)) ?? null;
      const { results } = await this.memory.add(messages, {
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
        ...(space === null ? {} : { space }),
        userId: DEFAULT_USER,
        site: job.site,
        conversationId: job.conversationId,
        saidAt: job.sentAt,
      });
      const stored = results.filter((r) => r.event === 'ADD' || r.event === 'UPDATE').length;
      // Its facts are stored: the turn's text goes, only its hash stays (a redelivery is a no-op).
      await this.store.markDone(job.seq, { doneAt: this.#now(), stored });
    } catch (error) {
      const attempts = job.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      const backoff = this.options.backoffMs?.(attempts) ?? Math.min(1000 * 2 ** attempts, 5 * 60_000);
      await this.store.markFailed(job.seq, {
        attempts,
        lastError: message,
        status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
        nextAttemptAt: this.#now() + backoff,
      });
      this.options.onError?.(error, job);
    }
  }

  #scheduleDrain(ms: number): void {
    const schedule = this.options.schedule ?? ((delay, run) => setTimeout(run, delay));
    schedule(Math.max(0, ms), () => void this.drain());
  }

  async stats(): Promise<QueueStats> {
    const { held, pending, failed, done } = await this.store.counts();
    const lastError = await this.store.lastError();
    return { held, pending, failed, done, lastError };
  }
}

/** The identity of one capture: the same turn delivered twice has the same hash. */
function captureHash(turn: CapturedTurn): string {
  return factHash(`${turn.site}\u0000${turn.conversationId}\u0000${turn.sentAt}\u0000${turn.text}`, {
    userId: DEFAULT_USER,
    agentId: null,
    runId: null,
    space: null,
  });
}
