import { defineContentScript } from 'wxt/utils/define-content-script';
import { runContentScript } from '../src/capture/run-content-script';
import { createClaudeAdapter } from '../src/sites/claude/adapter';

export default defineContentScript({
  matches: ['https://claude.ai/*'],
  runAt: 'document_start',
  main(ctx) {
    runContentScript(createClaudeAdapter(), ctx.signal);
  },
});
