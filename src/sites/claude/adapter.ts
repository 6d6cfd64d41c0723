import { createSiteAdapter } from '../create-adapter';
import type { SiteAdapter } from '../site-adapter';
import { CLAUDE_CONVERSATION_PATH, CLAUDE_MESSAGE_WRAPPER, CLAUDE_SSR_TWIN, claudeSelectors, isClaudeIncognito } from './selectors';

/**
 * The Claude adapter.
 *
 * @example
 * const adapter = createClaudeAdapter();
 * await adapter.writeComposer('Hello');
 */
export function createClaudeAdapter(doc: Document = document): SiteAdapter {
  return createSiteAdapter(
    {
      site: 'claude',
      selectors: claudeSelectors,
      acceptComposer: (el) => !el.closest(CLAUDE_SSR_TWIN),
      acceptSendButton: (el) => !el.closest(CLAUDE_SSR_TWIN),
      isSendState: () => true,
      roleOf: (turn) => {
        if (turn.matches('[data-testid="user-message"], .font-user-message')) return 'user';
        // Replies sit in the thread's message wrappers; the artifact side panel reuses
        // .font-claude-response outside them, and is not a turn of the conversation.
        if (turn.matches('.font-claude-response') && !turn.closest(CLAUDE_MESSAGE_WRAPPER)) return null;
        return 'assistant';
      },
      // Assistant replies are final once their wrapper says data-is-streaming="false".
      isComplete: (turn) => turn.closest('[data-is-streaming="true"]') === null,
      conversationFromPath: (path) => CLAUDE_CONVERSATION_PATH.exec(path)?.[1] ?? null,
      isTemporaryChat: isClaudeIncognito,
    },
    doc,
  );
}
