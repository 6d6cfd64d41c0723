import type { Decision, Neighbour } from '../ports/decider';
import type { ExtractedFact } from '../ports/extractor';
import { comparisonKey } from './normalize';
import { jaccard } from './similarity';
import { slotOf } from './slots';
import { terms } from './text-index';

export type { Decision, Neighbour };

/** A fact this similar to a stored one (and with the same content words) says the same thing. */
export const SAME_FACT = 0.95;
/** A forget request must be at least this close to the memory it removes. */
export const FORGET_MATCH = 0.55;

/**
 * The update step (Mem0's ADD / UPDATE / DELETE / NONE), by rule: a repeat is NONE; a new value
 * for a single-valued slot (home, job, diet, name…) UPDATEs the memory holding the old value, so
 * the new fact is kept and the old one stays in history; "forget that …" DELETEs its match;
 * anything else is ADDed. Neighbours are from the same scope, best first.
 */
export function decide(fact: ExtractedFact, neighbours: readonly Neighbour[]): Decision {
  const key = comparisonKey(fact.text);
  const identical = neighbours.find((n) => comparisonKey(n.memory.text) === key);
  // Near-identical: the vectors agree and so do the words (vectors alone confuse "a dog named
  // Max" with "a cat named Tom": same kind of fact, different fact).
  const same = identical ?? neighbours.find((n) => n.score >= SAME_FACT && sameFact(n.memory.text, fact.text));
  if (fact.forget) {
    const match = same ?? neighbours.find((n) => n.score >= FORGET_MATCH);
    return match
      ? { event: 'DELETE', target: match.memory, reason: `forget request: ${fact.text}` }
      : { event: 'NONE', reason: 'nothing to forget' };
  }
  if (identical) return { event: 'NONE', target: identical.memory, reason: 'already known' };
  if (fact.slot) {
    const holder = neighbours.find((n) => slotOf(n.memory.text) === fact.slot);
    if (holder) return { event: 'UPDATE', target: holder.memory, reason: `new ${fact.slot}: ${fact.text}` };
  }
  if (same) return { event: 'NONE', target: same.memory, reason: 'already known' };
  return { event: 'ADD', reason: 'new fact' };
}

/**
 * The same fact in other words: the same content words (stemmed, stop words aside), whatever the
 * punctuation, contractions and articles ("I have two cats named Tom and Jerry" and "I have two
 * cats, named Tom and Jerry!"). Sharing most words is not enough: "My sister Priya lives in Lisbon"
 * and "My friend Priya lives in Lisbon", or "…in March 2012" and "…in March 2014", are near in a
 * word model and share most words, yet they are two facts; taking one for the other would lose
 * it. A paraphrase this misses is kept twice, which loses nothing. Used by the update step and
 * by consolidation.
 */
export function sameFact(a: string, b: string): boolean {
  const x = new Set(terms(a));
  const y = new Set(terms(b));
  return x.size > 0 && x.size === y.size && [...x].every((t) => y.has(t));
}

/** Share of words two texts have in common (Jaccard over lower-cased word sets). */
export function wordOverlap(a: string, b: string): number {
  const words = (t: string): Set<string> => new Set(comparisonKey(t).split(/[^\p{L}\p{N}']+/u).filter(Boolean));
  return jaccard(words(a), words(b));
}

/** The rule-based Decider (the default). */
export const ruleBasedDecider = {
  name: 'rule-based',
  decide: (fact: ExtractedFact, neighbours: readonly Neighbour[]): Promise<Decision> => Promise.resolve(decide(fact, neighbours)),
};
