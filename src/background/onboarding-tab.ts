/**
 * The onboarding tab: opened once, when Engram is installed (not on an update or a browser
 * update), unless the user has been through the first-run choices already (a profile restored
 * from sync, a reinstall that kept its storage). The page (entrypoints/onboarding) marks the user
 * onboarded when they finish or skip it, so the popup's first-run card does not show either.
 */
import { readControl } from '../adapters/control-storage';

/** The onboarding page's path in the extension (entrypoints/onboarding/index.html). */
export const ONBOARDING_PATH = '/onboarding.html';

export interface OnboardingTabOptions {
  /** Whether the user has been through the first-run choices (default: the stored control settings). */
  isOnboarded?: () => Promise<boolean>;
}

/**
 * Listen for the install and open the onboarding tab then. Call it at the service worker's top
 * level, so the listener is there when the install event fires.
 *
 * @example
 * registerOnboardingTab(); // entrypoints/background.ts
 */
export function registerOnboardingTab(options: OnboardingTabOptions = {}): void {
  const isOnboarded = options.isOnboarded ?? (async () => (await readControl()).onboarded);
  chrome.runtime.onInstalled.addListener((details) => {
    if (details.reason !== 'install') return;
    void (async () => {
      // Settings that cannot be read are a new install's: show the onboarding.
      const done = await isOnboarded().catch(() => false);
      if (done) return;
      await chrome.tabs.create({ url: chrome.runtime.getURL(ONBOARDING_PATH) });
    })().catch((error: unknown) => {
      console.warn('Engram: could not open the onboarding tab', error);
    });
  });
}
