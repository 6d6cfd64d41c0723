/**
 * Rule-based fact extraction, used when no local LLM is available: a user message is split into
 * sentences and clauses, and the clauses in which the user states something about themselves
 * ("I'm vegetarian", "my dog is called Max", "Ich wohne in München", "J'habite à Lyon", "Vivo en
 * Madrid") are kept as facts, in the user's words. Dropped: questions, requests to the assistant,
 * greetings and small talk about the chat, assistant text the user pasted, hypotheticals, jokes,
 * and Engram's own memory block. What the user says of their people and pets ("my sister Priya lives in Lisbon") is kept.
 *
 * English, German, French and Spanish first-person forms are recognised (Spanish drops the
 * pronoun, so its first-person verbs are listed). Quality is measured on
 * test/fixtures/extraction/utterances.json (see extraction-score.ts).
 *
 * Every pattern here is linear: a message can be 1 MB of pasted text. Every sentence of a message
 * is read (up to MAX_MESSAGE_CHARS), however many facts it holds, and a fact is only kept when it
 * reads as words (see `hasWords`): random bytes and symbol soup never become memories.
 */
import { stripMemoryBlock } from '../inject/memory-block';
import { cleanText, comparisonKey, hasWords, looksBinary } from './normalize';

const MAX_FACT_CHARS = 300;
/**
 * The longest message read, in UTF-16 code units (1 MB of text, more than any chat site takes in one
 * message): past it, the rest of the message is not read. Below it every sentence is, and a
 * message's facts are all kept, however many (a 10,000-fact message takes well under a second).
 */
export const MAX_MESSAGE_CHARS = 1_000_000;
/** A line is read when at least this share of it is words (code is most often words; noise is not). */
const MIN_LINE_WORD_SHARE = 0.25;

/** Not followed by a letter, digit or apostrophe: a word end that also works after "á" or "é". */
const E = "(?![\\p{L}\\p{N}'])";
const rx = (source: string): RegExp => new RegExp(source, 'iu');

/** Spanish first-person verbs (the pronoun is usually dropped: "Vivo en Madrid"). */
const ES_VERBS =
  'soy|estoy|vivo|trabajo|tengo|empiezo|prefiero|odio|amo|adoro|bebo|hablo|estudio|juego|corro|nací|naci|crecí|creci|voy a|dejé de|deje de|empecé|empece|acabo de|fumo|uso|escribo|desarrollo|llevo|cuido|practico|toco|leo|cocino|sigo|comí|viví|trabajé';
const ES_SELF = `(?:yo(?= [a-záéíóúñ])|mi|mis|me (?:llamo|mudé|mude|casé|case|divorcié|encanta\\p{L}*|gusta\\p{L}*|dedico)|(?:ya no|no|nunca|tampoco|también) (?:como|${ES_VERBS})|${ES_VERBS})`;
const EN_SELF = "(?:i(?:'(?:m|ve|ll|d)|m)?|we(?:'(?:re|ve|ll))?|my|mine|our|me and my|call me)";
const DE_SELF = '(?:ich|mein\\p{L}*|wir|unser\\p{L}*)';
const FR_SELF = "(?:je|j'|moi,? je|mon|ma|mes|nous|notre|nos)";
const SELF_WORD = `(?:${EN_SELF}|${DE_SELF}|${FR_SELF}|${ES_SELF})`;

/** A clause that starts with the user as subject (or their possession). */
const SELF_START = rx(`^(?:${EN_SELF}|${DE_SELF}|${ES_SELF}|(?:je|moi,? je|mon|ma|mes|nous|notre|nos))${E}|^j'\\p{L}`);
/** "At work I …", "Next month I'm …", "Depuis mars, j'habite …": a short fronted phrase, then the user. */
const FRONTED = rx(
  `^(?:next|last|this|every|each|since|on|at|in|these|nowadays|currently|right now|recently|lately|usually|today|tomorrow|yesterday|tonight|sometimes|often|a few|two|three|depuis|cette|ce|chaque|le|desde|este|esta|cada)${E}[^,.!?]{0,40}?[ ,]+(?:(?:i(?:'(?:m|ve|ll))?|we(?:'re)?|je)(?=\\s)|j'(?=\\p{L}))`,
);
/** Spanish fronted time phrase: "El mes que viene empiezo un curso …". */
const ES_FRONTED = rx(
  `^(?:el|la|los|las|este|esta|cada|desde|hoy|mañana|ahora|en)${E}[^,.!?]{0,40}?[ ,]+(?:${ES_VERBS}|empiezo|estoy|voy|me mudo|me caso)${E}`,
);
/** German verb-second order: "Nächsten Sommer fahre ich …", "Seit März wohne ich …". */
const DE_INVERTED = rx(`^(?:\\p{L}+[ ,]+){1,4}?\\p{L}+ (?:ich|wir)${E}`);
/** Where a sentence splits into clauses: a comma or a conjunction before a new self-statement. */
const SPLIT = new RegExp(
  `\\s[-–—]\\s+|[,;]\\s*(?:but|yet|so|aber|mais|pero)\\s+|\\s*(?:[,;]\\s*(?:(?:and|but|so|because|und|aber|weil|denn|et|mais|car|parce que|y|pero|porque)\\s+)?|\\s(?:and|but|so|because|und|aber|weil|denn|et|mais|car|parce que|y|pero|porque)\\s+)(?=${SELF_WORD}${E}|j'\\p{L})`,
  'giu',
);
/** At most four words: "Yesterday", "Last week", "Ever since then". */
const SHORT_PIECE = rx(
  `^(?:yesterday|today|tomorrow|tonight|last|next|this|that|every|ever|since|on|in|at|after|before|when|while|recently|lately|then|now|back|growing up|as a kid|once|later|earlier|finally|mostly|usually|sometimes|often|plus|gestern|heute|morgen|letzte\\p{L}*|nächste\\p{L}*|hier|aujourd'hui|demain|ayer|hoy|mañana)${E}\\S*(?:\\s+\\S+){0,3}$`,
);
/** "my wife" in "my wife and I live in Oslo" is not a clause of its own. */
const BARE_POSSESSION = rx('^(?:my|our|mein\\p{L}*|unser\\p{L}*|ma|mon|mes|notre|nos|mi|mis|nuestr\\p{L}*)(?:\\s+\\S+){1,2}$');

/** Openers and tails that carry no content: "By the way, I'm vegan" → "I'm vegan". */
const DISCOURSE = rx(
  `^(?:(?:also|and|but|so|well|oh|ok|okay|btw|by the way|fyi|fwiw|just so you know|for context|for the record|actually|honestly|anyway|anyways|ps|hi|hello|hey|und|aber|übrigens|ach ja|hallo|et|mais|au fait|d'ailleurs|en fait|bon|bonjour|salut|y|pero|por cierto|además|bueno|pues|hola)(?:[,:!.]+\\s*|\\s+))+`,
);
/**
 * Reactions at the start of a chat message, each with an optional name and always followed by
 * punctuation: "Yes, tomorrow is my day off", "Thanks, Dave! …", "Hey Maria, long time no talk".
 */
const REACTION = rx(
  `^(?:yes|yeah|yep|yup|yea|sure|sure thing|definitely|absolutely|totally|true|exactly|right|indeed|of course|wow|whoa|cool|nice|great|awesome|amazing|aw+|ooh|hmm+|nah|no|nope|thanks|thank you|thanks so much|thank you so much|thx|hey|hi|hello|haha|hah|ha|woohoo|yay|mmm?|ah|um|uh)${E}`,
);
/** A name after a reaction ("Thanks, Dave!"); case-sensitive, so written without the i flag. */
const NAME_AFTER = /^,?\s+\p{Lu}[\p{L}'’-]*/u;
const REACTION_END = /^[,!.]+\s*/u;

const TAIL = /[\s,]+(?:by the way|btw|fyi)$/i;
/** A request tacked onto a fact: "I'm colour-blind, so please don't use red" → "I'm colour-blind". */
const REQUEST_TAIL = rx(`[,;]\\s*(?:so |and |but )?(?:please|can you|could you)${E}.*$`);

/** Questions, also without "?": "is it normal that …", "Wie lange muss ich …". */
const QUESTION_START = rx(
  `^(?:what|what's|how|why|where|when|who|whom|whose|which|is|are|am|do|does|did|can|could|should|would|will|shall|may|might|isn't|aren't|don't|doesn't|any idea|anyone know|i wonder|i was wondering|i'm wondering|was|wie|warum|wieso|weshalb|wann|wo|woher|wohin|wer|welche\\p{L}*|kann|kannst|könnte|könntest|soll|sollte|muss|gibt es|ich frage mich|qu'est-ce|est-ce|comment|pourquoi|quand|où|qui|quel\\p{L}*|combien|peux-tu|pouvez-vous|puis-je|je me demande|qué|cómo|por qué|cuándo|dónde|quién|cuál|cuánto\\p{L}*|puedes|podrías|me pregunto)${E}`,
);
/** Requests to the assistant. */
const REQUEST = rx(
  `^(?:please|can you|could you|would you|will you|help me|tell me|show me|give me|write|explain|suggest|summari[sz]e|translate|list|let's|let me know|remind me|i need you|i want you|i'd like you|i would like you|i need (?:some )?help|i need (?:a|an|some|ideas|advice|suggestions)|i want (?:a|an|some)|i'd like (?:a|an|some|help|to know|to ask|to get)|i would like (?:a|an|some|help|to know|to ask)|i want to know|i'm looking for|i am looking for|bitte|ich brauche (?:hilfe|eine|einen|ein|deine)|ich möchte,? dass du|ich hätte gern|ich will,? dass du|j'ai besoin (?:d'aide|que tu|de ton aide|d'un|d'une)|je voudrais|j'aimerais|s'il te plaît|necesito (?:ayuda|que|un|una)|quiero que|quisiera|por favor)${E}`,
);
/** Hypotheticals and conditionals are not facts about the user. */
const HYPOTHETICAL_START = rx(
  `^(?:if|what if|suppose|supposing|imagine|hypothetically|let's say|say|assuming|maybe|perhaps|someday|some day|one day|vielleicht|peut-être|quizás|quizá|tal vez|in another life|in a parallel universe|wenn|falls|angenommen|stell dir vor|si|imaginons|supposons|imagina|supongamos)${E}`,
);
const HYPOTHETICAL = rx(
  `(?:^|[^\\p{L}'])(?:if|i'd(?! rather)|i would(?! rather)|würde\\p{L}*|wäre\\p{L}*|hätte\\p{L}*|(?:je |j')\\p{L}+rai(?:s|t)|gustaría|encantaría)${E}|^(?:yo )?\\p{L}+ría(?:s|mos|n)?${E}`,
);
/** Jokes and sarcasm, by their markers. */
const JOKE = rx(
  `(?:^|[^\\p{L}])(?:lol|lmao|lmfao|rofl|haha\\p{L}*|hehe\\p{L}*|jk|j/k|just kidding|kidding|jaja\\p{L}*|jeje\\p{L}*|mdr+|ptdr|je plaisante|c'est une blague|es broma|nur spa(?:ß|ss)|scherz)${E}|[😂🤣😜😆😹🙃😏]|/s$|^(?:oh sure|oh yeah|yeah right|sure,? because|as if)[ ,]|, obviously[.!]*$`,
);
/** A sentence that is only a joke marker takes back the sentence before it. */
const JOKE_ONLY = rx('^(?:just kidding|jk|j/k|kidding|lol|haha\\p{L}*|jaja\\p{L}*|mdr+|je plaisante|nur spaß|es broma)[\\s.!]*$');
/** Assistant-style text the user pasted back. */
/** "Here's a photo of my horse painting": in chat, the user showing something of their own. */
const HERE_IS = /^(?:here's|here is)\s/i;
const ASSISTANT_SENTENCE = rx("^(?:as an ai|as a language model|as an assistant|based on my (?:analysis|knowledge|training)|here's|here is|here are)");
const ASSISTANT = rx(
  `^(?:i can (?:help|assist|summari[sz]e|explain|provide|write|generate|create|translate)|i'd be (?:happy|glad)|i would be (?:happy|glad)|i'm (?:happy|glad) to|i am (?:happy|glad) to|i hope (?:this|that|it) helps|i apologi[sz]e|i understand (?:your|that you|how)|i (?:would |'d )?recommend|i suggest|i'll make sure|i will make sure|i don't have (?:personal|access|the ability)|i'm (?:just )?an ai|i am (?:just )?an ai|i'm not able to|i am not able to|i can(?:not|'t) (?:browse|access))${E}`,
);
/** Talk about the conversation itself, not about the user. */
const SMALL_TALK = rx(
  `^(?:i(?:'m| am) (?:fine|good|ok|okay|alright|great|well|back|here|sorry|not sure|unsure|confused|curious|wondering|just (?:testing|checking|curious|wondering|asking|looking|saying)|so tired|tired|exhausted|bored|done|ready|lost|stuck|new here|in)|i (?:think|thought|guess|suppose|believe|agree|disagree|mean|meant|wonder|hope|appreciate|feel like|keep getting|need to know|want to know)|i (?:understand|see|know|(?:got|get) it)(?=$|[\\s,]+(?:what|why|how|that|this|now|right|the problem|the issue|so|thanks)${E})|i (?:just |already |also )?(?:tried(?=\\s+(?:that|it|this|again|everything|both|those|these|your|the (?:code|command|fix|solution|steps|suggestion|script))${E}|\\s*[.,!;]|\\s*$)|noticed|ran|copied|pasted|asked|forgot|followed|installed|restarted|clicked)|i (?:got|get) (?:an? error|the error|this error|that|confused)|i(?:'ve| have) (?:tried|a (?:quick )?(?:question|problem|bug|issue|doubt)|(?:some|a few|two|three) questions)|i (?:do not|don't|did not|didn't) (?:know|understand|think|get|mean|see|realize|expect)|i(?:'ll| will) (?:try|check|test|look|let you know|get back|think)|i can't (?:believe|wait|figure|seem|see|tell|remember)|we (?:should|could|can|need to)|we'll|ich (?:verstehe|weiß nicht|weiss nicht|glaube|denke|meine|hoffe|danke|bin mir nicht sicher|habe eine frage|hab eine frage|hab(?:e)? (?:das|es) (?:schon |bereits |auch )?(?:versucht|probiert|gemacht))|je (?:ne sais pas|sais pas|comprends|pense|crois|suppose|vois|me demande|suis d'accord|ne suis pas sûr|ne comprends pas|vais essayer)|j'ai (?:une question|essayé|compris)|(?:no )?estoy segur[oa]|entiendo|creo|pienso|supongo|no sé|tengo una pregunta)${E}`,
);
/** "My code …", "my question is …": about the chat, not the user. */
const MY_NONFACT = rx(
  `^my (?:question|code|script|query|function|program|error|output|answer|message|prompt|request|bad|mistake|apologies|guess|point|understanding|thoughts|pleasure|last|previous)${E}`,
);
const RELATIONS =
  'sister|sisters|brother|brothers|mom|mum|mother|dad|father|parents|wife|husband|partner|spouse|boyfriend|girlfriend|fianc[ée]e?|son|daughter|kids?|children|child|baby|friends?|boss|manager|colleagues?|co-?workers?|roommates?|flatmates?|neighbou?rs?|grandma|grandpa|grandmother|grandfather|grandparents|uncle|aunt|cousins?|niece|nephew|family|team|teacher|landlord|in-laws|ex|' +
  'schwester|bruder|mutter|mama|vater|papa|eltern|frau|mann|partnerin|freund|freundin|freunde|sohn|tochter|kinder|kind|chef|chefin|kollege|kollegin|kollegen|nachbar|nachbarin|oma|opa|onkel|tante|cousine|familie|' +
  'sœur|soeur|frère|frere|mère|mere|père|pere|maman|femme|mari|copain|copine|ami|amie|amis|fils|fille|enfants|patron|patronne|collègue|voisin|voisine|grand-mère|grand-père|oncle|famille|' +
  'hermana|hermano|madre|mamá|padre|papá|padres|esposa|esposo|marido|mujer|pareja|novio|novia|amigo|amiga|amigos|hijo|hija|hijos|jefe|jefa|compañero|compañera|vecino|vecina|abuela|abuelo|tío|tía|primo|prima|familia';
const PETS = 'cat|cats|dog|dogs|puppy|kitten|pup|horse|rabbit|bunny|hamster|parrot|budgie|tortoise|gecko|katze|hund|chat|chien|gato|perro';
/**
 * Someone or something close to the user: "My sister Priya lives in Lisbon", "the kids renamed the
 * cat", "Mein Vater wohnt in Dresden". What the user says of their people and pets is the user's
 * own context (who to buy for, cook for, plan around), so it is kept as a fact.
 */
const CIRCLE = rx(
  `^(?:my|our|the|mein\\p{L}*|unser\\p{L}*|ma|mon|mes|notre|nos|mi|mis|nuestr\\p{L}*)\\s+(?:(?:best|older|younger|little|big|elder|ex|late|new|old|future|ältere|jüngere|kleine|große|grande|petite?|meilleure?|mejor)\\s+)?(?:${RELATIONS}|${PETS})${E}`,
);
/** Quote marks and the mark that closes each. Quoted text is someone else's words. */
const QUOTES = new Map([
  ['"', '"'],
  ['“', '”'],
  ['„', '“”'],
  ['«', '»'],
]);
/** Characters trimmed from both ends of a fact. */
const EDGE = ' ,;:–—-';
const TRAILING = ' ,;:.!–—-';

/**
 * @example
 * extractFacts("I'm vegetarian and I live in Berlin. Can you help?");
 * // ["I'm vegetarian", "I live in Berlin"]
 */
export function extractFacts(message: string): string[] {
  const facts: string[] = [];
  const seen = new Set<string>();
  let lastSentence: string[] = [];
  const readable = readablePart(message);
  if (looksBinary(readable)) return facts;
  const lines = removeQuoted(stripMemoryBlock(readable)).split(/\n+/);
  for (const line of lines) {
    const clean = cleanText(line);
    // A line that is mostly not words (random characters, an encoded blob) has no fact, even in a corner that looks like one.
    if (!hasWords(clean, MIN_LINE_WORD_SHARE)) continue;
    for (const sentence of splitSentences(clean)) {
      if (JOKE_ONLY.test(sentence)) {
        // "I live in my car now. Just kidding!": take back the previous sentence's facts.
        for (const key of lastSentence) seen.delete(key);
        facts.splice(facts.length - lastSentence.length, lastSentence.length);
        lastSentence = [];
        continue;
      }
      lastSentence = [];
      for (const fact of sentenceFacts(sentence)) {
        const key = comparisonKey(fact);
        if (seen.has(key)) continue;
        seen.add(key);
        facts.push(fact);
        lastSentence.push(key);
      }
    }
  }
  return facts;
}

/**
 * Whether a message asks the assistant anything: a question, a request or an instruction. "My
 * sister lives in Lisbon." asks nothing (the user is telling, and is remembered); "My sister lives
 * in Lisbon, what should I see there?" asks.
 */
export function asksSomething(message: string): boolean {
  const text = cleanText(removeQuoted(stripMemoryBlock(message.slice(0, MAX_MESSAGE_CHARS))));
  if (text.includes('?') || text.includes('¿') || WANTS.test(text) || QUESTION_AFTER.test(text)) return true;
  // A message that states nothing about the user is a request however it is phrased.
  if (extractFacts(text).length === 0 && statementsOf(text) === null) return true;
  return splitSentences(text).some((raw) => {
    const sentence = normalizeQuotes(stripDiscourse(raw));
    return QUESTION_START.test(sentence) || REQUEST.test(sentence) || (NOT_INSIDE.test(sentence) && !REACTION.test(sentence) && !/^(?:thanks?|thank you|thx|sorry|sure|yes|yeah|yep|no|nope|not|ok|okay|cool|nice|great|awesome|amazing|wow|whoa|oh|aw+|yay|glad|hope|hopefully|sounds|looks|seems|good luck|same here|me too|no worries|no problem)\b/i.test(sentence));
  });
}

/** Asking for something without a question mark: "Gift ideas for my sister", "any tips for the trip". */
const WANTS =
  /\b(?:ideas?|tips|suggestions?|advice|recommendations?|thoughts|options|recipes?|pls|plz|please)\b|(?:^|[.!]\s+)(?:i\s+|i'm\s+|im\s+)?(?:want|wanna|need|looking for|would love|'d love|trying to find)\b/i;

/** A message no fact was found in is kept in the user's words only when it is this short (longer is pasted text)… */
export const MAX_STATEMENT_MESSAGE_CHARS = 600;
/** …and says at least this many content words. */
const MIN_STATEMENT_TERMS = 4;

/**
 * What a short message states, in the user's words, when no fact about the user was found in it:
 * "Yeah, the kids loved the beach and the dinosaur exhibit" (the user's life, said without "I").
 * Questions, requests, greetings, reactions, hypotheticals, jokes, small talk and code are left
 * out; null when nothing is left. Kept so that what the rules miss can still be found.
 */
export function statementsOf(message: string): string | null {
  if (message.length > MAX_STATEMENT_MESSAGE_CHARS || /```|[{};]\s*$/m.test(message)) return null;
  const readable = removeQuoted(stripMemoryBlock(message));
  if (looksBinary(readable)) return null;
  const kept: string[] = [];
  for (const line of readable.split(/\n+/)) {
    const clean = cleanText(line);
    if (!hasWords(clean, MIN_LINE_WORD_SHARE)) continue;
    for (const raw of splitSentences(clean)) {
      const sentence = normalizeQuotes(stripDiscourse(raw));
      if (
        raw.includes('?') ||
        QUESTION_START.test(sentence) ||
        REQUEST.test(sentence) ||
        HYPOTHETICAL_START.test(sentence) ||
        HYPOTHETICAL.test(sentence) ||
        JOKE.test(sentence) ||
        ASSISTANT_SENTENCE.test(sentence) ||
        ASSISTANT.test(sentence) ||
        SMALL_TALK.test(sentence) ||
        NOT_INSIDE.test(sentence)
      ) {
        continue;
      }
      const text = trimEdges(sentence);
      if (contentTerms(text) >= MIN_STATEMENT_TERMS && hasWords(text)) kept.push(text);
    }
  }
  const text = kept.join('. ');
  return text.length >= 4 && text.length <= MAX_FACT_CHARS ? text : null;
}

const STATEMENT_STOP = new Set(
  'the a an and or but so to of in on at for with from by is are was were be been it its this that these those there here they them their he she him her his you your we our i me my just really very so too also all some any what which who when where how not no yes can could would will should have has had do does did get got make made go went going like one much many more most than then now well oh yeah wow'.split(' '),
);
function contentTerms(text: string): number {
  return (text.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((w) => !STATEMENT_STOP.has(w)).length;
}

/** The message up to MAX_MESSAGE_CHARS, ending at a line or sentence end (half a sentence is no fact). */
function readablePart(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  for (let i = MAX_MESSAGE_CHARS; i > 0; i--) {
    const ch = message.charAt(i);
    if (ch === '\n' || (/\s/.test(ch) && '.!?…'.includes(message.charAt(i - 1)))) return message.slice(0, i);
  }
  return '';
}

/**
 * A statement the user leads a question with: "I'm training for the half in April, can you build
 * me a plan?" (the statement is the fact; the question is not). The question must start after a
 * comma, a semicolon or a dash with a question or request word.
 */
const QUESTION_AFTER = rx(
  `\\s*(?:[,;:]|\\s[-–—])\\s*(?:so |and |but |then )?(?=(?:can|could|would|will|what|what's|how|which|any|anything|do|does|should|shall|is|are|where|who|when|why|please|help me|tell me|suggest|recommend|ideas?)${E})`,
);

/**
 * How the user wants to be answered, a standing instruction rather than a one-off request: "When
 * you explain money stuff, keep it skimmable", "If you suggest films for the boys, nothing scary",
 * "Always give me metric units". Kept whole, as the user said it.
 */
const ANSWER_PREFERENCE = rx(
  `^(?:(?:when|whenever|if|any time)\\s+(?:you|u)\\s+\\p{L}+[^,;]{0,120}[,;]\\s*\\S|(?:please\\s+)?(?:always|never)\\s+(?:use|give|write|answer|reply|explain|keep|include|start|end|format|add|show|suggest|recommend|assume|call|mention)${E})`,
);

function sentenceFacts(raw: string): string[] {
  const sentence = normalizeQuotes(stripDiscourse(raw));
  if (ANSWER_PREFERENCE.test(sentence) && !raw.includes('?') && hasWords(sentence)) {
    const fact = trimEdges(sentence);
    return fact.length >= 4 && fact.length <= MAX_FACT_CHARS ? [fact] : [];
  }
  if (raw.includes('?') && !raw.includes('¿')) {
    const lead = QUESTION_AFTER.exec(raw);
    const head = lead ? raw.slice(0, lead.index) : '';
    return head.includes('?') || !hasWords(head) ? [] : sentenceFacts(head);
  }
  if (
    !hasWords(raw) ||
    raw.includes('¿') ||
    QUESTION_START.test(sentence) ||
    REQUEST.test(sentence) ||
    HYPOTHETICAL_START.test(sentence) ||
    JOKE.test(normalizeQuotes(raw)) ||
    (ASSISTANT_SENTENCE.test(sentence) && !(HERE_IS.test(sentence) && SELF_INSIDE.test(sentence)))
  ) {
    return [];
  }
  const facts: string[] = [];
  // A clause that is not about the user, kept for the next one when that one points back at it:
  // "Joana is back from leave in March, so I report to her again".
  let before = '';
  for (const clause of splitClauses(raw)) {
    const fact = stripVocative(
      stripTail(trimEdges(stripDiscourse(clause).replace(/^please,?\s+(?=call me\s)/i, '').replace(REQUEST_TAIL, ''))),
    );
    if (fact.length < 4 || fact.length > MAX_FACT_CHARS) continue;
    if (isSelfStatement(fact) && hasWords(fact) && !REPORTED.test(fact) && !FRAGMENT.test(fact)) {
      const joined = `${before}, ${fact}`;
      facts.push(before && POINTS_BACK.test(fact) && joined.length <= MAX_FACT_CHARS ? joined : fact);
      before = '';
    } else {
      before = QUESTION_START.test(fact) || REQUEST.test(fact) || LISTENER.test(fact) || HYPOTHETICAL.test(fact) ? '' : fact;
    }
  }
  return facts;
}

/**
 * A reaction, not a fact: "I love it", "I'll do both", "we're in", "I'm hooked", "I feel great".
 * What "it" is lives in another message; the memory would say nothing on its own.
 */
const FRAGMENT =
  /^(?:i|we)(?:'m|'re|'ll|'d|'ve| am| are| will| would| can| could)?(?:\s+(?:kind of|sort of|really|totally|just|also|so|actually|absolutely|definitely|already))*\s+(?:(?:do|did|done|love|loved|like|liked|hate|hated|tried|try|got|get|made|make|have|had|know|knew|joined|feel|felt|want|need|agree|mean|did it)\s+)?(?:it|this|that|both|them|those|these|one|in|great|good|fine|ok|okay|better|hooked|addicted|ideas|so much|all in|down)(?:\s+(?:too|again|now|then|already|anyway|actually|lol|haha|though|tbh|so much))*$/i;

/** What someone said, its words quoted away: "My boss said". */
const REPORTED = /\b(?:said|says|told me|told us|asked|wrote|texted)$/i;

/** A third-person word that needs the clause before it: "… so I report to her again". */
const POINTS_BACK = /\b(?:she|her|hers|he|him|his|they|them|their|there|that one)\b/i;

const LISTENER = /\b(?:you|your|yours|yourself|ya)\b/i;

/** "I'm thrilled, Caroline" → "I'm thrilled": the name of the person spoken to is not part of the fact. */
function stripVocative(text: string): string {
  return text.replace(/,\s*(?:\p{Lu}[\p{L}'’-]+)(?:\s+\p{Lu}[\p{L}'’-]+)?[!.]*$/u, '');
}

/**
 * Casual first person without the "I": "Gonna continue my studies", "Just finished a painting",
 * "Been running more lately", "Researching adoption agencies". Only with a first-person word
 * later in the clause (my, me, myself), so that a bare "Looking good" or "Getting late" is not one.
 */
const IMPLICIT_SELF =
  /^(?:just |finally |still |recently |also )?(?:(?:gonna|going to|been|started|finished|researching|planning|thinking about|learning|taking|trying|working on)\b(?=.*\b(?:my|me|myself)\b)|been (?:\w+ing|(?:real|really|so|super|pretty|very) busy)\b|(?:just|finally|recently) (?:\w+ed|got|made|went|came|bought|took|saw|met|won|began|wrote|read|ran|built|found|did|had)\b)/i;

/**
 * The user named later in a declarative clause: "Playing video games is my main hobby", "Fixing
 * cars is like therapy for me", "That beach is where I got married". English only; the clause must
 * not open with thanks, praise or a reaction to the listener.
 */
const SELF_INSIDE = /\s(?:i|i'm|i've|i'd|i'll|my|me|myself|mine|we|we're|we've|our|us)\b/i;
const NOT_INSIDE = rx(
  `^(?:thanks?|thank you|thx|congrat\\p{L}*|wow|whoa|omg|oh|aw+|yay|woo\\p{L}*|cool|nice|great|awesome|amazing|sweet|sorry|glad|good luck|good to|nice to|great to|happy to|sounds|looks|seems|that's what|that is what|hope|hopefully|let's|let me|talk|see you|same here|me too|no worries|no problem|sure|yes|yeah|yep|nope|no|not|` +
    // Imperatives: "Draft a reply to my landlord" is a request, not a fact.
    `draft|write|rewrite|fix|make|send|create|generate|edit|check|review|compare|find|recommend|book|convert|calculate|plan|proofread|correct|improve|format|add|remove|update|schedule|remind|tell|give|show|help|describe|analy[sz]e|outline|prepare|come|look|take|keep|go|get|don't|do|try)${E}`,
);

/** True when a clause states something about the user. */
function isSelfStatement(clause: string): boolean {
  const c = normalizeQuotes(clause);
  // "Call me Sam" names the user; "call me when you're done" is a request.
  if (/^call me\s/i.test(c)) return /^[Cc]all me\s+\p{Lu}/u.test(c);
  // "Yo Tim!" greets Tim; Spanish "yo" is followed by a verb.
  if (/^[Yy]o\s+\p{Lu}/u.test(c)) return false;
  const self =
    SELF_START.test(c) ||
    FRONTED.test(c) ||
    DE_INVERTED.test(c) ||
    ES_FRONTED.test(c) ||
    IMPLICIT_SELF.test(c) ||
    CIRCLE.test(c) ||
    (SELF_INSIDE.test(c) && !NOT_INSIDE.test(c));
  if (!self) return false;
  if (QUESTION_START.test(c) || REQUEST.test(c) || HYPOTHETICAL.test(c) || SMALL_TALK.test(c) || ASSISTANT.test(c)) return false;
  if (MY_NONFACT.test(c)) return false;
  // Said to or about the listener ("I'm so happy for you", "I love that you chose pottery"):
  // about the other person, not a fact about the user.
  if (LISTENER.test(c)) return false;
  return true;
}

/** Trim separators and end punctuation, by scanning (a regex like /[,.]+$/ is quadratic on ",,,,…x"). */
function trimEdges(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && EDGE.includes(text.charAt(start))) start++;
  while (end > start && TRAILING.includes(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

/** "Call me Sam, by the way" → "Call me Sam". */
function stripTail(text: string): string {
  // Matched on the last few characters only, so the pattern never scans a long run of commas.
  const tail = TAIL.exec(text.slice(-24));
  return tail ? trimEdges(text.slice(0, text.length - tail[0].length)) : text;
}

const MAX_TITLE_WORDS = 6;
const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** Blank out quoted passages longer than a title (one pass; an unclosed quote ends at the end of its line). */
function removeQuoted(text: string): string {
  let out = '';
  let from = 0;
  let open = -1;
  let closers = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (open >= 0) {
      if (closers.includes(ch)) {
        // A short quote is a title or a name ("Brave" by Sara Bareilles); a longer one is someone's words.
        if (wordCount(text.slice(open + 1, i)) > MAX_TITLE_WORDS) {
          out += text.slice(from, open) + ' ';
          from = i + 1;
        }
        open = -1;
      } else if (ch === '\n') {
        open = -1;
      }
    } else {
      const close = QUOTES.get(ch);
      if (close !== undefined) {
        open = i;
        closers = close;
      }
    }
  }
  return out + text.slice(from);
}

function normalizeQuotes(text: string): string {
  return text.replace(/[’‘]/g, "'");
}

function stripDiscourse(text: string): string {
  // "Oh yeah, well, …": openers of either kind, in any order.
  let rest = text;
  for (;;) {
    const next = stripReactions(rest).replace(DISCOURSE, '');
    if (next === rest) return rest;
    rest = next;
  }
}

/** "Wow, thanks Dave! I …" → "I …"; a bare "Great food is my passion" keeps its first word. */
function stripReactions(text: string): string {
  let rest = text;
  for (;;) {
    const word = REACTION.exec(rest);
    if (!word) return rest;
    let after = rest.slice(word[0].length);
    const name = NAME_AFTER.exec(after);
    if (name) after = after.slice(name[0].length);
    const end = REACTION_END.exec(after);
    if (!end) return rest;
    rest = after.slice(end[0].length);
  }
}

function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+(?=\S)/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** "I'm vegetarian and I live in Berlin" → two clauses; "salt and pepper" and "my wife and I …" stay whole. */
function splitClauses(sentence: string): string[] {
  const clauses: string[] = [];
  let start = 0;
  for (const m of sentence.matchAll(SPLIT)) {
    const piece = sentence.slice(start, m.index).trim();
    // "my wife and I …", "Yesterday, I …", "Last week, I …": too short to stand alone, so joined to what follows.
    if (piece === '' || BARE_POSSESSION.test(piece) || /^(?:me|us|moi|yo)$/i.test(piece) || (SHORT_PIECE.test(piece) && !SELF_START.test(piece))) continue;
    clauses.push(piece);
    start = m.index + m[0].length;
  }
  clauses.push(sentence.slice(start).trim());
  return clauses.filter(Boolean);
}

/** At most this many words make a bare answer ("Japanese!", "A greyhound.", "Lisbon, Portugal."). */
const MAX_ANSWER_WORDS = 4;

/**
 * The bare answer a reply opens with, when the assistant has just asked a question: "Japanese!
 * I've been at it for two years" answers "Which language are you learning?" with "Japanese!".
 * Null when the reply opens with a reaction ("Yes!", "Thanks!"), a question, or a full statement.
 */
export function leadingAnswer(message: string): string | null {
  const first = splitSentences(cleanText(removeQuoted(stripMemoryBlock(message)).split(/\n+/)[0] ?? ''))[0];
  if (!first || first.includes('?') || first.length > 60) return null;
  const words = first.replace(/[.!…]+$/u, '').split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.length > MAX_ANSWER_WORDS) return null;
  if (stripDiscourse(first) !== first || isSelfStatement(trimEdges(first)) || JOKE.test(first)) return null;
  if (/^(?:no|nope|nah|not|never|none|nothing|maybe|perhaps|probably|idk|dunno|ok|okay|sure|yes|yeah|yep|hmm+|well|so|and|but|or|the same|same)\b/i.test(first)) return null;
  return first.replace(/[.…]+$/u, '');
}
