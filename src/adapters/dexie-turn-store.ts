import Dexie from 'dexie';
import type { TurnJob } from '../core/turns';
import type { EngramDatabase } from '../db/schema';
import type { StoredTurnJob, TurnFailure, TurnStore } from '../ports/turn-store';
import { isEnvelopedRow } from '../crypto/vault';

/** The TurnStore on Dexie: the `jobs` table of Engram's database (`&hash` keeps one job per capture). */
export class DexieTurnStore implements TurnStore {
  constructor(readonly db: EngramDatabase) {}

  async add(job: TurnJob): Promise<boolean> {
    try {
      await this.db.jobs.add(job);
      return true;
    } catch (error) {
      if (error instanceof Dexie.ConstraintError) return false; // the same capture, delivered twice
      throw error;
    }
  }

  confirm(hash: string, job: TurnJob, now: number): Promise<boolean> {
    const { jobs } = this.db;
    return this.db.transaction('rw', jobs, async () => {
      const found = await jobs.where('hash').equals(hash).first();
      if (!found) {
        await jobs.add(job);
        return true;
      }
      if (found.status !== 'held') return false;
      await jobs.update(found.seq, { status: 'pending', nextAttemptAt: now });
      return true;
    });
  }

  async discard(hash: string): Promise<boolean> {
    return (await this.db.jobs.where('hash').equals(hash).and((j) => j.status === 'held' || j.status === 'pending').delete()) > 0;
  }

  async purge(heldBefore: number, doneBefore: number): Promise<number> {
    const held = await this.db.jobs.where('status').equals('held').and((j) => j.createdAt <= heldBefore).delete();
    const done = await this.db.jobs.where('status').equals('done').and((j) => (j.doneAt ?? 0) <= doneBefore).delete();
    return held + done;
  }

  async pending(): Promise<StoredTurnJob[]> {
    // Rows read back from the table always have their `++seq` key. A turn still sealed (Engram is
    // locked: see src/crypto/vault.ts) waits for the unlock; while locked, every turn is.
    const rows = await this.db.jobs.where('status').equals('pending').sortBy('seq');
    return rows.filter((job) => !isEnvelopedRow(job)) as StoredTurnJob[];
  }

  async markDone(seq: number, { doneAt, stored }: { doneAt: number; stored: number }): Promise<void> {
    await this.db.jobs.update(seq, { status: 'done', doneAt, stored, lastError: null, text: '', replyTo: null });
  }

  async markFailed(seq: number, failure: TurnFailure): Promise<void> {
    await this.db.jobs.update(seq, { ...failure });
  }

  async counts(): Promise<Record<TurnJob['status'], number>> {
    const [held, pending, failed, done] = await Promise.all(
      (['held', 'pending', 'failed', 'done'] as const).map((s) => this.db.jobs.where('status').equals(s).count()),
    );
    return { held: held ?? 0, pending: pending ?? 0, failed: failed ?? 0, done: done ?? 0 };
  }

  async lastError(): Promise<string | null> {
    // By status, then seq: the last pending job with an error, else the last failed one.
    const last = await this.db.jobs.where('status').anyOf('pending', 'failed').filter((j) => j.lastError !== null).last();
    return last?.lastError ?? null;
  }
}
