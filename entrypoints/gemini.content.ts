import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createGeminiAdapter } from '../src/sites/gemini/adapter';

export default defineContentScript({
  matches: ['https://gemini.google.com/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createGeminiAdapter(), ctx.signal);
  },
});
