/**
 * One number format and one date format for every page (the browser's locale): counts with
 * thousands separators, and dates as "Nov 30, 2026, 3:08 AM" (or the locale's equivalent).
 */
const numbers = new Intl.NumberFormat();
const dates = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A count with the locale's thousands separator: 10003 → "10,003". */
export const formatCount = (n: number): string => numbers.format(n);

/** A moment (ms since epoch) in the one date format. */
export const formatDate = (at: number): string => dates.format(at);

/** A `<time>` with its machine-readable value, in the one date format. */
export function DateTime({ at, children }: { at: number; children?: string }) {
  return <time dateTime={new Date(at).toISOString()}>{children ?? formatDate(at)}</time>;
}
