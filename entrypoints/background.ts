import { defineBackground } from 'wxt/utils/define-background';
import { createExtensionEngine } from '../src/background/extension-engine';
import { registerHandlers } from '../src/background/register-handlers';

export default defineBackground({
  type: 'module',
  main() {
    const { service, embedder } = createExtensionEngine();
    registerHandlers(service, embedder);
  },
});
