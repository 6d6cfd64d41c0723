import { useEffect, useRef, useState } from 'preact/hooks';
import { MemoryEditForm } from './memory-edit-form';
import type { MemoryView } from '../core/types';
import { SITE_NAMES } from './control-store';
import type { InboxStore } from './inbox-store';
import { usePolledStore } from './use-store';
import { DateTime, formatCount } from './format';
import { S } from './strings';

/**
 * "Waiting for you": memories from chats that wait for the user's consent ("Ask before
 * remembering"). Each is accepted as is, edited then accepted, or rejected.
 */
export function Inbox({ store, onAccepted }: { store: InboxStore; onAccepted?: (memory: MemoryView) => void }) {
  usePolledStore(store);
  const list = useRef<HTMLUListElement>(null);
  const items = store.items.value;

  /** After a row leaves, focus the next one's first button (or the last row's), not the page. */
  const refocus = (index: number): void => {
    setTimeout(() => {
      const rows = [...(list.current?.querySelectorAll<HTMLElement>('[data-testid="inbox-item"]') ?? [])];
      rows[Math.min(index, rows.length - 1)]?.querySelector('button')?.focus();
    }, 0);
  };

  return (
    <>
      {items.length > 0 && (
        <section class="inbox" aria-labelledby="inbox-title" data-testid="inbox">
          <h2 id="inbox-title" class="count">
            {S.inbox.title(formatCount(items.length))}
          </h2>
          <p class="hint">{S.inbox.hint}</p>
          {store.error.value && (
            <p role="alert" class="error">
              {store.error.value}
            </p>
          )}
          <ul class="memories" ref={list} aria-label={S.inbox.label}>
            {items.map((m, index) => (
              <InboxItem
                key={m.id}
                memory={m}
                onAccept={async (text) => {
                  const accepted = await store.accept(m.id, text);
                  if (!accepted) return false;
                  onAccepted?.(accepted);
                  refocus(index);
                  return true;
                }}
                onReject={async () => {
                  if (await store.reject(m.id)) refocus(index);
                }}
              />
            ))}
          </ul>
        </section>
      )}
      {/* Outside the section, so it still speaks when the last waiting memory leaves. */}
      <p class="hint inbox-status" aria-live="polite" data-testid="inbox-status">
        {store.announcement.value}
      </p>
    </>
  );
}

function InboxItem({
  memory,
  onAccept,
  onReject,
}: {
  memory: MemoryView;
  /** Accept, with the edited text if any; false when it failed (the row stays). */
  onAccept: (text?: string) => Promise<boolean>;
  onReject: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(memory.text);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (editing) field.current?.focus();
  }, [editing]);

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  const cancel = (): void => {
    setEditing(false);
    setTimeout(() => editButton.current?.focus(), 0);
  };
  const save = (): Promise<void> => run(() => onAccept(draft));

  return (
    <li class="memory inbox-item" data-testid="inbox-item">
      <div class="memory-body">
        {editing ? (
          <MemoryEditForm
            text={memory.text}
            draft={draft}
            onDraft={setDraft}
            onSave={() => void save()}
            onCancel={cancel}
            saveLabel={S.inbox.saveAndAccept}
            busy={busy}
            field={field}
          />
        ) : (
          <p class="memory-text">{memory.text}</p>
        )}
        {memory.replaces !== undefined && (
          <p class="memory-meta" data-testid="replaces">
            {S.inbox.replaces(memory.replaces)}
          </p>
        )}
        <p class="memory-meta">
          {memory.site ? `${SITE_NAMES[memory.site]} · ` : null}
          <DateTime at={memory.createdAt} />
        </p>
      </div>
      {!editing && (
        <div class="memory-actions">
          <button type="button" disabled={busy} aria-label={S.inbox.acceptLabel(memory.text)} onClick={() => void run(() => onAccept())}>
            {S.inbox.accept}
          </button>
          <button
            type="button"
            ref={editButton}
            disabled={busy}
            aria-label={S.memory.editLabel(memory.text)}
            onClick={() => {
              setDraft(memory.text);
              setEditing(true);
            }}
          >
            {S.memory.edit}
          </button>
          <button type="button" class="delete" disabled={busy} aria-label={S.inbox.rejectLabel(memory.text)} onClick={() => void run(onReject)}>
            {S.inbox.reject}
          </button>
        </div>
      )}
    </li>
  );
}
