// @vitest-environment happy-dom
/**
 * The memory manager (popup and options page) over a stand-in for the background that answers the
 * manager's messages as the background does: pages of a filtered list, facets, details with history,
 * delete with an undo token, move to a space. What the user does, and what is asked of the background.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryEntry, MemoryFacets, MemoryFilter, MemoryPageRequest, MemoryView } from '../../src/core/types';
import { UNDO_WINDOW_MS, type MemoryDetail, type MemorySelection } from '../../src/messaging/protocol';
import { createMemoryListStore, PAGE_SIZE, type MemoryBackend, type MemoryListStore } from '../../src/ui/memory-list-store';
import { MemoryManager } from '../../src/ui/memory-manager';
import { highlight } from '../../src/ui/highlight';
import { RowHeights } from '../../src/ui/row-heights';
import { settle, useContainer } from '../support/dom';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 12);

/**
 * The background's manager, in memory: every filter of MemoryFilter, pinned first then newest
 * first, a search that keeps the memories naming a word of it, a revision bumped by every change,
 * deletes kept aside under an undo token, history recorded by edits.
 */
function fakeBackground(initial: MemoryView[], options: { related?: boolean } = {}) {
  let rows = initial.map((r) => ({ ...r }));
  let revision = 1;
  const history = new Map<string, HistoryEntry[]>();
  const undo = new Map<string, MemoryView[]>();
  const created = new Set<string>();
  const words = (t: string): string[] => t.toLowerCase().match(/\p{L}+/gu) ?? [];
  const holds = (m: MemoryView, f: MemoryFilter): boolean =>
    (f.site === undefined || (m.site ?? 'none') === f.site) &&
    (f.space === undefined || (f.space === '' ? !m.space : m.space === f.space || (m.space ?? '').startsWith(`${f.space}/`))) &&
    (f.scope === undefined || (m.scope ?? 'user') === f.scope) &&
    (f.category === undefined || (m.categories ?? []).includes(f.category)) &&
    (f.from === undefined || m.createdAt >= f.from) &&
    (f.to === undefined || m.createdAt < f.to) &&
    (f.pinned === undefined || (m.pinned ?? false) === f.pinned);
  const matching = (f: MemoryFilter): MemoryView[] => {
    const kept = rows.filter((m) => holds(m, f)).sort((a, b) => Number(b.pinned ?? false) - Number(a.pinned ?? false) || b.createdAt - a.createdAt);
    if (!f.text) return kept;
    const wanted = words(f.text).filter((w) => w.length > 2);
    const named = kept.filter((m) => words(m.text).some((w) => wanted.includes(w))).map((m) => ({ ...m, matched: true }));
    if (named.length > 0 || !options.related) return named;
    return kept.slice(0, 1).map((m) => ({ ...m, matched: false }));
  };
  const select = (s: MemorySelection): MemoryView[] => ('ids' in s ? rows.filter((m) => s.ids.includes(m.id)) : matching(s.filter));
  const changed = (): void => {
    revision++;
  };

  const backend = {
    list: vi.fn<MemoryBackend['list']>(() => Promise.resolve(matching({}))),
    remove: vi.fn<MemoryBackend['remove']>(() => Promise.reject(new Error('the manager forgets through deleteMemories'))),
    page: vi.fn(({ filter, offset, limit }: MemoryPageRequest) => {
      const all = matching(filter);
      return Promise.resolve({ total: all.length, items: all.slice(offset, offset + limit).map((m) => ({ ...m })), revision });
    }),
    facets: vi.fn((): Promise<MemoryFacets> => {
      const count = <K extends string>(keys: K[]) => [...new Set(keys)].map((k) => ({ key: k, count: keys.filter((x) => x === k).length }));
      return Promise.resolve({
        total: rows.length,
        sites: count(rows.map((m) => m.site ?? 'none')).map(({ key, count: n }) => ({ site: key, count: n })),
        spaces: count(rows.map((m) => m.space ?? '')).map(({ key, count: n }) => ({ space: key, count: n })),
        categories: count(rows.flatMap((m) => m.categories ?? [])).map(({ key, count: n }) => ({ category: key, count: n })),
        scopes: count(rows.map((m) => m.scope ?? 'user')).map(({ key, count: n }) => ({ scope: key, count: n })),
      });
    }),
    detail: vi.fn((id: string): Promise<MemoryDetail> => {
      const memory = rows.find((m) => m.id === id);
      if (!memory) return Promise.reject(new Error('no such memory'));
      return Promise.resolve({
        memory: { ...memory },
        history: history.get(id) ?? [{ memoryId: id, event: 'ADD', oldText: null, newText: memory.text, at: memory.createdAt }],
        injections: [],
        conversationUrl: memory.site === 'claude' && memory.conversationId ? `https://claude.ai/chat/${memory.conversationId}` : null,
      });
    }),
    removeMany: vi.fn((selection: MemorySelection) => {
      const gone = select(selection);
      rows = rows.filter((m) => !gone.includes(m) && !gone.some((g) => g.id === m.id));
      const token = `undo-${undo.size + 1}`;
      undo.set(token, gone);
      changed();
      return Promise.resolve({ deleted: gone.length, undo: token });
    }),
    undo: vi.fn((token: string) => {
      const back = undo.get(token) ?? [];
      undo.delete(token);
      rows.push(...back);
      changed();
      return Promise.resolve({ restored: back.length });
    }),
    move: vi.fn((selection: MemorySelection, space: string | null) => {
      const moved = select(selection).map((m) => m.id);
      rows = rows.map((m) => (moved.includes(m.id) ? { ...m, space } : m));
      changed();
      return Promise.resolve({ moved: moved.length });
    }),
    spaces: vi.fn(() =>
      Promise.resolve(
        [...new Set([...created, ...rows.flatMap((m) => (m.space ? [m.space] : []))])].sort().map((path) => ({ path, memories: rows.filter((m) => m.space === path).length })),
      ),
    ),
    edit: vi.fn((id: string, text: string) => {
      const row = rows.find((m) => m.id === id);
      if (!row) return Promise.reject(new Error('no such memory'));
      history.set(id, [
        ...(history.get(id) ?? [{ memoryId: id, event: 'ADD' as const, oldText: null, newText: row.text, at: row.createdAt }]),
        { memoryId: id, event: 'UPDATE', oldText: row.text, newText: text, at: NOW, reason: 'you edited it', correction: false },
      ]);
      row.text = text;
      changed();
      return Promise.resolve({ ...row });
    }),
    pin: vi.fn((id: string, pinned: boolean) => {
      const row = rows.find((m) => m.id === id)!;
      row.pinned = pinned;
      changed();
      return Promise.resolve({ ...row });
    }),
    addSpace(path: string) {
      created.add(path);
    },
    get rows() {
      return rows;
    },
  } satisfies MemoryBackend & Record<string, unknown>;
  return backend;
}

const memory = (i: number, extra: Partial<MemoryView> = {}): MemoryView => ({
  id: `m${i}`,
  text: `Fact number ${i}`,
  site: 'chatgpt',
  createdAt: NOW - i * 60_000,
  ...extra,
});

const FEW: MemoryView[] = [
  memory(1, { text: 'My dog is called Max', site: 'claude', space: 'home', categories: ['pets'], conversationId: 'c1' }),
  memory(2, { text: 'I live in Berlin', site: 'chatgpt', space: 'home', scope: 'user', categories: ['places'] }),
  memory(3, { text: 'I lead the Atlas project', site: 'chatgpt', space: 'work/atlas', scope: 'agent', categories: ['work'] }),
  memory(4, { text: 'Standup is at nine', site: null, createdAt: NOW - 40 * DAY, scope: 'session' }),
  memory(5, { text: 'I prefer tea to coffee', site: 'claude', createdAt: Date.UTC(2025, 5, 1), pinned: true }),
];

const root = useContainer();
afterEach(() => {
  vi.useRealTimers();
});

async function show(backend: MemoryBackend, options: { now?: () => number } = {}): Promise<MemoryListStore> {
  const store = createMemoryListStore(backend, { now: options.now ?? (() => NOW) });
  await act(() => {
    render(<MemoryManager store={store} />, root.el);
  });
  await act(() => store.load());
  await settle();
  return store;
}

const rows = () => [...root.el.querySelectorAll<HTMLLIElement>('[data-testid="memory"]')];
const texts = () => rows().map((li) => li.querySelector('.memory-text')?.textContent);
const count = () => root.el.querySelector('[data-testid="memory-count"]')?.textContent;
const scroller = () => root.el.querySelector<HTMLDivElement>('.virtual-scroller')!;
const labelled = (text: string): HTMLElement => {
  const label = [...root.el.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  return root.el.querySelector<HTMLElement>(`[id="${label.htmlFor}"]`)!;
};
const byLabel = (text: string): HTMLSelectElement => labelled(text) as HTMLSelectElement;
const button = (name: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => (el.getAttribute('aria-label') ?? el.textContent.trim()) === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
const checkbox = (name: string): HTMLInputElement => {
  const box = [...root.el.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((el) => el.getAttribute('aria-label') === name);
  if (!box) throw new Error(`no checkbox "${name}"`);
  return box;
};
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}
async function choose(select: HTMLSelectElement, value: string) {
  await act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await settle();
}
async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await settle();
}
async function key(el: HTMLElement, name: string) {
  await act(() => {
    el.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true }));
  });
  await settle();
}
const lastFilter = (b: ReturnType<typeof fakeBackground>): MemoryFilter => b.page.mock.calls.at(-1)![0].filter;

describe('the list at 100,000 memories', () => {
  const many = Array.from({ length: 100_000 }, (_, i) => memory(i));

  it('shows only a window of rows, with their place in the whole list, from one page', async () => {
    const b = fakeBackground(many);
    await show(b);
    expect(count()).toBe(`${(100_000).toLocaleString()} memories`);
    expect(count()).toMatch(/^100.000 memories$/);
    const shown = rows();
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(40);
    expect(shown[0]!.getAttribute('aria-posinset')).toBe('1');
    expect(shown[0]!.getAttribute('aria-setsize')).toBe('100000');
    expect(texts()[0]).toBe('Fact number 0');
    // One page asked for, never the whole list.
    expect(b.page).toHaveBeenCalledTimes(1);
    expect(b.page).toHaveBeenCalledWith({ filter: {}, offset: 0, limit: PAGE_SIZE });
    expect(b.list).not.toHaveBeenCalled();
    expect(root.el.querySelector('ul.virtual-list')?.getAttribute('aria-label')).toBe('Memories');
  });

  it('asks for the page under the view when the list scrolls, and shows its rows', async () => {
    const b = fakeBackground(many);
    await show(b);
    const list = root.el.querySelector<HTMLElement>('ul.virtual-list')!;
    const rowHeight = 84; // the estimate, as nothing is measured in this DOM
    await act(() => {
      scroller().scrollTop = 50_000 * rowHeight;
      scroller().dispatchEvent(new Event('scroll'));
    });
    await settle();
    const offsets = b.page.mock.calls.map(([request]) => request.offset);
    expect(offsets).toContain(49_900);
    expect(offsets).toContain(50_000);
    expect(offsets).not.toContain(100);
    const first = rows()[0]!;
    const index = Number(first.getAttribute('aria-posinset')) - 1;
    expect(index).toBeGreaterThan(49_900);
    expect(index).toBeLessThanOrEqual(50_000);
    expect(first.querySelector('.memory-text')?.textContent).toBe(`Fact number ${index}`);
    expect(rows().length).toBeLessThan(40);
    // The space of the rows above and below is kept, so the scroll bar is the whole list's.
    expect(parseFloat(list.style.paddingTop)).toBe(index * rowHeight);
    expect(parseFloat(list.style.paddingBottom)).toBeGreaterThan(0);
  });

  it('moves the focus from row to row with the arrow keys, and to the last with End', async () => {
    const b = fakeBackground(many);
    await show(b);
    const [first, second] = rows();
    expect(first!.tabIndex).toBe(0);
    expect(second!.tabIndex).toBe(-1);
    await act(() => {
      first!.focus();
    });
    await key(first!, 'ArrowDown');
    expect(document.activeElement).toBe(rows()[1]);
    expect(rows()[1]!.tabIndex).toBe(0);
    await key(rows()[1]!, 'End');
    await settle();
    expect(b.page.mock.calls.map(([r]) => r.offset)).toContain(99_900);
    expect((document.activeElement as HTMLElement).getAttribute('aria-posinset')).toBe('100000');
    expect(document.activeElement?.querySelector('.memory-text')?.textContent).toBe('Fact number 99999');
  });
});

describe('the search', () => {
  it('asks the background with the text, marks the words it names, and says when nothing matches', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    const search = root.el.querySelector<HTMLInputElement>('input[type="search"]')!;
    expect(search.getAttribute('aria-label')).toBe('Search memories');
    await type(search, 'my dog');
    expect(lastFilter(b)).toEqual({ text: 'my dog' });
    expect(texts()).toEqual(['My dog is called Max']);
    expect(count()).toBe('1 match for “my dog”');
    expect([...rows()[0]!.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['dog']);
    expect(root.el.querySelector('ul.virtual-list')?.getAttribute('aria-label')).toBe('Search results');

    await type(search, 'quantum physics');
    expect(texts()).toEqual([]);
    expect(count()).toBe('No memory matches “quantum physics”');
  });

  it('says so when no memory mentions the search, and shows what is related unmarked', async () => {
    const b = fakeBackground(FEW, { related: true });
    await show(b);
    await type(root.el.querySelector<HTMLInputElement>('input[type="search"]')!, 'Where is my sister?');
    expect(count()).toBe('No memory mentions “Where is my sister?”; perhaps related:');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.querySelector('mark')).toBeNull();
  });
});

describe('the filters', () => {
  it('offer what is in use, with counts, and each sends its MemoryFilter', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    const site = byLabel('Site');
    expect([...site.options].map((o) => o.textContent)).toEqual(['All sites', 'Claude (2)', 'ChatGPT (2)', 'No site (typed in) (1)']);

    await choose(site, 'v:claude');
    expect(lastFilter(b)).toEqual({ site: 'claude' });
    expect(texts()).toEqual(['I prefer tea to coffee', 'My dog is called Max']); // pinned first
    expect(count()).toBe('2 memories match these filters');
    await choose(site, 'none');
    expect(lastFilter(b)).toEqual({ site: 'none' });
    expect(texts()).toEqual(['Standup is at nine']);
    await choose(site, 'any');
    expect(lastFilter(b)).toEqual({});

    await choose(byLabel('Space'), 'v:work/atlas');
    expect(lastFilter(b)).toEqual({ space: 'work/atlas' });
    await choose(byLabel('Space'), 'none');
    expect(lastFilter(b)).toEqual({ space: '' });
    await choose(byLabel('Space'), 'any');

    await choose(byLabel('Scope'), 'v:agent');
    expect(lastFilter(b)).toEqual({ scope: 'agent' });
    expect(texts()).toEqual(['I lead the Atlas project']);
    await choose(byLabel('Scope'), 'any');

    await choose(byLabel('Category'), 'v:pets');
    expect(lastFilter(b)).toEqual({ category: 'pets' });
    await choose(byLabel('Category'), 'any');

    await choose(byLabel('Date'), 'week');
    expect(lastFilter(b)).toEqual({ from: NOW - 7 * DAY });
    expect(texts()).not.toContain('Standup is at nine');
    await choose(byLabel('Date'), 'month');
    expect(lastFilter(b)).toEqual({ from: NOW - 30 * DAY });
    await choose(byLabel('Date'), 'year');
    expect(lastFilter(b)).toEqual({ from: new Date(new Date(NOW).getFullYear(), 0, 1).getTime() });
    await choose(byLabel('Date'), 'any');
    expect(lastFilter(b)).toEqual({});

    await click(labelled('Pinned only'));
    expect(lastFilter(b)).toEqual({ pinned: true });
    expect(texts()).toEqual(['I prefer tea to coffee']);
  });

  it('combine with the search and with each other, and "Clear filters" removes them all', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    await choose(byLabel('Site'), 'v:chatgpt');
    await choose(byLabel('Space'), 'v:home');
    await type(root.el.querySelector<HTMLInputElement>('input[type="search"]')!, 'Berlin');
    expect(lastFilter(b)).toEqual({ site: 'chatgpt', space: 'home', text: 'Berlin' });
    expect(texts()).toEqual(['I live in Berlin']);

    await choose(byLabel('Scope'), 'v:session');
    expect(count()).toBe('No memory matches “Berlin”');
    await click(button('Clear filters'));
    expect(lastFilter(b)).toEqual({ text: 'Berlin' });
    expect(byLabel('Site').value).toBe('any');
  });
});

describe('forgetting and undoing', () => {
  it('forgets one memory at once, offers Undo, and Undo puts it back', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    expect(count()).toBe('5 memories');
    await click(button('Forget "I live in Berlin"'));
    expect(b.removeMany).toHaveBeenCalledWith({ ids: ['m2'] });
    expect(texts()).not.toContain('I live in Berlin');
    expect(count()).toBe('4 memories');
    const toast = root.el.querySelector('[data-testid="toast"]')!;
    expect(toast.getAttribute('aria-live')).toBe('polite');
    expect(toast.textContent).toContain('Forgot “I live in Berlin”.');

    await click(button('Undo'));
    expect(b.undo).toHaveBeenCalledWith('undo-1');
    expect(texts()).toContain('I live in Berlin');
    expect(count()).toBe('5 memories');
    expect(toast.textContent).toContain('Put back 1 memory.');
    expect(root.el.querySelector('[data-testid="toast"] button')).toBeNull();
  });

  it('keeps the Undo offer for UNDO_WINDOW_MS only', async () => {
    const b = fakeBackground(FEW);
    const store = createMemoryListStore(b);
    await store.load();
    vi.useFakeTimers();
    await store.remove('m1');
    expect(store.undoable.value?.message).toBe('Forgot “My dog is called Max”.');
    vi.advanceTimersByTime(UNDO_WINDOW_MS - 1);
    expect(store.undoable.value).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(store.undoable.value).toBeNull();
    store.dispose();
  });

  it('puts the memory back and says why when the background cannot forget it', async () => {
    const b = fakeBackground(FEW);
    b.removeMany.mockImplementationOnce(() => Promise.reject(new Error('Database is locked')));
    await show(b);
    await click(button('Forget "I live in Berlin"'));
    expect(texts()).toContain('I live in Berlin');
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Database is locked');
    expect(root.el.querySelector('[data-testid="toast"] button')).toBeNull();
  });
});

describe('bulk actions', () => {
  it('"Select all that match" forgets the filtered set by its filter, undoably', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    await choose(byLabel('Site'), 'v:claude');
    await click(labelled('Select all that match'));
    expect(root.el.querySelector('[role="group"]')?.textContent).toContain('All 2 memories that match are selected');
    // Each row shows it is selected, and is not changed on its own meanwhile.
    expect(rows().every((li) => li.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked)).toBe(true);
    expect(rows().every((li) => li.querySelector<HTMLInputElement>('input[type="checkbox"]')!.disabled)).toBe(true);

    await click(button('Forget selected'));
    expect(b.removeMany).toHaveBeenCalledWith({ filter: { site: 'claude' } });
    expect(b.rows.map((m) => m.id).sort()).toEqual(['m2', 'm3', 'm4']);
    expect(texts()).toEqual([]);
    expect(root.el.querySelector('[data-testid="toast"]')?.textContent).toContain('Forgot 2 memories.');

    await click(button('Undo'));
    expect(b.rows).toHaveLength(5);
    expect(texts()).toEqual(['I prefer tea to coffee', 'My dog is called Max']);
  });

  it('forgets the ticked memories by their ids', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    await click(checkbox('Select "I live in Berlin"'));
    await click(checkbox('Select "Standup is at nine"'));
    expect(root.el.querySelector('[role="group"]')?.getAttribute('aria-label')).toBe('Selected memories');
    expect(root.el.querySelector('.bulk-count')?.textContent).toBe('2 selected');
    await click(button('Forget selected'));
    expect(b.removeMany).toHaveBeenCalledWith({ ids: ['m2', 'm4'] });
    expect(texts()).toEqual(['I prefer tea to coffee', 'My dog is called Max', 'I lead the Atlas project']);
    expect(count()).toBe('3 memories');
  });

  it('moves the ticked memories to a space', async () => {
    const b = fakeBackground(FEW);
    b.addSpace('work');
    await show(b);
    await click(checkbox('Select "I live in Berlin"'));
    await click(checkbox('Select "My dog is called Max"'));
    const target = byLabel('Move selected to');
    expect([...target.options].map((o) => o.value)).toEqual(['', 'home', 'work', 'work/atlas']);
    await choose(target, 'work');
    await click(button('Move selected'));
    expect(b.move).toHaveBeenCalledWith({ ids: ['m2', 'm1'] }, 'work');
    expect(b.rows.filter((m) => m.space === 'work').map((m) => m.id).sort()).toEqual(['m1', 'm2']);
    expect(root.el.querySelector('[role="group"]')).toBeNull(); // the selection is done
    expect(root.el.querySelector('[data-testid="toast"]')?.textContent).toContain('Moved 2 memories to work.');
    expect(rows().find((li) => li.textContent.includes('Berlin'))?.querySelector('.memory-meta')?.textContent).toContain('in work');
  });
});

describe('a memory’s details', () => {
  it('show where it came from, its history after an edit (old → new, and why), and move it to a space', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    // Edit in place.
    await click(button('Edit "My dog is called Max"'));
    const field = root.el.querySelector<HTMLTextAreaElement>('textarea')!;
    await act(() => {
      field.value = 'My dog is called Rex';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await key(field, 'Enter');
    expect(b.edit).toHaveBeenCalledWith('m1', 'My dog is called Rex');
    expect(texts()).toContain('My dog is called Rex');

    const details = button('Details of "My dog is called Rex"');
    expect(details.getAttribute('aria-expanded')).toBe('false');
    await click(details);
    expect(details.getAttribute('aria-expanded')).toBe('true');
    expect(b.detail).toHaveBeenCalledWith('m1');
    const panel = root.el.querySelector<HTMLElement>('[data-testid="memory-detail"]')!;
    expect(details.getAttribute('aria-controls')).toBe(panel.id);
    expect(panel.textContent).toContain('Said on Claude');
    expect(panel.querySelector('a')?.getAttribute('href')).toBe('https://claude.ai/chat/c1');
    expect(panel.querySelector('a')?.getAttribute('aria-label')).toBe('Open the conversation on Claude');
    const entries = [...panel.querySelectorAll('[data-testid="history-entry"]')];
    expect(entries).toHaveLength(2);
    expect(entries[0]!.textContent).toContain('Remembered');
    expect(entries[1]!.textContent).toContain('Changed, because you edited it');
    expect(entries[1]!.querySelector('del')?.textContent).toBe('Before: My dog is called Max');
    expect(entries[1]!.querySelector('ins')?.textContent).toBe('After: My dog is called Rex');
    expect(panel.textContent).toContain('Not sent with any prompt yet.');

    // Move it to another space.
    const space = byLabel('Move to space');
    expect(space.value).toBe('home');
    await choose(space, 'work/atlas');
    await click(button('Move "My dog is called Rex"'));
    expect(b.move).toHaveBeenCalledWith({ ids: ['m1'] }, 'work/atlas');
    expect(b.rows.find((m) => m.id === 'm1')?.space).toBe('work/atlas');
  });

  it('pins a memory, which then leads the list', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    await click(button('Pin "I lead the Atlas project"'));
    expect(b.pin).toHaveBeenCalledWith('m3', true);
    expect(texts().slice(0, 2)).toEqual(['I lead the Atlas project', 'I prefer tea to coffee']);
    expect(button('Pin "I lead the Atlas project"').getAttribute('aria-pressed')).toBe('true');
  });
});

describe('loading', () => {
  it('keeps the list’s place with placeholder rows until the first page comes', async () => {
    let answer: () => void = () => undefined;
    const b = fakeBackground(FEW);
    const real = b.page.getMockImplementation()!;
    b.page.mockImplementationOnce((request) => new Promise((resolve) => (answer = () => void real(request).then(resolve))));
    const store = createMemoryListStore(b);
    await act(() => {
      render(<MemoryManager store={store} />, root.el);
    });
    const loading = act(() => store.load());
    await settle();
    expect(root.el.textContent).toContain('Loading memories…');
    expect(root.el.querySelectorAll('.skeleton')).toHaveLength(3);
    expect(root.el.querySelector('.placeholder')?.getAttribute('aria-hidden')).toBe('true');
    // The search and the filters are in their places already (disabled until their values come).
    expect(root.el.querySelector('input[type="search"]')).not.toBeNull();
    expect(root.el.querySelector<HTMLFieldSetElement>('[data-testid="filters"]')?.disabled).toBe(true);
    answer();
    await loading;
    await settle();
    expect(root.el.querySelector('.skeleton')).toBeNull();
    expect(rows()).toHaveLength(5);
    expect(root.el.querySelector<HTMLFieldSetElement>('[data-testid="filters"]')?.disabled).toBe(false);
  });
});

describe('the keyboard after a change', () => {
  it('puts the focus on the next memory when the focused one is forgotten', async () => {
    const b = fakeBackground(FEW);
    await show(b);
    const forget = button('Forget "I live in Berlin"');
    await act(() => {
      forget.focus();
    });
    await click(forget);
    expect(texts()).not.toContain('I live in Berlin');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('memory');
    expect(document.activeElement?.querySelector('.memory-text')?.textContent).toBe('I lead the Atlas project');
  });
});

describe('RowHeights', () => {
  it('places rows by their measured heights, the estimate standing in for the others', () => {
    const h = new RowHeights(100_000, 80);
    expect(h.total).toBe(8_000_000);
    h.set(0, 120);
    h.set(2, 40);
    expect(h.offsetOf(1)).toBe(120);
    expect(h.offsetOf(3)).toBe(240);
    expect(h.total).toBe(8_000_000 + 40 - 40);
    expect(h.indexAt(0)).toBe(0);
    expect(h.indexAt(119)).toBe(0);
    expect(h.indexAt(120)).toBe(1);
    expect(h.indexAt(230)).toBe(2);
    expect(h.indexAt(1e12)).toBe(99_999);
    expect(h.set(2, 40.2)).toBe(0); // no change worth a render
  });

  it('keeps the heights it measured when rows are added or removed', () => {
    const h = new RowHeights(10, 50);
    h.set(1, 70);
    h.set(9, 90);
    const shorter = new RowHeights(9, 50, h);
    expect(shorter.heightOf(1)).toBe(70);
    expect(shorter.total).toBe(9 * 50 + 20);
  });
});

describe('highlight', () => {
  it('marks the words of the search, and their plurals, leaving common words alone', () => {
    const marked = (text: string, query: string) => highlight(text, query).filter((s) => s.mark).map((s) => s.text);
    expect(marked('My dog is called Max', 'my dogs')).toEqual(['dog']);
    expect(marked('I live in Berlin', 'Where do I live?')).toEqual(['live']);
    expect(marked('Max and Maxine', 'max')).toEqual(['Max']);
    expect(marked('She lives here; I lived there; living is good', 'live')).toEqual(['lives', 'lived', 'living']);
    expect(marked('Walks and walking', 'walk')).toEqual(['Walks', 'walking']);
    expect(highlight('Nothing here', '')).toEqual([{ text: 'Nothing here', mark: false }]);
    expect(highlight('a b', 'the')).toEqual([{ text: 'a b', mark: false }]);
    expect(highlight('Berlin, Berlin!', 'berlin').map((s) => s.text).join('')).toBe('Berlin, Berlin!');
  });
});
