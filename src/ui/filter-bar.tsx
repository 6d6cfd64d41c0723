import { useId } from 'preact/hooks';
import type { MemoryFacets, MemoryScope, SiteId } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import { formatCount } from './format';
import { DATE_RANGES, type DateRange, type MemoryListStore } from './memory-list-store';
import { S } from './strings';

/** Select values: "any" (no filter), "none" (no site / no space), or a value after a prefix (so no name can collide with them). */
const ANY = 'any';
const NONE = 'none';
const VALUE = 'v:';

const SCOPES: readonly MemoryScope[] = ['user', 'agent', 'session'];

const NO_FACETS: MemoryFacets = { total: 0, sites: [], spaces: [], categories: [], scopes: [] };

const valueOf = (selected: string): string | undefined => (selected.startsWith(VALUE) ? selected.slice(VALUE.length) : undefined);

/**
 * The manager's filters: site, space, scope, category, date and pinned. Each choice shows how many
 * memories have it (memoryFacets), and each change asks the background for the list again.
 */
export function FilterBar({ store }: { store: MemoryListStore }) {
  const id = useId();
  // Until the values are read, the filters hold their place, disabled.
  const pending = store.facets.value === null;
  const facets = store.facets.value ?? NO_FACETS;
  const filter = store.filter.value;
  const count = (n: number): string => formatCount(n);

  const siteValue = filter.site === undefined ? ANY : filter.site === 'none' ? NONE : `${VALUE}${filter.site}`;
  const spaceValue = filter.space === undefined ? ANY : filter.space === '' ? NONE : `${VALUE}${filter.space}`;
  const scopeValue = filter.scope === undefined ? ANY : `${VALUE}${filter.scope}`;
  const categoryValue = filter.category === undefined ? ANY : `${VALUE}${filter.category}`;
  const sitesWithCounts = facets.sites.filter((s) => s.site !== 'none');
  const noSite = facets.sites.find((s) => s.site === 'none');
  const spacesWithCounts = facets.spaces.filter((s) => s.space !== '');
  const noSpace = facets.spaces.find((s) => s.space === '');

  return (
    <fieldset class="filters" data-testid="filters" disabled={pending}>
      <legend class="visually-hidden">{S.filters.label}</legend>
      <div class="filter">
        <label for={`${id}-site`}>{S.filters.site}</label>
        <select
          id={`${id}-site`}
          value={siteValue}
          onChange={(e) => {
            const v = e.currentTarget.value;
            void store.setFilter({ site: v === NONE ? 'none' : (valueOf(v) as SiteId | undefined) });
          }}
        >
          <option value={ANY}>{S.filters.anySite}</option>
          {sitesWithCounts.map((s) => (
            <option key={s.site} value={`${VALUE}${s.site}`}>
              {S.filters.withCount(SITE_NAMES[s.site as SiteId], count(s.count))}
            </option>
          ))}
          {noSite && <option value={NONE}>{S.filters.withCount(S.filters.noSite, count(noSite.count))}</option>}
        </select>
      </div>
      <div class="filter">
        <label for={`${id}-space`}>{S.filters.space}</label>
        <select
          id={`${id}-space`}
          value={spaceValue}
          onChange={(e) => {
            const v = e.currentTarget.value;
            void store.setFilter({ space: v === NONE ? '' : valueOf(v) });
          }}
        >
          <option value={ANY}>{S.filters.anySpace}</option>
          {spacesWithCounts.map((s) => (
            <option key={s.space} value={`${VALUE}${s.space}`}>
              {S.filters.withCount(s.space, count(s.count))}
            </option>
          ))}
          {noSpace && <option value={NONE}>{S.filters.withCount(S.filters.noSpace, count(noSpace.count))}</option>}
        </select>
      </div>
      <div class="filter">
        <label for={`${id}-scope`}>{S.filters.scope}</label>
        <select
          id={`${id}-scope`}
          value={scopeValue}
          onChange={(e) => {
            void store.setFilter({ scope: valueOf(e.currentTarget.value) as MemoryScope | undefined });
          }}
        >
          <option value={ANY}>{S.filters.anyScope}</option>
          {SCOPES.map((scope) => {
            const n = facets.scopes.find((s) => s.scope === scope)?.count ?? 0;
            return (
              <option key={scope} value={`${VALUE}${scope}`}>
                {S.filters.withCount(S.scope[scope], count(n))}
              </option>
            );
          })}
        </select>
      </div>
      <div class="filter">
        <label for={`${id}-category`}>{S.filters.category}</label>
        <select
          id={`${id}-category`}
          value={categoryValue}
          onChange={(e) => {
            void store.setFilter({ category: valueOf(e.currentTarget.value) });
          }}
        >
          <option value={ANY}>{S.filters.anyCategory}</option>
          {facets.categories.map((c) => (
            <option key={c.category} value={`${VALUE}${c.category}`}>
              {S.filters.withCount(S.categoryName(c.category), count(c.count))}
            </option>
          ))}
        </select>
      </div>
      <div class="filter">
        <label for={`${id}-date`}>{S.filters.date}</label>
        <select
          id={`${id}-date`}
          value={store.dateRange.value}
          onChange={(e) => {
            void store.setDateRange(e.currentTarget.value as DateRange);
          }}
        >
          {DATE_RANGES.map((range) => (
            <option key={range} value={range}>
              {S.filters.dates[range]}
            </option>
          ))}
        </select>
      </div>
      <div class="filter check">
        <input
          type="checkbox"
          id={`${id}-pinned`}
          checked={filter.pinned === true}
          onChange={(e) => {
            void store.setFilter({ pinned: e.currentTarget.checked ? true : undefined });
          }}
        />
        <label for={`${id}-pinned`}>{S.filters.pinned}</label>
      </div>
      {store.filtered.value && (
        <button type="button" class="plain clear-filters" onClick={() => void store.clearFilters()}>
          {S.list.clearFilters}
        </button>
      )}
    </fieldset>
  );
}
