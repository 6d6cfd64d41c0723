/**
 * Who goes first on the worker's one thread: a recall or search someone waits for (the user
 * pressed Enter, or is typing and a prefetch runs) is foreground; consolidation, index builds,
 * imports and backfills are background, and between their slices they let every foreground task
 * in flight finish before they go on. So a recall never queues behind a maintenance slice more
 * than once, however many IndexedDB round trips it makes.
 */
let foreground = 0;
const waiting: (() => void)[] = [];

/** Run `task` as foreground work: background slices wait while it runs. */
export async function inForeground<T>(task: () => Promise<T>): Promise<T> {
  foreground++;
  try {
    return await task();
  } finally {
    foreground--;
    if (foreground === 0) for (const resume of waiting.splice(0)) resume();
  }
}

/** Between two slices of background work: resolves on a later task, once no foreground work runs. */
export function backgroundTurn(): Promise<void> {
  return new Promise((resolve) => {
    const go = (): void => {
      setTimeout(resolve, 0);
    };
    if (foreground === 0) go();
    else waiting.push(go);
  });
}

/** Foreground tasks in flight (diagnostics and tests). */
export function foregroundTasks(): number {
  return foreground;
}
