// @vitest-environment happy-dom
/**
 * The Gemini adapter against a copy of Gemini's DOM (test/fixtures/sites/gemini.html): Engram must
 * write into the Quill editor (never Quill's paste buffer beside it), send only with the send button
 * in its send state, and read each exchange the way the page shows it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createGeminiAdapter } from '../../src/sites/gemini/adapter';
import { GEMINI_CONVERSATION_PATH, geminiConversationUrl } from '../../src/sites/gemini/selectors';
import type { SiteAdapter } from '../../src/sites/site-adapter';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sites/gemini.html');

/** Puts the fixture page's body into the test document, without running its scripts. */
function load(pathname = '/app'): SiteAdapter {
  const parsed = new DOMParser().parseFromString(readFileSync(fixture, 'utf8'), 'text/html');
  for (const script of parsed.querySelectorAll('script')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', pathname);
  return createGeminiAdapter(document);
}

function el(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`fixture has no ${selector}`);
  return found;
}

function sendButton(): HTMLButtonElement {
  const found = el('button.send-button');
  if (!(found instanceof HTMLButtonElement)) throw new Error('the send button is not a button');
  return found;
}

const editor = (): HTMLElement => el('rich-textarea .ql-editor');
const clipboard = (): HTMLElement => el('rich-textarea .ql-clipboard');
const thread = (): HTMLElement => el('#chat-history infinite-scroller');

/** What Gemini renders for one prompt: a hidden "You said" label, then one p.query-text-line a line. */
function userQuery(lines: string[], labelInside = false): string {
  const label = '<span class="cdk-visually-hidden">You said</span>';
  const text = lines.map((line) => `<p class="query-text-line">${line}</p>`).join('');
  return `<user-query><user-query-content class="user-query-container"><div class="query-content">
      ${labelInside ? '' : label}
      <div class="user-query-bubble-with-background"><div class="query-text gds-body-l" dir="ltr">${labelInside ? label : ''}${text}</div></div>
      <div class="query-actions"><button type="button" aria-label="Edit"><mat-icon fonticon="edit"></mat-icon></button></div>
    </div></user-query-content></user-query>`;
}

/** What Gemini renders for one reply. */
function modelResponse(markdown: string): string {
  return `<model-response><div class="response-container">
      <model-thoughts><div class="thoughts-header"><button type="button">Show thinking</button></div></model-thoughts>
      <message-content class="model-response-text"><div class="markdown markdown-main-panel" dir="ltr">${markdown}</div></message-content>
      <message-actions><button type="button" aria-label="Copy"><mat-icon fonticon="content_copy"></mat-icon></button></message-actions>
    </div></model-response>`;
}

const exchange = (user: string, assistant: string): string =>
  `<div class="conversation-container">${user}${assistant}</div>`;

afterEach(() => {
  document.body.innerHTML = '';
  history.replaceState({}, '', '/');
});

describe('Gemini adapter: composer', () => {
  it('finds exactly the Quill editor, never its paste buffer', () => {
    const adapter = load();
    expect(adapter.findComposer()).toBe(editor());
    expect(adapter.findComposer()).not.toBe(clipboard());
    expect(adapter.isInComposer(clipboard())).toBe(false);
    expect(adapter.isInComposer(sendButton())).toBe(false);
  });

  it('treats a node inside the editor as in the composer', () => {
    const adapter = load();
    editor().innerHTML = '<p>hello <strong>there</strong></p>';
    expect(adapter.isInComposer(el('rich-textarea .ql-editor strong'))).toBe(true);
    expect(adapter.isInComposer(editor())).toBe(true);
  });

  it('skips the paste buffer even when only the generic fallback finds the editor and the buffer comes first', () => {
    const adapter = load();
    const ed = editor();
    ed.classList.remove('ql-editor');
    ed.removeAttribute('role');
    ed.before(clipboard()); // the buffer now comes first in document order
    expect(adapter.findComposer()).toBe(ed);
  });

  it('finds no composer in the deep-research view', () => {
    const adapter = load();
    el('chat-window').innerHTML =
      '<deep-research-immersive-panel><div class="research-report"><h1>Report</h1><p>Findings</p></div></deep-research-immersive-panel>';
    expect(adapter.findComposer()).toBeNull();
    expect(adapter.readTurns()).toEqual([]);
  });

  it('with two live composers returns the first in document order, and null with none', async () => {
    const adapter = load();
    const first = editor();
    const wrapper = el('.text-input-field_textarea-inner');
    wrapper.insertAdjacentHTML(
      'beforeend',
      '<rich-textarea><div class="ql-editor" id="second" contenteditable="true" role="textbox"><p><br></p></div></rich-textarea>',
    );
    expect(adapter.findComposer()).toBe(first);

    first.style.display = 'none';
    expect(adapter.findComposer()).toBe(el('#second'));

    for (const rich of document.querySelectorAll('rich-textarea')) rich.remove();
    expect(adapter.findComposer()).toBeNull();
    expect(adapter.readComposer()).toBe('');
    await expect(adapter.writeComposer('hello')).rejects.toThrow(/gemini: composer not found/);
  });

  it('reads the editor paragraphs joined by newlines', () => {
    const adapter = load();
    expect(adapter.readComposer()).toBe('');
    editor().innerHTML = "<p>I'm vegetarian</p><p><br></p><p>What should I cook\u00a0tonight?</p>";
    expect(adapter.readComposer()).toBe("I'm vegetarian\n\nWhat should I cook tonight?");
  });

  it('writeComposer writes the editor with an input event and leaves the paste buffer alone', async () => {
    const adapter = load();
    editor().innerHTML = '<p>old text</p>';
    clipboard().innerHTML = '<p>buffer</p>';
    const heard: string[] = [];
    editor().addEventListener('input', (event) => {
      if (event instanceof InputEvent) heard.push(adapter.readComposer());
    });
    let bufferEvents = 0;
    clipboard().addEventListener('input', () => bufferEvents++);

    await adapter.writeComposer('first line\nsecond line');

    expect(adapter.readComposer()).toBe('first line\nsecond line');
    expect(editor().textContent).not.toContain('old text');
    expect(heard).toEqual(['first line\nsecond line']);
    expect(clipboard().innerHTML).toBe('<p>buffer</p>');
    expect(bufferEvents).toBe(0);
  });
});

describe('Gemini adapter: send button', () => {
  it('finds no send button while it is aria-disabled (empty composer)', () => {
    const adapter = load();
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(sendButton())).toBe(false);
  });

  it('takes the send button once it is enabled, and a click on its icon as a click on it', () => {
    const adapter = load();
    const button = sendButton();
    button.setAttribute('aria-disabled', 'false');
    expect(adapter.findSendButton()).toBe(button);
    expect(adapter.isSendButton(button.querySelector('mat-icon'))).toBe(true);
    button.removeAttribute('aria-disabled');
    expect(adapter.findSendButton()).toBe(button);
  });

  it('does not take a disabled button, nor the stop button it turns into while a reply streams', () => {
    const adapter = load();
    const button = sendButton();
    button.removeAttribute('aria-disabled');
    button.disabled = true;
    expect(adapter.findSendButton()).toBeNull();

    button.disabled = false;
    button.classList.add('stop');
    button.querySelector('mat-icon')?.setAttribute('fonticon', 'stop');
    expect(adapter.findSendButton()).toBeNull();

    button.classList.remove('stop');
    expect(adapter.findSendButton()).toBeNull(); // the stop icon alone says so too
  });

  it('finds the send button by its icon when its class changes, whatever its label says', () => {
    const adapter = load();
    const button = sendButton();
    button.classList.remove('send-button');
    button.setAttribute('aria-label', 'Nachricht senden');
    button.removeAttribute('aria-disabled');
    expect(adapter.findSendButton()).toBe(button);
    // The microphone beside it is never taken for it.
    expect(adapter.isSendButton(el('speech-dictation-mic-button button'))).toBe(false);
  });
});

describe('Gemini adapter: turns', () => {
  it('reads user and assistant turns in order with their full text, without the hidden label', () => {
    const adapter = load('/app/0a1b2c3d4e5f6789');
    thread().innerHTML =
      exchange(userQuery(['I live in Berlin', 'and I am vegetarian']), modelResponse('<p>Noted!</p><p>Anything else?</p>')) +
      exchange(
        userQuery(['What should I cook tonight?']),
        // Angular renders no whitespace between blocks.
        modelResponse(
          [
            '<h2>Three ideas</h2>',
            '<p>All <strong>vegetarian</strong>:</p>',
            '<ul><li>Lentil soup</li><li>Chickpea curry</li></ul>',
            '<table-block><div class="table-block"><table>',
            '<thead><tr><th>Dish</th><th>Time</th></tr></thead>',
            '<tbody><tr><td>Soup</td><td>30 min</td></tr><tr><td>Curry</td><td>40 min</td></tr></tbody>',
            '</table></div></table-block>',
            '<code-block><div class="code-block">',
            '<div class="code-block-decoration"><span>Python</span><button type="button" aria-label="Copy code"><mat-icon fonticon="content_copy"></mat-icon></button></div>',
            '<pre><code class="code-container" data-test-id="code-content">simmer(minutes=20)\nserve()</code></pre>',
            '</div></code-block>',
            '<p>Enjoy!</p>',
          ].join(''),
        ),
      );

    const turns = adapter.readTurns();
    expect(turns.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(turns.slice(0, 3)).toEqual([
      { role: 'user', text: 'I live in Berlin\nand I am vegetarian' },
      { role: 'assistant', text: 'Noted!\nAnything else?' },
      { role: 'user', text: 'What should I cook tonight?' },
    ]);
    // Every line of the reply, in order. (textOf closes a wrapper <div> that ends with a block with
    // an empty line, so the table and code wrappers add blank lines: ignored here.)
    expect(turns[3]!.text.split('\n').filter(Boolean)).toEqual([
      'Three ideas',
      'All vegetarian:',
      'Lentil soup',
      'Chickpea curry',
      'Dish | Time',
      'Soup | 30 min',
      'Curry | 40 min',
      'Python',
      'simmer(minutes=20)',
      'serve()',
      'Enjoy!',
    ]);
  });

  it('still skips the hidden label when it sits inside .query-text', () => {
    const adapter = load();
    thread().innerHTML = exchange(userQuery(['I have a cat called Miso'], true), modelResponse('<p>Cute!</p>'));
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'I have a cat called Miso' },
      { role: 'assistant', text: 'Cute!' },
    ]);
  });

  it('reads the fixture’s own turn templates as the scripted chat renders them', () => {
    const adapter = load();
    const raw = readFileSync(fixture, 'utf8');
    const config = JSON.parse(
      /<script type="application\/json" id="scripted-chat-config">([\s\S]*?)<\/script>/.exec(raw)![1]!,
    ) as { userTurn: string; assistantTurn: string; pair: string; thread: string };
    const fill = (template: string, text: string, n: number): string =>
      template.replaceAll('{text}', text).replaceAll('{n}', String(n));
    el(config.thread).innerHTML = config.pair
      .replace('{user}', fill(config.userTurn, 'My name is Ada', 1))
      .replace('{assistant}', fill(config.assistantTurn, 'Hello Ada', 1));
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'My name is Ada' },
      { role: 'assistant', text: 'Hello Ada' },
    ]);
  });

  it('skips an empty reply (still loading)', () => {
    const adapter = load();
    thread().innerHTML = exchange(userQuery(['Hi']), modelResponse(''));
    expect(adapter.readTurns()).toEqual([{ role: 'user', text: 'Hi' }]);
  });
});

describe('Gemini adapter: conversation', () => {
  it('reads the conversation id from /app/<id>, a second account and a Gem', () => {
    const adapter = load('/app/0a1b2c3d4e5f6789');
    expect(adapter.conversationId()).toBe('0a1b2c3d4e5f6789');
    history.replaceState({}, '', '/u/1/app/fedcba9876543210');
    expect(adapter.conversationId()).toBe('fedcba9876543210');
    history.replaceState({}, '', '/gem/coding-partner/cfe2d141fe0adecb');
    expect(adapter.conversationId()).toBe('cfe2d141fe0adecb');
  });

  it('gives a new chat (/app, or a Gem with no chat yet) a stable page-local id', () => {
    const adapter = load('/app');
    const local = adapter.conversationId();
    expect(local).toMatch(/^new-/);
    expect(adapter.conversationId()).toBe(local);
    expect(createGeminiAdapter(document).conversationId()).not.toBe(local);
    history.replaceState({}, '', '/gem/coding-partner');
    expect(adapter.conversationId()).toBe(local);
    history.replaceState({}, '', '/app/0a1b2c3d4e5f6789');
    expect(adapter.conversationId()).toBe('0a1b2c3d4e5f6789');
  });

  it('builds the URL its path pattern reads back', () => {
    const url = new URL(geminiConversationUrl('0a1b2c3d4e5f6789'));
    expect(url.origin).toBe('https://gemini.google.com');
    expect(GEMINI_CONVERSATION_PATH.exec(url.pathname)?.[1]).toBe('0a1b2c3d4e5f6789');
  });

  it('knows a Temporary chat by its marks, and an ordinary chat by their absence', () => {
    const adapter = load('/app');
    expect(adapter.isTemporaryChat()).toBe(false);

    el('chat-window').classList.add('is-temporary-chat');
    expect(adapter.isTemporaryChat()).toBe(true);
    // Gemini keeps the URL at /app: the chat stays temporary while its window says so.
    history.replaceState({}, '', '/app/0a1b2c3d4e5f6789');
    expect(adapter.isTemporaryChat()).toBe(true);

    const other = load('/app');
    el('main').insertAdjacentHTML(
      'afterbegin',
      '<temp-chat-button><gem-icon-button class="temp-chat-on"><button data-test-id="temp-chat-button" class="temp-chat-on"></button></gem-icon-button></temp-chat-button>',
    );
    expect(other.isTemporaryChat()).toBe(true);

    const third = load('/app');
    el('#chat-history').insertAdjacentHTML('afterbegin', '<div class="temporary-chat-card-container"><div class="temporary-chat-card">Temporary chat</div></div>');
    expect(third.isTemporaryChat()).toBe(true);
  });
});
