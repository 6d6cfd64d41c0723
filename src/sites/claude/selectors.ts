/**
 * Everything Engram knows of Claude's DOM (https://claude.ai/new, conversations at /chat/<id>).
 * Fallback lists, most specific first.
 */
export const claudeSelectors = {
  composer: [
    // Feb 2026: the Tiptap/ProseMirror editor. A server-rendered inert twin sits beside it and is
    // rejected by the adapter's acceptComposer.
    'div[contenteditable="true"][data-testid="chat-input"]',
    'div[contenteditable="true"][aria-label*="prompt" i]',
    // TODO(2026-11): older builds without the test id.
    'div[contenteditable="true"].ProseMirror',
  ],
  sendButton: [
    'button[aria-label="Send message"]',
    // TODO(2026-11): older capitalisation.
    'button[aria-label="Send Message"]',
  ],
  turns: [
    // Feb 2026.
    '[data-testid="user-message"]',
    '.font-claude-response',
    // TODO(2026-11): older class names.
    '.font-user-message',
    '.font-claude-message',
  ],
  turnText: [],
} as const;

/**
 * Feb 2026: every reply of the conversation sits in a wrapper that says whether it is still
 * streaming; the artifact side panel's `.font-claude-response` does not.
 */
export const CLAUDE_MESSAGE_WRAPPER = '[data-is-streaming]';

/** Marks the server-rendered, inert copy of the composer that must never be written. */
export const CLAUDE_SSR_TWIN = '[data-testid="prompt-input-ssr-interactive"]';

export const CLAUDE_CONVERSATION_PATH = /\/chat\/([\w-]+)/;

/**
 * Claude's incognito chats (not saved, not in its memory): opened at claude.ai/new?incognito (its
 * ghost-icon toggle, from August 2025); the parameter may be bare or carry a value.
 */
export function isClaudeIncognito(location: Location): boolean {
  return new URLSearchParams(location.search).has('incognito');
}

/** Where a Claude conversation lives (what CLAUDE_CONVERSATION_PATH reads back). */
export const claudeConversationUrl = (id: string): string => `https://claude.ai/chat/${encodeURIComponent(id)}`;
