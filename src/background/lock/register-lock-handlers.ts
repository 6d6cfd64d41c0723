/**
 * The background's answers to the lock messages (lock-protocol.ts), registered by
 * registerHandlers with its sender-checked `on` (only Engram's pages: LOCK_CALLERS). Registering
 * touches nothing of the lock: it is used only when a message arrives.
 */
import type { GetDataType, GetReturnType } from '@webext-core/messaging';
import type { EncryptionStatus, LockProtocolMap } from '../../messaging/lock-protocol';
import { DEFAULT_LOCK_AFTER_MINUTES, type Lock } from './lock';

type LockHandler<K extends keyof LockProtocolMap> = (
  data: GetDataType<LockProtocolMap[K]>,
) => GetReturnType<LockProtocolMap[K]> | Promise<GetReturnType<LockProtocolMap[K]>>;

/** Who may send each lock message (registerHandlers' ALLOWED_CALLERS): Engram's own pages only. */
export const LOCK_CALLERS = {
  encryptionStatus: 'page',
  enableEncryption: 'page',
  unlock: 'page',
  lock: 'page',
  changePassphrase: 'page',
  disableEncryption: 'page',
  setLockAfter: 'page',
} as const satisfies Record<keyof LockProtocolMap, 'page'>;

/** registerHandlers' `on`, as far as the lock's messages go. */
export type LockOn = <K extends keyof LockProtocolMap>(type: K, handler: LockHandler<K>) => void;

/** Where there is no lock (a build or test without one): encryption is off and cannot be turned on. */
const OFF: EncryptionStatus = { state: 'off', locked: false, migrating: false, progress: null, lockAfterMinutes: DEFAULT_LOCK_AFTER_MINUTES, kdf: null };

/** A field of a message a page sent (a page of Engram's may still send something odd). */
function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
}

function text(data: unknown, name: string): string {
  const value = field(data, name);
  if (typeof value !== 'string') throw new Error(`Engram: a malformed request was refused (${name})`);
  return value;
}

export function registerLockHandlers(lock: Lock | undefined, on: LockOn): void {
  const need = (): Lock => {
    if (!lock) throw new Error('Engram: encryption is not available here');
    return lock;
  };
  on('encryptionStatus', () => (lock ? lock.status() : OFF));
  on('enableEncryption', (data) => {
    const minutes = field(data, 'lockAfterMinutes');
    return need().enable(text(data, 'passphrase'), typeof minutes === 'number' ? minutes : DEFAULT_LOCK_AFTER_MINUTES);
  });
  on('unlock', (data) => need().unlock(text(data, 'passphrase')));
  on('lock', () => (lock ? lock.lock() : OFF));
  on('changePassphrase', (data) => need().changePassphrase(text(data, 'old'), text(data, 'next')));
  on('disableEncryption', (data) => need().disable(text(data, 'passphrase')));
  on('setLockAfter', (data) => {
    const minutes = field(data, 'minutes');
    if (typeof minutes !== 'number') throw new Error('Engram: a malformed request was refused (minutes)');
    return need().setLockAfter(minutes);
  });
}
