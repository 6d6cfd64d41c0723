/** What the popup and the manager show of a memory (core/types.ts MemoryView), from the engine's shapes. */
import type { MemoryView } from '../../core/types';
import { scopeOf } from '../../core/memory-view';
import type { MemoryItem } from '../../engine/memory';

export { recordView } from '../../core/memory-view';

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
