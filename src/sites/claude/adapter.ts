import { createSiteAdapter } from '../create-adapter';
import type { SiteAdapter } from '../site-adapter';
import { CLAUDE_CONVERSATION_PATH, CLAUDE_SSR_TWIN, claudeSelectors, isClaudeIncognito } from './selectors';

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
      isSendState: () => true,
      roleOf: (turn) =>
        turn.matches('[data-testid="user-message"], .font-user-message') ? 'user' : 'assistant',
      // Assistant replies are final once their wrapper says data-is-streaming="false".
      isComplete: (turn) => turn.closest('[data-is-streaming="true"]') === null,
      conversationFromPath: (path) => CLAUDE_CONVERSATION_PATH.exec(path)?.[1] ?? null,
      isTemporaryChat: isClaudeIncognito,
    },
    doc,
  );
}
