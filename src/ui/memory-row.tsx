import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { MemoryView } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import { DateTime } from './format';
import { highlight } from './highlight';
import type { InjectionLogStore } from './injection-log-store';
import { MemoryUses } from './injection-log';
import { MemoryDetailView } from './memory-detail';
import { MemoryEditForm } from './memory-edit-form';
import type { MemoryListStore } from './memory-list-store';
import { S } from './strings';
import type { RowProps } from './virtual-list';

/** A memory's text, the words of the search marked. */
export function MemoryText({ text, query }: { text: string; query: string }) {
  if (!query.trim()) return <>{text}</>;
  return (
    <>
      {highlight(text, query).map((segment, i) => (segment.mark ? <mark key={i}>{segment.text}</mark> : segment.text))}
    </>
  );
}

/**
 * One memory of the manager's list: its text (the search's words marked), where and when it was
 * said, and what can be done with it: select, details (history, injections, space), pin, edit in
 * place, forget.
 */
export function MemoryRow({
  memory,
  row,
  store,
  query,
  log,
  selected,
  selectable,
  selectDisabled,
}: {
  memory: MemoryView;
  row: RowProps;
  store: MemoryListStore;
  /** The search, whose words are marked in the text. */
  query: string;
  log?: InjectionLogStore | undefined;
  selected: boolean;
  /** The list offers bulk actions: each row has a checkbox. */
  selectable: boolean;
  /** "All that match" is selected: the row's checkbox shows it and is not changed on its own. */
  selectDisabled: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(memory.text);
  const [saving, setSaving] = useState(false);
  const [open, setOpen] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const detailId = useId();
  useEffect(() => {
    if (editing) field.current?.focus();
  }, [editing]);

  const startEditing = (): void => {
    setDraft(memory.text);
    setEditing(true);
  };
  const stopEditing = (): void => {
    setEditing(false);
    // Back to where the user was, for keyboard users.
    setTimeout(() => editButton.current?.focus(), 0);
  };
  const save = async (): Promise<void> => {
    if (draft.trim() === memory.text) {
      stopEditing();
      return;
    }
    setSaving(true);
    const saved = await store.edit(memory.id, draft);
    setSaving(false);
    if (saved) stopEditing();
  };
  const matched = query.trim() !== '' && memory.matched !== false;

  return (
    <li {...row} class={memory.pinned ? 'memory pinned' : 'memory'} data-testid="memory">
      {selectable && (
        <input
          type="checkbox"
          class="memory-select"
          aria-label={S.memory.select(memory.text)}
          checked={selected}
          disabled={selectDisabled}
          onChange={(e) => {
            store.toggleSelected(memory.id, e.currentTarget.checked);
          }}
        />
      )}
      <div class="memory-body">
        {editing ? (
          <MemoryEditForm
            text={memory.text}
            draft={draft}
            onDraft={setDraft}
            onSave={() => void save()}
            onCancel={stopEditing}
            saveLabel={S.memory.save}
            busy={saving}
            field={field}
          />
        ) : (
          <p class="memory-text">{matched ? <MemoryText text={memory.text} query={query} /> : memory.text}</p>
        )}
        <p class="memory-meta">
          {memory.pinned ? <span class="pin-badge">{S.memory.pinned} · </span> : null}
          {memory.site ? `${SITE_NAMES[memory.site]} · ` : null}
          <DateTime at={memory.saidAt ?? memory.createdAt} />
          {memory.space ? <span class="space-badge"> · {S.memory.inSpace(memory.space)}</span> : null}
        </p>
        {log && !editing && <MemoryUses memory={memory} store={log} />}
        {!editing && (
          <div class="memory-actions">
            {store.can.detail && (
              <button
                type="button"
                aria-expanded={open}
                aria-controls={open ? detailId : undefined}
                aria-label={S.memory.detailsLabel(memory.text)}
                onClick={() => {
                  setOpen(!open);
                }}
              >
                {S.memory.details}
              </button>
            )}
            {store.can.pin && (
              <button
                type="button"
                class="pin"
                aria-pressed={memory.pinned === true}
                aria-label={S.memory.pinLabel(memory.text)}
                title={S.memory.pinTitle(memory.pinned === true)}
                onClick={() => void store.pin(memory.id, !memory.pinned)}
              >
                {memory.pinned ? S.memory.unpin : S.memory.pin}
              </button>
            )}
            {store.can.edit && (
              <button type="button" ref={editButton} class="edit" onClick={startEditing} aria-label={S.memory.editLabel(memory.text)}>
                {S.memory.edit}
              </button>
            )}
            <button type="button" class="delete" onClick={() => void store.remove(memory.id)} aria-label={S.memory.forgetLabel(memory.text)}>
              {S.memory.forget}
            </button>
          </div>
        )}
        {open && !editing && <MemoryDetailView id={detailId} memory={memory} store={store} />}
      </div>
    </li>
  );
}

/** A row not read yet: the place a memory will take, so nothing jumps when it comes. */
export function SkeletonRow({ row }: { row?: RowProps }) {
  return (
    <li {...row} class="memory skeleton" aria-busy="true">
      <span class="visually-hidden">{S.list.loadingRow}</span>
      <span class="skeleton-line" aria-hidden="true" />
      <span class="skeleton-line short" aria-hidden="true" />
    </li>
  );
}
