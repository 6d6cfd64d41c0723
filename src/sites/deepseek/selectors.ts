/**
 * Everything Engram knows of DeepSeek's DOM (https://chat.deepseek.com/, conversations at
 * /a/chat/s/<id>). Fallback lists, most specific first.
 *
 * There is no capture of DeepSeek in this repository. What this relies on, all public and all of
 * 2025–2026:
 * - jazelly/tokenless, test/fixtures/provider-dom/deepseek/signed-in-unknown/composer-instant.html
 *   and response-complete.html with their .provenance.json (observed 2026-08-01 on a signed-in page,
 *   URL recorded as https://chat.deepseek.com/a/chat/s/[redacted]): the composer is
 *   `textarea[name="search"][placeholder="Message DeepSeek"]`; the send control is a
 *   `div[role="button"].ds-button.ds-button--primary` that carries `ds-button--disabled` while the
 *   composer is empty (beside a `ds-button--iconLabelPrimary` attach button and a file input); the
 *   final answer is `.ds-message > .ds-markdown.ds-assistant-message-main-content`.
 * - mem0ai/mem0-chrome-extension (archived), src/deepseek/content.ts (DeepSeek support of 2025):
 *   composer `#chat-input, textarea`; send control searched among `div[role="button"]`, preferring
 *   `ds-button--primary`, disabled when `aria-disabled="true"` or `ds-button--disabled`.
 * - adamlui/ai-web-extensions, deepseek-omnibox/firefox/extension/lib/deepseek.js (2025): chatbox
 *   `#chat-input, textarea`; send `div[role=button]:has([d^="M8.3125"])` (the up-arrow icon), enabled
 *   when `[aria-disabled=false]`.
 * - chiimagnus/SyncNos, src/collectors/deepseek/deepseek-collector.ts (2025–2026): conversations at
 *   `/^\/a\/chat\/s\/[^/]+$/`; a user message's text in `.fbb737a4`, an assistant message's answer
 *   in the `.ds-markdown` that is a direct child of its `.ds-message` (the reasoning's own
 *   `.ds-markdown` sits deeper, in `.ds-think-content`); deepseek-message-identity.ts: message rows
 *   are `[data-virtual-list-item-key]` items of a virtual list.
 * - zjysnow/paperpilot, test/fixtures/webchat/deepseek-dom.html (2025–2026): the same shape
 *   (`.ds-message`, `.ds-think-content .ds-markdown` beside `.ds-assistant-message-main-content`,
 *   a `div[role="button"].ds-button--circle.ds-button--disabled`).
 * Other public scripts found by content (2026-09/10, repositories not identified by the search
 * index) agree, and add that the same circle control turns into the Stop control while a reply is
 * generated: same element and classes, no aria-label, only its icon changes (arrow path
 * `M8.3125 0.98…` = send, square `M2 4.88…` = stop; a `.ds-loading` spinner while thinking).
 * Supermemory's extension (supermemoryai/supermemory, apps/browser-extension) has no DeepSeek
 * content script.
 */
export const deepseekSelectors = {
  composer: [
    // 2025 (mem0, adamlui): the composer textarea's id.
    'textarea#chat-input',
    // 2026-08 (tokenless): its name, which does not depend on the UI language.
    'textarea[name="search"]',
    // Last resort: the placeholder names DeepSeek in every language seen ("Message DeepSeek",
    // "给 DeepSeek 发送消息"), but it is still UI text.
    'textarea[placeholder*="DeepSeek"]',
  ],
  sendButton: [
    // 2026 (tokenless, the 2026-10 notes): the filled circle beside the composer; a div, not a button.
    'div[role="button"].ds-button--primary.ds-button--circle',
    // 2025 (mem0): any primary design-system button; the send-state test below picks the send arrow.
    'div[role="button"].ds-button--primary',
  ],
  turns: [
    // 2025–2026: one `.ds-message` per message, in a virtual list (rows scrolled far out of view
    // are not in the DOM).
    '.ds-virtual-list-visible-items .ds-message',
    '[data-virtual-list-item-key] .ds-message',
    '.ds-message',
  ],
  turnText: [
    // An assistant's answer, without its reasoning (`.ds-think-content`).
    '.ds-assistant-message-main-content',
    // Builds without that class: the answer is the `.ds-markdown` directly under the message.
    '.ds-message > .ds-markdown',
    // TODO(2026-12): a user message's text box, a hashed build class (2025–2026, SyncNos); without
    // it the whole user message is read, which holds only its text and icon-only controls.
    '.fbb737a4',
  ],
} as const;

/** Inside a message: what only an assistant message has (the answer, or its reasoning while it thinks). */
export const DEEPSEEK_ASSISTANT_PARTS = '.ds-assistant-message-main-content, .ds-markdown, .ds-think-content';

/** A textarea inside a message is the editor of a message being edited, not the composer. */
export const DEEPSEEK_MESSAGE = '.ds-message';

/** The send control's up-arrow icon (adamlui 2025; the 2026-10 notes: `M8.3125 0.980206…`). */
const SEND_ICON = 'path[d^="M8.3125"]';
/** The same control while a reply is generated: the stop square, or the thinking spinner. */
const BUSY_ICON = 'path[d^="M2 4.88"], .ds-loading';

/**
 * Whether DeepSeek's circle control is in its "send" state: enabled (neither `aria-disabled` nor
 * the design system's `ds-button--disabled`) and showing the send arrow. The same element is the
 * Stop control while a reply is generated, with nothing but its icon to tell: without the arrow it
 * is never taken for a send button (an unknown icon fails closed; sending then falls back to Enter).
 */
export function isDeepseekSendState(control: Element): boolean {
  if (control.getAttribute('aria-disabled') === 'true' || control.classList.contains('ds-button--disabled')) return false;
  if (control.querySelector(BUSY_ICON)) return false;
  return control.querySelector(SEND_ICON) !== null;
}

/** Whether a reply is being generated: the circle control shows Stop or the thinking spinner. */
export function isDeepseekGenerating(doc: Document): boolean {
  for (const selector of deepseekSelectors.sendButton) {
    for (const control of doc.querySelectorAll(selector)) if (control.querySelector(BUSY_ICON)) return true;
  }
  return false;
}

/**
 * The conversation id in a DeepSeek path: /a/chat/s/<id> (tokenless's 2026-08 provenance URL,
 * SyncNos's route test).
 */
export const DEEPSEEK_CONVERSATION_PATH = /\/a\/chat\/s\/([\w-]+)/;

// DeepSeek has no temporary or incognito chat in any of the sources above, so there is no detector:
// the adapter treats every DeepSeek chat as an ordinary one.

/** Where a DeepSeek conversation lives (what DEEPSEEK_CONVERSATION_PATH reads back). */
export const deepseekConversationUrl = (id: string): string =>
  `https://chat.deepseek.com/a/chat/s/${encodeURIComponent(id)}`;
