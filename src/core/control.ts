/**
 * How Engram acts on each chat site, as the user chose it: the injection mode (globally and per
 * site), the global pause, and whether new memories from chats wait for the user's consent.
 * A leaf module: the content scripts, the background and the popup all read it.
 */
import { spacePath, type SiteId } from './types';

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
  /** What a prompt gets: how many memories, the block's budget, the relevance threshold. */
  injection: InjectionSettings;
  /** The space memories captured on a site are filed in (a path such as `work/atlas`); none when absent. */
  spaceBySite: Partial<Record<SiteId, string>>;
}

/** What recall puts in a prompt, as the user set it (the options page). */
export interface InjectionSettings {
  /** At most this many memories go into a prompt. */
  topK: number;
  /** The memory block's budget in tokens (≈ characters / 4). */
  budgetTokens: number;
  /** The relevance threshold (cosine, 0–1); null: the one calibrated for the embedding model. */
  threshold: number | null;
}

/** The range of each injection setting (the options page's inputs; larger stored values are clamped). */
export const INJECTION_LIMITS = {
  topK: { min: 1, max: 20 },
  budgetTokens: { min: 50, max: 2000 },
  threshold: { min: 0, max: 1 },
} as const;

/**
 * Recall's own defaults (engine/recall-settings.ts `RECALL`), copied: this leaf module is read by
 * content scripts, which must not load the engine. A unit test keeps the two equal.
 */
export const DEFAULT_INJECTION: Readonly<InjectionSettings> = { topK: 5, budgetTokens: 300, threshold: null };

export const DEFAULT_CONTROL: ControlSettings = {
  mode: 'review',
  sites: {},
  paused: false,
  askBeforeRemembering: false,
  onboarded: false,
  injection: { ...DEFAULT_INJECTION },
  spaceBySite: {},
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

/** A site id as stored (a key of `sites` or `spaceBySite`). */
const SITE_KEY = /^[a-z][a-z0-9-]{0,40}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A stored number within its range (clamped; an integer when `integer`), or the default when it is none. */
function inRange(value: unknown, limits: { min: number; max: number }, fallback: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const n = integer ? Math.round(value) : value;
  return Math.min(limits.max, Math.max(limits.min, n));
}

function parseInjection(value: unknown): InjectionSettings {
  const v = isObject(value) ? value : {};
  const { topK, budgetTokens, threshold } = INJECTION_LIMITS;
  return {
    topK: inRange(v.topK, topK, DEFAULT_INJECTION.topK, true),
    budgetTokens: inRange(v.budgetTokens, budgetTokens, DEFAULT_INJECTION.budgetTokens, true),
    // Anything but a number (null, a string, missing) is the calibrated default.
    threshold: typeof v.threshold === 'number' && Number.isFinite(v.threshold) ? inRange(v.threshold, threshold, 0, false) : null,
  };
}

/**
 * Stored settings as they may be (an older version, a hand-edited profile), made whole: every
 * unknown or malformed field takes its default, so a bad value never breaks a page.
 */
export function parseControl(value: unknown): ControlSettings {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof ControlSettings, unknown>>;
  const sites: Partial<Record<SiteId, InjectionMode>> = {};
  if (typeof v.sites === 'object' && v.sites !== null) {
    for (const [site, mode] of Object.entries(v.sites as Record<string, unknown>)) {
      if (SITE_KEY.test(site) && isMode(mode)) sites[site as SiteId] = mode;
    }
  }
  const spaceBySite: Partial<Record<SiteId, string>> = {};
  if (isObject(v.spaceBySite)) {
    for (const [site, space] of Object.entries(v.spaceBySite)) {
      const path = spacePath(space);
      if (SITE_KEY.test(site) && path !== null) spaceBySite[site as SiteId] = path;
    }
  }
  return {
    mode: isMode(v.mode) ? v.mode : DEFAULT_CONTROL.mode,
    sites,
    paused: v.paused === true,
    askBeforeRemembering: v.askBeforeRemembering === true,
    onboarded: v.onboarded === true,
    injection: parseInjection(v.injection),
    spaceBySite,
  };
}
