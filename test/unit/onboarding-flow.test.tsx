// @vitest-environment happy-dom
/**
 * The onboarding tab over a settings double: a short flow the user can skip at any step; finishing
 * writes the choices, and either marks the user onboarded so it is never shown again.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTROL, parseControl, type ControlSettings } from '../../src/core/control';
import type { ModelStatus } from '../../src/core/status';
import { BUNDLED_MODEL, MODELS } from '../../src/engine/models';
import { createControlStore, type ControlBackend } from '../../src/ui/control-store';
import { createModelStore } from '../../src/ui/model-store';
import { OnboardingFlow } from '../../src/ui/onboarding-flow';
import { settle, useContainer } from '../support/dom';

function settingsBackend(initial: Partial<ControlSettings> = {}) {
  let stored = parseControl({ ...DEFAULT_CONTROL, ...initial });
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

const root = useContainer();

async function show(props: { demoUrl?: string; withModels?: boolean; settings?: Partial<ControlSettings> } = {}) {
  const settings = settingsBackend(props.settings);
  const status = vi.fn(() => Promise.resolve<ModelStatus>({ active: BUNDLED_MODEL, models: MODELS, job: null }));
  const models = props.withModels ? createModelStore({ status, requestHosts: () => Promise.resolve(false), switchTo: () => Promise.resolve() }) : undefined;
  const openOptions = vi.fn();
  await act(() => {
    render(<OnboardingFlow control={createControlStore(settings)} models={models} demoUrl={props.demoUrl} openOptions={openOptions} />, root.el);
  });
  await settle();
  return { settings, status, openOptions };
}

const button = (name: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => el.textContent.trim() === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
const labelled = (text: string): HTMLInputElement => {
  const label = [...root.el.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  return root.el.querySelector<HTMLInputElement>(`[id="${label.htmlFor}"]`)!;
};
const stepTitle = () => root.el.querySelector('#onboarding-step-title')?.textContent;
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}

describe('the onboarding tab', () => {
  it('walks through what Engram does, what stays on the device, the mode and the models, then writes the choices', async () => {
    const { settings } = await show();
    expect(root.el.querySelector('h1')?.textContent).toBe('Welcome to Engram');
    const steps = root.el.querySelector('ol.steps')!;
    expect(steps.getAttribute('aria-label')).toBe('Setup steps');
    expect([...steps.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['What Engram does', 'What stays on your device', 'How memories are added', 'Models', 'Ready']);
    expect(steps.querySelector('[aria-current="step"]')?.textContent).toBe('What Engram does');
    expect(root.el.textContent).toContain('Step 1 of 5');

    await click(button('Next'));
    expect(stepTitle()).toBe('What stays on your device');
    expect(document.activeElement?.id).toBe('onboarding-step-title');
    expect(root.el.textContent).toContain('only if you choose one and agree');

    await click(button('Next'));
    expect(stepTitle()).toBe('How memories are added');
    expect(labelled('Review before sending (recommended)').checked).toBe(true);
    await click(labelled('Automatically'));
    await click(labelled('Ask before remembering'));
    await click(button('Back'));
    expect(stepTitle()).toBe('What stays on your device');
    await click(button('Next'));
    expect(labelled('Automatically').checked).toBe(true); // kept

    await click(button('Next'));
    expect(stepTitle()).toBe('Models');
    expect(labelled('Start without downloading anything (recommended)').checked).toBe(true);

    await click(button('Next'));
    expect(stepTitle()).toBe('Ready');
    expect(settings.update).not.toHaveBeenCalled(); // nothing written before Finish
    await click(button('Finish'));
    expect(settings.stored).toMatchObject({ mode: 'automatic', askBeforeRemembering: true, onboarded: true });
    expect(root.el.querySelector('[data-testid="onboarding-ended"]')?.textContent).toBe('Engram is ready. You can close this tab.');
  });

  it('can be skipped at any step: the defaults stay, and it is marked done', async () => {
    const { settings, openOptions } = await show();
    await click(button('Next'));
    await click(button('Skip setup'));
    expect(settings.update).toHaveBeenCalledOnce();
    expect(settings.stored).toMatchObject({ mode: 'review', askBeforeRemembering: false, onboarded: true });
    expect(root.el.querySelector('[data-testid="onboarding-ended"]')?.textContent).toMatch(/Setup skipped/);
    await click(button('Open the settings'));
    expect(openOptions).toHaveBeenCalledOnce();
  });

  it('offers the model set-up only when asked, and no download otherwise', async () => {
    const { status } = await show({ withModels: true });
    for (let i = 0; i < 3; i++) await click(button('Next'));
    expect(stepTitle()).toBe('Models');
    expect(root.el.querySelector('[data-testid="onboarding-models"]')).toBeNull();
    expect(status).not.toHaveBeenCalled();
    await click(labelled('Set up a model now'));
    expect(root.el.querySelector('[data-testid="onboarding-models"] [data-testid="active-model"]')).not.toBeNull();
    expect(status).toHaveBeenCalled();
  });

  it('links to the demo chat when there is one (development builds)', async () => {
    await show({ demoUrl: 'http://127.0.0.1:8123/engram-demo/' });
    for (let i = 0; i < 4; i++) await click(button('Next'));
    const link = [...root.el.querySelectorAll('a')].find((a) => a.textContent === 'Try it on the demo chat');
    expect(link?.getAttribute('href')).toBe('http://127.0.0.1:8123/engram-demo/');
  });

  it('has no demo link in a store build', async () => {
    await show();
    for (let i = 0; i < 4; i++) await click(button('Next'));
    expect(root.el.textContent).not.toContain('Try it on the demo chat');
  });

  it('stays, with the error, when the choices cannot be saved', async () => {
    const { settings } = await show();
    settings.update.mockImplementationOnce(() => Promise.reject(new Error('disk full')));
    await click(button('Skip setup'));
    expect(root.el.querySelector('[role="alert"]')?.textContent).toMatch(/disk full/);
    expect(root.el.querySelector('[data-testid="onboarding-ended"]')).toBeNull();
  });
});
