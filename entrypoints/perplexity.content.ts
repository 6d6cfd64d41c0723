import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createPerplexityAdapter } from '../src/sites/perplexity/adapter';

export default defineContentScript({
  matches: ['https://www.perplexity.ai/*', 'https://perplexity.ai/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createPerplexityAdapter(), ctx.signal);
  },
});
