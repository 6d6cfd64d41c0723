/**
 * Saved memories pasted as text: ChatGPT's "Manage memories" list copied (one memory a line,
 * maybe as a bulleted or numbered list), Claude's memory text (paragraphs under headings), or
 * lines dated as `[2025-03-14] - memory` / `[March 14, 2025] - memory` / `2025-03-14: memory`.
 * Each line becomes a memory, dated when it says when; headings, blank lines and lines without
 * words are skipped; a line longer than a memory may be is split at sentence ends; a memory
 * given twice is kept once (the first).
 */
import { comparisonKey, cleanText, factHash, hasWords } from '../pipeline/normalize';
import { MAX_MEMORY_CHARS } from '../engine/add';
import { ImportError, plural, previewOf, Warnings, type ImportPreview, type ImportResult } from './import-result';
import type { ImportedMemory } from './imported';
import { dateOf, splitText } from './text';

/** The most text read from one paste (characters). */
export const MAX_PASTE_CHARS = 2_000_000;
/** The most lines read from one paste. */
export const MAX_LINES = 50_000;

const NO_SCOPE = { userId: null, agentId: null, runId: null, space: null };

/** A list marker: `-`, `*`, `•` and other bullets, `1.`, `1)`, `(1)`, a checkbox. */
const MARKER = /^(?:[-*+•◦▪▫‣⁃–—·]|\d{1,3}[.)]|\(\d{1,3}\)|\[[ xX]\])\s+/u;
/** A line without its list markers (`- [ ] `, `1. • `). */
function unmarked(line: string): string {
  let rest = line.trim();
  for (let i = 0; i < 3 && MARKER.test(rest); i++) rest = rest.replace(MARKER, '');
  return rest;
}
/** A date in brackets first: `[2025-03-14] - memory`, `[March 14, 2025]: memory`, `[2025-03-14] memory`. */
const BRACKETED_DATE = /^\[([^\]]{6,40})\]\s*(?:[-–—:|]\s*)?(.*)$/u;
/** A date first, then a dash or colon: `2025-03-14 - memory`, `March 14, 2025: memory`. */
const LEADING_DATE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4})\s*[-–—:|]\s+(.*)$/u;

/** Titles the sites' memory pages show above the list, copied with it. */
const PAGE_TITLES = new Set(['memory', 'memories', 'saved memories', 'manage memories', 'memory updated', 'your memories', 'what claude remembers']);

/**
 * A line that is a heading, not a memory: a title of the memory page, a markdown heading, a bold
 * line, a short line ending in a colon.
 */
function isHeading(line: string): boolean {
  return (
    PAGE_TITLES.has(line.toLowerCase().replace(/[.:]$/, '')) ||
    /^#{1,6}\s/.test(line) ||
    /^(\*\*|__)[^*_]{1,120}\1:?$/.test(line) ||
    (line.length <= 60 && /:$/.test(line) && !/[.!?]/.test(line))
  );
}

/**
 * The memories in pasted text, in the order given. Throws an ImportError when the text is not a
 * string or is too long to be a list of memories.
 *
 * @example
 * parseSavedMemories('- Is vegetarian\n[2025-03-14] - Lives in Berlin').items
 * // [{ text: 'Is vegetarian', … }, { text: 'Lives in Berlin', at: Date.UTC(2025, 2, 14), … }]
 */
export function parseSavedMemories(text: unknown): ImportResult<ImportedMemory> {
  if (typeof text !== 'string') throw new ImportError('pasted text', 'expected text');
  if (text.length > MAX_PASTE_CHARS) {
    throw new ImportError('pasted text', `is ${text.length} characters long; paste at most ${MAX_PASTE_CHARS} (a list of memories, not documents)`);
  }
  const lines = text.split(/\r\n|\r|\n|\u2028|\u2029/);
  if (lines.length > MAX_LINES) throw new ImportError('pasted text', `has ${lines.length} lines; paste at most ${MAX_LINES}`);
  const warnings = new Warnings();
  const items: ImportedMemory[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of lines.entries()) {
    const where = `line ${i + 1}`;
    let line = cleanText(raw);
    if (line === '' || isHeading(line)) continue;
    line = unmarked(line);
    let date: number | undefined;
    const dated = BRACKETED_DATE.exec(line) ?? LEADING_DATE.exec(line);
    if (dated && /\d{4}/.test(dated[1]!)) {
      // A date first (valid or not: `[2025-02-30]` is a date the user meant, not part of the memory).
      date = dateOf(dated[1]!);
      if (date === undefined) warnings.add(where, `the date “${dated[1]!}” is not a date Engram understands; the memory was kept undated`);
      line = unmarked(dated[2]!);
    }
    if (line === '' || isHeading(line)) continue;
    if (!hasWords(line)) {
      if (/\p{L}/u.test(line)) warnings.add(where, 'skipped: not a memory in words');
      continue;
    }
    const parts = line.length > MAX_MEMORY_CHARS ? splitText(line, MAX_MEMORY_CHARS) : [line];
    if (parts.length > 1) warnings.add(where, `longer than a memory may be (${MAX_MEMORY_CHARS} characters): kept as ${parts.length} memories`);
    for (const part of parts) {
      const key = comparisonKey(part);
      if (seen.has(key)) {
        warnings.tally('duplicates', (n) => `${plural(n, 'memory was', 'memories were')} given more than once and kept once`);
        continue;
      }
      seen.add(key);
      items.push({
        source: 'saved-memories',
        text: part,
        ...(date === undefined ? {} : { at: date }),
        metadata: {},
        where,
        importKey: `saved-memories/${factHash(part, NO_SCOPE)}`,
      });
    }
  }
  return { items, warnings: warnings.toArray() };
}

/** What importing pasted memories would add: how many, the first five, the warnings. */
export function previewSavedMemories(text: unknown): ImportPreview<ImportedMemory> {
  return previewOf(parseSavedMemories(text));
}
