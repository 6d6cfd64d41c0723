// @vitest-environment happy-dom
/**
 * The Grok adapter against a copy of Grok's DOM (test/fixtures/sites/grok.html): the composer is a
 * Tiptap (ProseMirror) editor, the send button is disabled while it is empty, and each message is
 * a bubble whose test id gives its role, inside a `response-<id>` container.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrokAdapter } from '../../src/sites/grok/adapter';
import { GROK_CONVERSATION_PATH, grokConversationUrl } from '../../src/sites/grok/selectors';
import type { SiteAdapter } from '../../src/sites/site-adapter';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sites/grok.html');

/** Puts the fixture page's body into the test document, without running its scripts. */
function load(pathname = '/'): SiteAdapter {
  const parsed = new DOMParser().parseFromString(readFileSync(fixture, 'utf8'), 'text/html');
  for (const script of parsed.querySelectorAll('script')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', pathname);
  return createGrokAdapter(document);
}

function el(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`fixture has no ${selector}`);
  return found;
}

const editor = (): HTMLElement => el('#grok-composer');
const submit = (): HTMLButtonElement => el('#grok-submit') as HTMLButtonElement;

/** What a user typing into the editor leaves in the DOM. */
function typeParagraphs(lines: string[]): void {
  editor().innerHTML = lines.map((line) => (line ? `<p>${line}</p>` : '<p><br></p>')).join('');
}

/** Transcript rows in the shape Grok renders them (see the fixture's config templates). */
const row = (id: string, role: 'user' | 'assistant', html: string): string =>
  `<div data-plane-row="gateway:${id}"><div id="response-${id}" class="relative group flex flex-col justify-center w-full ${role === 'user' ? 'items-end' : 'items-start'}">` +
  `<div data-testid="${role}-message" class="message-bubble relative"><div class="relative response-content-markdown markdown">${html}</div></div>` +
  `<div class="action-buttons"><button type="button" aria-label="Copy"><svg width="16" height="16"></svg></button></div></div></div>`;

afterEach(() => {
  document.body.innerHTML = '';
  history.replaceState({}, '', '/');
});

describe('Grok adapter', () => {
  it('finds the Tiptap editor, and a node inside it is in the composer', () => {
    const adapter = load();
    expect(adapter.findComposer()).toBe(editor());
    typeParagraphs(['hello']);
    expect(adapter.isInComposer(el('#grok-composer p'))).toBe(true);
    expect(adapter.isInComposer(el('#thread'))).toBe(false);
    expect(adapter.isInComposer(submit())).toBe(false);
  });

  it('does not take the editor of a message being edited for the composer', () => {
    const adapter = load();
    el('#thread').innerHTML = row('u1', 'user', '<div class="tiptap ProseMirror" contenteditable="true" role="textbox"><p>draft</p></div>');
    expect(adapter.findComposer()).toBe(editor());
  });

  it('finds the 2025 textarea composer of the query bar on builds that have it', () => {
    const adapter = load();
    editor().parentElement!.innerHTML = '<textarea dir="auto" aria-label="Ask Grok anything"></textarea>';
    expect(adapter.findComposer()).toBe(el('.query-bar textarea'));
  });

  it('finds no send button while it is disabled, and the button once enabled', () => {
    const adapter = load();
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(submit())).toBe(false);

    submit().disabled = false;
    expect(adapter.findSendButton()).toBe(submit());
    expect(adapter.isSendButton(submit().querySelector('path'))).toBe(true);
    expect(adapter.isSendButton(el('[data-testid="attach-button"]'))).toBe(false);
  });

  it('does not take a stop button for a send button', () => {
    const adapter = load();
    submit().remove();
    el('.query-bar').insertAdjacentHTML('beforeend', '<button type="submit" data-testid="chat-stop" aria-label="Stop"><svg></svg></button>');
    expect(adapter.findSendButton()).toBeNull();
  });

  it('reads the composer paragraphs joined by newlines', () => {
    const adapter = load();
    expect(adapter.readComposer()).toBe('');
    typeParagraphs(['I live in Lyon', '', 'What should I cook\u00a0tonight?']);
    expect(adapter.readComposer()).toBe('I live in Lyon\n\nWhat should I cook tonight?');
  });

  it('reads user and assistant turns in order with their ids, and a whole reply', () => {
    const adapter = load('/c/b9bc9d0b-2573-4fc6-84a3-a7c7a4917a10');
    el('#thread').innerHTML =
      row('u1', 'user', '<p dir="auto" class="break-words whitespace-pre-wrap">I am vegetarian\nand I live in Lyon</p>') +
      row(
        'a1',
        'assistant',
        '<h3 dir="auto">Dinner ideas</h3><p dir="auto" class="break-words">A few <strong>vegetarian</strong> dishes:</p>' +
          '<ul><li class="break-words">Ratatouille</li><li class="break-words">Lentil salad</li></ul>' +
          '<div data-testid="code-block"><div class="flex"><span class="font-mono text-xs">js</span><button type="button" aria-label="Copy">Copy</button></div>' +
          '<pre><code>const dish = "gratin";\ncook(dish);</code></pre></div>' +
          '<p dir="auto" class="break-words">Enjoy!</p>',
      ) +
      row('u2', 'user', '<p dir="auto" class="break-words">Thanks</p>');
    // textOf (src/sites/dom.ts) leaves an empty line after a block nested in a block (div > pre):
    // what matters here is that every line is read, in order.
    const turns = adapter.readTurns().map((turn) => ({ ...turn, text: turn.text.replace(/\n{2,}/g, '\n') }));
    expect(turns).toEqual([
      { role: 'user', text: 'I am vegetarian\nand I live in Lyon', id: 'u1' },
      {
        role: 'assistant',
        // The code block's language label is part of the block, as on the page.
        text: 'Dinner ideas\nA few vegetarian dishes:\nRatatouille\nLentil salad\njs\nconst dish = "gratin";\ncook(dish);\nEnjoy!',
        id: 'a1',
      },
      { role: 'user', text: 'Thanks', id: 'u2' },
    ]);
  });

  it('reads 2025 bubbles without test ids by their alignment', () => {
    const adapter = load('/c/abc');
    el('#thread').innerHTML =
      '<div id="response-u1" class="relative group flex flex-col items-end"><div class="message-bubble"><span class="whitespace-pre-wrap">Hi</span></div></div>' +
      '<div id="response-a1" class="relative group flex flex-col items-start"><div class="message-bubble"><div class="response-content-markdown"><p>Hello!</p></div></div></div>';
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'Hi', id: 'u1' },
      { role: 'assistant', text: 'Hello!', id: 'a1' },
    ]);
  });

  it('leaves out the reply still streaming while the transcript is busy', () => {
    const adapter = load('/c/abc');
    el('#thread').innerHTML = row('u1', 'user', '<p>Hi</p>') + row('a1', 'assistant', '<p>Hello, how can</p>');
    el('[data-testid="chat-transcript-scroller"]').setAttribute('aria-busy', 'true');
    expect(adapter.readTurns()).toEqual([{ role: 'user', text: 'Hi', id: 'u1' }]);

    el('[data-testid="chat-transcript-scroller"]').setAttribute('aria-busy', 'false');
    expect(adapter.readTurns().at(-1)).toEqual({ role: 'assistant', text: 'Hello, how can', id: 'a1' });
  });

  it('reads the conversation id from /c/<id> (and the early-2025 /chat/<id>), and a stable page-local id on a new chat', () => {
    const adapter = load('/');
    const local = adapter.conversationId();
    expect(local).toMatch(/^new-/);
    expect(adapter.conversationId()).toBe(local);
    expect(createGrokAdapter(document).conversationId()).not.toBe(local);

    history.replaceState({}, '', '/c/b9bc9d0b-2573-4fc6-84a3-a7c7a4917a10');
    expect(adapter.conversationId()).toBe('b9bc9d0b-2573-4fc6-84a3-a7c7a4917a10');
    history.replaceState({}, '', '/chat/1f2e3d4c');
    expect(adapter.conversationId()).toBe('1f2e3d4c');
  });

  it('builds the conversation URL that its path pattern reads back', () => {
    const url = new URL(grokConversationUrl('b9bc9d0b-2573'));
    expect(url.origin).toBe('https://grok.com');
    expect(GROK_CONVERSATION_PATH.exec(url.pathname)?.[1]).toBe('b9bc9d0b-2573');
  });

  it('treats a chat opened at /?private, and the conversation it becomes, as private', () => {
    const adapter = load('/?private');
    expect(adapter.isTemporaryChat()).toBe(true);
    history.replaceState({}, '', '/c/private-1');
    expect(adapter.isTemporaryChat()).toBe(true);
    history.replaceState({}, '', '/');
    expect(adapter.isTemporaryChat()).toBe(false);
    history.replaceState({}, '', '/c/ordinary-1');
    expect(adapter.isTemporaryChat()).toBe(false);
  });

  it('writeComposer replaces the text and tells the editor through an input event', async () => {
    const adapter = load();
    typeParagraphs(['old text']);
    const heard: { text: string; isInput: boolean }[] = [];
    editor().addEventListener('input', (event) => heard.push({ text: adapter.readComposer(), isInput: event instanceof InputEvent }));

    await adapter.writeComposer('first line\n\nthird line');

    expect(adapter.readComposer()).toBe('first line\n\nthird line');
    expect(editor().textContent).not.toContain('old text');
    expect(editor().querySelectorAll(':scope > p')).toHaveLength(3);
    expect(heard).toEqual([{ text: 'first line\n\nthird line', isInput: true }]);
  });

  it('is healthy on the fixture page', () => {
    expect(load().health()).toEqual({ ok: true });
  });
});
