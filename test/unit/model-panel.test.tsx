// @vitest-environment happy-dom
/**
 * The popup's model panel over a ModelBackend double: nothing is switched without the user's
 * consent, and a switch shows its download and re-embedding progress.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ModelJob, ModelStatus } from '../../src/core/status';
import { BUNDLED_MODEL, MODELS } from '../../src/engine/models';
import { ModelPanel } from '../../src/ui/model-panel';
import { createModelStore, type ModelBackend } from '../../src/ui/model-store';
import { settle, useContainer } from '../support/dom';

const ARCTIC = 'Snowflake/snowflake-arctic-embed-xs';

/** A background double whose switch advances one phase each time the test calls `advance()`. */
function backend(granted: boolean, jobs: ModelJob[]) {
  let active = BUNDLED_MODEL;
  let step = -1;
  return {
    advance: () => {
      step = Math.min(step + 1, jobs.length - 1);
    },
    requestHosts: vi.fn(() => Promise.resolve(granted)),
    switchTo: vi.fn((id: string) => {
      step = 0;
      active = id;
      return Promise.resolve({ started: true });
    }),
    status: vi.fn((): Promise<ModelStatus> => {
      const job = jobs[step] ?? null;
      return Promise.resolve({ active: job?.phase === 'done' ? active : BUNDLED_MODEL, models: MODELS, job });
    }),
  } satisfies ModelBackend & { advance(): void };
}

const root = useContainer();

async function show(b: ModelBackend) {
  const store = createModelStore(b, 1);
  await act(() => {
    render(<ModelPanel store={store} />, root.el);
  });
  await settle();
  return store;
}

const download = (): HTMLButtonElement => {
  const button = root.el.querySelector<HTMLButtonElement>('button[aria-label^="Download Snowflake"]');
  if (!button) throw new Error('no download button for Arctic');
  return button;
};

describe('ModelPanel', () => {
  it('shows the model in use and the downloadable ones with their size', async () => {
    await show(backend(true, []));
    expect(root.el.querySelector('[data-testid="active-model"]')?.textContent).toContain('Engram GloVe');
    expect(download().getAttribute('aria-label')).toContain('23 MB from huggingface.co');
    // A download forgets nothing: it never wears the red hover of a delete button.
    expect(download().classList.contains('delete')).toBe(false);
    expect(download().classList.contains('plain')).toBe(true);
  });

  it('switches nothing when the user refuses the download permission', async () => {
    const b = backend(false, []);
    await show(b);
    await act(() => {
      download().click();
    });
    await settle();
    expect(b.switchTo).not.toHaveBeenCalled();
    expect(root.el.querySelector('[role="alert"]')?.textContent).toMatch(/needs your permission/);
  });

  it('after consent, shows download and re-embedding progress, then the new model in use', async () => {
    const b = backend(true, [
      { model: ARCTIC, phase: 'downloading', percent: 40 },
      { model: ARCTIC, phase: 'reembedding', done: 3, total: 10 },
      { model: ARCTIC, phase: 'done' },
    ]);
    await show(b);
    await act(() => {
      download().click();
    });
    await settle();
    expect(b.switchTo).toHaveBeenCalledWith(ARCTIC);
    expect(root.el.textContent).toContain('Downloading Snowflake Arctic Embed XS');
    expect(root.el.querySelector('progress')?.getAttribute('value')).toBe('40');
    expect(download().disabled).toBe(true); // one switch at a time
    b.advance();
    await settle();
    expect(root.el.textContent).toContain('Updating memories for Snowflake Arctic Embed XS: 3 of 10');
    b.advance();
    await settle();
    expect(root.el.querySelector('[data-testid="active-model"]')?.textContent).toContain('Snowflake Arctic Embed XS');
    expect(root.el.textContent).toContain('Now using Snowflake Arctic Embed XS');
  });
});

describe('StatusLine', () => {
  it('says which extractor runs, why the local model is not used, and how many turns wait', async () => {
    const { StatusLine } = await import('../../src/ui/status-line');
    await act(() => {
      render(
        <StatusLine
          load={() =>
            Promise.resolve({
              extractor: 'rule-based',
              extractorNote: 'The local AI model did not answer in time; using built-in rules.',
              queue: { held: 0, pending: 2, failed: 0, done: 5, lastError: null },
            })
          }
        />,
        root.el,
      );
    });
    await settle();
    const text = root.el.querySelector('[data-testid="engine-status"]')?.textContent ?? '';
    expect(text).toContain('Remembering with built-in rules · 2 messages waiting');
    expect(text).toContain('did not answer in time');
  });
});
