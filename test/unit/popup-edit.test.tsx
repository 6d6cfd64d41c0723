// @vitest-environment happy-dom
/**
 * The popup's search, edit and pin, over an in-memory backend that behaves like the background:
 * search ranks by shared words, edit rejects an empty text, pin reorders the list.
 */
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { MemoryView } from '../../src/core/types';
import type { MemoryBackend } from '../../src/ui/memory-list-store';
import { settle, useContainer } from '../support/dom';
import { showPopup } from '../support/popup';

const at = (d: number): number => Date.UTC(2026, 10, d, 12);
const initial = (): MemoryView[] => [
  { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: at(20) },
  { id: 'm2', text: "I'm vegetarian", site: 'claude', createdAt: at(18) },
  { id: 'm3', text: 'My dog is called Max', site: 'demo', createdAt: at(2) },
];

function backend() {
  const rows = initial();
  const words = (t: string): string[] => t.toLowerCase().match(/\p{L}+/gu) ?? [];
  return {
    rows,
    list: vi.fn<MemoryBackend['list']>(() =>
      Promise.resolve([...rows].sort((a, b) => Number(b.pinned ?? false) - Number(a.pinned ?? false)).map((r) => ({ ...r }))),
    ),
    remove: vi.fn<MemoryBackend['remove']>(() => Promise.resolve(true)),
    search: vi.fn<NonNullable<MemoryBackend['search']>>((q) =>
      Promise.resolve(rows.filter((r) => words(q).some((w) => w.length > 2 && words(r.text).includes(w))).map((r) => ({ ...r }))),
    ),
    edit: vi.fn<NonNullable<MemoryBackend['edit']>>((id, text) => {
      const row = rows.find((r) => r.id === id);
      if (!row) return Promise.reject(new Error('no such memory'));
      row.text = text;
      return Promise.resolve({ ...row });
    }),
    pin: vi.fn<NonNullable<MemoryBackend['pin']>>((id, pinned) => {
      const row = rows.find((r) => r.id === id)!;
      row.pinned = pinned;
      return Promise.resolve({ ...row });
    }),
  };
}

const root = useContainer();

const show = (backend: MemoryBackend) => showPopup(root.el, backend);

const texts = () => [...root.el.querySelectorAll('[data-testid="memory"] .memory-text')].map((p) => p.textContent);
const button = (label: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => el.getAttribute('aria-label') === label);
  if (!b) throw new Error(`no button "${label}"`);
  return b;
};
const searchBox = () => root.el.querySelector<HTMLInputElement>('input[type="search"]')!;
async function type(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  await act(() => {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await settle();
}
async function key(el: HTMLElement, k: string) {
  await act(() => {
    el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
  });
  await settle();
}

/** Open the editor of the memory with this text and type `value` into it; returns the field. */
async function editTo(text: string, value: string): Promise<HTMLTextAreaElement> {
  await act(() => {
    button(`Edit "${text}"`).click();
  });
  await settle();
  const field = root.el.querySelector<HTMLTextAreaElement>('textarea')!;
  await type(field, value);
  return field;
}

describe('searching memories in the popup', () => {
  it('shows only the matches, says how many, and shows everything again when cleared', async () => {
    const b = backend();
    await show(b);
    expect(searchBox().getAttribute('aria-label')).toBe('Search memories');

    await type(searchBox(), 'dog walks');
    expect(b.search).toHaveBeenLastCalledWith('dog walks');
    expect(texts()).toEqual(['My dog is called Max']);
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe('1 match for “dog walks”');

    await type(searchBox(), 'quantum physics');
    expect(texts()).toEqual([]);
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe('No memory matches “quantum physics”');

    await type(searchBox(), '');
    expect(texts()).toEqual(['I live in Berlin', "I'm vegetarian", 'My dog is called Max']);
    expect(root.el.querySelector('[data-testid="memory-count"]')?.textContent).toBe('3 memories');
  });

  it('shows the answer to the latest search when an earlier one answers last', async () => {
    const b = backend();
    let answerFirst: (v: MemoryView[]) => void = () => undefined;
    b.search.mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)));
    await show(b);
    await type(searchBox(), 'Ber');
    await type(searchBox(), 'vegetarian');
    answerFirst(initial().slice(0, 1));
    await settle();
    expect(texts()).toEqual(["I'm vegetarian"]);
  });
});

describe('editing a memory in the popup', () => {
  it('saves the correction with Enter, in the list and in the backend', async () => {
    const b = backend();
    await show(b);
    await act(() => { button('Edit "I live in Berlin"').click(); });
    await settle();
    const field = root.el.querySelector<HTMLTextAreaElement>('textarea')!;
    expect(field.getAttribute('aria-label')).toBe('Edit "I live in Berlin"');
    expect(field.value).toBe('I live in Berlin');
    expect(document.activeElement).toBe(field);

    await type(field, 'I live in Munich');
    await key(field, 'Enter');
    expect(b.edit).toHaveBeenCalledWith('m1', 'I live in Munich');
    expect(texts()).toEqual(['I live in Munich', "I'm vegetarian", 'My dog is called Max']);
    expect(root.el.querySelector('textarea')).toBeNull();
  });

  it('keeps the old text when the user presses Escape', async () => {
    const b = backend();
    await show(b);
    const field = await editTo("I'm vegetarian", 'I eat everything');
    await key(field, 'Escape');
    expect(b.edit).not.toHaveBeenCalled();
    expect(texts()).toContain("I'm vegetarian");
  });

  it('refuses an empty memory with a clear message, and keeps the editor open', async () => {
    const b = backend();
    await show(b);
    const field = await editTo('My dog is called Max', '   ');
    await key(field, 'Enter');
    expect(b.edit).not.toHaveBeenCalled();
    expect(root.el.querySelector('[role="alert"]')?.textContent).toMatch(/cannot be empty.*Forget/);
    expect(root.el.querySelector('textarea')).not.toBeNull();
  });

  it('shows the backend’s error and keeps the text when saving fails', async () => {
    const b = backend();
    b.edit.mockImplementationOnce(() => Promise.reject(new Error('Engram: the disk is full')));
    await show(b);
    const field = await editTo('I live in Berlin', 'I live in Munich');
    await key(field, 'Enter');
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Engram: the disk is full');
    expect(root.el.querySelector<HTMLTextAreaElement>('textarea')?.value).toBe('I live in Munich');
    expect(b.rows[0]?.text).toBe('I live in Berlin');
  });
});

describe('pinning a memory in the popup', () => {
  it('marks it pinned, puts it first, and unpins it again', async () => {
    const b = backend();
    await show(b);
    const pin = button('Pin "My dog is called Max"');
    expect(pin.getAttribute('aria-pressed')).toBe('false');
    await act(() => { pin.click(); });
    await settle();
    expect(b.pin).toHaveBeenCalledWith('m3', true);
    expect(texts()[0]).toBe('My dog is called Max');
    expect(button('Pin "My dog is called Max"').getAttribute('aria-pressed')).toBe('true');
    expect(root.el.querySelector('.memory.pinned .memory-meta')?.textContent).toMatch(/^Pinned/);

    await act(() => { button('Pin "My dog is called Max"').click(); });
    await settle();
    expect(b.pin).toHaveBeenLastCalledWith('m3', false);
    expect(button('Pin "My dog is called Max"').getAttribute('aria-pressed')).toBe('false');
  });
});

describe('"About you" in the popup', () => {
  it('shows the profile and the entities mentioned; an entity shows its memories', async () => {
    const b = {
      ...backend(),
      about: vi.fn<NonNullable<MemoryBackend['about']>>(() =>
        Promise.resolve({
          profile: [initial()[1]!, initial()[0]!],
          entities: [
            { name: 'Max', memories: 1 },
            { name: 'Berlin', memories: 1 },
          ],
        }),
      ),
    };
    await show(b);
    const profile = root.el.querySelector('[data-testid="profile"]');
    expect([...profile!.querySelectorAll('li')].map((li) => li.textContent)).toEqual(["I'm vegetarian", 'I live in Berlin']);
    expect(root.el.querySelector('#about-title')?.textContent).toBe('About you');

    await act(() => { button('Show memories about Max (1 memory)').click(); });
    await settle();
    expect(b.search).toHaveBeenLastCalledWith('Max');
    expect(searchBox().value).toBe('Max');
    expect(texts()).toEqual(['My dog is called Max']);
    expect(root.el.querySelector('[data-testid="profile"]')).toBeNull(); // the results take its place

    // It follows changes: after an edit it is asked again.
    await type(searchBox(), '');
    const calls = b.about.mock.calls.length;
    const field = await editTo('I live in Berlin', 'I live in Munich');
    await key(field, 'Enter');
    expect(b.about.mock.calls.length).toBe(calls + 1);
  });

  it('keeps the list usable when the profile cannot be loaded', async () => {
    await show({ ...backend(), about: () => Promise.reject(new Error('busy')) });
    expect(texts()).toHaveLength(3);
    expect(root.el.querySelector('[data-testid="profile"]')).toBeNull();
    expect(root.el.querySelector('[role="alert"]')).toBeNull();
  });
});
