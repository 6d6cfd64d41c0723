/**
 * Relations between the user and the entities a fact names, and between those entities:
 * "I work on project Atlas" → user –work on→ atlas; "Atlas is managed by Priya" → atlas –managed
 * by→ priya; "Priya lives in Lisbon" → priya –lives in→ lisbon; "My dog is called Max" → user
 * –dog→ max. Stored with each memory (Memory.add), listed by Memory.graph().
 *
 * Entities are the proper names of entities.ts. The verb phrase comes from compromise's English
 * part-of-speech tagger (a well-kept tagger rather than hand-written verb lists); facts in other
 * languages get no relation, and their entities are still linked by co-mention.
 */
import { compromise } from '../vendor/lazy.cjs';
import type { Relation } from '../core/types';
import { entitiesOf } from './entities';

export type { Relation };

export const USER = 'user';

/** Relations of at most this many words in the predicate ("is managed by" → "managed by"). */
const MAX_PREDICATE_WORDS = 4;
const AUXILIARIES = new Set(['is', 'are', 'was', 'were', 'am', "'m", 'be', 'been', 'being', 'has', 'have', 'had', "'s", "'re", "'ve", 'do', 'does', 'did', 'will', "'ll", 'just', 'also', 'now', 'still']);
const FIRST_PERSON = /^(?:i|i'm|i've|i'd|i'll|we|we're|we've|me and my)\b/i;
/** "My sister Anna …", "my best friend Jonas …", "My dog is called Max". */
const MY_NOUN = /^my\s+((?:best\s+|older\s+|younger\s+|little\s+|big\s+)?[a-z-]+)\s+/i;
const NAMING = /^(?:is\s+|was\s+)?(?:called|named)\s+/i;
/** "I have a dog named Max", "We adopted a rescue greyhound called Pepper". */
const HAS_NAMED = /\b(?:a|an|my|our)\s+((?:[a-z-]+\s+){0,2}?[a-z-]+)\s+(?:called|named)\s+(\p{Lu}[\p{L}'’-]*)/u;

/** The relations stated by one fact (none when it names no entity). */
export function relationsOf(fact: string): Relation[] {
  const text = fact.trim();
  const entities = entitiesOf(text);
  if (entities.length === 0) return [];
  const out: Relation[] = [];
  const add = (subject: string, predicate: string, object: string): void => {
    const p = predicate.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!p || subject === object || out.some((r) => r.subject === subject && r.predicate === p && r.object === object)) return;
    out.push({ subject, predicate: p, object });
  };

  let subject: string | null = null;
  let rest = text;
  const my = MY_NOUN.exec(text);
  if (my) {
    const noun = my[1]!.toLowerCase();
    const after = text.slice(my[0].length);
    const named = NAMING.exec(after);
    const name = /^\p{Lu}[\p{L}'’-]*/u.exec(named ? after.slice(named[0].length) : after);
    if (name && entities.includes(name[0].toLowerCase())) {
      // "My dog is called Max" / "My sister Anna lives in Porto": the user has them, and they are the subject.
      subject = name[0].toLowerCase();
      add(USER, noun, subject);
      rest = named ? after.slice(named[0].length + name[0].length) : after.slice(name[0].length);
    } else {
      subject = USER;
      rest = after;
    }
  } else if (FIRST_PERSON.test(text)) {
    subject = USER;
    rest = text.replace(FIRST_PERSON, '');
  } else {
    const first = /^(?:the\s+)?(\p{Lu}[\p{L}'’-]*)/u.exec(text);
    const name = first?.[1]?.toLowerCase().replace(/['’]s$/u, '');
    if (name && entities.includes(name)) {
      subject = name;
      rest = text.slice(first![0].length);
    }
  }
  if (subject === null) return out;

  const pet = HAS_NAMED.exec(rest);
  if (pet && subject === USER) add(USER, pet[1]!.replace(/^(?:rescue|new|little|old)\s+/i, ''), pet[2]!.toLowerCase());

  const verb = verbPhrase(rest);
  if (!verb) return out;
  // The first entity after the verb is its object: "I went to Woodhaven, a town in the Midwest".
  let first: { object: string; at: number } | null = null;
  for (const object of entities) {
    if (object === subject || out.some((r) => r.object === object)) continue;
    const at = rest.search(new RegExp(`(?<![\\p{L}])${escape(object)}(?![\\p{L}])`, 'iu'));
    if (at >= 0 && (!first || at < first.at)) first = { object, at };
  }
  if (!first) return out;
  // "I work as an engineer at Siemens": the preposition right before the object says more.
  const before = /\b(at|in|for|with|on|from|to|by|of)\s+(?:the\s+|a\s+|an\s+|project\s+|team\s+)?$/i.exec(rest.slice(0, first.at));
  const predicate = before ? `${verb.replace(/\s+(?:at|in|for|with|on|from|to|by|of|as|into|about)$/i, '')} ${before[1]!.toLowerCase()}` : verb;
  add(subject, predicate, first.object);
  return out;
}

/** The first verb phrase, without auxiliaries, with the particle or preposition after it. */
function verbPhrase(text: string): string | null {
  const match = compromise()(text).match('#Verb+ #Particle? (#Preposition|to)?').first();
  const words = match
    .text()
    .toLowerCase()
    .replace(/[.,!?;:]+$/u, '')
    .split(/\s+/)
    .filter((w) => w && !AUXILIARIES.has(w));
  if (words.length === 0 || words.length > MAX_PREDICATE_WORDS) return null;
  return words.join(' ');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
