import { render } from 'preact';
import { readSavedFirstPage } from '../../src/db/saved-first-page';
import { HEAD_ROWS } from '../../src/db/saved-head';
import { createControlStore, createExtensionControlBackend } from '../../src/ui/control-store';
import { SITES } from '../../src/ui/extension-wiring';
import { createInboxStore, messagingInboxBackend } from '../../src/ui/inbox-store';
import { createInjectionLogStore, messagingLogBackend } from '../../src/ui/injection-log-store';
import { createLlmStore, extensionLlmBackend } from '../../src/ui/llm-store';
import { createMemoryListStore, messagingBackend, withFirstPage } from '../../src/ui/memory-list-store';
import { createModelStore, extensionModelBackend } from '../../src/ui/model-store';
import { OptionsApp } from '../../src/ui/options-app';
import { createSpacesStore, messagingSpacesBackend } from '../../src/ui/spaces-store';
import '../../src/ui/engram.css';

// The list's first page from IndexedDB when the saved head can answer (src/db/saved-first-page.ts).
const memories = createMemoryListStore(withFirstPage(messagingBackend, readSavedFirstPage({ limit: HEAD_ROWS })));
// A space renamed or deleted moves its memories: the manager reads them again.
const spaces = createSpacesStore(messagingSpacesBackend, () => {
  void memories.load();
});

const app = document.getElementById('app');
if (!app) throw new Error('Engram options: #app missing');
render(
  <OptionsApp
    control={createControlStore(createExtensionControlBackend())}
    memories={memories}
    spaces={spaces}
    models={createModelStore(extensionModelBackend)}
    llm={createLlmStore(extensionLlmBackend)}
    log={createInjectionLogStore(messagingLogBackend)}
    inbox={createInboxStore(messagingInboxBackend)}
    sites={SITES}
  />,
  app,
);
