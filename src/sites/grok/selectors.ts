/**
 * Everything Engram knows of Grok's DOM (https://grok.com/, conversations at /c/<id>). Fallback
 * lists, most specific first.
 *
 * There is no capture of Grok in this repository. What this relies on, all public and all of
 * 2025–2026:
 * - jazelly/tokenless, test/fixtures/provider-dom/grok/signed-in-unknown/composer-idle.html with its
 *   .provenance.json (observed 2026-07-17 on a signed-in grok.com/): the composer is a Tiptap
 *   (ProseMirror) editor, `div.tiptap.ProseMirror[contenteditable="true"][role="textbox"]
 *   [aria-label="Ask Grok anything"][aria-multiline="true"]` holding `<p><br></p>` when empty;
 *   packages/cli/src/playwright/providers.ts (2026): send
 *   `button[data-testid="chat-submit"][aria-label="Submit"][type="submit"]`, replies
 *   `div[data-testid="assistant-message"]`, and the older composer
 *   `textarea[aria-label="Ask Grok anything"]`.
 * - chiimagnus/SyncNos, src/collectors/grok/grok-collector.ts (2026): conversations at
 *   `/c/<uuid>`; the transcript `main [data-testid="chat-transcript-scroller"]` (aria-busy="true"
 *   while a reply streams) holds rows `[data-plane-row^="gateway:"]`, each with an
 *   `[id^="response-"]` container (user and reply have distinct ids) around a bubble
 *   `[data-testid="user-message"]` or `[data-testid="assistant-message"]` whose text is in
 *   `.response-content-markdown`; code blocks are `[data-testid="code-block"]`; a bubble holding a
 *   contenteditable or textarea is a message being edited.
 * - mem0ai/mem0-chrome-extension (archived), src/grok/content.ts (2025): the composer was then a
 *   textarea (`textarea[aria-label="Ask Grok anything"]`, placeholder "Ask anything"); its send
 *   listener looked for `button[type="submit"]` (aria-label "Submit"); src/utils/site_config.ts
 *   looks for `textarea, [contenteditable="true"]` in the composer's form.
 * - dmitrii-fediuk/vm, s/Grok/common.js and s/Grok/chat.js (comments dated 2025-02 to 2025-04):
 *   `form.bottom-0 textarea[aria-label="Ask Grok anything"]` inside `.query-bar`, messages in
 *   `.message-bubble`, conversations then at /chat/<id>.
 * Supermemory's extension (supermemoryai/supermemory, apps/browser-extension/entrypoints/content/
 * grok.ts) only adds a button to Grok's "Memory from your chats" settings dialog: nothing about
 * the composer, the send button or the turns.
 */
export const grokSelectors = {
  composer: [
    // 2026 (tokenless, SyncNos): the Tiptap editor; role and class are language-independent.
    'div.tiptap.ProseMirror[contenteditable="true"][role="textbox"]',
    'div.ProseMirror[contenteditable="true"]',
    // TODO(2026-12): the 2025 textarea composer in the query bar (mem0, dmitrii-fediuk/vm).
    '.query-bar textarea',
    // Last resorts: English-only labels.
    'div[contenteditable="true"][aria-label="Ask Grok anything"]',
    'textarea[aria-label="Ask Grok anything"]',
  ],
  sendButton: [
    // 2026 (tokenless; a 2026-06 collector notes it is enabled once the composer has text).
    'button[data-testid="chat-submit"]',
    // 2025 (mem0): the composer form's submit button.
    'form button[type="submit"]',
    // Last resort: an English-only label.
    'button[aria-label="Submit"]',
  ],
  turns: [
    // 2026 (SyncNos, tokenless): the message bubbles, with their role in the test id.
    '[data-testid="user-message"]',
    '[data-testid="assistant-message"]',
    // TODO(2026-12): 2025 builds without the test ids: the bubble in its `response-` container,
    // which says the role by its alignment (items-end: user, items-start: Grok).
    '[id^="response-"] .message-bubble',
  ],
  turnText: ['.response-content-markdown'],
} as const;

/** The bubbles that carry their role in their test id. */
export const GROK_MESSAGE = '[data-testid="user-message"], [data-testid="assistant-message"]';

/** Anything inside a message (an editor there edits that message, it is not the composer). */
export const GROK_IN_MESSAGE = `${GROK_MESSAGE}, .message-bubble, [id^="response-"]`;

/** The transcript, `aria-busy="true"` while a reply streams (SyncNos, 2026). */
export const GROK_TRANSCRIPT = '[data-testid="chat-transcript-scroller"]';

/** The id of a turn's `response-<id>` container. */
export const GROK_TURN_CONTAINER = '[id^="response-"]';

/**
 * The conversation id in a Grok path: /c/<id> (2026: SyncNos's route, tokenless), or /chat/<id>
 * (early 2025: dmitrii-fediuk/vm's userscript matches grok.com/chat/*).
 */
export const GROK_CONVERSATION_PATH = /\/(?:c|chat)\/([\w-]+)/;

/**
 * Grok's Private Chat (not kept in the history; xAI's privacy policy has such chats deleted within
 * 30 days): opened at grok.com/?private. The evidence is thin: one public script found by content
 * (its repository not identified by the search index) opens "each site's temporary / incognito
 * mode" with claude.ai/new?incognito, chatgpt.com/?temporary-chat=true and grok.com/?private. No
 * source shows a DOM marker or what the URL becomes after the first message (the adapter holds on
 * to the next conversation id either way), so this reads the URL only; the parameter may be bare.
 */
export function isGrokPrivateChat(location: Location): boolean {
  return new URLSearchParams(location.search).has('private');
}

/** Where a Grok conversation lives (what GROK_CONVERSATION_PATH reads back). */
export const grokConversationUrl = (id: string): string => `https://grok.com/c/${encodeURIComponent(id)}`;
