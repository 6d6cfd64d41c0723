/**
 * What the popup and the manager show of a stored memory (MemoryView), from its record. A leaf
 * module: the background's manager and the popup's own read of the saved first page share it.
 */
import type { MemoryRecord, MemoryScope, MemoryView } from './types';

/** A session memory has a run; an agent's has an agent; any other is the user's. */
export const scopeOf = (m: Pick<MemoryRecord, 'agentId' | 'runId'>): MemoryScope => (m.runId !== null ? 'session' : m.agentId !== null ? 'agent' : 'user');

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
