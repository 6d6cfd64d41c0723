import { render } from 'preact';
import type { SiteId } from '../../src/core/types';
import { PopupApp } from '../../src/ui/popup-app';
import { createMemoryListStore, messagingBackend } from '../../src/ui/memory-list-store';
import { createModelStore, extensionModelBackend } from '../../src/ui/model-store';
import { createLlmStore, extensionLlmBackend } from '../../src/ui/llm-store';
import { createControlStore, createExtensionControlBackend } from '../../src/ui/control-store';
import { createInboxStore, messagingInboxBackend } from '../../src/ui/inbox-store';
import { createInjectionLogStore, messagingLogBackend } from '../../src/ui/injection-log-store';
import { sendMessage } from '../../src/messaging/protocol';
import { MatchPattern } from 'wxt/utils/match-patterns';
import type { GenericSiteBackend } from '../../src/ui/generic-site';
import '../../src/ui/popup.css';

/** The demo chat site exists in the development build only (wxt.config.ts DEMO_MODE). */
const CHAT_SITES: readonly SiteId[] = ['chatgpt', 'claude', 'gemini', 'perplexity', 'deepseek', 'grok', 'generic'];
const SITES: readonly SiteId[] = import.meta.env.MODE === 'development' ? [...CHAT_SITES, 'demo'] : CHAT_SITES;
const siteIssues = () => sendMessage('siteIssues');

/** The manifest's chat sites (their own adapters): no need to turn the generic one on there. */
const knownPatterns = (chrome.runtime.getManifest().content_scripts ?? []).flatMap((c) => c.matches ?? []).map((p) => new MatchPattern(p));
const genericSites: GenericSiteBackend = {
  async currentTab() {
    // The last focused browser window's tab (the popup's own window, when it is one, is not it).
    const win = await chrome.windows.getLastFocused({ windowTypes: ['normal'] });
    const [tab] = await chrome.tabs.query({ active: true, windowId: win.id });
    return tab ? { ...(tab.id === undefined ? {} : { id: tab.id }), ...(tab.url ? { url: tab.url } : {}) } : null;
  },
  isKnownSite: (url) => knownPatterns.some((p) => p.includes(url)),
  enabled: async () => (await sendMessage('genericSites')).origins,
  request: (origin) => chrome.permissions.request({ origins: [`${origin}/*`] }),
  enable: async (origin, tabId) => {
    await sendMessage('enableGenericSite', { origin, ...(tabId === undefined ? {} : { tabId }) });
  },
  disable: async (origin) => {
    await sendMessage('disableGenericSite', origin);
  },
};

const app = document.getElementById('app');
if (!app) throw new Error('Engram popup: #app missing');
render(
  <PopupApp
    store={createMemoryListStore(messagingBackend)}
    models={createModelStore(extensionModelBackend)}
    status={() => sendMessage('engineStatus')}
    llm={createLlmStore(extensionLlmBackend)}
    siteIssues={siteIssues}
    genericSites={genericSites}
    control={createControlStore(createExtensionControlBackend())}
    inbox={createInboxStore(messagingInboxBackend)}
    log={createInjectionLogStore(messagingLogBackend)}
    sites={SITES}
  />,
  app,
);
