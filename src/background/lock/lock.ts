/**
 * Encryption at rest, as the worker runs it: turning it on, unlocking, locking (by hand, after the
 * idle time the user chose, and when the browser closes), changing the passphrase and turning it
 * off. The database's rows are encrypted and decrypted by the middleware (src/crypto/middleware.ts)
 * with the keys this holds in the vault; re-encryption after a change runs in the background,
 * resumably (src/crypto/reencrypt.ts).
 *
 * Where the keys live: in the vault (the worker's memory), and their masters in session storage
 * (`chrome.storage.session`: memory only, cleared when the browser closes, readable only by the
 * extension's own pages), so a worker the browser stopped and started again stays unlocked for the
 * browser session. Never on disk. The keyring in the settings table holds what is not secret: each
 * generation's salt, iteration count, key check value, public key and encrypted private key.
 *
 * Ordering keeps every row readable whatever is interrupted: the stored keyring names every
 * generation a row may be written under before the vault writes under it, and drops one only
 * after re-encryption finished (or, turning encryption off, after the last row is in clear).
 *
 * The settings table is encrypted too, but for the few settings read while locked (vault.ts
 * CLEAR_SETTINGS); exports made while encryption is on are encrypted with the passphrase, which
 * this checks first (checkPassphrase; background/data/export-data.ts).
 */
import type Dexie from 'dexie';
import { fromBase64 } from '../../crypto/bytes';
import {
  createGeneration,
  KDF_NAME,
  MIN_ITERATIONS,
  openGeneration,
  PBKDF2_ITERATIONS,
  unlockGeneration,
  unwrapPreviousMaster,
  wrapPreviousMaster,
  type GenerationKeys,
  type GenerationRecord,
} from '../../crypto/keys';
import { encryptionMiddleware } from '../../crypto/middleware';
import { reencrypt } from '../../crypto/reencrypt';
import { KEYRING_KEY, KEYRING_LAYOUT, LockedError, SEALED_WHILE_LOCKED, SETTINGS_TABLE, Vault, type Keyring } from '../../crypto/vault';
import { DEFAULT_LOCK_AFTER_MINUTES, MIN_PASSPHRASE_CHARS, type EncryptionStatus } from '../../messaging/lock-protocol';

export { WrongPassphrase } from '../../crypto/keys';

/** What session storage keeps for a restarted worker: each generation's master, and when to lock. */
export interface SessionState {
  /** base64 masters by generation id. */
  masters: Record<string, string>;
  /** Lock when this time (ms since epoch) is reached; null: only when the browser closes. */
  until: number | null;
}

/** Session storage (chrome.storage.session in the extension; memory in tests). */
export interface SessionPort {
  get(): Promise<SessionState | null>;
  set(state: SessionState): Promise<void>;
  clear(): Promise<void>;
}

/** A session port in memory (tests, and anywhere without chrome.storage.session). */
export function memorySession(): SessionPort & { state: SessionState | null } {
  const port = {
    state: null as SessionState | null,
    get: () => Promise.resolve(port.state ? structuredClone(port.state) : null),
    set: (s: SessionState) => {
      port.state = structuredClone(s);
      return Promise.resolve();
    },
    clear: () => {
      port.state = null;
      return Promise.resolve();
    },
  };
  return port;
}

export { DEFAULT_LOCK_AFTER_MINUTES, LOCK_AFTER_CHOICES, MIN_PASSPHRASE_CHARS } from '../../messaging/lock-protocol';
const MAX_PASSPHRASE_CHARS = 1024;
/** Using Engram pushes the idle lock back; session storage and the alarm follow at most this often. */
const TOUCH_EVERY_MS = 30_000;

export interface LockOptions {
  db: Dexie;
  session: SessionPort;
  now?: () => number;
  /** Arm the idle-lock alarm for this time, or clear it (null). */
  schedule?: (at: number | null) => void;
  /** Locked: the worker drops what it holds of the memories (caches). */
  onLocked?: () => void | Promise<void>;
  /** Unlocked (by the user): what waited can go on (queued turns). */
  onUnlocked?: () => void;
  onError?: (error: unknown) => void;
  /** PBKDF2 iterations for new generations (tests may lower them; the extension keeps the default). */
  iterations?: number;
  minIterations?: number;
  chunk?: number;
}

/** A keyring left `on` by an earlier version, whose data is walked again at the next unlock (vault.ts KEYRING_LAYOUT). */
const outdated = (ring: Keyring): boolean => ring.state === 'on' && (ring.layout ?? 1) < KEYRING_LAYOUT;

function checkPassphrase(passphrase: unknown): string {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_CHARS || passphrase.length > MAX_PASSPHRASE_CHARS) {
    throw new Error(`A passphrase needs at least ${MIN_PASSPHRASE_CHARS} characters.`);
  }
  return passphrase;
}

function checkMinutes(minutes: unknown): number {
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > 7 * 24 * 60) {
    throw new Error('Engram: the idle time must be a whole number of minutes, up to a week (0: when the browser closes).');
  }
  return minutes;
}

export class Lock {
  readonly vault = new Vault();
  readonly #db: Dexie;
  readonly #session: SessionPort;
  readonly #now: () => number;
  readonly #schedule: (at: number | null) => void;
  readonly #options: LockOptions;
  #serial: Promise<unknown> = Promise.resolve();
  #migration: Promise<void> | null = null;
  #progress: { done: number; total: number } | null = null;
  /** The idle deadline (null: none), and the one last written to session storage. */
  #until: number | null = null;
  #savedUntil: number | null = null;
  /** Tests: the next re-encryption stops after this many chunks, as if the worker died there. */
  haltAfterChunks: number | undefined = undefined;

  constructor(options: LockOptions) {
    this.#options = options;
    this.#db = options.db;
    this.#session = options.session;
    this.#now = options.now ?? Date.now;
    this.#schedule = options.schedule ?? (() => undefined);
    // Every row goes through the vault; the keyring is read before any other operation runs.
    this.#db.use(encryptionMiddleware(this.vault));
    this.#db.on('ready', (vip: Dexie) => this.#load(vip), true);
  }

  /** Read the keyring and, within the browser session, the keys (the database's ready event). */
  async #load(vip: Dexie): Promise<void> {
    const stored = (await vip.table(SETTINGS_TABLE).get(KEYRING_KEY)) as { value?: Keyring } | undefined;
    const ring = stored?.value ?? null;
    this.vault.clearKeys();
    await this.vault.adopt(ring);
    if (!ring) {
      // Keys left by a worker stopped just after turning encryption off: they open nothing now.
      await this.#session.clear().catch(() => undefined);
      return;
    }
    const session = await this.#session.get().catch(() => null);
    if (!session) return;
    if (session.until !== null && session.until <= this.#now()) {
      await this.#session.clear().catch(() => undefined);
      return;
    }
    try {
      const keys: GenerationKeys[] = [];
      for (const id of this.vault.neededIds()) {
        const master = session.masters[String(id)];
        const record = this.#record(ring, id);
        if (master && record) keys.push(await openGeneration(record, fromBase64(master)));
      }
      this.vault.setKeys(keys);
      this.#until = this.#savedUntil = session.until;
      this.#schedule(session.until);
    } catch {
      // Keys that no longer open their generation: locked.
      this.vault.clearKeys();
      await this.#session.clear().catch(() => undefined);
    }
    // A change a stopped worker left half-done goes on (after the database has opened), as does
    // the walk of an earlier version's data (outdated()).
    if (!this.vault.locked && (ring.state !== 'on' || outdated(ring))) setTimeout(() => void this.#resume(), 0);
  }

  #record(ring: Keyring, id: number): GenerationRecord | null {
    return ring.current?.id === id ? ring.current : ring.previous?.id === id ? ring.previous : null;
  }

  /** One change at a time. */
  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(async () => {
      await this.#ready();
      return task();
    });
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** The database is open and the keyring (and session keys) read: open() waits for its ready event. */
  async #ready(): Promise<void> {
    await this.#db.open();
  }

  /**
   * Whether Engram is locked now (a recall asks before anything else); unlocked, it counts as use
   * and pushes the idle lock back.
   */
  async gate(): Promise<boolean> {
    await this.#ready();
    if (this.vault.locked) return true;
    this.#touch();
    return false;
  }

  async status(): Promise<EncryptionStatus> {
    await this.#ready();
    return this.#status();
  }

  /**
   * Whether Engram's exports are encrypted now: encryption is on, being turned on, or its
   * passphrase changing. Not while it is being turned off: the user chose to keep everything in
   * clear.
   */
  async exportsEncrypted(): Promise<boolean> {
    await this.#ready();
    return (this.vault.keyring?.current ?? null) !== null;
  }

  /**
   * Check that `passphrase` is the one Engram is encrypted with now (new data's generation), before
   * an export is encrypted with it: a typo must not make a file nobody can open. Throws
   * WrongPassphrase; LockedError while locked (an export reads everything). Changes nothing.
   */
  async checkPassphrase(passphrase: unknown): Promise<void> {
    await this.#ready();
    const current = this.vault.keyring?.current;
    if (!current) throw new Error('Encryption is off.');
    if (this.vault.locked) throw new LockedError();
    await unlockGeneration(current, typeof passphrase === 'string' ? passphrase : '', this.minIterations);
  }

  /** PBKDF2 iterations for a new key: a generation's, or an encrypted export's. */
  get iterations(): number {
    return this.#options.iterations ?? PBKDF2_ITERATIONS;
  }

  /** The fewest PBKDF2 iterations a stored generation, or an encrypted export, may claim. */
  get minIterations(): number {
    return this.#options.minIterations ?? MIN_ITERATIONS;
  }

  #status(): EncryptionStatus {
    const ring = this.vault.keyring;
    const gen = ring ? (ring.current ?? ring.previous) : null;
    return {
      state: this.vault.state,
      locked: this.vault.locked,
      migrating: this.#migration !== null,
      progress: this.#progress,
      lockAfterMinutes: ring?.lockAfterMinutes ?? DEFAULT_LOCK_AFTER_MINUTES,
      kdf: gen ? { name: KDF_NAME, iterations: gen.iterations } : null,
    };
  }

  /** Persist the keyring (before the vault acts on it). */
  async #save(ring: Keyring | null): Promise<void> {
    const settings = this.#db.table(SETTINGS_TABLE);
    if (ring) await settings.put({ key: KEYRING_KEY, value: ring });
    else await settings.delete(KEYRING_KEY);
  }

  async #saveSession(): Promise<void> {
    await this.#session.set({ masters: this.vault.masters(), until: this.#until });
    this.#savedUntil = this.#until;
    this.#schedule(this.#until);
  }

  /** Use: the idle lock moves to `lock after` minutes from now (saved at most every TOUCH_EVERY_MS). */
  #touch(): void {
    const until = this.#deadline();
    this.#until = until;
    const stale = until === null ? this.#savedUntil !== null : this.#savedUntil === null || until - this.#savedUntil >= TOUCH_EVERY_MS;
    if (stale) {
      void this.#saveSession().catch((error: unknown) => {
        this.#options.onError?.(error);
      });
    }
  }

  /** The keys changed: session storage holds them (and the new deadline) before the answer goes. */
  async #keysChanged(): Promise<void> {
    this.#until = this.#deadline();
    await this.#saveSession();
  }

  #deadline(): number | null {
    const minutes = this.vault.keyring?.lockAfterMinutes ?? 0;
    return minutes > 0 ? this.#now() + minutes * 60_000 : null;
  }

  /** Turn encryption on: everything stored is encrypted (in the background, resumably). */
  enable(passphrase: string, lockAfterMinutes: number = DEFAULT_LOCK_AFTER_MINUTES): Promise<EncryptionStatus> {
    return this.#serially(async () => {
      checkPassphrase(passphrase);
      checkMinutes(lockAfterMinutes);
      if (this.vault.active) throw new Error(this.vault.state === 'disabling' ? 'Engram is still turning encryption off; try again when it is done.' : 'Encryption is already on.');
      const { record, keys } = await createGeneration(passphrase, { iterations: this.#options.iterations ?? PBKDF2_ITERATIONS });
      const ring: Keyring = { v: 1, state: 'enabling', current: record, previous: null, progress: {}, lockAfterMinutes, layout: KEYRING_LAYOUT };
      await this.#save(ring);
      await this.vault.adopt(ring);
      this.vault.setKeys([keys]);
      await this.#keysChanged();
      this.#startMigration();
      return this.#status();
    });
  }

  /** Unlock with the passphrase; a wrong one changes nothing (WrongPassphrase). */
  unlock(passphrase: string): Promise<EncryptionStatus> {
    return this.#serially(async () => {
      const ring = this.vault.keyring;
      if (!ring || !this.vault.locked) return this.#status();
      if (typeof passphrase !== 'string') throw new Error('Engram: a malformed unlock was refused');
      const opener = ring.current ?? ring.previous!;
      const keys = [await unlockGeneration(opener, passphrase, this.#options.minIterations ?? MIN_ITERATIONS)];
      if (ring.state === 'rotating' && ring.previous && ring.current?.previousMaster) {
        keys.push(await openGeneration(ring.previous, await unwrapPreviousMaster(keys[0]!, ring.current.previousMaster)));
      }
      this.vault.setKeys(keys);
      await this.#keysChanged();
      this.#options.onUnlocked?.();
      if (ring.state !== 'on') {
        await this.#restartEarlierWalk();
        this.#startMigration();
      } else if (outdated(ring)) await this.#walkAgain(ring);
      return this.#status();
    });
  }

  /** Lock now: the keys leave memory and session storage. */
  lock(): Promise<EncryptionStatus> {
    return this.#serially(async () => {
      if (!this.vault.active) return this.#status();
      const was = !this.vault.locked;
      this.vault.clearKeys();
      this.#until = this.#savedUntil = null;
      this.#schedule(null);
      await this.#session.clear();
      if (was) await this.#options.onLocked?.();
      return this.#status();
    });
  }

  /** The idle alarm fired: lock if the deadline passed (a later use may have moved it). */
  async idle(): Promise<void> {
    await this.#ready();
    if (!this.vault.active || this.vault.locked) return;
    const saved = (await this.#session.get().catch(() => null))?.until ?? null;
    const until = this.#until === null ? saved : Math.max(this.#until, saved ?? 0);
    if (until === null) return;
    if (until <= this.#now()) await this.lock();
    else this.#schedule(until);
  }

  /** Change the passphrase: everything is re-encrypted under the new one (resumably). */
  changePassphrase(old: string, next: string): Promise<EncryptionStatus> {
    return this.#serially(async () => {
      checkPassphrase(next);
      const ring = this.#settled();
      const oldKeys = await unlockGeneration(ring.current!, typeof old === 'string' ? old : '', this.#options.minIterations ?? MIN_ITERATIONS);
      const fresh = await createGeneration(next, { iterations: this.#options.iterations ?? PBKDF2_ITERATIONS, taken: [oldKeys.id] });
      const record: GenerationRecord = { ...fresh.record, previousMaster: await wrapPreviousMaster(fresh.keys, oldKeys) };
      const rotating: Keyring = { ...ring, state: 'rotating', current: record, previous: ring.current, progress: {}, layout: KEYRING_LAYOUT };
      await this.#save(rotating);
      await this.vault.adopt(rotating);
      this.vault.setKeys([fresh.keys, oldKeys]);
      await this.#keysChanged();
      this.#startMigration();
      return this.#status();
    });
  }

  /** Turn encryption off (with the passphrase): everything is decrypted, then the keys are forgotten. */
  disable(passphrase: string): Promise<EncryptionStatus> {
    return this.#serially(async () => {
      const ring = this.#settled();
      const keys = await unlockGeneration(ring.current!, typeof passphrase === 'string' ? passphrase : '', this.#options.minIterations ?? MIN_ITERATIONS);
      const disabling: Keyring = { ...ring, state: 'disabling', current: null, previous: ring.current, progress: {} };
      await this.#save(disabling);
      await this.vault.adopt(disabling);
      this.vault.setKeys([keys]);
      await this.#keysChanged();
      this.#startMigration();
      return this.#status();
    });
  }

  setLockAfter(minutes: number): Promise<EncryptionStatus> {
    return this.#serially(async () => {
      checkMinutes(minutes);
      const ring = this.vault.keyring;
      if (!ring) throw new Error('Turn encryption on first.');
      const next: Keyring = { ...ring, lockAfterMinutes: minutes };
      await this.#save(next);
      await this.vault.adopt(next);
      if (!this.vault.locked) await this.#keysChanged();
      return this.#status();
    });
  }

  /** The keyring when no change is under way (a change or turning off needs one settled). */
  #settled(): Keyring {
    const ring = this.vault.keyring;
    if (!ring) throw new Error('Encryption is off.');
    if (this.vault.locked) throw new LockedError();
    if (ring.state !== 'on' || !ring.current) throw new Error('Engram is still re-encrypting your data; try again when it is done.');
    return ring;
  }

  /** Resume a change left half-done (a restarted worker, an unlock), or an earlier version's walk. */
  async #resume(): Promise<void> {
    if (!this.vault.active || this.vault.locked) return;
    try {
      await this.#serially(async () => {
        const ring = this.vault.keyring;
        if (!ring || this.vault.locked) return;
        if (ring.state !== 'on') {
          await this.#restartEarlierWalk();
          this.#startMigration();
        } else if (outdated(ring)) {
          await this.#walkAgain(ring);
        }
      });
      await this.#migration;
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  /**
   * A change an earlier version began (its keyring has no layout) may have passed tables before
   * this version encrypted more of them: it starts again from the first row, so it covers
   * everything (re-encrypting a row twice is harmless), and ends with the current layout.
   */
  async #restartEarlierWalk(): Promise<void> {
    const ring = this.vault.keyring;
    if (!ring || ring.state === 'on' || ring.layout !== undefined) return;
    const restarted: Keyring = { ...ring, progress: {}, layout: KEYRING_LAYOUT };
    await this.#save(restarted);
    await this.vault.adopt(restarted);
  }

  /**
   * Encryption was turned on by a version that left the settings table and the memories' space
   * index in clear (the names the user gave spaces, the memory manager's rows): everything is
   * walked again under the same generation, exactly as when encryption is turned on (state
   * `enabling`: rows in clear are still read and found meanwhile), resumably; when it is done the
   * keyring has the current layout.
   */
  async #walkAgain(ring: Keyring): Promise<void> {
    const again: Keyring = { ...ring, state: 'enabling', previous: null, progress: {}, layout: KEYRING_LAYOUT };
    await this.#save(again);
    await this.vault.adopt(again);
    this.#startMigration();
  }

  #startMigration(): void {
    if (this.#migration) return;
    const run = (async () => {
      try {
        const result = await reencrypt(this.#db, this.vault, {
          ...(this.#options.chunk === undefined ? {} : { chunk: this.#options.chunk }),
          ...(this.haltAfterChunks === undefined ? {} : { haltAfterChunks: this.haltAfterChunks }),
          onProgress: (done, total) => {
            this.#progress = { done, total };
          },
          stopped: () => this.vault.locked,
        });
        if (result === 'done') await this.#serially(() => this.#finish());
      } catch (error) {
        // Locked meanwhile: it resumes at the next unlock. Anything else is said; it resumes at the next start.
        if (!(error instanceof LockedError)) this.#options.onError?.(error);
      } finally {
        this.#migration = null;
        this.#progress = null;
      }
    })();
    this.#migration = run;
  }

  /** Wait for the re-encryption under way, if any (tests, and the status after a change). */
  async settle(): Promise<void> {
    while (this.#migration) await this.#migration;
  }

  /** Every table is re-encrypted: the old generation goes (or, turning off, the keyring). */
  async #finish(): Promise<void> {
    const ring = this.vault.keyring;
    if (!ring || ring.state === 'on' || this.vault.locked) return;
    const db = this.#db;
    const settings = db.table(SETTINGS_TABLE);
    if (ring.state === 'disabling') {
      // Turns sealed while locked after their table's pass are opened now, with the keyring's removal.
      const sealed = db.tables.filter((t) => SEALED_WHILE_LOCKED.has(t.name));
      await db.transaction('rw', [...sealed, settings], async () => {
        for (const table of sealed) await table.bulkPut(await table.toArray());
        await settings.delete(KEYRING_KEY);
      });
      await this.vault.adopt(null);
      this.vault.clearKeys();
      this.#until = this.#savedUntil = null;
      this.#schedule(null);
      await this.#session.clear();
      return;
    }
    const { previousMaster: _dropped, ...current } = ring.current!;
    // The walk's layout stays: every walk this version starts covers the current one (KEYRING_LAYOUT).
    const settled: Keyring = { ...ring, state: 'on', current, previous: null, progress: {} };
    await this.#save(settled);
    await this.vault.adopt(settled);
    await this.#saveSession();
  }
}
