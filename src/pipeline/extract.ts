/**
 * Rule-based fact extraction for the walking skeleton: a user message is split into sentences and
 * clauses, and the ones that state something about the user ("I'm vegetarian", "my dog is called
 * Max") are kept as facts. Questions, requests and Engram's own memory block are dropped.
 */
import { stripMemoryBlock } from '../inject/memory-block';
import { cleanText, comparisonKey } from './normalize';

const FIRST_PERSON = /\b(i|i'm|i’m|im|i've|i’ve|i'd|i’d|i'll|i’ll|me|my|mine|myself|we|our)\b/i;
/** Openers that make a clause a request to the assistant, not a statement about the user. */
const REQUEST = /^(please\b|can you|could you|would you|will you|help me|tell me|show me|give me|write|explain|suggest|summari[sz]e|translate|list|let's|let me know)\b/i;
/** Hypotheticals and reported speech are not facts about the user. */
const HYPOTHETICAL = /^(if|what if|suppose|imagine|when i was joking)\b/i;
const MAX_FACT_CHARS = 300;
/** A message is not a biography: past this many facts the rest is not about the user. */
export const MAX_FACTS_PER_MESSAGE = 50;

/**
 * @example
 * extractFacts("I'm vegetarian and I live in Berlin. Can you help?");
 * // ["I'm vegetarian", "I live in Berlin"]
 */
export function extractFacts(message: string): string[] {
  const text = cleanText(stripMemoryBlock(message));
  const facts: string[] = [];
  const seen = new Set<string>();
  for (const sentence of splitSentences(text)) {
    if (facts.length >= MAX_FACTS_PER_MESSAGE) break;
    if (sentence.endsWith('?') || HYPOTHETICAL.test(sentence)) continue;
    for (const clause of splitClauses(sentence)) {
      const fact = clause.replace(/^[\s,;:–—-]+|[\s,;:.!–—-]+$/g, '');
      if (fact.length < 4 || fact.length > MAX_FACT_CHARS) continue;
      if (!FIRST_PERSON.test(fact) || REQUEST.test(fact) || HYPOTHETICAL.test(fact)) continue;
      const key = comparisonKey(fact);
      if (!seen.has(key)) {
        seen.add(key);
        facts.push(fact);
      }
    }
  }
  return facts;
}

function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+(?=\S)|\n+/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** "I'm vegetarian and I live in Berlin" → two clauses; "salt and pepper" stays whole. */
function splitClauses(sentence: string): string[] {
  return sentence
    .split(/\s*(?:[,;]\s*(?:and|but)?\s*|\s(?:and|but)\s)(?=(?:i|i'm|i’m|my|we|our)\b)/i)
    .map((s) => s.trim())
    .filter(Boolean);
}
