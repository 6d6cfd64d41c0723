import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createDeepseekAdapter } from '../src/sites/deepseek/adapter';

export default defineContentScript({
  matches: ['https://chat.deepseek.com/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createDeepseekAdapter(), ctx.signal);
  },
});
