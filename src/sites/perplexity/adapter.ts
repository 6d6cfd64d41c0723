import { createSiteAdapter } from '../create-adapter';
import { pasteText, replaceEditorText } from '../dom';
import type { SiteAdapter } from '../site-adapter';
import { PERPLEXITY_ANSWER, PERPLEXITY_QUERY, perplexitySelectors, perplexityThreadFromPath } from './selectors';

/**
 * Lexical keeps its own editor state and rewrites the DOM from it: text put into the DOM is lost,
 * a paste event carrying the text is taken. The legacy plain textarea takes a value and an input
 * event instead (a textarea ignores an untrusted paste).
 */
function writePerplexity(composer: HTMLElement, text: string): void {
  if (composer instanceof HTMLTextAreaElement) replaceEditorText(composer, text);
  else pasteText(composer, text);
}

/**
 * The Perplexity adapter.
 *
 * @example
 * const adapter = createPerplexityAdapter();
 * await adapter.writeComposer('Vegetarian recipes for tonight');
 */
export function createPerplexityAdapter(doc: Document = document): SiteAdapter {
  return createSiteAdapter(
    {
      site: 'perplexity',
      selectors: perplexitySelectors,
      // Disabled while the composer is empty (createSiteAdapter skips disabled buttons).
      isSendState: (button) => button.getAttribute('aria-disabled') !== 'true',
      roleOf: (turn) => {
        if (turn.matches(PERPLEXITY_QUERY)) return 'user';
        if (turn.matches(PERPLEXITY_ANSWER)) return 'assistant';
        return null;
      },
      conversationFromPath: perplexityThreadFromPath,
      writeText: writePerplexity,
    },
    doc,
  );
}
