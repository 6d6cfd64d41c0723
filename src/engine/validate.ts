/**
 * The checks Mem0's TypeScript SDK (3.x) makes on what callers pass, with its messages, so code
 * written against Mem0 fails the same way on Engram. Every message names the argument.
 */
import type { ChatMessage } from '../ports/extractor';
import type { JsonValue } from '../core/types';

export type ScopeName = 'userId' | 'agentId' | 'runId';
const SNAKE: Record<ScopeName, string> = { userId: 'user_id', agentId: 'agent_id', runId: 'run_id' };
export const SCOPE_NAMES: readonly ScopeName[] = ['userId', 'agentId', 'runId'];

/** A scope id: numbers become strings, surrounding blanks go; blank or inner whitespace is an error. */
export function entityId(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
    throw new TypeError(`Invalid ${name}: must be a string or a number, not ${typeof value}.`);
  }
  const trimmed = String(value).trim();
  if (trimmed === '') throw new Error(`Invalid ${name}: cannot be empty or whitespace-only. Provide a valid identifier.`);
  if (/\s/.test(trimmed)) throw new Error(`Invalid ${name}: cannot contain whitespace. Provide a valid identifier without spaces.`);
  return trimmed;
}

export interface Scope {
  userId?: string;
  agentId?: string;
  runId?: string;
}

/**
 * The scope ids of a filter object (snake_case as Mem0 3.x writes them, camelCase accepted), trimmed,
 * and the rest of the filter. Mem0 puts scope ids in `filters` for search and getAll.
 */
export function scopeOfFilters(filters: Record<string, unknown> | undefined): { scope: Scope; rest: Record<string, unknown> } {
  const scope: Scope = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters ?? {})) {
    const name = SCOPE_NAMES.find((n) => n === key || SNAKE[n] === key);
    // A scope id given as a plain value selects the scope; an operator ({ in: [...] }) is a filter.
    if (name && (typeof value === 'string' || typeof value === 'number')) {
      const id = entityId(value, SNAKE[name]);
      if (id !== undefined) scope[name] = id;
    } else if (name && (value === undefined || value === null)) {
      continue;
    } else {
      rest[key] = value;
    }
  }
  return { scope, rest };
}

export const hasScope = (scope: Scope): boolean => SCOPE_NAMES.some((n) => scope[n] !== undefined);

/** search() and getAll() take scope ids in `filters`, as Mem0 3.x does. */
export function rejectTopLevelEntityParams(options: object, method: string): void {
  const keys = ['user_id', 'agent_id', 'run_id', 'userId', 'agentId', 'runId'].filter((k) => k in options && (options as Record<string, unknown>)[k] !== undefined);
  if (keys.length > 0) {
    throw new Error(`Top-level entity parameters [${keys.join(', ')}] are not supported in ${method}(). Use filters: { user_id: "..." } instead.`);
  }
}

export function requireScopeInFilters(scope: Scope): void {
  if (!hasScope(scope)) {
    throw new Error("filters must contain at least one of: user_id, agent_id, run_id. Example: filters: { user_id: 'u1' }");
  }
}

/** Mem0's checks on topK (a non-negative integer) and threshold (0 to 1). */
export function validateSearchParams(threshold: unknown, topK: unknown): void {
  if (threshold !== undefined) {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new TypeError('threshold must be a valid number');
    if (threshold < 0 || threshold > 1) throw new RangeError(`Invalid threshold: ${threshold}. Must be between 0 and 1 (inclusive).`);
  }
  if (topK !== undefined) {
    if (typeof topK !== 'number' || !Number.isInteger(topK)) throw new TypeError('topK must be a valid integer');
    if (topK < 0) throw new RangeError(`Invalid topK: ${topK}. Must be a non-negative integer.`);
  }
}

/** What add() takes: a string (one user message) or messages; never nothing, never only blanks. */
export function validateMessages(messages: unknown): ChatMessage[] {
  if (messages === undefined || messages === null) {
    throw new TypeError('messages is required and cannot be undefined or null. Provide a string or array of messages.');
  }
  if (typeof messages === 'string') {
    if (messages.trim() === '') throw new Error('messages string cannot be empty. Provide non-empty content.');
    return [{ role: 'user', content: messages }];
  }
  if (!Array.isArray(messages)) throw new TypeError(`messages must be a string or an array of messages, not ${typeof messages}.`);
  if (messages.length === 0) throw new Error('messages array cannot be empty. Provide at least one message with non-empty content.');
  const parsed = messages.map((m: unknown, i): ChatMessage => {
    const message = m as { role?: unknown; content?: unknown; id?: unknown } | null;
    if (typeof message !== 'object' || message === null || typeof message.content !== 'string') {
      throw new TypeError(`messages[${i}] must be an object with a string content (images are not read on the device).`);
    }
    const role = message.role === 'assistant' || message.role === 'system' ? message.role : 'user';
    return typeof message.id === 'string' && message.id ? { role, content: message.content, id: message.id } : { role, content: message.content };
  });
  if (parsed.every((m) => m.content.trim() === '')) {
    throw new Error('messages array cannot contain only blank content. Provide at least one message with non-empty content.');
  }
  return parsed;
}

const IDENTITY_KEYS = new Set(['user_id', 'agent_id', 'run_id', 'userId', 'agentId', 'runId', 'actor_id']);

/** The caller's metadata without scope keys (scope is never changed through metadata), checked to be JSON. */
export function metadataOf(metadata: unknown, name = 'metadata'): Record<string, JsonValue> {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError(`${name} must be an object of JSON values.`);
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
    if (IDENTITY_KEYS.has(key) || value === undefined) continue;
    if (!isJson(value)) throw new TypeError(`${name}.${key} must be a JSON value (string, number, boolean, null, array or object).`);
    out[key] = value;
  }
  return out;
}

function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as Record<string, unknown>).every((v) => isJson(v, depth + 1));
  }
  return false;
}

const DAY_MS = 86_400_000;

/**
 * Mem0's `expirationDate`: a calendar date, YYYY-MM-DD. The memory is kept through that day (UTC)
 * and expires when it ends. Returns when it expires, ms since epoch.
 */
export function expiryOf(expirationDate: unknown): number {
  const match = typeof expirationDate === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(expirationDate) : null;
  if (match) {
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const at = Date.UTC(y, m - 1, d);
    const date = new Date(at);
    if (date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d) return at + DAY_MS;
  }
  throw new Error('expirationDate must be a valid date in YYYY-MM-DD format.');
}

/** The YYYY-MM-DD an expiry (end of that day, UTC) stands for. */
export function expirationDateOf(expiresAt: number): string {
  return new Date(expiresAt - 1).toISOString().slice(0, 10);
}

/**
 * When something was said: Mem0's `timestamp` (Unix seconds, as its platform takes it; ms, an ISO
 * string or a Date accepted) or Engram's `saidAt` (ms).
 */
export function timeOf(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (typeof value === 'number') ms = name === 'timestamp' && Math.abs(value) < 1e11 ? value * 1000 : value;
  else throw new TypeError(`${name} must be a number, an ISO date string or a Date.`);
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid time: ${String(value)}.`);
  return ms;
}

/** A memory id: a non-blank string. */
export function memoryIdOf(id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '') throw new TypeError('memoryId must be a non-empty string.');
  return id.trim();
}

/**
 * The scope of an add: the options' ids first, then ids in `filters` (snake_case), as Mem0 does (an
 * option wins). Throws Mem0's error when there is none.
 */
export function scopeOfOptions(options: {
  userId?: unknown;
  agentId?: unknown;
  runId?: unknown;
  filters?: Parameters<typeof scopeOfFilters>[0];
}): Scope {
  const { scope: fromFilters } = scopeOfFilters(options.filters);
  const scope: Scope = { ...fromFilters };
  for (const name of ['userId', 'agentId', 'runId'] as const) {
    const id = entityId(options[name], name);
    if (id !== undefined) scope[name] = id;
  }
  if (!hasScope(scope)) throw new Error('One of the filters: userId, agentId or runId is required!');
  return scope;
}
