import { render } from 'preact';
import { createControlStore, createExtensionControlBackend } from '../../src/ui/control-store';
import { DEMO_CHAT_URL, openOptions } from '../../src/ui/extension-wiring';
import { createLlmStore, extensionLlmBackend } from '../../src/ui/llm-store';
import { createModelStore, extensionModelBackend } from '../../src/ui/model-store';
import { OnboardingFlow } from '../../src/ui/onboarding-flow';
import '../../src/ui/engram.css';

const app = document.getElementById('app');
if (!app) throw new Error('Engram onboarding: #app missing');
render(
  <OnboardingFlow
    control={createControlStore(createExtensionControlBackend())}
    models={createModelStore(extensionModelBackend)}
    llm={createLlmStore(extensionLlmBackend)}
    demoUrl={DEMO_CHAT_URL}
    openOptions={openOptions}
  />,
  app,
);
