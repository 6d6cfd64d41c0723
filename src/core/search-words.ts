/**
 * The words of a search that say what it is about (not "where", "does", "my"), and whether a text
 * mentions one of them as a word. A leaf module: the background marks which search results mention
 * the query, and the popup says so when none does.
 */
const FUNCTION_WORDS = new Set(
  'a an and are as at be by can could did do does for from had has have he her his how i i\'m in is it its me my of on or our she so that the their them they this to was we were what when where which who why will with would you your about any some much many there here tell know remember'.split(' '),
);

export function searchWords(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu) ?? [])].filter((w) => w.length > 1 && !FUNCTION_WORDS.has(w));
}

/** The whole words of `text`, lower-cased (every one: a search's words are among them when it names them). */
export function textWords(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu) ?? []);
}

/** How many of `words` `text` has as whole words (any case). */
export function mentionCount(text: string, words: readonly string[]): number {
  const own = textWords(text);
  return words.filter((w) => own.has(w)).length;
}
