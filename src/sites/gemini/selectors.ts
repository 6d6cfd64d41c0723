/**
 * Everything Engram knows of Gemini's DOM (https://gemini.google.com/app, conversations at
 * /app/<id>). An Angular app whose labels are localised: nothing here matches button text or
 * aria-label words. Fallback lists, most specific first.
 *
 * Sources: the February 2026 captures (the first entry of each list), and, read on 2026-11-30 from
 * the public code index, the archived Mem0 extension (mem0ai/mem0-chrome-extension,
 * src/gemini/content.ts at 12bbac6) and Supermemory's extension (supermemoryai/supermemory,
 * apps/browser-extension/entrypoints/content/gemini.ts at 07c91db). Mem0's and Supermemory's
 * English aria-label selectors ("Send message", "Enter a prompt here") are deliberately left out.
 */
export const geminiSelectors = {
  composer: [
    // Feb 2026: the Quill editor inside the <rich-textarea> custom element. Quill's paste buffer
    // (.ql-clipboard, also contenteditable) sits beside it: the adapter's acceptComposer rejects it.
    'rich-textarea .ql-editor[contenteditable="true"][role="textbox"]',
    // Mem0 and Supermemory both look for the editor without the role first.
    'rich-textarea .ql-editor[contenteditable="true"]',
    // Supermemory's next guess: any editable element inside <rich-textarea>, should Quill's class
    // names change. The paste buffer matches this too and is rejected by acceptComposer.
    'rich-textarea [contenteditable="true"]',
    // Mem0's `.text-input-field_textarea .ql-editor` and Supermemory's last Quill guess: the
    // editor without the <rich-textarea> wrapper.
    '.ql-editor[contenteditable="true"]',
  ],
  sendButton: [
    // Feb 2026: aria-disabled="true" while the composer is empty; `.stop` while a reply streams
    // (see isGeminiSendState).
    'button.send-button',
    // Supermemory recognises the send button by its icon, whatever its label's language.
    'button:has(mat-icon[fonticon="send"])',
    'button:has(mat-icon[data-mat-icon-name="send"])',
  ],
  turns: [
    // Feb 2026: .conversation-container holds one exchange: <user-query> then <model-response>.
    '.conversation-container user-query',
    '.conversation-container model-response',
    // The same elements should the exchange wrapper be renamed.
    'user-query',
    'model-response',
  ],
  turnText: [
    // A user turn: .query-text holds one p.query-text-line per line of the prompt, and beside it a
    // visually hidden "You said" label for screen readers (.cdk-visually-hidden), which is not
    // the user's text. The whole .query-text when the label is outside it (all lines)...
    '.query-text:not(:has(.cdk-visually-hidden))',
    // ...else the first line alone rather than the label.
    '.query-text-line',
    // An assistant turn: the rendered reply (not the "Show thinking" panel beside it).
    'message-content .markdown',
    'message-content',
  ],
} as const;

/** Quill's hidden paste buffer, editable but never the composer. */
export const GEMINI_QUILL_CLIPBOARD = '.ql-clipboard';

/**
 * The conversation id in a Gemini path: /app/<id>, /u/<n>/app/<id> for a second Google account,
 * and /gem/<gem>/<id> for a chat with a Gem (seen in exported chat links, 2026).
 */
export const GEMINI_CONVERSATION_PATH = /\/(?:app|gem\/[\w-]+)\/([\w-]+)/;

/**
 * Marks of Gemini's Temporary chat (not kept in its history, not used to train): the chat window's
 * `is-temporary-chat` class and the `temp-chat-on` class of the sidebar toggle
 * (button[data-test-id="temp-chat-button"]), which those tools read as "on" during the chat; the
 * `.temporary-chat-card` notice, shown on its empty page. Gemini's URL carries no marker (the toggle
 * is the only way in; after the first send, createSiteAdapter keeps the chat temporary). Relied
 * on: public scripts in the code index that detect or force the mode (milosz08/gemini-auto-temp-chat
 * for the toggle; a userscript with selectors "updated 12/2025" for the card; other public Gemini
 * tools for the two classes), read 2026-11-30.
 */
export const GEMINI_TEMPORARY_CHAT = [
  'chat-window.is-temporary-chat',
  '[data-test-id="temp-chat-button"].temp-chat-on',
  'temp-chat-button .temp-chat-on',
  'gem-icon-button.temp-chat-on',
  '.temporary-chat-card',
].join(', ');

export function isGeminiTemporaryChat(_location: Location, doc: Document): boolean {
  return doc.querySelector(GEMINI_TEMPORARY_CHAT) !== null;
}

/**
 * True while the send button would send: not aria-disabled (empty composer), not disabled, and not
 * the stop button it turns into while a reply streams (`.stop`, or an icon other than "send";
 * `button.send-button.stop` is how other public Gemini tools tell a busy page).
 */
export function isGeminiSendState(button: HTMLButtonElement): boolean {
  if (button.getAttribute('aria-disabled') === 'true' || button.disabled) return false;
  if (button.classList.contains('stop')) return false;
  const icon = button.querySelector('mat-icon');
  const name = icon?.getAttribute('fonticon') ?? icon?.getAttribute('data-mat-icon-name');
  return !name || name === 'send';
}

/** Where a Gemini conversation lives (what GEMINI_CONVERSATION_PATH reads back). */
export const geminiConversationUrl = (id: string): string =>
  `https://gemini.google.com/app/${encodeURIComponent(id)}`;
