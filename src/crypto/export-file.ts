/**
 * Engram's export, encrypted with the user's passphrase: what the export is when encryption at rest
 * is on (an export holds everything the database holds, so writing it in clear would undo the
 * encryption). A versioned JSON envelope of the export's JSON text:
 *
 * ```
 * { format: 'engram-export-encrypted', v: 1,
 *   kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: ≥ 600,000, salt: base64 (16 bytes, fresh per file) },
 *   check: base64 (16 bytes),
 *   cipher: { name: 'AES-GCM', iv: base64 (12 bytes) },
 *   data: base64 (the export's JSON text, UTF-8, encrypted; its 128-bit tag at the end) }
 * ```
 *
 *   master = PBKDF2-SHA-256(passphrase (NFC), salt, iterations)       256 bits
 *   key    = HKDF-SHA-256(master, "engram/export/aes-gcm")            AES-GCM 256
 *   check  = HKDF-SHA-256(master, "engram/export/check")              128 bits, stored
 *
 * The file stands alone: its own salt and iteration count, so a fresh profile (or any tool with
 * WebCrypto) opens it with the passphrase alone; nothing of the vault's keys is in it or needed.
 * The key check tells a wrong passphrase (the check differs: nothing is decrypted) from a file
 * altered after it was saved (the check matches, AES-GCM's tag does not). Every header field is
 * the additional authenticated data: changing the iteration count, the salt, the check or the IV
 * fails to open as surely as changing the data.
 *
 * Used by the worker (export-data.ts encrypts; import-export.ts opens one it is sent with its
 * passphrase) and by the options page, which opens a picked file to preview what it holds.
 */
import { ImportError, isObject, kindOf, own } from '../data/import-result';
import type { EncryptionState } from '../messaging/lock-protocol';
import { fromBase64, fromUtf8, randomBytes, sameBytes, toBase64, utf8 } from './bytes';
import { deriveMaster, MIN_ITERATIONS, PBKDF2_ITERATIONS } from './keys';

export const ENCRYPTED_EXPORT_FORMAT = 'engram-export-encrypted';
export const ENCRYPTED_EXPORT_VERSION = 1;
/** A file claiming more is refused: opening it would hold the page for minutes. */
export const MAX_EXPORT_ITERATIONS = 10_000_000;

const SALT_BYTES = 16;
const IV_BYTES = 12;
const CHECK_BYTES = 16;
const TAG_BYTES = 16;

export interface EncryptedExport {
  format: typeof ENCRYPTED_EXPORT_FORMAT;
  v: typeof ENCRYPTED_EXPORT_VERSION;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  check: string;
  cipher: { name: 'AES-GCM'; iv: string };
  data: string;
}

/** The passphrase does not open this file (its key check differs). Nothing was decrypted. */
export class WrongExportPassphrase extends Error {
  constructor() {
    super('That passphrase does not open this file. Nothing was imported.');
    this.name = 'WrongExportPassphrase';
  }
}

/** The passphrase is right but the file was changed after it was saved (or damaged): it cannot be opened. */
export class DamagedExport extends Error {
  constructor() {
    super('This encrypted file was changed or damaged after Engram saved it, so it cannot be opened. Nothing was imported.');
    this.name = 'DamagedExport';
  }
}

/**
 * Whether Engram's exports are encrypted in this state of encryption at rest: on, being turned on,
 * or its passphrase changing; not while it is being turned off (lock.ts Lock.exportsEncrypted).
 */
export const exportsEncryptedIn = (state: EncryptionState): boolean => state === 'on' || state === 'enabling' || state === 'rotating';

/** Whether parsed JSON claims to be an encrypted export (checked in full when opened). */
export function isEncryptedExport(data: unknown): boolean {
  return isObject(data) && own(data, 'format') === ENCRYPTED_EXPORT_FORMAT;
}

async function fileKeys(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const master = await deriveMaster(passphrase, salt, iterations);
  const base = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveKey', 'deriveBits']);
  master.fill(0);
  const params = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8.encode(info) });
  const [key, check] = await Promise.all([
    crypto.subtle.deriveKey(params('engram/export/aes-gcm'), base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    crypto.subtle.deriveBits(params('engram/export/check'), base, CHECK_BYTES * 8),
  ]);
  return { key, check: new Uint8Array(check) };
}

/** The header as the additional authenticated data: every field but the data, in a fixed order. */
function headerData(file: Omit<EncryptedExport, 'data'>): Uint8Array<ArrayBuffer> {
  const { format, v, kdf, check, cipher } = file;
  return utf8.encode(JSON.stringify([format, v, kdf.name, kdf.hash, kdf.iterations, kdf.salt, check, cipher.name, cipher.iv]));
}

/**
 * `text` (an export's JSON) encrypted with `passphrase`, with a fresh salt and IV.
 *
 * @example
 * const file = JSON.stringify(await encryptExport(JSON.stringify(await buildExport(db)), passphrase));
 */
export async function encryptExport(text: string, passphrase: string, { iterations = PBKDF2_ITERATIONS }: { iterations?: number } = {}): Promise<EncryptedExport> {
  if (passphrase === '') throw new Error('Engram: an export is encrypted with a passphrase; none was given');
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const { key, check } = await fileKeys(passphrase, salt, iterations);
  const header: Omit<EncryptedExport, 'data'> = {
    format: ENCRYPTED_EXPORT_FORMAT,
    v: ENCRYPTED_EXPORT_VERSION,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    check: toBase64(check),
    cipher: { name: 'AES-GCM', iv: toBase64(iv) },
  };
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: headerData(header) }, key, utf8.encode(text));
  return { ...header, data: toBase64(new Uint8Array(data)) };
}

/** The envelope's fields, checked (an ImportError names the first wrong one), and its bytes decoded. */
function parseEnvelope(data: unknown, minIterations: number): { header: Omit<EncryptedExport, 'data'>; salt: Uint8Array<ArrayBuffer>; check: Uint8Array; iv: Uint8Array<ArrayBuffer>; ciphertext: Uint8Array<ArrayBuffer> } {
  if (!isObject(data) || own(data, 'format') !== ENCRYPTED_EXPORT_FORMAT) throw new ImportError('format', `expected “${ENCRYPTED_EXPORT_FORMAT}”: this is not an encrypted Engram export`);
  const v = own(data, 'v');
  if (typeof v === 'number' && Number.isInteger(v) && v > ENCRYPTED_EXPORT_VERSION) {
    throw new ImportError('v', `this encrypted export is from a newer Engram (version ${v}); update Engram to import it`);
  }
  if (v !== ENCRYPTED_EXPORT_VERSION) throw new ImportError('v', `expected ${ENCRYPTED_EXPORT_VERSION}, found ${kindOf(v)}`);
  const part = (key: string): Record<string, unknown> => {
    const value = own(data, key);
    if (!isObject(value)) throw new ImportError(key, `expected an object, found ${kindOf(value)}`);
    return value;
  };
  const exactly = (record: Record<string, unknown>, where: string, key: string, expected: string): void => {
    const value = own(record, key);
    if (value !== expected) throw new ImportError(`${where}.${key}`, `expected “${expected}”, found ${typeof value === 'string' ? `“${value.slice(0, 40)}”` : kindOf(value)}`);
  };
  const bytes = (record: Record<string, unknown>, where: string, key: string, min: number, max: number): { text: string; bytes: Uint8Array<ArrayBuffer> } => {
    const value = own(record, key);
    if (typeof value !== 'string') throw new ImportError(where, `expected base64 text, found ${kindOf(value)}`);
    let decoded: Uint8Array<ArrayBuffer>;
    try {
      decoded = fromBase64(value);
    } catch {
      throw new ImportError(where, 'is not base64');
    }
    if (decoded.length < min || decoded.length > max) throw new ImportError(where, min === max ? `expected ${min} bytes, found ${decoded.length}` : `expected ${min} to ${max} bytes, found ${decoded.length}`);
    return { text: value, bytes: decoded };
  };
  const kdf = part('kdf');
  exactly(kdf, 'kdf', 'name', 'PBKDF2');
  exactly(kdf, 'kdf', 'hash', 'SHA-256');
  const iterations = own(kdf, 'iterations');
  if (typeof iterations !== 'number' || !Number.isSafeInteger(iterations) || iterations < minIterations || iterations > MAX_EXPORT_ITERATIONS) {
    throw new ImportError('kdf.iterations', `expected a whole number from ${minIterations} to ${MAX_EXPORT_ITERATIONS}, found ${typeof iterations === 'number' ? String(iterations) : kindOf(iterations)}`);
  }
  const salt = bytes(kdf, 'kdf.salt', 'salt', SALT_BYTES, 64);
  const check = bytes(data, 'check', 'check', CHECK_BYTES, CHECK_BYTES);
  const cipher = part('cipher');
  exactly(cipher, 'cipher', 'name', 'AES-GCM');
  const iv = bytes(cipher, 'cipher.iv', 'iv', IV_BYTES, IV_BYTES);
  const ciphertext = bytes(data, 'data', 'data', TAG_BYTES, Number.MAX_SAFE_INTEGER);
  return {
    header: {
      format: ENCRYPTED_EXPORT_FORMAT,
      v: ENCRYPTED_EXPORT_VERSION,
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: salt.text },
      check: check.text,
      cipher: { name: 'AES-GCM', iv: iv.text },
    },
    salt: salt.bytes,
    check: check.bytes,
    iv: iv.bytes,
    ciphertext: ciphertext.bytes,
  };
}

/**
 * The export's JSON text from an encrypted export (parsed JSON). Throws an ImportError naming a
 * malformed field, WrongExportPassphrase when the passphrase is not the file's, DamagedExport
 * when the file was altered after it was saved. Reads nothing but `data`, writes nothing.
 */
export async function decryptExport(data: unknown, passphrase: string, { minIterations = MIN_ITERATIONS }: { minIterations?: number } = {}): Promise<string> {
  const file = parseEnvelope(data, minIterations);
  const { key, check } = await fileKeys(passphrase, file.salt, file.header.kdf.iterations);
  if (!sameBytes(check, file.check)) throw new WrongExportPassphrase();
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: file.iv, additionalData: headerData(file.header) }, key, file.ciphertext);
  } catch {
    throw new DamagedExport();
  }
  try {
    return fromUtf8.decode(plain);
  } catch {
    throw new DamagedExport();
  }
}
