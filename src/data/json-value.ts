/**
 * Free-form JSON from a file (a memory's metadata, settings) made safe to store: bounded in depth,
 * width and length, without keys that would reach an object's prototype when copied.
 */
import type { JsonValue } from '../core/types';
import { at, ImportError, isObject, kindOf, type Warnings } from './import-result';

export interface JsonLimits {
  /** Levels of nesting below the value itself. */
  depth: number;
  /** Keys of one object, items of one list. */
  width: number;
  /** Characters of one string. */
  stringChars: number;
}

/** The limits of a memory's metadata (the engine's own check allows 32 levels). */
export const METADATA_LIMITS: JsonLimits = { depth: 16, width: 500, stringChars: 20_000 };

/**
 * Keys that change an object's prototype when assigned (`Object.assign`, `target[key] = value`):
 * dropped wherever they appear.
 */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `value` as JSON Engram can store, or an ImportError naming where it is not. Keys that could
 * pollute a prototype are dropped (with a warning); so is anything past the limits' width.
 * Recursion is bounded by `limits.depth`.
 */
export function jsonValueOf(value: unknown, where: string, warnings: Warnings, limits: JsonLimits = METADATA_LIMITS, depth = 0): JsonValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ImportError(where, 'expected a finite number');
    return value;
  }
  if (typeof value === 'string') {
    if (value.length > limits.stringChars) throw new ImportError(where, `is ${value.length} characters long; at most ${limits.stringChars} are kept here`);
    return value;
  }
  if (depth >= limits.depth && (Array.isArray(value) || isObject(value))) {
    throw new ImportError(where, `nested more than ${limits.depth} levels deep`);
  }
  if (Array.isArray(value)) {
    if (value.length > limits.width) throw new ImportError(where, `has ${value.length} items; at most ${limits.width} are kept here`);
    return value.map((v: unknown, i) => jsonValueOf(v, at(where, i), warnings, limits, depth + 1));
  }
  if (isObject(value) && isPlain(value)) {
    const keys = Object.keys(value);
    if (keys.length > limits.width) throw new ImportError(where, `has ${keys.length} keys; at most ${limits.width} are kept here`);
    const out: Record<string, JsonValue> = {};
    for (const key of keys) {
      if (UNSAFE_KEYS.has(key)) {
        warnings.add(at(where, key), 'dropped (a key that could change how other objects behave)');
        continue;
      }
      out[key] = jsonValueOf(value[key], at(where, key), warnings, limits, depth + 1);
    }
    return out;
  }
  throw new ImportError(where, `expected a JSON value, found ${kindOf(value)}`);
}

/** A JSON object (metadata, settings): as jsonValueOf, and an object. */
export function jsonObjectOf(value: unknown, where: string, warnings: Warnings, limits: JsonLimits = METADATA_LIMITS): Record<string, JsonValue> {
  if (!isObject(value)) throw new ImportError(where, `expected an object, found ${kindOf(value)}`);
  return jsonValueOf(value, where, warnings, limits) as Record<string, JsonValue>;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
