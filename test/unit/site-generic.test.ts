// @vitest-environment happy-dom
/**
 * The generic adapter (a chat site the user turned Engram on for): it follows the user, so the
 * composer is the field they type in, the send button is its form's (or one that says it sends),
 * and without one a send is an Enter in the composer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createGenericAdapter } from '../../src/sites/generic/adapter';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function load(): void {
  const parsed = new DOMParser().parseFromString(readFileSync(path.join(root, 'test/fixtures/sites/generic.html'), 'utf8'), 'text/html');
  for (const script of parsed.querySelectorAll('script')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', '/chat/42');
}
const el = (selector: string): HTMLElement => document.querySelector<HTMLElement>(selector)!;

afterEach(() => {
  document.body.innerHTML = '';
});

describe('generic adapter', () => {
  it('takes the page’s only text field as the composer, and the form’s submit button once enabled', () => {
    load();
    const adapter = createGenericAdapter(document);
    expect(adapter.findComposer()).toBe(el('#message'));
    expect(adapter.findSendButton()).toBeNull(); // disabled while empty
    (el('#send') as HTMLButtonElement).disabled = false;
    expect(adapter.findSendButton()).toBe(el('#send'));
    expect(adapter.isSendButton(el('#send'))).toBe(true);
    expect(adapter.health()).toEqual({ ok: true });
  });

  it('with several fields, the composer is the one the user is typing in', () => {
    load();
    document.body.insertAdjacentHTML('afterbegin', '<div id="notes" contenteditable="true"><p>my notes</p></div>');
    const adapter = createGenericAdapter(document);
    expect(adapter.findComposer()).toBeNull(); // two, none focused: none is taken
    el('#notes').focus();
    expect(adapter.findComposer()).toBe(el('#notes'));
    el('#message').focus();
    expect(adapter.findComposer()).toBe(el('#message'));
  });

  it('finds a send button outside a form by what it says, and none otherwise', () => {
    document.body.innerHTML = '<div><div><textarea id="t"></textarea></div><button aria-label="Send message" id="b"></button><button id="x">Clear</button></div>';
    const adapter = createGenericAdapter(document);
    expect(adapter.findSendButton()).toBe(el('#b'));
    el('#b').remove();
    expect(adapter.findSendButton()).toBeNull();
  });

  it('reads and writes the composer; reads no turns; names the conversation by host and path', async () => {
    load();
    const adapter = createGenericAdapter(document);
    const box = el('#message') as HTMLTextAreaElement;
    box.value = '  Hello there  ';
    expect(adapter.readComposer()).toBe('Hello there');
    let heard = '';
    box.addEventListener('input', () => (heard = box.value));
    await adapter.writeComposer('Line one\nLine two');
    expect(box.value).toBe('Line one\nLine two');
    expect(heard).toBe('Line one\nLine two');
    expect(adapter.readTurns()).toEqual([]);
    expect(adapter.conversationId()).toBe(`${location.host}/chat/42`);
    expect(adapter.isTemporaryChat()).toBe(false);
  });

  it('says the page needs an update when it has no text field at all', () => {
    document.body.innerHTML = '<p>Nothing to type into</p>';
    expect(createGenericAdapter(document).health()).toEqual({ ok: false, reason: 'no text field found on the page' });
  });
});
