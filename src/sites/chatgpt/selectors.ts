/**
 * Everything Engram knows of ChatGPT's DOM (https://chatgpt.com/, conversations at /c/<id>).
 * Fallback lists, most specific first; see docs in the repository's sites notes.
 */
export const chatgptSelectors = {
  composer: [
    // Feb 2026: the ProseMirror editor inside the unified composer form.
    'form[data-type="unified-composer"] div#prompt-textarea[contenteditable="true"]',
    // Older builds: the same editor without the form marker.
    'div#prompt-textarea[contenteditable="true"]',
    '[data-testid="prompt-textarea"][contenteditable="true"]',
    // TODO(2026-11): legacy plain textarea composer; drop when no longer seen.
    'textarea#prompt-textarea',
    'form div[contenteditable="true"]',
  ],
  sendButton: [
    // Feb 2026: one button that is "Start Voice" while empty and "Send prompt" with text.
    '#composer-submit-button',
    'button[data-testid="send-button"]',
  ],
  turns: [
    // Feb 2026: article[data-testid="conversation-turn-N"] > div[data-message-author-role].
    'article[data-testid^="conversation-turn-"] [data-message-author-role]',
    '[data-message-author-role]',
  ],
  turnText: ['.whitespace-pre-wrap', '.markdown'],
} as const;

/** The conversation id in a ChatGPT path: /c/<id>, or /g/<gpt>/c/<id> for custom GPTs. */
export const CHATGPT_CONVERSATION_PATH = /\/c\/([\w-]+)/;

/**
 * ChatGPT's Temporary Chat (not saved to its history, not used for its own memory): the page's URL
 * carries `temporary-chat=true` (seen 2025–2026 on chatgpt.com/?temporary-chat=true, the link its
 * "Temporary chat" toggle opens and the one extensions that force it use).
 */
export function isChatgptTemporaryChat(location: Location): boolean {
  return new URLSearchParams(location.search).get('temporary-chat') === 'true';
}

/** Where a ChatGPT conversation lives (what CHATGPT_CONVERSATION_PATH reads back). */
export const chatgptConversationUrl = (id: string): string => `https://chatgpt.com/c/${encodeURIComponent(id)}`;
