import { render } from 'preact';
import { createControlStore, createExtensionControlBackend } from '../../src/ui/control-store';
import { currentSite, genericSitesBackend, openOptions, siteIssues, SITES } from '../../src/ui/extension-wiring';
import { createInboxStore, messagingInboxBackend } from '../../src/ui/inbox-store';
import { createInjectionLogStore, messagingLogBackend } from '../../src/ui/injection-log-store';
import { createLlmStore, extensionLlmBackend } from '../../src/ui/llm-store';
import { createMemoryListStore, firstShown, messagingBackend, withFirstPage } from '../../src/ui/memory-list-store';
import { createModelStore, extensionModelBackend } from '../../src/ui/model-store';
import { PopupApp } from '../../src/ui/popup-app';
import { sendMessage } from '../../src/messaging/protocol';
import { takeSavedFirstPage } from '../../src/db/saved-first-page';
import { HEAD_ROWS } from '../../src/db/saved-head';
import '../../src/ui/engram.css';

// The memories are what the popup is opened for: their first page is asked for at once, before the
// page renders (read from IndexedDB when the saved head can answer, a read index.html's first
// script started: entrypoints/popup-first-page.ts; else from the worker), and
// every other panel's first read waits until it is shown (they share the one service worker, which
// would otherwise answer them in between). Actions are never held back.
const memories = createMemoryListStore(withFirstPage(messagingBackend, takeSavedFirstPage(HEAD_ROWS)));
void memories.load();
const shown = firstShown(memories);
const later =
  <A extends unknown[], T>(read: (...args: A) => Promise<T>) =>
  (...args: A): Promise<T> =>
    shown.then(() => read(...args));

const app = document.getElementById('app');
if (!app) throw new Error('Engram popup: #app missing');
render(
  <PopupApp
    store={memories}
    preloaded
    models={createModelStore({ ...extensionModelBackend, status: later(() => extensionModelBackend.status()) })}
    status={later(() => sendMessage('engineStatus'))}
    llm={createLlmStore({ ...extensionLlmBackend, status: later(() => extensionLlmBackend.status()) })}
    siteIssues={later(siteIssues)}
    genericSites={{ ...genericSitesBackend, enabled: later(() => genericSitesBackend.enabled()) }}
    control={createControlStore(createExtensionControlBackend())}
    inbox={createInboxStore({ ...messagingInboxBackend, list: later(() => messagingInboxBackend.list()) })}
    log={createInjectionLogStore({ list: later((query: Parameters<typeof messagingLogBackend.list>[0]) => messagingLogBackend.list(query)) })}
    sites={SITES}
    currentSite={currentSite}
    openOptions={openOptions}
  />,
  app,
);
