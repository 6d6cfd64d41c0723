import type { TurnJob } from '../core/turns';

/** A job as stored: the store has given it its sequence number (capture order). */
export type StoredTurnJob = TurnJob & { seq: number };

/** What a failed attempt leaves on a job: it is retried later, or parked as failed. */
export interface TurnFailure {
  attempts: number;
  lastError: string;
  status: 'pending' | 'failed';
  nextAttemptAt: number;
}

/**
 * Durable storage of the turn queue's jobs, keyed by capture hash (one job per capture) and
 * ordered by a sequence number the store assigns on add. Dexie in the extension (the `jobs`
 * table); any double in tests. Each operation is atomic on its own.
 */
export interface TurnStore {
  /** Add a job unless one with the same hash exists (atomically). Returns whether it was added. */
  add(job: TurnJob): Promise<boolean>;
  /**
   * Atomically: a held job with this hash becomes pending, due at `now` (true); with no job of
   * this hash, `job` is added (true); any other job of this hash is left as is (false).
   */
  confirm(hash: string, job: TurnJob, now: number): Promise<boolean>;
  /** Delete the held or pending job with this hash. Returns whether there was one. */
  discard(hash: string): Promise<boolean>;
  /**
   * Delete held jobs created at or before `heldBefore` and done jobs done at or before
   * `doneBefore` (a done job without `doneAt` counts as done at 0). Returns how many went.
   */
  purge(heldBefore: number, doneBefore: number): Promise<number>;
  /** Every pending job, due or not, in sequence (capture) order. */
  pending(): Promise<StoredTurnJob[]>;
  /**
   * The job was processed: it becomes done at `doneAt`, having stored `stored` memories, and
   * keeps only its hash (its text, replyTo and lastError go).
   */
  markDone(seq: number, done: { doneAt: number; stored: number }): Promise<void>;
  /** An attempt at the job failed. */
  markFailed(seq: number, failure: TurnFailure): Promise<void>;
  /** How many jobs there are of each status. */
  counts(): Promise<Record<TurnJob['status'], number>>;
  /**
   * The error of the last pending job (in sequence order) that has one, else of the last failed
   * job that has one; null when none has.
   */
  lastError(): Promise<string | null>;
}
