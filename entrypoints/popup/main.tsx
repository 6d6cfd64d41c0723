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
import '../../src/ui/popup.css';

/** The demo chat site exists in the development build only (wxt.config.ts DEMO_MODE). */
const CHAT_SITES: readonly SiteId[] = ['chatgpt', 'claude', 'gemini', 'perplexity', 'deepseek', 'grok'];
const SITES: readonly SiteId[] = import.meta.env.MODE === 'development' ? [...CHAT_SITES, 'demo'] : CHAT_SITES;
const siteIssues = () => sendMessage('siteIssues');

const app = document.getElementById('app');
if (!app) throw new Error('Engram popup: #app missing');
render(
  <PopupApp
    store={createMemoryListStore(messagingBackend)}
    models={createModelStore(extensionModelBackend)}
    status={() => sendMessage('engineStatus')}
    llm={createLlmStore(extensionLlmBackend)}
    siteIssues={siteIssues}
    control={createControlStore(createExtensionControlBackend())}
    inbox={createInboxStore(messagingInboxBackend)}
    log={createInjectionLogStore(messagingLogBackend)}
    sites={SITES}
  />,
  app,
);
