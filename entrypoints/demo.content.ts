import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createChatgptAdapter } from '../src/sites/chatgpt/adapter';

/** Engram's built-in demo chat site (npm start), which copies ChatGPT's DOM. Local only. */
export default defineContentScript({
  matches: ['http://localhost/engram-demo/*', 'http://127.0.0.1/engram-demo/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createChatgptAdapter(document, 'demo'), ctx.signal);
  },
});
