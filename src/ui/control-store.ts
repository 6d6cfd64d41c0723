import { signal, type Signal } from '@preact/signals';
import { readControl, watchControl, writeControl } from '../adapters/control-storage';
import { parseControl, type ControlSettings, type InjectionMode } from '../core/control';
import type { SiteId } from '../core/types';

/** The chat sites by the names the popup shows them under (every popup section uses these). */
export { SITE_NAMES } from '../core/site-names';

/** Each injection mode as the popup's choices name it, in the order they are offered. */
export const MODE_CHOICES: readonly { mode: InjectionMode; label: string; hint: string }[] = [
  { mode: 'review', label: 'Review before sending', hint: 'You see the memories above the message box and remove any before you send.' },
  { mode: 'automatic', label: 'Automatically', hint: 'The memories that matter are added to every prompt you send.' },
  { mode: 'manual', label: 'Only when I ask', hint: 'Nothing is added until you click “Add memories” above the message box, or press Engram’s shortcut.' },
  { mode: 'off', label: 'Off', hint: 'No memories are added and nothing is remembered.' },
];

export const modeLabel = (mode: InjectionMode): string => MODE_CHOICES.find((c) => c.mode === mode)?.label ?? mode;

/** Where the popup reads and writes the control settings: the extension's storage, or a test double. */
export interface ControlBackend {
  read(): Promise<ControlSettings>;
  /** Change the settings (`change` gets the current ones) and return what was written. */
  update(change: (current: ControlSettings) => ControlSettings): Promise<ControlSettings>;
  /** Call `onChange` whenever any context changes the settings; returns the unwatch. */
  watch(onChange: (settings: ControlSettings) => void): () => void;
}

/**
 * The ControlBackend over chrome.storage.local (adapters/control-storage.ts). A change is written
 * from the settings already loaded, in one storage call made at once: the popup may close right
 * after the user's click, and a read-then-write would lose the change.
 */
export function createExtensionControlBackend(): ControlBackend {
  let known: ControlSettings | null = null;
  return {
    read: async () => (known = await readControl()),
    async update(change) {
      const next = parseControl(change(known ?? (await readControl())));
      known = next;
      await writeControl(next);
      return next;
    },
    watch: (onChange) =>
      watchControl((settings) => {
        known = settings;
        onChange(settings);
      }),
  };
}

export interface ControlStore {
  /** The settings; null until read (or when they cannot be read). */
  settings: Signal<ControlSettings | null>;
  error: Signal<string | null>;
  /** Read the settings and follow changes made elsewhere (another popup, a content script). */
  refresh(): Promise<void>;
  /** Stop following changes. */
  dispose(): void;
  setPaused(paused: boolean): Promise<boolean>;
  /** The mode of every site without its own. */
  setMode(mode: InjectionMode): Promise<boolean>;
  /** A site's own mode; null: the site follows the global mode again. */
  setSiteMode(site: SiteId, mode: InjectionMode | null): Promise<boolean>;
  setAskBeforeRemembering(ask: boolean): Promise<boolean>;
  /** The first-run choices: writes them and marks the user onboarded. */
  finishOnboarding(choice: { mode: InjectionMode; askBeforeRemembering: boolean }): Promise<boolean>;
}

export function createControlStore(backend: ControlBackend): ControlStore {
  const settings = signal<ControlSettings | null>(null);
  const error = signal<string | null>(null);
  let unwatch: (() => void) | null = null;
  const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

  /** Write one change; true when it was saved (false and `error` set otherwise). */
  const update = async (change: (current: ControlSettings) => ControlSettings): Promise<boolean> => {
    try {
      settings.value = await backend.update(change);
      error.value = null;
      return true;
    } catch (e) {
      error.value = `Engram could not save your settings: ${message(e)}`;
      return false;
    }
  };

  return {
    settings,
    error,
    async refresh() {
      unwatch ??= backend.watch((next) => {
        settings.value = next;
      });
      try {
        settings.value = await backend.read();
        error.value = null;
      } catch (e) {
        error.value = `Engram could not read your settings: ${message(e)}`;
      }
    },
    dispose() {
      unwatch?.();
      unwatch = null;
    },
    setPaused: (paused) => update((s) => ({ ...s, paused })),
    setMode: (mode) => update((s) => ({ ...s, mode })),
    setSiteMode: (site, mode) =>
      update((s) => {
        const { [site]: _previous, ...others } = s.sites;
        return { ...s, sites: mode === null ? others : { ...others, [site]: mode } };
      }),
    setAskBeforeRemembering: (askBeforeRemembering) => update((s) => ({ ...s, askBeforeRemembering })),
    finishOnboarding: ({ mode, askBeforeRemembering }) => update((s) => ({ ...s, mode, askBeforeRemembering, onboarded: true })),
  };
}
