import type { CapturedTurn } from '../messaging/protocol';
import { categorize, indexText } from '../pipeline/categorize';
import { extractFacts } from '../pipeline/extract';
import { cosine, rankBySimilarity, type RecallOptions } from '../pipeline/retrieve';
import type { Embedder } from '../ports/embedder';
import type { MemoryStore } from '../ports/memory-store';
import type { MemoryRecord, MemoryView, RecalledMemory } from './types';

/** A fact this similar to a stored one (same model) is the same fact said again. */
export const DUPLICATE_SIMILARITY = 0.95;

/**
 * Calibrated on the bundled GloVe model: related fact/question pairs score 0.32–0.63 and
 * unrelated ones at most 0.28 on the set in test/unit/memory-service.test.ts.
 */
export const DEFAULT_RECALL: RecallOptions = { topK: 5, threshold: 0.3 };

export interface MemoryServiceOptions {
  store: MemoryStore;
  embedder: Embedder;
  recall?: Partial<RecallOptions>;
  now?: () => number;
  newId?: () => string;
}

/**
 * The walking skeleton's memory engine: captured turns become fact memories with embeddings, and
 * a prompt about to be sent recalls the memories similar to it.
 */
export class MemoryService {
  readonly #store: MemoryStore;
  readonly #embedder: Embedder;
  readonly #recall: RecallOptions;
  readonly #now: () => number;
  readonly #newId: () => string;
  /** Captures are applied one at a time, so two tabs never store the same fact twice. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: MemoryServiceOptions) {
    this.#store = options.store;
    this.#embedder = options.embedder;
    this.#recall = { ...DEFAULT_RECALL, ...options.recall };
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Store the facts a user turn states. Returns the memories added. */
  capture(turn: CapturedTurn): Promise<MemoryRecord[]> {
    const run = this.#queue.then(() => this.#capture(turn));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #capture(turn: CapturedTurn): Promise<MemoryRecord[]> {
    const facts = extractFacts(turn.text);
    if (facts.length === 0) return [];
    const categories = facts.map(categorize);
    const vectors = await this.#embedder.embedBatch(facts.map((f, i) => indexText(f, categories[i] ?? [])));
    const existing = (await this.#store.all()).filter((m) => m.model === this.#embedder.modelId);
    const added: MemoryRecord[] = [];
    facts.forEach((text, i) => {
      const embedding = vectors[i];
      if (!embedding) return;
      const known = [...existing, ...added].some(
        (m) => m.text.toLowerCase() === text.toLowerCase() || cosine(m.embedding, embedding) >= DUPLICATE_SIMILARITY,
      );
      if (known) return;
      const now = this.#now();
      added.push({
        id: this.#newId(),
        text,
        categories: categories[i] ?? [],
        embedding,
        model: this.#embedder.modelId,
        site: turn.site,
        conversationId: turn.conversationId,
        createdAt: turn.sentAt || now,
        updatedAt: now,
      });
    });
    if (added.length > 0) await this.#store.put(added);
    return added;
  }

  /** The memories relevant to `query`, best first; empty when none clears the threshold. */
  async recall(query: string, options: Partial<RecallOptions> = {}): Promise<RecalledMemory[]> {
    const text = query.trim();
    if (!text) return [];
    const memories = await this.#store.all();
    if (memories.length === 0) return [];
    const vector = await this.#embedder.embed(text);
    return rankBySimilarity(vector, memories, this.#embedder.modelId, { ...this.#recall, ...options });
  }

  async list(): Promise<MemoryView[]> {
    return (await this.#store.all()).map(({ id, text, site, createdAt }) => ({ id, text, site, createdAt }));
  }

  delete(id: string): Promise<boolean> {
    return this.#store.delete(id);
  }
}
