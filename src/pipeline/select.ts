import { BLOCK_FOOTER, BLOCK_HEADER } from '../inject/memory-block';
import { wordOverlap } from './decide';

export interface Ranked {
  id: string;
  text: string;
  score: number;
  /** When it was said, ms since epoch. */
  saidAt: number;
  /** When it stopped being true (a value from history), if it did. */
  supersededAt?: number;
}

export interface SelectOptions {
  /** The block's budget in tokens (≈ characters / 4), header and footer included. Default 300. */
  budgetTokens?: number;
  maxItems?: number;
  /** Two memories sharing this share of words say the same thing: only the better one goes in. */
  duplicateOverlap?: number;
  /** For the dates shown; defaults to the runtime's locale. */
  locale?: string;
}

/** Header, footer and blank line of the block, in tokens. */
const BLOCK_OVERHEAD_TOKENS = Math.ceil((BLOCK_HEADER.length + BLOCK_FOOTER.length + 3) / 4);

const tokens = (text: string): number => Math.ceil(text.length / 4);

/** Formats a date (ms since epoch) as the block shows it. */
export interface BlockDateFormat {
  format(at: number): string;
}

/** en-GB's short month names, as Intl gives them (ICU: "Sept", not "Sep"). */
const EN_GB_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sept', 'Oct', 'Nov', 'Dec'] as const;

/**
 * The default format, "3 Mar 2024" in UTC, without Intl: a service worker's first
 * Intl.DateTimeFormat loads the locale's data (about 10 ms of the first recall after a cold start,
 * which the user waits on). The same text as Intl's en-GB (test/unit/select.test.ts compares them).
 */
const EN_GB: BlockDateFormat = {
  format(at: number): string {
    const d = new Date(at);
    if (Number.isNaN(d.getTime())) throw new RangeError('Invalid time value');
    const year = d.getUTCFullYear();
    // Intl writes years before 1 or after 9999 its own way: those (never a real saidAt) go to it.
    if (year < 1 || year > 9999) return intlFormat('en-GB').format(at);
    return `${d.getUTCDate()} ${EN_GB_MONTHS[d.getUTCMonth()]!} ${year}`;
  },
};

const formats = new Map<string, Intl.DateTimeFormat>();

function intlFormat(locale: string): Intl.DateTimeFormat {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    formats.set(locale, format);
  }
  return format;
}

/** The block's date format for `locale` (default en-GB, the block's own, built without Intl), made once. */
export function blockDates(locale = 'en-GB'): BlockDateFormat {
  return locale === 'en-GB' ? EN_GB : intlFormat(locale);
}

/**
 * What goes into the prompt: memories by rank, near-duplicates skipped (diversity), each with
 * the date it was said (so "when" questions can be answered from the block), until the token
 * budget is spent.
 *
 * @example
 * selectForPrompt(results, { budgetTokens: 300 }); // ["I live in Berlin (said 3 Mar 2024)", …]
 */
export function selectForPrompt(ranked: readonly Ranked[], options: SelectOptions = {}): { id: string; line: string; score: number }[] {
  const budget = (options.budgetTokens ?? 300) - BLOCK_OVERHEAD_TOKENS;
  const maxItems = options.maxItems ?? 8;
  const overlap = options.duplicateOverlap ?? 0.6;
  const dates = blockDates(options.locale);
  const chosen: { id: string; line: string; score: number; text: string }[] = [];
  let used = 0;
  for (const r of [...ranked].sort((a, b) => b.score - a.score)) {
    if (chosen.length >= maxItems) break;
    if (chosen.some((c) => wordOverlap(c.text, r.text) >= overlap)) continue;
    const line =
      r.supersededAt === undefined
        ? `${r.text} (said ${dates.format(r.saidAt)})`
        : `${r.text} (no longer true since ${dates.format(r.supersededAt)})`;
    const cost = tokens(`- ${line}\n`);
    if (used + cost > budget) continue; // a shorter, lower-ranked memory may still fit
    used += cost;
    chosen.push({ id: r.id, line, score: r.score, text: r.text });
  }
  return chosen.map(({ id, line, score }) => ({ id, line, score }));
}
