// @vitest-environment happy-dom
/**
 * The user in control, in the popup: the pause switch, how memories are added (for every site and
 * per site), "Ask before remembering", and the first-run choices, over a settings double in place
 * of chrome.storage (changes from other contexts pushed to the popup).
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTROL, parseControl, type ControlSettings } from '../../src/core/control';
import type { MemoryView } from '../../src/core/types';
import { createControlStore, type ControlBackend } from '../../src/ui/control-store';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { PopupApp } from '../../src/ui/popup-app';
import { settle, useContainer } from '../support/dom';

const BERLIN: MemoryView = { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14, 12) };

/** The settings in a stand-in for chrome.storage.local. */
function settingsBackend(initial: Partial<ControlSettings> = {}) {
  let stored = parseControl({ ...DEFAULT_CONTROL, onboarded: true, ...initial });
  const watchers = new Set<(settings: ControlSettings) => void>();
  return {
    get stored() {
      return stored;
    },
    read: vi.fn<ControlBackend['read']>(() => Promise.resolve(stored)),
    update: vi.fn<ControlBackend['update']>((change) => {
      // Kept as the popup wrote it (the real storage parses it again), so the tests see exactly that.
      stored = change(stored);
      return Promise.resolve(stored);
    }),
    watch: vi.fn<ControlBackend['watch']>((onChange) => {
      watchers.add(onChange);
      return () => {
        watchers.delete(onChange);
      };
    }),
    /** Another context (another popup, a content script) changed the settings. */
    changeElsewhere(change: Partial<ControlSettings>) {
      stored = parseControl({ ...stored, ...change });
      for (const w of watchers) w(stored);
    },
    watchers,
  };
}

const memories: MemoryBackend = { list: () => Promise.resolve([BERLIN]), remove: () => Promise.resolve(true) };

const root = useContainer();

async function show(backend: ControlBackend) {
  await act(() => {
    render(<PopupApp store={createMemoryListStore(memories)} control={createControlStore(backend)} />, root.el);
  });
  await settle();
}

const q = (selector: string): HTMLElement => {
  const el = root.el.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
};
/** The form control whose <label> says `text` (the first, when two do). */
function labelled(text: string): HTMLElement {
  const label = [...root.el.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  return q(`#${label.htmlFor}`);
}
const selectFor = (text: string) => labelled(text) as HTMLSelectElement;
const inputFor = (text: string) => labelled(text) as HTMLInputElement;
const buttonNamed = (name: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => (el.getAttribute('aria-label') ?? el.textContent.trim()) === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
async function choose(select: HTMLSelectElement, value: string) {
  await act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await settle();
}
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}

describe('Pause Engram', () => {
  it('is at the top, outside Settings, and pauses and resumes every site', async () => {
    const b = settingsBackend();
    await show(b);
    const pause = buttonNamed('Pause Engram');
    expect(pause.closest('details')).toBeNull();
    expect(pause.getAttribute('aria-pressed')).toBe('false');
    expect(q('#pause-hint').textContent).toMatch(/stops adding memories and remembering, on every site/);

    await click(pause);
    expect(b.stored.paused).toBe(true);
    expect(buttonNamed('Pause Engram').getAttribute('aria-pressed')).toBe('true');
    expect(q('#pause-hint').textContent).toBe('Paused: no memories are added and nothing is remembered, on every site.');
    expect(buttonNamed('Pause Engram').getAttribute('aria-describedby')).toBe('pause-hint');

    await click(buttonNamed('Pause Engram'));
    expect(b.stored.paused).toBe(false);
    expect(buttonNamed('Pause Engram').getAttribute('aria-pressed')).toBe('false');
  });

  it('follows a pause made elsewhere (another popup, the chat page)', async () => {
    const b = settingsBackend();
    await show(b);
    await act(() => {
      b.changeElsewhere({ paused: true });
    });
    expect(buttonNamed('Pause Engram').getAttribute('aria-pressed')).toBe('true');
  });

  it('stops following changes once the popup closes', async () => {
    const b = settingsBackend();
    await show(b);
    expect(b.watchers.size).toBe(1);
    await act(() => {
      render(null, root.el);
    });
    expect(b.watchers.size).toBe(0);
  });

  it('says so, and keeps the switch as it was, when the setting cannot be saved', async () => {
    const b = settingsBackend();
    b.update.mockImplementationOnce(() => Promise.reject(new Error('QUOTA_BYTES quota exceeded')));
    await show(b);
    await click(buttonNamed('Pause Engram'));
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Engram could not save your settings: QUOTA_BYTES quota exceeded');
    expect(buttonNamed('Pause Engram').getAttribute('aria-pressed')).toBe('false');
  });
});

describe('Settings', () => {
  it('are collapsed under "Settings" and start with the stored choices', async () => {
    await show(settingsBackend({ mode: 'manual', sites: { claude: 'off' }, askBeforeRemembering: true }));
    const details = q('[data-testid="settings"] details') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')?.textContent).toBe('Settings');
    expect(selectFor('How memories are added').value).toBe('manual');
    expect(selectFor('ChatGPT').value).toBe('');
    expect(selectFor('Claude').value).toBe('off');
    expect(inputFor('Ask before remembering').checked).toBe(true);
  });

  it('offers the four modes, Review first, with a line on what the chosen one does', async () => {
    await show(settingsBackend());
    const global = selectFor('How memories are added');
    expect([...global.options].map((o) => o.textContent)).toEqual(['Review before sending', 'Automatically', 'Only when I ask', 'Off']);
    expect(global.value).toBe('review');
    expect(q(`#${global.getAttribute('aria-describedby') ?? ''}`).textContent).toMatch(/remove any before you send/);
    const chatgpt = selectFor('ChatGPT');
    expect(chatgpt.options[0]?.textContent).toBe('Same as default (Review before sending)');
    expect(chatgpt.options).toHaveLength(5);
    // Every site Engram knows, unless told otherwise.
    expect([...root.el.querySelectorAll('.site-mode label')].map((l) => l.textContent)).toEqual(['ChatGPT', 'Claude', 'Gemini', 'Perplexity', 'DeepSeek', 'Grok', 'Other sites you turned on', 'Demo chat']);
  });

  it('writes the global mode when the user changes it', async () => {
    const b = settingsBackend();
    await show(b);
    await choose(selectFor('How memories are added'), 'automatic');
    expect(b.stored.mode).toBe('automatic');
    expect(selectFor('How memories are added').value).toBe('automatic');
    expect(selectFor('Claude').options[0]?.textContent).toBe('Same as default (Automatically)');

    await choose(selectFor('How memories are added'), 'off');
    expect(b.stored).toMatchObject({ mode: 'off', paused: false, sites: {} });
  });

  it('gives a site its own mode, and "Same as default" removes it again', async () => {
    const b = settingsBackend({ sites: { claude: 'automatic' } });
    await show(b);
    await choose(selectFor('ChatGPT'), 'off');
    expect(b.stored.sites).toEqual({ chatgpt: 'off', claude: 'automatic' });

    await choose(selectFor('ChatGPT'), '');
    expect(b.stored.sites).toEqual({ claude: 'automatic' });
    expect('chatgpt' in b.stored.sites).toBe(false);
    expect(selectFor('ChatGPT').value).toBe('');
    expect(selectFor('Claude').value).toBe('automatic');
  });

  it('turns "Ask before remembering" on and off, and says what it does', async () => {
    const b = settingsBackend();
    await show(b);
    const box = inputFor('Ask before remembering');
    expect(q(`#${box.getAttribute('aria-describedby') ?? ''}`).textContent).toMatch(/wait .* until you accept them/);
    await click(box);
    expect(b.stored.askBeforeRemembering).toBe(true);
    await click(labelled('Ask before remembering'));
    expect(b.stored.askBeforeRemembering).toBe(false);
  });

  it('offers only the sites it is given (the store build has no demo chat)', async () => {
    await act(() => {
      render(
        <PopupApp store={createMemoryListStore(memories)} control={createControlStore(settingsBackend())} sites={['chatgpt', 'claude']} />,
        root.el,
      );
    });
    await settle();
    expect([...root.el.querySelectorAll('.site-mode label')].map((l) => l.textContent)).toEqual(['ChatGPT', 'Claude']);
  });

  it('shows why when the settings cannot be read', async () => {
    const b = settingsBackend();
    b.read.mockImplementationOnce(() => Promise.reject(new Error('storage is unavailable')));
    await show(b);
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Engram could not read your settings: storage is unavailable');
    expect(root.el.querySelector('[data-testid="pause"]')).toBeNull();
    // The memories are still there.
    expect(root.el.querySelectorAll('[data-testid="memory"]')).toHaveLength(1);
  });
});

describe('First run', () => {
  it('explains Engram, takes the user’s choices, writes them with Done and goes away', async () => {
    const b = settingsBackend({ onboarded: false });
    await show(b);
    const card = q('[data-testid="onboarding"]');
    expect(card.textContent).toMatch(/remembers what you tell ChatGPT and Claude/);
    expect(card.textContent).toMatch(/on this\s+device only/);
    expect(card.querySelector('legend')?.textContent).toBe('How should memories be added to your prompts?');
    const review = inputFor('Review before sending (recommended)');
    expect(review.checked).toBe(true);
    expect(review.type).toBe('radio');
    expect(inputFor('Ask before remembering').checked).toBe(false);
    // Above the memories, below the pause switch.
    expect(card.compareDocumentPosition(q('[data-testid="memory"]')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    await click(labelled('Automatically'));
    await click(card.querySelector<HTMLInputElement>('#onboarding-ask')!);
    expect(b.update).not.toHaveBeenCalled(); // nothing is written before Done

    await click(buttonNamed('Done'));
    expect(b.update).toHaveBeenCalledOnce();
    expect(b.stored).toMatchObject({ mode: 'automatic', askBeforeRemembering: true, onboarded: true, paused: false });
    expect(root.el.querySelector('[data-testid="onboarding"]')).toBeNull();
    await vi.waitFor(() => {
      expect(document.activeElement?.id).toBe('settings-summary');
    });
  });

  it('keeps the recommended choices when the user just clicks Done', async () => {
    const b = settingsBackend({ onboarded: false });
    await show(b);
    await click(buttonNamed('Done'));
    expect(b.stored).toMatchObject({ mode: 'review', askBeforeRemembering: false, onboarded: true });
  });

  it('is not shown once the user has been through it', async () => {
    await show(settingsBackend({ onboarded: true }));
    expect(root.el.querySelector('[data-testid="onboarding"]')).toBeNull();
    expect(buttonNamed('Pause Engram')).toBeTruthy();
  });

  it('stays, with the error, when the choices cannot be saved', async () => {
    const b = settingsBackend({ onboarded: false });
    b.update.mockImplementationOnce(() => Promise.reject(new Error('disk full')));
    await show(b);
    await click(buttonNamed('Done'));
    expect(root.el.querySelector('[data-testid="onboarding"]')).not.toBeNull();
    expect(root.el.querySelector('[role="alert"]')?.textContent).toMatch(/disk full/);
  });
});

describe('the popup without control settings', () => {
  it('shows no pause, settings or first-run card', async () => {
    await act(() => {
      render(<PopupApp store={createMemoryListStore(memories)} />, root.el);
    });
    await settle();
    expect(root.el.querySelector('[data-testid="pause"]')).toBeNull();
    expect(root.el.querySelector('[data-testid="settings"]')).toBeNull();
    expect(root.el.querySelector('[data-testid="onboarding"]')).toBeNull();
  });
});
