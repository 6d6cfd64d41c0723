// @vitest-environment happy-dom
/**
 * The options page over doubles of the settings storage, the background's spaces and memories and
 * the model manager: each section shows the stored settings and writes the user's changes.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTROL, parseControl, type ControlSettings } from '../../src/core/control';
import type { ModelStatus } from '../../src/core/status';
import type { MemoryView, SpaceInfo } from '../../src/core/types';
import { BUNDLED_MODEL, MODELS } from '../../src/engine/models';
import { createControlStore, type ControlBackend } from '../../src/ui/control-store';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { createModelStore } from '../../src/ui/model-store';
import { OptionsApp } from '../../src/ui/options-app';
import { createSpacesStore, type SpacesBackend } from '../../src/ui/spaces-store';
import { settle, useContainer } from '../support/dom';

/** The settings in a stand-in for chrome.storage.local (parsed as the real storage parses them). */
function settingsBackend(initial: Partial<ControlSettings> = {}) {
  let stored = parseControl({ ...DEFAULT_CONTROL, onboarded: true, ...initial });
  return {
    get stored() {
      return stored;
    },
    read: vi.fn<ControlBackend['read']>(() => Promise.resolve(stored)),
    update: vi.fn<ControlBackend['update']>((change) => {
      stored = parseControl(change(stored));
      return Promise.resolve(stored);
    }),
    watch: vi.fn<ControlBackend['watch']>(() => () => undefined),
  };
}

/** The background's spaces: sorted paths; a rename takes the spaces under it along. */
function spacesBackend(initial: string[]) {
  let paths = [...initial];
  const info = (): SpaceInfo[] => [...paths].sort().map((path) => ({ path, memories: path.length % 3 }));
  return {
    list: vi.fn<SpacesBackend['list']>(() => Promise.resolve(info())),
    create: vi.fn<SpacesBackend['create']>((path) => {
      paths.push(path);
      return Promise.resolve(info());
    }),
    rename: vi.fn<SpacesBackend['rename']>((from, to) => {
      paths = paths.map((p) => (p === from ? to : p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p));
      return Promise.resolve(info());
    }),
    remove: vi.fn<SpacesBackend['remove']>((path) => {
      paths = paths.filter((p) => p !== path && !p.startsWith(`${path}/`));
      return Promise.resolve(info());
    }),
    get paths() {
      return paths;
    },
  };
}

const BERLIN: MemoryView = { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14) };

function memoriesBackend(rows: MemoryView[]) {
  let list = [...rows];
  return {
    list: vi.fn<MemoryBackend['list']>(() => Promise.resolve([...list])),
    remove: vi.fn<MemoryBackend['remove']>(() => Promise.resolve(true)),
    forgetAll: vi.fn(() => {
      list = [];
      return Promise.resolve({ forgotten: true });
    }),
  };
}

const root = useContainer();

async function show(options: { settings?: Partial<ControlSettings>; spaces?: string[]; memories?: MemoryView[] } = {}) {
  const settings = settingsBackend(options.settings);
  const spaces = spacesBackend(options.spaces ?? []);
  const memories = memoriesBackend(options.memories ?? [BERLIN]);
  const changed = vi.fn();
  const models = createModelStore({
    status: () => Promise.resolve<ModelStatus>({ active: BUNDLED_MODEL, models: MODELS, job: null }),
    requestHosts: () => Promise.resolve(false),
    switchTo: () => Promise.resolve(),
  });
  await act(() => {
    render(
      <OptionsApp
        control={createControlStore(settings)}
        memories={createMemoryListStore(memories)}
        spaces={createSpacesStore(spaces, changed)}
        models={models}
        sites={['chatgpt', 'claude']}
      />,
      root.el,
    );
  });
  await settle();
  return { settings, spaces, memories, changed };
}

const q = (selector: string): HTMLElement => {
  const el = root.el.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
};
const section = (id: string): HTMLElement => q(`section#${id}`);
/** The control named `text` by its label (its visible text, or what a screen reader reads). */
function labelled(text: string, within: HTMLElement = root.el): HTMLElement {
  const label = [...within.querySelectorAll('label')].find((l) => l.textContent.replace(/\s+/g, ' ').trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  return within.querySelector<HTMLElement>(`[id="${label.htmlFor}"]`)!;
}
const picker = (text: string, within?: HTMLElement): HTMLSelectElement => labelled(text, within) as HTMLSelectElement;
const textField = (text: string, within?: HTMLElement): HTMLInputElement => labelled(text, within) as HTMLInputElement;
const button = (name: string, within: HTMLElement = root.el): HTMLButtonElement => {
  const b = [...within.querySelectorAll('button')].find((el) => (el.getAttribute('aria-label') ?? el.textContent.trim()) === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}
/** Type into a field and leave it (the change is written then). */
async function enter(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
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
async function submit(form: HTMLFormElement) {
  await act(() => {
    form.requestSubmit();
  });
  await settle();
}

describe('the options page', () => {
  it('has a section for each concern, linked from its navigation', async () => {
    await show();
    expect(q('h1').textContent).toBe('Engram settings');
    const nav = q('nav');
    expect(nav.getAttribute('aria-label')).toBe('Sections');
    expect([...nav.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Adding memories to prompts', '#injection'],
      ['Spaces', '#spaces'],
      ['Models', '#models'],
      ['Privacy', '#privacy'],
      ['Your memories', '#memories'],
    ]);
    for (const id of ['injection', 'spaces', 'models', 'privacy', 'memories']) {
      expect(section(id).getAttribute('aria-labelledby')).toBe(`${id}-title`);
    }
    // The same manager as the popup, with more room.
    expect(section('memories').querySelector('[data-testid="memory"] .memory-text')?.textContent).toBe('I live in Berlin');
    expect(section('memories').querySelector('.manager.roomy')).not.toBeNull();
    expect(section('models').querySelector('[data-testid="active-model"]')?.textContent).toContain('Engram GloVe');
  });
});

describe('Injection', () => {
  it('shows the mode, globally and per site, and writes changes', async () => {
    const { settings } = await show({ settings: { sites: { claude: 'off' } } });
    const injection = section('injection');
    expect(picker('How memories are added', injection).value).toBe('review');
    expect(picker('Claude', injection).value).toBe('off');
    await choose(picker('ChatGPT', injection), 'manual');
    expect(settings.stored.sites).toEqual({ chatgpt: 'manual', claude: 'off' });
    await choose(picker('How memories are added', injection), 'automatic');
    expect(settings.stored.mode).toBe('automatic');
  });

  it('shows how many memories and the token budget, and writes a valid change only', async () => {
    const { settings } = await show({ settings: { injection: { topK: 7, budgetTokens: 400, threshold: null } } });
    const topK = textField('Memories per prompt');
    const budget = textField('Token budget');
    expect(topK.value).toBe('7');
    expect(topK.type).toBe('number');
    expect(budget.value).toBe('400');
    expect(q(`[id="${topK.getAttribute('aria-describedby') ?? ''}"]`).textContent).toContain('default 5');

    await enter(topK, '3');
    expect(settings.stored.injection).toEqual({ topK: 3, budgetTokens: 400, threshold: null });
    await enter(budget, '800');
    expect(settings.stored.injection.budgetTokens).toBe(800);

    const writes = settings.update.mock.calls.length;
    await enter(topK, '0');
    expect(settings.update.mock.calls.length).toBe(writes);
    expect(topK.getAttribute('aria-invalid')).toBe('true');
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Memories per prompt must be a number from 1 to 20.');
    await enter(topK, '2.5');
    expect(settings.update.mock.calls.length).toBe(writes);
    await enter(topK, '4');
    expect(settings.stored.injection.topK).toBe(4);
    expect(root.el.querySelector('[role="alert"]')).toBeNull();
  });

  it('shows the calibrated threshold as the default, takes the user’s, and goes back to the default', async () => {
    const { settings } = await show();
    const threshold = textField('Relevance threshold');
    expect(threshold.value).toBe('');
    expect(threshold.placeholder).toBe('Calibrated default (0.365)');
    expect(q('[data-testid="threshold-state"]').textContent).toBe('Using the calibrated default, 0.365.');
    expect(button('Use the calibrated default').disabled).toBe(true);

    await enter(threshold, '0.42');
    expect(settings.stored.injection.threshold).toBe(0.42);
    expect(q('[data-testid="threshold-state"]').textContent).toBe('');
    await click(button('Use the calibrated default'));
    expect(settings.stored.injection.threshold).toBeNull();
    expect(textField('Relevance threshold').value).toBe('');

    await enter(textField('Relevance threshold'), '1.5');
    expect(settings.stored.injection.threshold).toBeNull();
    expect(root.el.querySelector('[role="alert"]')?.textContent).toContain('from 0 to 1');
  });
});

describe('Spaces', () => {
  it('lists the spaces, nested ones under their parent, with their memories', async () => {
    await show({ spaces: ['work/atlas', 'home', 'work'] });
    const items = [...section('spaces').querySelectorAll<HTMLElement>('[data-testid="space"]')];
    expect(items.map((li) => li.querySelector('.space-path')?.textContent)).toEqual(['home', 'work', 'work/atlas']);
    expect(items[2]!.style.paddingInlineStart).toBe('1.25rem');
    expect(items[0]!.style.paddingInlineStart).toBe('0rem');
  });

  it('creates a space, nested with a slash, and refuses an empty name', async () => {
    const { spaces, changed } = await show({ spaces: ['work'] });
    const field = textField('New space');
    await act(() => {
      field.value = ' work / atlas ';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await submit(field.form!);
    expect(spaces.create).toHaveBeenCalledWith('work/atlas');
    expect(spaces.paths).toEqual(['work', 'work/atlas']);
    expect(textField('New space').value).toBe('');
    expect(q('[data-testid="spaces-status"]').textContent).toBe('Created work/atlas.');
    expect(changed).toHaveBeenCalled();

    await act(() => {
      field.value = 'work//';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await submit(field.form!);
    expect(spaces.create).toHaveBeenCalledTimes(1);
    expect(section('spaces').querySelector('[role="alert"]')?.textContent).toMatch(/needs a name/);

    await act(() => {
      field.value = 'work';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await submit(field.form!);
    expect(spaces.create).toHaveBeenCalledTimes(1);
    expect(section('spaces').querySelector('[role="alert"]')?.textContent).toBe('There is already a space called work.');
  });

  it('renames a space (its children follow) and deletes one', async () => {
    const { spaces } = await show({ spaces: ['work', 'work/atlas', 'home'] });
    await click(button('Rename space "work"'));
    const field = textField('New name for "work"');
    expect(document.activeElement).toBe(field);
    expect(field.value).toBe('work');
    await act(() => {
      field.value = 'job';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await submit(field.form!);
    expect(spaces.rename).toHaveBeenCalledWith('work', 'job');
    expect([...section('spaces').querySelectorAll('.space-path')].map((s) => s.textContent)).toEqual(['home', 'job', 'job/atlas']);
    expect(q('[data-testid="spaces-status"]').textContent).toBe('Renamed work to job.');

    await click(button('Delete space "job/atlas"'));
    expect(spaces.remove).toHaveBeenCalledWith('job/atlas');
    expect([...section('spaces').querySelectorAll('.space-path')].map((s) => s.textContent)).toEqual(['home', 'job']);
    expect(q('[data-testid="spaces-status"]').textContent).toBe('Deleted job/atlas. Its memories are kept, in no space.');
  });

  it('sets the default space of a site', async () => {
    const { settings } = await show({ spaces: ['work', 'home'], settings: { spaceBySite: { claude: 'home' } } });
    const chatgpt = picker('Default space on ChatGPT');
    const claude = picker('Default space on Claude');
    expect(claude.value).toBe('home');
    expect(chatgpt.value).toBe('');
    expect([...chatgpt.options].map((o) => o.textContent)).toEqual(['No space', 'home', 'work']);
    await choose(chatgpt, 'work');
    expect(settings.stored.spaceBySite).toEqual({ chatgpt: 'work', claude: 'home' });
    await choose(picker('Default space on Claude'), '');
    expect(settings.stored.spaceBySite).toEqual({ chatgpt: 'work' });
  });
});

describe('Privacy', () => {
  it('says what is stored where, turns "Ask before remembering" on, and forgets everything once FORGET is typed', async () => {
    const { settings, memories } = await show();
    const privacy = section('privacy');
    expect(privacy.textContent).toContain('IndexedDB');
    expect(privacy.textContent).toContain('Nothing you type or Engram remembers is sent anywhere');
    const ask = textField('Ask before remembering', privacy);
    expect(ask.checked).toBe(false);
    await click(ask);
    expect(settings.stored.askBeforeRemembering).toBe(true);

    await click(button('Forget everything…', privacy));
    const word = textField('Type FORGET to confirm', privacy);
    expect(button('Forget everything', privacy).disabled).toBe(true);
    await act(() => {
      word.value = 'FORGET';
      word.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(button('Forget everything', privacy));
    expect(memories.forgetAll).toHaveBeenCalledOnce();
    expect(section('memories').querySelector('[data-testid="empty"]')).not.toBeNull();
  });
});
