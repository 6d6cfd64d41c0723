/**
 * Everything Engram knows of Perplexity's DOM (https://www.perplexity.ai/, threads at
 * /search/<slug>). Fallback lists, most specific first.
 *
 * Sources: the February 2026 captures (the first entry of each list), and, read on 2026-11-30 from
 * the public code index, the archived Mem0 extension (mem0ai/mem0-chrome-extension,
 * src/perplexity/content.ts at 12bbac6 and src/utils/site_config.ts at 6f9dc9d). Supermemory's
 * extension (supermemoryai/supermemory, apps/browser-extension) has no Perplexity support to learn
 * from. Mem0's English placeholder selectors ("Ask anything…", "Ask a follow-up…") are left out.
 */
export const perplexitySelectors = {
  composer: [
    // Feb 2026: the Lexical editor. Lexical rewrites the DOM from its own state, so the adapter
    // writes it with a paste (see createPerplexityAdapter).
    '#ask-input[data-lexical-editor="true"]',
    // Mem0: the same editor found by id alone ("main screen Lexical editor").
    'div#ask-input[contenteditable="true"]',
    // Lexical itself marks its root with data-lexical-editor (the framework's attribute, not
    // Perplexity's): the editor should its id change.
    '[contenteditable="true"][data-lexical-editor="true"]',
    // TODO(2027-05): Mem0's "follow-up screen" plain textarea of older builds; drop when no
    // longer seen.
    'textarea#ask-input',
  ],
  sendButton: [
    // Feb 2026, and Mem0's sendButtonSelector: disabled while the composer is empty.
    // The label is English-only (Perplexity does not localise it as of the capture).
    'button[aria-label="Submit"]',
    // Structural, for a localised or renamed label: the submit button of the form that holds the
    // editor is the send button by HTML's own semantics, whatever its label says. Not in the
    // February 2026 capture (whose box need not be a <form>): it finds nothing there and is
    // harmless, and it takes over if the label changes while the box is a form.
    'form:has(#ask-input) button[type="submit"]',
  ],
  turns: [
    // Feb 2026: a user query is a `.group/query` element (an <h1> for the thread's first
    // question, <div>s for follow-ups); an answer is div#markdown-content-<n>.
    '.group\\/query',
    '[id^="markdown-content-"]',
  ],
  turnText: [
    // An answer's rendered text (not its sources and controls).
    '.prose',
    // A query's text, in an inner <span>.
    '.group\\/query span',
  ],
} as const;

/** A user query element. */
export const PERPLEXITY_QUERY = '.group\\/query';
/** An answer element. */
export const PERPLEXITY_ANSWER = '[id^="markdown-content-"]';

/**
 * The thread slug in a Perplexity path: /search/<slug>, a title-derived prefix and a base64-like
 * tail that may hold dots ("…-munb-mYPmLTUQS5.ACodGlFLJFg") or a UUID. /search/new?q=… only opens
 * a new thread and is no thread (perplexityThreadFromPath).
 */
export const PERPLEXITY_CONVERSATION_PATH = /\/search\/([\w.-]+)/;

export function perplexityThreadFromPath(path: string): string | null {
  const slug = PERPLEXITY_CONVERSATION_PATH.exec(path)?.[1];
  return slug && slug !== 'new' ? slug : null;
}

// No temporary-chat detector: Perplexity has an Incognito mode (account menu), but no URL or DOM
// marker of it was found in the sources read (2026-11-30); a guess would be worse than none.

/** Where a Perplexity thread lives (what PERPLEXITY_CONVERSATION_PATH reads back). */
export const perplexityConversationUrl = (id: string): string =>
  `https://www.perplexity.ai/search/${encodeURIComponent(id)}`;
