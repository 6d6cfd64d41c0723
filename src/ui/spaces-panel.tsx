import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { SiteId, SpaceInfo } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import { spaceBySiteOf, type ControlStore } from './control-store';
import { formatCount } from './format';
import { depthOf, type SpacesStore } from './spaces-store';
import { S } from './strings';

/**
 * The options page's Spaces: every space (nested ones indented under their parent) with how many
 * memories it holds, created, renamed or deleted here, and the space each site files new memories in.
 */
export function SpacesPanel({ store, control, sites }: { store: SpacesStore; control?: ControlStore | undefined; sites: readonly SiteId[] }) {
  const id = useId();
  const [draft, setDraft] = useState('');
  useEffect(() => {
    void store.refresh();
  }, [store]);
  const spaces = store.spaces.value;

  return (
    <div class="spaces" data-testid="spaces">
      <p class="hint">{S.spaces.intro}</p>
      {store.error.value && (
        <p role="alert" class="error">
          {store.error.value}
        </p>
      )}
      <form
        class="new-space"
        onSubmit={(e) => {
          e.preventDefault();
          void store.create(draft).then((ok) => {
            if (ok) setDraft('');
          });
        }}
      >
        <div class="field">
          <label for={`${id}-new`}>{S.spaces.newLabel}</label>
          <input
            id={`${id}-new`}
            type="text"
            value={draft}
            maxLength={200}
            aria-describedby={`${id}-new-hint`}
            onInput={(e) => {
              setDraft(e.currentTarget.value);
            }}
          />
          <p id={`${id}-new-hint`} class="hint">
            {S.spaces.newHint}
          </p>
        </div>
        <button type="submit" class="plain">
          {S.spaces.create}
        </button>
      </form>
      <h3 class="detail-title">{S.spaces.list}</h3>
      {spaces.length === 0 ? (
        <p class="hint">{S.spaces.none}</p>
      ) : (
        <ul class="space-list" aria-label={S.spaces.list}>
          {spaces.map((space) => (
            <SpaceItem key={space.path} space={space} store={store} />
          ))}
        </ul>
      )}
      <p class="hint" aria-live="polite" data-testid="spaces-status">
        {store.announcement.value}
      </p>
      {control && <SiteSpaces control={control} spaces={spaces} sites={sites} />}
    </div>
  );
}

function SpaceItem({ space, store }: { space: SpaceInfo; store: SpacesStore }) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(space.path);
  const field = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    if (renaming) field.current?.focus();
  }, [renaming]);
  const stop = (): void => {
    setRenaming(false);
    setTimeout(() => renameButton.current?.focus(), 0);
  };

  return (
    <li class="space-item" style={{ paddingInlineStart: `${depthOf(space.path) * 1.25}rem` }} data-testid="space">
      {renaming ? (
        <form
          class="rename-space"
          onSubmit={(e) => {
            e.preventDefault();
            void store.rename(space.path, name).then((ok) => {
              if (ok) setRenaming(false);
            });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              stop();
            }
          }}
        >
          <label for={`${id}-name`} class="visually-hidden">
            {S.spaces.newName(space.path)}
          </label>
          <input
            id={`${id}-name`}
            ref={field}
            type="text"
            value={name}
            maxLength={200}
            onInput={(e) => {
              setName(e.currentTarget.value);
            }}
          />
          <button type="submit" class="plain">
            {S.spaces.save}
          </button>
          <button type="button" class="plain" onClick={stop}>
            {S.spaces.cancel}
          </button>
        </form>
      ) : (
        <>
          <span class="space-path">{space.path}</span>
          <span class="hint space-count">{S.spaces.count(space.memories, formatCount(space.memories))}</span>
          <span class="space-actions">
            <button
              type="button"
              class="plain"
              ref={renameButton}
              aria-label={S.spaces.renameLabel(space.path)}
              onClick={() => {
                setName(space.path);
                setRenaming(true);
              }}
            >
              {S.spaces.rename}
            </button>
            <button type="button" class="delete" aria-label={S.spaces.deleteLabel(space.path)} onClick={() => void store.remove(space.path)}>
              {S.spaces.delete}
            </button>
          </span>
        </>
      )}
    </li>
  );
}

/** The space each site files new memories in (ControlSettings.spaceBySite). */
function SiteSpaces({ control, spaces, sites }: { control: ControlStore; spaces: SpaceInfo[]; sites: readonly SiteId[] }) {
  const id = useId();
  const settings = control.settings.value;
  if (!settings) return null;
  const bySite = spaceBySiteOf(settings);
  return (
    <fieldset class="site-spaces">
      <legend>{S.spaces.perSite}</legend>
      <p class="hint">{S.spaces.perSiteHint}</p>
      {sites.map((site) => {
        const current = bySite[site] ?? '';
        return (
          <div class="field site-mode" key={site}>
            <label for={`${id}-${site}`}>
              <span class="visually-hidden">{S.spaces.perSitePrefix}</span> {SITE_NAMES[site]}
            </label>
            <select
              id={`${id}-${site}`}
              value={current}
              onChange={(e) => {
                const value = e.currentTarget.value;
                void control.setSiteSpace(site, value === '' ? null : value);
              }}
            >
              <option value="">{S.spaces.noDefault}</option>
              {spaces.map((s) => (
                <option key={s.path} value={s.path}>
                  {s.path}
                </option>
              ))}
              {current && !spaces.some((s) => s.path === current) && <option value={current}>{current}</option>}
            </select>
          </div>
        );
      })}
    </fieldset>
  );
}
