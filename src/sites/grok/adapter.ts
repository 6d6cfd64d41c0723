import { createSiteAdapter } from '../create-adapter';
import type { PageTurn, SiteAdapter } from '../site-adapter';
import {
  GROK_CONVERSATION_PATH,
  GROK_IN_MESSAGE,
  GROK_MESSAGE,
  GROK_TRANSCRIPT,
  GROK_TURN_CONTAINER,
  grokSelectors,
  isGrokPrivateChat,
} from './selectors';

/** A turn's role: from its test id, or (2025 builds) from its container's alignment. */
function roleOf(turn: Element): PageTurn['role'] | null {
  const testid = turn.getAttribute('data-testid');
  if (testid === 'user-message') return 'user';
  if (testid === 'assistant-message') return 'assistant';
  // A bare bubble around or inside a test-id'd one is that message, already read.
  if (turn.closest(GROK_MESSAGE) || turn.querySelector(GROK_MESSAGE)) return null;
  const container = turn.closest(GROK_TURN_CONTAINER);
  if (container?.classList.contains('items-end')) return 'user';
  if (container?.classList.contains('items-start')) return 'assistant';
  return null;
}

/**
 * The Grok adapter. Grok's composer is a Tiptap (ProseMirror) editor, written the default way
 * (input events); the 2025 textarea composer is still found and written through its value setter.
 *
 * @example
 * const adapter = createGrokAdapter();
 * adapter.readTurns(); // [{ role: 'user', text: 'I live in Lyon', id: '…' }, …]
 */
export function createGrokAdapter(doc: Document = document): SiteAdapter {
  return createSiteAdapter(
    {
      site: 'grok',
      selectors: grokSelectors,
      acceptComposer: (el) => !el.closest(GROK_IN_MESSAGE),
      // The stop control is a button of its own ("chat-stop", 2026-06); never take it for send.
      isSendState: (button) => !/stop/i.test(button.dataset.testid ?? '') && button.getAttribute('aria-disabled') !== 'true',
      roleOf,
      idOf: (turn) => turn.closest(GROK_TURN_CONTAINER)?.id.replace(/^response-/, '') || undefined,
      // While the transcript is busy, the last reply is still streaming.
      isComplete: (turn) => {
        if (roleOf(turn) !== 'assistant' || turn.closest(GROK_TRANSCRIPT)?.getAttribute('aria-busy') !== 'true') return true;
        const replies = doc.querySelectorAll('[data-testid="assistant-message"]');
        return replies[replies.length - 1] !== turn;
      },
      conversationFromPath: (path) => GROK_CONVERSATION_PATH.exec(path)?.[1] ?? null,
      isTemporaryChat: isGrokPrivateChat,
    },
    doc,
  );
}
