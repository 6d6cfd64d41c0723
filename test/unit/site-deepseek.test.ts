// @vitest-environment happy-dom
/**
 * The DeepSeek adapter against a copy of DeepSeek's DOM (test/fixtures/sites/deepseek.html): the
 * composer is a React-controlled textarea, the send control a div[role="button"] that is also the
 * Stop control while a reply is generated, and each message a `.ds-message` of a virtual list.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeepseekAdapter } from '../../src/sites/deepseek/adapter';
import { DEEPSEEK_CONVERSATION_PATH, deepseekConversationUrl } from '../../src/sites/deepseek/selectors';
import type { SiteAdapter } from '../../src/sites/site-adapter';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sites/deepseek.html');

/** Puts the fixture page's body into the test document, without running its scripts. */
function load(pathname = '/'): SiteAdapter {
  const parsed = new DOMParser().parseFromString(readFileSync(fixture, 'utf8'), 'text/html');
  for (const script of parsed.querySelectorAll('script')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', pathname);
  return createDeepseekAdapter(document);
}

function el(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`fixture has no ${selector}`);
  return found;
}

const textarea = (): HTMLTextAreaElement => el('textarea#chat-input') as HTMLTextAreaElement;
const control = (): HTMLElement => el('#send-control');

/** What DeepSeek's control shows while a reply is generated: the stop square instead of the arrow. */
function showStop(): void {
  control().querySelector('path')!.setAttribute('d', 'M2 4.88C2 3.68009 2 3.08013 2.30557 2.6596Z');
  control().setAttribute('aria-disabled', 'false');
}

/** Message rows in the shape DeepSeek renders them (see the fixture's config templates). */
const userRow = (key: number, html: string): string =>
  `<div data-virtual-list-item-key="-${key}"><div class="d29f3d7d ds-message _63c77b1"><div class="fbb737a4">${html}</div>` +
  `<div class="ds-flex"><div class="ds-icon-button" role="button"><svg width="16" height="16"></svg></div></div></div></div>`;
const assistantRow = (key: number, answer: string, thinking = ''): string =>
  `<div data-virtual-list-item-key="${key}"><div class="ds-message _63c77b1">` +
  (thinking ? `<div class="_74c0879"><div class="ds-think-content"><div class="ds-markdown"><p>${thinking}</p></div></div></div>` : '') +
  `<div class="ds-markdown ds-assistant-message-main-content">${answer}</div>` +
  `<div class="ds-flex"><div class="ds-icon-button" role="button"><svg width="16" height="16"></svg></div></div></div></div>`;

afterEach(() => {
  document.body.innerHTML = '';
  history.replaceState({}, '', '/');
});

describe('DeepSeek adapter', () => {
  it('finds the composer textarea, and a node inside it is in the composer', () => {
    const adapter = load();
    expect(adapter.findComposer()).toBe(textarea());
    expect(adapter.isInComposer(textarea())).toBe(true);
    expect(adapter.isInComposer(el('#thread'))).toBe(false);
    expect(adapter.isInComposer(control())).toBe(false);
  });

  it('does not take the textarea of a message being edited for the composer', () => {
    const adapter = load();
    el('#thread').innerHTML = `<div data-virtual-list-item-key="-1"><div class="ds-message"><textarea id="chat-input" name="search"></textarea></div></div>`;
    expect(adapter.findComposer()).toBe(document.querySelector('.composer textarea'));
  });

  it('finds no send button while the control is disabled, and the control once it is enabled', () => {
    const adapter = load();
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(control())).toBe(false);

    control().setAttribute('aria-disabled', 'false');
    expect(adapter.findSendButton()).toBe(control());
    expect(adapter.isSendButton(control().querySelector('path'))).toBe(true);
  });

  it('also takes the design-system class for disabled, and never takes the attach button', () => {
    const adapter = load();
    control().setAttribute('aria-disabled', 'false');
    control().classList.add('ds-button--disabled');
    expect(adapter.findSendButton()).toBeNull();
    control().classList.remove('ds-button--disabled');
    control().remove();
    expect(adapter.findSendButton()).toBeNull();
  });

  it('does not take the control for a send button while it is Stop or the thinking spinner', () => {
    const adapter = load();
    showStop();
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(control())).toBe(false);

    control().querySelector('.ds-icon')!.outerHTML = '<div class="ds-loading"><svg viewBox="0 0 36 36" data-icon="spin"></svg></div>';
    expect(adapter.findSendButton()).toBeNull();
  });

  it('submit clicks the enabled control, and presses Enter in the composer when there is none', async () => {
    const adapter = load();
    let clicks = 0;
    control().addEventListener('click', () => (clicks += 1));
    const keys: string[] = [];
    textarea().addEventListener('keydown', (event) => keys.push(event.key));

    await adapter.submit();
    expect(clicks).toBe(0);
    expect(keys).toEqual(['Enter']);

    control().setAttribute('aria-disabled', 'false');
    await adapter.submit();
    expect(clicks).toBe(1);
  });

  it('reads user and assistant turns in order, the answer in full and without the reasoning', () => {
    const adapter = load('/a/chat/s/abc');
    el('#thread').innerHTML =
      userRow(2, 'I live in Lyon\nand I am vegetarian') +
      assistantRow(
        2,
        '<h3>Dinner ideas</h3><p class="ds-markdown-paragraph">A few <strong>vegetarian</strong> dishes:</p>' +
          '<ul><li><p class="ds-markdown-paragraph">Ratatouille</p></li><li><p class="ds-markdown-paragraph">Lentil salad</p></li></ul>' +
          '<div class="md-code-block"><pre><span>const dish = "gratin";</span>\n<span>cook(dish);</span></pre></div>' +
          '<p class="ds-markdown-paragraph">Enjoy!</p>',
        'The user is vegetarian, so no meat.',
      ) +
      userRow(4, 'Thanks');
    // textOf (src/sites/dom.ts) leaves an empty line after a block nested in a block (li > p,
    // div > pre): what matters here is that every line is read, in order.
    const turns = adapter.readTurns().map((turn) => ({ ...turn, text: turn.text.replace(/\n{2,}/g, '\n') }));
    expect(turns).toEqual([
      { role: 'user', text: 'I live in Lyon\nand I am vegetarian' },
      {
        role: 'assistant',
        text: 'Dinner ideas\nA few vegetarian dishes:\nRatatouille\nLentil salad\nconst dish = "gratin";\ncook(dish);\nEnjoy!',
      },
      { role: 'user', text: 'Thanks' },
    ]);
  });

  it('reads an answer that is a direct .ds-markdown child, when the main-content class is missing', () => {
    const adapter = load('/a/chat/s/abc');
    el('#thread').innerHTML =
      userRow(2, 'Hi') +
      `<div data-virtual-list-item-key="2"><div class="ds-message"><div class="ds-think-content"><div class="ds-markdown"><p>thinking</p></div></div><div class="ds-markdown"><p>Hello!</p></div></div></div>`;
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'Hi' },
      { role: 'assistant', text: 'Hello!' },
    ]);
  });

  it('leaves out the reply being generated until the control is back to send', () => {
    const adapter = load('/a/chat/s/abc');
    el('#thread').innerHTML = userRow(2, 'Hi') + assistantRow(2, '<p>Hello, how can I</p>');
    showStop();
    expect(adapter.readTurns()).toEqual([{ role: 'user', text: 'Hi' }]);

    control().querySelector('path')!.setAttribute('d', 'M8.3125 0.981587L14.5 7.2Z');
    expect(adapter.readTurns().at(-1)).toEqual({ role: 'assistant', text: 'Hello, how can I' });
  });

  it('reads the conversation id from /a/chat/s/<id>, and a stable page-local id on a new chat', () => {
    const adapter = load('/');
    const local = adapter.conversationId();
    expect(local).toMatch(/^new-/);
    expect(adapter.conversationId()).toBe(local);
    expect(createDeepseekAdapter(document).conversationId()).not.toBe(local);

    history.replaceState({}, '', '/a/chat/s/5dfd285c-f3aa-4f7c-bf93-c3d40b786192');
    expect(adapter.conversationId()).toBe('5dfd285c-f3aa-4f7c-bf93-c3d40b786192');
    expect(adapter.isTemporaryChat()).toBe(false);
  });

  it('builds the conversation URL that its path pattern reads back', () => {
    const url = new URL(deepseekConversationUrl('5dfd285c-f3aa'));
    expect(url.origin).toBe('https://chat.deepseek.com');
    expect(DEEPSEEK_CONVERSATION_PATH.exec(url.pathname)?.[1]).toBe('5dfd285c-f3aa');
  });

  it('writeComposer sets the textarea value through the setter React watches, and fires input', async () => {
    const adapter = load();
    textarea().value = 'old text';
    const heard: { value: string; isInput: boolean }[] = [];
    textarea().addEventListener('input', (event) => heard.push({ value: textarea().value, isInput: event instanceof InputEvent }));
    // React keeps its own copy of the value by overriding the element's `value` property: a write
    // that bypasses the prototype's setter is invisible to it.
    const own: string[] = [];
    Object.defineProperty(textarea(), 'value', {
      configurable: true,
      get() {
        return Reflect.get(HTMLTextAreaElement.prototype, 'value', this);
      },
      set(value: string) {
        own.push(value);
      },
    });

    await adapter.writeComposer('first line\n\nthird line');

    expect(own).toEqual([]);
    expect(adapter.readComposer()).toBe('first line\n\nthird line');
    expect(heard).toEqual([{ value: 'first line\n\nthird line', isInput: true }]);
  });

  it('is healthy on the fixture page, and says why when the send control is missing', () => {
    const adapter = load();
    expect(adapter.health()).toEqual({ ok: true });
    control().remove();
    expect(adapter.health()).toEqual({ ok: false, reason: 'no send button found on the page' });
  });
});
