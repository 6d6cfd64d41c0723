// @vitest-environment happy-dom
/**
 * The popup over an in-memory MemoryBackend: what the user sees of their memories, and what
 * happens when they forget one.
 */
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { MemoryView } from '../../src/core/types';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { settle, useContainer } from '../support/dom';
import { showPopup } from '../support/popup';

const BERLIN: MemoryView = { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14, 12, 0) };
const VEGGIE: MemoryView = { id: 'm2', text: "I'm vegetarian", site: 'claude', createdAt: Date.UTC(2025, 10, 3, 9, 30) };
const DOG: MemoryView = { id: 'm3', text: 'My dog is called Max', site: 'demo', createdAt: Date.UTC(2026, 0, 1, 8, 0) };

/** An in-memory backend, like the background's store. */
function memoryBackend(initial: MemoryView[]) {
  const rows = [...initial];
  return {
    rows,
    list: vi.fn<MemoryBackend['list']>(() => Promise.resolve(rows.map((r) => ({ ...r })))),
    remove: vi.fn<MemoryBackend['remove']>((id) => {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) rows.splice(i, 1);
      return Promise.resolve(i >= 0);
    }),
  };
}

const root = useContainer();

const show = (backend: MemoryBackend) => showPopup(root.el, backend);

const items = () => [...root.el.querySelectorAll<HTMLElement>('[data-testid="memory"]')];
const texts = () => items().map((li) => li.querySelector('.memory-text')?.textContent);
const forget = (text: string): HTMLButtonElement => {
  const button = [...root.el.querySelectorAll('button')].find(
    (b) => b.getAttribute('aria-label') === `Forget "${text}"` && b.textContent.trim() === 'Forget',
  );
  if (!button) throw new Error(`no Forget button for ${text}`);
  return button;
};

describe('PopupApp', () => {
  it('lists each memory with its text, site name and date', async () => {
    await show(memoryBackend([BERLIN, VEGGIE, DOG]));

    expect(texts()).toEqual(['I live in Berlin', "I'm vegetarian", 'My dog is called Max']);
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe('3 memories');
    const [berlin, veggie, dog] = items();
    expect(berlin!.querySelector('.memory-meta')?.textContent).toContain('ChatGPT');
    expect(veggie!.querySelector('.memory-meta')?.textContent).toContain('Claude');
    expect(dog!.querySelector('.memory-meta')?.textContent).toContain('Demo chat');
    const time = berlin!.querySelector('time');
    expect(time?.getAttribute('datetime')).toBe('2026-02-14T12:00:00.000Z');
    expect(time?.textContent).toMatch(/2026/);
    expect(veggie!.querySelector('time')?.textContent).toMatch(/2025/);
  });

  it('says "1 memory" for a single memory', async () => {
    await show(memoryBackend([BERLIN]));
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe('1 memory');
  });

  it('shows a loading message until the memories arrive', async () => {
    let answer: (memories: MemoryView[]) => void = () => undefined;
    const backend: MemoryBackend = {
      list: () => new Promise((resolve) => (answer = resolve)),
      remove: () => Promise.resolve(),
    };
    await show(backend);
    expect(root.el.textContent).toContain('Loading memories');

    answer([BERLIN]);
    await settle();
    expect(root.el.textContent).not.toContain('Loading memories');
    expect(texts()).toEqual(['I live in Berlin']);
  });

  it('says when no memory mentions the search, and shows what is related as such', async () => {
    const backend: MemoryBackend = { ...memoryBackend([BERLIN, VEGGIE, DOG]), search: () => Promise.resolve([{ ...DOG, matched: false }]) };
    await show(backend);
    const input = root.el.querySelector<HTMLInputElement>('input[type="search"]')!;
    input.value = 'Where does my sister live?';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await vi.waitFor(() => {
      expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe('No memory mentions “Where does my sister live?”; perhaps related:');
    });
  });

  it('counts memories with thousands separators', async () => {
    const many = Array.from({ length: 10_003 }, (_, i) => ({ ...BERLIN, id: `m${i}`, text: `Fact number ${i}` }));
    await show(memoryBackend(many));
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe(`${(10_003).toLocaleString()} memories`);
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toMatch(/^10.003 memories$/);
  });

  it('shows the empty state when there are no memories', async () => {
    await show(memoryBackend([]));
    expect(root.el.querySelector('[data-testid="empty"]')?.textContent).toMatch(/No memories yet/);
    expect(items()).toHaveLength(0);
    expect(root.el.querySelector('[role="alert"]')).toBeNull();
  });

  it('removes a memory when the user clicks Forget, and deletes it in the backend', async () => {
    const backend = memoryBackend([BERLIN, VEGGIE]);
    await show(backend);

    await act(() => {
      forget('I live in Berlin').click();
    });
    await settle();

    expect(texts()).toEqual(["I'm vegetarian"]);
    expect(backend.remove).toHaveBeenCalledWith('m1');
    expect(backend.rows.map((r) => r.id)).toEqual(['m2']);
  });

  it('shows the empty state after the last memory is forgotten', async () => {
    await show(memoryBackend([BERLIN]));
    await act(() => {
      forget('I live in Berlin').click();
    });
    await settle();
    expect(root.el.querySelector('[data-testid="empty"]')).not.toBeNull();
  });

  it('puts the memory back and shows the error when the backend fails to forget it', async () => {
    const backend = memoryBackend([BERLIN, VEGGIE]);
    let fail: (error: Error) => void = () => undefined;
    backend.remove.mockImplementationOnce(() => new Promise((_resolve, reject) => (fail = reject)));
    await show(backend);

    await act(() => {
      forget("I'm vegetarian").click();
    });
    expect(texts()).toEqual(['I live in Berlin']); // gone at once, before the backend answers

    fail(new Error('Database is locked'));
    await settle();

    expect(texts()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Database is locked');
  });

  it('shows the error when the memories cannot be loaded', async () => {
    await show({
      list: () => Promise.reject(new Error('Extension context invalidated')),
      remove: () => Promise.resolve(),
    });
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Extension context invalidated');
    expect(root.el.textContent).not.toContain('Loading memories');
    expect(root.el.querySelector('[data-testid="empty"]')).toBeNull();
  });
});

describe('createMemoryListStore', () => {
  it('loads the memories and becomes ready', async () => {
    const store = createMemoryListStore(memoryBackend([BERLIN, VEGGIE]));
    expect(store.status.value).toBe('loading');
    await store.load();
    expect(store.status.value).toBe('ready');
    expect(store.memories.value.map((m) => m.text)).toEqual(['I live in Berlin', "I'm vegetarian"]);
  });

  it('keeps the list when remove rejects, and reports errors that are not Error objects too', async () => {
    const backend = memoryBackend([BERLIN]);
    backend.remove.mockImplementationOnce(() => Promise.reject(new Error('quota exceeded')));
    const store = createMemoryListStore(backend);
    await store.load();
    await store.remove('m1');
    expect(store.memories.value).toEqual([BERLIN]);
    expect(store.error.value).toBe('quota exceeded');

    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a backend may reject with a bare string
    backend.list.mockImplementationOnce(() => Promise.reject('offline'));
    await store.load();
    expect(store.status.value).toBe('error');
    expect(store.error.value).toBe('offline');
  });

  it('clears an earlier load error once a reload succeeds', async () => {
    const backend = memoryBackend([BERLIN]);
    backend.list.mockImplementationOnce(() => Promise.reject(new Error('busy')));
    const store = createMemoryListStore(backend);
    await store.load();
    expect(store.error.value).toBe('busy');
    await store.load();
    expect(store.status.value).toBe('ready');
    expect(store.error.value).toBeNull();
    expect(store.memories.value).toEqual([BERLIN]);
  });
});
