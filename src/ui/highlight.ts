/**
 * Which words of a memory a search names, for highlighting them in the results. The engine ranks
 * (stems, synonyms, meaning); this only marks the words the user can see in both.
 */

/** A piece of text, marked when it is a word of the search. */
export interface Segment {
  text: string;
  mark: boolean;
}

/** Words too common to be worth highlighting. */
const STOP = new Set(
  'a an and are as at be but by do does did for from had has have he her his how i if in into is it its me my of on or our she so than that the their them then there they this to was we were what when where which who why will with you your'.split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** The search's words worth marking, lower-cased. */
export function searchWords(query: string): string[] {
  const words = query.toLowerCase().match(WORD) ?? [];
  return [...new Set(words.filter((w) => w.length >= 2 && !STOP.has(w)))];
}

/** Endings that make another form of the same word ("dog" → "dogs", "live" → "lived", "walk" → "walking"). */
const ENDINGS = ['s', 'es', 'd', 'ed', 'ing', 'er', 'ers', "'s", '’s'];

/** Whether a word of the memory matches a word of the search ("dogs" ~ "dog", "living" ~ "lives"), not merely starts like it ("Maxine" ≁ "Max"). */
function sameWord(word: string, searched: string): boolean {
  if (word === searched) return true;
  const stem = (w: string): string => {
    for (const ending of [...ENDINGS].sort((a, b) => b.length - a.length)) {
      if (w.length - ending.length >= 3 && w.endsWith(ending)) return w.slice(0, -ending.length);
    }
    return w;
  };
  const a = stem(word);
  const b = stem(searched);
  // "live" and "liv(ing)": a final e dropped before an ending.
  return a === b || a.replace(/e$/, '') === b.replace(/e$/, '');
}

/**
 * `text` cut into segments, the words the search names marked.
 *
 * @example
 * highlight('My dog is called Max', 'dog walks')
 * // [{ text: 'My ', mark: false }, { text: 'dog', mark: true }, { text: ' is called Max', mark: false }]
 */
export function highlight(text: string, query: string): Segment[] {
  const wanted = searchWords(query);
  if (wanted.length === 0) return [{ text, mark: false }];
  const out: Segment[] = [];
  let last = 0;
  const push = (piece: string, mark: boolean): void => {
    if (!piece) return;
    const prev = out.at(-1);
    if (prev && prev.mark === mark) prev.text += piece;
    else out.push({ text: piece, mark });
  };
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    if (!wanted.some((w) => sameWord(word, w))) continue;
    push(text.slice(last, match.index), false);
    push(match[0], true);
    last = match.index + match[0].length;
  }
  push(text.slice(last), false);
  return out;
}
