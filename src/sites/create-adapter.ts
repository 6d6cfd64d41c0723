import type { SiteId } from '../core/types';
import {
  isLive,
  nextTask,
  pressEnter,
  queryAll,
  queryFirst,
  replaceEditorText,
  textOf,
  within,
} from './dom';
import type { PageTurn, SiteAdapter } from './site-adapter';

/** What a site's `selectors.ts` provides: fallback lists, most specific first. */
export interface SiteSelectors {
  composer: readonly string[];
  sendButton: readonly string[];
  /** Elements that each hold one message, with the role given by `roleOf`. */
  turns: readonly string[];
  /** Within a turn element, where its text lives (first match wins; else the whole element). */
  turnText: readonly string[];
}

export interface SiteConfig {
  site: SiteId;
  selectors: SiteSelectors;
  /** Extra test a composer candidate must pass (e.g. not the server-rendered twin). */
  acceptComposer?: (el: Element) => boolean;
  /** True while the send button is in its "send" state (not voice, not stop). */
  isSendState: (button: HTMLButtonElement) => boolean;
  roleOf: (turn: Element) => PageTurn['role'] | null;
  idOf?: (turn: Element) => string | undefined;
  /** The conversation id in a URL path, or null on a new chat. */
  conversationFromPath: (path: string) => string | null;
  /** Whether a finished turn (assistant turns may still be streaming). */
  isComplete?: (turn: Element) => boolean;
  /** Whether the chat on screen is one the site keeps out of its history (see `SiteAdapter.isTemporaryChat`). */
  isTemporaryChat?: (location: Location, doc: Document) => boolean;
}

/** Builds a SiteAdapter from a site's selectors and a few site-specific predicates. */
export function createSiteAdapter(config: SiteConfig, doc: Document = document): SiteAdapter {
  const { selectors } = config;
  // A page-local id for a conversation that has no URL id yet ("new chat").
  const pageConversation = `new-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  /** Conversations of this page known to be temporary, and whether a new temporary chat awaits its id. */
  const temporaryIds = new Set<string>();
  let temporaryNew = false;

  const findComposer = (): HTMLElement | null =>
    queryFirst(
      selectors.composer,
      (el) => el instanceof HTMLElement && isLive(el) && (config.acceptComposer?.(el) ?? true),
      doc,
    ) as HTMLElement | null;

  const findSendButton = (): HTMLButtonElement | null =>
    queryFirst(
      selectors.sendButton,
      (el) => el instanceof HTMLButtonElement && isLive(el) && !el.disabled && config.isSendState(el),
      doc,
    ) as HTMLButtonElement | null;

  return {
    site: config.site,
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
      if (!composer) throw new Error(`${config.site}: composer not found`);
      replaceEditorText(composer, text);
      await nextTask();
    },
    async submit() {
      await nextTask();
      const button = findSendButton();
      if (button) {
        button.click();
        return;
      }
      const composer = findComposer();
      if (!composer) throw new Error(`${config.site}: nothing to send with`);
      pressEnter(composer);
    },
    conversationId() {
      return config.conversationFromPath(doc.location.pathname) ?? pageConversation;
    },
    isTemporaryChat() {
      let marked: boolean;
      try {
        marked = config.isTemporaryChat?.(doc.location, doc) ?? false;
      } catch {
        return true; // unreadable: err on the side of the user's privacy
      }
      const id = config.conversationFromPath(doc.location.pathname);
      if (marked) {
        if (id) temporaryIds.add(id);
        else temporaryNew = true;
        return true;
      }
      if (id && temporaryIds.has(id)) return true;
      // The temporary chat got its own URL after its first message (the site's pushState may drop
      // the marker): the first conversation that appears after it is that chat.
      if (id && temporaryNew) {
        temporaryNew = false;
        temporaryIds.add(id);
        return true;
      }
      if (!id) temporaryNew = false; // a new, ordinary chat
      return false;
    },
    readTurns() {
      const turns: PageTurn[] = [];
      for (const el of queryAll(selectors.turns, doc)) {
        const role = config.roleOf(el);
        if (!role || (config.isComplete && !config.isComplete(el))) continue;
        const body = queryFirst(selectors.turnText, () => true, el) ?? el;
        const text = textOf(body).trim();
        if (!text) continue;
        const id = config.idOf?.(el);
        turns.push(id ? { role, text, id } : { role, text });
      }
      return turns;
    },
  };
}
