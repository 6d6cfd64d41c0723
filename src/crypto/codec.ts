/**
 * A compact binary form of the values Engram stores (what IndexedDB's structured clone would keep
 * of them): null, undefined, booleans, numbers, strings, arrays, plain objects, typed arrays,
 * ArrayBuffers and dates. The encrypted fields of a row are encoded with it before AES-GCM, so
 * a vector stays 4 bytes a dimension and a typed-array index is one block, not JSON text.
 *
 * Format: a tag byte per value; lengths and counts are uint32 little-endian; numbers float64;
 * strings UTF-8; a typed array is its constructor's index and its bytes (copied out on decode).
 */
import { fromUtf8, utf8 } from './bytes';

const Tag = {
  Undefined: 0,
  Null: 1,
  False: 2,
  True: 3,
  Number: 4,
  String: 5,
  Array: 6,
  Object: 7,
  Typed: 8,
  Buffer: 9,
  Date: 10,
  BigInt: 11,
} as const;

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** The typed arrays, by the index the format stores (append only). */
const TYPED: readonly TypedArrayConstructor[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

/** Below this many bytes a block is copied into the current chunk; above, it is kept as its own part. */
const SMALL = 1024;

class Writer {
  readonly #parts: Uint8Array[] = [];
  #buf = new Uint8Array(4096);
  #view = new DataView(this.#buf.buffer);
  #at = 0;

  #ensure(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    this.#flush();
    this.#buf = new Uint8Array(Math.max(4096, n));
    this.#view = new DataView(this.#buf.buffer);
  }

  #flush(): void {
    if (this.#at > 0) this.#parts.push(this.#buf.subarray(0, this.#at));
    this.#buf = this.#buf.subarray(this.#at);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
    this.#at = 0;
  }

  u8(x: number): void {
    this.#ensure(1);
    this.#buf[this.#at++] = x;
  }

  u32(x: number): void {
    this.#ensure(4);
    this.#view.setUint32(this.#at, x, true);
    this.#at += 4;
  }

  f64(x: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.#at, x, true);
    this.#at += 8;
  }

  bytes(b: Uint8Array): void {
    if (b.length <= SMALL) {
      this.#ensure(b.length);
      this.#buf.set(b, this.#at);
      this.#at += b.length;
      return;
    }
    this.#flush();
    this.#parts.push(b);
  }

  string(s: string): void {
    if (s.length <= SMALL / 3) {
      // Encoded in place: at most 3 bytes per UTF-16 unit.
      this.#ensure(4 + s.length * 3);
      const { written } = utf8.encodeInto(s, this.#buf.subarray(this.#at + 4));
      this.#view.setUint32(this.#at, written, true);
      this.#at += 4 + written;
      return;
    }
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array<ArrayBuffer> {
    this.#flush();
    let length = 0;
    for (const p of this.#parts) length += p.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function write(w: Writer, value: unknown, depth: number): void {
  if (depth > 64) throw new Error('Engram encryption: a value is nested too deeply to encode');
  if (value === undefined) {
    w.u8(Tag.Undefined);
    return;
  }
  if (value === null) {
    w.u8(Tag.Null);
    return;
  }
  switch (typeof value) {
    case 'boolean':
      w.u8(value ? Tag.True : Tag.False);
      return;
    case 'number':
      w.u8(Tag.Number);
      w.f64(value);
      return;
    case 'string':
      w.u8(Tag.String);
      w.string(value);
      return;
    case 'bigint':
      w.u8(Tag.BigInt);
      w.string(value.toString());
      return;
    case 'object':
      break;
    default:
      // Functions and symbols are not stored (structured clone would refuse them).
      throw new Error(`Engram encryption: cannot encode a ${typeof value}`);
  }
  if (Array.isArray(value)) {
    w.u8(Tag.Array);
    w.u32(value.length);
    for (const item of value) write(w, item, depth + 1);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const kind = TYPED.findIndex((C) => value instanceof C);
    if (kind < 0) throw new Error('Engram encryption: cannot encode a DataView');
    w.u8(Tag.Typed);
    w.u8(kind);
    w.u32(value.byteLength);
    w.bytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  if (value instanceof ArrayBuffer) {
    w.u8(Tag.Buffer);
    w.u32(value.byteLength);
    w.bytes(new Uint8Array(value));
    return;
  }
  if (value instanceof Date) {
    w.u8(Tag.Date);
    w.f64(value.getTime());
    return;
  }
  const keys = Object.keys(value);
  w.u8(Tag.Object);
  w.u32(keys.length);
  for (const key of keys) {
    w.string(key);
    write(w, (value as Record<string, unknown>)[key], depth + 1);
  }
}

/** `value` as bytes. */
export function encodeValue(value: unknown): Uint8Array<ArrayBuffer> {
  const w = new Writer();
  write(w, value, 0);
  return w.finish();
}

class Reader {
  at = 0;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    if (this.at + 1 > this.bytes.length) throw new Error('Engram encryption: a value is cut short');
    return this.bytes[this.at++]!;
  }

  u32(): number {
    if (this.at + 4 > this.bytes.length) throw new Error('Engram encryption: a value is cut short');
    const x = this.view.getUint32(this.at, true);
    this.at += 4;
    return x;
  }

  f64(): number {
    if (this.at + 8 > this.bytes.length) throw new Error('Engram encryption: a value is cut short');
    const x = this.view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new Error('Engram encryption: a value is cut short');
    const b = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  string(): string {
    return fromUtf8.decode(this.take(this.u32()));
  }
}

function read(r: Reader, depth: number): unknown {
  if (depth > 64) throw new Error('Engram encryption: a value is nested too deeply to decode');
  const tag = r.u8();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Number:
      return r.f64();
    case Tag.String:
      return r.string();
    case Tag.BigInt:
      return BigInt(r.string());
    case Tag.Array: {
      const n = r.u32();
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(read(r, depth + 1));
      return out;
    }
    case Tag.Typed: {
      const C = TYPED[r.u8()];
      if (!C) throw new Error('Engram encryption: an unknown typed array');
      const bytes = r.take(r.u32());
      // Copied into a buffer of its own: aligned, and no view into the decrypted whole.
      return new C(bytes.slice().buffer);
    }
    case Tag.Buffer:
      return r.take(r.u32()).slice().buffer;
    case Tag.Date:
      return new Date(r.f64());
    case Tag.Object: {
      const n = r.u32();
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = r.string();
        const item = read(r, depth + 1);
        // As structured clone would: an own property, never the prototype.
        if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
        else out[key] = item;
      }
      return out;
    }
    default:
      throw new Error('Engram encryption: an unknown value tag');
  }
}

/** The value `bytes` encodes (encodeValue's inverse). */
export function decodeValue(bytes: Uint8Array): unknown {
  const r = new Reader(bytes);
  const value = read(r, 0);
  if (r.at !== bytes.length) throw new Error('Engram encryption: trailing bytes after a value');
  return value;
}
