/** Shapes shared by the engine, the messaging protocol and the UI. */

/** The chat sites Engram knows. `demo` is Engram's built-in demo chat site. */
export type SiteId = 'chatgpt' | 'claude' | 'demo';

/** A stored memory as Dexie holds it. Dexie is the source of truth. */
export interface MemoryRecord {
  id: string;
  /** One short fact about the user, in their words. */
  text: string;
  /** Categories of the fact (see pipeline/categorize.ts). */
  categories: string[];
  /** Embedding of the fact with its categories' keywords, unit length. Stored, never indexed. */
  embedding: Float32Array;
  /** Which embedding model made `embedding`, so a model change can re-embed. */
  model: string;
  site: SiteId;
  conversationId: string;
  /** When the user said it, ms since epoch. */
  createdAt: number;
  updatedAt: number;
}

/** What the popup shows of a memory. */
export interface MemoryView {
  id: string;
  text: string;
  site: SiteId;
  createdAt: number;
}

/** A memory chosen for a prompt, with its similarity to the query. */
export interface RecalledMemory {
  id: string;
  text: string;
  score: number;
}
