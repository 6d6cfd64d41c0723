import { render } from 'preact';
import { PopupApp } from '../../src/ui/popup-app';
import { createMemoryListStore, messagingBackend } from '../../src/ui/memory-list-store';
import { createModelStore, extensionModelBackend } from '../../src/ui/model-store';
import { createLlmStore, extensionLlmBackend } from '../../src/ui/llm-store';
import { sendMessage } from '../../src/messaging/protocol';
import '../../src/ui/popup.css';

const app = document.getElementById('app');
if (!app) throw new Error('Engram popup: #app missing');
render(
  <PopupApp
    store={createMemoryListStore(messagingBackend)}
    models={createModelStore(extensionModelBackend)}
    status={() => sendMessage('engineStatus')}
    llm={createLlmStore(extensionLlmBackend)}
  />,
  app,
);
