/**
 * memoryFacets: the values the manager's filters offer, each with how many memories selecting it
 * lists (one pass over the rows). A space counts the memories under it too, as its filter does.
 */
import type { MemoryFacets, MemoryScope, SiteId } from '../../core/types';
import type { ManagerDeps } from './deps';
import { liveRow } from './filter';

/** Most first, then by name. */
function counted<K extends string>(counts: Map<K, number>): [K, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const add = <K>(counts: Map<K, number>, key: K): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

export async function memoryFacets(deps: ManagerDeps): Promise<MemoryFacets> {
  const rows = await deps.rows.rows();
  // The popup asks for these as it opens: a search is likely next, so its texts are read now
  // (in slices, between requests), not when the first search has to wait for them.
  void deps.rows.texts.read(rows.revision);
  const now = deps.now();
  const sites = new Map<SiteId | 'none', number>();
  const spaces = new Map<string, number>();
  const categories = new Map<string, number>();
  const scopes = new Map<MemoryScope, number>();
  let total = 0;
  for (const row of rows.sorted) {
    if (!liveRow(row, now)) continue;
    total++;
    add(sites, row.site ?? 'none');
    add(scopes, row.scope);
    for (const category of row.categories) add(categories, category);
    if (row.space === null) {
      add(spaces, '');
    } else {
      // work/atlas counts for work/atlas and for work.
      let path = row.space;
      for (;;) {
        add(spaces, path);
        const up = path.lastIndexOf('/');
        if (up < 0) break;
        path = path.slice(0, up);
      }
    }
  }
  return {
    total,
    sites: counted(sites).map(([site, count]) => ({ site, count })),
    // By path, so a space's children follow it; '' (in no space) first.
    spaces: [...spaces].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([space, count]) => ({ space, count })),
    categories: counted(categories).map(([category, count]) => ({ category, count })),
    scopes: (['user', 'agent', 'session'] as const).flatMap((scope) => {
      const count = scopes.get(scope) ?? 0;
      return count > 0 ? [{ scope, count }] : [];
    }),
  };
}
