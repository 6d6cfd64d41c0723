import type { RefObject } from 'preact';
import { S } from './strings';

/**
 * Editing a memory's text in place (the list's Edit, the inbox's Edit): Enter or the submit button
 * saves, Shift+Enter is a new line, Escape or Cancel leaves the text as it was.
 */
export function MemoryEditForm({
  text,
  draft,
  onDraft,
  onSave,
  onCancel,
  saveLabel,
  busy,
  field,
}: {
  /** The memory's text now (names the field). */
  text: string;
  draft: string;
  onDraft: (draft: string) => void;
  onSave: () => void;
  onCancel: () => void;
  saveLabel: string;
  busy: boolean;
  field: RefObject<HTMLTextAreaElement | null>;
}) {
  return (
    <form
      class="memory-edit"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      <textarea
        ref={field}
        aria-label={S.memory.editLabel(text)}
        value={draft}
        rows={2}
        maxLength={2000}
        onInput={(e) => {
          onDraft(e.currentTarget.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          } else if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            onSave();
          }
        }}
      />
      <div class="memory-actions">
        <button type="submit" disabled={busy}>
          {saveLabel}
        </button>
        <button type="button" onClick={onCancel}>
          {S.memory.cancel}
        </button>
      </div>
    </form>
  );
}
