// @vitest-environment happy-dom
/**
 * The in-page notice ("sent without memories…"): in a closed shadow root the page cannot read, a
 * polite live region for screen readers, never taking focus, gone after a while.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNotice, NOTICE_MS } from '../../src/inject/notice';

afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

describe('createNotice', () => {
  it('shows a message the page cannot read, without taking focus, then hides it', () => {
    vi.useFakeTimers();
    const input = document.createElement('input');
    document.body.append(input);
    input.focus();
    const notice = createNotice(document);

    notice.show('sent without memories: Engram was not ready within 2.5 s.');

    const host = document.getElementById('engram-notice-host')!;
    expect(host).not.toBeNull();
    expect(host.shadowRoot).toBeNull(); // closed: page scripts see an empty element
    expect(host.textContent).toBe('');
    expect(document.activeElement).toBe(input);
    expect(notice.current).toContain('sent without memories');

    vi.advanceTimersByTime(NOTICE_MS + 1);
    expect(notice.current).toBeNull();
  });

  it('reuses one host for every notice', () => {
    const notice = createNotice(document);
    notice.show('one');
    notice.show('two');
    expect(document.querySelectorAll('#engram-notice-host')).toHaveLength(1);
    expect(notice.current).toBe('two');
  });
});
