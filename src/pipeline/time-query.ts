/**
 * The time a query asks about: "What did I cook on 13 October, 2023?", "Where did I travel in
 * July 2022?", "in May", "in 2022", "last week", "yesterday". Memories said in that window are
 * drawn into the candidates and ranked up (see Memory.search), so a question anchored in time
 * reaches what was said then even when it shares no word with it.
 *
 * English month names, with German, French and Spanish ones, in day-month-year, month-day-year,
 * month-year, month and year forms. Every pattern is linear.
 */

export interface TimeWindow {
  /** Start of the period asked about, ms since epoch (UTC). */
  from: number;
  /** End of the period (exclusive). */
  to: number;
  /** How finely the query named it. */
  unit: 'day' | 'week' | 'month' | 'year';
}

const DAY_MS = 86_400_000;

const MONTH_NAMES: readonly (readonly string[])[] = [
  ['january', 'jan', 'januar', 'janvier', 'enero'],
  ['february', 'feb', 'februar', 'février', 'fevrier', 'febrero'],
  ['march', 'mar', 'märz', 'maerz', 'mars', 'marzo'],
  ['april', 'apr', 'avril', 'abril'],
  ['may', 'mai', 'mayo'],
  ['june', 'jun', 'juni', 'juin', 'junio'],
  ['july', 'jul', 'juli', 'juillet', 'julio'],
  ['august', 'aug', 'août', 'aout', 'agosto'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre'],
  ['october', 'oct', 'oktober', 'octobre', 'octubre'],
  ['november', 'nov', 'novembre', 'noviembre'],
  ['december', 'dec', 'dezember', 'décembre', 'decembre', 'diciembre'],
];
const MONTH_INDEX = new Map(MONTH_NAMES.flatMap((names, i) => names.map((n) => [n, i] as const)));
const MONTH = `(${[...MONTH_INDEX.keys()].sort((a, b) => b.length - a.length).join('|')})\\.?`;
const END = '(?![\\p{L}\\p{N}])';
const ORD = '(?:st|nd|rd|th|er|\\.)?';

const DAY_MONTH_YEAR = new RegExp(`(?<![\\p{L}\\p{N}])(\\d{1,2})${ORD}\\s+(?:of\\s+|de\\s+)?${MONTH}${END},?\\s+(?:de\\s+)?(\\d{4})${END}`, 'iu');
const MONTH_DAY_YEAR = new RegExp(`(?<![\\p{L}\\p{N}])${MONTH}${END}\\s+(\\d{1,2})${ORD},?\\s+(\\d{4})${END}`, 'iu');
const MONTH_YEAR = new RegExp(`(?<![\\p{L}\\p{N}])${MONTH}${END},?\\s+(?:of\\s+|de\\s+)?(\\d{4})${END}`, 'iu');
/** A month alone needs a preposition, so that "may" the verb is not read as May. */
const MONTH_ALONE = new RegExp(`(?<![\\p{L}\\p{N}])(?:in|during|since|im|en|durante)\\s+(?:early\\s+|late\\s+|mid-?\\s*)?${MONTH}${END}`, 'iu');
const YEAR = /(?<![\p{L}\p{N}])(19\d{2}|20\d{2})(?![\p{L}\p{N}])/u;
const RELATIVE =
  /(?<![\p{L}\p{N}])(yesterday|last\s+(?:week(?:end)?|month|year)|this\s+(?:week(?:end)?|month|year)|(?:a|one|two|three|\d+)\s+(?:days?|weeks?)\s+ago)(?![\p{L}\p{N}])/iu;

const startOfDay = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

/**
 * Words one of the patterns above needs (besides a digit): a prompt with none of them names no
 * time, and is answered without running the patterns. Most prompts name none, and the patterns'
 * first run compiles them (Unicode-aware and case-insensitive: several ms on the first recall of
 * a worker that just started, which a user waits on).
 */
const CUES: readonly string[] = ['yesterday', 'last', 'this', 'ago', ...MONTH_INDEX.keys()];

/** Whether `query` may name a time: a necessary condition of every pattern, cheap to check. */
function mayNameTime(query: string): boolean {
  if (/\d/.test(query)) return true;
  const lower = query.toLowerCase();
  return CUES.some((cue) => lower.includes(cue));
}

/** The period `query` asks about, or null when it names none. `now` anchors "last week". */
export function timeWindowOf(query: string, now: number): TimeWindow | null {
  if (!mayNameTime(query)) return null;
  let m = DAY_MONTH_YEAR.exec(query);
  if (m) return day(Number(m[3]), monthOf(m[2]), Number(m[1]));
  m = MONTH_DAY_YEAR.exec(query);
  if (m) return day(Number(m[3]), monthOf(m[1]), Number(m[2]));
  m = MONTH_YEAR.exec(query);
  if (m) return month(Number(m[2]), monthOf(m[1]));
  m = MONTH_ALONE.exec(query);
  if (m) {
    // The last such month up to now: asked in March, "in May" is last year's May.
    const index = monthOf(m[1]);
    const today = new Date(now);
    const year = index <= today.getUTCMonth() ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
    return month(year, index);
  }
  m = YEAR.exec(query);
  if (m) {
    const year = Number(m[1]);
    return { from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1), unit: 'year' };
  }
  m = RELATIVE.exec(query);
  if (m) return relative(m[1]!.toLowerCase().replace(/\s+/g, ' '), now);
  return null;
}

function monthOf(name: string | undefined): number {
  return MONTH_INDEX.get((name ?? '').toLowerCase()) ?? 0;
}

function day(year: number, monthIndex: number, date: number): TimeWindow | null {
  if (date < 1 || date > 31) return null;
  const from = Date.UTC(year, monthIndex, date);
  return { from, to: from + DAY_MS, unit: 'day' };
}

function month(year: number, monthIndex: number): TimeWindow {
  return { from: Date.UTC(year, monthIndex, 1), to: Date.UTC(year, monthIndex + 1, 1), unit: 'month' };
}

const COUNTS: Record<string, number> = { a: 1, one: 1, two: 2, three: 3 };

function relative(phrase: string, now: number): TimeWindow {
  const today = startOfDay(now);
  const date = new Date(now);
  if (phrase === 'yesterday') return { from: today - DAY_MS, to: today, unit: 'day' };
  if (phrase === 'last week' || phrase === 'last weekend') return { from: today - 14 * DAY_MS, to: today, unit: 'week' };
  if (phrase === 'this week' || phrase === 'this weekend') return { from: today - 7 * DAY_MS, to: today + DAY_MS, unit: 'week' };
  if (phrase === 'last month') return month(date.getUTCFullYear(), date.getUTCMonth() - 1);
  if (phrase === 'this month') return month(date.getUTCFullYear(), date.getUTCMonth());
  const y = date.getUTCFullYear();
  if (phrase === 'last year') return { from: Date.UTC(y - 1, 0, 1), to: Date.UTC(y, 0, 1), unit: 'year' };
  if (phrase === 'this year') return { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1), unit: 'year' };
  // "three days ago", "2 weeks ago": that day or week, give or take one unit.
  const [count = '1', unit = 'day'] = phrase.split(' ');
  const n = COUNTS[count] ?? Number(count);
  const span = unit.startsWith('week') ? 7 * DAY_MS : DAY_MS;
  return { from: today - (n + 1) * span, to: today - (n - 1) * span + DAY_MS, unit: unit.startsWith('week') ? 'week' : 'day' };
}

/**
 * Days after the period during which what was said still counts as about it: people tell of a
 * trip in July early in August ("last week I …").
 */
export const SAID_AFTER_DAYS: Record<TimeWindow['unit'], number> = { day: 2, week: 3, month: 10, year: 30 };

/** True when a memory said at `saidAt` may be about the period `window`. */
export function saidWithin(window: TimeWindow, saidAt: number): boolean {
  return saidAt >= window.from - DAY_MS && saidAt < window.to + SAID_AFTER_DAYS[window.unit] * DAY_MS;
}
