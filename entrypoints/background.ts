import { defineBackground } from 'wxt/utils/define-background';
import { runDiagnostics } from '../src/background/diagnostics';
import { createExtensionEngine } from '../src/background/extension-engine';
import { registerHandlers } from '../src/background/register-handlers';

export default defineBackground({
  type: 'module',
  main() {
    const engine = createExtensionEngine();
    registerHandlers(engine);
    // For the service worker's DevTools console (and the end-to-end tests): `await engram.memory.search('…')`.
    Object.assign(globalThis, { engram: { memory: engine.memory, models: engine.models, diagnostics: () => runDiagnostics(engine) } });
  },
});
