import { isLive, nextTask, replaceEditorText, sendLikeTheUser, textOf, within } from '../dom';
import type { SiteAdapter, SiteHealth } from '../site-adapter';
import { GENERIC_EDITABLE, GENERIC_SEARCH_DEPTH, GENERIC_SEND_HINT, genericConversationId } from './selectors';

const isEditable = (el: Element | null): el is HTMLElement =>
  el instanceof HTMLTextAreaElement || (el instanceof HTMLElement && el.isContentEditable && el.closest('[contenteditable="false"]') === null);

/**
 * The adapter for a site the user turned Engram on for (see selectors.ts). It reads no turns (it
 * cannot tell the user's from the assistant's), so a short answer is remembered without the
 * question it answers.
 */
export function createGenericAdapter(doc: Document = document): SiteAdapter {
  /** The outermost editable element holding `el` (an editor's inner nodes are editable too). */
  const editorOf = (el: Element): HTMLElement => {
    let top = el as HTMLElement;
    while (top.parentElement && isEditable(top.parentElement)) top = top.parentElement;
    return top;
  };
  const candidates = (): HTMLElement[] =>
    [...new Set([...doc.querySelectorAll(GENERIC_EDITABLE)].filter((el) => isEditable(el) && isLive(el)).map(editorOf))];

  const findComposer = (): HTMLElement | null => {
    const active = doc.activeElement;
    if (active && isEditable(active) && isLive(active)) return editorOf(active);
    const all = candidates();
    return all.length === 1 ? all[0]! : null;
  };

  const findSendButton = (): HTMLButtonElement | null => {
    const composer = findComposer();
    if (!composer) return null;
    const usable = (b: HTMLButtonElement): boolean => isLive(b) && !b.disabled && b.getAttribute('aria-disabled') !== 'true';
    const form = composer.closest('form');
    const submit = form?.querySelector<HTMLButtonElement>('button[type="submit"], button:not([type])');
    if (submit && usable(submit)) return submit;
    let scope: HTMLElement | null = composer.parentElement;
    for (let depth = 0; scope && depth < GENERIC_SEARCH_DEPTH; depth++, scope = scope.parentElement) {
      const said = [...scope.querySelectorAll<HTMLButtonElement>('button')].find(
        (b) => usable(b) && GENERIC_SEND_HINT.test(`${b.getAttribute('aria-label') ?? ''} ${b.title} ${b.dataset.testid ?? ''} ${b.textContent}`),
      );
      if (said) return said;
    }
    return null;
  };

  return {
    site: 'generic',
    findComposer,
    findSendButton,
    isInComposer: (node) => within(node, findComposer()),
    isSendButton: (node) => within(node, findSendButton()),
    readComposer() {
      const composer = findComposer();
      return composer ? textOf(composer).trim() : '';
    },
    async writeComposer(text) {
      const composer = findComposer();
      if (!composer) throw new Error('generic: composer not found');
      replaceEditorText(composer, text);
      await nextTask();
    },
    submit: () => sendLikeTheUser('generic', findSendButton, findComposer),
    conversationId: () => genericConversationId(doc.location),
    readTurns: () => [],
    isTemporaryChat: () => false,
    health(): SiteHealth {
      // Only the composer is required: a site without a recognisable send button sends on Enter.
      return findComposer() || candidates().length > 0 ? { ok: true } : { ok: false, reason: 'no text field found on the page' };
    },
  };
}
