/**
 * The messages of encryption at rest (the options page's Lock block, the popup's Unlock field →
 * the background), part of ProtocolMap (protocol.ts). Only Engram's own pages may send them.
 */

/** The idle times the options page offers, in minutes (0: only when the browser closes). */
export const LOCK_AFTER_CHOICES = [5, 15, 60, 240, 1440, 0] as const;
export const DEFAULT_LOCK_AFTER_MINUTES = 60;
/** A passphrase has at least this many characters. */
export const MIN_PASSPHRASE_CHARS = 8;

/** off; on; or a change under way: being turned on, passphrase being changed, being turned off. */
export type EncryptionState = 'off' | 'on' | 'enabling' | 'rotating' | 'disabling';

export interface EncryptionStatus {
  state: EncryptionState;
  /** On, and the keys are not in memory: nothing is recalled until the passphrase is given. */
  locked: boolean;
  /** Re-encryption is running now. */
  migrating: boolean;
  /** How far it got: rows done of all rows (null when none runs). */
  progress: { done: number; total: number } | null;
  /** Locks after this many minutes without use; 0: only when the browser closes. */
  lockAfterMinutes: number;
  /** How the key is derived from the passphrase (null when off). */
  kdf: { name: string; iterations: number } | null;
}

export interface LockProtocolMap {
  /** Page → background: whether encryption is on, locked, or changing. */
  encryptionStatus(): EncryptionStatus;
  /** Page → background: turn encryption on (everything stored is encrypted, in the background). */
  enableEncryption(request: { passphrase: string; lockAfterMinutes?: number }): EncryptionStatus;
  /** Page → background: unlock for this browser session; a wrong passphrase is refused and changes nothing. */
  unlock(request: { passphrase: string }): EncryptionStatus;
  /** Page → background: lock now. */
  lock(): EncryptionStatus;
  /** Page → background: change the passphrase (everything is re-encrypted, resumably). */
  changePassphrase(request: { old: string; next: string }): EncryptionStatus;
  /** Page → background: turn encryption off (everything is decrypted). */
  disableEncryption(request: { passphrase: string }): EncryptionStatus;
  /** Page → background: lock after this many minutes without use (0: when the browser closes). */
  setLockAfter(request: { minutes: number }): EncryptionStatus;
}
