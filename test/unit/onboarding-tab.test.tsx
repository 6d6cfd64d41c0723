// @vitest-environment node
/**
 * The onboarding tab opens once, on install, unless the user went through the first-run choices
 * already; never on an update.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ONBOARDING_PATH, registerOnboardingTab } from '../../src/background/onboarding-tab';

type Installed = (details: { reason: string }) => void;

/** The bits of `chrome` the listener uses: the install event, and tabs opened. */
function stubChrome() {
  const listeners: Installed[] = [];
  const create = vi.fn((_: { url: string }) => Promise.resolve({}));
  vi.stubGlobal('chrome', {
    runtime: {
      onInstalled: { addListener: (l: Installed) => listeners.push(l) },
      getURL: (path: string) => `chrome-extension://engram${path}`,
    },
    tabs: { create },
  });
  return {
    create,
    fire: (reason: string) => {
      for (const l of listeners) l({ reason });
    },
    listeners,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('registerOnboardingTab', () => {
  it('opens the onboarding page in a tab on install', async () => {
    const browser = stubChrome();
    registerOnboardingTab({ isOnboarded: () => Promise.resolve(false) });
    expect(browser.listeners).toHaveLength(1); // registered at once, at the worker's top level
    browser.fire('install');
    await vi.waitFor(() => {
      expect(browser.create).toHaveBeenCalledWith({ url: 'chrome-extension://engram/onboarding.html' });
    });
    expect(ONBOARDING_PATH).toBe('/onboarding.html');
  });

  it('does not open it on an update, or when the user was onboarded already', async () => {
    const browser = stubChrome();
    const onboarded = vi.fn(() => Promise.resolve(true));
    registerOnboardingTab({ isOnboarded: onboarded });
    browser.fire('update');
    browser.fire('chrome_update');
    browser.fire('install');
    await vi.waitFor(() => {
      expect(onboarded).toHaveBeenCalledOnce();
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(browser.create).not.toHaveBeenCalled();
  });

  it('opens it when the settings cannot be read (a new install’s)', async () => {
    const browser = stubChrome();
    registerOnboardingTab({ isOnboarded: () => Promise.reject(new Error('storage unavailable')) });
    browser.fire('install');
    await vi.waitFor(() => {
      expect(browser.create).toHaveBeenCalledOnce();
    });
  });
});
