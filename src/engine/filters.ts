import type { JsonValue, MemoryRecord, SiteId } from '../core/types';

/** A point in time: ms since epoch, an ISO date string (`'2024-07-01'`, UTC) or a Date. */
export type DateLike = number | string | Date;

/** Mem0's operators on a text field. Several operators in one object are ANDed. */
export interface TextOps<T extends string = string> {
  eq?: T | null;
  ne?: T | null;
  in?: (T | null)[];
  nin?: (T | null)[];
  /** Case-sensitive substring (on `category`: has exactly that category). */
  contains?: string;
  /** Case-insensitive substring (on `category`: has that category, any case). */
  icontains?: string;
}
/** A value (equality), `'*'` (any non-null value), a list (shorthand for `in`) or operators. */
export type TextCondition<T extends string = string> = T | '*' | null | (T | null)[] | TextOps<T>;

export interface DateOps {
  eq?: DateLike | null;
  ne?: DateLike | null;
  gt?: DateLike;
  gte?: DateLike;
  lt?: DateLike;
  lte?: DateLike;
  in?: (DateLike | null)[];
  nin?: (DateLike | null)[];
}
export type DateCondition = DateLike | null | DateLike[] | DateOps;

/** Operators on a metadata value (any JSON). */
export interface JsonOps {
  eq?: JsonValue;
  ne?: JsonValue;
  /** Numbers compare with numbers, strings with strings; a Date with ms or date strings. */
  gt?: number | string | Date;
  gte?: number | string | Date;
  lt?: number | string | Date;
  lte?: number | string | Date;
  in?: JsonValue[];
  nin?: JsonValue[];
  /** A string holds the substring, or a list holds the element. */
  contains?: JsonValue;
  /** Case-insensitive: a string holds the substring, or a list holds a string equal to it. */
  icontains?: string;
}
/**
 * A metadata condition: a plain value (equality), `'*'`, a list (the value equals the list or
 * is one of its elements), or an object of operators. Match an object value with `{ eq: {...} }`.
 */
export type JsonCondition = JsonValue | JsonOps;

/**
 * Which memories a call applies to, in Mem0's filter language. Conditions in one object are
 * ANDed; `AND` / `OR` take lists, `NOT` a filter or a list (none may match). A condition is
 * a value (equality), `'*'` (the field is set: not null, not missing; for categories, at
 * least one), a list (shorthand for `in`), or operators: eq, ne, gt, gte, lt, lte, in, nin,
 * contains, icontains. A key that is no known field is a metadata key, as in Mem0; Mem0's
 * `user_id`, `agent_id`, `run_id`, `created_at`, `updated_at` and `$and` / `$or` / `$not`
 * are accepted too.
 *
 * `space` keeps its subtree meaning for eq / ne / in / nin (`work` matches `work/atlas`);
 * contains / icontains match the path's text. On `category` / `categories`, eq and contains
 * mean "has that category", in "has one of them", ne / nin "has none of them". Dates
 * (createdAt, updatedAt, saidAt, expiresAt) take ms, ISO strings or Dates. `memory` / `text`
 * is the memory's text. Missing values never match eq, in, gt…, contains or `'*'`, and always
 * match ne and nin (Mem0's behaviour).
 *
 * Bad filters throw a TypeError naming the path (`Engram: filters.AND[0].createdAt.gt: …`).
 *
 * @example
 * { userId: 'me', OR: [{ space: 'work/atlas' }, { metadata: { pinned: true } }] }
 * { user_id: 'alice', created_at: { gte: '2024-07-01', lt: '2024-08-01' }, categories: { in: ['food', 'travel'] } }
 * { AND: [{ priority: { gte: 3 } }, { memory: { icontains: 'atlas' } }], NOT: [{ status: { in: ['done', 'dropped'] } }] }
 * { agentId: '*', tags: { contains: 'urgent' }, metadata: { project: { ne: 'atlas' } } }
 */
export interface MemoryFilter {
  userId?: TextCondition;
  /** null selects memories without an agent. */
  agentId?: TextCondition;
  runId?: TextCondition;
  user_id?: TextCondition;
  agent_id?: TextCondition;
  run_id?: TextCondition;
  /** A space and everything under it. */
  space?: TextCondition;
  site?: TextCondition<SiteId>;
  conversationId?: TextCondition;
  category?: TextCondition;
  categories?: TextCondition;
  /** The memory's text (Mem0 calls it `memory`). */
  memory?: TextCondition;
  text?: TextCondition;
  createdAt?: DateCondition;
  updatedAt?: DateCondition;
  created_at?: DateCondition;
  updated_at?: DateCondition;
  saidAt?: DateCondition;
  expiresAt?: DateCondition;
  metadata?: Record<string, JsonCondition>;
  AND?: MemoryFilter[];
  OR?: MemoryFilter[];
  NOT?: MemoryFilter | MemoryFilter[];
  $and?: MemoryFilter[];
  $or?: MemoryFilter[];
  $not?: MemoryFilter | MemoryFilter[];
  /** Any other key is a metadata key (Mem0 keeps metadata at the payload's top level). */
  [metadataKey: string]: JsonCondition | DateCondition | TextCondition | Record<string, JsonCondition> | MemoryFilter | MemoryFilter[] | undefined;
}

/** True when `space` is `wanted` or below it. */
export function inSpace(space: string | null, wanted: string | null): boolean {
  if (wanted === null) return space === null;
  return space !== null && (space === wanted || space.startsWith(`${wanted}/`));
}

/** Validates a space path such as `work/atlas`: lowercase-insensitive segments, no empty parts. */
export function normalizeSpace(space: string | null | undefined): string | null {
  if (space === undefined || space === null) return null;
  const parts = space.split('/').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return null;
  if (parts.some((p) => p.length > 64)) throw new Error(`Invalid space "${space}": a part is longer than 64 characters`);
  return parts.join('/');
}

type Test = (m: MemoryRecord) => boolean;
type Kind = 'text' | 'space' | 'categories' | 'date' | 'json';
type Op = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'contains' | 'icontains';
const OPS = new Set<string>(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'icontains']);

const FIELDS = new Map<string, [Kind, (m: MemoryRecord) => unknown]>([
  ['userId', ['text', (m) => m.userId]],
  ['agentId', ['text', (m) => m.agentId]],
  ['runId', ['text', (m) => m.runId]],
  ['site', ['text', (m) => m.site]],
  ['conversationId', ['text', (m) => m.conversationId]],
  ['memory', ['text', (m) => m.text]],
  ['space', ['space', (m) => m.space]],
  ['category', ['categories', (m) => m.categories]],
  ['createdAt', ['date', (m) => m.createdAt]],
  ['updatedAt', ['date', (m) => m.updatedAt]],
  ['saidAt', ['date', (m) => m.saidAt]],
  ['expiresAt', ['date', (m) => m.expiresAt]],
]);
for (const [alias, name] of Object.entries({
  user_id: 'userId', agent_id: 'agentId', run_id: 'runId', created_at: 'createdAt', updated_at: 'updatedAt', text: 'memory', categories: 'category',
})) FIELDS.set(alias, FIELDS.get(name)!);
const LOGIC = new Map(Object.entries({ AND: 'AND', OR: 'OR', NOT: 'NOT', $and: 'AND', $or: 'OR', $not: 'NOT' } as const));

const fail = (path: string, message: string): never => {
  throw new TypeError(`Engram: ${path}: ${message}`);
};
const show = (v: unknown): string => (v instanceof Date ? (Number.isNaN(v.getTime()) ? 'an invalid Date' : v.toISOString()) : v === undefined ? 'undefined' : JSON.stringify(v));
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const own = (o: Record<string, JsonValue>, key: string): JsonValue | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);
const sameJson = (a: unknown, b: unknown): boolean => a !== undefined && JSON.stringify(a) === JSON.stringify(b);
const lower = (s: string): string => s.toLowerCase();

function toMs(v: unknown, path: string): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : v instanceof Date ? v.getTime() : NaN;
  return Number.isFinite(ms) ? ms : fail(path, `needs a date: ms since epoch, an ISO date string or a Date, got ${show(v)}`);
}
const list = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : fail(path, `needs a list, got ${show(v)}`));
const text = (v: unknown, path: string, nullable = true): string | null =>
  typeof v === 'string' || (nullable && v === null) ? v : fail(path, `needs a string${nullable ? ' or null' : ''}, got ${show(v)}`);
const isJson = (v: unknown): v is JsonValue =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) ? v.every(isJson) : isObject(v) && Object.values(v).every(isJson));
const json = (v: unknown, path: string): JsonValue => (isJson(v) ? v : fail(path, `needs a JSON value, got ${show(v)}`));

/** Orders a metadata value against an operand: numbers with numbers, strings with strings, Dates with dates. */
function compare(have: unknown, want: number | string | Date): number | undefined {
  if (want instanceof Date) {
    const ms = typeof have === 'number' ? have : typeof have === 'string' ? Date.parse(have) : NaN;
    return Number.isNaN(ms) ? undefined : ms - want.getTime();
  }
  if (typeof have !== typeof want) return undefined;
  return have === want ? 0 : (have as typeof want) < want ? -1 : 1;
}
const ORDER: Record<string, (c: number) => boolean> = { gt: (c) => c > 0, gte: (c) => c >= 0, lt: (c) => c < 0, lte: (c) => c <= 0 };

/** One operator on a value of one kind, checked now; the returned test runs per memory. */
function operator(kind: Kind, op: Op, operand: unknown, path: string): (v: unknown) => boolean {
  const order = ORDER[op];
  if (kind === 'date') {
    if (op === 'contains' || op === 'icontains') return fail(path, `${op} applies to text, categories and metadata, not to a date`);
    if (op === 'in' || op === 'nin') {
      const set = new Set(list(operand, path).map((w, i) => (w === null ? null : toMs(w, `${path}[${i}]`))));
      return op === 'in' ? (v) => set.has(v as number | null) : (v) => !set.has(v as number | null);
    }
    const ms = operand === null && (op === 'eq' || op === 'ne') ? null : toMs(operand, path);
    if (order) return (v) => typeof v === 'number' && order(v - (ms as number));
    return op === 'eq' ? (v) => v === ms : (v) => v !== ms;
  }
  if (kind === 'json') {
    if (order) {
      const ok = typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand)) || operand instanceof Date;
      if (!ok) return fail(path, `needs a number, a string or a Date, got ${show(operand)}`);
      if (operand instanceof Date) toMs(operand, path);
      return (v) => {
        const c = compare(v, operand);
        return c !== undefined && order(c);
      };
    }
    if (op === 'icontains') {
      const s = lower(text(operand, path, false)!);
      return (v) => (typeof v === 'string' ? lower(v).includes(s) : Array.isArray(v) && v.some((e) => typeof e === 'string' && lower(e) === s));
    }
    if (op === 'contains') {
      const w = json(operand, path);
      return (v) => (typeof v === 'string' && typeof w === 'string' ? v.includes(w) : Array.isArray(v) && v.some((e) => sameJson(e, w)));
    }
    if (op === 'in' || op === 'nin') {
      const ws = list(operand, path).map((w, i) => json(w, `${path}[${i}]`));
      return op === 'in' ? (v) => ws.some((w) => sameJson(v, w)) : (v) => !ws.some((w) => sameJson(v, w));
    }
    const w = json(operand, path);
    return op === 'eq' ? (v) => sameJson(v, w) : (v) => !sameJson(v, w);
  }
  if (order) return fail(path, `${op} applies to numbers and dates (createdAt, updatedAt, saidAt, expiresAt, metadata), not to ${kind === 'categories' ? 'categories' : 'text'}`);
  if (op === 'contains' || op === 'icontains') {
    const raw = text(operand, path, false)!;
    const s = op === 'icontains' ? lower(raw) : raw;
    const has = (x: unknown): boolean => typeof x === 'string' && (op === 'icontains' ? lower(x) : x).includes(s);
    return kind === 'categories' ? (v) => (v as string[]).some((c) => (op === 'icontains' ? lower(c) : c) === s) : has;
  }
  const nullable = kind !== 'categories';
  const wanted = op === 'in' || op === 'nin' ? list(operand, path).map((w, i) => text(w, `${path}[${i}]`, nullable)) : [text(operand, path, nullable)];
  if (kind === 'space') {
    try {
      wanted.forEach((w, i) => (wanted[i] = normalizeSpace(w)));
    } catch (e) {
      return fail(path, (e as Error).message);
    }
  }
  const one: (v: unknown, w: string | null) => boolean =
    kind === 'space'
      ? (v, w) => inSpace(v as string | null, w)
      : kind === 'categories'
        ? (v, w) => (v as string[]).includes(w!)
        : (v, w) => v === w;
  return op === 'eq' || op === 'in' ? (v) => wanted.some((w) => one(v, w)) : (v) => !wanted.some((w) => one(v, w));
}

/** One field's condition as a test. */
function condition(kind: Kind, get: (m: MemoryRecord) => unknown, cond: unknown, path: string): Test | null {
  if (cond === undefined) return null;
  if (cond === '*') return kind === 'categories' ? (m) => (get(m) as string[]).length > 0 : (m) => get(m) !== null && get(m) !== undefined;
  let tests: ((v: unknown) => boolean)[];
  if (isObject(cond)) {
    tests = Object.entries(cond)
      .filter(([, operand]) => operand !== undefined)
      .map(([op, operand]) =>
        OPS.has(op)
          ? operator(kind, op as Op, operand, `${path}.${op}`)
          : fail(path, `unknown operator "${op}" (use eq, ne, gt, gte, lt, lte, in, nin, contains, icontains${kind === 'json' ? '; match an object value with { eq: {...} }' : ''})`),
      );
  } else if (Array.isArray(cond)) {
    const isIn = operator(kind, 'in', cond, path);
    const isEqual = kind === 'json' ? operator(kind, 'eq', cond, path) : null;
    tests = [isEqual ? (v) => isIn(v) || isEqual(v) : isIn];
  } else {
    tests = [operator(kind, 'eq', cond, path)];
  }
  return (m) => {
    const v = get(m);
    return tests.every((t) => t(v));
  };
}

const logicList = (v: unknown, path: string, nonEmpty: boolean): unknown[] => {
  const xs = list(v, path);
  return nonEmpty && xs.length === 0 ? fail(path, 'needs at least one filter') : xs;
};

function compile(f: unknown, path: string): Test {
  if (!isObject(f)) return fail(path, `a filter must be an object, got ${show(f)}`);
  const tests: Test[] = [];
  for (const [key, cond] of Object.entries(f)) {
    const at = `${path}.${key}`;
    const logic = LOGIC.get(key);
    if (cond === undefined) continue;
    if (logic === 'AND' || logic === 'OR') {
      const subs = logicList(cond, at, logic === 'OR').map((g, i) => compile(g, `${at}[${i}]`));
      tests.push(logic === 'AND' ? (m) => subs.every((t) => t(m)) : (m) => subs.some((t) => t(m)));
    } else if (logic === 'NOT') {
      const subs = (Array.isArray(cond) ? logicList(cond, at, true) : [cond]).map((g, i) => compile(g, Array.isArray(cond) ? `${at}[${i}]` : at));
      tests.push((m) => !subs.some((t) => t(m)));
    } else if (key === 'metadata') {
      if (!isObject(cond)) return fail(at, `needs an object of metadata keys, got ${show(cond)}`);
      for (const [k, c] of Object.entries(cond)) {
        const t = condition('json', (m) => own(m.metadata, k), c, `${at}.${k}`);
        if (t) tests.push(t);
      }
    } else {
      const [kind, get] = FIELDS.get(key) ?? ['json', (m: MemoryRecord) => own(m.metadata, key)];
      const t = condition(kind, get, cond, at);
      if (t) tests.push(t);
    }
  }
  return (m) => tests.every((t) => t(m));
}

const compiled = new WeakMap<object, Test>();

/**
 * The filter as a test, checked once: throws a TypeError (`Engram: filters.<path>: …`) for an
 * unknown operator, a wrong operand or a malformed combinator. Cached per filter object, so
 * do not mutate a filter after using it.
 */
export function compileFilter(filter: MemoryFilter | undefined): (m: MemoryRecord) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter !== 'object' || (filter as unknown) === null) return compile(filter, 'filters');
  let test = compiled.get(filter);
  if (!test) compiled.set(filter, (test = compile(filter, 'filters')));
  return test;
}

/** Checks a filter (see `compileFilter`) and returns it; call once per request. */
export function validateFilter(filter: unknown): MemoryFilter | undefined {
  compileFilter(filter as MemoryFilter | undefined);
  return filter as MemoryFilter | undefined;
}

/** True when the memory passes the filter; throws on a bad filter (see `compileFilter`). */
export function matchesFilter(m: MemoryRecord, f: MemoryFilter | undefined): boolean {
  return compileFilter(f)(m);
}
