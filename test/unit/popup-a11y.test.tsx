// @vitest-environment happy-dom
/**
 * Accessibility of the popup with the memory manager in each state a user reaches: axe-core's
 * WCAG 2.1 A/AA rules that need no layout (names, labels, roles, list structure, nested interactive
 * elements, ARIA attributes) — the list with filters, a search with marked words, a selection, a
 * memory's details and its editor open, the Undo offer and the "Forget everything" confirmation.
 */
import axe from 'axe-core';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL, parseControl } from '../../src/core/control';
import type { MemoryView } from '../../src/core/types';
import { createControlStore, type ControlBackend } from '../../src/ui/control-store';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { PopupApp } from '../../src/ui/popup-app';
import { settle, useContainer } from '../support/dom';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function violations(el: HTMLElement): Promise<string[]> {
  // No CSS selectors in the report: happy-dom cannot parse axe's escaped quotes.
  const result = await axe.run(el, { runOnly: { type: 'tag', values: WCAG }, selectors: false });
  expect(result.passes.map((p) => p.id)).toEqual(expect.arrayContaining(['button-name', 'label', 'list', 'listitem', 'nested-interactive', 'aria-allowed-attr']));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
}

const ROWS: MemoryView[] = [
  { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14), space: 'home', categories: ['places'] },
  { id: 'm2', text: 'My dog is called Max', site: 'claude', createdAt: Date.UTC(2026, 1, 13), pinned: true, conversationId: 'c1' },
  { id: 'm3', text: 'I lead the Atlas project', site: null, createdAt: Date.UTC(2026, 1, 12), space: 'work/atlas' },
];

/** The background, as far as these views need it: the memories, their facets, details, delete with undo. */
function background(): MemoryBackend {
  let rows = [...ROWS];
  return {
    list: () => Promise.resolve(rows),
    remove: () => Promise.resolve(true),
    search: (q) => Promise.resolve(rows.filter((r) => r.text.toLowerCase().includes(q.toLowerCase())).map((r) => ({ ...r, matched: true }))),
    edit: (id, text) => Promise.resolve({ ...rows.find((r) => r.id === id)!, text }),
    pin: (id, pinned) => Promise.resolve({ ...rows.find((r) => r.id === id)!, pinned }),
    removeMany: (selection) => {
      const ids = 'ids' in selection ? selection.ids : rows.map((r) => r.id);
      rows = rows.filter((r) => !ids.includes(r.id));
      return Promise.resolve({ deleted: ids.length, undo: 'token' });
    },
    undo: () => Promise.resolve({ restored: 1 }),
    move: () => Promise.resolve({ moved: 1 }),
    spaces: () => Promise.resolve([{ path: 'home', memories: 1 }, { path: 'work/atlas', memories: 1 }]),
    facets: () =>
      Promise.resolve({
        total: rows.length,
        sites: [{ site: 'chatgpt', count: 1 }, { site: 'claude', count: 1 }, { site: 'none', count: 1 }],
        spaces: [{ space: 'home', count: 1 }, { space: 'work/atlas', count: 1 }, { space: '', count: 1 }],
        categories: [{ category: 'places', count: 1 }],
        scopes: [{ scope: 'user', count: 3 }],
      }),
    detail: (id) =>
      Promise.resolve({
        memory: rows.find((r) => r.id === id)!,
        history: [
          { memoryId: id, event: 'ADD', oldText: null, newText: 'My dog is called Rex', at: Date.UTC(2026, 1, 1) },
          { memoryId: id, event: 'UPDATE', oldText: 'My dog is called Rex', newText: 'My dog is called Max', at: Date.UTC(2026, 1, 13), reason: 'contradicted by: my dog Max' },
        ],
        injections: [{ id: 1, at: Date.UTC(2026, 1, 14), site: 'claude', conversationId: 'c1', mode: 'review', memories: [{ id, text: 'My dog is called Max' }] }],
        conversationUrl: 'https://claude.ai/chat/c1',
      }),
  };
}

function settings(): ControlBackend {
  let stored = parseControl({ ...DEFAULT_CONTROL, onboarded: false });
  return {
    read: () => Promise.resolve(stored),
    update: (change) => Promise.resolve((stored = parseControl(change(stored)))),
    watch: () => () => undefined,
  };
}

const root = useContainer();
const button = (name: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => (el.getAttribute('aria-label') ?? el.textContent.trim()) === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}

describe('axe on the popup', () => {
  it('finds no violation in the list, a search, a selection, details, editing, Undo and the forget confirmation', async () => {
    await act(() => {
      render(<PopupApp store={createMemoryListStore(background())} control={createControlStore(settings())} currentSite={() => Promise.resolve('claude')} openOptions={() => undefined} />, root.el);
    });
    await settle();
    expect(root.el.querySelector('[data-testid="onboarding"]')).not.toBeNull();
    expect(root.el.querySelector('[data-testid="filters"]')).not.toBeNull();
    expect(await violations(root.el)).toEqual([]);

    const search = root.el.querySelector<HTMLInputElement>('input[type="search"]')!;
    await act(() => {
      search.value = 'dog';
      search.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    expect(root.el.querySelector('mark')?.textContent).toBe('dog');
    await click(button('Details of "My dog is called Max"'));
    expect(root.el.querySelector('[data-testid="history"]')).not.toBeNull();
    expect(await violations(root.el)).toEqual([]);

    await act(() => {
      search.value = '';
      search.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settle();
    const box = [...root.el.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((b) => b.getAttribute('aria-label') === 'Select "I live in Berlin"')!;
    await click(box);
    await click(button('Edit "I lead the Atlas project"'));
    await click(button('Forget everything…'));
    expect(await violations(root.el)).toEqual([]);

    await click(button('Forget selected'));
    expect(root.el.querySelector('[data-testid="toast"]')?.textContent).toContain('Undo');
    expect(await violations(root.el)).toEqual([]);
  });
});
