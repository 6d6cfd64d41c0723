/**
 * When each part of a cold start first finished, in ms since this context started
 * (`performance.now()`): the service worker's startup, read by `npm run bench` and the DevTools
 * console (`engram.timings()`). Only the first occurrence of each mark is kept, so the figures
 * describe the cold start, not what came after. A leaf module: anything may mark.
 */
const marks = new Map<string, number>();

export function mark(name: string): void {
  if (!marks.has(name)) marks.set(name, Math.round(performance.now() * 10) / 10);
}

/** Run `task`, marking `<name>:start` and `<name>` (its end) the first time. */
export async function timed<T>(name: string, task: () => Promise<T>): Promise<T> {
  mark(`${name}:start`);
  const result = await task();
  mark(name);
  return result;
}

export function timings(): Record<string, number> {
  return Object.fromEntries(marks);
}
