/** The views of what Engram knows: a short profile of the user, and the entities and relations named. */
import { entitiesOf } from '../pipeline/entities';
import { relationsOf } from '../pipeline/relations';
import { slotOf } from '../pipeline/slots';
import type { MemoryRecord, Relation } from '../core/types';

/** What graph() returns. */
export interface EntityGraph {
  entities: { name: string; memories: number }[];
  relations: (Relation & { memoryId: string; saidAt: number })[];
}

/**
 * The entities the memories name (people, projects, places, pets), most mentioned first, and
 * the relations they state between the user and them, each with the memory that states it:
 * user –work on→ atlas, atlas –managed by→ priya, priya –lives in→ lisbon.
 */
export function graphOf(memories: readonly MemoryRecord[]): EntityGraph {
  const mentions = new Map<string, number>();
  const relations: EntityGraph['relations'] = [];
  for (const m of memories) {
    for (const e of entitiesOf(m.text)) mentions.set(e, (mentions.get(e) ?? 0) + 1);
    // Memories stored before relations were kept get theirs from the text.
    for (const r of m.relations ?? relationsOf(m.text)) relations.push({ ...r, memoryId: m.id, saidAt: m.saidAt });
  }
  const entities = [...mentions.entries()]
    .map(([name, count]) => ({ name, memories: count }))
    .sort((a, b) => b.memories - a.memories || a.name.localeCompare(b.name));
  return { entities, relations };
}

/**
 * A short profile: the current value of each single-valued attribute (name, home, job, diet,
 * age, favourites…), then pinned and highly rated memories, most recent first.
 */
export function profileOf(memories: readonly MemoryRecord[], limit = 12): MemoryRecord[] {
  const bySlot = new Map<string, MemoryRecord>();
  for (const m of [...memories].sort((a, b) => b.saidAt - a.saidAt)) {
    const slot = slotOf(m.text);
    if (slot && !bySlot.has(slot)) bySlot.set(slot, m);
  }
  const important = memories.filter((m) => m.metadata.pinned === true || (typeof m.metadata.importance === 'number' && m.metadata.importance >= 4));
  return [...new Set([...bySlot.values(), ...important])].slice(0, limit);
}
