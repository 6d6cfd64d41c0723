/**
 * Is a prompt about the user's own life? Memories belong in "What should I cook tonight?", "Gift
 * ideas for my sister?" and "Is it safe for me to take ibuprofen?"; they do not belong in "How long
 * do dogs live?", "Help me fix my regex" or "I need a haiku about rain", however many words those
 * share with a memory. A static word model cannot tell these apart (a world question about dogs is
 * as close to "I have a dog named Max" as a question about the user's dog), so the prompt itself is
 * read first: the user must be in it as a person (not only as the one asking for a task), or it
 * must ask for advice on the user's own plans, meals, trips, purchases or health.
 *
 * English only for the task phrases; a prompt in another language is read by its first-person
 * words alone. Every pattern is linear; only the prompt's instruction is read (pasted text and
 * code are someone else's words and say nothing about who is asking).
 */

/** The longest stretch of a prompt read: the instruction, not what was pasted after it. */
const MAX_READ = 600;

/** First-person words, in the languages Engram extracts. */
const SELF = /(?<![\p{L}'’])(?:i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|we're|we've|we'd|we'll|us|our|ours|ourselves|ich|mein\p{L}*|mich|mir|wir|uns|unser\p{L}*|je|j'|moi|mon|ma|mes|nous|notre|nos|mi|mis|nosotros|nuestr\p{L}*)(?![\p{L}'’])/iu;

/** The user's household, without a first-person word: "What's the cat called now?", "the kids' school". */
const HOUSEHOLD = /\bthe\s+(?:kids|children|cat|dog|puppy|kitten|baby|twins|wife|hubby|missus)(?:'s)?\b/iu;

/** Things of the task, not of the user's life: "my code", "our SQL query", "my essay". */
const TASK_NOUN =
  'code|codebase|merge|join|plot|chart|graph|table|column|columns|row|rows|index|package|library|dependency|dependencies|import|install|docker|container|cluster|deployment|layout|script|function|functions|method|class|component|regex|regexp|query|queries|sql|program|app|application|repo|repository|branch|commit|pr|pull request|test|tests|build|error|errors|bug|output|log|logs|stack trace|notebook|dataframe|df|spreadsheet|formula|sheet|css|html|api|endpoint|server|database|schema|model|dataset|data|file|files|folder|config|dockerfile|pipeline|loop|array|list|dict|string|variable|essay|paragraph|text|sentence|sentences|draft|email|letter|message|post|article|story|poem|slides|presentation|thesis|homework|assignment|answer|question|understanding|translation|summary|prompt|math|maths|equation|calculation|proof';
const MY_TASK = new RegExp(`\\b(?:my|our)\\s+(?:\\w+\\s+)?(?:${TASK_NOUN})\\b`, 'giu');
/** "help me", "tell me", "write me": the user as the one the task is for. */
const TASK_ME =
  /\b(?:help|tell|show|give|teach|remind|let|get|write|make|send|find|draft|create|generate|build|fix|explain|translate|summari[sz]e|convert|calculate|check|list|walk|guide|answer|bring)\s+(?:me|us)\b/giu;
/** "… for me" after a task verb: "summarize this article for me", "translate this for me". */
const FOR_ME_TASK =
  /\b(?:write|make|draft|create|generate|build|fix|explain|translate|summari[sz]e|convert|calculate|check|list|rewrite|rephrase|proofread|format|solve|debug|code|simplify|shorten|paraphrase|outline|compose)\b[^.?!\n]{0,80}?\bfor\s+(?:me|us)\b/giu;
/** The user only as the one asking: "I need a haiku", "How do I reverse a list?", "I'm trying to understand…". */
const ASKER =
  /\b(?:i\s+(?:need|want|would like|'d like|am looking for|'m looking for)(?:\s+(?:you\s+to|to\s+(?:know|understand|learn|write|make|create|build|find|get|see)))?|i'm\s+(?:trying to (?:understand|figure out|get my head around|learn about)|struggling with|wondering|curious|confused|stuck)|i\s+am\s+(?:trying to (?:understand|figure out|get my head around|learn about)|struggling with|wondering|curious|confused|stuck)|i\s+(?:was|am)\s+wondering|i\s+wonder|i\s+(?:don't|do not|can't|cannot)\s+(?:understand|get|figure|remember|see|find)|i\s+(?:keep\s+getting|get|got|have|had|ran into|see)\s+(?:a|an|this|the|that|these|some)\s+(?:error|exception|warning|bug|issue|problem|question|list|table|array|string|file|dataframe|function|dataset)|how\s+(?:do|can|could|would|should|shall)\s+(?:i|we)|(?:do|did)\s+i\s+need\s+to|i\s+(?:just\s+)?(?:pasted|copied|wrote|included|attached|shared)|i(?:'ve)?\s+(?:heard|read|saw|seen)|(?:someone|somebody|people|a friend|my \w+)\s+(?:told me|tells me|keeps? saying|says|said|claims?|asked me)|i\s+was\s+told|we\s+were\s+(?:arguing|discussing|talking|debating|chatting|wondering)|i(?:'m| am)\s+new\s+to|(?:goes|went)\s+over\s+my\s+head|i\s+(?:always|keep|often|sometimes|still)\s+(?:mix|mixing|confuse|confusing|forget|forgetting|mess|messing|get|getting)\b|do\s+we\s+(?:actually\s+|really\s+|even\s+)?know|(?:^|[.!?]\s+)if\s+(?:i|we)|(?:why|how)\s+(?:do|are|did|can)\s+we\s+(?:have|know|call|say|need|get|see|use|dream|sleep|age|yawn|sneeze)|(?:confuses|confused|bugs|baffles|puzzles)\s+me|catch\s+(?:me|us)\s+up|i\s+never\s+(?:get|got|understood|understand)|i(?:'m| am)?\s+(?:get|getting|keep getting|keep seeing)\s+(?:this|that)\b)\b/giu;

/**
 * Advice on the user's own life, without a first-person word: "Any ideas for dinner tonight?",
 * "Suggest a weekend getaway", "Recommend a book for the holidays".
 */
const LIFE_ADVICE =
  /\b(?:tonight|(?:this|next|on) (?:weekend|evening|week|month|summer|winter|spring|autumn|fall|holiday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:the )?next (?:few |couple of |\d+ |two |three |four |six )?(?:days|weeks|months)|tomorrow|family night|movie night|training plan|meal plan|packing list|revision timetable|study plan|(?:on|for) (?:the|my|our) (?:bus|drive|commute|train|flight|way)|to practi[cs]e|(?:\w+ )?(?:dinner|lunch|brunch|roast) (?:party|guests|when)|whole family|family comes|for (?:\w+ )?(?:dinner|lunch|breakfast|brunch|the weekend|the holidays?)|(?:what|where) (?:to|should) (?:eat|cook|make|wear|buy|get|read|watch|visit|go|stay)|gift|present|birthday|anniversary|getaway|day trip|weekend away|date night)\b/iu;

/**
 * A technical prompt (an error, code, a tool): the user in it is the one whose code it is ("my
 * script throws", "I'm in detached HEAD"), unless they speak of their work ("at work we use Go").
 */
const TECH =
  /\b(?:traceback|stack ?trace|git|npm|pip|python|javascript|typescript|java|rust|golang|react|node|sql|postgres\w*|regex|css|html|docker|kubernetes|k8s|api|json|csv|yaml|compile[rd]?|undefined|null|segfault|localhost|bash|shell|terminal|linux|excel|vba|pandas|numpy|cors|fetch|https?|endpoint|tabs|indentation|ide|vim|vscode|linter|recursion|big o|algorithm|webpack|vite|django|flask|rails|kotlin|swift|c\\+\\+|c#|github|gitlab|repo|expo|npm|xcode|android studio|app store)\b|[{}();=<>[\]]\S*[{}();=<>[\]]/iu;
const ERROR_NAME = /\b\w+(?:Error|Exception)\b/u;
const ABOUT_WORK = /\b(?:at work|our (?:team|company|stack|product|startup|org)|we use|i work|my (?:team|job|boss|manager|colleagues?))\b/iu;

/** Writing about the user: a bio, a cover letter, a CV. */
const ABOUT_ME_WRITING = /\b(?:bio|biography|about-me|about me|cover letter|resume|résumé|cv|linkedin (?:summary|profile|headline)|introduce myself|self-introduction)\b/iu;

/** Asking for advice, not for a fact: "When is Shakespeare's birthday?" is not "birthday ideas for…". */
const ASKS_ADVICE =
  /\b(?:suggest\w*|recommend\w*|ideas?|tips|plan|planning|help|advice|options|(?:give|make|find|get|build|write) me|what (?:should|can|could|shall) (?:i|we)|where (?:should|can|could|shall) (?:i|we)|what to|where to|any|pls|please|need|want|looking for)\b/iu;

/** Writing fiction or verse: "Write a short story where the cat knocks a glass off the table". */
const FICTION = /\b(?:write|tell|draft|compose|continue|finish)\b[^.?!]{0,40}\b(?:story|stories|scene|poem|haiku|limerick|song|tale|fable|script|dialogue|novel|chapter)\b|\bin the (?:story|book|novel|film|movie)\b/iu;

/** The instruction of a prompt: its text without code, quoted or pasted passages, at most MAX_READ characters. */
export function instructionOf(prompt: string): string {
  const withoutCode = prompt.replace(/```[\s\S]*?(?:```|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const lines = withoutCode.split(/\n/).map((l) => l.trim()).filter(Boolean);
  // A pasted text follows (or comes before) a short instruction: read the first line, and the
  // last one when the prompt ends with its question ("… What does this mean for me?").
  const first = instructionLine(lines[0] ?? '');
  const last = lines.length > 1 ? (lines.at(-1) ?? '') : '';
  const read = last.endsWith('?') && last.length < 160 ? `${first} ${last}` : first;
  // Quoted text is someone else's words (to translate, to proofread, a title).
  return read
    .replace(/["“][^"”]{8,}["”]|(?<![\p{L}])['‘][^'’]{8,}['’](?![\p{L}])/gu, ' ')
    // "Who wrote My Brilliant Career?": a capitalised "My" inside a sentence opens a title.
    .replace(/(?<=[\p{L},]\s+)My(?:\s+\p{Lu}[\p{L}'’-]*)+/gu, ' ')
    .slice(0, MAX_READ);
}

/** "Summarize: <a pasted paragraph>" → "Summarize:". */
function instructionLine(line: string): string {
  const colon = line.indexOf(':');
  return colon >= 0 && colon < 80 && line.length - colon > 120 ? line.slice(0, colon + 1) : line;
}

export interface PromptReading {
  /** The prompt is about the user's life: memories may help. */
  aboutUser: boolean;
  /**
   * Why. 'none': no sign of the user, but a name the user's memories know ("What breed is
   * Bramble?") still makes it about them (see `namesInPrompt`); 'tech': a technical prompt.
   */
  cue: 'self' | 'advice' | 'now' | 'none' | 'tech';
}

/** "How do I get to work these days?": a how-to about the user's present, not about the world. */
const NOW = /\b(?:these days|nowadays|at the moment|currently|right now|now|still|anymore|any more|lately|at present)\b/iu;
const AUXILIARY = /^(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|any|tell|give|write|plan|suggest|recommend|help)$/u;
const PREPOSITION = /\b(?:in|to|from|at|near|of|about|around|visit|visiting|into|across|through|via|outside)\s+$/iu;

/**
 * The proper names a prompt asks about as someone or something (not as a place after "in", "to"
 * or "of"): "Is Bartek still living in Kraków?" → bartek. With the user's memories, a known one
 * makes the prompt about the user.
 */
export function namesInPrompt(prompt: string, entitiesOf: (text: string) => string[]): string[] {
  const text = instructionOf(prompt);
  return entitiesOf(text).filter((name) => {
    if (AUXILIARY.test(name)) return false;
    // "Who is Lena Meyer-Landrut?", "Who was Graham Kennedy?": a first and last name is someone public.
    if (new RegExp(`\\b${name}\\s+\\p{Lu}[\\p{L}'’-]+`, 'iu').test(text) && new RegExp(`\\b${name.charAt(0).toUpperCase()}${name.slice(1)}\\s+\\p{Lu}`, 'u').test(text)) return false;
    const at = text.toLowerCase().indexOf(name);
    return at >= 0 && !PREPOSITION.test(text.slice(Math.max(0, at - 12), at));
  });
}

/** Read a prompt: is it about the user? */
export function readPrompt(prompt: string): PromptReading {
  // "US" is the United States, not "us".
  const text = instructionOf(prompt).replace(/[’]/g, "'").replace(/\bU\.?S\.?(?![\p{L}])/gu, ' ');
  const stripped = text.replace(MY_TASK, ' ');
  // "My app shows a white screen after I updated Expo": the "I" of someone busy with their task.
  const tasky = stripped !== text;
  const rest = stripped
    .replace(TASK_ME, ' ')
    .replace(FOR_ME_TASK, ' ')
    .replace(ASKER, ' ')
    .replace(tasky ? /\b(?:i|i'm|i've|i'd|i'll|we|we're|we've)(?![\p{L}'])/giu : /(?!)/u, ' ');
  if ((TECH.test(text) || ERROR_NAME.test(text)) && !ABOUT_WORK.test(text)) return { aboutUser: false, cue: 'tech' };
  // A story, a scene or a poem about "the kids" or "the cat" is fiction, not the user's household.
  if (SELF.test(rest) || (HOUSEHOLD.test(rest) && !FICTION.test(text)) || ABOUT_WORK.test(text) || ABOUT_ME_WRITING.test(text)) return { aboutUser: true, cue: 'self' };
  // Capitalised words inside a sentence are names and titles ("Tomorrow, and Tomorrow, and Tomorrow").
  if (ASKS_ADVICE.test(text) && LIFE_ADVICE.test(text.replace(/(?<=[\p{L},;]\s+)\p{Lu}[\p{L}'’-]*/gu, ' '))) return { aboutUser: true, cue: 'advice' };
  if (SELF.test(text) && NOW.test(text)) return { aboutUser: true, cue: 'now' };
  return { aboutUser: false, cue: 'none' };
}

/** Words that introduce one of the user's people or pets by name: "my sister Priya", "a greyhound called Biscuit". */
const INTRODUCES =
  '(?:sister|brother|sis|bro|mum|mom|mother|dad|father|parents|wife|husband|hubby|partner|boyfriend|girlfriend|bf|gf|fianc[ée]e?|son|daughter|stepson|stepdaughter|grandson|granddaughter|grandkids?|grandchild(?:ren)?|kids?|children|twins|baby|boy|girl|friend|bestie|mate|pal|buddy|boss|manager|colleague|coworker|roommate|flatmate|neighbou?r|grandma|grandpa|gran|nan|uncle|aunt|cousin|niece|nephew|in-laws?|teacher|coach|therapist|doctor|vet|someone|cat|dog|puppy|kitten|pup|horse|pony|rabbit|bunny|parrot|budgie|tortoise|hamster|guinea pig|chickens?|hens?|goat|pig|fish|greyhound|lurcher|whippet|labrador|lab|terrier|spaniel|collie|beagle|retriever|poodle|pug|corgi|husky|dachshund|called|named)';

/** "my parents in Halifax": Halifax is where they are, not who. */
const PLACE_WORD = '(?:in|to|at|from|of|near|on|around|outside|by)\\b';

/**
 * Whether the user's memories speak of `name` as one of their people or pets ("My sister Priya
 * lives in Lisbon", "Bramble, our collie", "Renee is my boss"), rather than as a thing or a place
 * they like or know ("I support Manchester City").
 */
export function isTheirs(name: string, memoryTexts: readonly string[]): boolean {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const before = new RegExp(`\\b(?:(?:my|our)\\s+(?:[\\p{L}-]+\\s+)?)?${INTRODUCES}[,:]?\\s+(?:(?!${PLACE_WORD})[\\p{L}-]+\\s+)?${n}\\b`, 'iu');
  const after = new RegExp(`\\b${n}\\b(?:,|\\s+is|\\s+was|'s)?\\s+(?:my|our)\\s+(?:[\\p{L}-]+\\s+)?${INTRODUCES}\\b|\\b${n}\\b[\\s\\S]{0,80}?\\b(?:he|she|they)(?:'s|'re| is| are| was)\\s+(?:my|our)\\b`, 'iu');
  // "Bartek and I got married", "me and Jonas went climbing": someone the user does things with.
  const together = new RegExp(`(?<!\\b(?:to|in|from|at|of|near|around|visit|visiting|through|a|an|the|with)\\s+)\\b${n}\\s+and\\s+(?:i|me)(?![\\p{L}'’])|\\b(?:me|i)\\s+and\\s+${n}\\b|\\bwith\\s+${n}\\b[^.!?]{0,40}\\b(?:my|our)\\b`, 'iu');
  return memoryTexts.some((t) => before.test(t) || after.test(t) || together.test(t));
}
