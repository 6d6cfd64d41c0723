import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { MemoryView } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import { RETENTION_CHOICES, type ExpiryRequest, type HistoryImportProgress } from '../messaging/data-protocol';
import type { DataStore, MemoriesPreview } from './data-store';
import { formatCount, formatDate } from './format';
import { S } from './strings';

/**
 * The options page's "Your data": import a chat history (pick the file, see what it holds, import
 * it, follow its progress, pause and resume), paste saved memories, import a Mem0 or Engram file
 * (each previewed first: nothing is added until the user agrees; an encrypted Engram file is
 * opened with its passphrase first), and export everything (encrypted with the passphrase while
 * encryption at rest is on; Mem0's clear records only once the user confirmed that).
 */
export function DataPanel({ store, onChange }: { store: DataStore; onChange?: () => void }) {
  useEffect(() => store.watch(), [store]);
  // Memories were added: the page's list reads them again.
  const changes = store.changed.value;
  const told = useRef(changes);
  useEffect(() => {
    if (changes !== told.current) onChange?.();
    told.current = changes;
  }, [changes, onChange]);
  return (
    <div class="data-panel" data-testid="data-panel">
      <p class="hint">{S.data.intro}</p>
      <HistoryImport store={store} />
      <PasteMemories store={store} />
      <FileImport store={store} />
      <Export store={store} />
    </div>
  );
}

function Warnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <details class="hint">
      <summary>
        {S.data.warningsTitle} ({formatCount(warnings.length)})
      </summary>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </details>
  );
}

function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" class="error">
      {error}
    </p>
  ) : null;
}

function HistoryImport({ store }: { store: DataStore }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const { preview, reading, sending, progress, error } = store.history;
  const p = preview.value;
  return (
    <section class="data-part" aria-labelledby={`${id}-title`} data-testid="history-import">
      <h3 id={`${id}-title`} class="detail-title">
        {S.data.historyTitle}
      </h3>
      <p class="hint" id={`${id}-hint`}>
        {S.data.historyHint}
      </p>
      <div class="field">
        <label for={`${id}-file`}>{S.data.historyFile}</label>
        <input
          id={`${id}-file`}
          ref={input}
          type="file"
          accept=".zip,.json,application/zip,application/json"
          aria-describedby={`${id}-hint`}
          disabled={reading.value || sending.value !== null}
          onChange={(e) => {
            const picked = e.currentTarget.files?.[0];
            if (picked) void store.pickHistory(picked);
          }}
        />
      </div>
      {reading.value && <p class="loading">{S.data.reading}</p>}
      <ErrorLine error={error.value} />
      {p && (
        <div class="data-preview" data-testid="history-preview">
          {p.messages === 0 ? (
            <p>{S.data.nothingToImport}</p>
          ) : (
            <>
              <p>
                {S.data.historyPreview(
                  S.data.messages(p.messages, formatCount(p.messages)),
                  S.data.conversations(p.conversations, formatCount(p.conversations)),
                  p.source ? SITE_NAMES[p.source] : '',
                )}{' '}
                {p.from !== null && p.to !== null && S.data.dateRange(formatDate(p.from), formatDate(p.to))}
              </p>
              <h4 class="detail-title">{S.data.sampleTitle}</h4>
              <ul class="stored-list">
                {p.sample.map((m, i) => (
                  <li key={i}>
                    <span class="memory-meta">
                      {formatDate(m.at)}
                      {m.title ? ` · ${m.title}` : ''}
                    </span>
                    <br />
                    {m.text}
                  </li>
                ))}
              </ul>
            </>
          )}
          <Warnings warnings={p.warnings} />
          <div class="confirm-actions">
            {p.messages > 0 && (
              <button
                type="button"
                class="primary"
                disabled={sending.value !== null}
                onClick={() =>
                  void store.importHistory().then((ok) => {
                    // The same file may be picked again (a second import of it adds nothing).
                    if (ok && input.current) input.current.value = '';
                  })
                }
              >
                {S.data.importHistory}
              </button>
            )}
            <button
              type="button"
              class="plain"
              disabled={sending.value !== null}
              onClick={() => {
                store.cancelHistory();
                if (input.current) input.current.value = '';
              }}
            >
              {S.data.cancel}
            </button>
          </div>
        </div>
      )}
      {sending.value && (
        <p aria-live="polite">
          {S.data.sending(formatCount(sending.value.sent), formatCount(sending.value.total))}{' '}
          <progress max={sending.value.total} value={sending.value.sent} aria-label={S.data.progressLabel} />
        </p>
      )}
      {progress.value && <HistoryProgress progress={progress.value} store={store} />}
    </section>
  );
}

function HistoryProgress({ progress, store }: { progress: HistoryImportProgress; store: DataStore }) {
  const { total, done, added, failed, duplicates, state } = progress;
  return (
    <div class="data-progress" data-testid="history-progress" data-state={state}>
      <p class="memory-meta">{progress.label}</p>
      <progress max={Math.max(total, 1)} value={total === 0 ? 1 : done} aria-label={S.data.progressLabel} />
      <p role="status" data-testid="history-counts">
        {S.data.progress(formatCount(done), formatCount(total))} · {S.data.added(added, formatCount(added))}
        {failed > 0 ? ` · ${S.data.failedMessages(formatCount(failed))}` : ''}. {S.data.states[state]}
      </p>
      {duplicates > 0 && <p class="hint">{S.data.duplicates(duplicates, formatCount(duplicates))}</p>}
      {state === 'running' && (
        <button type="button" class="plain" onClick={() => void store.pause()}>
          {S.data.pause}
        </button>
      )}
      {state === 'paused' && (
        <button type="button" class="plain" onClick={() => void store.resume()}>
          {S.data.resume}
        </button>
      )}
    </div>
  );
}

function MemoriesPreviewView({ preview }: { preview: MemoriesPreview }) {
  const headline =
    preview.kind === 'engram'
      ? S.data.engramPreview(
          S.data.memoryCount(preview.count, formatCount(preview.count)),
          formatCount(preview.history ?? 0),
          formatCount(preview.injections ?? 0),
          formatCount(preview.spaces ?? 0),
        )
      : preview.kind === 'mem0'
        ? S.data.mem0Preview(preview.count, formatCount(preview.count))
        : S.data.pastePreview(preview.count, formatCount(preview.count));
  return (
    <>
      <p>{headline}</p>
      {preview.sample.length > 0 && (
        <>
          <h4 class="detail-title">{S.data.sampleTitle}</h4>
          <ul class="stored-list">
            {preview.sample.map((m, i) => (
              <li key={i}>
                {m.text}
                {m.at !== null && <span class="memory-meta"> · {formatDate(m.at)}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <Warnings warnings={preview.warnings} />
    </>
  );
}

function PasteMemories({ store }: { store: DataStore }) {
  const id = useId();
  const [text, setText] = useState('');
  const { preview, result, error, busy } = store.paste;
  return (
    <section class="data-part" aria-labelledby={`${id}-title`} data-testid="paste-memories">
      <h3 id={`${id}-title`} class="detail-title">
        {S.data.pasteTitle}
      </h3>
      <p class="hint" id={`${id}-hint`}>
        {S.data.pasteHint}
      </p>
      <div class="field">
        <label for={`${id}-text`}>{S.data.pasteLabel}</label>
        <textarea
          id={`${id}-text`}
          rows={6}
          value={text}
          aria-describedby={`${id}-hint`}
          onInput={(e) => {
            setText(e.currentTarget.value);
            store.cancelPaste();
          }}
        />
      </div>
      <button type="button" class="plain" disabled={text.trim() === '' || busy.value} onClick={() => { store.previewPaste(text); }}>
        {S.data.preview}
      </button>
      <ErrorLine error={error.value} />
      {preview.value && (
        <div class="data-preview" data-testid="paste-preview">
          <MemoriesPreviewView preview={preview.value} />
          <div class="confirm-actions">
            {preview.value.count > 0 && (
              <button
                type="button"
                class="primary"
                disabled={busy.value}
                onClick={() =>
                  void store.addPaste().then((ok) => {
                    if (ok) setText('');
                  })
                }
              >
                {S.data.add}
              </button>
            )}
            <button type="button" class="plain" onClick={() => { store.cancelPaste(); }}>
              {S.data.cancel}
            </button>
          </div>
        </div>
      )}
      {result.value && <p role="status">{result.value}</p>}
    </section>
  );
}

/** A password field with its label (and, when given, the id of the text that describes it). */
function PassphraseInput({ id, label, value, onInput, autocomplete, describedBy }: { id: string; label: string; value: string; onInput: (v: string) => void; autocomplete: string; describedBy?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="password"
        autocomplete={autocomplete}
        spellcheck={false}
        value={value}
        aria-describedby={describedBy}
        onInput={(e) => {
          onInput(e.currentTarget.value);
        }}
      />
    </div>
  );
}

/** An encrypted Engram file was picked: its passphrase opens it (then it is previewed like any other). */
function OpenEncrypted({ store, onCancel }: { store: DataStore; onCancel: () => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState('');
  const { busy } = store.file;
  return (
    <form
      class="data-preview"
      data-testid="file-passphrase"
      onSubmit={(e) => {
        e.preventDefault();
        void store.openFile(passphrase).then((ok) => {
          if (ok) setPassphrase('');
        });
      }}
    >
      <p id={`${id}-hint`}>{S.data.encryptedFile}</p>
      <PassphraseInput id={`${id}-pass`} label={S.data.filePassphrase} value={passphrase} onInput={setPassphrase} autocomplete="off" describedBy={`${id}-hint`} />
      {busy.value && <p class="loading">{S.data.opening}</p>}
      <div class="confirm-actions">
        <button type="submit" class="primary" disabled={busy.value || passphrase === ''}>
          {S.data.openFile}
        </button>
        <button type="button" class="plain" disabled={busy.value} onClick={onCancel}>
          {S.data.cancel}
        </button>
      </div>
    </form>
  );
}

function FileImport({ store }: { store: DataStore }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [applySettings, setApplySettings] = useState(true);
  const { preview, result, error, busy, encrypted } = store.file;
  const p = preview.value;
  const reset = (): void => {
    if (input.current) input.current.value = '';
  };
  return (
    <section class="data-part" aria-labelledby={`${id}-title`} data-testid="file-import">
      <h3 id={`${id}-title`} class="detail-title">
        {S.data.fileTitle}
      </h3>
      <p class="hint" id={`${id}-hint`}>
        {S.data.fileHint}
      </p>
      <div class="field">
        <label for={`${id}-file`}>{S.data.fileLabel}</label>
        <input
          id={`${id}-file`}
          ref={input}
          type="file"
          accept=".json,application/json"
          aria-describedby={`${id}-hint`}
          disabled={busy.value}
          onChange={(e) => {
            const picked = e.currentTarget.files?.[0];
            if (picked) void store.pickFile(picked);
          }}
        />
      </div>
      <ErrorLine error={error.value} />
      {encrypted.value !== null && (
        <OpenEncrypted
          store={store}
          onCancel={() => {
            store.cancelFile();
            reset();
          }}
        />
      )}
      {p && (
        <div class="data-preview" data-testid="file-preview">
          <MemoriesPreviewView preview={p} />
          {p.kind === 'engram' && (p.settings?.length ?? 0) > 0 && (
            <label class="check">
              <input type="checkbox" checked={applySettings} onChange={(e) => { setApplySettings(e.currentTarget.checked); }} />
              {S.data.applySettings}
            </label>
          )}
          <div class="confirm-actions">
            {p.count > 0 && (
              <button type="button" class="primary" disabled={busy.value} onClick={() => void store.importFile(applySettings).then((ok) => {
                      if (ok) reset();
                    })}>
                {S.data.importFile}
              </button>
            )}
            <button
              type="button"
              class="plain"
              onClick={() => {
                store.cancelFile();
                reset();
              }}
            >
              {S.data.cancel}
            </button>
          </div>
        </div>
      )}
      {result.value && <p role="status">{result.value}</p>}
    </section>
  );
}

function Export({ store }: { store: DataStore }) {
  const id = useId();
  const link = useRef<HTMLAnchorElement>(null);
  const [passphrase, setPassphrase] = useState('');
  const { busy, file, error, encrypted, confirmClear } = store.exported;
  const ready = file.value;
  useEffect(() => {
    void store.loadExportMode();
  }, [store]);
  // A new export is saved at once; the link stays to save it again.
  useEffect(() => {
    if (ready) link.current?.click();
  }, [ready]);
  const exportEngram = (): void => {
    void store.exportAs('engram', encrypted.value ? { passphrase } : {}).then((ok) => {
      // The passphrase is not kept once the file is made.
      if (ok) setPassphrase('');
    });
  };
  return (
    <section class="data-part" aria-labelledby={`${id}-title`} data-testid="export">
      <h3 id={`${id}-title`} class="detail-title">
        {S.data.exportTitle}
      </h3>
      <p class="hint">{S.data.exportHint}</p>
      {encrypted.value && (
        <>
          <p class="hint" id={`${id}-encrypted`} data-testid="export-encrypted">
            {S.data.exportEncryptedHint}
          </p>
          <PassphraseInput id={`${id}-pass`} label={S.data.exportPassphrase} value={passphrase} onInput={setPassphrase} autocomplete="current-password" describedBy={`${id}-encrypted`} />
        </>
      )}
      <div class="confirm-actions">
        <button type="button" class="plain" disabled={busy.value || (encrypted.value && passphrase === '')} onClick={exportEngram}>
          {S.data.exportEngram}
        </button>
        <button type="button" class="plain" disabled={busy.value || confirmClear.value} onClick={() => void store.exportAs('mem0')}>
          {S.data.exportMem0}
        </button>
      </div>
      {confirmClear.value && (
        <div class="confirm" role="group" aria-labelledby={`${id}-clear`} data-testid="export-clear-confirm">
          <p id={`${id}-clear`}>
            <strong>{S.data.mem0ClearTitle}.</strong> {S.data.mem0ClearWarning}
          </p>
          <div class="confirm-actions">
            <button type="button" class="danger" disabled={busy.value} onClick={() => void store.exportAs('mem0', { unencrypted: true })}>
              {S.data.mem0ClearConfirm}
            </button>
            <button type="button" class="plain" disabled={busy.value} onClick={() => { store.cancelClearExport(); }}>
              {S.data.cancel}
            </button>
          </div>
        </div>
      )}
      {busy.value && <p class="loading">{S.data.exporting}</p>}
      <ErrorLine error={error.value} />
      {ready && (
        <p role="status">
          {(ready.encrypted ? S.data.exportedEncrypted : S.data.exported)(ready.memories, formatCount(ready.memories), ready.fileName)}{' '}
          <a ref={link} href={ready.url} download={ready.fileName} data-testid="export-link">
            {S.data.download(ready.fileName)}
          </a>
        </p>
      )}
    </section>
  );
}

/** The retention policy: forget memories not used in N days (off, 30, 90, 180, 365); pinned ones stay. */
export function RetentionControl({ store }: { store: DataStore }) {
  const id = useId();
  useEffect(() => {
    void store.loadRetention();
  }, [store]);
  const { days, saved, error } = store.retention;
  const current = days.value;
  const choices: readonly (number | null)[] = current === undefined || (RETENTION_CHOICES as readonly (number | null)[]).includes(current) ? RETENTION_CHOICES : [...RETENTION_CHOICES, current];
  return (
    <div class="field" data-testid="retention">
      <label for={`${id}-days`}>{S.retention.label}</label>
      <select
        id={`${id}-days`}
        aria-describedby={`${id}-hint`}
        disabled={current === undefined}
        value={current === null || current === undefined ? '' : String(current)}
        onChange={(e) => {
          const value = e.currentTarget.value;
          void store.setRetention(value === '' ? null : Number(value));
        }}
      >
        {choices.map((n) => (
          <option key={n ?? 'off'} value={n === null ? '' : String(n)}>
            {n === null ? S.retention.off : S.retention.days(n)}
          </option>
        ))}
      </select>
      <p id={`${id}-hint`} class="hint">
        {S.retention.hint}
      </p>
      <p class="hint" aria-live="polite">
        {saved.value ? S.retention.saved : ''}
      </p>
      <ErrorLine error={error.value} />
    </div>
  );
}

/** The end of the UTC day `date` (YYYY-MM-DD) names, as expiry dates are kept (engine/validate.ts expiryOf). */
const endOfDay = (date: string): number | null => {
  const at = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(at) ? at + 86_400_000 : null;
};

/**
 * A memory's expiry, for its detail in the memory manager: never, on a date, or when its
 * conversation ends (only for a memory from a conversation). `onChange` gets the memory as saved.
 */
export function ExpiryControl({
  memory,
  setExpiry,
  onChange,
}: {
  memory: MemoryView;
  setExpiry: (request: ExpiryRequest) => Promise<MemoryView>;
  onChange?: (memory: MemoryView) => void;
}) {
  const id = useId();
  const [choice, setChoice] = useState<'never' | 'date' | 'conversation'>(memory.expiresAt ? 'date' : 'never');
  const [date, setDate] = useState(memory.expiresAt ? new Date(memory.expiresAt - 1).toISOString().slice(0, 10) : '');
  const [error, setError] = useState<string | null>(null);
  const save = async (): Promise<void> => {
    const at = choice === 'date' ? endOfDay(date) : null;
    if (choice === 'date' && at === null) return;
    const request: ExpiryRequest = choice === 'conversation' ? { id: memory.id, untilConversationEnds: true } : { id: memory.id, expiresAt: at };
    try {
      onChange?.(await setExpiry(request));
      setError(null);
    } catch (e) {
      setError(S.data.failed(e instanceof Error ? e.message : String(e)));
    }
  };
  return (
    <div class="expiry" data-testid="expiry">
      <div class="field">
        <label for={`${id}-when`}>{S.retention.expiryLabel}</label>
        <select id={`${id}-when`} value={choice} onChange={(e) => { setChoice(e.currentTarget.value as typeof choice); }}>
          <option value="never">{S.retention.never}</option>
          <option value="date">{S.retention.onDate}</option>
          {memory.conversationId && <option value="conversation">{S.retention.conversationEnds}</option>}
        </select>
      </div>
      {choice === 'date' && (
        <div class="field">
          <label for={`${id}-date`}>{S.retention.dateLabel}</label>
          <input id={`${id}-date`} type="date" value={date} onInput={(e) => { setDate(e.currentTarget.value); }} />
        </div>
      )}
      <button type="button" class="plain" disabled={choice === 'date' && endOfDay(date) === null} onClick={() => void save()}>
        {S.retention.save}
      </button>
      {memory.expiresAt ? <p class="hint">{S.retention.expires(formatDate(memory.expiresAt))}</p> : null}
      <ErrorLine error={error} />
    </div>
  );
}
