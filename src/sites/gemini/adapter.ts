import { createSiteAdapter } from '../create-adapter';
import type { SiteAdapter } from '../site-adapter';
import {
  GEMINI_CONVERSATION_PATH,
  GEMINI_QUILL_CLIPBOARD,
  geminiSelectors,
  isGeminiSendState,
  isGeminiTemporaryChat,
} from './selectors';

/**
 * The Gemini adapter. The composer is a Quill editor, which follows the DOM (it observes its root's
 * mutations), so the default writer (input events, else paragraphs written by hand) suits it; it
 * writes the editor itself, never Quill's paste buffer.
 *
 * @example
 * const adapter = createGeminiAdapter();
 * await adapter.writeComposer("I'm vegetarian");
 */
export function createGeminiAdapter(doc: Document = document): SiteAdapter {
  return createSiteAdapter(
    {
      site: 'gemini',
      selectors: geminiSelectors,
      acceptComposer: (el) => el.closest(GEMINI_QUILL_CLIPBOARD) === null,
      isSendState: isGeminiSendState,
      roleOf: (turn) => {
        if (turn.matches('user-query')) return 'user';
        if (turn.matches('model-response')) return 'assistant';
        return null;
      },
      conversationFromPath: (path) => GEMINI_CONVERSATION_PATH.exec(path)?.[1] ?? null,
      isTemporaryChat: isGeminiTemporaryChat,
    },
    doc,
  );
}
