/**
 * The envelope every encrypted value is stored in: one byte string that says how to open it.
 *
 *   [0]      0xE7 (an envelope, not some other bytes)
 *   [1]      format version (1)
 *   [2]      kind: 1 = secret (AES-GCM 256 under a passphrase generation's key),
 *                  2 = sealed (ephemeral ECDH P-256 → HKDF-SHA-256 → AES-GCM 256, to a generation's public key)
 *   [3..6]   the generation's key id (uint32, big-endian)
 *   kind 1:  [7..18]  IV (96 bits, random per value), then ciphertext and its 128-bit tag
 *   kind 2:  [7..71]  the ephemeral public key (raw, uncompressed), [72..83] IV, then ciphertext and tag
 *
 * The header and a context (the table's name) are the additional authenticated data: a value
 * cannot be moved to another table, nor its key id or kind changed, without failing to open.
 */
import { concat, randomBytes, utf8 } from './bytes';

export const ENVELOPE_MAGIC = 0xe7;
export const ENVELOPE_VERSION = 1;
export const KIND_SECRET = 1;
export const KIND_SEALED = 2;

const HEADER = 7;
const IV = 12;
const EPHEMERAL = 65;

export interface EnvelopeHeader {
  kind: typeof KIND_SECRET | typeof KIND_SEALED;
  keyId: number;
}

function header(kind: number, keyId: number): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(HEADER);
  h[0] = ENVELOPE_MAGIC;
  h[1] = ENVELOPE_VERSION;
  h[2] = kind;
  new DataView(h.buffer).setUint32(3, keyId >>> 0, false);
  return h;
}

/** What an envelope says of itself, or null when `bytes` is none (of a format this version reads). */
export function envelopeHeader(bytes: unknown): EnvelopeHeader | null {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER + IV + 16) return null;
  if (bytes[0] !== ENVELOPE_MAGIC || bytes[1] !== ENVELOPE_VERSION) return null;
  const kind = bytes[2];
  if (kind !== KIND_SECRET && kind !== KIND_SEALED) return null;
  return { kind, keyId: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(3, false) };
}

function aad(head: Uint8Array, context: string): Uint8Array<ArrayBuffer> {
  return concat([head, utf8.encode(context)]);
}

/** `plaintext` encrypted under a generation's AES-GCM key, with a fresh random IV. */
export async function encryptSecret(key: CryptoKey, keyId: number, plaintext: Uint8Array<ArrayBuffer>, context: string): Promise<Uint8Array<ArrayBuffer>> {
  const head = header(KIND_SECRET, keyId);
  const iv = randomBytes(IV);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(head, context) }, key, plaintext);
  const out = new Uint8Array(HEADER + IV + ct.byteLength);
  out.set(head, 0);
  out.set(iv, HEADER);
  out.set(new Uint8Array(ct), HEADER + IV);
  return out;
}

/** The plaintext of a secret envelope; throws (OperationError) when the key is not its key or it was altered. */
export async function decryptSecret(key: CryptoKey, envelope: Uint8Array, context: string): Promise<Uint8Array<ArrayBuffer>> {
  const head = envelope.subarray(0, HEADER);
  const iv = envelope.slice(HEADER, HEADER + IV);
  const ct = envelope.slice(HEADER + IV);
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(head, context) }, key, ct));
}

async function sealKey(shared: ArrayBuffer, ephemeral: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: ephemeral, info: utf8.encode('engram/seal/v1') },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/**
 * `plaintext` sealed to a public key (ECDH P-256): anyone may seal, only the private key opens.
 * Queued turns are sealed this way while Engram is locked, so capturing them needs no passphrase.
 */
export async function seal(publicKey: CryptoKey, keyId: number, plaintext: Uint8Array<ArrayBuffer>, context: string): Promise<Uint8Array<ArrayBuffer>> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const ephemeral = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, pair.privateKey, 256);
  const key = await sealKey(shared, ephemeral);
  const head = concat([header(KIND_SEALED, keyId), ephemeral]);
  const iv = randomBytes(IV);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(head, context) }, key, plaintext);
  return concat([head, iv, new Uint8Array(ct)]);
}

/** The plaintext of a sealed envelope, opened with the private key it was sealed to. */
export async function openSealed(privateKey: CryptoKey, envelope: Uint8Array, context: string): Promise<Uint8Array<ArrayBuffer>> {
  const head = envelope.subarray(0, HEADER + EPHEMERAL);
  const ephemeral = envelope.slice(HEADER, HEADER + EPHEMERAL);
  const iv = envelope.slice(HEADER + EPHEMERAL, HEADER + EPHEMERAL + IV);
  const ct = envelope.slice(HEADER + EPHEMERAL + IV);
  const theirs = await crypto.subtle.importKey('raw', ephemeral, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: theirs }, privateKey, 256);
  const key = await sealKey(shared, ephemeral);
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(head, context) }, key, ct));
}
