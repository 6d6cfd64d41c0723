// @vitest-environment happy-dom
/**
 * The injection modes on the ChatGPT fixture page (its scripted chat behaves like ProseMirror: its
 * state changes only on input events), with the real panel: review lists the prefetched memories
 * and sends only what the user kept (holding a send whose memories were never on screen), Alt+Enter
 * and "don't remember this message"; manual inserts only when asked; off and paused leave the page
 * alone; a page script's synthetic events never act on the panel. Also: temporary chats.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { interceptSends, PREFETCH_DEBOUNCE_MS, type RecalledLine, type SendHooks, type SendInterceptor } from '../../src/capture/send-interceptor';
import type { SiteState } from '../../src/core/control';
import { withMemoryBlock } from '../../src/inject/memory-block';
import { createPanel, type EngramPanel } from '../../src/inject/review-panel';
import { createChatgptAdapter } from '../../src/sites/chatgpt/adapter';
import { createClaudeAdapter } from '../../src/sites/claude/adapter';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtureHtml = readFileSync(path.join(root, 'test/fixtures/sites/chatgpt.html'), 'utf8');
const scriptedChat = readFileSync(path.join(root, 'demo/scripted-chat.js'), 'utf8');

const prompts = (): string[] => (window as unknown as { __scriptedChat: { prompts: string[] } }).__scriptedChat.prompts;
const composer = (): HTMLElement => document.querySelector<HTMLElement>('#prompt-textarea')!;
/** happy-dom's events are never trusted: these are the ones the test means as the user's. */
const userEvents = new WeakSet<Event>();
const isTrusted = (event: Event): boolean => userEvents.has(event);
const user = <E extends Event>(event: E): E => {
  userEvents.add(event);
  return event;
};

function typeText(text: string): void {
  composer().innerHTML = `<p>${text}</p>`;
  composer().dispatchEvent(user(new InputEvent('input', { bubbles: true, inputType: 'insertText' })));
}
const press = (key: string, init: KeyboardEventInit = {}, target: EventTarget = composer()): KeyboardEvent => {
  const event = user(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, composed: true, ...init }));
  target.dispatchEvent(event);
  return event;
};
const lines = (...texts: string[]): RecalledLine[] => texts.map((text, i) => ({ id: `m${i + 1}`, text }));
const settle = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS + 5);
};

let controller: AbortController;
let panel: EngramPanel;
/** The panel's shadow root, caught at creation (closed: the page gets null from `host.shadowRoot`). */
let shadow: ShadowRoot | null;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.stubGlobal('fetch', vi.fn(() => Promise.resolve({ ok: true, json: () => Promise.resolve({ reply: 'Scripted reply' }) })));
  const parsed = new DOMParser().parseFromString(fixtureHtml, 'text/html');
  for (const script of parsed.querySelectorAll('script:not([type="application/json"])')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', '/');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the repository's own demo script
  (new Function(scriptedChat) as () => void)();
  controller = new AbortController();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called on its element below
  const attach = HTMLElement.prototype.attachShadow;
  vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (this: HTMLElement, init: ShadowRootInit) {
    shadow = attach.call(this, init);
    return shadow;
  });
});

afterEach(() => {
  controller.abort();
  panel.remove();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

function start(state: SiteState, hooks: Partial<SendHooks> = {}) {
  const adapter = createChatgptAdapter(document);
  let interceptor: SendInterceptor | null = null;
  panel = createPanel(
    () => adapter.findComposer(),
    {
      sendWithout: () => interceptor?.sendWithout(),
      insert: () => interceptor?.insertMemories(),
      openLog: () => undefined,
      focusComposer: () => adapter.findComposer()?.focus(),
    },
    document,
    { isTrusted },
  );
  const full = {
    recall: vi.fn<SendHooks['recall']>(() => Promise.resolve(lines('I live in Berlin', "I'm vegetarian"))),
    captured: vi.fn<SendHooks['captured']>(),
    sent: vi.fn<NonNullable<SendHooks['sent']>>(),
    noteInjected: vi.fn<NonNullable<SendHooks['noteInjected']>>(),
    injected: vi.fn<NonNullable<SendHooks['injected']>>(),
    nothingToInsert: vi.fn<NonNullable<SendHooks['nothingToInsert']>>(),
    isTrusted,
    state: () => state,
    panel,
    ...hooks,
  };
  interceptor = interceptSends(adapter, full, controller.signal);
  return full;
}

const removeButtons = (): HTMLButtonElement[] => [...shadow!.querySelectorAll<HTMLButtonElement>('button.remove')];
const click = (el: HTMLElement, by: 'user' | 'page' = 'user'): void => {
  const event = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
  el.dispatchEvent(by === 'user' ? user(event) : event);
};

describe('review mode', () => {
  it('lists the prefetched memories in a closed root, never in the page, and sends only those the user kept', async () => {
    const hooks = start('review');
    typeText('Can you suggest a restaurant near me?');
    await settle();
    expect(panel.view).toBe('review');
    expect(panel.shown).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect(document.getElementById('engram-panel-host')!.shadowRoot).toBeNull(); // closed to the page
    expect(document.body.innerHTML).not.toContain('Berlin');
    expect(panel.announced).toMatch(/will add 2 memories/);

    click(removeButtons()[1]!); // remove "vegetarian" with the mouse
    expect(panel.shown).toEqual(['I live in Berlin']);
    expect(document.activeElement).toBe(composer()); // the user goes on typing

    press('Enter');
    await vi.waitFor(() => {
      expect(prompts()).toEqual([withMemoryBlock(['I live in Berlin'], 'Can you suggest a restaurant near me?')]);
    });
    expect(hooks.captured).toHaveBeenCalledWith('Can you suggest a restaurant near me?');
    await vi.waitFor(() => {
      expect(hooks.injected).toHaveBeenCalledWith(['m1'], 'review');
    });
    expect(hooks.noteInjected).toHaveBeenCalledWith(['m1']);
    expect(panel.view).toBe('indicator');
  });

  it('hears typing at beforeinput too, for an editor that cancels it and fires no input (Lexical)', async () => {
    const hooks = start('review');
    composer().innerHTML = '<p>Can you suggest a restaurant near me?</p>'; // the editor drew its state
    composer().dispatchEvent(user(new InputEvent('beforeinput', { bubbles: true, cancelable: true, inputType: 'insertText', data: '?' })));
    await settle();
    expect(hooks.recall).toHaveBeenCalledWith('Can you suggest a restaurant near me?', { prefetch: true });
    expect(panel.shown).toEqual(['I live in Berlin', "I'm vegetarian"]);
  });

  it('Alt+ArrowUp moves focus into the list; Delete removes; Escape returns to the composer', async () => {
    start('review');
    typeText('Can you suggest a restaurant near me?');
    await settle();
    composer().focus();
    expect(press('ArrowUp', { altKey: true }).defaultPrevented).toBe(true);
    expect(shadow!.activeElement).toBe(removeButtons()[0]);
    press('Delete', {}, removeButtons()[0]);
    expect(panel.shown).toEqual(["I'm vegetarian"]);
    expect(shadow!.activeElement).toBe(removeButtons()[0]); // focus stays in the list
    press('Escape', {}, removeButtons()[0]);
    expect(document.activeElement).toBe(composer());
  });

  it('holds a send whose memories the user has not seen, and sends them on the next Enter', async () => {
    const hooks = start('review');
    typeText('Can you suggest a restaurant near me?');
    press('Enter'); // before any prefetch answered
    await vi.waitFor(() => {
      expect(panel.view).toBe('review');
    });
    expect(prompts()).toEqual([]);
    expect(hooks.captured).not.toHaveBeenCalled();
    press('Enter');
    await vi.waitFor(() => {
      expect(prompts()).toHaveLength(1);
    });
    expect(prompts()[0]).toContain("I'm vegetarian");
  });

  it('a memory that arrives after the list was shown is shown before it is sent', async () => {
    const recall = vi.fn<SendHooks['recall']>().mockResolvedValueOnce(lines('I live in Berlin')).mockResolvedValue(lines('I live in Berlin', "I'm vegetarian"));
    start('review', { recall });
    typeText('Can you suggest a restaurant?');
    await settle();
    expect(panel.shown).toEqual(['I live in Berlin']);
    typeText('Can you suggest a restaurant near me?');
    press('Enter'); // sent before its prefetch: the new memory is not sent unseen
    await vi.waitFor(() => {
      expect(panel.shown).toEqual(['I live in Berlin', "I'm vegetarian"]);
    });
    expect(prompts()).toEqual([]);
  });

  it('Alt+Enter sends without memories; the turn is still remembered', async () => {
    const hooks = start('review');
    typeText('Can you suggest a restaurant near me?');
    await settle();
    press('Enter', { altKey: true });
    await vi.waitFor(() => {
      expect(prompts()).toEqual(['Can you suggest a restaurant near me?']);
    });
    expect(hooks.captured).toHaveBeenCalledWith('Can you suggest a restaurant near me?');
    expect(hooks.injected).not.toHaveBeenCalled();
  });

  it('"don\'t remember this message" sends the turn and never captures it; the next message is remembered again', async () => {
    const hooks = start('review', { recall: vi.fn(() => Promise.resolve([])) });
    typeText('I have a dog named Max');
    await settle();
    expect(panel.view).toBe('review'); // a quiet bar: no memories, and the choice
    const box = shadow!.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    box.checked = true;
    box.dispatchEvent(user(new Event('change', { bubbles: true })));
    press('Enter');
    await vi.waitFor(() => {
      expect(prompts()).toEqual(['I have a dog named Max']);
    });
    expect(hooks.captured).not.toHaveBeenCalled();
    expect(hooks.sent).not.toHaveBeenCalled();
    typeText('I live in Berlin');
    await settle();
    press('Enter');
    await vi.waitFor(() => {
      expect(hooks.captured).toHaveBeenCalledWith('I live in Berlin');
    });
  });

  it('a page script’s synthetic clicks and changes do nothing in the panel', async () => {
    start('review');
    typeText('Can you suggest a restaurant near me?');
    await settle();
    click(removeButtons()[0]!, 'page');
    expect(panel.shown).toHaveLength(2);
    const box = shadow!.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
    expect(panel.remember).toBe(true);
    expect(box.checked).toBe(false);
  });
});

describe('manual mode', () => {
  it('adds nothing unless asked; "Add memories" writes them into the composer, where they are sent as edited', async () => {
    const hooks = start('manual');
    typeText('Can you suggest a restaurant near me?');
    await settle();
    expect(hooks.recall).not.toHaveBeenCalled(); // no prefetch in manual mode
    expect(panel.view).toBe('manual');
    click(shadow!.querySelector<HTMLButtonElement>('button.insert')!);
    await vi.waitFor(() => {
      expect(composer().textContent).toContain('I live in Berlin');
    });
    await settle(); // the editor took the write
    press('Enter');
    await vi.waitFor(() => {
      expect(prompts()).toEqual([withMemoryBlock(['I live in Berlin', "I'm vegetarian"], 'Can you suggest a restaurant near me?')]);
    });
    expect(hooks.captured).toHaveBeenCalledWith('Can you suggest a restaurant near me?'); // never the block
    await vi.waitFor(() => {
      expect(hooks.injected).toHaveBeenCalledWith(['m1', 'm2'], 'manual');
    });

    typeText('What should I cook?');
    press('Enter');
    await vi.waitFor(() => {
      expect(prompts()).toHaveLength(2);
    });
    expect(prompts()[1]).toBe('What should I cook?');
  });

  it('an Enter pressed while the memories are still being written is held, not lost, and sends once', async () => {
    const hooks = start('manual');
    typeText('Can you suggest a restaurant near me?');
    click(shadow!.querySelector<HTMLButtonElement>('button.insert')!);
    await vi.waitFor(() => {
      expect(composer().textContent).toContain('I live in Berlin');
    });
    // At once, before the editor has settled the write: the user saw the memories and pressed Enter (twice).
    const first = press('Enter');
    const second = press('Enter');
    expect(first.defaultPrevented).toBe(true);
    expect(second.defaultPrevented).toBe(true);
    await settle();
    await vi.waitFor(() => {
      expect(prompts()).toEqual([withMemoryBlock(['I live in Berlin', "I'm vegetarian"], 'Can you suggest a restaurant near me?')]);
    });
    await vi.waitFor(() => {
      expect(hooks.injected).toHaveBeenCalledWith(['m1', 'm2'], 'manual');
    });
    await settle();
    expect(prompts()).toHaveLength(1);
  });

  it('says so when the composer is empty or nothing matches', async () => {
    const hooks = start('manual', { recall: vi.fn(() => Promise.resolve([])) });
    click(document.body); // nothing typed yet
    panel.manual();
    click(shadow!.querySelector<HTMLButtonElement>('button.insert')!);
    await vi.waitFor(() => {
      expect(hooks.nothingToInsert).toHaveBeenCalledWith('empty');
    });
    typeText('Hello');
    click(shadow!.querySelector<HTMLButtonElement>('button.insert')!);
    await vi.waitFor(() => {
      expect(hooks.nothingToInsert).toHaveBeenCalledWith('none');
    });
    expect(composer().textContent).toBe('Hello');
  });
});

describe.each(['off', 'paused'] as const)('%s', (state) => {
  it('leaves the page alone: no recall, no capture, the send is the page’s own', async () => {
    const hooks = start(state);
    typeText('I live in Berlin');
    await settle();
    press('Enter');
    await vi.waitFor(() => {
      expect(prompts()).toEqual(['I live in Berlin']); // as typed, by the page's own handler
    });
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(hooks.captured).not.toHaveBeenCalled();
    expect(panel.view).toBe('hidden');
  });
});

describe('temporary chats', () => {
  it('ChatGPT: ?temporary-chat=true, and the conversation it becomes after its first message', () => {
    const adapter = createChatgptAdapter(document);
    history.replaceState({}, '', '/?temporary-chat=true');
    expect(adapter.isTemporaryChat()).toBe(true);
    history.pushState({}, '', '/c/abc'); // the site gave the chat its URL, without the marker
    expect(adapter.isTemporaryChat()).toBe(true);
    history.pushState({}, '', '/'); // a new, ordinary chat
    expect(adapter.isTemporaryChat()).toBe(false);
    history.pushState({}, '', '/c/other');
    expect(adapter.isTemporaryChat()).toBe(false);
    history.pushState({}, '', '/c/abc'); // back to the temporary one
    expect(adapter.isTemporaryChat()).toBe(true);
  });

  it('Claude: ?incognito, bare or with a value', () => {
    const adapter = createClaudeAdapter(document);
    history.replaceState({}, '', '/new?incognito');
    expect(adapter.isTemporaryChat()).toBe(true);
    history.replaceState({}, '', '/new?incognito=true');
    expect(adapter.isTemporaryChat()).toBe(true);
    history.replaceState({}, '', '/new');
    expect(adapter.isTemporaryChat()).toBe(false);
  });
});
