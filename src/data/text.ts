/**
 * Text as imports read it: control characters and broken UTF-16 removed, bounded in length, and
 * dates in the forms exports and pasted lists write them.
 */

/** Control characters other than tab, line feed and carriage return, and DEL and the C1 controls. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** Half of a UTF-16 surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A message's text for extraction: no control characters (line breaks kept, as `\n`), no broken
 * UTF-16, trimmed. The engine cleans every fact further (pipeline/normalize.ts `cleanText`).
 */
export function plainText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(LONE_SURROGATE, '').replace(CONTROLS, '').trim();
}

/**
 * The first `max` characters of `text` (never half a surrogate pair), and whether it was cut.
 *
 * @example
 * head('abcdef', 3) // { text: 'abc', cut: true }
 */
export function head(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return { text: text.slice(0, end).trimEnd(), cut: true };
}

/** The last `max` characters of `text` (never half a surrogate pair): the end of an answer. */
export function tail(text: string, max: number): string {
  if (text.length <= max) return text;
  let start = text.length - max;
  const first = text.charCodeAt(start);
  if (first >= 0xdc00 && first <= 0xdfff) start++;
  return text.slice(start).trimStart();
}

/** The longest id an import keeps (conversation and message ids); a longer one is not an id. */
export const MAX_ID_CHARS = 200;

/** An id from a file: a non-empty string (or a finite number) of at most MAX_ID_CHARS, without control characters. */
export function idOf(value: unknown): string | null {
  const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof raw !== 'string') return null;
  const id = plainText(raw).replace(/\s+/g, ' ');
  return id.length > 0 && id.length <= MAX_ID_CHARS ? id : null;
}

/**
 * Split `text` into pieces of at most `max` characters, at sentence ends where it can, else at
 * spaces, else anywhere: a saved memory longer than a memory may be is kept whole, in parts.
 */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const m of window.matchAll(/[.!?;。！？](?=\s)/gu)) if (m.index < max) cut = m.index + 1;
    if (cut < max / 4) cut = window.lastIndexOf(' ', max);
    if (cut < max / 4) cut = head(rest, max).text.length;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces.filter(Boolean);
}

/** The earliest and latest times an import accepts as a date (ms since epoch): 1990 to 2200. */
export const EARLIEST = Date.UTC(1990, 0, 1);
export const LATEST = Date.UTC(2200, 0, 1);

const inRange = (ms: number): number | undefined => (Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST ? ms : undefined);

/**
 * A time as exports write it, in ms since epoch: Unix seconds (ChatGPT's `create_time`, a float),
 * ms, or an ISO string (Claude, Mem0). Undefined when absent or not a plausible date.
 */
export function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return inRange(Math.abs(value) < 1e11 ? value * 1000 : value);
  if (typeof value === 'string' && value.length <= 64) {
    const trimmed = value.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return timeOf(Number(trimmed));
    return inRange(Date.parse(trimmed));
  }
  return undefined;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function monthOf(name: string): number | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  if (lower.length < 3) return undefined;
  const i = MONTHS.findIndex((m) => m.startsWith(lower) && (lower.length === 3 || lower === m || (lower === 'sept' && m === 'september')));
  return i >= 0 ? i : undefined;
}

function utcDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month && d.getUTCDate() === day ? inRange(ms) : undefined;
}

/**
 * A calendar date as people and memory lists write it, as ms since epoch (that day, 00:00 UTC; an
 * ISO date-time keeps its time): `2025-03-14`, `2025/03/14`, `2025-03-14T09:30:00Z`,
 * `March 14, 2025`, `Mar 14 2025`, `14 March 2025`. Numeric day/month orders other than
 * year-month-day are ambiguous and not read. Undefined when it is not one of these.
 *
 * @example
 * dateOf('March 14, 2025') === Date.UTC(2025, 2, 14)
 */
export function dateOf(text: string): number | undefined {
  const s = text.trim();
  if (s.length > 40) return undefined;
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s);
  if (m) return utcDay(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s)) {
    const day = utcDay(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
    const iso = s.replace(' ', 'T');
    // Without a zone it is read as UTC, as the date-only forms are (not as the device's local time).
    return day === undefined ? undefined : inRange(Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`));
  }
  m = /^([A-Za-z]{3,9}\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(s);
  if (m) {
    const month = monthOf(m[1]!);
    return month === undefined ? undefined : utcDay(Number(m[3]), month, Number(m[2]));
  }
  m = /^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9}\.?),?\s+(\d{4})$/.exec(s);
  if (m) {
    const month = monthOf(m[2]!);
    return month === undefined ? undefined : utcDay(Number(m[3]), month, Number(m[1]));
  }
  return undefined;
}
