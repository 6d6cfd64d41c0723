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
import {
  interceptSends,
  PREFETCH_DEBOUNCE_MS,
  PREFETCH_TTL_MS,
  RECALL_TIMEOUT_MS,
  type RecalledLine,
  type SendHooks,
} from '../../src/capture/send-interceptor';
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

/**
 * Types into the editor: the DOM changes, then the editor hears an input event. The event is the
 * user's with `by: 'user'`; otherwise it is one a page script could make (Engram ignores it).
 */
function type(text: string, by: 'user' | 'page' = 'page'): void {
  composer().innerHTML = text
    .split('\n')
    .map((line) => (line ? `<p>${line}</p>` : '<p><br></p>'))
    .join('');
  const event = new InputEvent('input', { bubbles: true, inputType: 'insertText' });
  if (by === 'user') userEvents.add(event);
  composer().dispatchEvent(event);
}

/** Memories as the background answers them: an id each, and the line to inject. */
const lines = (...texts: string[]): RecalledLine[] => texts.map((text, i) => ({ id: `m${i + 1}`, text }));

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

function start(hooks: Partial<SendHooks> = {}): Required<Pick<SendHooks, 'recall' | 'captured' | 'sent' | 'skipped' | 'onError' | 'noteInjected'>> {
  const full = {
    recall: vi.fn<SendHooks['recall']>(() => Promise.resolve([])),
    noteInjected: vi.fn<NonNullable<SendHooks['noteInjected']>>(),
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
    const hooks = start({ recall: vi.fn(() => Promise.resolve(lines("I'm vegetarian", 'I live in Berlin'))) });
    type('What should I cook tonight?');

    const enter = pressEnter();

    expect(enter.defaultPrevented).toBe(true);
    const expected = withMemoryBlock(["I'm vegetarian", 'I live in Berlin'], 'What should I cook tonight?');
    expect(await sent()).toEqual([expected]);
    expect(hooks.recall).toHaveBeenCalledWith('What should I cook tonight?', { prefetch: true });
    await vi.waitFor(() => {
      expect(posted).toEqual([expected]);
    });
    expect(hooks.onError).not.toHaveBeenCalled();
  });

  it('sends the memories with the prompt when the user clicks "Send prompt"', async () => {
    start({ recall: () => Promise.resolve(lines('I have a dog called Max')) });
    type('Ideas for a weekend trip?');

    clickSend();

    expect(await sent()).toEqual([withMemoryBlock(['I have a dog called Max'], 'Ideas for a weekend trip?')]);
  });

  it('leaves Shift+Enter to the page (a new line, no send)', () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(lines('x'))) });
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
    const hooks = start({ recall: () => new Promise<RecalledLine[]>(() => undefined), recallTimeoutMs: 30 });
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
    const hooks = start({ recall: () => Promise.resolve(lines("I'm vegetarian")) });
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
    let answer: (memories: RecalledLine[]) => void = () => undefined;
    const discarded = vi.fn<NonNullable<SendHooks['discarded']>>();
    const hooks = start({ recall: () => new Promise<RecalledLine[]>((resolve) => (answer = resolve)), discarded });
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
    let answer: (memories: RecalledLine[]) => void = () => undefined;
    const hooks = start({ recall: () => new Promise<RecalledLine[]>((resolve) => (answer = resolve)) });
    type('Plan my week');

    pressEnter();
    const second = pressEnter();
    expect(second.defaultPrevented).toBe(true);
    answer(lines('I work nights'));

    expect(await sent()).toEqual([withMemoryBlock(['I work nights'], 'Plan my week')]);
    await vi.waitFor(() => {
      expect(hooks.captured).toHaveBeenCalledOnce();
    });
  });

  it('stops intercepting once the signal aborts', () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(lines('x'))) });
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
    const hooks = start({ recall: vi.fn(() => Promise.resolve(lines('My home is Berlin'))) });
    type('Where do I live?');

    pressEnter({}, 'page');

    expect(await sent()).toEqual(['Where do I live?']);
    expect(page().prompts[0]).not.toContain(BLOCK_HEADER);
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(hooks.captured).not.toHaveBeenCalled();
    expect(hooks.sent).not.toHaveBeenCalled();
  });

  it('ignores a synthetic click on the send button the same way', async () => {
    const hooks = start({ recall: vi.fn(() => Promise.resolve(lines('My home is Berlin'))) });
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
    const recall = vi.fn(() => Promise.resolve(lines('x')));
    interceptSends(adapter, { recall, captured: vi.fn() }, controller.signal);
    type('Hello');
    pressEnter();
    expect(await sent()).toEqual(['Hello']);
    expect(recall).not.toHaveBeenCalled();
  });
});

describe('prefetch: memories recalled while the user types', () => {
  beforeEach(() => {
    // Only timers and the clock: the page's fetch and the editor run as they would.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The user stops typing for a moment. */
  const pause = () => vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);

  /** A recall whose answers the test gives, one per request, in order; counts what is in flight. */
  function heldRecall() {
    const answers: ((memories: RecalledLine[]) => void)[] = [];
    const stats = { inFlight: 0, most: 0 };
    const recall = vi.fn<SendHooks['recall']>(
      () =>
        new Promise<RecalledLine[]>((resolve) => {
          stats.inFlight += 1;
          stats.most = Math.max(stats.most, stats.inFlight);
          answers.push((memories) => {
            stats.inFlight -= 1;
            resolve(memories);
          });
        }),
    );
    return { recall, answers, stats };
  }

  it('asks once the user pauses, once per text they pause on, flagged as a prefetch', async () => {
    const recall = vi.fn<SendHooks['recall']>(() => Promise.resolve(lines('I live in Berlin')));
    start({ recall });
    type('Wh', 'user');
    type('Where do', 'user');
    type('Where do I live?', 'user');
    await pause();
    await pause();
    expect(recall.mock.calls).toEqual([['Where do I live?', { prefetch: true }]]);

    type('Where do I live?', 'user'); // the same text again (a caret move, an undone edit)
    await pause();
    type('Where do I work?', 'user');
    await pause();
    expect(recall.mock.calls).toEqual([
      ['Where do I live?', { prefetch: true }],
      ['Where do I work?', { prefetch: true }],
    ]);
  });

  it('sends the prefetched memories on Enter without asking again, then notes their use', async () => {
    const hooks = start({ recall: vi.fn<SendHooks['recall']>(() => Promise.resolve(lines("I'm vegetarian", 'I live in Berlin'))) });
    type('What should I cook tonight?', 'user');
    await pause();

    pressEnter();

    const expected = withMemoryBlock(["I'm vegetarian", 'I live in Berlin'], 'What should I cook tonight?');
    expect(await sent()).toEqual([expected]);
    await vi.waitFor(() => {
      expect(posted).toEqual([expected]);
    });
    expect(hooks.recall).toHaveBeenCalledOnce(); // the prefetch
    await vi.waitFor(() => {
      expect(hooks.noteInjected).toHaveBeenCalledWith(['m1', 'm2']);
    });
    expect(hooks.noteInjected).toHaveBeenCalledOnce();
    expect(hooks.sent).toHaveBeenCalledWith('What should I cook tonight?');
  });

  it('waits for the prefetch of that text still in flight, and asks nothing more', async () => {
    const { recall, answers } = heldRecall();
    const hooks = start({ recall });
    type('Plan my week', 'user');
    await pause();
    expect(recall).toHaveBeenCalledOnce();

    const enter = pressEnter();
    expect(enter.defaultPrevented).toBe(true);
    expect(hooks.captured).toHaveBeenCalledWith('Plan my week'); // held before the answer, as always
    expect(page().prompts).toEqual([]);
    answers[0]!(lines('I work nights'));

    expect(await sent()).toEqual([withMemoryBlock(['I work nights'], 'Plan my week')]);
    expect(recall).toHaveBeenCalledOnce();
    await vi.waitFor(() => {
      expect(hooks.noteInjected).toHaveBeenCalledWith(['m1']);
    });
  });

  it('still sends on time when the prefetch in flight does not answer', async () => {
    const { recall } = heldRecall();
    const hooks = start({ recall });
    type('Plan my week', 'user');
    await pause();

    pressEnter();
    await vi.advanceTimersByTimeAsync(RECALL_TIMEOUT_MS); // the budget of any send

    expect(await sent()).toEqual(['Plan my week']);
    expect(hooks.skipped).toHaveBeenCalledWith('timeout');
    expect(recall).toHaveBeenCalledOnce();
    expect(hooks.noteInjected).not.toHaveBeenCalled();
  });

  it('asks afresh for text edited after the prefetch, and uses that answer', async () => {
    const recall = vi.fn<SendHooks['recall']>((query) => Promise.resolve(lines(`memory for: ${query}`)));
    const hooks = start({ recall });
    type('Where do I live', 'user');
    await pause();
    type('Where do I live now?', 'user');

    pressEnter(); // before the pause: no prefetch of this text

    expect(await sent()).toEqual([withMemoryBlock(['memory for: Where do I live now?'], 'Where do I live now?')]);
    expect(recall.mock.calls).toEqual([['Where do I live', { prefetch: true }], ['Where do I live now?', { prefetch: true }]]);
    // Every recall counts no use: what went out is noted once sent.
    await vi.waitFor(() => {
      expect(hooks.noteInjected).toHaveBeenCalledWith(['m1']);
    });
  });

  it('never has more than one prefetch in flight, and asks for the newest text when it returns', async () => {
    const { recall, answers, stats } = heldRecall();
    start({ recall });
    type('I', 'user');
    await pause();
    for (const text of ['I live', 'I live in', 'Where do I live?']) {
      type(text, 'user');
      await pause();
    }
    expect(recall.mock.calls).toEqual([['I', { prefetch: true }]]);

    answers[0]!(lines('stale'));
    await vi.waitFor(() => {
      expect(recall).toHaveBeenCalledTimes(2);
    });
    expect(recall).toHaveBeenLastCalledWith('Where do I live?', { prefetch: true });
    answers[1]!(lines('I live in Berlin'));
    expect(stats.most).toBe(1);

    pressEnter();
    expect(await sent()).toEqual([withMemoryBlock(['I live in Berlin'], 'Where do I live?')]);
    expect(recall).toHaveBeenCalledTimes(2);
  });

  it('keeps an answer only for the text it was computed for', async () => {
    const { recall, answers } = heldRecall();
    start({ recall });
    type('Where do I live?', 'user');
    await pause();
    type('Where do I work?', 'user'); // edited while the prefetch is in flight, then sent at once
    answers[0]!(lines('I live in Berlin'));

    pressEnter();
    await vi.waitFor(() => {
      expect(recall).toHaveBeenCalledTimes(2);
    });
    expect(recall).toHaveBeenLastCalledWith('Where do I work?', { prefetch: true });
    answers[1]!(lines('I work at the library'));
    expect(await sent()).toEqual([withMemoryBlock(['I work at the library'], 'Where do I work?')]);
  });

  it('does not use a prefetch once it expired', async () => {
    const recall = vi.fn<SendHooks['recall']>()
      .mockResolvedValueOnce(lines('I lived in Paris'))
      .mockResolvedValueOnce(lines('I live in Berlin'));
    const hooks = start({ recall });
    type('Where do I live?', 'user');
    await pause();
    await vi.advanceTimersByTimeAsync(PREFETCH_TTL_MS + 1); // the user left the tab, and came back

    pressEnter();

    expect(await sent()).toEqual([withMemoryBlock(['I live in Berlin'], 'Where do I live?')]);
    expect(recall.mock.calls).toEqual([['Where do I live?', { prefetch: true }], ['Where do I live?', { prefetch: true }]]);
    await vi.waitFor(() => {
      expect(hooks.noteInjected).toHaveBeenCalledOnce();
    });
  });

  it('asks again on send when the prefetch failed', async () => {
    const recall = vi.fn<SendHooks['recall']>()
      .mockRejectedValueOnce(new Error('worker restarting'))
      .mockResolvedValueOnce(lines('I live in Berlin'));
    const hooks = start({ recall });
    type('Where do I live?', 'user');
    await pause();

    pressEnter();

    expect(await sent()).toEqual([withMemoryBlock(['I live in Berlin'], 'Where do I live?')]);
    expect(recall).toHaveBeenCalledTimes(2);
    expect(hooks.skipped).not.toHaveBeenCalled();
  });

  it('never prefetches on a page script’s input', async () => {
    const typing = vi.fn();
    const hooks = start({ recall: vi.fn<SendHooks['recall']>(() => Promise.resolve(lines('I live in Berlin'))), typing });
    type('Where do I live?', 'page');
    await pause();
    document.body.dispatchEvent(new InputEvent('input', { bubbles: true })); // nor on one outside the composer
    await pause();
    expect(hooks.recall).not.toHaveBeenCalled();
    expect(typing).not.toHaveBeenCalled();
  });

  it('wakes the background at the first keystroke, before any pause', () => {
    const typing = vi.fn();
    start({ typing });
    type('W', 'user');
    expect(typing).toHaveBeenCalledOnce();
    type('Wh', 'user');
    expect(typing).toHaveBeenCalledOnce();
  });

  it('writes nothing prefetched to the page before the user sends', async () => {
    start({ recall: vi.fn<SendHooks['recall']>(() => Promise.resolve(lines('My PIN is in the blue notebook'))) });
    type('Where did I put my PIN?', 'user');
    await pause();
    await pause();

    expect(adapter.readComposer()).toBe('Where did I put my PIN?');
    expect(page().state).toBe('Where did I put my PIN?');
    expect(document.documentElement.outerHTML).not.toContain('blue notebook');
    expect(document.documentElement.outerHTML).not.toContain(BLOCK_HEADER);
    expect(posted).toEqual([]);

    pressEnter();
    expect(await sent()).toEqual([withMemoryBlock(['My PIN is in the blue notebook'], 'Where did I put my PIN?')]);
  });

  it('notes no use when the send carried no memories', async () => {
    const hooks = start({ recall: vi.fn<SendHooks['recall']>(() => Promise.resolve([])) });
    type('How long do dogs live?', 'user');
    await pause();

    pressEnter();

    expect(await sent()).toEqual(['How long do dogs live?']);
    await vi.waitFor(() => {
      expect(hooks.sent).toHaveBeenCalled();
    });
    expect(hooks.noteInjected).not.toHaveBeenCalled();
  });

  it('notes no use when the send failed', async () => {
    const discarded = vi.fn<NonNullable<SendHooks['discarded']>>();
    const hooks = start({ recall: vi.fn<SendHooks['recall']>(() => Promise.resolve(lines('I live in Berlin'))), discarded });
    type('Where do I live?', 'user');
    await pause();
    vi.spyOn(adapter, 'submit').mockRejectedValueOnce(new Error('send button gone'));

    pressEnter();

    await vi.waitFor(() => {
      expect(discarded).toHaveBeenCalledWith('Where do I live?');
    });
    expect(hooks.noteInjected).not.toHaveBeenCalled();
  });
});
