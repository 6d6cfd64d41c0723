/**
 * Slots: attributes a user has one value of at a time (where they live, their job, their diet,
 * their name). Two facts in the same slot with different values contradict each other, and the
 * newer one updates the older: "I moved to Amsterdam" updates "I live in Berlin".
 */
interface SlotRule {
  slot: string;
  pattern: RegExp;
}

const SLOT_RULES: readonly SlotRule[] = [
  { slot: 'name', pattern: /\b(my name is|call me|my name's)\b/i },
  { slot: 'home', pattern: /\b(i|we)\s+(now\s+|currently\s+|still\s+|no longer\s+|don't\s+|do not\s+)?(live|living|lives|moved|relocated|reside|am based|'m based|am living|'m living)\b/i },
  { slot: 'home', pattern: /\bmy (home|address|hometown) is\b/i },
  { slot: 'job', pattern: /\b(i|i'm|i am)\s+(now\s+|currently\s+)?(work|working|employed|a [a-z ]*(engineer|developer|designer|manager|teacher|nurse|doctor|lawyer|student|scientist|consultant|analyst)|an? (engineer|developer|designer|manager|teacher|nurse|doctor|lawyer|student|scientist|consultant|analyst))\b/i },
  { slot: 'job', pattern: /\bmy (job|role|position|employer) is\b/i },
  { slot: 'diet', pattern: /\b(vegetarian|vegan|pescatarian|eat meat|eat fish|omnivore|carnivore)\b/i },
  { slot: 'age', pattern: /\b(i am|i'm)\s+\d{1,3}(\s+years old)?\b|\bmy age is\b/i },
];

const FAVOURITE = /\bmy (?:favou?rite|fav) ([a-z]+(?: [a-z]+)?) (?:is|are)\b/i;

/** The slot a fact fills, or null for facts a user can have many of (friends, pets, hobbies). */
export function slotOf(fact: string): string | null {
  const favourite = FAVOURITE.exec(fact);
  if (favourite?.[1]) return `favourite:${favourite[1].toLowerCase()}`;
  return SLOT_RULES.find((r) => r.pattern.test(fact))?.slot ?? null;
}
