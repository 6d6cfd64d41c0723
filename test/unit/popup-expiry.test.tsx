// @vitest-environment happy-dom
/**
 * A memory's expiry from the popup: its details hold the expiry control (never, on a date, when its
 * conversation ends); what the user saves goes to the background's `setExpiry` and the row shows
 * the memory as saved; a refusal is said in the details and changes nothing.
 */
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { MemoryView } from '../../src/core/types';
import type { MemoryDetail } from '../../src/messaging/protocol';
import type { ExpiryRequest } from '../../src/messaging/data-protocol';
import type { MemoryBackend } from '../../src/ui/memory-list-store';
import { settle, useContainer } from '../support/dom';
import { showPopup } from '../support/popup';

const at = (d: number): number => Date.UTC(2026, 10, d, 12);

function backend({ refuse = false }: { refuse?: boolean } = {}) {
  const rows: MemoryView[] = [
    { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', conversationId: 'conv-1', createdAt: at(20), expiresAt: null },
    { id: 'm2', text: "I'm vegetarian", site: null, createdAt: at(18), expiresAt: null },
  ];
  const setExpiry = vi.fn<NonNullable<MemoryBackend['setExpiry']>>((request: ExpiryRequest) => {
    if (refuse) return Promise.reject(new Error('the store is locked'));
    const row = rows.find((r) => r.id === request.id)!;
    row.expiresAt = 'untilConversationEnds' in request ? at(30) : request.expiresAt;
    return Promise.resolve({ ...row });
  });
  return {
    rows,
    setExpiry,
    list: vi.fn<MemoryBackend['list']>(() => Promise.resolve(rows.map((r) => ({ ...r })))),
    remove: vi.fn<MemoryBackend['remove']>(() => Promise.resolve(true)),
    detail: vi.fn((id: string): Promise<MemoryDetail> => {
      const memory = rows.find((r) => r.id === id)!;
      return Promise.resolve({ memory: { ...memory }, history: [], injections: [], conversationUrl: null });
    }),
  };
}

const root = useContainer();

const row = (text: string): HTMLElement => {
  const li = [...root.el.querySelectorAll<HTMLElement>('[data-testid="memory"]')].find((el) => el.querySelector('.memory-text')?.textContent === text);
  if (!li) throw new Error(`no row "${text}"`);
  return li;
};
const labelled = (scope: HTMLElement, label: string): HTMLElement => {
  const target = [...scope.querySelectorAll('label')].find((l) => l.textContent === label);
  const el = target ? scope.querySelector<HTMLElement>(`#${CSS.escape(target.htmlFor)}`) : null;
  if (!el) throw new Error(`no field "${label}"`);
  return el;
};
const select = (scope: HTMLElement, label: string): HTMLSelectElement => labelled(scope, label) as HTMLSelectElement;
const buttonIn = (scope: HTMLElement, text: string): HTMLButtonElement => {
  const b = [...scope.querySelectorAll('button')].find((el) => el.textContent === text);
  if (!b) throw new Error(`no button "${text}"`);
  return b;
};
async function openDetails(text: string): Promise<HTMLElement> {
  await act(() => {
    [...row(text).querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === `Details of "${text}"`)!.click();
  });
  await settle();
  return row(text).querySelector<HTMLElement>('[data-testid="memory-detail"]')!;
}
async function choose(select: HTMLSelectElement, value: string): Promise<void> {
  await act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await settle();
}
async function click(button: HTMLButtonElement): Promise<void> {
  await act(() => {
    button.click();
  });
  await settle();
}

describe('a memory’s expiry in the popup', () => {
  it('is set on a date from the memory’s details: the background is asked, the details say when it goes', async () => {
    const b = backend();
    await showPopup(root.el, b);
    const detail = await openDetails('I live in Berlin');
    const expiry = detail.querySelector<HTMLElement>('[data-testid="expiry"]');
    expect(expiry).not.toBeNull();
    const when = select(expiry!, 'Forget this memory');
    expect(when.value).toBe('never');
    expect([...when.options].map((o) => o.value)).toEqual(['never', 'date', 'conversation']);

    await choose(when, 'date');
    const date = labelled(row('I live in Berlin').querySelector('[data-testid="expiry"]')!, 'Date') as HTMLInputElement;
    await act(() => {
      date.value = '2027-01-15';
      date.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    await click(buttonIn(row('I live in Berlin').querySelector('[data-testid="expiry"]')!, 'Save'));

    expect(b.setExpiry).toHaveBeenCalledTimes(1);
    const request = b.setExpiry.mock.calls[0]![0];
    expect(request.id).toBe('m1');
    expect('expiresAt' in request && typeof request.expiresAt === 'number' && new Date(request.expiresAt - 1).toISOString().slice(0, 10)).toBe('2027-01-15');
    // The row holds the memory as saved: the control shows its date, the details say when it goes.
    const after = row('I live in Berlin').querySelector<HTMLElement>('[data-testid="memory-detail"]')!;
    expect(select(after.querySelector('[data-testid="expiry"]')!, 'Forget this memory').value).toBe('date');
    expect(after.querySelector('[data-testid="expiry"]')!.textContent).toMatch(/Forgotten on/);
    expect(after.querySelector('.detail-facts')!.textContent).toMatch(/Forgotten on/);
  });

  it('"when this conversation ends" is offered only for a memory from a conversation, and sent as such', async () => {
    const b = backend();
    await showPopup(root.el, b);
    const plain = await openDetails("I'm vegetarian");
    expect([...select(plain.querySelector('[data-testid="expiry"]')!, 'Forget this memory').options].map((o) => o.value)).toEqual(['never', 'date']);

    const detail = await openDetails('I live in Berlin');
    await choose(select(detail.querySelector('[data-testid="expiry"]')!, 'Forget this memory'), 'conversation');
    await click(buttonIn(row('I live in Berlin').querySelector('[data-testid="expiry"]')!, 'Save'));
    expect(b.setExpiry).toHaveBeenCalledWith({ id: 'm1', untilConversationEnds: true });
  });

  it('a refusal is said in the details; the memory is unchanged', async () => {
    const b = backend({ refuse: true });
    await showPopup(root.el, b);
    const detail = await openDetails('I live in Berlin');
    await choose(select(detail.querySelector('[data-testid="expiry"]')!, 'Forget this memory'), 'conversation');
    await click(buttonIn(row('I live in Berlin').querySelector('[data-testid="expiry"]')!, 'Save'));
    expect(b.setExpiry).toHaveBeenCalledTimes(1);
    const expiry = row('I live in Berlin').querySelector<HTMLElement>('[data-testid="expiry"]')!;
    expect(expiry.textContent).toMatch(/the store is locked/);
    expect(b.rows[0]!.expiresAt).toBeNull();
  });

  it('is not offered where the background cannot set it', async () => {
    const { setExpiry: _unused, ...withoutExpiry } = backend();
    await showPopup(root.el, withoutExpiry);
    const detail = await openDetails('I live in Berlin');
    expect(detail.querySelector('[data-testid="expiry"]')).toBeNull();
  });
});
