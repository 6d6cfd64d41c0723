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

const SLOT_RULES: readonly SlotRule[] = [
  {
    slot: 'name',
    pattern: /\b(my name is|call me|my name's)\b|\b(ich heiße|ich heisse|mein name ist|je m'appelle|je m’appelle|mon nom est|me llamo|mi nombre es)(?![\p{L}])/iu,
  },
  { slot: 'home', pattern: /\b(i|we)\s+(now\s+|currently\s+|still\s+|no longer\s+|don't\s+|do not\s+|just\s+|recently\s+)?(live|living|lives|moved|relocated|reside|am based|'m based|am living|'m living)\b/i },
  { slot: 'home', pattern: /\b(i'm|i am|we're|we are)\s+(now\s+|currently\s+)?(based|living)\s+in\b/i },
  { slot: 'home', pattern: /\bmy (home|address|hometown) is\b/i },
  {
    slot: 'home',
    pattern: /\b(ich wohne|ich lebe|wir wohnen|ich bin nach \p{L}+ gezogen|ich ziehe nach|j'habite|j’habite|je vis|j'ai déménagé|j’ai déménagé|nous habitons|vivo en|vivimos en|me mudé|me mude)(?![\p{L}])|^(ya no )?vivo(?![\p{L}])/iu,
  },
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

/** The slot a fact fills, or null for facts a user can have many of (friends, pets, hobbies). */
export function slotOf(fact: string): string | null {
  const favourite = FAVOURITE.exec(fact);
  if (favourite?.[1]) return `favourite:${favourite[1].toLowerCase()}`;
  const rule = SLOT_RULES.find((r) => r.pattern.test(fact))?.slot;
  if (rule) return rule;
  return preferenceSlot(fact);
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
