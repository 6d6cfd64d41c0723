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

  /** The links as plain data: [entity, labels][]. */
  toData(): [string, number[]][] {
    return [...this.#byEntity].filter(([, set]) => set.size > 0).map(([e, set]) => [e, [...set]]);
  }

  /** Links from toData() output (throws on anything else). */
  static fromData(data: unknown): EntityLinks {
    if (!Array.isArray(data)) throw new Error('entity links: expected an array');
    const links = new EntityLinks();
    for (const entry of data as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1]) || !(entry[1] as unknown[]).every(Number.isInteger)) {
        throw new Error('entity links: malformed entry');
      }
      links.#byEntity.set(entry[0], new Set(entry[1] as number[]));
    }
    return links;
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
