import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createGrokAdapter } from '../src/sites/grok/adapter';

export default defineContentScript({
  matches: ['https://grok.com/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createGrokAdapter(), ctx.signal);
  },
});
