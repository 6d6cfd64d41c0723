// @vitest-environment happy-dom
/**
 * The popup's header: Engram's status at a glance (memories stored, what Engram does on the site
 * the user is on, the models in use) and "All settings", which opens the options page.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTROL, parseControl, type ControlSettings } from '../../src/core/control';
import type { ModelStatus } from '../../src/core/status';
import type { MemoryView, SiteId } from '../../src/core/types';
import { BUNDLED_MODEL, MODELS } from '../../src/engine/models';
import type { SiteIssue } from '../../src/messaging/protocol';
import { createControlStore, type ControlBackend } from '../../src/ui/control-store';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { createModelStore } from '../../src/ui/model-store';
import { PopupApp } from '../../src/ui/popup-app';
import { settle, useContainer } from '../support/dom';

function settingsBackend(initial: Partial<ControlSettings>) {
  let stored = parseControl({ ...DEFAULT_CONTROL, onboarded: true, ...initial });
  return {
    read: vi.fn<ControlBackend['read']>(() => Promise.resolve(stored)),
    update: vi.fn<ControlBackend['update']>((change) => {
      stored = parseControl(change(stored));
      return Promise.resolve(stored);
    }),
    watch: vi.fn<ControlBackend['watch']>(() => () => undefined),
  };
}

const many = (n: number): MemoryView[] => Array.from({ length: n }, (_, i) => ({ id: `m${i}`, text: `Fact ${i}`, site: 'chatgpt', createdAt: Date.UTC(2026, 0, 1) + i }));

const root = useContainer();

async function show(options: { memories?: MemoryView[]; settings?: Partial<ControlSettings>; site?: SiteId | null; issues?: SiteIssue[]; openOptions?: () => void }) {
  const memories: MemoryBackend = { list: () => Promise.resolve(options.memories ?? []), remove: () => Promise.resolve(true) };
  const models = createModelStore({
    status: () => Promise.resolve<ModelStatus>({ active: BUNDLED_MODEL, models: MODELS, job: null }),
    requestHosts: () => Promise.resolve(false),
    switchTo: () => Promise.resolve(),
  });
  await act(() => {
    render(
      <PopupApp
        store={createMemoryListStore(memories)}
        control={createControlStore(settingsBackend(options.settings ?? {}))}
        models={models}
        currentSite={() => Promise.resolve(options.site ?? null)}
        siteIssues={() => Promise.resolve(options.issues ?? [])}
        {...(options.openOptions ? { openOptions: options.openOptions } : {})}
      />,
      root.el,
    );
  });
  await settle();
}

const glance = () => root.el.querySelector<HTMLElement>('[data-testid="status-glance"]')!;
const fact = (testid: string) => glance().querySelector(`[data-testid="${testid}"]`)?.textContent;

describe('status at a glance', () => {
  it('says how many memories are stored, with a thousands separator, and the models in use', async () => {
    await show({ memories: many(1234) });
    expect(glance().getAttribute('aria-label')).toBe('Status');
    expect(fact('stored-count')).toBe((1234).toLocaleString());
    expect(fact('embedding-model')).toContain('Engram GloVe');
    expect(glance().querySelector('dt')?.textContent).toBe('Memories stored');
  });

  it('says what Engram does on the site the user is on', async () => {
    await show({ site: 'claude', settings: { sites: { claude: 'manual' } } });
    expect(glance().textContent).toContain('On Claude');
    expect(fact('site-state')).toBe('Manual: memories only when you ask');
  });

  it('says paused when paused, and that a site needs an update when its page changed', async () => {
    await show({ site: 'chatgpt', settings: { paused: true } });
    expect(fact('site-state')).toBe('Paused everywhere');
    await act(() => {
      render(null, root.el);
    });
    await show({ site: 'chatgpt', issues: [{ site: 'chatgpt', reason: 'no composer', at: 0, page: 'https://chatgpt.com/' }] });
    expect(fact('site-state')).toBe('Needs an update: messages are sent without memories');
  });

  it('says nothing of a site when the tab is not a chat site', async () => {
    await show({ site: null });
    expect(fact('site-state')).toBeUndefined();
  });

  it('opens the options page from "All settings"', async () => {
    const openOptions = vi.fn();
    await show({ openOptions });
    const button = [...root.el.querySelectorAll('button')].find((b) => b.textContent.trim() === 'All settings')!;
    await act(() => {
      button.click();
    });
    expect(openOptions).toHaveBeenCalledOnce();
    // Not named "Settings": the popup's own settings keep that name.
    expect([...root.el.querySelectorAll('button, summary')].filter((el) => el.textContent.trim() === 'Settings')).toHaveLength(1);
  });
});
