/** What the popup and the manager show of a memory (core/types.ts MemoryView), from the engine's shapes. */
import type { MemoryRecord, MemoryView } from '../../core/types';
import type { MemoryItem } from '../../engine/memory';
import { scopeOf } from './memory-rows';

/** A stored memory as the manager shows it. */
export function recordView(m: MemoryRecord): MemoryView {
  const replaces = m.metadata.pendingReplaces;
  return {
    id: m.id,
    text: m.text,
    site: m.site,
    createdAt: m.createdAt,
    saidAt: m.saidAt,
    pinned: m.metadata.pinned === true,
    space: m.space,
    scope: scopeOf(m),
    categories: m.categories,
    conversationId: m.conversationId,
    updatedAt: m.updatedAt,
    expiresAt: m.expiresAt,
    ...(m.metadata.pending === true && typeof replaces === 'string' ? { replaces } : {}),
  };
}

/** An item of the engine's Mem0-shaped API as the popup shows it. */
export function itemView(m: MemoryItem): MemoryView {
  const createdAt = Date.parse(m.createdAt);
  return {
    id: m.id,
    text: m.memory,
    site: m.site,
    createdAt,
    saidAt: Date.parse(m.saidAt),
    pinned: m.metadata.pinned === true,
    space: m.space,
    scope: scopeOf({ agentId: m.agent_id ?? null, runId: m.run_id ?? null }),
    categories: m.categories,
    conversationId: m.conversationId,
    updatedAt: m.updatedAt === undefined ? createdAt : Date.parse(m.updatedAt),
  };
}
