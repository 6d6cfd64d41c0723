/**
 * Long passes over every memory, cut into slices: between two, whatever waits on the worker runs
 * (a popup's request, an IndexedDB answer). At 100,000 memories a pass such as building the BM25
 * index or writing the recall image held the worker one to two seconds in one go.
 */

/**
 * The longest (ms) a slice holds the worker before letting whatever waits run. Tests set it to 0:
 * a pause after every item.
 */
export const slice = { ms: 12 };

/** Call `each` on every item, pausing (a macrotask) whenever a slice has run `slice.ms`. */
export async function inSlices<T>(items: Iterable<T>, each: (item: T) => void, sliceMs = slice.ms): Promise<void> {
  let started = performance.now();
  for (const item of items) {
    if (performance.now() - started > sliceMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      started = performance.now();
    }
    each(item);
  }
}
