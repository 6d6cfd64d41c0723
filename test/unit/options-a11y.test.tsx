// @vitest-environment happy-dom
/**
 * Accessibility of the options page and the onboarding tab: axe-core's WCAG 2.1 A/AA rules that
 * need no layout (names, labels, roles, list structure, nested interactive elements) on each view,
 * and the colour pairs of both themes (engram.css) computed against WCAG's contrast ratio.
 */
import axe from 'axe-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL, parseControl } from '../../src/core/control';
import type { ModelStatus } from '../../src/core/status';
import type { MemoryView } from '../../src/core/types';
import { BUNDLED_MODEL, MODELS } from '../../src/engine/models';
import { createControlStore, type ControlBackend } from '../../src/ui/control-store';
import { createMemoryListStore } from '../../src/ui/memory-list-store';
import { createModelStore } from '../../src/ui/model-store';
import { OnboardingFlow } from '../../src/ui/onboarding-flow';
import { OptionsApp } from '../../src/ui/options-app';
import { createSpacesStore } from '../../src/ui/spaces-store';
import { settle, useContainer } from '../support/dom';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The rules that must have run (and passed) on a view, so an empty violation list means something. */
const CHECKED: [rule: string, when: string][] = [
  ['button-name', 'button'],
  ['nested-interactive', 'button'],
  ['label', 'input, select, textarea'],
  ['list', 'ul, ol'],
  ['listitem', 'li'],
  ['aria-allowed-attr', '[aria-expanded], [aria-pressed], [aria-posinset], [aria-current]'],
];

async function violations(el: HTMLElement): Promise<string[]> {
  // No CSS selectors in the report: happy-dom cannot parse axe's escaped quotes.
  const result = await axe.run(el, { runOnly: { type: 'tag', values: WCAG }, selectors: false });
  const applicable = CHECKED.filter(([, when]) => el.querySelector(when)).map(([rule]) => rule);
  expect(result.passes.map((p) => p.id)).toEqual(expect.arrayContaining(applicable));
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
}

function settings(): ControlBackend {
  let stored = parseControl({ ...DEFAULT_CONTROL, onboarded: true });
  return {
    read: () => Promise.resolve(stored),
    update: (change) => Promise.resolve((stored = parseControl(change(stored)))),
    watch: () => () => undefined,
  };
}
const models = () =>
  createModelStore({
    status: () => Promise.resolve<ModelStatus>({ active: BUNDLED_MODEL, models: MODELS, job: null }),
    requestHosts: () => Promise.resolve(false),
    switchTo: () => Promise.resolve(),
  });
const ROWS: MemoryView[] = [
  { id: 'm1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14), space: 'home' },
  { id: 'm2', text: 'My dog is called Max', site: 'claude', createdAt: Date.UTC(2026, 1, 13), pinned: true },
];

const root = useContainer();
const button = (name: string): HTMLButtonElement => [...root.el.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent.trim()) === name)!;
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}

describe('axe on the options page', () => {
  it('finds no violation, with spaces, memories, a rename and the forget confirmation open', async () => {
    const memories = createMemoryListStore({
      list: () => Promise.resolve(ROWS),
      remove: () => Promise.resolve(true),
      search: () => Promise.resolve([]),
      edit: (id, text) => Promise.resolve({ ...ROWS.find((r) => r.id === id)!, text }),
      pin: (id, pinned) => Promise.resolve({ ...ROWS.find((r) => r.id === id)!, pinned }),
      removeMany: () => Promise.resolve({ deleted: 1, undo: 't' }),
      undo: () => Promise.resolve({ restored: 1 }),
      move: () => Promise.resolve({ moved: 1 }),
      spaces: () => Promise.resolve([{ path: 'home', memories: 1 }]),
      facets: () =>
        Promise.resolve({
          total: 2,
          sites: [{ site: 'chatgpt', count: 1 }, { site: 'claude', count: 1 }],
          spaces: [{ space: 'home', count: 1 }, { space: '', count: 1 }],
          categories: [],
          scopes: [{ scope: 'user', count: 2 }],
        }),
      detail: (id) => Promise.resolve({ memory: ROWS.find((r) => r.id === id)!, history: [], injections: [], conversationUrl: null }),
    });
    const spaces = createSpacesStore({
      list: () => Promise.resolve([{ path: 'home', memories: 1 }, { path: 'work', memories: 0 }, { path: 'work/atlas', memories: 0 }]),
      create: () => Promise.resolve([]),
      rename: () => Promise.resolve([]),
      remove: () => Promise.resolve([]),
    });
    await act(() => {
      render(<OptionsApp control={createControlStore(settings())} memories={memories} spaces={spaces} models={models()} sites={['chatgpt', 'claude']} />, root.el);
    });
    await settle();
    expect(await violations(root.el)).toEqual([]);

    await click(button('Rename space "work"'));
    await click(button('Forget everything…'));
    await click(button('Details of "I live in Berlin"'));
    await click(button('Edit "My dog is called Max"'));
    const box = [...root.el.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')].find((b) => b.getAttribute('aria-label') === 'Select "I live in Berlin"')!;
    await click(box);
    expect(root.el.querySelector('[role="group"]')).not.toBeNull();
    expect(await violations(root.el)).toEqual([]);
  });
});

describe('axe on the onboarding tab', () => {
  it('finds no violation on any step, nor once done', async () => {
    await act(() => {
      render(<OnboardingFlow control={createControlStore(settings())} models={models()} demoUrl="http://127.0.0.1:8123/engram-demo/" />, root.el);
    });
    await settle();
    for (let step = 0; step < 5; step++) {
      if (step === 3) {
        const setUp = root.el.querySelector<HTMLInputElement>('#welcome-set-up')!;
        await click(setUp);
      }
      expect(await violations(root.el), `step ${step + 1}`).toEqual([]);
      await click(button(step === 4 ? 'Finish' : 'Next'));
    }
    expect(await violations(root.el)).toEqual([]);
  });
});

describe('the colours of both themes', () => {
  const css = readFileSync(join(process.cwd(), 'src/ui/engram.css'), 'utf8');
  /** The custom properties of the first block after `marker`. */
  const variables = (marker: string): Record<string, string> => {
    const start = css.indexOf('{', css.indexOf(marker));
    const block = css.slice(start, css.indexOf('}', start));
    return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]));
  };
  const luminance = (hex: string): number => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const contrast = (a: string, b: string): number => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };
  /** Text on its background, as the stylesheet pairs them. */
  const TEXT: [string, string][] = [
    ['fg', 'bg'], ['muted', 'bg'], ['fg', 'surface'], ['muted', 'surface'], ['fg', 'surface-strong'], ['muted', 'surface-strong'],
    ['accent', 'bg'], ['danger', 'bg'], ['danger', 'surface'], ['danger', 'danger-bg'], ['warn-fg', 'warn-bg'], ['fg', 'mark-bg'], ['bg', 'fg'],
  ];
  for (const [theme, marker] of [['light', ':root {'], ['dark', '@media (prefers-color-scheme: dark)']] as const) {
    it(`${theme}: text reaches 4.5:1 and control borders 3:1`, () => {
      const v = variables(marker);
      for (const [fg, bg] of TEXT) expect(contrast(v[fg]!, v[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(v.border!, v.bg!)).toBeGreaterThanOrEqual(3);
      expect(contrast(v['warn-border']!, v['warn-bg']!)).toBeGreaterThanOrEqual(3);
    });
  }
});

