import { signal, type Signal } from '@preact/signals';
import { spacePath, type SpaceInfo } from '../core/types';
import { sendMessage } from '../messaging/protocol';
import { S } from './strings';

/** What the Spaces section asks of the background: the real messages, or a test double. Each answers every space after the change. */
export interface SpacesBackend {
  list(): Promise<SpaceInfo[]>;
  create(path: string): Promise<SpaceInfo[]>;
  rename(from: string, to: string): Promise<SpaceInfo[]>;
  remove(path: string): Promise<SpaceInfo[]>;
}

/** The SpacesBackend over the extension's typed messages. */
export const messagingSpacesBackend: SpacesBackend = {
  list: () => sendMessage('listSpaces'),
  create: (path) => sendMessage('createSpace', path),
  rename: (from, to) => sendMessage('renameSpace', { from, to }),
  remove: (path) => sendMessage('deleteSpace', path),
};

/** How deep a space is (`work` 0, `work/atlas` 1). */
export const depthOf = (path: string): number => path.split('/').length - 1;

export interface SpacesStore {
  /** Every space, sorted by path. */
  spaces: Signal<SpaceInfo[]>;
  error: Signal<string | null>;
  /** What the last change did, in words (a polite live region). */
  announcement: Signal<string>;
  refresh(): Promise<void>;
  /** Each returns whether the change was made (false, with `error` set, when not). */
  create(path: string): Promise<boolean>;
  rename(from: string, to: string): Promise<boolean>;
  remove(path: string): Promise<boolean>;
}

/** The options page's spaces: create, rename (with everything under it), delete (its memories stay, in no space). */
export function createSpacesStore(backend: SpacesBackend, onChange?: () => void): SpacesStore {
  const spaces = signal<SpaceInfo[]>([]);
  const error = signal<string | null>(null);
  const announcement = signal('');
  const message = (e: unknown): string => S.spaces.failed(e instanceof Error ? e.message : String(e));

  const run = async (change: () => Promise<SpaceInfo[]>, said: string): Promise<boolean> => {
    try {
      spaces.value = await change();
      error.value = null;
      announcement.value = said;
      onChange?.();
      return true;
    } catch (e) {
      error.value = message(e);
      return false;
    }
  };

  return {
    spaces,
    error,
    announcement,
    async refresh() {
      try {
        spaces.value = await backend.list();
        error.value = null;
      } catch (e) {
        error.value = message(e);
      }
    },
    async create(raw) {
      const path = spacePath(raw);
      if (!path) {
        error.value = S.spaces.invalid;
        return false;
      }
      if (spaces.value.some((s) => s.path === path)) {
        error.value = S.spaces.exists(path);
        return false;
      }
      return run(() => backend.create(path), S.spaces.created(path));
    },
    async rename(from, raw) {
      const to = spacePath(raw);
      if (!to) {
        error.value = S.spaces.invalid;
        return false;
      }
      if (to === from) return true;
      if (spaces.value.some((s) => s.path === to)) {
        error.value = S.spaces.exists(to);
        return false;
      }
      return run(() => backend.rename(from, to), S.spaces.renamed(from, to));
    },
    remove: (path) => run(() => backend.remove(path), S.spaces.deleted(path)),
  };
}
