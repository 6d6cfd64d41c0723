/**
 * Text normalisation for storage and comparison: what counts as "the same fact".
 */

/**
 * Invisible characters that change nothing a reader sees, or that make text read differently
 * from what it is: zero-width space, soft hyphen, bidi marks, embeddings, overrides and isolates,
 * word joiner and invisible operators, BOM, Hangul fillers, Mongolian vowel separator, the
 * combining grapheme joiner, deprecated format controls, interlinear annotation marks and
 * noncharacters. The zero-width (non-)joiners are handled apart (see `JOINERS`).
 */
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class -- single invisible characters, each removed on its own
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\uFDD0-\uFDEF\uFFFE\uFFFF]/g;
/** C0 and C1 control characters that separate (information separators, next line): a space. */
// eslint-disable-next-line no-control-regex -- control characters are what this replaces
const SEPARATOR_CONTROLS = /[\u001C-\u001F\u0085]/g;
/** Every other control character except the white space that `\s` already covers: removed. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROLS = /[\u0000-\u0008\u000E-\u001B\u007F-\u0084\u0086-\u009F]/g;
/** Half of a UTF-16 surrogate pair without its other half (not a character at all). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * Tag characters: invisible ASCII look-alikes (text can be smuggled in them). Kept only in the
 * emoji tag sequences of subdivision flags (🏴 + tags + cancel tag, e.g. the flag of Scotland).
 */
const TAGS = /(\u{1F3F4}[\u{E0020}-\u{E007E}]{1,8}\u{E007F})|[\u{E0000}-\u{E007F}]/gu;
/** Variation selectors: one after a character picks its glyph; a run of them hides data. */
const SELECTOR_RUN = /([\uFE00-\uFE0F\u{E0100}-\u{E01EF}])[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]+|(^|\s)[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]+/gu;
/** Zero-width non-joiner and joiner. */
const JOINERS = /[\u200C\u200D]+/g;
/** A character a joiner may follow in an emoji sequence (🐈‍⬛, 👩🏽‍💻, 🏳️‍🌈). */
const EMOJI_BEFORE_JOINER = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]/u;
/** Letters and marks of scripts that are shaped with joiners (Arabic and Persian, Indic scripts…). */
const JOINING_SCRIPT = /[\p{L}\p{M}]/u;
const NON_JOINING_SCRIPT = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Armenian}\p{Script=Common}\p{Script=Inherited}]/u;

/**
 * Clean text for storage: well-formed UTF-16, NFC, no control characters (white space ones become
 * spaces), no invisible characters, no joiner outside an emoji sequence or a script that needs
 * it, collapsed white space. Every stored memory, query and extracted fact goes through this.
 */
export function cleanText(text: string): string {
  return text
    .replace(LONE_SURROGATE, '')
    .normalize('NFC')
    .replace(SEPARATOR_CONTROLS, ' ')
    .replace(CONTROLS, '')
    .replace(INVISIBLE, '')
    .replace(TAGS, (_, flag: string | undefined) => flag ?? '')
    .replace(SELECTOR_RUN, (_, kept: string | undefined, space: string | undefined) => kept ?? space ?? '')
    .replace(JOINERS, joinerOrNothing)
    .replace(/\s+/g, ' ')
    .trim();
}

/** A joiner stays where it joins: after an emoji, or between letters of a script shaped with joiners. */
function joinerOrNothing(joiners: string, at: number, text: string): string {
  const before = codePointBefore(text, at);
  const after = String.fromCodePoint(text.codePointAt(at + joiners.length) ?? 0x20);
  if (/\s/u.test(after)) return '';
  if (EMOJI_BEFORE_JOINER.test(before)) return joiners.charAt(0);
  const joinsLetters = JOINING_SCRIPT.test(before) && !NON_JOINING_SCRIPT.test(before) && JOINING_SCRIPT.test(after);
  return joinsLetters ? joiners.charAt(0) : '';
}

function codePointBefore(text: string, at: number): string {
  if (at === 0) return ' ';
  const low = text.charCodeAt(at - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && at >= 2 ? at - 2 : at - 1;
  return String.fromCodePoint(text.codePointAt(start) ?? 0x20);
}

/** At least this many letters, in word-like tokens, make text worth remembering. */
export const MIN_LETTERS = 2;
/** At least this share of a text's characters (outside pure punctuation or emoji) must be in words. */
export const MIN_WORD_SHARE = 0.6;
/**
 * Punctuation and symbols around a word ("(Berlin),", "«oui»", "€5", "25°C"), emoji and their
 * modifiers: ASCII and general punctuation, currency, arrows, dingbats, CJK and full-width
 * punctuation, emoji. Not the replacement character, nor the rarer Latin-1 signs (©, ¾, ¬…)
 * that stray bytes decode to.
 */
const EDGE_CHARS =
  "[!-/:-@[-`{-~\u00A1-\u00A5\u00A7\u00AB\u00B0\u00B1\u00B7\u00BB\u00BF\u2010-\u2BFF\u3000-\u303F\uFE10-\uFE6F\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65\u{1F000}-\u{1FAFF}\u200C\u200D\uFE00-\uFE0F\u{E0020}-\u{E007F}\u{E0100}-\u{E01EF}]";
// eslint-disable-next-line no-misleading-character-class -- joiners and selectors are stripped one by one
const EDGES = new RegExp(`^${EDGE_CHARS}+|${EDGE_CHARS}+$`, 'gu');
/**
 * A word, a number, or a run of them joined by the punctuation of names, addresses and code:
 * "don't", "e-mail", "3.5", "C#", "me@example.com", "https://example.com/a?b=1".
 */
const WORD = /^[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}]*(?:[-'’.,&_/\\@+:#·=?%~]+[\p{L}\p{M}\p{Nd}]+)*$/u;
const LATIN_LETTER = /\p{Script=Latin}/u;
/** A run of letters of one case. */
const CASE_RUN = /\p{Lu}+|\p{Ll}+/gu;

/**
 * Not a word, though made of letters: mostly accented Latin-1 letters ("æÌÅþÀçs", what random
 * bytes decode to, where a French or German word has one or two), or case switching back and forth
 * around single lower-case letters ("IÔÄÿÎUúBx"; not "JavaScript", "YouTube", "McDonald").
 */
function isLetterSoup(word: string): boolean {
  let latin = 0;
  let accented = 0;
  for (const ch of word) {
    if (!LATIN_LETTER.test(ch)) continue;
    latin++;
    if (ch >= '\u00C0' && ch <= '\u00FF') accented++;
  }
  if (accented >= 2 && accented * 2 > latin) return true;
  let lonelyLower = 0;
  for (const [letters] of word.matchAll(/\p{L}+/gu)) {
    const runs = letters.match(CASE_RUN) ?? [];
    for (let i = 1; i < runs.length - 1; i++) if (runs[i]!.length === 1 && runs[i] !== runs[i]!.toUpperCase()) lonelyLower++;
  }
  return lonelyLower >= 2;
}

/**
 * True when text reads as words: it has letters in word-like tokens, and most of it (`minShare`)
 * is words rather than symbols, replacement characters and stray bytes. Random bytes, "!!!! 1234 ????",
 * and emoji alone are not worth remembering; "I love 🍕" and "I use https://example.com" are.
 *
 * @example
 * hasWords('I live in Berlin'); // true
 * hasWords('!!!! 1234 ????'); // false
 */
export function hasWords(text: string, minShare = MIN_WORD_SHARE): boolean {
  let letters = 0;
  let inWords = 0;
  let outside = 0;
  for (const token of text.split(/\s+/)) {
    const core = token.replace(EDGES, '');
    if (core === '') continue; // punctuation or emoji alone: neither words nor noise
    if (WORD.test(core) && !isLetterSoup(core)) {
      inWords += token.length;
      letters += core.match(/\p{L}/gu)?.length ?? 0;
    } else {
      outside += token.length;
    }
  }
  return letters >= MIN_LETTERS && inWords >= minShare * (inWords + outside);
}

/** The comparison key of a fact: case- and punctuation-insensitive. */
export function comparisonKey(text: string): string {
  return cleanText(text)
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[.!?;,:\s]+$/u, '')
    .replace(/\s+/g, ' ');
}

export interface ScopeKey {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  space: string | null;
}

/** A stable hash (FNV-1a, 52 bits, hex) of a fact in its scope. */
export function factHash(text: string, scope: ScopeKey): string {
  const input = [comparisonKey(text), scope.userId ?? '', scope.agentId ?? '', scope.runId ?? '', scope.space ?? ''].join('\u0000');
  // Two 32-bit FNV-1a lanes with different offsets, for 64 bits of spread.
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Control characters (not white space), replacement characters and lone surrogates: decoding debris. */
// eslint-disable-next-line no-control-regex -- control characters are what this counts
const DEBRIS = /[\u0000-\u0008\u000E-\u001F\u007F-\u0084\u0086-\u009F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Text with at least this many debris characters… */
export const MIN_DEBRIS = 16;
/** …making up at least this share of it is binary data decoded as text, not something said. */
export const DEBRIS_SHARE = 0.01;

/**
 * True for binary data decoded as text (a file pasted or dropped into the chat box): control
 * characters, U+FFFD and lone surrogates throughout. Written text has none, or one or two.
 */
export function looksBinary(text: string): boolean {
  const debris = text.match(DEBRIS)?.length ?? 0;
  return debris >= MIN_DEBRIS && debris >= DEBRIS_SHARE * text.length;
}

