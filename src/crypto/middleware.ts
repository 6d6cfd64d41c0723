/**
 * Encryption at rest as a Dexie DBCore middleware: every row written has its non-indexed fields
 * encrypted (vault.ts; in the settings table, each setting's value, but for the few read while
 * locked: vault.ts CLEAR_SETTINGS), every row read is decrypted, equality lookups on an HMAC'd
 * index (the memories' `hash`) look up its HMAC, and equality and prefix (`startsWith('work/')`)
 * lookups on an HMAC'd path (the memories' `space`) look up the HMACs of its levels. Every reader
 * and writer of the database (the store adapters, the turn queue, the injection log, the memory
 * manager, import and export) goes through it unchanged, inside or outside their transactions.
 *
 * The catch: WebCrypto is asynchronous, and an IndexedDB transaction commits as soon as no request
 * is pending when control returns to the event loop. Awaiting crypto inside a transaction would let
 * it commit half-way (what was written so far stays, the rest fails): data lost. So while crypto
 * runs, `hold` keeps the transaction alive by placing a cheap request on it (a get of key
 * -Infinity, which matches nothing) and placing another from each one's success handler, and
 * resumes the caller from inside the first success handler after the crypto finished: the
 * transaction is active there, so the caller's next request joins the same transaction. This is
 * what Dexie.waitFor() does (dexie-encrypted avoids it by using a synchronous cipher, which
 * WebCrypto's AES-GCM is not). Nothing is ever written in clear to make up for a slow key, and a
 * crypto failure rejects the operation, which aborts the transaction: all or nothing.
 *
 * With encryption off (the default) every call goes straight down: one property read per call.
 */
import type { DBCore, DBCoreCountRequest, DBCoreCursor, DBCoreIndex, DBCoreKeyRange, DBCoreMutateRequest, DBCoreOpenCursorRequest, DBCoreQueryRequest, DBCoreQueryResponse, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie';
import { LockedError, Vault, type TableSpec } from './vault';

/** Dexie's DBCoreRangeType.Equal and .Range (a const enum in its typings). */
const RANGE_EQUAL: number = 1;
const RANGE_RANGE: number = 2;
/** The upper bound Dexie gives `startsWith(prefix)`: prefix + its maxString. */
const MAX_STRING = String.fromCharCode(65535);

/**
 * Resolves with what `work` resolves to, from inside a success event of a request on `trans`: the
 * transaction stays alive meanwhile (a request is always pending) and is active when the caller
 * resumes. Must be called while the transaction is active (any DBCore call is).
 */
export function hold<T>(trans: DBCoreTransaction, storeName: string, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let outcome: { value: T } | { error: unknown } | null = null;
    work.then(
      (value) => (outcome = { value }),
      (error: unknown) => (outcome = { error }),
    );
    let store: IDBObjectStore;
    try {
      store = (trans as unknown as IDBTransaction).objectStore(storeName);
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const spin = (): void => {
      if (outcome) {
        if ('error' in outcome) reject(outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)));
        else resolve(outcome.value);
        return;
      }
      let request: IDBRequest;
      try {
        request = store.get(-Infinity);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      request.onsuccess = spin;
      request.onerror = () => {
        reject(request.error ?? new Error('Engram encryption: the transaction failed while encrypting'));
      };
    };
    spin();
  });
}

/** Each value decrypted when it needs to be: synchronously when none does, else held on `trans`. */
function readValues(vault: Vault, spec: TableSpec, trans: DBCoreTransaction, values: readonly unknown[]): unknown[] | Promise<unknown[]> {
  if (!values.some((v) => vault.needsDecrypt(v))) return values as unknown[];
  return hold(trans, spec.name, Promise.all(values.map((v) => (vault.needsDecrypt(v) ? vault.decryptRow(spec, v) : v))));
}

/** A promise (of any realm or library: Dexie may stand in for the global Promise inside its zones). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function then<T, R>(value: T[] | Promise<T[]>, f: (v: T[]) => R): R | Promise<R> {
  return isThenable(value) ? Promise.resolve(value).then(f) : f(value);
}

/** An index whose stored values are HMACs: looked up through the vault. */
function isHmacIndex(spec: TableSpec, index: DBCoreIndex): boolean {
  return typeof index.keyPath === 'string' && (spec.hmac.includes(index.keyPath) || spec.paths.includes(index.keyPath));
}

/** The prefix of a `startsWith(prefix)` range, when it ends at a level of a path (`work/`); else null. */
function pathPrefix(range: DBCoreKeyRange): string | null {
  const type: number = range.type;
  const { lower, upper } = range as { lower: unknown; upper: unknown };
  if (type !== RANGE_RANGE || typeof lower !== 'string' || upper !== lower + MAX_STRING || range.lowerOpen || range.upperOpen) return null;
  return lower.length > 1 && lower.endsWith('/') ? lower : null;
}

/** An equality range (`range` is one) on another key. */
function equalTo(range: DBCoreKeyRange, key: unknown): DBCoreKeyRange {
  return { ...range, lower: key, upper: key };
}

/** The ranges a lookup on an HMAC'd index becomes: one per value the field may be stored as. */
async function lookupRanges(vault: Vault, spec: TableSpec, index: DBCoreIndex, range: DBCoreKeyRange): Promise<DBCoreKeyRange[]> {
  const type: number = range.type;
  const path = typeof index.keyPath === 'string' && spec.paths.includes(index.keyPath);
  if (type === RANGE_EQUAL) return (await vault.lookupValues(range.lower, path)).map((key) => equalTo(range, key));
  const prefix = path ? pathPrefix(range) : null;
  if (prefix === null) {
    throw new Error(`Engram encryption: ${spec.name} can only be looked up by equality${path ? ', or by a prefix ending in “/”,' : ''} on its encrypted index`);
  }
  // A path and everything under it: its levels' HMACs, then `/`.
  return (await vault.lookupValues(prefix.slice(0, -1), true)).map((base) => ({ ...range, lower: `${String(base)}/`, upper: `${String(base)}/${MAX_STRING}` }));
}

function wrapTable(table: DBCoreTable, spec: TableSpec, vault: Vault): DBCoreTable {
  const locked = (): Promise<never> => Promise.reject(new LockedError());
  const ranges = (trans: DBCoreTransaction, index: DBCoreIndex, range: DBCoreKeyRange): Promise<DBCoreKeyRange[]> => hold(trans, spec.name, lookupRanges(vault, spec, index, range));

  const query = (req: DBCoreQueryRequest): Promise<DBCoreQueryResponse> =>
    table.query(req).then((res) => (req.values ? then(readValues(vault, spec, req.trans, res.result), (result) => ({ ...res, result })) : res));

  return {
    ...table,
    get(req) {
      if (!vault.active) return table.get(req);
      if (!vault.canRead(spec)) return locked();
      return table.get(req).then((value: unknown) => then(readValues(vault, spec, req.trans, [value]), (values) => values[0]));
    },
    getMany(req) {
      if (!vault.active) return table.getMany(req);
      if (!vault.canRead(spec)) return locked();
      return table.getMany(req).then((values: unknown[]) => readValues(vault, spec, req.trans, values));
    },
    query(req) {
      if (!vault.active) return table.query(req);
      if (req.values && !vault.canRead(spec)) return locked();
      if (!isHmacIndex(spec, req.query.index)) return query(req);
      return ranges(req.trans, req.query.index, req.query.range).then(async (list) => {
        const parts = await Promise.all(list.map((range) => query({ ...req, query: { ...req.query, range } })));
        const result = parts.flatMap((p) => p.result as unknown[]);
        return { result: req.limit === undefined ? result : result.slice(0, req.limit) };
      });
    },
    count(req: DBCoreCountRequest) {
      if (!vault.active || !isHmacIndex(spec, req.query.index)) return table.count(req);
      return ranges(req.trans, req.query.index, req.query.range).then(async (list) => {
        const counts = await Promise.all(list.map((range) => table.count({ ...req, query: { ...req.query, range } })));
        return counts.reduce((a, b) => a + b, 0);
      });
    },
    openCursor(req: DBCoreOpenCursorRequest) {
      if (!vault.active) return table.openCursor(req);
      if (req.values && !vault.canRead(spec)) return locked();
      const open = (r: DBCoreOpenCursorRequest) =>
        table.openCursor(r).then((cursor) => (cursor && r.values ? decryptingCursor(cursor, vault, spec, r.trans) : cursor));
      if (!isHmacIndex(spec, req.query.index)) return open(req);
      return ranges(req.trans, req.query.index, req.query.range).then((list) => {
        // Rows of two generations (or in clear) meanwhile: one cursor cannot walk both.
        if (list.length !== 1) throw new Error('Engram is still re-encrypting your data; try again when it is done.');
        return open({ ...req, query: { ...req.query, range: list[0]! } });
      });
    },
    mutate(req: DBCoreMutateRequest) {
      if (!vault.active || (req.type !== 'add' && req.type !== 'put')) return table.mutate(req);
      let stored: unknown[];
      try {
        stored = req.values.map((v: unknown) => vault.encryptRow(spec, v));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (!stored.some(isThenable)) return table.mutate({ ...req, values: stored });
      return hold(req.trans, spec.name, Promise.all(stored)).then((values) => table.mutate({ ...req, values }));
    },
  };
}

/**
 * A cursor whose `value` is decrypted: each time the cursor moves, the row is decrypted (holding
 * the transaction) before the consumer's callback runs. Key-only cursors are not wrapped.
 */
function decryptingCursor(cursor: DBCoreCursor, vault: Vault, spec: TableSpec, trans: DBCoreTransaction): DBCoreCursor {
  let value: unknown = undefined;
  const wrapped: DBCoreCursor = {
    get trans() {
      return cursor.trans;
    },
    get key(): unknown {
      return cursor.key as unknown;
    },
    get primaryKey(): unknown {
      return cursor.primaryKey as unknown;
    },
    get value(): unknown {
      return value;
    },
    get done() {
      return cursor.done;
    },
    continue: (key?: unknown) => {
      cursor.continue(key);
    },
    continuePrimaryKey: (key: unknown, primaryKey: unknown) => {
      cursor.continuePrimaryKey(key, primaryKey);
    },
    advance: (count: number) => {
      cursor.advance(count);
    },
    start: (onNext: () => void) =>
      cursor.start(() => {
        const raw: unknown = cursor.value;
        if (!vault.needsDecrypt(raw)) {
          value = raw;
          onNext();
          return;
        }
        hold(trans, spec.name, vault.decryptRow(spec, raw)).then(
          (row) => {
            value = row;
            onNext();
          },
          (error: unknown) => {
            cursor.fail(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }),
    stop: (result?: unknown) => {
      cursor.stop(result);
    },
    next: () => {
      let first = true;
      return wrapped.start(() => {
        if (first) {
          first = false;
          wrapped.continue();
        } else {
          wrapped.stop();
        }
      }).then(() => wrapped);
    },
    fail: (error: Error) => {
      cursor.fail(error);
    },
  };
  return wrapped;
}

/** The middleware, for `db.use(...)`: above Dexie's own (hooks, cache), so they see what is stored. */
export function encryptionMiddleware(vault: Vault): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'EngramEncryption',
    level: 10,
    create(down) {
      const tables = new Map<string, DBCoreTable>();
      return {
        ...down,
        table(name) {
          const known = tables.get(name);
          if (known) return known;
          const table = down.table(name);
          const wrapped = wrapTable(table, Vault.spec(name, [table.schema.primaryKey.keyPath, ...table.schema.indexes.map((i) => i.keyPath)]), vault);
          tables.set(name, wrapped);
          return wrapped;
        },
      };
    },
  };
}
