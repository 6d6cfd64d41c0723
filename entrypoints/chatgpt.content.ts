import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createChatgptAdapter } from '../src/sites/chatgpt/adapter';

export default defineContentScript({
  matches: ['https://chatgpt.com/*', 'https://chat.openai.com/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createChatgptAdapter(), ctx.signal);
  },
});
