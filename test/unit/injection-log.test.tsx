// @vitest-environment happy-dom
/**
 * "Sent with your prompts" in the popup, and "Where was this used?" under a memory, through the
 * real `injectionLog` message answered by a stand-in for the background.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MemoryView } from '../../src/core/types';
import type { InjectionView } from '../../src/messaging/protocol';
import { when } from '../../src/ui/injection-log';
import { createInjectionLogStore, messagingLogBackend } from '../../src/ui/injection-log-store';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { PopupApp } from '../../src/ui/popup-app';
import { settle, useContainer } from '../support/dom';

const messages = vi.hoisted(() => ({ send: vi.fn<(type: string, data?: unknown) => Promise<unknown>>() }));
vi.mock('../../src/messaging/protocol', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/messaging/protocol')>();
  return { ...actual, sendMessage: (type: string, data?: unknown) => messages.send(type, data) };
});

const HOUR = 3_600_000;
const NOW = Date.now();
const BERLIN: MemoryView = { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: NOW - 100 * HOUR };
const VEGGIE: MemoryView = { id: 'm2', text: "I'm vegetarian", site: 'claude', createdAt: NOW - 90 * HOUR };

const LOG: InjectionView[] = [
  {
    id: 3,
    at: NOW - 1_000,
    site: 'claude',
    conversationId: 'c3',
    mode: 'review',
    memories: [
      { id: 'm1', text: 'I live in Berlin' },
      { id: 'gone', text: null },
    ],
  },
  { id: 2, at: NOW - 30 * HOUR, site: 'chatgpt', conversationId: 'c2', mode: 'automatic', memories: [{ id: 'm1', text: 'I live in Berlin' }] },
  { id: 1, at: Date.UTC(2025, 4, 2, 10), site: 'demo', conversationId: 'c1', mode: 'manual', memories: [{ id: 'old', text: 'I work at Atlas' }] },
];

/** The background's answers: the log (newest first), or only where one memory went. */
function background(log: InjectionView[]) {
  messages.send.mockImplementation((type, data) => {
    if (type !== 'injectionLog') return Promise.reject(new Error(`unexpected message ${type}`));
    const { memoryId, limit } = data as { memoryId?: string; limit?: number };
    const found = memoryId === undefined ? log : log.filter((e) => e.memories.some((m) => m.id === memoryId));
    return Promise.resolve(found.slice(0, limit ?? found.length));
  });
}
const memories: MemoryBackend = { list: () => Promise.resolve([BERLIN, VEGGIE]), remove: () => Promise.resolve(true) };

const root = useContainer();
beforeEach(() => {
  messages.send.mockReset();
});
afterEach(() => {
  history.replaceState(null, '', window.location.pathname);
  vi.restoreAllMocks();
});

async function show(log: InjectionView[]) {
  background(log);
  await act(() => {
    render(<PopupApp store={createMemoryListStore(memories)} log={createInjectionLogStore(messagingLogBackend)} />, root.el);
  });
  await settle();
}

const section = () => root.el.querySelector<HTMLElement>('[data-testid="injection-log"]')!;
const details = () => section().querySelector('details')!;
const rows = () => [...root.el.querySelectorAll<HTMLElement>('[data-testid="injection"]')];
const button = (name: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => el.getAttribute('aria-label') === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}

describe('the injection log', () => {
  it('lists the prompts sent with memories: when, where, how, and which memories', async () => {
    await show(LOG);
    expect(messages.send).toHaveBeenCalledWith('injectionLog', { limit: 50 });
    expect(section().querySelector('summary')?.textContent).toBe('Sent with your prompts');
    expect(details().open).toBe(false); // collapsed unless asked for

    const [recent, yesterday, old] = rows();
    expect(recent!.querySelector('.memory-meta')?.textContent).toMatch(/^Today, .+ · Claude · you reviewed · open the conversation$/);
    expect(recent!.querySelector('a')?.getAttribute('href')).toBe('https://claude.ai/chat/c3');
    expect(yesterday!.querySelector('.memory-meta')?.textContent).toMatch(/ · ChatGPT · added automatically · open the conversation$/);
    expect(yesterday!.querySelector('a')?.getAttribute('href')).toBe('https://chatgpt.com/c/c2');
    expect(old!.querySelector('a')).toBeNull(); // the local demo site: no link
    expect(old!.querySelector('.memory-meta')?.textContent).toMatch(/2025.* · Demo chat · you inserted$/);
    expect(old!.querySelector('time')?.getAttribute('datetime')).toBe('2025-05-02T10:00:00.000Z');

    const sent = [...recent!.querySelectorAll('.sent li')];
    expect(sent.map((li) => li.textContent)).toEqual(['I live in Berlin', 'a memory you forgot']);
    const forgotten = sent[1]!.querySelector('em');
    expect(forgotten?.textContent).toBe('a memory you forgot');
    expect(forgotten?.className).toBe('forgotten');
    expect([...old!.querySelectorAll('.sent li')].map((li) => li.textContent)).toEqual(['I work at Atlas']);
  });

  it('says so when no prompt has gone out with memories', async () => {
    await show([]);
    expect(rows()).toHaveLength(0);
    expect(section().textContent).toContain('No prompt has been sent with memories yet.');
  });

  it('is read again when the user opens it', async () => {
    await show([]);
    background(LOG);
    await act(() => {
      details().open = true;
      details().dispatchEvent(new Event('toggle'));
    });
    await settle();
    expect(rows()).toHaveLength(3);
  });

  it('opens, and comes into view with the focus, when the popup is opened at #log', async () => {
    const scrolled = vi.spyOn(HTMLElement.prototype, 'scrollIntoView');
    history.replaceState(null, '', '#log');
    await show(LOG);
    expect(details().open).toBe(true);
    expect(rows()).toHaveLength(3);
    expect(scrolled).toHaveBeenCalled();
    expect(scrolled.mock.contexts.at(-1)).toBe(section());
    expect(document.activeElement).toBe(section().querySelector('summary'));
  });

  it('opens when the hash becomes #log while the popup is open', async () => {
    await show(LOG);
    expect(details().open).toBe(false);
    await act(() => {
      history.replaceState(null, '', '#log');
      window.dispatchEvent(new Event('hashchange'));
    });
    await settle();
    expect(details().open).toBe(true);
  });

  it('shows the error when the log cannot be read', async () => {
    messages.send.mockImplementation(() => Promise.reject(new Error('Engram is updating its database')));
    await act(() => {
      render(<PopupApp store={createMemoryListStore(memories)} log={createInjectionLogStore(messagingLogBackend)} />, root.el);
    });
    await settle();
    expect(section().querySelector('[role="alert"]')?.textContent).toBe('Engram is updating its database');
  });
});

describe('"Where was this used?" under a memory', () => {
  it('lists the site and date of each prompt that carried it, read only when asked', async () => {
    await show(LOG);
    const ask = button('Where was this used? "I live in Berlin"');
    expect(ask.textContent.trim()).toBe('Where was this used?');
    expect(ask.getAttribute('aria-expanded')).toBe('false');
    expect(messages.send).not.toHaveBeenCalledWith('injectionLog', expect.objectContaining({ memoryId: 'm1' }));

    await click(ask);
    expect(messages.send).toHaveBeenCalledWith('injectionLog', { memoryId: 'm1' });
    expect(ask.getAttribute('aria-expanded')).toBe('true');
    const uses = root.el.querySelector<HTMLElement>('[data-testid="memory"] [data-testid="uses"]')!;
    expect(ask.getAttribute('aria-controls')).toBe(uses.id);
    expect(uses.querySelector('[role="status"]')?.textContent).toBe('Used in 2 prompts:');
    const lines = [...uses.querySelectorAll('li')].map((li) => li.textContent);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Claude · Today, /);
    expect(lines[1]).toMatch(/^ChatGPT · /);

    await click(ask);
    expect(ask.getAttribute('aria-expanded')).toBe('false');
    expect(root.el.querySelector('[data-testid="uses"]')).toBeNull();
  });

  it('says when a memory has not been used in any prompt', async () => {
    await show(LOG);
    await click(button('Where was this used? "I\'m vegetarian"'));
    expect(messages.send).toHaveBeenCalledWith('injectionLog', { memoryId: 'm2' });
    expect(root.el.querySelector('[data-testid="uses"]')?.textContent).toBe('Not used in any prompt yet');
  });

  it('is not offered without the log', async () => {
    await act(() => {
      render(<PopupApp store={createMemoryListStore(memories)} />, root.el);
    });
    await settle();
    expect(root.el.querySelectorAll('[data-testid="memory"]')).toHaveLength(2);
    expect(root.el.textContent).not.toContain('Where was this used?');
    expect(root.el.querySelector('[data-testid="injection-log"]')).toBeNull();
  });
});

describe('when()', () => {
  const now = new Date(2026, 2, 12, 15, 30).getTime(); // a Thursday, local time
  it('says today and yesterday with the time, the weekday within a week, else the date', () => {
    expect(when(new Date(2026, 2, 12, 9, 5).getTime(), now)).toMatch(/^Today, /);
    expect(when(new Date(2026, 2, 11, 23, 59).getTime(), now)).toMatch(/^Yesterday, /);
    expect(when(new Date(2026, 2, 9, 8, 0).getTime(), now)).toMatch(/Monday/);
    expect(when(new Date(2026, 1, 2, 8, 0).getTime(), now)).toMatch(/2026/);
    expect(when(new Date(2026, 2, 14, 8, 0).getTime(), now)).toMatch(/2026/); // a clock set ahead: the date
  });
});
