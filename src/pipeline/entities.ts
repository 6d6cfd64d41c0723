/**
 * Entities named in a text: people, projects, places and pets written as proper names ("Atlas",
 * "Priya", "Lisbon", "Max"). Memories that name the same entity are linked, so a question about
 * one fact also draws its neighbours: "Who manages Atlas?" finds "Atlas is managed by Priya", and
 * then "Priya lives in Lisbon".
 */
const NOT_NAMES = new Set(
  `I I'm I've I'd I'll Im My Me We Our You Your The A An And But Or So If Then When What Which Who Whom Whose Where Why How
  This That These Those It Its There Here Yes No Ok Okay Oh Hi Hey Hello Thanks Thank Please Sorry Well Also Just
  Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September
  October November December Today Tomorrow Yesterday Ich Je Yo Mi Mein Meine Mon Ma Le La Les El Los`.split(/\s+/),
);

/** Lower-cased proper names in `text`: capitalised words other than pronouns, articles, days… */
export function entitiesOf(text: string): string[] {
  const found = new Set<string>();
  const words = text.match(/[\p{L}][\p{L}'’-]*/gu) ?? [];
  const sentenceStarts = new Set<number>();
  let index = 0;
  for (const match of text.matchAll(/(?:^|[.!?]\s+)([\p{L}])/gu)) sentenceStarts.add(match.index + match[0].length - 1);
  for (const word of words) {
    const at = text.indexOf(word, index);
    index = at + word.length;
    const clean = word.replace(/['’]s$/u, '');
    if (!/^\p{Lu}/u.test(clean) || clean.length < 2 || NOT_NAMES.has(clean)) continue;
    // At a sentence start any word is capitalised: "Running is fun" names nothing.
    if (sentenceStarts.has(at) && /(?:ing|ed|ly)$/u.test(clean) && !/^\p{Lu}{2,}$/u.test(clean)) continue;
    found.add(clean.toLowerCase());
  }
  return [...found];
}
