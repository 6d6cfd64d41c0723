/**
 * What every import format gives back: the items it read and warnings about what it skipped or
 * changed, or an ImportError saying where the file is wrong. Parsing never writes anything, so a
 * file that fails changes nothing; the preview is what the user agrees to before anything is added.
 */

/**
 * A file Engram cannot import, and where: `where` is a path into the file (`memories[12].text`,
 * `[3].mapping`, `line 7`, `conversations.json`), `reason` what is wrong there, and `message`
 * both, for the user.
 *
 * @example
 * throw new ImportError('memories[12].text', 'expected a string');
 * // error.message === 'memories[12].text: expected a string'
 */
export class ImportError extends Error {
  readonly where: string;
  readonly reason: string;

  constructor(where: string, reason: string, options?: { cause?: unknown }) {
    super(`${where}: ${reason}`, options);
    this.name = 'ImportError';
    this.where = where;
    this.reason = reason;
  }
}

/** What a parser read: the items in the order they are to be added, and what it skipped or changed. */
export interface ImportResult<T> {
  items: T[];
  warnings: string[];
}

/** What the user sees before agreeing to an import: how many items, the first few, and the warnings. */
export interface ImportPreview<T> {
  count: number;
  sample: T[];
  warnings: string[];
}

/** How many items a preview shows. */
export const PREVIEW_SIZE = 5;

/** The preview of a parsed import. */
export function previewOf<T>(result: ImportResult<T>): ImportPreview<T> {
  return { count: result.items.length, sample: result.items.slice(0, PREVIEW_SIZE), warnings: result.warnings };
}

/** The most warnings listed one by one; the rest are counted in one line. */
export const MAX_WARNINGS = 100;

/**
 * Warnings as a parser collects them: each one listed (up to MAX_WARNINGS), and tallies of the
 * same thing happening many times ("120 messages were truncated") reported once.
 */
export class Warnings {
  readonly #list: string[] = [];
  #dropped = 0;
  readonly #tallies = new Map<string, { count: number; describe: (count: number) => string }>();

  /** A warning about one place in the file. */
  add(where: string, message: string): void {
    if (this.#list.length < MAX_WARNINGS) this.#list.push(`${where}: ${message}`);
    else this.#dropped++;
  }

  /** One more of something counted: reported once, as `describe(count)`. */
  tally(key: string, describe: (count: number) => string): void {
    const tally = this.#tallies.get(key);
    if (tally) tally.count++;
    else this.#tallies.set(key, { count: 1, describe });
  }

  get size(): number {
    return this.#list.length + this.#dropped + this.#tallies.size;
  }

  toArray(): string[] {
    return [
      ...this.#list,
      ...(this.#dropped > 0 ? [`… and ${this.#dropped} more warnings`] : []),
      ...[...this.#tallies.values()].map((t) => t.describe(t.count)),
    ];
  }
}

/** "1 message" / "3 messages". */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** What a value is, for an error ("expected a string, found a number"). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A plain JSON object (not null, not a list). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The own property `key` of `record` (never one inherited: `__proto__`, `constructor`). */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** A path into the file: `memories` + 12 → `memories[12]`, `memories[12]` + `text` → `memories[12].text`. */
export function at(where: string, key: string | number): string {
  if (typeof key === 'number') return `${where}[${key}]`;
  const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  return where === '' ? name : /^[A-Za-z_$]/.test(name) ? `${where}.${name}` : `${where}[${name}]`;
}
