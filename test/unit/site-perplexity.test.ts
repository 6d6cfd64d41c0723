// @vitest-environment happy-dom
/**
 * The Perplexity adapter against a copy of Perplexity's DOM (test/fixtures/sites/perplexity.html):
 * Engram must write the Lexical editor the only way Lexical takes text from outside (a paste event),
 * send only with an enabled Submit button, and read the thread the way the page shows it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPerplexityAdapter } from '../../src/sites/perplexity/adapter';
import { PERPLEXITY_CONVERSATION_PATH, perplexityConversationUrl } from '../../src/sites/perplexity/selectors';
import type { SiteAdapter } from '../../src/sites/site-adapter';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sites/perplexity.html');

/** Puts the fixture page's body into the test document, without running its scripts. */
function load(pathname = '/'): SiteAdapter {
  const parsed = new DOMParser().parseFromString(readFileSync(fixture, 'utf8'), 'text/html');
  for (const script of parsed.querySelectorAll('script')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', pathname);
  return createPerplexityAdapter(document);
}

function el(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`fixture has no ${selector}`);
  return found;
}

function submitButton(): HTMLButtonElement {
  const found = el('button[aria-label="Submit"]');
  if (!(found instanceof HTMLButtonElement)) throw new Error('Submit is not a button');
  return found;
}

const editor = (): HTMLElement => el('#ask-input');
const thread = (): HTMLElement => el('#thread');

/** What Lexical leaves in the DOM for typed lines. */
function typeLexical(lines: string[]): void {
  editor().innerHTML = lines
    .map((line) => (line ? `<p dir="ltr"><span data-lexical-text="true">${line}</span></p>` : '<p><br></p>'))
    .join('');
}

/** A user query: an <h1> for the thread's first question, a <div> for a follow-up. */
const query = (text: string, tag: 'h1' | 'div' = 'div'): string =>
  `<div class="flex items-end"><${tag} class="group/query relative whitespace-pre-line break-words"><span class="select-text">${text}</span><button type="button" aria-label="Edit query"><svg></svg></button></${tag}></div>`;

/** An answer: sources and actions around div#markdown-content-<n> > .prose. */
const answer = (n: number, html: string): string =>
  `<div class="pb-md"><div class="sources"><a href="https://example.org">example.org</a></div>` +
  `<div id="markdown-content-${n}" class="relative"><div class="prose dark:prose-invert inline leading-relaxed break-words min-w-0">${html}</div></div>` +
  `<div class="actions"><button type="button" aria-label="Copy"><svg></svg></button></div></div>`;

afterEach(() => {
  document.body.innerHTML = '';
  history.replaceState({}, '', '/');
  vi.restoreAllMocks();
});

describe('Perplexity adapter: composer', () => {
  it('finds exactly the Lexical editor', () => {
    const adapter = load();
    expect(adapter.findComposer()).toBe(editor());
    expect(adapter.isInComposer(submitButton())).toBe(false);
    expect(adapter.isInComposer(el('[aria-hidden="true"].pointer-events-none'))).toBe(false); // the placeholder
  });

  it('treats a node inside the editor as in the composer', () => {
    const adapter = load();
    typeLexical(['hello']);
    expect(adapter.isInComposer(el('#ask-input span[data-lexical-text]'))).toBe(true);
    expect(adapter.isInComposer(thread())).toBe(false);
  });

  it('reads the editor lines joined by newlines, and an empty editor as empty', () => {
    const adapter = load();
    expect(adapter.readComposer()).toBe('');
    typeLexical(["I'm vegetarian", '', 'What should I cook\u00a0tonight?']);
    expect(adapter.readComposer()).toBe("I'm vegetarian\n\nWhat should I cook tonight?");
  });

  it('with two live composers returns the first in document order, and null with none', async () => {
    const adapter = load();
    const first = editor();
    first.insertAdjacentHTML(
      'afterend',
      '<div contenteditable="true" role="textbox" data-lexical-editor="true" id="second-editor"><p><br></p></div>',
    );
    expect(adapter.findComposer()).toBe(first);

    first.remove();
    // The second Lexical editor is found through Lexical's own root marker.
    expect(adapter.findComposer()).toBe(el('#second-editor'));

    el('#second-editor').remove();
    expect(adapter.findComposer()).toBeNull();
    expect(adapter.readComposer()).toBe('');
    await expect(adapter.writeComposer('hello')).rejects.toThrow(/perplexity: composer not found/);
  });

  it('writeComposer selects the editor and dispatches a paste event carrying the text', async () => {
    const adapter = load();
    typeLexical(['old text']);
    const pasted: { text: string | undefined; event: Event; selected: string }[] = [];
    editor().addEventListener('paste', (event) => {
      pasted.push({
        text: event.clipboardData?.getData('text/plain'),
        event,
        selected: document.getSelection()?.toString() ?? '',
      });
    });
    const dispatch = vi.spyOn(editor(), 'dispatchEvent');

    await adapter.writeComposer('Vegetarian recipes\nfor tonight');

    expect(pasted).toHaveLength(1);
    expect(pasted[0]!.text).toBe('Vegetarian recipes\nfor tonight');
    expect(pasted[0]!.event).toBeInstanceOf(ClipboardEvent);
    expect(pasted[0]!.event.bubbles).toBe(true);
    expect(pasted[0]!.event.cancelable).toBe(true);
    // The paste replaces what was there: the whole editor is selected when it arrives.
    expect(pasted[0]!.selected).toBe('old text');
    // One paste (happy-dom re-enters dispatchEvent for each event phase: count the events), and no
    // DOM write announced as typing (focus events aside).
    const events = new Set(dispatch.mock.calls.map(([event]) => event));
    const types = [...events].map((event) => event.type);
    expect(types.filter((type) => type === 'paste')).toHaveLength(1);
    expect(types).not.toContain('input');
    expect(types).not.toContain('beforeinput');
    // Nothing is written into the DOM behind Lexical's back: Lexical itself applies the paste.
    expect(editor().textContent).toBe('old text');
  });

  it('writes the legacy plain textarea with its value and an input event instead', async () => {
    const adapter = load();
    editor().outerHTML = '<textarea id="ask-input" placeholder="Ask a follow-up"></textarea>';
    const textarea = el('#ask-input') as HTMLTextAreaElement;
    const heard: string[] = [];
    textarea.addEventListener('input', () => heard.push(textarea.value));
    let pastes = 0;
    textarea.addEventListener('paste', () => pastes++);

    expect(adapter.findComposer()).toBe(textarea);
    await adapter.writeComposer('hello there');

    expect(textarea.value).toBe('hello there');
    expect(adapter.readComposer()).toBe('hello there');
    expect(heard).toEqual(['hello there']);
    expect(pastes).toBe(0);
  });
});

describe('Perplexity adapter: send button', () => {
  it('finds no send button while Submit is disabled (empty composer), and Submit once enabled', () => {
    const adapter = load();
    const button = submitButton();
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(button)).toBe(false);

    button.disabled = false;
    expect(adapter.findSendButton()).toBe(button);
    expect(adapter.isSendButton(button.querySelector('svg'))).toBe(true);
    expect(adapter.isSendButton(el('button[aria-label="Choose a model"]'))).toBe(false);

    button.setAttribute('aria-disabled', 'true');
    expect(adapter.findSendButton()).toBeNull();
  });

  it('falls back to the submit button of the form holding the editor when the label is not "Submit"', () => {
    const adapter = load();
    const box = el('.bg-raised');
    const form = document.createElement('form');
    box.replaceWith(form);
    form.append(box);
    const button = submitButton();
    button.setAttribute('aria-label', 'Envoyer');
    button.type = 'submit';
    expect(adapter.findSendButton()).toBeNull(); // still disabled
    button.disabled = false;
    expect(adapter.findSendButton()).toBe(button);
  });

  it('takes no button for the send button when the label changes outside a form (no guess)', () => {
    const adapter = load();
    const button = submitButton();
    button.setAttribute('aria-label', 'Envoyer');
    button.disabled = false;
    expect(adapter.findSendButton()).toBeNull();
  });
});

describe('Perplexity adapter: turns', () => {
  it('reads queries and answers in order, with roles and the full text', () => {
    const adapter = load('/search/cooking-for-a-vegetarian-mYPmLTUQS5.ACodGlFLJFg');
    thread().innerHTML =
      query('I am vegetarian and live in Berlin', 'h1') +
      answer(0, '<p>Noted.</p><p>Berlin has many vegetarian restaurants.</p>') +
      query('What should I cook tonight?\nSomething quick') +
      answer(
        1,
        [
          '<h2>Quick dinners</h2>',
          '<p>Both take <strong>under 30 minutes</strong>:</p>',
          '<ol><li>Lentil soup</li><li>Chickpea curry</li></ol>',
          '<table><thead><tr><th>Dish</th><th>Time</th></tr></thead>',
          '<tbody><tr><td>Soup</td><td>25 min</td></tr></tbody></table>',
          '<pre><code class="language-python">simmer(minutes=20)\nserve()</code></pre>',
          '<p>Enjoy!</p>',
        ].join(''),
      );

    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'I am vegetarian and live in Berlin' },
      { role: 'assistant', text: 'Noted.\nBerlin has many vegetarian restaurants.' },
      { role: 'user', text: 'What should I cook tonight?\nSomething quick' },
      {
        role: 'assistant',
        text: [
          'Quick dinners',
          'Both take under 30 minutes:',
          'Lentil soup',
          'Chickpea curry',
          'Dish | Time',
          'Soup | 25 min',
          'simmer(minutes=20)',
          'serve()',
          'Enjoy!',
        ].join('\n'),
      },
    ]);
  });

  it('reads the fixture’s own turn templates as the scripted chat renders them', () => {
    const adapter = load();
    const raw = readFileSync(fixture, 'utf8');
    const config = JSON.parse(
      /<script type="application\/json" id="scripted-chat-config">([\s\S]*?)<\/script>/.exec(raw)![1]!,
    ) as { userTurn: string; assistantTurn: string; thread: string };
    const fill = (template: string, text: string, n: number): string =>
      template.replaceAll('{text}', text).replaceAll('{n}', String(n));
    el(config.thread).innerHTML =
      fill(config.userTurn, 'My name is Ada', 1) + fill(config.assistantTurn, 'Hello Ada', 1);
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'My name is Ada' },
      { role: 'assistant', text: 'Hello Ada' },
    ]);
  });

  it('skips an answer that has no text yet', () => {
    const adapter = load();
    thread().innerHTML = query('Hi', 'h1') + answer(0, '');
    expect(adapter.readTurns()).toEqual([{ role: 'user', text: 'Hi' }]);
  });
});

describe('Perplexity adapter: conversation', () => {
  it('reads the thread slug from /search/<slug>, dots and UUIDs included', () => {
    const adapter = load('/search/javascriptwa-typescriptyi-munb-mYPmLTUQS5.ACodGlFLJFg');
    expect(adapter.conversationId()).toBe('javascriptwa-typescriptyi-munb-mYPmLTUQS5.ACodGlFLJFg');
    history.replaceState({}, '', '/search/13bf8b52-80b0-435e-a1f6-ec99faa942b3');
    expect(adapter.conversationId()).toBe('13bf8b52-80b0-435e-a1f6-ec99faa942b3');
  });

  it('gives a new thread (/, /search/new) a stable page-local id', () => {
    const adapter = load('/');
    const local = adapter.conversationId();
    expect(local).toMatch(/^new-/);
    expect(adapter.conversationId()).toBe(local);
    expect(createPerplexityAdapter(document).conversationId()).not.toBe(local);
    history.replaceState({}, '', '/search/new?q=hello');
    expect(adapter.conversationId()).toBe(local);
    history.replaceState({}, '', '/search/react-agents-NcXLQhreS0WDzpVaS4m9Cg');
    expect(adapter.conversationId()).toBe('react-agents-NcXLQhreS0WDzpVaS4m9Cg');
  });

  it('builds the URL its path pattern reads back', () => {
    const url = new URL(perplexityConversationUrl('react-agents-NcXLQhreS0WDzpVaS4m9Cg'));
    expect(url.origin).toBe('https://www.perplexity.ai');
    expect(PERPLEXITY_CONVERSATION_PATH.exec(url.pathname)?.[1]).toBe('react-agents-NcXLQhreS0WDzpVaS4m9Cg');
  });

  it('has no temporary-chat detector (no known marker): never temporary', () => {
    const adapter = load('/');
    expect(adapter.isTemporaryChat()).toBe(false);
  });
});
