/** A message of a conversation, as Mem0's `add` takes it. */
export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
  /** The site's id of this turn, kept as provenance of the facts made from it. */
  id?: string;
}

/** One fact the extractor found, about the user. */
export interface ExtractedFact {
  text: string;
  /** The single-valued attribute it sets (see pipeline/slots.ts), when it sets one. */
  slot: string | null;
  categories: string[];
  /** The user asked to forget this ("forget that I live in Berlin"): delete, add nothing. */
  forget: boolean;
  /** Ids of the messages it came from. */
  sourceTurnIds: string[];
  /**
   * The words around the fact in the message it came from (kept on this device): searched
   * lexically with the fact, so "the dinosaur exhibit" finds "They loved it" said about it.
   */
  context?: string;
}

export interface ExtractionContext {
  /** When the conversation happened, for resolving relative dates. */
  now: number;
}

/** Turns messages into facts about the user. Rule-based by default; WebLLM later. */
export interface Extractor {
  readonly name: string;
  extract(messages: readonly ChatMessage[], context: ExtractionContext): Promise<ExtractedFact[]>;
}
