import type { SiteId } from '../../core/types';
import { createSiteAdapter } from '../create-adapter';
import type { SiteAdapter } from '../site-adapter';
import { CHATGPT_CONVERSATION_PATH, chatgptSelectors, isChatgptTemporaryChat } from './selectors';

/**
 * The ChatGPT adapter. `site` is 'demo' for Engram's demo chat site, which copies ChatGPT's DOM.
 *
 * @example
 * const adapter = createChatgptAdapter();
 * adapter.readComposer(); // "I'm vegetarian"
 */
export function createChatgptAdapter(doc: Document = document, site: SiteId = 'chatgpt'): SiteAdapter {
  return createSiteAdapter(
    {
      site,
      selectors: chatgptSelectors,
      isSendState: (button) => {
        const label = `${button.getAttribute('aria-label') ?? ''} ${button.dataset.testid ?? ''}`;
        return /send/i.test(label) && !/voice|stop/i.test(label);
      },
      roleOf: (turn) => {
        const role = turn.getAttribute('data-message-author-role');
        return role === 'user' || role === 'assistant' ? role : null;
      },
      idOf: (turn) => turn.getAttribute('data-message-id') ?? undefined,
      conversationFromPath: (path) => CHATGPT_CONVERSATION_PATH.exec(path)?.[1] ?? null,
      isTemporaryChat: isChatgptTemporaryChat,
    },
    doc,
  );
}
