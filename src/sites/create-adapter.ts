import type { SiteId } from '../core/types';
import {
  countCandidates,
  isLive,
  nextTask,
  sendLikeTheUser,
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
  /** Extra test a send-button candidate must pass (e.g. not the server-rendered twin's). */
  acceptSendButton?: (el: Element) => boolean;
  /** True while the send button is in its "send" state (not voice, not stop). */
  isSendState: (button: HTMLButtonElement) => boolean;
  roleOf: (turn: Element) => PageTurn['role'] | null;
  idOf?: (turn: Element) => string | undefined;
  /** The conversation id in a URL path, or null on a new chat. */
  conversationFromPath: (path: string) => string | null;
  /** Whether a finished turn (assistant turns may still be streaming). */
  isComplete?: (turn: Element) => boolean;
  /**
   * Writes `text` into the composer so that the site's editor takes it (default: replaceEditorText,
   * input events). An editor that ignores DOM writes and input events (Lexical) takes a paste: pasteText.
   */
  writeText?: (composer: HTMLElement, text: string) => void;
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

  const isComposerCandidate = (el: Element): boolean => el instanceof HTMLElement && isLive(el) && (config.acceptComposer?.(el) ?? true);
  const findComposer = (): HTMLElement | null => queryFirst(selectors.composer, isComposerCandidate, doc) as HTMLElement | null;

  const isButtonCandidate = (el: Element): boolean => el instanceof HTMLButtonElement && isLive(el) && (config.acceptSendButton?.(el) ?? true);

  const findSendButton = (): HTMLButtonElement | null =>
    queryFirst(
      selectors.sendButton,
      (el) => isButtonCandidate(el) && !(el as HTMLButtonElement).disabled && config.isSendState(el as HTMLButtonElement),
      doc,
    ) as HTMLButtonElement | null;

  const candidates = (list: readonly string[], accept: (el: Element) => boolean): number => countCandidates(list, accept, doc);

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
      (config.writeText ?? replaceEditorText)(composer, text);
      await nextTask();
    },
    submit: () => sendLikeTheUser(config.site, findSendButton, findComposer),
    conversationId() {
      return config.conversationFromPath(doc.location.pathname) ?? pageConversation;
    },
    health() {
      const composers = candidates(selectors.composer, isComposerCandidate);
      if (composers === 0) return { ok: false, reason: 'no message box found on the page' };
      if (composers > 1) return { ok: false, reason: `${composers} message boxes on the page where one was expected` };
      const buttons = candidates(selectors.sendButton, isButtonCandidate);
      if (buttons === 0) return { ok: false, reason: 'no send button found on the page' };
      if (buttons > 1) return { ok: false, reason: `${buttons} send buttons on the page where one was expected` };
      try {
        // Cheap, on every send: the turns can be found and the last one told apart (its text is
        // read only when a turn is captured, not here: a long conversation holds a lot of it).
        const last = queryAll(selectors.turns, doc).at(-1);
        if (last) config.roleOf(last);
      } catch (error) {
        return { ok: false, reason: `the conversation could not be read (${error instanceof Error ? error.message : String(error)})` };
      }
      return { ok: true };
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
