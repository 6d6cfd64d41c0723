// @vitest-environment happy-dom
/**
 * interceptSends on the ChatGPT fixture page, driven by Engram's scripted chat (demo/scripted-chat.js):
 * like ProseMirror, its editor state only changes on `input` events, and it sends that state on
 * Enter or on a click of the send button. What the page sends is what the assistant would see.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { interceptSends, RECALL_TIMEOUT_MS, type SendHooks } from '../../src/capture/send-interceptor';
import { BLOCK_HEADER, withMemoryBlock } from '../../src/inject/memory-block';
import { createChatgptAdapter } from '../../src/sites/chatgpt/adapter';
import type { SiteAdapter } from '../../src/sites/site-adapter';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtureHtml = readFileSync(path.join(root, 'test/fixtures/sites/chatgpt.html'), 'utf8');
const scriptedChat = readFileSync(path.join(root, 'demo/scripted-chat.js'), 'utf8');

interface ScriptedChat {
  prompts: string[];
  readonly state: string;
  voiceStarted?: boolean;
}
const page = (): ScriptedChat => (window as unknown as { __scriptedChat: ScriptedChat }).__scriptedChat;

/** Loads the fixture page (keeping its JSON config) and runs the scripted chat on it. */
function loadChatPage(): void {
  const parsed = new DOMParser().parseFromString(fixtureHtml, 'text/html');
  for (const script of parsed.querySelectorAll('script:not([type="application/json"])')) script.remove();
  document.body.innerHTML = parsed.body.innerHTML;
  history.replaceState({}, '', '/');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the repository's own demo script
  const run = new Function(scriptedChat) as () => void;
  run();
}

const composer = (): HTMLElement => document.querySelector<HTMLElement>('#prompt-textarea')!;
const button = (): HTMLButtonElement => document.querySelector<HTMLButtonElement>('#composer-submit-button')!;

/** Types into the editor as a user would: the DOM changes, then the editor hears an input event. */
function type(text: string): void {
  composer().innerHTML = text
    .split('\n')
    .map((line) => (line ? `<p>${line}</p>` : '<p><br></p>'))
    .join('');
  composer().dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText' }));
}

/**
 * Events the user really made. happy-dom's events are all untrusted; the interceptor is told which
 * ones the test means as the user's, and treats every other (a page script's) as the browser would.
 */
const userEvents = new WeakSet<Event>();

/** Presses Enter in the composer; returns the keydown event so its fate can be checked. */
function pressEnter(init: KeyboardEventInit = {}, by: 'user' | 'page' = 'user'): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true, ...init });
  if (by === 'user') userEvents.add(event);
  composer().dispatchEvent(event);
  return event;
}

/** Clicks the send button. */
function clickSend(by: 'user' | 'page' = 'user'): MouseEvent {
  const event = new MouseEvent('click', { bubbles: true, cancelable: true });
  if (by === 'user') userEvents.add(event);
  button().dispatchEvent(event);
  return event;
}

const sent = async (count = 1): Promise<string[]> => {
  await vi.waitFor(() => {
    expect(page().prompts).toHaveLength(count);
  });
  return page().prompts;
};

let controller: AbortController;
let adapter: SiteAdapter;
let posted: string[];

function start(hooks: Partial<SendHooks> = {}): Required<Pick<SendHooks, 'recall' | 'captured' | 'sent' | 'skipped' | 'onError'>> {
  const full = {
    recall: vi.fn<SendHooks['recall']>(() => Promise.resolve([])),
    captured: vi.fn<SendHooks['captured']>(),
    sent: vi.fn<NonNullable<SendHooks['sent']>>(),
    skipped: vi.fn<NonNullable<SendHooks['skipped']>>(),
    onError: vi.fn<NonNullable<SendHooks['onError']>>(),
    isTrusted: (event: Event) => userEvents.has(event),
    ...hooks,
  };
  interceptSends(adapter, full, controller.signal);
  return full;
}

beforeEach(() => {
  posted = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((_url: string, init?: RequestInit) => {
      posted.push((JSON.parse(init?.body as string) as { prompt: string }).prompt);
      return Promise.resolve({ ok: true, json: () => Promise.resolve({ reply: 'Scripted reply' }) });
    }),
  );
  loadChatPage();
  adapter = createChatgptAdapter(document);
  controller = new AbortController();
});

afterEach(() => {
  controller.abort();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('interceptSends', () => {
  it('sends the prompt on Enter with the recalled memories ahead of it', async () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(["I'm vegetarian", 'I live in Berlin'])) });
    type('What should I cook tonight?');

    const enter = pressEnter();

    expect(enter.defaultPrevented).toBe(true);
    const expected = withMemoryBlock(["I'm vegetarian", 'I live in Berlin'], 'What should I cook tonight?');
    expect(await sent()).toEqual([expected]);
    expect(hooks.recall).toHaveBeenCalledWith('What should I cook tonight?');
    await vi.waitFor(() => {
      expect(posted).toEqual([expected]);
    });
    expect(hooks.onError).not.toHaveBeenCalled();
  });

  it('sends the memories with the prompt when the user clicks "Send prompt"', async () => {
    start({ recall: () => Promise.resolve(['I have a dog called Max']) });
    type('Ideas for a weekend trip?');

    clickSend();

    expect(await sent()).toEqual([withMemoryBlock(['I have a dog called Max'], 'Ideas for a weekend trip?')]);
  });

  it('leaves Shift+Enter to the page (a new line, no send)', () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(['x'])) });
    const pageHeard = vi.fn();
    composer().addEventListener('keydown', pageHeard);
    type('first line');

    const event = pressEnter({ shiftKey: true });

    expect(pageHeard).toHaveBeenCalledOnce();
    expect(event.defaultPrevented).toBe(false);
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(page().prompts).toEqual([]);
  });

  it('leaves a click on "Start Voice" to the page when the composer is empty', () => {
    const hooks = start();
    clickSend();
    expect(page().voiceStarted).toBe(true);
    expect(hooks.recall).not.toHaveBeenCalled();
  });

  it('sends exactly the typed text when there are no memories', async () => {
    const hooks = start({ recall: () => Promise.resolve([]) });
    type('Hello there\n\nSecond paragraph');

    pressEnter();

    expect(await sent()).toEqual(['Hello there\n\nSecond paragraph']);
    expect(page().prompts[0]).not.toContain(BLOCK_HEADER);
    await vi.waitFor(() => {
      expect(hooks.captured).toHaveBeenCalledWith('Hello there\n\nSecond paragraph');
    });
  });

  it('still sends the prompt unchanged when recall fails, and reports the error', async () => {
    const failure = new Error('background gone');
    const hooks = start({ recall: () => Promise.reject(failure) });
    type('Tell me a joke');

    pressEnter();

    expect(await sent()).toEqual(['Tell me a joke']);
    expect(hooks.onError).toHaveBeenCalledWith(failure);
    expect(hooks.skipped).toHaveBeenCalledWith('error');
  });

  it('still sends the prompt unchanged when recall takes longer than recallTimeoutMs', async () => {
    const hooks = start({ recall: () => new Promise<string[]>(() => undefined), recallTimeoutMs: 30 });
    type('Tell me a joke');

    pressEnter();

    expect(await sent()).toEqual(['Tell me a joke']);
    expect(hooks.onError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/30 ms/) as unknown }));
    expect(hooks.skipped).toHaveBeenCalledWith('timeout'); // the page tells the user
  });

  it('waits at most RECALL_TIMEOUT_MS by default, a bound the README states', () => {
    expect(RECALL_TIMEOUT_MS).toBe(2500);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/2\.5 s/);
  });

  it('captures the typed text once, without a memory block the composer already held', async () => {
    const hooks = start({ recall: () => Promise.resolve(["I'm vegetarian"]) });
    type(withMemoryBlock(['I live in Berlin'], 'What should I cook tonight?'));

    pressEnter();

    const [prompt] = await sent();
    expect(prompt).toBe(withMemoryBlock(["I'm vegetarian"], 'What should I cook tonight?'));
    expect(prompt!.split(BLOCK_HEADER)).toHaveLength(2);
    await vi.waitFor(() => {
      expect(hooks.captured).toHaveBeenCalledOnce();
    });
    expect(hooks.captured).toHaveBeenCalledWith('What should I cook tonight?');
  });

  it('holds the turn before the prompt leaves, confirms it once sent, and withdraws it if the send fails', async () => {
    let answer: (memories: string[]) => void = () => undefined;
    const discarded = vi.fn<NonNullable<SendHooks['discarded']>>();
    const hooks = start({ recall: () => new Promise<string[]>((resolve) => (answer = resolve)), discarded });
    type('I have a dog named Max');
    pressEnter();
    expect(hooks.captured).toHaveBeenCalledWith('I have a dog named Max'); // held, before recall answered
    expect(hooks.sent).not.toHaveBeenCalled(); // not sent yet: not to be remembered yet
    expect(page().prompts).toEqual([]);
    vi.spyOn(adapter, 'submit').mockRejectedValueOnce(new Error('send button gone'));
    answer([]);
    await vi.waitFor(() => {
      expect(discarded).toHaveBeenCalledWith('I have a dog named Max');
    });
    expect(hooks.sent).not.toHaveBeenCalled();

    type('I have a cat named Tom');
    pressEnter();
    answer([]);
    await vi.waitFor(() => {
      expect(hooks.sent).toHaveBeenCalledWith('I have a cat named Tom');
    });
    expect(page().prompts).toEqual(['I have a cat named Tom']); // confirmed only once the page had it
  });

  it('sends once when Enter is pressed again while memories are being recalled', async () => {
    let answer: (memories: string[]) => void = () => undefined;
    const hooks = start({ recall: () => new Promise<string[]>((resolve) => (answer = resolve)) });
    type('Plan my week');

    pressEnter();
    const second = pressEnter();
    expect(second.defaultPrevented).toBe(true);
    answer(['I work nights']);

    expect(await sent()).toEqual([withMemoryBlock(['I work nights'], 'Plan my week')]);
    await vi.waitFor(() => {
      expect(hooks.captured).toHaveBeenCalledOnce();
    });
  });

  it('stops intercepting once the signal aborts', () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(['x'])) });
    controller.abort();
    type('Just send it');

    pressEnter();

    expect(page().prompts).toEqual(['Just send it']);
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(hooks.captured).not.toHaveBeenCalled();
  });
});

describe('a page script cannot use Engram (untrusted events)', () => {
  it('ignores a synthetic Enter: no recall, no capture, and the page sends its own text untouched', async () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(['My home is Berlin'])) });
    type('Where do I live?');

    pressEnter({}, 'page');

    expect(await sent()).toEqual(['Where do I live?']);
    expect(page().prompts[0]).not.toContain(BLOCK_HEADER);
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(hooks.captured).not.toHaveBeenCalled();
    expect(hooks.sent).not.toHaveBeenCalled();
  });

  it('ignores a synthetic click on the send button the same way', async () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(['My home is Berlin'])) });
    type('I moved to Pyongyang');

    clickSend('page');

    expect(await sent()).toEqual(['I moved to Pyongyang']);
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(hooks.captured).not.toHaveBeenCalled();
  });

  it('ignores synthetic typing, and wakes the background on the user’s', () => {
    const typing = vi.fn();
    start({ typing });
    const synthetic = new InputEvent('input', { bubbles: true });
    composer().dispatchEvent(synthetic);
    expect(typing).not.toHaveBeenCalled();
    const real = new InputEvent('input', { bubbles: true });
    userEvents.add(real);
    composer().dispatchEvent(real);
    expect(typing).toHaveBeenCalledOnce();
  });

  it('acts on trusted events by default (isTrusted), so happy-dom’s synthetic ones are ignored', async () => {
    const recall = vi.fn(() => Promise.resolve(['x']));
    interceptSends(adapter, { recall, captured: vi.fn() }, controller.signal);
    type('Hello');
    pressEnter();
    expect(await sent()).toEqual(['Hello']);
    expect(recall).not.toHaveBeenCalled();
  });
});
