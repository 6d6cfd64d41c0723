import { stripMemoryBlock } from '../inject/memory-block';
import { categorize } from '../pipeline/categorize';
import { cleanText, hasWords } from '../pipeline/normalize';
import { extractFacts, leadingAnswer, statementsOf } from '../pipeline/extract';
import { containsSecret, redactSecrets } from '../pipeline/secrets';
import { slotOf } from '../pipeline/slots';
import type { ChatMessage, ExtractedFact, Extractor } from '../ports/extractor';

const FORGET = /^(?:please\s+)?(?:forget|don't remember|do not remember|stop remembering)\s+(?:that\s+)?(.+)$/i;

/**
 * The extractor that needs no model: self-statements in the user's messages become facts;
 * assistant and system messages are context only (the questions the assistant just asked are
 * kept with the facts of the reply, for search). "Forget that …" becomes a forget request.
 */
export class RuleBasedExtractor implements Extractor {
  readonly name = 'rule-based';

  extract(messages: readonly ChatMessage[]): Promise<ExtractedFact[]> {
    const facts: ExtractedFact[] = [];
    for (const message of messages) {
      if (message.role !== 'user') continue;
      const source = message.id ? [message.id] : [];
      const forget = FORGET.exec(message.content.trim());
      if (forget?.[1]) {
        const text = cleanText(forget[1]).replace(/[.!]+$/, '');
        if (hasWords(text)) facts.push({ text, slot: slotOf(text), categories: categorize(text), forget: true, sourceTurnIds: source });
        continue;
      }
      const asked = askedBefore(messages, message);
      const context = searchContext(message, asked);
      // A clause stating a password, a key or a card number is never a fact; the others are kept.
      const texts = extractFacts(message.content).filter((text) => !containsSecret(text));
      // Nothing about the user in the first person: what a short message states is kept in the
      // user's words, so that what the rules miss ("the kids loved the beach") can still be found.
      const said = texts.length === 0 ? statementsOf(message.content) : null;
      if (said && !containsSecret(said)) texts.push(said);
      // "Which language are you learning?" — "Japanese! I've been at it for two years": the bare
      // answer opens the first fact, which would not say what it is about without it.
      const answer = asked ? leadingAnswer(message.content) : null;
      if (answer && texts[0] !== undefined && !texts[0].includes(answer)) texts[0] = `${answer} ${texts[0]}`.slice(0, MAX_ANSWERED_FACT_CHARS);
      for (const text of texts) {
        facts.push({ text, slot: slotOf(text), categories: categorize(text), forget: false, sourceTurnIds: source, context });
      }
    }
    return Promise.resolve(facts);
  }
}

/** A fact with its bare answer in front stays this short. */
const MAX_ANSWERED_FACT_CHARS = 360;

/** At most this much of the source message is kept as a fact's context. */
export const MAX_CONTEXT_CHARS = 600;

/** What the assistant asked at the end of its message ("How often do you run?"), which the user's reply answers. */
export const MAX_ASKED_CHARS = 300;
export function questionsAskedIn(assistant: string): string {
  const tail = cleanText(stripMemoryBlock(assistant)).slice(-MAX_ASKED_CHARS);
  return (tail.match(/[^.!?\n]*\?/g) ?? []).map((q) => q.trim()).filter(Boolean).join(' ');
}

function contextOf(message: string): string {
  // Secrets are redacted before the cut, so none is kept in part either.
  const clean = redactSecrets(cleanText(stripMemoryBlock(message)).slice(0, 2 * MAX_CONTEXT_CHARS));
  return clean.length > MAX_CONTEXT_CHARS ? clean.slice(0, MAX_CONTEXT_CHARS) : clean;
}

/** The questions the assistant asked just before `message`, or ''. */
export function askedBefore(messages: readonly ChatMessage[], message: ChatMessage): string {
  const prior = messages[messages.indexOf(message) - 1];
  return prior?.role === 'assistant' ? questionsAskedIn(prior.content) : '';
}

/** What a fact is searched by besides its text: the message it came from, and what that message answered. */
export function searchContext(message: ChatMessage, asked = ''): string {
  return contextOf(message.content) + (asked ? `\n${asked}` : '');
}
