import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createChatgptAdapter } from '../src/sites/chatgpt/adapter';

/**
 * Engram's built-in demo chat site (npm start), which copies ChatGPT's DOM. Local only, and only in
 * the development build (`wxt build --mode development`: npm start, npm test): the store build
 * skips this entrypoint (DEMO_MODE in wxt.config.ts), so no local page at this path gets memories.
 */
export default defineContentScript({
  matches: ['http://localhost/engram-demo/*', 'http://127.0.0.1/engram-demo/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createChatgptAdapter(document, 'demo'), ctx.signal);
  },
});
