import { signal, type Signal } from '@preact/signals';
import type { EncryptionStatus } from '../messaging/lock-protocol';
import { sendMessage } from '../messaging/protocol';

/** What the Lock block and the popup's Unlock field ask of the background (real, or a test double). */
export interface EncryptionBackend {
  status(): Promise<EncryptionStatus>;
  enable(passphrase: string, lockAfterMinutes: number): Promise<EncryptionStatus>;
  unlock(passphrase: string): Promise<EncryptionStatus>;
  lock(): Promise<EncryptionStatus>;
  change(old: string, next: string): Promise<EncryptionStatus>;
  disable(passphrase: string): Promise<EncryptionStatus>;
  setLockAfter(minutes: number): Promise<EncryptionStatus>;
}

export const messagingEncryptionBackend: EncryptionBackend = {
  status: () => sendMessage('encryptionStatus'),
  enable: (passphrase, lockAfterMinutes) => sendMessage('enableEncryption', { passphrase, lockAfterMinutes }),
  unlock: (passphrase) => sendMessage('unlock', { passphrase }),
  lock: () => sendMessage('lock'),
  change: (old, next) => sendMessage('changePassphrase', { old, next }),
  disable: (passphrase) => sendMessage('disableEncryption', { passphrase }),
  setLockAfter: (minutes) => sendMessage('setLockAfter', { minutes }),
};

export interface EncryptionStore {
  status: Signal<EncryptionStatus | null>;
  /** The last action's failure, in words (a wrong passphrase says so). */
  error: Signal<string | null>;
  /** An action is under way (the key derivation takes a moment). */
  busy: Signal<boolean>;
  refresh(): Promise<void>;
  /** Each action: true when it succeeded. */
  enable(passphrase: string, lockAfterMinutes: number): Promise<boolean>;
  unlock(passphrase: string): Promise<boolean>;
  lock(): Promise<boolean>;
  change(old: string, next: string): Promise<boolean>;
  disable(passphrase: string): Promise<boolean>;
  setLockAfter(minutes: number): Promise<boolean>;
  dispose(): void;
}

/** Re-encryption under way (or waiting for an unlock to go on). */
export const changing = (s: EncryptionStatus | null): boolean => s !== null && (s.migrating || (s.state !== 'on' && s.state !== 'off'));

export function createEncryptionStore(backend: EncryptionBackend, pollMs = 500): EncryptionStore {
  const status = signal<EncryptionStatus | null>(null);
  const error = signal<string | null>(null);
  const busy = signal(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/^Error: /, '');

  const poll = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    // While re-encryption runs, its progress is shown (an unlock resumes a locked one).
    if (changing(status.value) && !status.value?.locked) timer = setTimeout(() => void refresh(), pollMs);
  };
  const refresh = async (): Promise<void> => {
    try {
      status.value = await backend.status();
    } catch (e) {
      error.value = message(e);
    }
    poll();
  };
  const act = async (action: () => Promise<EncryptionStatus>): Promise<boolean> => {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    try {
      status.value = await action();
      poll();
      return true;
    } catch (e) {
      error.value = message(e);
      return false;
    } finally {
      busy.value = false;
    }
  };

  return {
    status,
    error,
    busy,
    refresh,
    enable: (passphrase, lockAfterMinutes) => act(() => backend.enable(passphrase, lockAfterMinutes)),
    unlock: (passphrase) => act(() => backend.unlock(passphrase)),
    lock: () => act(() => backend.lock()),
    change: (old, next) => act(() => backend.change(old, next)),
    disable: (passphrase) => act(() => backend.disable(passphrase)),
    setLockAfter: (minutes) => act(() => backend.setLockAfter(minutes)),
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** The pages' store over the extension's messages, made once; none outside the extension (tests render without it). */
let shared: EncryptionStore | null = null;
export function extensionEncryptionStore(): EncryptionStore | undefined {
  if (typeof (globalThis as { chrome?: { runtime?: { id?: unknown } } }).chrome?.runtime?.id !== 'string') return undefined;
  return (shared ??= createEncryptionStore(messagingEncryptionBackend));
}
