/**
 * Shapes shared by the engine, the ports, the messaging protocol and the UI. A leaf module: it
 * imports nothing from src/.
 */

/** A relation a fact states: user –lives in→ berlin, atlas –managed by→ priya (pipeline/relations.ts). */
export interface Relation {
  /** 'user' for the user; otherwise a lower-cased entity name. */
  subject: string;
  predicate: string;
  object: string;
}

/**
 * The chat sites Engram knows. `generic`: any other site the user turned Engram on for (popup);
 * `demo` is Engram's built-in demo chat site.
 */
export type SiteId = 'chatgpt' | 'claude' | 'gemini' | 'perplexity' | 'deepseek' | 'grok' | 'generic' | 'demo';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The user Engram serves in the browser (one profile = one user). */
export const DEFAULT_USER = 'me';

/**
 * A stored memory as Dexie holds it. Dexie is the source of truth; vectors live in their own
 * table (one row per model), and every vector index is a rebuildable cache of them.
 */
export interface MemoryRecord {
  id: string;
  /** Integer key of the memory in vector indexes. Unique, never reused. */
  label: number;
  /** One short fact, in the user's words. */
  text: string;
  /** Hash of the normalised text and scope: the same fact in the same scope is stored once. */
  hash: string;
  /**
   * Scope: user memory, agent memory (per assistant), session memory (one run). At least one is
   * set (Mem0's rule); the extension always sets the user.
   */
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  /** Hierarchical space such as `work/atlas`, or null for none. */
  space: string | null;
  /** Provenance: where and when it was said, and from which turns. */
  site: SiteId | null;
  conversationId: string | null;
  sourceTurnIds: string[];
  /** The source message's words around the fact, searched with it (optional; never shown). */
  context?: string | null;
  saidAt: number;
  categories: string[];
  /** Relations the fact states between the user and named entities (pipeline/relations.ts). */
  relations?: Relation[];
  metadata: Record<string, JsonValue>;
  createdAt: number;
  updatedAt: number;
  /** When it is forgotten (Mem0's `expirationDate`, or a session's end); null for never. */
  expiresAt: number | null;
}

/** A persisted vector index snapshot (a cache of the vectors table). */
export interface IndexSnapshot {
  /** `${model}:${kind}`, or `recall-image` (engine/recall-image.ts). */
  key: string;
  model: string;
  kind: 'exact' | 'hnsw' | 'image';
  /** The store's vector revision the snapshot reflects; any other means stale. */
  revision: number;
  dimensions: number;
  bytes: Uint8Array;
  savedAt: number;
}

/** The embedding of one memory under one model. */
export interface VectorRecord {
  memoryId: string;
  model: string;
  label: number;
  vector: Float32Array;
}

export type MemoryEvent = 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';

/** One change of a memory, with its old and new text. */
export interface HistoryEntry {
  id?: number;
  memoryId: string;
  event: Exclude<MemoryEvent, 'NONE'>;
  oldText: string | null;
  newText: string | null;
  at: number;
  /** Why, e.g. "contradicted by: I moved to Amsterdam". */
  reason?: string;
  /** The user corrected the text (an edit): the old text was never true, so it is no past value. */
  correction?: boolean;
  /** Consolidation: the memory this one was merged into (its text forgotten with that memory). */
  mergedInto?: string;
}

/** What the popup shows of a memory. */
export interface MemoryView {
  id: string;
  text: string;
  site: SiteId | null;
  createdAt: number;
  /** When it was said (the date the manager shows, filters and orders by); createdAt when absent. */
  saidAt?: number;
  /** The user pinned it: it ranks higher however old it is. */
  pinned?: boolean;
  /** Waiting for consent, a change to a memory the user had accepted: the accepted text it would replace. */
  replaces?: string;
  /** A search result: whether it mentions a word of the search (else it is only related in meaning). */
  matched?: boolean;
  /** The space it is filed in, such as `work/atlas`; null or absent for none. */
  space?: string | null;
  /** Who it is about: the user, an assistant (agent), or one conversation (session). */
  scope?: MemoryScope;
  categories?: string[];
  /** The conversation it came from on its site, when known. */
  conversationId?: string | null;
  updatedAt?: number;
  /** When it will be forgotten (ms since epoch), or null/absent for never. */
  expiresAt?: number | null;
}

/** Whose memory it is (Mem0's scopes): the user's, an agent's, or a session's. */
export type MemoryScope = 'user' | 'agent' | 'session';

/**
 * What the memory manager lists: every field optional, all given ones must hold. Evaluated by the
 * background over every memory (never in the popup), so 100,000 memories filter in one pass.
 */
export interface MemoryFilter {
  /** A search: ranked by the engine (words of the search first, then related in meaning). */
  text?: string;
  /** Where it was said; `none` for memories with no site (typed in by the user, imported). */
  site?: SiteId | 'none';
  /** The space and every space under it (`work` includes `work/atlas`); `''` for memories in no space. */
  space?: string;
  scope?: MemoryScope;
  category?: string;
  /** Said at or after / before this time (ms since epoch). */
  from?: number;
  to?: number;
  pinned?: boolean;
}

/** One window of the memory manager's list (a virtualised list asks for the rows it shows). */
export interface MemoryPageRequest {
  filter: MemoryFilter;
  offset: number;
  /** At most MAX_PAGE_SIZE. */
  limit: number;
}

export interface MemoryPage {
  /** How many memories match the filter in all. */
  total: number;
  /** Rows `offset` … `offset + limit` of them: pinned first, then newest first (or best first for a search). */
  items: MemoryView[];
  /** The store's revision the page was computed at: a later page of another revision means the list changed. */
  revision: number;
}

/** The values the manager's filters offer, each with how many memories have it. */
export interface MemoryFacets {
  total: number;
  sites: { site: SiteId | 'none'; count: number }[];
  spaces: { space: string; count: number }[];
  categories: { category: string; count: number }[];
  scopes: { scope: MemoryScope; count: number }[];
}

/** A space (user-created or in use by a memory), with its memories (its own, not its children's). */
export interface SpaceInfo {
  /** A path of names joined by `/`, such as `work/atlas`. */
  path: string;
  memories: number;
}

/** A space path has at most this many levels (`work/atlas` has two). */
export const MAX_SPACE_DEPTH = 5;

/** One name of a space path has 1 to this many characters. */
export const MAX_SPACE_NAME_CHARS = 60;

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A space path as the user typed it, tidied (each name trimmed, joined by `/`), or null when it is
 * none: an empty name (`work/`, `/work`, `a//b`), a name longer than MAX_SPACE_NAME_CHARS, more
 * than MAX_SPACE_DEPTH levels, a control character, or not a string.
 *
 * @example
 * spacePath(' work / atlas ') // 'work/atlas'
 * spacePath('work/') // null
 */
export function spacePath(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const names = value.split('/').map((name) => name.trim());
  const valid = names.length <= MAX_SPACE_DEPTH && names.every((name) => name.length >= 1 && name.length <= MAX_SPACE_NAME_CHARS && !CONTROL.test(name));
  return valid ? names.join('/') : null;
}

/** The popup's order: pinned memories first, otherwise as given (a stable sort). */
export const pinnedFirst = (a: MemoryView, b: MemoryView): number => Number(b.pinned ?? false) - Number(a.pinned ?? false);

/** A memory chosen for a prompt, with its similarity to the query. */
export interface RecalledMemory {
  id: string;
  text: string;
  score: number;
}

/** One prompt that went out with memories, as the injection log keeps it. */
export interface InjectionRecord {
  id?: number;
  at: number;
  site: SiteId;
  conversationId: string;
  /** How the memories got there: `automatic`, `review` (what the user kept), `manual` (inserted on request). */
  mode: 'automatic' | 'review' | 'manual';
  /** Each memory as it was sent; `text` is null once the memory is forgotten. */
  memories: { id: string; text: string | null }[];
  /** Index of the memory ids (Dexie multi-entry), to find where a memory was used. */
  memoryIds: string[];
}
