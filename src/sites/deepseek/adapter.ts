import { createSiteAdapter } from '../create-adapter';
import { countCandidates, isLive, queryFirst, sendLikeTheUser, within } from '../dom';
import type { SiteAdapter } from '../site-adapter';
import {
  DEEPSEEK_ASSISTANT_PARTS,
  DEEPSEEK_CONVERSATION_PATH,
  DEEPSEEK_MESSAGE,
  deepseekSelectors,
  isDeepseekGenerating,
  isDeepseekSendState,
} from './selectors';

/**
 * The DeepSeek adapter. DeepSeek's composer is a React-controlled `<textarea>` (written through the
 * value setter and an input event, the default), and its send control is a `div[role="button"]`,
 * not a `<button>`: the generic adapter only takes `<button>`s, so finding, recognising and
 * clicking the send control, and the health check that counts it, are this adapter's own.
 *
 * @example
 * const adapter = createDeepseekAdapter();
 * await adapter.writeComposer('I am vegetarian');
 */
export function createDeepseekAdapter(doc: Document = document): SiteAdapter {
  /** The message shown last, which is still being written while a reply is generated. */
  const lastMessage = (): Element | null => {
    const messages = doc.querySelectorAll(DEEPSEEK_MESSAGE);
    return messages.length ? messages[messages.length - 1]! : null;
  };

  const base = createSiteAdapter(
    {
      site: 'deepseek',
      selectors: deepseekSelectors,
      // A textarea inside a message is the editor of a message being edited.
      acceptComposer: (el) => !el.closest(DEEPSEEK_MESSAGE),
      isSendState: isDeepseekSendState,
      roleOf: (turn) => (turn.querySelector(DEEPSEEK_ASSISTANT_PARTS) ? 'assistant' : 'user'),
      // No per-message streaming flag is known: while the control shows Stop, the last message is
      // the one being written (or a placeholder for it).
      isComplete: (turn) => !(turn === lastMessage() && isDeepseekGenerating(doc)),
      conversationFromPath: (path) => DEEPSEEK_CONVERSATION_PATH.exec(path)?.[1] ?? null,
    },
    doc,
  );

  const isControl = (el: Element): boolean => el instanceof HTMLElement && el.getAttribute('role') === 'button' && isLive(el);

  // `SiteAdapter.findSendButton` is typed HTMLButtonElement; DeepSeek's control is a div with
  // role="button", which its callers use the same way (click it, test what is inside it).
  const findSendButton = (): HTMLButtonElement | null =>
    queryFirst(deepseekSelectors.sendButton, (el) => isControl(el) && isDeepseekSendState(el), doc) as HTMLButtonElement | null;

  const count = (selectors: readonly string[], accept: (el: Element) => boolean): number => countCandidates(selectors, accept, doc);

  return {
    ...base,
    findSendButton,
    isSendButton: (node) => within(node, findSendButton()),
    submit: () => sendLikeTheUser('deepseek', findSendButton, () => base.findComposer()),
    health() {
      const composers = count(deepseekSelectors.composer, (el) => el instanceof HTMLElement && isLive(el) && !el.closest(DEEPSEEK_MESSAGE));
      if (composers === 0) return { ok: false, reason: 'no message box found on the page' };
      if (composers > 1) return { ok: false, reason: `${composers} message boxes on the page where one was expected` };
      const buttons = count(deepseekSelectors.sendButton, isControl);
      if (buttons === 0) return { ok: false, reason: 'no send button found on the page' };
      if (buttons > 1) return { ok: false, reason: `${buttons} send buttons on the page where one was expected` };
      try {
        // Cheap, on every send: the last message can be told apart (texts are read only at capture).
        lastMessage()?.querySelector(DEEPSEEK_ASSISTANT_PARTS);
      } catch (error) {
        return { ok: false, reason: `the conversation could not be read (${error instanceof Error ? error.message : String(error)})` };
      }
      return { ok: true };
    },
  };
}
