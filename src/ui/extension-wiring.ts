/**
 * The real browser behind the pages' stores (popup, options page, onboarding tab): the chat sites
 * this build serves, the tab the user is on, turning Engram on for another site, opening the
 * options page. Imported by the entrypoints only (it touches `chrome.*`); tests use doubles.
 */
import { MatchPattern } from 'wxt/utils/match-patterns';
import { contentScriptSites, matchesPattern } from '../background/senders';
import type { SiteId } from '../core/types';
import { sendMessage, type SiteIssue } from '../messaging/protocol';
import type { GenericSiteBackend } from './generic-site';

/** The demo chat site exists in the development build only (wxt.config.ts DEMO_MODE). */
const CHAT_SITES: readonly SiteId[] = ['chatgpt', 'claude', 'gemini', 'perplexity', 'deepseek', 'grok', 'generic'];
export const DEVELOPMENT = import.meta.env.MODE === 'development';
export const SITES: readonly SiteId[] = DEVELOPMENT ? [...CHAT_SITES, 'demo'] : CHAT_SITES;

/**
 * The demo chat (`npm start`'s local server), linked from the onboarding in development builds:
 * `WXT_DEMO_URL` when the build is given it, else the demo server on ENGRAM_DEMO_PORT's usual port.
 */
export const DEMO_CHAT_URL: string | undefined = DEVELOPMENT
  ? ((import.meta.env.WXT_DEMO_URL as string | undefined) ?? 'http://127.0.0.1:8123/engram-demo/')
  : undefined;

export const siteIssues = (): Promise<SiteIssue[]> => sendMessage('siteIssues');

export const openOptions = (): void => {
  void chrome.runtime.openOptionsPage();
};

/** The tab the user is on: the last focused browser window's (the popup's own window, when it is one, is not it). */
async function activeTab(): Promise<{ id?: number; url?: string } | null> {
  const win = await chrome.windows.getLastFocused({ windowTypes: ['normal'] });
  const [tab] = await chrome.tabs.query({ active: true, windowId: win.id });
  return tab ? { ...(tab.id === undefined ? {} : { id: tab.id }), ...(tab.url ? { url: tab.url } : {}) } : null;
}

/** The manifest's chat sites (their own adapters): no need to turn the generic one on there. */
const manifestSites = () => contentScriptSites(chrome.runtime.getManifest());

export const genericSitesBackend: GenericSiteBackend = {
  currentTab: activeTab,
  isKnownSite: (url) => manifestSites().some((s) => s.matches.some((p) => new MatchPattern(p).includes(url))),
  enabled: async () => (await sendMessage('genericSites')).origins,
  request: (origin) => chrome.permissions.request({ origins: [`${origin}/*`] }),
  enable: async (origin, tabId) => {
    await sendMessage('enableGenericSite', { origin, ...(tabId === undefined ? {} : { tabId }) });
  },
  disable: async (origin) => {
    await sendMessage('disableGenericSite', origin);
  },
};

/** The chat site of the tab the user is on: one of the manifest's, or another site the user turned Engram on for. */
export async function currentSite(): Promise<SiteId | null> {
  const tab = await activeTab();
  if (!tab?.url) return null;
  let url: URL;
  try {
    url = new URL(tab.url);
  } catch {
    return null;
  }
  const known = manifestSites().find((s) => s.matches.some((pattern) => matchesPattern(pattern, url)));
  if (known) return known.site;
  const enabled = await genericSitesBackend.enabled().catch((): string[] => []);
  return enabled.includes(url.origin) ? 'generic' : null;
}
