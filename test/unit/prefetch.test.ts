// @vitest-environment happy-dom
/**
 * Prefetch (src/capture/prefetch.ts): the memories for what the user is typing, asked for once they
 * pause, one request at a time, kept for one text for a while. Then the two ends of the protocol:
 * the content script flags a prefetch and notes the ids a send went out with; the background
 * counts no use for a prefetch, and counts the noted ids only for a content script and only when
 * they are well formed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPrefetcher, PREFETCH_DEBOUNCE_MS, PREFETCH_TTL_MS, type RecalledLine } from '../../src/capture/prefetch';
import { runContentScript } from '../../src/capture/run-content-script';
import { parseControl } from '../../src/core/control';
import { withMemoryBlock } from '../../src/inject/memory-block';
import { contentScriptSites, type SenderInfo } from '../../src/background/senders';
import type { ProtocolMap } from '../../src/messaging/protocol';
import { createChatgptAdapter } from '../../src/sites/chatgpt/adapter';

type Listener = (message: { data: unknown; sender: SenderInfo }) => unknown;
const listeners = new Map<string, Listener>();
const messages = vi.hoisted(() => ({ send: vi.fn<(type: string, data?: unknown) => Promise<unknown>>() }));

vi.mock('../../src/messaging/protocol', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/messaging/protocol')>();
  return {
    ...actual,
    sendMessage: (type: string, data?: unknown) => messages.send(type, data),
    onMessage: (type: string, listener: Listener) => {
      listeners.set(type, listener);
      return () => listeners.delete(type);
    },
    onBroadcast: (type: string, listener: Listener) => {
      broadcasts.set(type, listener);
      return () => broadcasts.delete(type);
    },
  };
});
const broadcasts = new Map<string, Listener>();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createPrefetcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  /** A prefetcher over a text the test sets, with a fetch whose answers the test gives. */
  function setup() {
    let text = '';
    const answers: { text: string; answer: (memories: RecalledLine[]) => void; fail: (error: Error) => void }[] = [];
    const fetch = vi.fn(
      (asked: string) =>
        new Promise<RecalledLine[]>((resolve, reject) => {
          answers.push({ text: asked, answer: resolve, fail: reject });
        }),
    );
    const onError = vi.fn();
    const prefetcher = createPrefetcher({ read: () => text, fetch, onError });
    const typeText = (next: string) => {
      text = next;
      prefetcher.typed();
    };
    return { prefetcher, fetch, answers, onError, typeText };
  }

  const memories = [{ id: 'm1', text: 'I live in Berlin' }];

  it('asks once the user pauses, for the text they paused on', async () => {
    const { fetch, typeText } = setup();
    typeText('W');
    typeText('Where');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS - 1);
    expect(fetch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.mock.calls).toEqual([['Where']]);
  });

  it('asks nothing for an empty composer', async () => {
    const { fetch, typeText } = setup();
    typeText('');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('hands a send the answer for exactly its text, fresh, and nothing for another text', async () => {
    const { prefetcher, answers, typeText } = setup();
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    const inFlight = prefetcher.lookup('Where do I live?');
    expect(inFlight).not.toBeNull();
    answers[0]!.answer(memories);
    await expect(inFlight).resolves.toEqual(memories);
    await expect(prefetcher.lookup('Where do I live?')).resolves.toEqual(memories);
    expect(prefetcher.lookup('Where do I live')).toBeNull();
    await vi.advanceTimersByTimeAsync(PREFETCH_TTL_MS + 1);
    expect(prefetcher.lookup('Where do I live?')).toBeNull(); // expired
  });

  it('keeps one request in flight, and asks only for the newest text when it returns', async () => {
    const { fetch, answers, typeText } = setup();
    typeText('I');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    for (const text of ['I live', 'I live in', 'I live in Oslo']) {
      typeText(text);
      await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    }
    expect(fetch).toHaveBeenCalledOnce();
    answers[0]!.answer([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.mock.calls).toEqual([['I'], ['I live in Oslo']]);
  });

  it('asks nothing more when the text is back to the one in flight', async () => {
    const { fetch, answers, typeText } = setup();
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    typeText('Where do I live?!');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    answers[0]!.answer(memories);
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('asks again for a text whose answer expired, but never again for one that failed', async () => {
    const { fetch, answers, onError, typeText, prefetcher } = setup();
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    answers[0]!.answer(memories);
    await vi.advanceTimersByTimeAsync(PREFETCH_TTL_MS + 1);
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    expect(fetch).toHaveBeenCalledTimes(2);

    const failure = new Error('worker gone');
    answers[1]!.fail(failure);
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(failure);
    expect(prefetcher.lookup('Where do I live?')).toBeNull(); // the send asks itself
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('forgets a pause being waited for once a send begins', async () => {
    const { fetch, answers, typeText, prefetcher } = setup();
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    typeText('Where do I work?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS); // behind: would ask when the first returns
    typeText('Where do I work? Now');
    prefetcher.cancel();
    answers[0]!.answer(memories);
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('drops what it prefetched, answered or in flight, once memories were forgotten', async () => {
    const { answers, typeText, prefetcher } = setup();
    typeText('Where do I live?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    answers[0]!.answer(memories);
    await vi.advanceTimersByTimeAsync(0);
    expect(prefetcher.lookup('Where do I live?')).not.toBeNull();
    prefetcher.forget();
    expect(prefetcher.lookup('Where do I live?')).toBeNull(); // the send asks afresh

    typeText('Where do I work?');
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    prefetcher.forget(); // while its request is in flight
    answers[1]!.answer(memories);
    await vi.advanceTimersByTimeAsync(0);
    expect(prefetcher.lookup('Where do I work?')).toBeNull();
  });
});

const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
const SITES = contentScriptSites({
  content_scripts: [
    { matches: ['https://chatgpt.com/*'], js: ['content-scripts/chatgpt.js'] },
    { matches: ['https://claude.ai/*'], js: ['content-scripts/claude.js'] },
  ],
});
const chatgptTab: SenderInfo = { id: EXT.id, url: 'https://chatgpt.com/c/123', tab: { id: 7 }, frameId: 0 };
const popup: SenderInfo = { id: EXT.id, url: 'chrome-extension://engramid/popup.html' };

describe('the background', () => {
  const recalled = [{ id: 'm1', line: 'I live in Berlin (said 3 May)', score: 0.8 }];
  let memory: { recall: ReturnType<typeof vi.fn>; noteUseLater: ReturnType<typeof vi.fn>; readAhead: ReturnType<typeof vi.fn> };
  let embedder: { prefetch: ReturnType<typeof vi.fn>; load: ReturnType<typeof vi.fn> };

  beforeEach(async () => {
    listeners.clear();
    memory = { recall: vi.fn(() => Promise.resolve({ memories: recalled })), noteUseLater: vi.fn(), readAhead: vi.fn() };
    const { registerHandlers } = await import('../../src/background/register-handlers');
    // The embedder: read ahead by every recall, loaded with the memories (a model that loads nothing here).
    embedder = { prefetch: vi.fn(), load: vi.fn(() => Promise.resolve()) };
    registerHandlers({ memory, embedder, ready: Promise.resolve(), control: () => Promise.resolve(parseControl({ mode: 'automatic' })) } as never, { extension: EXT, sites: SITES });
  });

  const call = (type: keyof ProtocolMap, sender: SenderInfo, data?: unknown) =>
    Promise.resolve().then(() => listeners.get(type)!({ data, sender }));

  it('counts no use for a prefetch, and counts it as before for a send’s recall', async () => {
    await expect(call('recall', chatgptTab, { site: 'chatgpt', query: 'Where do I live?', prefetch: true })).resolves.toEqual({
      memories: [{ id: 'm1', text: 'I live in Berlin (said 3 May)', score: 0.8 }],
    });
    expect(memory.recall).toHaveBeenLastCalledWith('Where do I live?', expect.objectContaining({ noteUse: false }));
    expect(embedder.prefetch).toHaveBeenCalled();
    expect(memory.readAhead).toHaveBeenCalled();
    for (const request of [{ site: 'chatgpt', query: 'Where do I live?' }, { site: 'chatgpt', query: 'Where do I live?', prefetch: false }]) {
      await call('recall', chatgptTab, request);
      expect(memory.recall.mock.lastCall?.[1]).not.toHaveProperty('noteUse');
    }
  });

  it('refuses a recall whose prefetch flag is not a boolean, or for another site', async () => {
    await expect(call('recall', chatgptTab, { site: 'chatgpt', query: 'hi', prefetch: 'yes' })).rejects.toThrow(/refused/);
    await expect(call('recall', chatgptTab, { site: 'claude', query: 'hi', prefetch: true })).rejects.toThrow(/refused/);
    expect(memory.recall).not.toHaveBeenCalled();
  });

  it('counts the memories a send went out with, once each', async () => {
    await expect(call('noteInjected', chatgptTab, { ids: ['m1', 'm2', 'm1'] })).resolves.toEqual({ noted: true });
    expect(memory.noteUseLater).toHaveBeenCalledWith(['m1', 'm2']);
    await expect(call('noteInjected', chatgptTab, { ids: [] })).resolves.toEqual({ noted: false });
    await expect(call('noteInjected', chatgptTab, { ids: [''] })).resolves.toEqual({ noted: false });
    expect(memory.noteUseLater).toHaveBeenCalledOnce();
  });

  it('answers noteInjected only for a chat site’s content script', async () => {
    for (const sender of [popup, { ...chatgptTab, frameId: 2 }, { ...chatgptTab, id: 'other' }]) {
      await expect(call('noteInjected', sender, { ids: ['m1'] })).rejects.toThrow(/not answered/);
    }
    expect(memory.noteUseLater).not.toHaveBeenCalled();
  });

  it('refuses malformed ids before touching any memory', async () => {
    const malformed: unknown[] = [
      undefined,
      null,
      'm1',
      ['m1'],
      {},
      { ids: 'm1' },
      { ids: [1] },
      { ids: ['m1', null] },
      { ids: ['x'.repeat(101)] },
      { ids: Array.from({ length: 21 }, (_, i) => `m${i}`) },
    ];
    for (const data of malformed) {
      await expect(call('noteInjected', chatgptTab, data), JSON.stringify(data)).rejects.toThrow(/refused/);
    }
    expect(memory.noteUseLater).not.toHaveBeenCalled();
    await expect(call('noteInjected', chatgptTab, { ids: ['x'.repeat(100), ...Array.from({ length: 19 }, (_, i) => `m${i}`)] })).resolves.toEqual({
      noted: true,
    });
  });
});

/** The user's settings, fixed to automatic mode (what these tests are about). */
const automatic = { read: () => Promise.resolve(parseControl({ mode: 'automatic' })), watch: () => () => undefined };

describe('runContentScript', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  let controller: AbortController;

  beforeEach(() => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve({ ok: true, json: () => Promise.resolve({ reply: 'Scripted reply' }) })));
    vi.stubGlobal('chrome', { runtime: { id: 'engramid' } });
    const parsed = new DOMParser().parseFromString(readFileSync(path.join(root, 'test/fixtures/sites/chatgpt.html'), 'utf8'), 'text/html');
    for (const script of parsed.querySelectorAll('script:not([type="application/json"])')) script.remove();
    document.body.innerHTML = parsed.body.innerHTML;
    history.replaceState({}, '', '/');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the repository's own demo script
    (new Function(readFileSync(path.join(root, 'demo/scripted-chat.js'), 'utf8')) as () => void)();
    controller = new AbortController();
    messages.send.mockReset();
    messages.send.mockImplementation((type) =>
      Promise.resolve(
        type === 'recall' ? { memories: [{ id: 'm7', text: 'I live in Berlin', score: 0.9 }] } : type === 'warmUp' ? { ready: true } : {},
      ),
    );
  });

  afterEach(() => {
    controller.abort();
    vi.unstubAllGlobals();
    document.body.innerHTML = '';
  });

  const composer = (): HTMLElement => document.querySelector<HTMLElement>('#prompt-textarea')!;
  /** An event as the browser makes it for the user (happy-dom's are never trusted). */
  const trusted = <E extends Event>(event: E): E => Object.defineProperty(event, 'isTrusted', { value: true });
  const prompts = (): string[] => (window as unknown as { __scriptedChat: { prompts: string[] } }).__scriptedChat.prompts;

  it('prefetches with the flag, sends the prefetched memories, then notes their ids', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    await runContentScript(createChatgptAdapter(document), controller.signal, automatic).ready;
    composer().innerHTML = '<p>Where do I live?</p>';
    composer().dispatchEvent(trusted(new InputEvent('input', { bubbles: true })));
    await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    expect(messages.send).toHaveBeenCalledWith('recall', { site: 'chatgpt', query: 'Where do I live?', prefetch: true });
    expect(messages.send).not.toHaveBeenCalledWith('noteInjected', expect.anything());

    composer().dispatchEvent(trusted(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })));

    await vi.waitFor(() => {
      expect(messages.send).toHaveBeenCalledWith('noteInjected', { ids: ['m7'] });
    });
    expect(prompts()).toEqual([withMemoryBlock(['I live in Berlin'], 'Where do I live?')]);
    expect(messages.send.mock.calls.filter(([type]) => type === 'recall')).toHaveLength(1);
  });

  it('drops its prefetch when the background says memories were forgotten, and only then', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    await runContentScript(createChatgptAdapter(document), controller.signal, automatic).ready;
    const forgotten = (sender: SenderInfo): void => {
      broadcasts.get('memoriesChanged')!({ data: undefined, sender });
    };
    const typeAndPause = async (text: string): Promise<void> => {
      composer().innerHTML = `<p>${text}</p>`;
      composer().dispatchEvent(trusted(new InputEvent('input', { bubbles: true })));
      await vi.advanceTimersByTimeAsync(PREFETCH_DEBOUNCE_MS);
    };
    const enter = (): void => {
      composer().dispatchEvent(trusted(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })));
    };
    const recalls = (): number => messages.send.mock.calls.filter(([type]) => type === 'recall').length;

    // Said by a tab, not by the extension's own background: ignored, the prefetch is used.
    await typeAndPause('Where do I live?');
    forgotten({ id: 'engramid', tab: { id: 3 } });
    enter();
    await vi.waitFor(() => {
      expect(prompts()).toEqual([withMemoryBlock(['I live in Berlin'], 'Where do I live?')]);
    });
    expect(recalls()).toBe(1);

    // Said by the background after the memory was forgotten: the send asks afresh.
    await typeAndPause('Where do I live now?');
    messages.send.mockImplementation((type) => Promise.resolve(type === 'recall' ? { memories: [] } : {}));
    forgotten({ id: 'engramid' });
    enter();
    await vi.waitFor(() => {
      expect(prompts().at(-1)).toBe('Where do I live now?');
    });
    expect(recalls()).toBe(3);
  });

  it('asks with the flag when the user sends before pausing, and notes what went out', async () => {
    await runContentScript(createChatgptAdapter(document), controller.signal, automatic).ready;
    composer().innerHTML = '<p>Where do I live?</p>';
    composer().dispatchEvent(trusted(new InputEvent('input', { bubbles: true })));
    composer().dispatchEvent(trusted(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true })));

    await vi.waitFor(() => {
      expect(prompts()).toEqual([withMemoryBlock(['I live in Berlin'], 'Where do I live?')]);
    });
    await vi.waitFor(() => {
      expect(messages.send).toHaveBeenCalledWith('confirmTurn', expect.anything());
    });
    expect(messages.send).toHaveBeenCalledWith('recall', { site: 'chatgpt', query: 'Where do I live?', prefetch: true });
    await vi.waitFor(() => {
      expect(messages.send).toHaveBeenCalledWith('noteInjected', { ids: ['m7'] });
    });
  });
});
