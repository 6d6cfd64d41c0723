import { signal, type Signal } from '@preact/signals';
import { readControl, watchControl, writeControl } from '../adapters/control-storage';
import { DEFAULT_INJECTION, parseControl, type ControlSettings, type InjectionMode, type InjectionSettings } from '../core/control';
import type { SiteId } from '../core/types';
import { RECALL } from '../engine/recall-settings';
import { S } from './strings';

/** The chat sites by the names the popup shows them under (every popup section uses these). */
export { SITE_NAMES } from '../core/site-names';

/** Each injection mode as the popup's choices name it, in the order they are offered. */
export const MODE_CHOICES: readonly { mode: InjectionMode; label: string; hint: string }[] = (['review', 'automatic', 'manual', 'off'] as const).map(
  (mode) => ({ mode, ...S.modeChoices[mode] }),
);

export { DEFAULT_INJECTION, INJECTION_LIMITS } from '../core/control';

/** The relevance threshold Engram calibrated for its bundled model (shown as the default). */
export const CALIBRATED_THRESHOLD = RECALL.threshold;

/** The injection settings, read defensively (settings written before they existed lack them). */
export function injectionOf(settings: ControlSettings): InjectionSettings {
  const stored = (settings as Partial<ControlSettings>).injection;
  return { ...DEFAULT_INJECTION, ...stored };
}

/** Each site's default space (new memories from it are filed there). */
export function spaceBySiteOf(settings: ControlSettings): Partial<Record<SiteId, string>> {
  return { ...(settings as Partial<ControlSettings>).spaceBySite };
}

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
  /** The user skipped the first-run choices: the defaults stay, and it is not shown again. */
  skipOnboarding(): Promise<boolean>;
  /** Change how much goes into a prompt (the other fields stay). */
  setInjection(change: Partial<InjectionSettings>): Promise<boolean>;
  /** A site's default space; null: none. */
  setSiteSpace(site: SiteId, space: string | null): Promise<boolean>;
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
    skipOnboarding: () => update((s) => ({ ...s, onboarded: true })),
    setInjection: (change) => update((s) => ({ ...s, injection: { ...injectionOf(s), ...change } })),
    setSiteSpace: (site, space) =>
      update((s) => {
        const { [site]: _previous, ...others } = spaceBySiteOf(s);
        return { ...s, spaceBySite: space === null ? others : { ...others, [site]: space } };
      }),
  };
}
