import { useEffect, useId, useState } from 'preact/hooks';
import type { AboutYou } from '../messaging/protocol';
import { FilterBar } from './filter-bar';
import { formatCount } from './format';
import type { InjectionLogStore } from './injection-log-store';
import type { MemoryListStore } from './memory-list-store';
import { MemoryRow, SkeletonRow } from './memory-row';
import { S } from './strings';
import { VirtualList } from './virtual-list';

/** The value of the "no space" choice in "Move selected to". */
const NO_SPACE = '';

/**
 * What the list's heading says: how many memories, matches or filtered ones, for the search and
 * filters the rows shown answer (a new search's stay those of the last until its first page comes).
 */
function countText(store: MemoryListStore): string {
  const { text, ...rest } = store.shown.value;
  const query = text?.trim() ?? '';
  const total = store.total.value;
  const formatted = formatCount(total);
  if (query) {
    if (total === 0) return S.list.noMatch(query);
    // Memories that name a word of the search come first: if the first does not, none does.
    if (store.rowAt(0)?.matched === false) return S.list.onlyRelated(query);
    return S.list.matches(total, formatted, query);
  }
  return Object.keys(rest).length > 0 ? S.list.filteredCount(total, formatted) : S.list.count(total, formatted);
}

/**
 * The memory manager, in the popup and (with more room) on the options page: the search, the
 * filters, the count, bulk selection ("all that match" included), the virtualised list of memories,
 * and the undo offer after a delete.
 */
export function MemoryManager({
  store,
  log,
  showAbout = true,
  roomy = false,
}: {
  store: MemoryListStore;
  /** Where each memory was used ("Where was this used?"). */
  log?: InjectionLogStore | undefined;
  /** Show "About you" above the list (the popup). */
  showAbout?: boolean;
  /** The options page: a taller list. */
  roomy?: boolean;
}) {
  const hintId = useId();
  const status = store.status.value;
  const query = store.query.value;
  const searching = query.trim() !== '';
  const filtered = store.filtered.value;
  const total = store.total.value;
  const stored = store.stored.value ?? (filtered ? null : total);
  const hasAny = (stored ?? total) > 0;
  const loading = status === 'loading';
  const showList = !loading && (total > 0 || searching || filtered);
  // While loading, the search, the filters, the heading and placeholder rows hold their places,
  // so nothing jumps when the first page comes.
  const showSearch = store.can.search && (loading || hasAny || searching);
  const showFilters = store.can.filter && (loading || hasAny || filtered);
  // The rows shown answer this search and these filters (the new ones' until their first page comes).
  const { text: shownText, ...shownFilter } = store.shown.value;
  const shownQuery = shownText?.trim() ?? '';

  return (
    <div class={roomy ? 'manager roomy' : 'manager'} data-testid="memory-manager">
      {status === 'error' && (
        <p role="alert" class="error">
          {store.error.value}
        </p>
      )}
      {!loading && !hasAny && !searching && !filtered && status === 'ready' && (
        <p class="empty" data-testid="empty">
          {S.list.empty}
        </p>
      )}
      {showSearch && (
        <search class="memory-search">
          <input
            type="search"
            aria-label={S.list.searchLabel}
            placeholder={S.list.searchPlaceholder}
            value={query}
            onInput={(e) => void store.search(e.currentTarget.value)}
          />
        </search>
      )}
      {showFilters && <FilterBar store={store} />}
      {showAbout && store.about.value && hasAny && !searching && !filtered && (
        <AboutSection about={store.about.value} onPick={(name) => void store.search(name)} />
      )}
      {loading && (
        <>
          <p class="count loading" aria-live="polite">
            {S.list.loading}
          </p>
          <ul class="virtual-list placeholder" aria-hidden="true">
            <SkeletonRow />
            <SkeletonRow />
            <SkeletonRow />
          </ul>
        </>
      )}
      {showList && (
        <>
          <h2 class="count" data-testid="memory-count" aria-live="polite">
            {countText(store)}
          </h2>
          {store.can.bulk && total > 0 && <BulkBar store={store} />}
          <p id={hintId} class="visually-hidden">
            {S.list.keyboardHint}
          </p>
          {total > 0 && (
            <VirtualList
              key={`${shownQuery}|${JSON.stringify(shownFilter)}`}
              class={roomy ? 'roomy' : undefined}
              count={total}
              version={store.version.value}
              label={shownQuery ? S.list.resultsLabel : S.list.label}
              describedBy={hintId}
              onRange={store.ensure}
              renderRow={(index, row) => {
                const memory = store.rowAt(index);
                if (!memory) return <SkeletonRow key={`pending:${index}`} row={row} />;
                return (
                  <MemoryRow
                    key={memory.id}
                    memory={memory}
                    row={row}
                    store={store}
                    query={shownQuery}
                    log={log}
                    selectable={store.can.bulk}
                    selected={store.allMatching.value || store.selected.value.has(memory.id)}
                    selectDisabled={store.allMatching.value}
                  />
                );
              }}
            />
          )}
        </>
      )}
      <UndoToast store={store} />
    </div>
  );
}

/** "Select all that match", and what to do with the selection: forget it, or move it to a space. */
function BulkBar({ store }: { store: MemoryListStore }) {
  const id = useId();
  const [space, setSpace] = useState(NO_SPACE);
  const count = store.selectionCount.value;
  const all = store.allMatching.value;
  return (
    <div class="bulk" data-testid="bulk">
      <div class="check select-all">
        <input
          type="checkbox"
          id={`${id}-all`}
          checked={all}
          onChange={(e) => {
            store.selectAllMatching(e.currentTarget.checked);
          }}
        />
        <label for={`${id}-all`}>{S.bulk.selectAll}</label>
      </div>
      {count > 0 && (
        <div role="group" aria-label={S.bulk.label} class="bulk-actions">
          <p class="bulk-count" aria-live="polite">
            {all ? S.bulk.allSelected(count, formatCount(count)) : S.bulk.selected(count, formatCount(count))}
          </p>
          <button type="button" class="delete" onClick={() => void store.removeSelected()}>
            {S.bulk.forgetSelected}
          </button>
          {store.can.move && (
            <form
              class="bulk-move"
              onSubmit={(e) => {
                e.preventDefault();
                void store.moveSelected(space === NO_SPACE ? null : space);
              }}
            >
              <label for={`${id}-move`}>{S.bulk.moveSelectedTo}</label>
              <select
                id={`${id}-move`}
                value={space}
                onChange={(e) => {
                  setSpace(e.currentTarget.value);
                }}
              >
                <option value={NO_SPACE}>{S.detail.noSpace}</option>
                {store.spaces.value.map((s) => (
                  <option key={s.path} value={s.path}>
                    {s.path}
                  </option>
                ))}
              </select>
              <button type="submit" class="plain" aria-label={S.bulk.moveSelected}>
                {S.bulk.move}
              </button>
            </form>
          )}
          <button type="button" class="plain" onClick={() => { store.clearSelection(); }}>
            {S.bulk.clear}
          </button>
        </div>
      )}
    </div>
  );
}

/** "Forgot … Undo" for UNDO_WINDOW_MS after a delete, and what the last action did. A polite live region. */
function UndoToast({ store }: { store: MemoryListStore }) {
  const offer = store.undoable.value;
  const said = store.announcement.value;
  // A new announcement replaces the old one; it fades after a while.
  const [shown, setShown] = useState(said);
  useEffect(() => {
    setShown(said);
    if (!said) return;
    const timer = setTimeout(() => {
      setShown('');
      store.announcement.value = '';
    }, 8000);
    return () => {
      clearTimeout(timer);
    };
  }, [said, store]);
  return (
    <div class={offer || shown ? 'toast shown' : 'toast'} aria-live="polite" data-testid="toast">
      {offer ? (
        <>
          <span>{offer.message}</span>{' '}
          <button type="button" class="plain" onClick={() => void store.undo()}>
            {S.list.undo}
          </button>
          <button type="button" class="link" onClick={() => { store.dismissUndo(); }}>
            {S.list.dismiss}
          </button>
        </>
      ) : (
        shown && <span>{shown}</span>
      )}
    </div>
  );
}

/** The profile Engram keeps (what a prompt is most likely to need), and who and what the user talks about. */
function AboutSection({ about, onPick }: { about: AboutYou; onPick: (name: string) => void }) {
  if (about.profile.length === 0 && about.entities.length === 0) return null;
  return (
    <section class="about" aria-labelledby="about-title">
      <h2 id="about-title" class="count">
        {S.about.title}
      </h2>
      {about.profile.length > 0 && (
        <ul class="profile" aria-label={S.about.profile} data-testid="profile">
          {about.profile.map((m) => (
            <li key={m.id}>{m.text}</li>
          ))}
        </ul>
      )}
      {about.entities.length > 0 && (
        <ul class="entities" aria-label={S.about.entities}>
          {about.entities.map((e) => (
            <li key={e.name}>
              <button
                type="button"
                class="entity"
                onClick={() => {
                  onPick(e.name);
                }}
                aria-label={S.about.showEntity(e.name, e.memories)}
              >
                {e.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
