import { stripMemoryBlock } from '../inject/memory-block';
import { categorize } from '../pipeline/categorize';
import { cleanText } from '../pipeline/normalize';
import { extractFacts } from '../pipeline/extract';
import { slotOf } from '../pipeline/slots';
import type { ChatMessage, ExtractedFact, Extractor } from '../ports/extractor';

const FORGET = /^(?:please\s+)?(?:forget|don't remember|do not remember|stop remembering)\s+(?:that\s+)?(.+)$/i;

/**
 * The extractor that needs no model: self-statements in the user's messages become facts;
 * assistant and system messages are context only. "Forget that …" becomes a forget request.
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
        const text = forget[1].replace(/[.!]+$/, '');
        facts.push({ text, slot: slotOf(text), categories: categorize(text), forget: true, sourceTurnIds: source });
        continue;
      }
      const context = contextOf(message.content);
      for (const text of extractFacts(message.content)) {
        facts.push({ text, slot: slotOf(text), categories: categorize(text), forget: false, sourceTurnIds: source, context });
      }
    }
    return Promise.resolve(facts);
  }
}

/** At most this much of the source message is kept as a fact's context. */
export const MAX_CONTEXT_CHARS = 600;

function contextOf(message: string): string {
  const clean = cleanText(stripMemoryBlock(message));
  return clean.length > MAX_CONTEXT_CHARS ? clean.slice(0, MAX_CONTEXT_CHARS) : clean;
}
