/**
 * The vault: what the worker knows of encryption right now (off, on, or changing), the keys it
 * holds in memory (none while locked), and how a row of a table is encrypted and decrypted.
 *
 * A row is stored as its clear fields (the primary key and every indexed field: what IndexedDB
 * must see to find it) plus `_enc`, an envelope (envelope.ts) of every other field, encoded with
 * codec.ts. The memories' `hash` index is replaced by an HMAC of it (so equal facts still meet,
 * and no guessable hash of a fact is stored); its plain value travels inside the envelope. Their
 * `space` index (the names the user gave their spaces) is replaced by an HMAC of each level of
 * the path (`work/atlas` → `p1<H(work)>/<H(work/atlas)>`), so a space and everything under it are
 * still found (equality, and a prefix ending in `/`), and no name is stored.
 *
 * While locked (no keys in memory), a queued turn is sealed to the public key of the generation
 * (envelope kind 2), so it can be captured without the passphrase; a row that cannot be opened is
 * read back as stored (its clear fields and `_enc`) for the jobs table, so the queue can still
 * confirm or drop a turn, and refused everywhere else (LockedError): nothing is read or written
 * in the clear while locked.
 *
 * The settings table is encrypted row by row: its `value` is, bound to its key (the envelope's
 * context is `settings/<key>`, so a value cannot be moved to another key), except the few keys
 * that must be read or written while locked (CLEAR_SETTINGS), which stay wholly in clear, and a
 * setting cleared to null (nothing to hide). Reading any other setting while locked is a
 * LockedError for that read only.
 */
import type { JsonValue } from '../core/types';
import type { EncryptionState } from '../messaging/lock-protocol';
import { toBase64, utf8 } from './bytes';
import { decodeValue, encodeValue } from './codec';
import { decryptSecret, encryptSecret, envelopeHeader, KIND_SECRET, openSealed, seal } from './envelope';
import { publicKeyOf, type GenerationKeys, type GenerationRecord } from './keys';
import { ENVELOPE_FIELD, SETTINGS_TABLE } from './names';

export { ENVELOPE_FIELD, KEYRING_KEY, SETTINGS_TABLE } from './names';

/**
 * The settings kept in clear, because something must read or write them while Engram is locked;
 * every other setting (the spaces the user named, the memory manager's saved rows, the retention
 * policy, an import's progress, maintenance stamps, the label counter…) is encrypted. Each, and
 * why:
 * - `encryption` (KEYRING_KEY): the keyring itself, read before any key exists; not secret.
 * - `revision`, `vectorRevision`: the store's change counters, read by every cache check and
 *   bumped when Engram locks (DexieMemoryStore.invalidate, so nothing read before is served).
 * - `activeModel`: the embedding model's id (one of a fixed list), restored when the worker starts,
 *   which after a browser restart is always locked (ModelManager.restore).
 * - `extractionChoice`: how facts are extracted (the rules, a WebLLM model's id, or a local
 *   server's address and model name), restored when the worker starts (ExtractionManager.restore),
 *   so turns queued while locked are processed the way the user chose.
 * None holds a memory or a name the user gave (`extractionChoice` may hold the address and model
 * name of a server on this computer the user typed).
 */
export const CLEAR_SETTINGS: ReadonlySet<string> = new Set(['encryption', 'revision', 'vectorRevision', 'activeModel', 'extractionChoice']);

/** Indexed fields replaced by an HMAC of their value (equality lookups only). */
export const HMAC_FIELDS: Readonly<Record<string, readonly string[]>> = { memories: ['hash'] };

/** Indexed paths (`a/b/c`) replaced by an HMAC per level: equality lookups, and prefixes ending in `/`. */
export const PATH_FIELDS: Readonly<Record<string, readonly string[]>> = { memories: ['space'] };

/**
 * What a keyring's data layout covers. 2: the settings table and the memories' space index are
 * encrypted too. A keyring left `on` by an earlier version (no layout: 1) has both in clear: at
 * its first unlock everything is walked again (lock.ts), as when encryption is turned on.
 */
export const KEYRING_LAYOUT = 2;

/** Tables whose rows may be written while locked (sealed to the public key) and read back still sealed. */
export const SEALED_WHILE_LOCKED: ReadonlySet<string> = new Set(['jobs']);

export type { EncryptionState };

/** The stored keyring (settings table, under KEYRING_KEY). */
export interface Keyring {
  v: 1;
  state: Exclude<EncryptionState, 'off'>;
  /** The generation new values are written under; null while turning encryption off (written in clear). */
  current: GenerationRecord | null;
  /** Rotating: the generation being replaced; disabling: the one being removed. */
  previous: GenerationRecord | null;
  /** Re-encryption progress per table: the last primary key done, or true once the table is done. */
  progress: Record<string, JsonValue>;
  /** What the encryption of the data covers (KEYRING_LAYOUT); absent: 1, an earlier version's. */
  layout?: number;
  /** Lock after this many minutes without use; 0: only when the browser closes. */
  lockAfterMinutes: number;
}

export class LockedError extends Error {
  constructor() {
    super('Engram is locked: unlock it with your passphrase (Engram’s toolbar button) to use your memories.');
    this.name = 'LockedError';
  }
}

/** What the middleware needs to know of a table. */
export interface TableSpec {
  name: string;
  /** Stored in clear: the primary key's and the indexes' top-level fields. */
  clear: ReadonlySet<string>;
  hmac: readonly string[];
  /** Indexed paths stored as an HMAC per level (PATH_FIELDS). */
  paths: readonly string[];
  sealedWhileLocked: boolean;
  /**
   * A table of keyed rows encrypted one by one (the settings): a row whose key (`field`) is in
   * `clear` stays wholly in clear and can be read while locked; every other row's envelope is
   * bound to its key. Reads are then refused row by row, not for the whole table.
   */
  keyed?: { field: string; clear: ReadonlySet<string> };
}

type Row = Record<string, unknown>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Whether a stored value holds an envelope (so reading it means decrypting). */
export function isEnvelopedRow(value: unknown): value is Row & { [ENVELOPE_FIELD]: Uint8Array } {
  return isRow(value) && value[ENVELOPE_FIELD] instanceof Uint8Array;
}

export class Vault {
  #keyring: Keyring | null = null;
  readonly #keys = new Map<number, GenerationKeys>();
  #sealTo: { id: number; key: CryptoKey } | null = null;
  /** HMACs computed, per generation (a fact's hash is looked up again and again). */
  readonly #macs = new Map<number, Map<string, string>>();

  /** The keyring as stored, or null when encryption is off. */
  get keyring(): Keyring | null {
    return this.#keyring;
  }

  get state(): EncryptionState {
    return this.#keyring?.state ?? 'off';
  }

  /** Encryption is on (or being turned on, changed, or off): rows go through the vault. */
  get active(): boolean {
    return this.#keyring !== null;
  }

  /** The generations whose keys the current state needs. */
  neededIds(): number[] {
    const k = this.#keyring;
    if (!k) return [];
    return [k.current?.id, k.previous?.id].filter((id): id is number => id !== undefined);
  }

  /** On, and some key the data needs is not in memory. */
  get locked(): boolean {
    return this.active && this.neededIds().some((id) => !this.#keys.has(id));
  }

  /** Rows in clear may exist (encryption being turned on or off). */
  get plainPossible(): boolean {
    return this.state === 'enabling' || this.state === 'disabling';
  }

  /** Adopt a keyring (as stored); keys of generations it no longer names are dropped. */
  async adopt(keyring: Keyring | null): Promise<void> {
    const sealGen = keyring ? (keyring.current ?? keyring.previous) : null;
    const sealTo = sealGen ? { id: sealGen.id, key: this.#sealTo?.id === sealGen.id ? this.#sealTo.key : await publicKeyOf(sealGen) } : null;
    this.#keyring = keyring;
    this.#sealTo = sealTo;
    const named = new Set(this.neededIds());
    for (const id of [...this.#keys.keys()]) {
      if (!named.has(id)) {
        this.#keys.delete(id);
        this.#macs.delete(id);
      }
    }
  }

  /** The same keyring with more of its re-encryption done (reencrypt.ts). */
  progressed(keyring: Keyring): void {
    const k = this.#keyring;
    if (k && k.state === keyring.state && k.current?.id === keyring.current?.id && k.previous?.id === keyring.previous?.id) this.#keyring = keyring;
  }

  setKeys(keys: readonly GenerationKeys[]): void {
    for (const k of keys) this.#keys.set(k.id, k);
  }

  keys(id: number): GenerationKeys | undefined {
    return this.#keys.get(id);
  }

  /** Forget every key (lock). */
  clearKeys(): void {
    this.#keys.clear();
    this.#macs.clear();
  }

  /** The masters held, by generation (what session storage keeps for a restarted worker). */
  masters(): Record<string, string> {
    return Object.fromEntries([...this.#keys.values()].map((k) => [String(k.id), toBase64(k.master)]));
  }

  /** The table's spec from its schema: clear fields are the primary key's and the indexes'. */
  static spec(name: string, keyPaths: readonly (string | readonly string[] | null)[]): TableSpec {
    const clear = new Set<string>();
    for (const keyPath of keyPaths) {
      for (const path of keyPath === null ? [] : typeof keyPath === 'string' ? [keyPath] : keyPath) {
        const top = path.split('.')[0];
        if (top) clear.add(top);
      }
    }
    const spec: TableSpec = { name, clear, hmac: HMAC_FIELDS[name] ?? [], paths: PATH_FIELDS[name] ?? [], sealedWhileLocked: SEALED_WHILE_LOCKED.has(name) };
    const primary = keyPaths[0];
    if (name === SETTINGS_TABLE && typeof primary === 'string') spec.keyed = { field: primary, clear: CLEAR_SETTINGS };
    return spec;
  }

  /** Reading this table's values needs no key we lack (a keyed table: checked row by row). */
  canRead(spec: TableSpec): boolean {
    return !this.locked || spec.sealedWhileLocked || spec.keyed !== undefined;
  }

  /** A row of a keyed table that stays in clear (a setting needed while locked). */
  static clearRow(spec: TableSpec, value: Row): boolean {
    return spec.keyed !== undefined && spec.keyed.clear.has(String(value[spec.keyed.field]));
  }

  /** The additional data an envelope of `value` is bound to: its table, and in a keyed table its key. */
  static context(spec: TableSpec, value: Row): string {
    return spec.keyed ? `${spec.name}/${String(value[spec.keyed.field])}` : spec.name;
  }

  /** HMAC of an indexed value under a generation (hex of 128 bits, prefixed so it is never a plain hash). */
  async hmac(keys: GenerationKeys, value: string): Promise<string> {
    let cache = this.#macs.get(keys.id);
    if (!cache) this.#macs.set(keys.id, (cache = new Map<string, string>()));
    const known = cache.get(value);
    if (known !== undefined) return known;
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', keys.mac, utf8.encode(value)));
    let hex = 'm1';
    for (let i = 0; i < 16; i++) hex += mac[i]!.toString(16).padStart(2, '0');
    if (cache.size > 10_000) cache.clear();
    cache.set(value, hex);
    return hex;
  }

  /**
   * A path (`work/atlas`) as its index stores it: `p1`, then the HMAC of each level (`work`,
   * `work/atlas`: a level's HMAC covers the levels above it, so equal names under other parents
   * differ) joined by `/`. A space and the spaces under it share the prefix of its levels.
   */
  async pathHmac(keys: GenerationKeys, path: string): Promise<string> {
    const names = path.split('/');
    const levels = await Promise.all(names.map((_, i) => this.hmac(keys, `\u0000path\u0000${names.slice(0, i + 1).join('/')}`)));
    return `p1${levels.map((h) => h.slice(2)).join('/')}`;
  }

  /**
   * The stored values an indexed HMAC field (or, `path`, an indexed path) may have for `value`:
   * its HMAC under every generation held (and the value itself while rows in clear may exist).
   */
  async lookupValues(value: unknown, path = false): Promise<unknown[]> {
    if (this.locked) throw new LockedError();
    if (typeof value !== 'string') return [value];
    const out: unknown[] = this.plainPossible ? [value] : [];
    for (const id of this.neededIds()) {
      const keys = this.#keys.get(id);
      if (keys) out.push(path ? await this.pathHmac(keys, value) : await this.hmac(keys, value));
    }
    return [...new Set(out)];
  }

  /**
   * The row as stored: the same object when there is nothing to do, else a promise of a new one.
   * Throws LockedError when it would have to be written in clear or cannot be sealed.
   */
  encryptRow(spec: TableSpec, value: unknown): unknown {
    const k = this.#keyring;
    if (!k || !isRow(value) || Vault.clearRow(spec, value)) return value;
    const secret = Object.keys(value).filter((f) => f !== ENVELOPE_FIELD && !spec.clear.has(f));
    // A setting cleared (null) hides nothing: kept as is, so that clearing works while locked
    // (forgetting everything drops the memory manager's saved rows).
    if (spec.keyed && value[ENVELOPE_FIELD] === undefined && secret.every((f) => value[f] === null || value[f] === undefined)) return value;
    if (value[ENVELOPE_FIELD] !== undefined) {
      // Read while locked and written back with only clear fields changed: still sealed, kept as is.
      if (secret.length === 0) return value;
      throw new LockedError();
    }
    const current = k.current ? this.#keys.get(k.current.id) : undefined;
    if (k.state === 'disabling') {
      if (this.locked) {
        if (spec.sealedWhileLocked) return this.#seal(spec, value, secret);
        throw new LockedError();
      }
      return value; // turning encryption off: written in clear
    }
    if (!current) {
      if (spec.sealedWhileLocked) return this.#seal(spec, value, secret);
      throw new LockedError();
    }
    return this.#encrypt(spec, value, secret, current);
  }

  async #encrypt(spec: TableSpec, value: Row, secret: readonly string[], keys: GenerationKeys): Promise<Row> {
    const { clear, bag } = await this.#split(spec, value, secret, keys);
    clear[ENVELOPE_FIELD] = await encryptSecret(keys.aes, keys.id, encodeValue(bag), Vault.context(spec, value));
    return clear;
  }

  async #seal(spec: TableSpec, value: Row, secret: readonly string[]): Promise<Row> {
    const to = this.#sealTo;
    if (!to) throw new LockedError();
    if (spec.hmac.length > 0 || spec.paths.length > 0) throw new LockedError(); // an HMAC needs the passphrase's key
    const { clear, bag } = await this.#split(spec, value, secret, null);
    clear[ENVELOPE_FIELD] = await seal(to.key, to.id, encodeValue(bag), Vault.context(spec, value));
    return clear;
  }

  async #split(spec: TableSpec, value: Row, secret: readonly string[], keys: GenerationKeys | null): Promise<{ clear: Row; bag: Row }> {
    const hidden = new Set(secret);
    const clear: Row = {};
    const bag: Row = {};
    for (const [field, v] of Object.entries(value)) {
      if (hidden.has(field)) bag[field] = v;
      else clear[field] = v;
    }
    for (const field of spec.hmac) {
      const v = value[field];
      if (typeof v === 'string' && keys) {
        bag[field] = v;
        clear[field] = await this.hmac(keys, v);
      }
    }
    for (const field of spec.paths) {
      const v = value[field];
      if (typeof v === 'string' && keys) {
        bag[field] = v;
        clear[field] = await this.pathHmac(keys, v);
      }
    }
    return { clear, bag };
  }

  /** Whether reading `value` needs decrypting. */
  needsDecrypt(value: unknown): boolean {
    return this.active && isEnvelopedRow(value);
  }

  /**
   * The row as the code above sees it: clear fields and decrypted ones. A row whose key is not
   * held comes back as stored for a table sealed while locked; elsewhere it is a LockedError.
   */
  async decryptRow(spec: TableSpec, value: unknown): Promise<unknown> {
    if (!isEnvelopedRow(value)) return value;
    const envelope = value[ENVELOPE_FIELD];
    const header = envelopeHeader(envelope);
    if (!header) throw new Error(`Engram encryption: a row of ${spec.name} holds an envelope of an unknown format`);
    const keys = this.#keys.get(header.keyId);
    if (!keys) {
      if (spec.sealedWhileLocked) return value;
      throw new LockedError();
    }
    const context = Vault.context(spec, value);
    const plain = header.kind === KIND_SECRET ? await decryptSecret(keys.aes, envelope, context) : await openSealed(keys.privateKey, envelope, context);
    const bag = decodeValue(plain);
    if (!isRow(bag)) throw new Error(`Engram encryption: a row of ${spec.name} decrypted to something else than fields`);
    const row: Row = {};
    for (const [field, v] of Object.entries(value)) if (field !== ENVELOPE_FIELD) row[field] = v;
    return Object.assign(row, bag);
  }

  /** The generation a stored row is encrypted under (null: in clear). */
  static keyIdOf(value: unknown): number | null {
    return isEnvelopedRow(value) ? (envelopeHeader(value[ENVELOPE_FIELD])?.keyId ?? null) : null;
  }
}
