/**
 * Tolerant parsing of what a small model writes when asked for JSON: prose or ``` fences around
 * it, a `<think>` preamble, trailing commas, output cut off at the token limit (complete array
 * items are kept), and fields of the wrong type (every field is checked; bad items are dropped).
 * What cannot be used throws a ModelOutputError carrying the raw text, clipped, for the log.
 */
import { cleanText } from '../../pipeline/normalize';
import { DECISION_EVENTS, FACT_CATEGORIES, MAX_FACT_CHARS, type DecisionEvent, type FactCategory } from './prompts';

/** How much of the raw output an error keeps. */
export const RAW_CLIP = 500;

export class ModelOutputError extends Error {
  override readonly name = 'ModelOutputError';
  /** The model's output, clipped to RAW_CLIP characters. */
  readonly raw: string;

  constructor(message: string, raw: string | null | undefined) {
    const text = raw ?? '';
    const clipped = text.length > RAW_CLIP ? `${text.slice(0, RAW_CLIP)}… (${text.length} chars)` : text;
    super(`${message}; model output: ${JSON.stringify(clipped)}`);
    this.raw = clipped;
  }
}

export interface ParsedJson {
  value: unknown;
  /** The output was cut off and only its complete part was kept. */
  truncated: boolean;
}

/** The first JSON object or array in `raw`, tolerating prose, fences and a cut-off end. */
export function parseModelJson(raw: string | null | undefined): ParsedJson {
  if (raw == null || raw.trim() === '') throw new ModelOutputError('the model returned no output', raw);
  const text = unwrap(raw);
  let tries = 0;
  for (let start = nextOpen(text, 0); start !== -1 && tries < 8; start = nextOpen(text, start + 1), tries++) {
    const scan = scanValue(text, start);
    if (scan.end !== -1) {
      const value = tryParse(withoutTrailingCommas(text.slice(start, scan.end + 1)));
      if (value !== undefined) return { value, truncated: false };
      continue;
    }
    // Unbalanced to the end of the output: cut off. Close it after its last complete array item.
    const recovered = recover(text, start, scan.cuts);
    if (recovered) return recovered;
  }
  throw new ModelOutputError(
    /[{[]/.test(text) ? 'the model output is not valid JSON (or was cut off before a complete item)' : 'the model output holds no JSON',
    raw,
  );
}

/** A fact as the model gave it, checked. */
export interface ModelFact {
  text: string;
  category: FactCategory;
  forget: boolean;
}

export interface ParsedFacts {
  facts: ModelFact[];
  /** Items dropped for a missing or mistyped field. */
  dropped: number;
  truncated: boolean;
}

/**
 * `{"facts": [{"text", "category", "forget"?}]}`. Also accepted: a bare array, and plain strings
 * as items. An empty list is a valid answer (nothing to remember); a list whose items are all
 * invalid is not.
 */
export function parseExtraction(raw: string | null | undefined): ParsedFacts {
  const { value, truncated } = parseModelJson(raw);
  const items = Array.isArray(value) ? value : isRecord(value) ? value.facts : undefined;
  if (!Array.isArray(items)) throw new ModelOutputError('expected {"facts": [...]}', raw);
  const facts: ModelFact[] = [];
  for (const item of items) {
    const fact = toFact(item);
    if (fact) facts.push(fact);
  }
  const dropped = items.length - facts.length;
  if (facts.length === 0 && dropped > 0) throw new ModelOutputError(`none of the ${dropped} facts is valid`, raw);
  if (facts.length === 0 && truncated) throw new ModelOutputError('the output was cut off before a complete fact', raw);
  return { facts, dropped, truncated };
}

function toFact(item: unknown): ModelFact | null {
  if (typeof item === 'string') return toFact({ text: item });
  if (!isRecord(item) || typeof item.text !== 'string') return null;
  const text = cleanText(item.text);
  if (!text || text.length > MAX_FACT_CHARS) return null;
  const category = typeof item.category === 'string' ? item.category.trim().toLowerCase() : '';
  return {
    text,
    category: (FACT_CATEGORIES as readonly string[]).includes(category) ? (category as FactCategory) : 'other',
    forget: item.forget === true || item.forget === 'true',
  };
}

export interface ModelDecision {
  event: DecisionEvent;
  /** The small integer id of the memory it names (as shown in the prompt), when it names one. */
  id?: number;
  text?: string;
}

/** `{"event": "ADD"|"UPDATE"|"DELETE"|"NONE", "id"?: int, "text"?: string}`. */
export function parseDecision(raw: string | null | undefined): ModelDecision {
  const { value, truncated } = parseModelJson(raw);
  if (truncated || !isRecord(value)) throw new ModelOutputError('expected {"event": …, "id": …}', raw);
  const event = typeof value.event === 'string' ? value.event.trim().toUpperCase() : '';
  if (!(DECISION_EVENTS as readonly string[]).includes(event)) throw new ModelOutputError('unknown or missing event', raw);
  const decision: ModelDecision = { event: event as DecisionEvent };
  const id = toId(value.id);
  if (id === null) throw new ModelOutputError('the id is not a memory id', raw);
  if (id !== undefined) decision.id = id;
  if (typeof value.text === 'string' && cleanText(value.text)) decision.text = cleanText(value.text);
  return decision;
}

/** undefined: no id given; null: an id that cannot be one (a fraction, a word, a negative). */
function toId(id: unknown): number | undefined | null {
  if (id === undefined || id === null || id === '') return undefined;
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^\s*\d+\s*$/.test(id) ? Number(id) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drop a reasoning preamble and take the inside of a ``` fence, if any. */
function unwrap(raw: string): string {
  let text = raw.replace(/<think>[\s\S]*?(<\/think>|$)/g, '');
  const fence = /```[a-zA-Z]*\s*\n?([\s\S]*?)(```|$)/.exec(text);
  if (fence?.[1] && /[{[]/.test(fence[1])) text = fence[1];
  return text.trim();
}

function nextOpen(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (text[i] === '{' || text[i] === '[') return i;
  return -1;
}

/** A point where the value could be cut and closed: after a complete item of an array. */
interface Cut {
  /** Index just after the complete item. */
  at: number;
  /** What closes the containers still open there, innermost first. */
  closers: string;
}

/** Match brackets from `start` (strings and escapes respected). */
function scanValue(text: string, start: number): { end: number; cuts: Cut[] } {
  const stack: string[] = [];
  const cuts: Cut[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return { end: -1, cuts: [] }; // mismatched: not JSON from here
      if (stack.length === 0) return { end: i, cuts };
      if (stack[stack.length - 1] === ']') cuts.push({ at: i + 1, closers: [...stack].reverse().join('') });
    }
  }
  return { end: -1, cuts };
}

/** The value cut after its last complete array item that parses, or null. */
function recover(text: string, start: number, cuts: readonly Cut[]): ParsedJson | null {
  for (let k = cuts.length - 1; k >= 0 && k >= cuts.length - 4; k--) {
    const cut = cuts[k]!;
    const value = tryParse(withoutTrailingCommas(text.slice(start, cut.at) + cut.closers));
    if (value !== undefined) return { value, truncated: true };
  }
  return null;
}

/** Remove commas right before a closing bracket, outside strings. */
function withoutTrailingCommas(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += json[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',' && /^\s*[}\]]/.test(json.slice(i + 1))) continue;
    out += c;
  }
  return out;
}

function tryParse(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}
