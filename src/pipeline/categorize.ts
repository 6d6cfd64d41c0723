/**
 * Memory categories (as Mem0 and A-MEM tag their memories). Each fact gets the categories whose
 * cue words it uses; the category's keywords are embedded together with the fact, so a query can
 * find a fact through what it is about and not only through the words it shares: "a restaurant
 * near me" finds "I live in Berlin" (a home location) and "I'm vegetarian" (food and diet).
 */
export interface Category {
  id: string;
  /** Shown to the user. */
  label: string;
  /** Words a fact of this kind uses. */
  cue: RegExp;
  /** Words a prompt about this kind of fact uses (besides the cue's): "where do I live", "get around". */
  asked?: RegExp;
  /** Embedded with the fact; words a question about this kind of fact tends to use. */
  keywords: string;
}

export const CATEGORIES: readonly Category[] = [
  {
    id: 'location',
    label: 'Home & location',
    cue: /\b(live|living|lives|moved|moving|move|based|from|grew up|hometown|city|town|village|country|neighbou?rhood|address|settled|relocat\w*|flat|apartment|house|home|place|rent|rented|lease|mortgage|closed on|landlord)\b/i,
    asked: /\b(where (?:do|am|are) (?:i|we)|which city|what city|nearby|near me|near us|local|around here)\b/i,
    keywords: 'home location: city neighbourhood, where I live, near local places nearby, around here',
  },
  {
    id: 'diet',
    label: 'Food & diet',
    cue: /\b(vegetarian|vegan|veggie|plant-based|meat-free|flexitarian|dairy-free|paleo|pescatarian|gluten|coeliac|celiac|lactose|allergic|allergy|intolerant|halal|kosher|keto|low-carb|eat|eating|food|diet|drink|drinking|sober|alcohol|coffee|coffees|tea|matcha|cook|cooking|bake|baking|meat|dairy|spicy|sugar|recipe|meal|meals)\b/i,
    asked: /\b(dinner|lunch|breakfast|dessert|snack|restaurant|menu|dish|recipe|cook|eat|drink)\b/i,
    keywords: 'food and diet: eating meals restaurants cooking recipes dishes drinks',
  },
  {
    id: 'work',
    label: 'Work',
    cue: /\b(work|works|working|job|jobs|role|position|promoted|promotion|hired|offer|startup|engineer|developer|designer|manager|supervisor|lead|teacher|teach|teaching|nurse|doctor|student|company|employer|office|career|profession|boss|report to|reports to|colleague|colleagues|coworkers?|team|client|clients|shift|salary|freelanc\w*|quit|resigned|contract)\b/i,
    asked: /\b(work|working|job|employer|boss|report to|role|career|colleagues?)\b/i,
    keywords: 'work and career: job role employer profession office boss colleagues',
  },
  {
    id: 'family',
    label: 'People',
    cue: /\b(wife|husband|partner|girlfriend|boyfriend|fianc[ée]e?|son|daughter|kids?|children|twins|baby|mother|father|mom|mum|dad|parents|sister|brother|family|friend|friends|grandson|granddaughter|grandkids?|grandma|grandpa|uncle|aunt|cousin|niece|nephew|married|wedding|engaged|divorced?|dating|seeing someone)\b/i,
    keywords: 'family and people: relatives friends relationships',
  },
  {
    id: 'pets',
    label: 'Pets',
    cue: /\b(dog|dogs|cat|cats|puppy|kitten|pet|pets|parrot|budgie|rabbit|bunny|hamster|tortoise|horse|pony|chickens?|hens?|greyhound|lurcher|whippet|labrador|terrier|spaniel|collie|beagle|retriever|poodle|pug|corgi|husky|dachshund|vet)\b/i,
    keywords: 'pets: animals dog cat',
  },
  {
    id: 'health',
    label: 'Health',
    cue: /\b(allergic|allergy|diabetes|diabetic|prediabetic|asthma|migraines?|headaches?|pregnant|injury|injured|knee|back pain|medication|meds|pills?|insulin|metformin|epipen|condition|health|diagnosed|surgery|therapy|anxiety|depression|adhd|blood pressure|cholesterol|physio)\b/i,
    keywords: 'health: medical conditions, doctor, medicine, wellbeing',
  },
  {
    id: 'transport',
    label: 'Getting around',
    cue: /\b(car|cars|drive|drives|driving|drove|bike|bikes|e-bike|ebike|cycle|cycling|commute|commuting|train|bus|tram|truck|van|scooter|motorbike|motorcycle|tesla|pickup|f-150|parking|charging)\b/i,
    asked: /\b(get around|get to work|driving|drive|commute|car|vehicle)\b/i,
    keywords: 'getting around: car driving commute bike transport vehicle',
  },
  {
    id: 'activity',
    label: 'Sport & hobbies',
    cue: /\b(run|running|runner|marathon|half-marathon|10k|5k|race|gym|yoga|pilates|climbing|bouldering|swim|swimming|football|soccer|hockey|tennis|hiking|training|workout|woodworking|knitting|painting|drawing|guitar|ukulele|piano|choir|band|book club|reading|gardening|allotment|hobby|hobbies|lessons?|class|canoe|project)\b/i,
    asked: /\b(exercise|sport|hobby|hobbies|free time|weekend|training|project)\b/i,
    keywords: 'sport and hobbies: exercise training free time projects',
  },
  {
    id: 'travel',
    label: 'Travel & plans',
    cue: /\b(trip|trips|holiday|holidays|vacation|flight|flights|travel|travelling|traveling|visit|visiting|road trip|half term|caravan|camping|abroad)\b/i,
    keywords: 'travel and plans: trips holidays visits',
  },
];

/** The ids of the categories a fact belongs to. */
export function categorize(fact: string): string[] {
  return CATEGORIES.filter((c) => c.cue.test(fact)).map((c) => c.id);
}

/** The categories a prompt asks about: a fact's cues, and how people ask about such facts. */
export function categoriesAsked(prompt: string): string[] {
  return CATEGORIES.filter((c) => c.cue.test(prompt) || c.asked?.test(prompt) === true).map((c) => c.id);
}

/** The text embedded for a fact: the fact, then its categories' keywords. */
export function indexText(fact: string, categories: readonly string[]): string {
  const keywords = CATEGORIES.filter((c) => categories.includes(c.id)).map((c) => c.keywords);
  return keywords.length > 0 ? `${fact}. ${keywords.join('. ')}` : fact;
}
