// @vitest-environment happy-dom
/**
 * While a search is on its way, the popup goes on showing the list it has, as it was: its heading
 * and its marked words stay those of the rows shown (never "3 matches for “Berlin”" over rows that
 * were not searched), and change together with the rows when the search's first page comes.
 */
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { MemoryPage, MemoryPageRequest, MemoryView } from '../../src/core/types';
import type { MemoryBackend } from '../../src/ui/memory-list-store';
import { S } from '../../src/ui/strings';
import { settle, useContainer } from '../support/dom';
import { showPopup } from '../support/popup';

const at = (d: number): number => Date.UTC(2026, 10, d, 12);
const ROWS: MemoryView[] = [
  { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: at(20) },
  { id: 'm2', text: 'My sister visits Berlin in May', site: 'claude', createdAt: at(18) },
  { id: 'm3', text: 'My dog is called Max', site: 'chatgpt', createdAt: at(2) },
];

/** A background whose searches wait until the test lets them answer. */
function backend() {
  const pending: (() => void)[] = [];
  const page = vi.fn(({ filter, offset, limit }: MemoryPageRequest): Promise<MemoryPage> => {
    const answer = (): MemoryPage => {
      const words = (filter.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const items = filter.text ? ROWS.filter((r) => words.some((w) => r.text.toLowerCase().includes(w))).map((r) => ({ ...r, matched: true })) : ROWS;
      return { total: items.length, items: items.slice(offset, offset + limit), revision: 1 };
    };
    if (!filter.text) return Promise.resolve(answer());
    return new Promise((resolve) => {
      pending.push(() => {
        resolve(answer());
      });
    });
  });
  const b: MemoryBackend = { list: () => Promise.resolve(ROWS), remove: () => Promise.resolve(true), page };
  const answerAll = (): void => {
    for (const go of pending.splice(0)) go();
  };
  return { b, page, answer: answerAll };
}

const root = useContainer();
const heading = (): string => root.el.querySelector('[data-testid="memory-count"]')?.textContent ?? '';
const marked = (): string[] => [...root.el.querySelectorAll('[data-testid="memory"] mark')].map((m) => m.textContent);
const texts = (): string[] => [...root.el.querySelectorAll('[data-testid="memory"] .memory-text')].map((p) => p.textContent);

describe('a search on its way', () => {
  it('leaves the list, its heading and its marks as they were until its first page comes', async () => {
    const { b, page, answer } = backend();
    await showPopup(root.el, b);
    expect(heading()).toBe(S.list.count(3, '3'));

    const box = root.el.querySelector<HTMLInputElement>('input[type="search"]')!;
    await act(() => {
      box.value = 'Berlin';
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(page).toHaveBeenLastCalledWith(expect.objectContaining({ filter: { text: 'Berlin' } }));
    // The box says what was typed; the list is still the one it was, unmarked.
    expect(box.value).toBe('Berlin');
    expect(texts()).toEqual(['I live in Berlin', 'My sister visits Berlin in May', 'My dog is called Max']);
    expect(heading()).toBe(S.list.count(3, '3'));
    expect(marked()).toEqual([]);

    await act(() => {
      answer();
    });
    await settle();
    expect(texts()).toEqual(['I live in Berlin', 'My sister visits Berlin in May']);
    expect(heading()).toBe(S.list.matches(2, '2', 'Berlin'));
    expect(marked()).toEqual(['Berlin', 'Berlin']);

    // Cleared: the whole list again, unmarked.
    await act(() => {
      box.value = '';
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(heading()).toBe(S.list.count(3, '3'));
    expect(marked()).toEqual([]);
  });
});
