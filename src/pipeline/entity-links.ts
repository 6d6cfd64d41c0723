import { entitiesOf } from './entities';
import type { MemoryRecord } from '../core/types';

/** entity → labels of the memories naming it. Very common entities link nothing (no signal). */
export class EntityLinks {
  static readonly MAX_LINKED = 8;
  readonly #byEntity = new Map<string, Set<number>>();

  link(m: MemoryRecord): void {
    for (const e of entitiesOf(m.text)) {
      let set = this.#byEntity.get(e);
      if (!set) this.#byEntity.set(e, (set = new Set()));
      set.add(m.label);
    }
  }

  /** Labels of the memories naming `entity`, none if more than `max` do. */
  labelsOf(entity: string, max: number): number[] {
    const set = this.#byEntity.get(entity);
    return set && set.size <= max ? [...set] : [];
  }

  unlink(m: MemoryRecord): void {
    for (const e of entitiesOf(m.text)) this.#byEntity.get(e)?.delete(m.label);
  }

  /** Labels of other memories that name an entity `m` names (other than those in `except`). */
  linked(m: MemoryRecord, except: ReadonlySet<string> = new Set()): number[] {
    const out = new Set<number>();
    for (const e of entitiesOf(m.text)) {
      if (except.has(e)) continue;
      const set = this.#byEntity.get(e);
      if (!set || set.size > EntityLinks.MAX_LINKED) continue;
      for (const label of set) if (label !== m.label) out.add(label);
    }
    return [...out];
  }
}
