/**
 * Slots: attributes a user has one value of at a time (where they live, their job, their diet,
 * their name). Two facts in the same slot with different values contradict each other, and the
 * newer one updates the older: "I moved to Amsterdam" updates "I live in Berlin".
 *
 * A habit or taste and its negation share a slot too, so that "I don't drink coffee anymore"
 * updates "I drink coffee" (`pref:drink:coffee`) and "I hate hiking" updates "I love hiking"
 * (`pref:like:hiking`). Having things is not a slot: "I have a dog named Max" and "I have a cat
 * named Tom" are two facts side by side.
 */
interface SlotRule {
  slot: string;
  pattern: RegExp;
}

const JOBS = 'engineer|developer|designer|manager|teacher|nurse|doctor|lawyer|student|scientist|consultant|analyst';

/*
 * Home: where the user lives, as a place ("I live in Berlin", "I moved to Amsterdam", "I'm based
 * in Nairobi", "My home is in Lisbon", "I live in a flat in Kreuzberg"). Living *with* someone,
 * alone, *for* something, *on* a budget is not a home, nor is a past home ("I lived in Tokyo",
 * "I used to live in Paris"): those facts sit beside the home, they do not replace it.
 *
 * "I live near the park" / "next to a bakery" / "close to work" describe the surroundings of the
 * home, true alongside "I live in Berlin", so they take no slot (they must not replace the city);
 * near a named place ("I live near Munich", "just outside Boston") is where the home is, and does.
 */

/** A word between the verb and the place: "I live with my parents in Lyon", "we live happily in Oslo". */
const BETWEEN = String.raw`(?:\s+[^\s,.;:!?]+){0,4}?`;
/** "in"/"at" followed by a state of mind or a time, not a place: "I live in fear", "at the moment". */
const NOT_A_PLACE_IN = String.raw`(?:the )?(?:moment|present|least|times|first|last|once|peace|fear|hope|denial|harmony|luxury|poverty|comfort|style|sin|past|now|future|my head|a bubble|a dream)\b`;
/** "on" followed by what one lives on, not where: "on a budget", "on my own", "on a vegan diet". */
const NOT_A_PLACE_ON = String.raw`(?:(?:(?:a|an|my|our|the)\s+)?(?:[\p{L}-]+\s+)?(?:budget|shoestring|own|pension|salary|income|savings|benefits|welfare|wage|credit|coffee|ramen|noodles|hope|autopilot|time|edge|diet)|less|more|(?:very )?little)\b`;
const PLACE = String.raw`(?:(?:in|at)\s+(?!${NOT_A_PLACE_IN})|on\s+(?!${NOT_A_PLACE_ON})|(?<=based\s+)out\s+of\s)`;
/** The user, then adverbs: "I", "we", "I now", "we still", "I no longer", "I don't". */
const EN_SELF = String.raw`\b(?:i|we)(?:\s+(?:now|currently|still|also|actually|really|mostly|just|recently|no longer|don't|do not|never))*`;
/** Living somewhere now ("live", "I've lived … for years", "I'm living"); not "lived", a past home. */
const EN_LIVE = String.raw`(?:${EN_SELF}\s+(?:live|lives|living|reside|resides|residing)|\b(?:i|we)(?:'ve| have)\s+(?:always\s+|now\s+)?(?:lived|resided)|\b(?:i'm|i am|we're|we are)\s+(?:now\s+|currently\s+|still\s+)?(?:living|residing|based))`;
/** Moving is a home when it says where to (or from): not "I moved the couch", "I moved to a new team". */
const NOT_A_MOVE = String.raw`(?:(?:a|an|the|another|my|our)\s+)?(?:new\s+)?(?:team|job|role|position|department|company|project|stage|level|phase|version|tears|plan|question|topic|tab|folder|branch|file|meeting)\b`;
const EN_MOVED = String.raw`\b(?:i|we)(?:'ve|'d| have| had)?(?:\s+(?:just|recently|finally|also|then|eventually|later|already|now))*\s+(?:moved|relocated)(?:\s+(?:back|over|away|house|here|there|permanently|again|out|across the country|all the way))*\s+(?:(?:to|into)\s+(?!${NOT_A_MOVE})|from\s|out of\s|abroad\b|overseas\b)`;
const rxu = (source: string, flags = 'iu'): RegExp => new RegExp(source, flags);

const HOME_RULES: readonly SlotRule[] = [
  { slot: 'home', pattern: rxu(`${EN_LIVE}${BETWEEN}\\s+${PLACE}`) },
  // Case-sensitive: a named place ("near Munich"), not "near the park".
  {
    slot: 'home',
    pattern: rxu(
      String.raw`\b(?:I|[Ww]e)(?:'ve| have)?(?:\s+\p{Ll}+){0,2}?\s+(?:live|lived|living|based|reside)\s+(?:just\s+|right\s+)?(?:near|outside(?:\s+of)?|close to|next to)\s+\p{Lu}`,
      'u',
    ),
  },
  { slot: 'home', pattern: rxu(EN_MOVED) },
  { slot: 'home', pattern: /\b(?:my )?(?:home|address|hometown) is\b/i },
  {
    slot: 'home',
    pattern: rxu(
      String.raw`\b(?:ich wohne|ich lebe|wir wohnen|wir leben|wohne ich|lebe ich|wohnen wir|leben wir)${BETWEEN}\s+(?:in|im|am|an|auf|nahe|außerhalb|ausserhalb)\s+(?!(?:moment|augenblick|angst|frieden)\b)|\b(?:ich bin nach \p{L}+ gezogen|ich ziehe nach)(?![\p{L}])`,
    ),
  },
  {
    slot: 'home',
    pattern: rxu(
      String.raw`\b(?:j'habite|j’habite|nous habitons)(?!\s+(?:avec|seule?s?|chez|ensemble)(?![\p{L}]))|\b(?:je vis|nous vivons)${BETWEEN}\s+(?:à|a|en|au|aux|dans|près de|sur)\s+(?!(?:l'instant|le moment|la peur)(?![\p{L}]))|\b(?:j'ai déménagé|j’ai déménagé)(?![\p{L}])`,
    ),
  },
  {
    slot: 'home',
    pattern: rxu(
      String.raw`(?:^|\s)(?:(?:ya no|no|todavía|aún|ahora)\s+)?(?:vivo|vivimos)${BETWEEN}\s+(?:en|cerca de|a las afueras de)\s|\bme mud[ée](?:\s+[^\s,.;:!?]+){0,2}?\s+(?:a|al|de|desde|en|para)\s`,
    ),
  },
];

const SLOT_RULES: readonly SlotRule[] = [
  {
    slot: 'name',
    pattern: /\b(my name is|call me|my name's)\b|\b(ich heiße|ich heisse|mein name ist|je m'appelle|je m’appelle|mon nom est|me llamo|mi nombre es)(?![\p{L}])/iu,
  },
  ...HOME_RULES,
  { slot: 'job', pattern: new RegExp(`\\b(i|i'm|i am)\\s+(now\\s+|currently\\s+)?(work|working|employed|a [a-z ]*(${JOBS})|an? (${JOBS}))\\b`, 'i') },
  { slot: 'job', pattern: /\bmy (job|role|position|employer) is\b/i },
  { slot: 'job', pattern: /\b(ich arbeite als|je travaille comme|je suis (?:un |une )?(?:ingénieure?|infirmière?|médecin|professeure?|avocate?|étudiante?)|trabajo (?:como|de)|soy (?:ingenier[oa]|enfermer[oa]|médic[oa]|profesor[a]?|abogad[oa]|estudiante))(?![\p{L}])/iu },
  {
    slot: 'diet',
    pattern: /\b(vegetarian|vegan|pescatarian|eat meat|eat fish|omnivore|carnivore)\b|(vegetari\p{L}*|végétarien\p{L}*|végane|végan|vegan[oa]|vegetarian[oa]|vegetarier\p{L}*|veganer\p{L}*|kein fleisch|pas de viande|ya no como carne|no como carne)/iu,
  },
  { slot: 'age', pattern: /\b(i am|i'm)\s+\d{1,3}(\s+years old)?\b|\bmy age is\b|\b(ich bin \d{1,3}(?: jahre alt)?|j'ai \d{1,3} ans|j’ai \d{1,3} ans|tengo \d{1,3} años)(?![\p{L}])/iu },
];

const FAVOURITE = /\bmy (?:favou?rite|fav) ([a-z]+(?: [a-z]+)?) (?:is|are)\b/i;

/** Verbs of a habit or taste, by the slot they fill (English, German, French, Spanish forms). */
const PREF_VERBS: readonly [string, RegExp][] = [
  ['drink', /^(?:drink|drinking|trinke|bois|bebo)$/i],
  ['eat', /^(?:eat|eating|esse|mange|como)$/i],
  ['smoke', /^(?:smoke|smoking|rauche|fume|fumo)$/i],
  ['like', /^(?:like|love|enjoy|hate|dislike|adore|detest|mag|liebe|hasse|aime|adore|déteste|odio|amo|adoro)$/i],
  ['play', /^(?:play|playing|spiele)$/i],
  ['use', /^(?:use|using|benutze|nutze|utilise|uso)$/i],
  ['own', /^(?:own)$/i],
];
/** Habits without an object worth keeping: "I smoke" / "I quit smoking". */
const NO_OBJECT = new Set(['smoke']);

/** "I (really) (don't | no longer | never | can't stand) <verb> <object>", and "I stopped <verb>ing <object>". */
const PREF = [
  /\b(?:i|we)\s+(?:(?:really|usually|still|now|also|just|absolutely|totally|generally|actually)\s+)*(?:(?:don't|don’t|do not|no longer|never|rarely|can't|cannot|can no longer|didn't|did not)\s+)?(?:(?:really|usually|still|even|ever)\s+)?(?:(?:stopped|quit|gave up|started|began|resumed)\s+)?([a-z]+)\b(.*)$/i,
  /\b(?:ich)\s+([\p{L}]+)(.*)$/iu,
  /\b(?:je|j'|j’)\s*(?:ne\s+|n')?([\p{L}]+)(.*)$/iu,
  /^(?:ya no\s+|no\s+|nunca\s+)?([\p{L}]+)(.*)$/iu,
];
const CANT_STAND = /\bi\s+(?:really\s+)?can(?:'t|not|’t) stand\b(.*)$/i;
/** Words that end the object phrase. */
const OBJECT_END =
  /^(?:anymore|any|more|at|all|every|each|in|on|with|for|since|because|but|and|now|these|nowadays|again|too|either|so|when|if|or|mehr|nicht|jeden|plus|pas|du|tous|ya|todos|cada|en|por|con|y|und|et)$/i;
const DETERMINERS = /^(?:a|an|the|any|much|my|some|of|keinen|kein|keine|einen|ein|eine|den|die|das|de|d|du|des|le|la|les|l|un|una|el|los|las)$/i;

/** A fact says which attribute it sets early on: only its start is read (a fact is 300 characters, a verbatim memory at most 2,000). */
const MAX_SLOT_CHARS = 1000;

/** The slot a fact fills, or null for facts a user can have many of (friends, pets, hobbies). */
const SOMEONE_ELSE =
  /^(?:my|our|the)\s+(?:[\p{L}-]+\s+)?(?:sister|brother|mum|mom|mother|dad|father|parents|wife|husband|partner|boyfriend|girlfriend|fianc[ée]e?|son|daughter|kids?|children|baby|friends?|boss|manager|colleagues?|co-?workers?|roommates?|flatmates?|neighbou?rs?|grandma|grandpa|grandmother|grandfather|grandparents|uncle|aunt|cousins?|niece|nephew|family|team|in-laws|cat|dog|puppy|kitten)\b/iu;
const WITH_ME = /\b(?:and|&)\s+(?:i|me)\b/iu;

export function slotOf(fact: string): string | null {
  const text = fact.slice(0, MAX_SLOT_CHARS);
  // "My sister is vegan", "Our neighbour lives in Leeds": someone else's diet or home, beside the
  // user's, never in its place ("My wife and I live in Oslo" is the user's own).
  if (SOMEONE_ELSE.test(text) && !WITH_ME.test(text)) return null;
  const favourite = FAVOURITE.exec(text);
  if (favourite?.[1]) return `favourite:${favourite[1].toLowerCase()}`;
  const rule = SLOT_RULES.find((r) => r.pattern.test(text))?.slot;
  if (rule) return rule;
  return preferenceSlot(text);
}


/** `pref:<verb>:<object>` for a habit or taste, the same for its negation; null otherwise. */
function preferenceSlot(fact: string): string | null {
  const text = fact.replace(/[’‘]/g, "'").slice(0, 300);
  const cantStand = CANT_STAND.exec(text);
  const candidates: [string, string][] = cantStand ? [['like', cantStand[1] ?? '']] : [];
  for (const pattern of PREF) {
    const m = pattern.exec(text);
    if (!m?.[1]) continue;
    const verb = canonicalVerb(m[1]);
    if (verb) candidates.push([verb, m[2] ?? '']);
  }
  const [found] = candidates;
  if (!found) return null;
  const [verb, rest] = found;
  if (NO_OBJECT.has(verb)) return `pref:${verb}`;
  const object = objectHead(rest);
  return object ? `pref:${verb}:${object}` : null;
}

function canonicalVerb(word: string): string | null {
  return PREF_VERBS.find(([, pattern]) => pattern.test(word))?.[0] ?? null;
}

/** The last word of the object phrase, before any adverb or preposition: "black coffee every morning" → "coffee". */
function objectHead(rest: string): string | null {
  const words = rest
    .toLowerCase()
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(Boolean);
  const phrase: string[] = [];
  for (const w of words) {
    if (OBJECT_END.test(w)) {
      if (phrase.length > 0) break;
      continue;
    }
    if (DETERMINERS.test(w)) continue;
    phrase.push(w);
    if (phrase.length >= 4) break;
  }
  return phrase.at(-1) ?? null;
}
