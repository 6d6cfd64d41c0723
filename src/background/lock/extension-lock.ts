/**
 * The lock as the extension's service worker runs it: the keys' masters in chrome.storage.session
 * (memory only, cleared when the browser closes; its access level kept at TRUSTED_CONTEXTS, so
 * content scripts cannot read it), and the idle lock on a chrome.alarms alarm (listened to from
 * the worker's first turn, so the alarm wakes a stopped worker).
 */
import type Dexie from 'dexie';
import { Lock, type LockOptions, type SessionPort, type SessionState } from './lock';

export const LOCK_ALARM = 'engram-idle-lock';
const SESSION_KEY = 'engramKeys';

function chromeSession(): SessionPort {
  // The default already; said again, so nothing else (a page of the extension) can widen it unnoticed.
  // Firefox has no setAccessLevel: its storage.session is never exposed to content scripts.
  const session: Partial<Pick<typeof chrome.storage.session, 'setAccessLevel'>> = chrome.storage.session;
  if (typeof session.setAccessLevel === 'function') void session.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);
  return {
    get: async () => {
      const stored = await chrome.storage.session.get<Record<string, SessionState | undefined>>(SESSION_KEY);
      return stored[SESSION_KEY] ?? null;
    },
    set: (state) => chrome.storage.session.set({ [SESSION_KEY]: state }),
    clear: () => chrome.storage.session.remove(SESSION_KEY),
  };
}

export function createExtensionLock(db: Dexie, options: Pick<LockOptions, 'onLocked' | 'onUnlocked' | 'onError'>): Lock {
  const lock = new Lock({
    db,
    session: chromeSession(),
    schedule: (at) => {
      if (at === null) void chrome.alarms.clear(LOCK_ALARM);
      else void chrome.alarms.create(LOCK_ALARM, { when: Math.max(at, Date.now() + 1000) });
    },
    ...options,
  });
  chrome.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === LOCK_ALARM) {
      lock.idle().catch((error: unknown) => {
        options.onError?.(error);
      });
    }
  });
  return lock;
}
