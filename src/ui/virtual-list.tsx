import type { ComponentChildren, Ref } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { RowHeights } from './row-heights';

/** The space between two rows, in px (the CSS `.virtual-list > li` margin). */
export const ROW_GAP = 6;

/** What a row must put on its `<li>`: measurement, position in the set, and the roving tab stop. */
export interface RowProps {
  ref: Ref<HTMLLIElement>;
  'data-index': number;
  'aria-posinset': number;
  'aria-setsize': number;
  tabIndex: number;
}

/**
 * A list of `count` rows of which only those in view (and `overscan` more each side) are in the
 * DOM: rows are measured once shown (an estimate stands in before), so rows of any height scroll
 * smoothly at 100,000. Each row is a `<li>` with `aria-posinset`/`aria-setsize`, so a screen reader
 * knows where it is in the whole list; the arrow keys, Page Up/Down, Home and End move the focus
 * from row to row (one row is in the Tab order; Tab goes on to its buttons).
 *
 * @example
 * <VirtualList count={store.total.value} label="Memories" onRange={store.ensure}
 *   renderRow={(i, props) => <li {...props}>{store.rowAt(i)?.text}</li>} />
 */
export function VirtualList({
  count,
  label,
  renderRow,
  onRange,
  estimate = 84,
  overscan = 4,
  fallbackHeight = 600,
  class: className,
  describedBy,
  busy = false,
}: {
  count: number;
  /** Bump it to render the rows again (their content changed, not their number). */
  version?: number;
  /** The list's accessible name. */
  label: string;
  renderRow: (index: number, props: RowProps) => ComponentChildren;
  /** Called with the window shown (from, to exclusive) whenever it changes. */
  onRange?: (from: number, to: number) => void;
  /** A row's height before it is measured, px. */
  estimate?: number;
  overscan?: number;
  /** The viewport's height where the page has no layout (a test's DOM). */
  fallbackHeight?: number;
  class?: string;
  describedBy?: string;
  busy?: boolean;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const heights = useRef(new RowHeights(count, estimate));
  if (heights.current.count !== count || heights.current.estimate !== estimate) {
    heights.current = new RowHeights(count, estimate, heights.current);
  }
  const rowEls = useRef(new Map<number, HTMLLIElement>());
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);
  const [, setMeasured] = useState(0);
  const [active, setActive] = useState(0);
  const pendingFocus = useRef<number | null>(null);
  /** Where the focus is in the list: when that element leaves the DOM, the row at its place takes the focus. */
  const focused = useRef<{ index: number; el: HTMLElement } | null>(null);

  const h = heights.current;
  const height = viewport > 0 ? viewport : fallbackHeight;
  const start = count === 0 ? 0 : Math.max(0, h.indexAt(scrollTop) - overscan);
  const end = count === 0 ? 0 : Math.min(count, h.indexAt(scrollTop + height) + 1 + overscan);

  useEffect(() => {
    onRange?.(start, end);
  }, [start, end, onRange]);

  /** Measure the rows shown; keep the row at the top of the view where it is when rows above it change. */
  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    if (el.clientHeight > 0 && el.clientHeight !== viewport) setViewport(el.clientHeight);
    const top = el.scrollTop;
    const anchor = heights.current.indexAt(top);
    let shift = 0;
    let changed = false;
    for (const [index, row] of rowEls.current) {
      const rowHeight = row.getBoundingClientRect().height;
      if (rowHeight <= 0) continue; // no layout (hidden, or a test's DOM)
      const delta = heights.current.set(index, rowHeight + ROW_GAP);
      if (delta !== 0) {
        changed = true;
        if (index < anchor) shift += delta;
      }
    }
    if (shift !== 0) {
      el.scrollTop = top + shift;
      setScrollTop(el.scrollTop);
    }
    if (changed) setMeasured((n) => n + 1);
  }, [viewport]);

  useLayoutEffect(() => {
    measure();
    const focus = pendingFocus.current;
    if (focus !== null) {
      const row = rowEls.current.get(focus);
      if (row) {
        pendingFocus.current = null;
        row.focus({ preventScroll: true });
      }
    }
    // The focused row (or a button in it) left the DOM (its content came in, or it was forgotten):
    // the row now at its place takes the focus, so a keyboard user is not sent back to the page's top.
    const last = focused.current;
    if (last && !last.el.isConnected && (document.activeElement === null || document.activeElement === document.body)) {
      const row = rowEls.current.get(Math.min(last.index, count - 1));
      if (row) {
        focused.current = { index: Number(row.dataset.index), el: row };
        row.focus({ preventScroll: true });
      }
    }
  });

  // A row that grows or shrinks by itself (details opened, an edit) is measured again.
  useEffect(() => {
    if (typeof ResizeObserver === 'undefined' || !list.current || !scroller.current) return;
    const observer = new ResizeObserver(() => {
      measure();
    });
    observer.observe(list.current);
    observer.observe(scroller.current);
    return () => {
      observer.disconnect();
    };
  }, [measure]);

  const scrollToIndex = (index: number): void => {
    const el = scroller.current;
    const rowTop = h.offsetOf(index);
    const rowHeight = h.heightOf(index);
    let next = scrollTop;
    if (rowTop < scrollTop) next = rowTop;
    else if (rowTop + rowHeight > scrollTop + height) next = rowTop + rowHeight - height;
    if (next !== scrollTop) {
      if (el) el.scrollTop = next;
      setScrollTop(next);
    }
  };

  const focusIndex = (index: number): void => {
    const target = Math.max(0, Math.min(count - 1, index));
    setActive(target);
    pendingFocus.current = target;
    scrollToIndex(target);
    // Already shown: focus it now (no render may follow).
    const row = rowEls.current.get(target);
    if (row) {
      pendingFocus.current = null;
      row.focus({ preventScroll: true });
    }
  };

  const rowsPerPage = Math.max(1, Math.floor(height / h.estimate));
  const onKeyDown = (e: KeyboardEvent): void => {
    const row = e.target as HTMLElement;
    if (row.parentElement !== list.current || row.tagName !== 'LI') return;
    const index = Number(row.dataset.index);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + rowsPerPage,
      PageUp: index - rowsPerPage,
      Home: 0,
      End: count - 1,
    };
    const next = moves[e.key];
    if (next === undefined) return;
    e.preventDefault();
    focusIndex(next);
  };
  const onFocusIn = (e: FocusEvent): void => {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('li[data-index]');
    if (row?.parentElement !== list.current) return;
    const index = Number(row.dataset.index);
    focused.current = { index, el: target };
    if (index !== active) setActive(index);
  };

  // One row is in the Tab order: the last one focused, or the first shown.
  const tabStop = active >= start && active < end ? active : start;
  const indices = useMemo(() => Array.from({ length: end - start }, (_, i) => start + i), [start, end]);
  const refs = useRef(new Map<number, (el: HTMLLIElement | null) => void>());
  const refFor = (index: number): ((el: HTMLLIElement | null) => void) => {
    let ref = refs.current.get(index);
    if (!ref) {
      ref = (el) => {
        if (el) rowEls.current.set(index, el);
        else rowEls.current.delete(index);
      };
      refs.current.set(index, ref);
    }
    return ref;
  };
  // Forget the callbacks of rows far out of view.
  if (refs.current.size > 4 * (end - start + 1) + 64) {
    for (const index of refs.current.keys()) if (index < start || index >= end) refs.current.delete(index);
  }

  return (
    <div
      class={className ? `virtual-scroller ${className}` : 'virtual-scroller'}
      ref={scroller}
      onScroll={(e) => {
        setScrollTop(e.currentTarget.scrollTop);
      }}
    >
      <ul
        class="virtual-list"
        ref={list}
        aria-label={label}
        aria-describedby={describedBy}
        aria-busy={busy || undefined}
        style={{ paddingTop: `${h.offsetOf(start)}px`, paddingBottom: `${Math.max(0, h.total - h.offsetOf(end))}px` }}
        onKeyDown={onKeyDown}
        onFocusIn={onFocusIn}
      >
        {indices.map((index) =>
          renderRow(index, {
            ref: refFor(index),
            'data-index': index,
            'aria-posinset': index + 1,
            'aria-setsize': count,
            tabIndex: index === tabStop ? 0 : -1,
          }),
        )}
      </ul>
    </div>
  );
}
