import type { SiteId } from '../core/types';

/** One turn of the conversation as the page shows it. */
export interface PageTurn {
  role: 'user' | 'assistant';
  text: string;
  /** The site's own message id where it exposes one. */
  id?: string;
}

/**
 * Whether the page still looks as the adapter expects. When it does not (the site changed its
 * page), Engram leaves the page alone and says that it needs an update for the site.
 */
export type SiteHealth = { ok: true } | { ok: false; reason: string };

/**
 * Everything Engram needs to know about one chat site's DOM. Implementations live in
 * `src/sites/<site>/` and are the only code that knows a site's selectors.
 */
export interface SiteAdapter {
  readonly site: SiteId;
  /** The live composer the user types into, or null when the page has none yet. */
  findComposer(): HTMLElement | null;
  /** The button that sends the prompt, only while it is in its "send" state. */
  findSendButton(): HTMLButtonElement | null;
  /** True when `node` is inside the live composer. */
  isInComposer(node: EventTarget | null): boolean;
  /** True when `node` is (inside) the send button in its "send" state. */
  isSendButton(node: EventTarget | null): boolean;
  /** The text the user is about to send. */
  readComposer(): string;
  /** Replace the composer's text so that the site's editor state takes it. */
  writeComposer(text: string): Promise<void>;
  /** Send what is in the composer, the way a user would. */
  submit(): Promise<void>;
  /** A stable id for the conversation on screen. */
  conversationId(): string;
  /** The conversation's turns, oldest first. */
  readTurns(): PageTurn[];
  /**
   * A chat the site itself keeps out of its history (ChatGPT's Temporary Chat, Claude's incognito
   * chats): Engram neither captures it nor adds memories to it.
   */
  isTemporaryChat(): boolean;
  /**
   * Exactly one live composer and one send button, and turns that can be read: anything else
   * (none, or two where one is expected) is a page Engram must not touch.
   */
  health(): SiteHealth;
}
