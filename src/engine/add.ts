/**
 * add: what messages say becomes memories. Facts are extracted (rules or a local LLM), cleaned,
 * embedded, and each is compared with its nearest memories in the same scope to become ADD,
 * UPDATE, DELETE or NONE (the update step, ports/decider.ts).
 */
import { categorize, indexText } from '../pipeline/categorize';
import { cleanText, factHash, hasWords, type ScopeKey } from '../pipeline/normalize';
import type { Decision, Neighbour } from '../pipeline/decide';
import { relationsOf } from '../pipeline/relations';
import { withoutSecrets } from '../pipeline/secrets';
import { slotOf } from '../pipeline/slots';
import type { ChatMessage, ExtractedFact } from '../ports/extractor';
import type { JsonValue, MemoryEvent, MemoryRecord, SiteId } from '../core/types';
import { historyEntry, type EngineContext } from './context';

/** The longest memory Engram stores verbatim; longer text must go through extraction. */
export const MAX_MEMORY_CHARS = 2000;

export interface AddRequest {
  scope: ScopeKey;
  metadata: Record<string, JsonValue>;
  /** true: extract facts and decide; false: store each message verbatim. */
  infer: boolean;
  site: SiteId | null;
  conversationId: string | null;
  /** When it was said (ms since epoch). */
  saidAt: number;
  /** When the memories it adds are forgotten (ms since epoch), or null. */
  expiresAt: number | null;
}

export interface Added {
  id: string;
  memory: string;
  event: MemoryEvent;
  /** For UPDATE: the text it replaced. */
  previousMemory?: string;
}

export async function add(ctx: EngineContext, messages: ChatMessage[], request: AddRequest): Promise<Added[]> {
  const facts = await factsOf(ctx, messages, request);
  if (facts.length === 0) return [];
  const vectors = await ctx.embedder.embedBatch(facts.map((f) => embeddingText(f)));
  const results: Added[] = [];
  for (const [i, fact] of facts.entries()) {
    const vector = vectors[i];
    if (!vector) continue;
    const result = await apply(ctx, fact, vector, request);
    if (result) results.push(result);
  }
  return results;
}

/**
 * The facts `messages` give, ready to store. Whatever the extractor (rules, a local LLM) or a
 * verbatim message: no secret becomes a memory, and neither does text without words or with
 * control characters (a model's garbage). Throws when a verbatim message is too long.
 */
export async function factsOf(ctx: EngineContext, messages: readonly ChatMessage[], request: Pick<AddRequest, 'infer' | 'saidAt'>): Promise<ExtractedFact[]> {
  const extracted = request.infer ? await ctx.extractor.extract(messages, { now: request.saidAt }) : verbatimFacts(messages);
  return withoutSecrets(extracted.map((f) => ({ ...f, text: cleanText(f.text) })).filter((f) => f.text.length <= MAX_MEMORY_CHARS && hasWords(f.text)));
}

/** What a fact's vector is made from: its text and categories. */
export const embeddingText = (fact: ExtractedFact): string => indexText(fact.text, fact.categories);

/**
 * The update step for one fact: `existing` is the memory with the fact's hash, if any;
 * `nearest` gives the nearest memories of the same scope, asked only when needed.
 */
export function decideFact(
  ctx: EngineContext,
  fact: ExtractedFact,
  infer: boolean,
  existing: MemoryRecord | undefined,
  nearest: () => Promise<Neighbour[]>,
): Promise<Decision> {
  // Verbatim messages (infer: false) are stored as given; only an identical one is skipped.
  if (!infer) {
    return Promise.resolve(existing ? { event: 'NONE', target: existing, reason: 'already stored' } : { event: 'ADD', reason: 'verbatim' });
  }
  return existing ? ctx.decider.decide(fact, [{ memory: existing, score: 1 }]) : nearest().then((n) => ctx.decider.decide(fact, n));
}

/** A memory said again: the same memory with the fact's new source turns, or null when it has them all. */
export function withProvenance(known: MemoryRecord, fact: ExtractedFact): MemoryRecord | null {
  const fresh = fact.sourceTurnIds.filter((id) => !known.sourceTurnIds.includes(id));
  return fresh.length > 0 ? { ...known, sourceTurnIds: [...known.sourceTurnIds, ...fresh] } : null;
}

/**
 * `old` updated by `fact` (UPDATE): the new text, its provenance added, the request's where and when.
 * `relations: false` leaves them to be filled later (bulk adds: see add-many.ts's backfill).
 */
export function updatedRecord(old: MemoryRecord, fact: ExtractedFact, hash: string, request: AddRequest, now: number, relations = true): MemoryRecord {
  const { relations: _stale, ...rest } = old;
  return {
    ...rest,
    text: fact.text,
    hash,
    categories: fact.categories,
    ...(relations ? { relations: relationsOf(fact.text) } : {}),
    sourceTurnIds: [...old.sourceTurnIds, ...fact.sourceTurnIds],
    context: fact.context ?? old.context ?? null,
    site: request.site ?? old.site,
    conversationId: request.conversationId ?? old.conversationId,
    metadata: updatedMetadata(old, request.metadata),
    saidAt: request.saidAt,
    updatedAt: now,
    expiresAt: request.expiresAt ?? old.expiresAt,
  };
}

/**
 * The request's metadata over the memory's. A change that waits for the user's consent
 * (`metadata.pending: true`, "Ask before remembering") to a memory they had already accepted keeps
 * the accepted text in `metadata.pendingReplaces`, so that rejecting the change restores it.
 */
function updatedMetadata(old: MemoryRecord, incoming: Record<string, JsonValue>): Record<string, JsonValue> {
  const merged = { ...old.metadata, ...incoming };
  if (incoming.pending === true && old.metadata.pending !== true) merged.pendingReplaces = old.text;
  return merged;
}

/** A new memory of `fact` (ADD); `relations: false` leaves them to be filled later. */
export function newRecord(id: string, label: number, fact: ExtractedFact, hash: string, request: AddRequest, now: number, relations = true): MemoryRecord {
  return {
    id,
    label,
    text: fact.text,
    hash,
    ...(relations ? { relations: relationsOf(fact.text) } : {}),
    ...request.scope,
    site: request.site,
    conversationId: request.conversationId,
    sourceTurnIds: fact.sourceTurnIds,
    context: fact.context ?? null,
    saidAt: request.saidAt,
    categories: fact.categories,
    metadata: { ...request.metadata },
    createdAt: now,
    updatedAt: now,
    expiresAt: request.expiresAt,
  };
}

/** Why a memory is deleted at the user's request, in its history. */
export const FORGOTTEN_REASON = 'forgotten at the user’s request';

async function apply(ctx: EngineContext, fact: ExtractedFact, vector: Float32Array, request: AddRequest): Promise<Added | null> {
  const { scope } = request;
  const model = ctx.embedder.modelId;
  const hash = factHash(fact.text, scope);
  const existing = await ctx.store.byHash(hash);
  const decision = await decideFact(ctx, fact, request.infer, existing, () => neighbours(ctx, vector, scope));
  const now = ctx.now();

  if (decision.event === 'NONE') {
    const known = decision.target;
    if (!known) return null;
    // Said again: nothing changes but the provenance, which gains the new source turns.
    const said = withProvenance(known, fact);
    if (said) await ctx.write({ put: [said] });
    return { id: known.id, memory: known.text, event: 'NONE' };
  }
  if (decision.event === 'DELETE' && decision.target) {
    // The user asked to forget it: what it said goes from history too.
    const target = decision.target;
    await ctx.write({
      delete: [target.id],
      forget: [target.id],
      history: [historyEntry(target.id, 'DELETE', null, null, now, FORGOTTEN_REASON)],
      removedLabels: [target.label],
    });
    return { id: target.id, memory: target.text, event: 'DELETE' };
  }
  if (decision.event === 'UPDATE' && decision.target) {
    const old = decision.target;
    const updated = updatedRecord(old, fact, hash, request, now);
    await ctx.write({
      put: [updated],
      vectors: [{ memoryId: old.id, model, label: old.label, vector }],
      history: [historyEntry(old.id, 'UPDATE', old.text, fact.text, now, decision.reason)],
    });
    return { id: old.id, memory: fact.text, event: 'UPDATE', previousMemory: old.text };
  }
  const [label] = await ctx.store.allocateLabels(1);
  if (label === undefined) throw new Error('Engram: no label allocated');
  const record = newRecord(ctx.newId(), label, fact, hash, request, now);
  await ctx.write({
    put: [record],
    vectors: [{ memoryId: record.id, model, label, vector }],
    history: [historyEntry(record.id, 'ADD', null, fact.text, now, decision.reason)],
  });
  return { id: record.id, memory: record.text, event: 'ADD' };
}

/** The nearest memories in exactly this scope, best first. */
async function neighbours(ctx: EngineContext, vector: Float32Array, scope: ScopeKey): Promise<Neighbour[]> {
  const byLabel = await ctx.memories();
  const sameScope = (label: number): boolean => {
    const m = byLabel.get(label);
    return !!m && m.userId === scope.userId && m.agentId === scope.agentId && m.runId === scope.runId && m.space === scope.space;
  };
  const hits = await ctx.vectors.search(ctx.embedder.modelId, vector, 5, sameScope);
  return hits.flatMap((h) => {
    const memory = byLabel.get(h.label);
    return memory ? [{ memory, score: h.score }] : [];
  });
}

/** A memory's text as the user gave it: cleaned, with words, not too long. */
export function checkText(text: string, argument = 'text'): string {
  const clean = cleanText(text);
  if (!hasWords(clean)) throw new Error(`Engram: ${argument} must be a fact in words; it is empty or has no words`);
  if (clean.length > MAX_MEMORY_CHARS) {
    throw new Error(`Engram: ${argument} is at most ${MAX_MEMORY_CHARS} characters (this one has ${clean.length}); store facts, not documents`);
  }
  return clean;
}

function verbatimFacts(messages: readonly ChatMessage[]): ExtractedFact[] {
  return messages.flatMap((m) => {
    // Mem0 stores every message but the system prompt verbatim; blank or binary text is skipped.
    if (m.role === 'system' || !hasWords(cleanText(m.content))) return [];
    const text = checkText(m.content, 'a message');
    return [{ text, slot: slotOf(text), categories: categorize(text), forget: false, sourceTurnIds: m.id ? [m.id] : [] }];
  });
}
