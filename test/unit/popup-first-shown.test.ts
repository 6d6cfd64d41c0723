/**
 * The popup asks for its memories first (issue 15): the other panels' reads wait until the list
 * has shown its first page, or said why not, and never longer than a moment.
 */
import { signal } from '@preact/signals';
import { describe, expect, it, vi } from 'vitest';
import { firstShown } from '../../src/ui/memory-list-store';

describe('firstShown', () => {
  it('resolves once the list leaves its loading state, ready or failed', async () => {
    for (const end of ['ready', 'error'] as const) {
      const status = signal<'loading' | 'ready' | 'error'>('loading');
      let done = false;
      const shown = firstShown({ status }, 60_000).then(() => {
        done = true;
      });
      await Promise.resolve();
      expect(done).toBe(false);
      status.value = end;
      await shown;
      expect(done).toBe(true);
    }
  });

  it('resolves at once for a list already shown, and after its wait at the latest', async () => {
    await firstShown({ status: signal<'loading' | 'ready' | 'error'>('ready') });
    vi.useFakeTimers();
    try {
      let done = false;
      const shown = firstShown({ status: signal<'loading' | 'ready' | 'error'>('loading') }, 1000).then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await shown;
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
