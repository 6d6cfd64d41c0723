// @vitest-environment happy-dom
/**
 * The ChatGPT and Claude adapters against copies of the sites' DOM (test/fixtures/sites/*.html):
 * Engram must write into the editor the user sees, send only with a real send button, and read the
 * conversation the way the page shows it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatgptAdapter } from '../../src/sites/chatgpt/adapter';
import { createClaudeAdapter } from '../../src/sites/claude/adapter';
import type { SiteAdapter } from '../../src/sites/site-adapter';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sitesDir = path.join(root, 'src/sites');
const fixturePath = (site: string): string => path.join(root, 'test/fixtures/sites', `${site}.html`);

/** Puts a fixture page's body into the test document, without running its scripts. */
function loadFixture(site: string, pathname = '/'): void {
  const parsed = new DOMParser().parseFromString(readFileSync(fixturePath(site), 'utf8'), 'text/html');
  for (const script of parsed.querySelectorAll('script')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', pathname);
}

function el(selector: string): HTMLElement {
  const found = document.querySelector<HTMLElement>(selector);
  if (!found) throw new Error(`fixture has no ${selector}`);
  return found;
}

function buttonAt(selector: string): HTMLButtonElement {
  const found = el(selector);
  if (!(found instanceof HTMLButtonElement)) throw new Error(`${selector} is not a button`);
  return found;
}

/** What a user typing into a ProseMirror editor leaves in the DOM. */
function typeParagraphs(editor: HTMLElement, lines: string[]): void {
  editor.innerHTML = lines.map((line) => (line ? `<p>${line}</p>` : '<p><br></p>')).join('');
}

afterEach(() => {
  document.body.innerHTML = '';
  history.replaceState({}, '', '/');
});

describe('ChatGPT adapter', () => {
  const load = (pathname = '/'): SiteAdapter => {
    loadFixture('chatgpt', pathname);
    return createChatgptAdapter(document);
  };

  it('finds the ProseMirror editor, not the hidden textarea beside it', () => {
    const adapter = load();
    const composer = adapter.findComposer();
    expect(composer).toBe(el('div#prompt-textarea'));
    expect(adapter.isInComposer(el('textarea[name="prompt-textarea"]'))).toBe(false);
  });

  it('treats a node inside the editor as in the composer', () => {
    const adapter = load();
    typeParagraphs(el('#prompt-textarea'), ['hello']);
    expect(adapter.isInComposer(el('#prompt-textarea p'))).toBe(true);
    expect(adapter.isInComposer(el('#thread'))).toBe(false);
  });

  it('does not take the submit button for a send button while it is "Start Voice"', () => {
    const adapter = load();
    const button = buttonAt('#composer-submit-button');
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(button)).toBe(false);
  });

  it('takes the submit button for a send button once it says "Send prompt"', () => {
    const adapter = load();
    const button = buttonAt('#composer-submit-button');
    button.setAttribute('aria-label', 'Send prompt');
    button.dataset.testid = 'send-button';
    expect(adapter.findSendButton()).toBe(button);
    expect(adapter.isSendButton(button.querySelector('svg'))).toBe(true);
  });

  it('does not take the button for a send button while it is "Stop streaming"', () => {
    const adapter = load();
    const button = buttonAt('#composer-submit-button');
    button.setAttribute('aria-label', 'Stop streaming');
    button.dataset.testid = 'stop-button';
    expect(adapter.findSendButton()).toBeNull();
  });

  it('reads the composer paragraphs joined by newlines', () => {
    const adapter = load();
    expect(adapter.readComposer()).toBe('');
    typeParagraphs(el('#prompt-textarea'), ["I'm vegetarian", '', 'What should I cook\u00a0tonight?']);
    expect(adapter.readComposer()).toBe("I'm vegetarian\n\nWhat should I cook tonight?");
  });

  it('reads user and assistant turns in order, with their message ids', () => {
    const adapter = load();
    el('#thread').innerHTML = `
      <article data-testid="conversation-turn-1">
        <div data-message-author-role="user" data-message-id="u1"><div class="whitespace-pre-wrap">I live in Berlin</div></div>
      </article>
      <article data-testid="conversation-turn-2">
        <div data-message-author-role="assistant" data-message-id="a1"><div class="markdown prose"><p>Nice city!</p><p>Anything else?</p></div></div>
      </article>
      <article data-testid="conversation-turn-3">
        <div data-message-author-role="user" data-message-id="u2"><div class="whitespace-pre-wrap">I'm vegetarian</div></div>
      </article>`;
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: 'I live in Berlin', id: 'u1' },
      { role: 'assistant', text: 'Nice city!\nAnything else?', id: 'a1' },
      { role: 'user', text: "I'm vegetarian", id: 'u2' },
    ]);
  });

  it('skips turns that are neither user nor assistant, and empty ones', () => {
    const adapter = load();
    el('#thread').innerHTML = `
      <article data-testid="conversation-turn-1">
        <div data-message-author-role="system" data-message-id="s1"><div class="whitespace-pre-wrap">You are ChatGPT</div></div>
      </article>
      <article data-testid="conversation-turn-2">
        <div data-message-author-role="assistant" data-message-id="a0"><div class="markdown"></div></div>
      </article>
      <article data-testid="conversation-turn-3">
        <div data-message-author-role="user" data-message-id="u1"><div class="whitespace-pre-wrap">Hi</div></div>
      </article>`;
    expect(adapter.readTurns()).toEqual([{ role: 'user', text: 'Hi', id: 'u1' }]);
  });

  it('reads the conversation id from /c/<id>, also under a custom GPT', () => {
    const adapter = load('/c/6790a1b2-0c3d-8000-9e1f-abcdef012345');
    expect(adapter.conversationId()).toBe('6790a1b2-0c3d-8000-9e1f-abcdef012345');
    history.replaceState({}, '', '/g/g-abc123-cook/c/conv-42');
    expect(adapter.conversationId()).toBe('conv-42');
  });

  it('gives a new chat a stable page-local id that is not a real conversation id', () => {
    const adapter = load('/');
    const id = adapter.conversationId();
    expect(id).toBeTruthy();
    expect(adapter.conversationId()).toBe(id);
    expect(createChatgptAdapter(document).conversationId()).not.toBe(id);
    history.replaceState({}, '', '/c/real-id');
    expect(adapter.conversationId()).toBe('real-id');
  });

  it('writeComposer replaces the text and tells the editor through an input event', async () => {
    const adapter = load();
    const editor = el('#prompt-textarea');
    typeParagraphs(editor, ['old text']);
    const seen: { text: string; isInput: boolean }[] = [];
    editor.addEventListener('input', (event) => {
      seen.push({ text: adapter.readComposer(), isInput: event instanceof InputEvent });
    });

    await adapter.writeComposer('first line\n\nthird line');

    expect(adapter.readComposer()).toBe('first line\n\nthird line');
    expect(editor.textContent).not.toContain('old text');
    expect(editor.querySelectorAll(':scope > p')).toHaveLength(3);
    expect(seen).toEqual([{ text: 'first line\n\nthird line', isInput: true }]);
  });

  it('writeComposer rejects when the page has no composer', async () => {
    const adapter = load();
    el('#prompt-textarea').remove();
    await expect(adapter.writeComposer('hello')).rejects.toThrow(/composer not found/);
  });
});

describe('Claude adapter', () => {
  const load = (pathname = '/new'): SiteAdapter => {
    loadFixture('claude', pathname);
    return createClaudeAdapter(document);
  };

  it('finds the live editor, not the inert server-rendered twin that comes first', () => {
    const adapter = load();
    const twin = el('[data-testid="prompt-input-ssr-interactive"] [data-testid="chat-input"]');
    const live = el('#live-chat-input');
    expect(twin.compareDocumentPosition(live) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(adapter.findComposer()).toBe(live);
    expect(adapter.isInComposer(twin)).toBe(false);
  });

  it('still skips the twin once hydration has removed its inert attribute', () => {
    const adapter = load();
    el('[data-testid="prompt-input-ssr-interactive"]').removeAttribute('inert');
    expect(adapter.findComposer()).toBe(el('#live-chat-input'));
  });

  it('finds no send button while it is disabled, and the live one once enabled', () => {
    const adapter = load();
    const live = buttonAt('#live-send');
    expect(adapter.findSendButton()).toBeNull();
    expect(adapter.isSendButton(live)).toBe(false);
    live.disabled = false;
    expect(adapter.findSendButton()).toBe(live);
    expect(adapter.isSendButton(live.querySelector('svg'))).toBe(true);
  });

  it('reads the composer paragraphs joined by newlines', () => {
    const adapter = load();
    typeParagraphs(el('#live-chat-input'), ['My dog is called Max', 'He is 3']);
    expect(adapter.readComposer()).toBe('My dog is called Max\nHe is 3');
  });

  it('reads user and assistant turns in order and skips a reply still streaming', () => {
    const adapter = load('/chat/abc');
    el('#thread').innerHTML = `
      <div class="mb-1 mt-1"><div data-testid="user-message"><p class="whitespace-pre-wrap">I'm vegetarian</p></div></div>
      <div data-is-streaming="false"><div class="font-claude-response"><p>Noted.</p><p>Any allergies?</p></div></div>
      <div class="mb-1 mt-1"><div data-testid="user-message"><p class="whitespace-pre-wrap">No allergies</p></div></div>
      <div data-is-streaming="true"><div class="font-claude-response"><p>Great, then I sugg</p></div></div>`;
    expect(adapter.readTurns()).toEqual([
      { role: 'user', text: "I'm vegetarian" },
      { role: 'assistant', text: 'Noted.\nAny allergies?' },
      { role: 'user', text: 'No allergies' },
    ]);

    el('[data-is-streaming="true"]').setAttribute('data-is-streaming', 'false');
    expect(adapter.readTurns().at(-1)).toEqual({ role: 'assistant', text: 'Great, then I sugg' });
  });

  it('reads the conversation id from /chat/<id>, and a stable page-local id on /new', () => {
    const adapter = load('/new');
    const local = adapter.conversationId();
    expect(adapter.conversationId()).toBe(local);
    history.replaceState({}, '', '/chat/1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718');
    expect(adapter.conversationId()).toBe('1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718');
    expect(local).not.toBe('1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718');
  });

  it('writeComposer writes into the live editor, fires input, and leaves the twin alone', async () => {
    const adapter = load();
    const live = el('#live-chat-input');
    const twin = el('[data-testid="prompt-input-ssr-interactive"] [data-testid="chat-input"]');
    const twinBefore = twin.innerHTML;
    const heard: string[] = [];
    live.addEventListener('input', (event) => {
      if (event instanceof InputEvent) heard.push(live.textContent);
    });

    await adapter.writeComposer('Hello Claude\nSecond line');

    expect(adapter.readComposer()).toBe('Hello Claude\nSecond line');
    expect(heard).toEqual(['Hello ClaudeSecond line']);
    expect(twin.innerHTML).toBe(twinBefore);
  });
});

describe('a reply’s text is all of it', () => {
  it('ChatGPT: headings, paragraphs, nested lists, a table, code and maths, line by line', () => {
    loadFixture('chatgpt', '/c/abc');
    el('#thread').innerHTML = `
      <article data-testid="conversation-turn-2"><div data-message-author-role="assistant" data-message-id="a1">
        <div class="markdown prose">
          <h3>Plan</h3>
          <p>Three steps:</p>
          <ol><li><p>Book <strong>the</strong> flight</p></li><li><p>Pack</p><ul><li>socks</li><li>charger</li></ul></li></ol>
          <div class="table-wrapper"><table><thead><tr><th>Day</th><th>City</th></tr></thead><tbody><tr><td>Mon</td><td>Lisbon</td></tr></tbody></table></div>
          <div class="code-block"><pre><code>const a = 1;
const b = 2;</code></pre></div>
          <p>Area: <span class="katex"><span class="katex-mathml">π r squared</span><span class="katex-html">πr²</span></span></p>
        </div>
      </div></article>`;
    const [turn] = createChatgptAdapter(document).readTurns();
    expect(turn?.text).toBe(
      ['Plan', 'Three steps:', 'Book the flight', 'Pack', 'socks', 'charger', 'Day | City', 'Mon | Lisbon', 'const a = 1;', 'const b = 2;', 'Area: πr²'].join('\n'),
    );
  });

  it('Claude: the artifact side panel is not a turn of the conversation', () => {
    loadFixture('claude', '/chat/abc');
    el('#thread').innerHTML = `
      <div data-testid="user-message"><p>Write me a poem</p></div>
      <div data-is-streaming="false"><div class="font-claude-response"><p>Here it is, in the panel.</p></div></div>`;
    document.body.insertAdjacentHTML('beforeend', '<aside class="artifact-panel"><div class="font-claude-response"><p>Roses are red</p></div></aside>');
    expect(createClaudeAdapter(document).readTurns().map((t) => t.text)).toEqual(['Write me a poem', 'Here it is, in the panel.']);
  });
});

describe('every site', () => {
  const sites = readdirSync(sitesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);

  it('has at least ChatGPT and Claude', () => {
    expect(sites).toEqual(expect.arrayContaining(['chatgpt', 'claude']));
  });

  it.each(sites)('%s has selectors.ts, adapter.ts, a fixture page, unit tests, a content script and end-to-end tests', (site) => {
    expect(existsSync(path.join(sitesDir, site, 'selectors.ts')), 'selectors.ts').toBe(true);
    expect(existsSync(path.join(sitesDir, site, 'adapter.ts')), 'adapter.ts').toBe(true);
    expect(existsSync(fixturePath(site)), 'a fixture page').toBe(true);
    // Unit tests of its own, or a describe of its adapter in this file.
    const own = path.join(root, 'test/unit', `site-${site}.test.ts`);
    const here = readFileSync(fileURLToPath(import.meta.url), 'utf8').includes(`loadFixture('${site}'`);
    expect(existsSync(own) || here, `test/unit/site-${site}.test.ts`).toBe(true);
    expect(existsSync(path.join(root, 'entrypoints', `${site}.content.ts`)), `entrypoints/${site}.content.ts`).toBe(true);
    // An entry of the end-to-end tests' sites: every per-site spec (walking skeleton, resilience,
    // the prompt as typed, page attacks) then runs on its fixture at the site's real address.
    const e2eSites = readFileSync(path.join(root, 'test/e2e/fixtures.ts'), 'utf8');
    expect(e2eSites, 'a SITES entry in test/e2e/fixtures.ts').toContain(`fixture: '${site}.html'`);
    // The generic adapter runs only where the user turned it on: its own end-to-end spec does that.
    if (site === 'generic') expect(existsSync(path.join(root, 'test/e2e/generic-site.spec.ts'))).toBe(true);
  });

  it.each(sites)('%s adapter finds a live composer and no send button on its empty fixture page', async (site) => {
    const module = (await import(`../../src/sites/${site}/adapter.ts`)) as Record<string, unknown>;
    const factory = Object.entries(module).find(
      ([name, value]) => /^create\w*Adapter$/.test(name) && typeof value === 'function',
    )?.[1] as ((doc: Document) => SiteAdapter) | undefined;
    expect(factory).toBeTypeOf('function');
    loadFixture(site);
    const adapter = factory!(document);
    expect(adapter.findComposer()).not.toBeNull();
    expect(adapter.findSendButton()).toBeNull();
  });
});
