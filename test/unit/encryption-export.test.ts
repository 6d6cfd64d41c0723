// @vitest-environment node
/**
 * The encrypted export file (src/crypto/export-file.ts): a versioned envelope of the export's JSON
 * with its own PBKDF2 salt (fresh per file, at 600,000 iterations by default) and AES-GCM IV; the
 * passphrase alone opens it; a wrong passphrase and a file changed after it was saved are told
 * apart; a malformed or hostile envelope names the field that is wrong.
 */
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import {
  DamagedExport,
  decryptExport,
  encryptExport,
  ENCRYPTED_EXPORT_FORMAT,
  exportsEncryptedIn,
  isEncryptedExport,
  MAX_EXPORT_ITERATIONS,
  WrongExportPassphrase,
  type EncryptedExport,
} from '../../src/crypto/export-file';
import { PBKDF2_ITERATIONS } from '../../src/crypto/keys';
import { ImportError } from '../../src/data/import-result';

const PASS = 'correct horse battery';
const FAST = { iterations: 1000 };
const OPEN = { minIterations: 1000 };
const TEXT = JSON.stringify({ format: 'engram-export', version: 1, memories: [{ text: 'I live in Zürich with my cat Quokkazilla' }] });

/** A copy of `file` with one byte of a base64 field flipped. */
function flipped(value: string, at = 0): string {
  const bytes = fromBase64(value);
  bytes[at]! ^= 1;
  return toBase64(bytes);
}

describe('an encrypted export', () => {
  it(`is a versioned envelope, keyed with PBKDF2-SHA-256 at ${PBKDF2_ITERATIONS.toLocaleString('en')} iterations by default, that the passphrase alone opens`, async () => {
    const accented = 'crème brûlée Zürich';
    const file = await encryptExport(TEXT, accented.normalize('NFC'));
    expect(file).toMatchObject({ format: ENCRYPTED_EXPORT_FORMAT, v: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: PBKDF2_ITERATIONS }, cipher: { name: 'AES-GCM' } });
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(fromBase64(file.kdf.salt)).toHaveLength(16);
    expect(fromBase64(file.cipher.iv)).toHaveLength(12);
    expect(isEncryptedExport(JSON.parse(JSON.stringify(file)))).toBe(true);
    const written = JSON.stringify(file);
    expect(written).not.toContain('Quokkazilla');
    expect(written).not.toContain('engram-export"');
    // As a file: written, read back, opened with the passphrase, however its accents were typed.
    expect(await decryptExport(JSON.parse(written), accented.normalize('NFD'))).toBe(TEXT);
  });

  it('gets a fresh salt and IV each time: two files of the same text share nothing', async () => {
    const [a, b] = await Promise.all([encryptExport(TEXT, PASS, FAST), encryptExport(TEXT, PASS, FAST)]);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(a.cipher.iv).not.toBe(b.cipher.iv);
    expect(a.check).not.toBe(b.check);
    expect(a.data).not.toBe(b.data);
  });

  it('tells a wrong passphrase from a file changed after it was saved, and opens neither', async () => {
    const file = await encryptExport(TEXT, PASS, FAST);
    await expect(decryptExport(file, 'not the passphrase', OPEN)).rejects.toBeInstanceOf(WrongExportPassphrase);
    await expect(decryptExport(file, 'not the passphrase', OPEN)).rejects.toThrow('That passphrase does not open this file. Nothing was imported.');
    // The data, its tag, the IV: the key is right, the content is not what was saved.
    const tampered: EncryptedExport[] = [
      { ...file, data: flipped(file.data) },
      { ...file, data: flipped(file.data, fromBase64(file.data).length - 1) },
      { ...file, cipher: { ...file.cipher, iv: flipped(file.cipher.iv) } },
      { ...file, data: toBase64(fromBase64(file.data).slice(0, -1)) },
    ];
    for (const t of tampered) await expect(decryptExport(t, PASS, OPEN)).rejects.toBeInstanceOf(DamagedExport);
    await expect(decryptExport(tampered[0], PASS, OPEN)).rejects.toThrow(/changed or damaged after Engram saved it/);
    // The key's inputs: another key, so it reads as a wrong passphrase; either way nothing opens.
    for (const t of [{ ...file, kdf: { ...file.kdf, salt: flipped(file.kdf.salt) } }, { ...file, kdf: { ...file.kdf, iterations: 1001 } }, { ...file, check: flipped(file.check) }]) {
      await expect(decryptExport(t, PASS, OPEN)).rejects.toBeInstanceOf(WrongExportPassphrase);
    }
  });

  it('refuses a malformed or hostile envelope, naming the field, before deriving anything', async () => {
    const file = await encryptExport(TEXT, PASS, FAST);
    const cases: [unknown, RegExp][] = [
      [[], /^format: expected “engram-export-encrypted”/],
      [{ ...file, format: 'engram-export' }, /^format: /],
      [{ ...file, v: 2 }, /^v: this encrypted export is from a newer Engram \(version 2\)/],
      [{ ...file, v: '1' }, /^v: expected 1, found a string/],
      [{ ...file, kdf: 'PBKDF2' }, /^kdf: expected an object/],
      [{ ...file, kdf: { ...file.kdf, name: 'scrypt' } }, /^kdf\.name: expected “PBKDF2”, found “scrypt”/],
      [{ ...file, kdf: { ...file.kdf, hash: 'SHA-1' } }, /^kdf\.hash: expected “SHA-256”/],
      [{ ...file, kdf: { ...file.kdf, iterations: 999 } }, /^kdf\.iterations: expected a whole number from 1000/],
      [{ ...file, kdf: { ...file.kdf, iterations: MAX_EXPORT_ITERATIONS + 1 } }, /^kdf\.iterations: /],
      [{ ...file, kdf: { ...file.kdf, iterations: 1e3 + 0.5 } }, /^kdf\.iterations: /],
      [{ ...file, kdf: { ...file.kdf, salt: 'not base64!' } }, /^kdf\.salt: is not base64/],
      [{ ...file, kdf: { ...file.kdf, salt: toBase64(new Uint8Array(4)) } }, /^kdf\.salt: expected 16 to 64 bytes, found 4/],
      [{ ...file, check: 42 }, /^check: expected base64 text, found a number/],
      [{ ...file, cipher: { ...file.cipher, name: 'AES-CBC' } }, /^cipher\.name: expected “AES-GCM”/],
      [{ ...file, cipher: { ...file.cipher, iv: toBase64(new Uint8Array(16)) } }, /^cipher\.iv: expected 12 bytes, found 16/],
      [{ ...file, data: '' }, /^data: expected 16 to/],
      [JSON.parse(`{"format":"${ENCRYPTED_EXPORT_FORMAT}","v":1,"__proto__":{"kdf":{}}}`), /^kdf: expected an object, found undefined/],
    ];
    for (const [data, error] of cases) {
      const failed = decryptExport(data, PASS, OPEN);
      await expect(failed, JSON.stringify(data).slice(0, 80)).rejects.toBeInstanceOf(ImportError);
      await expect(failed).rejects.toThrow(error);
    }
    // By default a file must claim Engram's own count: fewer is refused, not slowly opened.
    await expect(decryptExport(file, PASS)).rejects.toThrow(/^kdf\.iterations: expected a whole number from 600000/);
  });

  it('is what an export is while encryption is on, being turned on, or its passphrase changing', () => {
    expect(['off', 'on', 'enabling', 'rotating', 'disabling'].filter((s) => exportsEncryptedIn(s as never))).toEqual(['on', 'enabling', 'rotating']);
    expect(isEncryptedExport({ format: 'engram-export' })).toBe(false);
    expect(isEncryptedExport(null)).toBe(false);
  });
});
