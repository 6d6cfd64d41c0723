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
  cue: RegExp;
  /** Embedded with the fact; words a question about this kind of fact tends to use. */
  keywords: string;
}

export const CATEGORIES: readonly Category[] = [
  {
    id: 'location',
    label: 'Home & location',
    cue: /\b(live|living|lives|moved|moving|based|from|grew up|hometown|city|town|country|neighbou?rhood|address)\b/i,
    keywords: 'home location: city neighbourhood, near local places nearby, around here',
  },
  {
    id: 'diet',
    label: 'Food & diet',
    cue: /\b(vegetarian|vegan|pescatarian|gluten|lactose|allergic|allergy|halal|kosher|eat|eating|food|diet|drink|coffee|tea|cook|cooking|meat|dairy|spicy)\b/i,
    keywords: 'food and diet: eating meals restaurants cooking recipes dishes',
  },
  {
    id: 'work',
    label: 'Work',
    cue: /\b(work|works|working|job|engineer|developer|designer|manager|teacher|doctor|nurse|student|company|employer|office|career|profession)\b/i,
    keywords: 'work and career: job employer profession office colleagues',
  },
  {
    id: 'family',
    label: 'People',
    cue: /\b(wife|husband|partner|girlfriend|boyfriend|son|daughter|kids?|children|mother|father|mom|mum|dad|sister|brother|family|friend)\b/i,
    keywords: 'family and people: relatives friends relationships',
  },
  {
    id: 'pets',
    label: 'Pets',
    cue: /\b(dog|cat|puppy|kitten|pet|pets|parrot|rabbit|hamster)\b/i,
    keywords: 'pets: animals dog cat',
  },
  {
    id: 'health',
    label: 'Health',
    cue: /\b(allergic|allergy|diabetes|diabetic|asthma|pregnant|injury|medication|condition|health)\b/i,
    keywords: 'health: medical conditions, doctor, wellbeing',
  },
];

/** The ids of the categories a fact belongs to. */
export function categorize(fact: string): string[] {
  return CATEGORIES.filter((c) => c.cue.test(fact)).map((c) => c.id);
}

/** The text embedded for a fact: the fact, then its categories' keywords. */
export function indexText(fact: string, categories: readonly string[]): string {
  const keywords = CATEGORIES.filter((c) => categories.includes(c.id)).map((c) => c.keywords);
  return keywords.length > 0 ? `${fact}. ${keywords.join('. ')}` : fact;
}
