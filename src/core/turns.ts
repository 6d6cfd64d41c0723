/**
 * A captured turn as it travels from a content script to the durable queue, its bounds, the job
 * the queue keeps for it, and the queue's counts. A leaf module: it imports only core types.
 */
import type { SiteId } from './types';

/** A user turn the content script saw being sent. */
export interface CapturedTurn {
  site: SiteId;
  /** The site's conversation id (from the URL) or a page-local id for a new chat. */
  conversationId: string;
  /** The text the user typed, with any Engram memory block already stripped. */
  text: string;
  /** When it was sent, ms since epoch. */
  sentAt: number;
  /**
   * The end of the assistant's message this turn answers (at most MAX_REPLY_TO_CHARS), so a short
   * answer ("Three times a week") keeps what it answers ("How often do you run?").
   */
  replyTo?: string;
}

/** How much of the assistant's previous message travels with a captured turn. */
export const MAX_REPLY_TO_CHARS = 1000;

/**
 * The most of one message Engram reads for memories (and keeps while the message waits in the
 * queue). A longer message (a pasted document) is read up to here, and the page says so.
 */
export const MAX_TURN_CHARS = 20_000;

export interface QueueStats {
  /** Captured while being sent, waiting for the send to be confirmed. */
  held: number;
  pending: number;
  failed: number;
  done: number;
  lastError: string | null;
}

/** A captured user turn waiting to be (or already) turned into memories. */
export interface TurnJob {
  seq?: number;
  /** Content hash of the capture (site, conversation, text, time): the same capture is queued once. */
  hash: string;
  site: SiteId;
  conversationId: string;
  text: string;
  sentAt: number;
  /** The end of the assistant's message the turn answers (CapturedTurn.replyTo). */
  replyTo?: string | null;
  /**
   * held: captured while the send is prepared, not processed until the send is confirmed (held
   * turns whose send never left expire unread); pending: to process; done: processed, and then
   * only its hash is kept (its text is removed); failed: gave up after MAX_ATTEMPTS.
   */
  status: 'held' | 'pending' | 'done' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  doneAt: number | null;
  /** What the turn did: memories added or updated. */
  stored: number;
}
