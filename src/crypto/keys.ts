/**
 * The keys of one passphrase "generation" (set when encryption is turned on, and anew at each
 * passphrase change):
 *
 *   master  = PBKDF2-SHA-256(passphrase, salt, ≥ 600,000 iterations)      256 bits, never stored on disk
 *   aes     = HKDF-SHA-256(master, "engram/aes-gcm")    AES-GCM 256: every encrypted field
 *   mac     = HKDF-SHA-256(master, "engram/hmac")       HMAC-SHA-256: the memories' `hash` index
 *   an ECDH P-256 key pair: the public key in clear (turns are sealed to it while locked), the
 *   private key (PKCS#8) encrypted under `aes`.
 *
 * What is stored (GenerationRecord, in the settings table) is not secret: the salt, the iteration
 * count, a key check value (a known constant encrypted under `aes`: a wrong passphrase is told
 * without touching any data), the public key and the encrypted private key.
 *
 * Argon2id was not used: no WebAssembly Argon2 package is installed, and the brief allows PBKDF2
 * at 600,000 iterations (OWASP's figure for PBKDF2-HMAC-SHA256) through WebCrypto, which needs no
 * dependency.
 */
import { fromBase64, fromUtf8, randomBytes, toBase64, utf8 } from './bytes';
import { decryptSecret, encryptSecret } from './envelope';

export const KDF_NAME = 'PBKDF2-SHA-256';
/** The iteration count new generations get (OWASP 2023 for PBKDF2-HMAC-SHA256). */
export const PBKDF2_ITERATIONS = 600_000;
/** Unlocking refuses a generation stored with fewer (a tampered settings table). */
export const MIN_ITERATIONS = 600_000;

const CHECK_CONSTANT = 'engram key check v1';
const CHECK_CONTEXT = 'engram/check';
const PRIVATE_CONTEXT = 'engram/private-key';
const PREVIOUS_CONTEXT = 'engram/previous-master';

/** A generation as the settings table keeps it (all of it may be read by anyone with the disk). */
export interface GenerationRecord {
  id: number;
  kdf: typeof KDF_NAME;
  iterations: number;
  /** base64 */
  salt: string;
  /** base64 envelope of CHECK_CONSTANT under this generation's key. */
  check: string;
  /** base64 raw P-256 public key. */
  publicKey: string;
  /** base64 envelope of the PKCS#8 private key under this generation's key. */
  privateKey: string;
  /** During a passphrase change: the previous generation's master, under this generation's key. */
  previousMaster?: string;
}

/** A generation's keys in the worker's memory (and its master in session storage). */
export interface GenerationKeys {
  id: number;
  master: Uint8Array<ArrayBuffer>;
  aes: CryptoKey;
  mac: CryptoKey;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

/** The passphrase is not the one this generation was made with. */
export class WrongPassphrase extends Error {
  constructor() {
    super('That passphrase does not unlock Engram. Nothing was changed.');
    this.name = 'WrongPassphrase';
  }
}

export async function deriveMaster(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey('raw', utf8.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, 256));
}

async function expand(master: Uint8Array<ArrayBuffer>): Promise<{ aes: CryptoKey; mac: CryptoKey }> {
  const base = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveKey']);
  const params = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8.encode(info) });
  const [aes, mac] = await Promise.all([
    crypto.subtle.deriveKey(params('engram/aes-gcm'), base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    crypto.subtle.deriveKey(params('engram/hmac'), base, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']),
  ]);
  return { aes, mac };
}

/** A fresh key id: random, so a value of an old generation is never taken for a new one's. */
function newKeyId(taken: readonly number[]): number {
  for (;;) {
    const id = new DataView(randomBytes(4).buffer).getUint32(0);
    if (id !== 0 && !taken.includes(id)) return id;
  }
}

/** A new generation for `passphrase`: its stored record and its keys. */
export async function createGeneration(
  passphrase: string,
  { iterations = PBKDF2_ITERATIONS, taken = [] }: { iterations?: number; taken?: readonly number[] } = {},
): Promise<{ record: GenerationRecord; keys: GenerationKeys }> {
  const id = newKeyId(taken);
  const salt = randomBytes(16);
  const master = await deriveMaster(passphrase, salt, iterations);
  const { aes, mac } = await expand(master);
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const record: GenerationRecord = {
    id,
    kdf: KDF_NAME,
    iterations,
    salt: toBase64(salt),
    check: toBase64(await encryptSecret(aes, id, utf8.encode(CHECK_CONSTANT), CHECK_CONTEXT)),
    publicKey: toBase64(publicRaw),
    privateKey: toBase64(await encryptSecret(aes, id, pkcs8, PRIVATE_CONTEXT)),
  };
  // The private key kept in memory cannot be exported again.
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  pkcs8.fill(0);
  return { record, keys: { id, master, aes, mac, publicKey: pair.publicKey, privateKey } };
}

/** The public key of a generation, from its record (no passphrase needed). */
export function publicKeyOf(record: GenerationRecord): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', fromBase64(record.publicKey), { name: 'ECDH', namedCurve: 'P-256' }, true, []);
}

/**
 * The keys of a generation from its master (a passphrase derived, or session storage). Throws
 * WrongPassphrase when the master does not open the key check value.
 */
export async function openGeneration(record: GenerationRecord, master: Uint8Array<ArrayBuffer>): Promise<GenerationKeys> {
  const { aes, mac } = await expand(master);
  let check: string;
  try {
    check = fromUtf8.decode(await decryptSecret(aes, fromBase64(record.check), CHECK_CONTEXT));
  } catch {
    throw new WrongPassphrase();
  }
  if (check !== CHECK_CONSTANT) throw new WrongPassphrase();
  const pkcs8 = await decryptSecret(aes, fromBase64(record.privateKey), PRIVATE_CONTEXT);
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
  pkcs8.fill(0);
  return { id: record.id, master, aes, mac, publicKey: await publicKeyOf(record), privateKey };
}

/** The keys of a generation from its passphrase (WrongPassphrase when it is not the one). */
export async function unlockGeneration(record: GenerationRecord, passphrase: string, minIterations = MIN_ITERATIONS): Promise<GenerationKeys> {
  const kdf: unknown = record.kdf; // from the settings table: whatever is there
  if (kdf !== KDF_NAME || !Number.isInteger(record.iterations) || record.iterations < minIterations) {
    throw new Error('Engram: the stored key settings are not valid; nothing was changed.');
  }
  return openGeneration(record, await deriveMaster(passphrase, fromBase64(record.salt), record.iterations));
}

/** A previous generation's master, kept under the new generation's key while a change re-encrypts. */
export async function wrapPreviousMaster(next: GenerationKeys, previous: GenerationKeys): Promise<string> {
  return toBase64(await encryptSecret(next.aes, next.id, previous.master, PREVIOUS_CONTEXT));
}

export async function unwrapPreviousMaster(next: GenerationKeys, wrapped: string): Promise<Uint8Array<ArrayBuffer>> {
  return decryptSecret(next.aes, fromBase64(wrapped), PREVIOUS_CONTEXT);
}
