/**
 * Engram's panel above the chat site's composer, in a closed shadow root (the page's scripts can
 * neither read nor restyle it):
 * - review mode: the memories that would go with this message, each removable by click or keyboard,
 *   "send without memories", and "don't remember this message";
 * - manual mode: an "Add memories" button and "don't remember this message";
 * - after a send with memories: a quiet line saying how many went, with a link to the injection log.
 *
 * It never takes focus on its own: only the user's Alt+ArrowUp in the composer (or Tab, or a click)
 * moves focus into it, and Escape gives it back to the composer. A polite live region announces what
 * appears. Nothing in it reaches the page's DOM: the memories are shown here, and go into the
 * composer only when the user sends (or, in manual mode, asks).
 */
import type { RecalledLine } from '../capture/prefetch';

const HOST_ID = 'engram-panel-host';

/** The key that, in the composer, moves focus into the panel's list (announced, and in aria-keyshortcuts). */
export const FOCUS_PANEL_KEY = 'Alt+ArrowUp';
/** The key that sends without memories while the review panel shows some. */
export const SEND_WITHOUT_KEY = 'Alt+Enter';

export const PANEL_STYLE = `
  :host { all: initial; }
  .panel {
    position: fixed; z-index: 2147483646; box-sizing: border-box;
    max-height: 40vh; overflow: auto;
    padding: 8px 10px; border-radius: 12px; border: 1px solid #d1d5db;
    background: #ffffff; color: #111827;
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.12);
  }
  .panel[hidden] { display: none; }
  .title { margin: 0 0 4px; font-weight: 600; font-size: 13px; }
  .hint { font-weight: 400; color: #4b5563; }
  ul { list-style: none; margin: 0; padding: 0; }
  li { display: flex; align-items: flex-start; gap: 8px; padding: 3px 0; border-top: 1px solid #f3f4f6; }
  li:first-child { border-top: 0; }
  .text { flex: 1; overflow-wrap: anywhere; }
  button {
    font: inherit; font-size: 13px; cursor: pointer; border-radius: 8px;
    border: 1px solid #9ca3af; background: #f9fafb; color: #111827; padding: 2px 8px;
  }
  button:hover { background: #f3f4f6; }
  button:focus-visible, input:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
  button.remove { border: 0; background: transparent; color: #374151; padding: 0 6px; font-size: 16px; line-height: 1.2; }
  button.remove:hover { background: #fee2e2; color: #991b1b; }
  button.link { border: 0; background: transparent; color: #1d4ed8; text-decoration: underline; padding: 0; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin-top: 6px; font-size: 13px; }
  label { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (prefers-color-scheme: dark) {
    .panel { background: #1f2937; color: #f9fafb; border-color: #4b5563; }
    .hint { color: #d1d5db; }
    li { border-top-color: #374151; }
    button { background: #374151; color: #f9fafb; border-color: #6b7280; }
    button:hover { background: #4b5563; }
    button.remove { color: #e5e7eb; }
    button.link { color: #93c5fd; }
  }
`;

export interface PanelCallbacks {
  /** "Send without memories" was clicked. */
  sendWithout(): void;
  /** Manual mode's "Add memories" was clicked. */
  insert(): void;
  /** The indicator's link was clicked: show the injection log. */
  openLog(): void;
  /** Give focus back to the composer (Escape, or the last memory removed by keyboard). */
  focusComposer(): void;
}

export interface PanelOptions {
  /** Whether an event was the user's own (default `event.isTrusted`): a page script's synthetic click does nothing. */
  isTrusted?(event: Event): boolean;
  /**
   * `closed` always on a chat page. `open` only for an accessibility audit of the same markup
   * (axe-core cannot enter a closed root): test/e2e/panel-a11y.spec.ts.
   */
  shadowMode?: ShadowRootMode;
}

export type PanelView = 'hidden' | 'review' | 'manual' | 'indicator';

export interface EngramPanel {
  /** Show (or update) the review list; memories the user removed this turn stay removed. */
  review(memories: readonly RecalledLine[]): void;
  /** Show the manual bar. */
  manual(): void;
  /** After a send: how many memories went, with a link to the log (or hide when none); or that Engram is locked. */
  indicate(count: number, options?: { locked?: boolean }): void;
  hide(): void;
  /** The memories of `memories` the user did not remove. */
  kept(memories: readonly RecalledLine[]): RecalledLine[];
  /** Whether the review panel is showing and the user has seen every one of `memories` in it. */
  seen(memories: readonly RecalledLine[]): boolean;
  /** "Don't remember this message" is unticked. */
  readonly remember: boolean;
  /** A new message: removed memories and "don't remember" reset. */
  newTurn(): void;
  /** Move focus to the first memory (the user pressed Alt+ArrowUp); false when there is none. */
  focusList(): boolean;
  /** Follow the composer: placed just above `anchor`. */
  place(): void;
  readonly view: PanelView;
  /** For tests: the memory texts on screen, and the live region's text (the page cannot reach these). */
  readonly shown: readonly string[];
  readonly announced: string;
  remove(): void;
}

/** The indicator after a send while Engram is locked (encryption at rest): the message went as typed. */
export const LOCKED_TEXT = 'Engram is locked: this message was sent without memories. Unlock Engram from its toolbar button.';

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

export function createPanel(anchor: () => HTMLElement | null, callbacks: PanelCallbacks, doc: Document = document, options: PanelOptions = {}): EngramPanel {
  const trusted = (event: Event): boolean => (options.isTrusted ? options.isTrusted(event) : event.isTrusted);
  let host: HTMLElement | null = null;
  let panel!: HTMLElement;
  let live!: HTMLElement;
  let view: PanelView = 'hidden';
  let shown: RecalledLine[] = [];
  /** Ids shown in the review list this turn (removed or not): what the user has had the chance to see. */
  const seenIds = new Set<string>();
  const removed = new Set<string>();
  let remember = true;
  let announced = '';

  const ensure = (): void => {
    if (host?.isConnected) return;
    host = doc.createElement('div');
    host.id = HOST_ID;
    const root = host.attachShadow({ mode: options.shadowMode ?? 'closed' });
    const style = doc.createElement('style');
    style.textContent = PANEL_STYLE;
    panel = doc.createElement('section');
    panel.className = 'panel';
    panel.setAttribute('aria-label', 'Engram');
    panel.hidden = true;
    live = doc.createElement('div');
    live.className = 'sr-only';
    live.setAttribute('role', 'status');
    live.setAttribute('aria-live', 'polite');
    root.append(style, panel, live);
    (doc.body as HTMLElement | null ?? doc.documentElement).append(host);
  };

  const announce = (message: string): void => {
    if (message === announced) return;
    announced = message;
    live.textContent = message;
  };

  const place = (): void => {
    if (view === 'hidden' || !host?.isConnected) return;
    const composer = anchor();
    const win = doc.defaultView;
    if (!composer || !win) return;
    const rect = composer.getBoundingClientRect();
    const width = Math.max(280, Math.min(rect.width, 760));
    panel.style.left = `${Math.max(8, Math.min(rect.left, win.innerWidth - width - 8))}px`;
    panel.style.width = `${width}px`;
    // Above the composer (where chat sites keep it, at the bottom); below it when there is no room.
    const height = panel.getBoundingClientRect().height;
    if (rect.top - 8 - height >= 8) {
      panel.style.top = '';
      panel.style.bottom = `${win.innerHeight - rect.top + 8}px`;
    } else {
      panel.style.bottom = '';
      panel.style.top = `${Math.max(8, Math.min(rect.bottom + 8, win.innerHeight - height - 8))}px`;
    }
  };

  const button = (label: string, className: string, onClick: () => void, name?: string): HTMLButtonElement => {
    const b = doc.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = label;
    if (name) b.setAttribute('aria-label', name);
    b.addEventListener('click', (event) => {
      event.stopPropagation();
      if (trusted(event)) onClick();
    });
    return b;
  };

  const rememberToggle = (): HTMLLabelElement => {
    const label = doc.createElement('label');
    const box = doc.createElement('input');
    box.type = 'checkbox';
    box.checked = !remember;
    box.addEventListener('change', (event) => {
      if (!trusted(event)) {
        box.checked = !remember;
        return;
      }
      remember = !box.checked;
      announce(remember ? 'This message will be remembered.' : 'This message will be sent but not remembered.');
    });
    label.append(box, doc.createTextNode("Don't remember this message"));
    return label;
  };

  const removeButtons = (): HTMLButtonElement[] => [...panel.querySelectorAll<HTMLButtonElement>('button.remove')];

  const renderReview = (): void => {
    const visible = shown.filter((m) => !removed.has(m.id));
    const title = doc.createElement('p');
    title.className = 'title';
    title.id = 'engram-review-title';
    const hint = doc.createElement('span');
    hint.className = 'hint';
    hint.textContent = visible.length > 0 ? ` · Enter sends with ${visible.length === 1 ? 'it' : 'them'}, Alt+Enter without` : '';
    title.append(
      doc.createTextNode(visible.length > 0 ? `Engram will add ${plural(visible.length, 'memory', 'memories')}` : 'No memories to add to this message'),
      hint,
    );
    const list = doc.createElement('ul');
    list.setAttribute('aria-labelledby', title.id);
    for (const m of visible) {
      const li = doc.createElement('li');
      const text = doc.createElement('span');
      text.className = 'text';
      text.textContent = m.text;
      const remove = button('×', 'remove', () => {
        removeMemory(m.id, false);
        callbacks.focusComposer(); // a click: the user goes on typing where they were
      }, `Remove: ${m.text}`);
      remove.setAttribute('aria-keyshortcuts', 'Delete');
      remove.dataset.id = m.id;
      li.append(text, remove);
      list.append(li);
    }
    const actions = doc.createElement('div');
    actions.className = 'actions';
    actions.append(rememberToggle());
    if (visible.length > 0) actions.append(button('Send without memories', 'without', () => {
      callbacks.sendWithout();
    }));
    if (visible.length > 0) panel.replaceChildren(title, list, actions);
    else panel.replaceChildren(title, actions);
  };

  const removeMemory = (id: string, byKeyboard: boolean): void => {
    const buttons = removeButtons();
    const index = buttons.findIndex((b) => b.dataset.id === id);
    const memory = shown.find((m) => m.id === id);
    removed.add(id);
    renderReview();
    place();
    announce(`Removed: ${memory?.text ?? 'a memory'}. ${plural(shown.filter((m) => !removed.has(m.id)).length, 'memory', 'memories')} left.`);
    // Focus only moves where the user already had it: on the list, else back to the composer.
    if (byKeyboard) {
      const rest = removeButtons();
      const next = rest[Math.min(Math.max(index, 0), rest.length - 1)];
      if (next) next.focus();
      else callbacks.focusComposer();
    }
  };

  const onKeydown = (event: KeyboardEvent): void => {
    if (!trusted(event)) return;
    const target = event.composedPath()[0];
    if (!(target instanceof HTMLElement)) return;
    const buttons = removeButtons();
    const i = buttons.indexOf(target as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      callbacks.focusComposer();
    } else if (i >= 0 && (event.key === 'Delete' || event.key === 'Backspace')) {
      event.preventDefault();
      event.stopPropagation();
      const id = buttons[i]!.dataset.id;
      if (id) removeMemory(id, true);
    } else if (i >= 0 && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      event.stopPropagation();
      buttons[(i + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    } else if (event.key === 'Enter' && i >= 0) {
      // Enter on a memory's remove button removes it (the button's own activation), never sends.
      event.stopPropagation();
    }
  };

  const show = (next: PanelView): void => {
    ensure();
    if (view !== next) {
      view = next;
      panel.hidden = next === 'hidden';
    }
    if (!panel.dataset.wired) {
      panel.dataset.wired = '1';
      panel.addEventListener('keydown', onKeydown);
      // Keys typed in the panel are Engram's, not the page's shortcuts.
      panel.addEventListener('keyup', (e) => {
        e.stopPropagation();
      });
    }
    place();
  };

  const win = doc.defaultView;
  win?.addEventListener('resize', place, { passive: true });
  win?.addEventListener('scroll', place, { passive: true, capture: true });

  return {
    review(memories) {
      const fresh = memories.filter((m) => !seenIds.has(m.id));
      shown = [...memories];
      for (const m of memories) seenIds.add(m.id);
      show('review');
      renderReview();
      place();
      const left = memories.filter((m) => !removed.has(m.id)).length;
      // Announced when memories appear, not on every keystroke's prefetch, and never for none.
      if (fresh.length > 0 && left > 0) {
        announce(`Engram will add ${plural(left, 'memory', 'memories')} to this message. Press Alt+Up arrow to review them, Alt+Enter to send without.`);
      }
    },
    manual() {
      show('manual');
      const add = button('Add memories', 'insert', () => {
        callbacks.insert();
      });
      add.setAttribute('aria-keyshortcuts', 'Alt+Shift+M');
      const actions = doc.createElement('div');
      actions.className = 'actions';
      actions.append(add, rememberToggle());
      panel.replaceChildren(actions);
      place();
    },
    indicate(count, options) {
      if (options?.locked) {
        show('indicator');
        const p = doc.createElement('p');
        p.className = 'title';
        p.textContent = LOCKED_TEXT;
        panel.replaceChildren(p);
        place();
        announce(LOCKED_TEXT);
        return;
      }
      if (count <= 0) {
        this.hide();
        return;
      }
      show('indicator');
      const p = doc.createElement('p');
      p.className = 'title';
      p.append(doc.createTextNode(`Engram added ${plural(count, 'memory', 'memories')} to your message. `), button('See what was sent', 'link', () => {
          callbacks.openLog();
        }));
      panel.replaceChildren(p);
      place();
      announce(`Engram added ${plural(count, 'memory', 'memories')} to your message.`);
    },
    hide() {
      if (view === 'hidden') return;
      view = 'hidden';
      panel.hidden = true;
      panel.replaceChildren();
    },
    kept(memories) {
      return memories.filter((m) => !removed.has(m.id));
    },
    seen(memories) {
      return view === 'review' && memories.every((m) => seenIds.has(m.id));
    },
    get remember() {
      return remember;
    },
    newTurn() {
      removed.clear();
      seenIds.clear();
      shown = [];
      remember = true;
      announced = '';
    },
    focusList() {
      if (view !== 'review') return false;
      const first = removeButtons()[0];
      if (!first) return false;
      first.focus();
      return true;
    },
    place,
    get view() {
      return view;
    },
    get shown() {
      return view === 'review' ? shown.filter((m) => !removed.has(m.id)).map((m) => m.text) : [];
    },
    get announced() {
      return announced;
    },
    remove() {
      win?.removeEventListener('resize', place);
      win?.removeEventListener('scroll', place, { capture: true });
      host?.remove();
      host = null;
    },
  };
}
