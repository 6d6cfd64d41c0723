/**
 * Long passes over every memory, cut into slices: between two, whatever waits on the worker runs
 * (a popup's request, an IndexedDB answer). At 100,000 memories a pass such as building the BM25
 * index or writing the recall image held the worker one to two seconds in one go.
 */
import type { MemoryRecord } from '../core/types';
import type { MemoryStore } from '../ports/memory-store';

/**
 * The longest (ms) a slice holds the worker before letting whatever waits run. Tests set it to 0:
 * a pause after every item.
 */
export const slice = { ms: 12 };

/** Let whatever waits run: resolves on a later task. */
export const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0);
  });

/** Call `each` on every item, pausing (a macrotask) whenever a slice has run `slice.ms`. */
export async function inSlices<T>(items: Iterable<T>, each: (item: T) => void, sliceMs = slice.ms): Promise<void> {
  let started = performance.now();
  for (const item of items) {
    if (performance.now() - started > sliceMs) {
      await nextTask();
      started = performance.now();
    }
    each(item);
  }
}

/**
 * Every stored record, `size` at a time in id order (one range read each, a task apart), not all
 * in one read: at 100,000 memories that read held the worker 1.7 s in one go. Stops before the
 * next read once `go` says no.
 */
export async function* storedPages(store: Pick<MemoryStore, 'listAfter'>, size: number, go: () => boolean = () => true): AsyncGenerator<MemoryRecord[]> {
  for (let after: string | null = null; ; ) {
    if (after !== null) await nextTask();
    if (!go()) return;
    const page = await store.listAfter(after, size);
    yield page;
    if (page.length < size) return;
    after = page[page.length - 1]!.id;
  }
}
