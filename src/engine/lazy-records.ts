/**
 * The memories of a recall image, parsed one by one as they are looked up: a cold start's first
 * recall reads the few dozen its candidates name, not all 10,000 (JSON.parse of every record was
 * the largest part of reading the image). Anything that walks every memory (iteration, forEach)
 * parses the rest first, in the original order. A Map in every other respect.
 */
import type { MemoryRecord } from '../core/types';

/** Stands for a record not parsed yet (never handed out). */
const UNPARSED = Object.freeze({}) as MemoryRecord;

const isRecord = (m: unknown): m is MemoryRecord => {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Partial<Record<keyof MemoryRecord, unknown>>;
  return typeof r.id === 'string' && Number.isInteger(r.label) && typeof r.text === 'string' && Array.isArray(r.categories) && typeof r.metadata === 'object' && r.metadata !== null;
};

export class LazyRecords extends Map<number, MemoryRecord> {
  #raw: Map<number, string> | null = new Map();
  readonly #onCorrupt: (error: Error) => void;
  readonly #decode: (raw: string) => unknown;

  /**
   * `labels[i]`'s record is `records[i]`, read by `decode` (JSON by default). `onCorrupt` is told of a record that does not
   * parse as one (it is then treated as missing; the caller stops trusting the image).
   */
  constructor(labels: ArrayLike<number>, records: readonly string[], onCorrupt: (error: Error) => void, decode: (raw: string) => unknown = JSON.parse) {
    super();
    this.#decode = decode;
    if (labels.length !== records.length) throw new Error(`recall image: ${labels.length} labels for ${records.length} records`);
    this.#onCorrupt = onCorrupt;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      const json = records[i]!;
      if (!Number.isInteger(label) || typeof json !== 'string') throw new Error(`recall image: malformed record ${i}`);
      this.#raw!.set(label, json);
      super.set(label, UNPARSED);
    }
  }

  /** Parsed already or not: what is left unparsed (for tests and diagnostics). */
  get unparsed(): number {
    return this.#raw?.size ?? 0;
  }

  override get(label: number): MemoryRecord | undefined {
    const value = super.get(label);
    if (value !== UNPARSED) return value;
    return this.#parse(label);
  }

  #parse(label: number): MemoryRecord | undefined {
    const json = this.#raw?.get(label);
    this.#raw?.delete(label);
    if (json === undefined) return undefined;
    let record: unknown;
    try {
      record = this.#decode(json);
    } catch {
      record = null;
    }
    if (!isRecord(record) || record.label !== label) {
      super.delete(label);
      this.#onCorrupt(new Error(`recall image: record of label ${label} is malformed`));
      return undefined;
    }
    super.set(label, record); // the same key: its place in the order is kept
    return record;
  }

  override set(label: number, record: MemoryRecord): this {
    this.#raw?.delete(label);
    return super.set(label, record);
  }

  override delete(label: number): boolean {
    this.#raw?.delete(label);
    return super.delete(label);
  }

  override clear(): void {
    this.#raw = null;
    super.clear();
  }

  /** Parse every record left (before anything walks them all). */
  #all(): void {
    const raw = this.#raw;
    if (!raw) return;
    for (const label of [...raw.keys()]) this.#parse(label);
    this.#raw = null;
  }

  override forEach(callback: (value: MemoryRecord, key: number, map: Map<number, MemoryRecord>) => void, thisArg?: unknown): void {
    this.#all();
    super.forEach(callback, thisArg);
  }

  override entries(): MapIterator<[number, MemoryRecord]> {
    this.#all();
    return super.entries();
  }

  override values(): MapIterator<MemoryRecord> {
    this.#all();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[number, MemoryRecord]> {
    this.#all();
    return super[Symbol.iterator]();
  }
}
