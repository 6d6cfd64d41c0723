// @vitest-environment happy-dom
/**
 * "Forget everything" in the popup: nothing is forgotten until the user types FORGET and confirms
 * (the field has the focus when asked, and the button stays disabled until the word is typed, so
 * Enter never forgets by accident), and once confirmed the list is empty.
 */
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { MemoryView } from '../../src/core/types';
import type { MemoryBackend } from '../../src/ui/memory-list-store';
import { settle, useContainer } from '../support/dom';
import { showPopup } from '../support/popup';

const rows: MemoryView[] = [
  { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14) },
  { id: 'm2', text: "I'm vegetarian", site: 'claude', createdAt: Date.UTC(2026, 1, 15) },
];

const root = useContainer();
const button = (name: string): HTMLButtonElement | undefined =>
  [...root.el.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent.trim() === name);
/** The confirmation field, found by its label. */
const confirmField = (): HTMLInputElement => {
  const label = [...root.el.querySelectorAll('label')].find((l) => l.textContent.trim() === 'Type FORGET to confirm');
  if (!label) throw new Error('no confirmation field');
  return root.el.querySelector<HTMLInputElement>(`[id="${label.htmlFor}"]`)!;
};
async function typeConfirmation(value: string) {
  await act(() => {
    const field = confirmField();
    field.value = value;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('Forget everything', () => {
  it('asks first, says what goes, and forgets only once confirmed', async () => {
    const list = [...rows];
    const forgetAll = vi.fn(() => {
      list.length = 0;
      return Promise.resolve({ forgotten: true });
    });
    const backend: MemoryBackend = {
      list: vi.fn(() => Promise.resolve([...list])),
      remove: vi.fn(() => Promise.resolve(true)),
      forgetAll,
    };
    await showPopup(root.el, backend);

    await act(() => {
      button('Forget everything…')!.click();
    });
    const dialog = root.el.querySelector('[role="alertdialog"]')!;
    expect(dialog.textContent).toContain('2 memories, their history and any message still waiting to be read are deleted');
    expect(document.activeElement).toBe(confirmField());
    // Not before the word is typed, by click or by Enter.
    expect(button('Forget everything')!.disabled).toBe(true);
    await typeConfirmation('forge');
    expect(button('Forget everything')!.disabled).toBe(true);
    await act(() => {
      confirmField().form!.requestSubmit();
    });
    await settle();
    expect(forgetAll).not.toHaveBeenCalled();

    await act(() => {
      button('Cancel')!.click();
    });
    expect(root.el.querySelector('[role="alertdialog"]')).toBeNull();
    expect(forgetAll).not.toHaveBeenCalled();
    expect(root.el.querySelectorAll('[data-testid="memory"]')).toHaveLength(2);

    await act(() => {
      button('Forget everything…')!.click();
    });
    expect(confirmField().value).toBe(''); // asked again from scratch
    await typeConfirmation(' FORGET ');
    expect(button('Forget everything')!.disabled).toBe(false);
    await act(() => {
      button('Forget everything')!.click();
    });
    await settle();
    expect(forgetAll).toHaveBeenCalledOnce();
    expect(root.el.querySelectorAll('[data-testid="memory"]')).toHaveLength(0);
    expect(root.el.querySelector('[data-testid="forgotten"]')?.textContent).toContain('forgotten everything');
  });

  it('says so, and keeps the list, when forgetting fails', async () => {
    const backend: MemoryBackend = {
      list: () => Promise.resolve([...rows]),
      remove: () => Promise.resolve(true),
      forgetAll: () => Promise.reject(new Error('Engram could not save: the browser says its storage is full.')),
    };
    await showPopup(root.el, backend);
    await act(() => {
      button('Forget everything…')!.click();
    });
    await typeConfirmation('FORGET');
    await act(() => {
      button('Forget everything')!.click();
    });
    await settle();
    expect(root.el.querySelector('[role="alert"]')?.textContent).toContain('storage is full');
    expect(root.el.querySelectorAll('[data-testid="memory"]')).toHaveLength(2);
  });
});
