/**
 * How Engram acts on each chat site, as the user chose it: the injection mode (globally and per
 * site), the global pause, and whether new memories from chats wait for the user's consent.
 * A leaf module: the content scripts, the background and the popup all read it.
 */
import type { SiteId } from './types';

/**
 * - `automatic`: the relevant memories are added to every prompt the user sends.
 * - `review`: they are listed in a panel above the composer; the user removes any, then sends.
 * - `manual`: nothing is added unless the user asks (the panel's button, or the extension's shortcut).
 * - `off`: Engram neither adds memories nor remembers anything on that site.
 */
export type InjectionMode = 'automatic' | 'review' | 'manual' | 'off';

/** The extension command (manifest `commands`) that inserts memories in manual mode. */
export const INSERT_MEMORIES_COMMAND = 'insert-memories';

export const INJECTION_MODES: readonly InjectionMode[] = ['automatic', 'review', 'manual', 'off'];

export interface ControlSettings {
  /** The mode of every site without its own. A new install reviews. */
  mode: InjectionMode;
  /** Per-site modes, over `mode`. */
  sites: Partial<Record<SiteId, InjectionMode>>;
  /** Paused: no site gets memories, nothing is remembered, until the user resumes. */
  paused: boolean;
  /** New memories from chats wait in the popup's inbox until the user accepts them. */
  askBeforeRemembering: boolean;
  /** The user has seen the first-run choices (the popup's onboarding). */
  onboarded: boolean;
}

export const DEFAULT_CONTROL: ControlSettings = {
  mode: 'review',
  sites: {},
  paused: false,
  askBeforeRemembering: false,
  onboarded: false,
};

/** What Engram does on `site` now: its mode, or `paused`. */
export type SiteState = InjectionMode | 'paused';

export function stateOf(settings: ControlSettings, site: SiteId): SiteState {
  if (settings.paused) return 'paused';
  return settings.sites[site] ?? settings.mode;
}

/** Whether Engram captures turns on `site` (paused and off sites are left alone). */
export function captures(state: SiteState): boolean {
  return state !== 'paused' && state !== 'off';
}

const isMode = (value: unknown): value is InjectionMode => typeof value === 'string' && (INJECTION_MODES as readonly string[]).includes(value);

/**
 * Stored settings as they may be (an older version, a hand-edited profile), made whole: every
 * unknown or malformed field takes its default, so a bad value never breaks a page.
 */
export function parseControl(value: unknown): ControlSettings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof ControlSettings, unknown>>;
  const sites: Partial<Record<SiteId, InjectionMode>> = {};
  if (typeof v.sites === 'object' && v.sites !== null) {
    for (const [site, mode] of Object.entries(v.sites as Record<string, unknown>)) {
      if (/^[a-z][a-z0-9-]{0,40}$/.test(site) && isMode(mode)) sites[site as SiteId] = mode;
    }
  }
  return {
    mode: isMode(v.mode) ? v.mode : DEFAULT_CONTROL.mode,
    sites,
    paused: v.paused === true,
    askBeforeRemembering: v.askBeforeRemembering === true,
    onboarded: v.onboarded === true,
  };
}
