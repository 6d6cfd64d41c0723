import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { HistoryEntry, MemoryView } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import type { MemoryDetail } from '../messaging/protocol';
import { conversationUrl } from '../sites/conversation-url';
import { ExpiryControl } from './data-panel';
import { DateTime, formatCount } from './format';
import { when } from './injection-log';
import type { MemoryListStore } from './memory-list-store';
import { S } from './strings';

/** The value of the "no space" choice (a space path is never empty). */
const NO_SPACE = '';

/** What one change did, in words: "Changed, because contradicted by: …", "You corrected it". */
function eventText(entry: HistoryEntry): string {
  if (entry.mergedInto) return S.detail.mergedInto;
  if (entry.event === 'UPDATE' && entry.correction) return S.detail.corrected;
  const what = S.detail.event[entry.event];
  return entry.reason ? `${what}, ${S.detail.because(entry.reason)}` : what;
}

/**
 * Everything about one memory, read when the user opens it: where it came from (the site, a link to
 * the conversation, when), its space, scope and categories, its history (each change with the old
 * and the new text and why) and the prompts it went out with; moving it to another space, and when
 * it is forgotten (never, on a date, or when its conversation ends).
 */
export function MemoryDetailView({ id, memory, store }: { id: string; memory: MemoryView; store: MemoryListStore }) {
  const [detail, setDetail] = useState<MemoryDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [space, setSpace] = useState(memory.space ?? NO_SPACE);
  const moveId = useId();
  const box = useRef<HTMLDivElement>(null);
  const loaded = detail !== null;

  useEffect(() => {
    let live = true;
    setError(null);
    store.detail(memory.id).then(
      (d) => {
        if (live) setDetail(d);
      },
      (e: unknown) => {
        if (live) setError(S.detail.failed(e instanceof Error ? e.message : String(e)));
      },
    );
    return () => {
      live = false;
    };
    // Read again when the memory changes (an edit, a move, its expiry).
  }, [memory.id, memory.text, memory.space, memory.expiresAt, store]);

  // Opened on a row at the bottom of the list: once read, the row is brought into view, its text
  // first (a row taller than the list shows from its top).
  useEffect(() => {
    if (loaded) (box.current?.closest('li') ?? box.current)?.scrollIntoView({ block: 'nearest' });
  }, [loaded]);

  const shown = detail?.memory ?? memory;
  const link = detail?.conversationUrl ?? (shown.site && shown.conversationId ? conversationUrl(shown.site, shown.conversationId) : null);
  const spaces = store.spaces.value;

  return (
    <div id={id} ref={box} class="memory-detail" data-testid="memory-detail">
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <dl class="detail-facts">
        <div>
          <dt>{S.detail.source}</dt>
          <dd>
            {shown.site ? S.detail.saidOn(SITE_NAMES[shown.site]) : S.detail.noSource}
            {', '}
            <DateTime at={shown.saidAt ?? shown.createdAt} />
            {link && shown.site && (
              <>
                {' · '}
                <a href={link} target="_blank" rel="noreferrer" aria-label={S.detail.openConversationLabel(SITE_NAMES[shown.site])}>
                  {S.detail.openConversation}
                </a>
              </>
            )}
          </dd>
        </div>
        {shown.scope && (
          <div>
            <dt>{S.detail.scope}</dt>
            <dd>{S.scope[shown.scope]}</dd>
          </div>
        )}
        {shown.categories && shown.categories.length > 0 && (
          <div>
            <dt>{S.detail.categories}</dt>
            <dd>{shown.categories.map(S.categoryName).join(', ')}</dd>
          </div>
        )}
        {shown.updatedAt !== undefined && shown.updatedAt !== shown.createdAt && (
          <div>
            <dt>{S.detail.updated}</dt>
            <dd>
              <DateTime at={shown.updatedAt} />
            </dd>
          </div>
        )}
        {typeof shown.expiresAt === 'number' && (
          <div>
            <dt>{S.detail.expires}</dt>
            <dd>
              <DateTime at={shown.expiresAt} />
            </dd>
          </div>
        )}
      </dl>

      {store.can.move && (
        <form
          class="move-one"
          onSubmit={(e) => {
            e.preventDefault();
            void store.moveOne(memory.id, space === NO_SPACE ? null : space);
          }}
        >
          <label for={moveId}>{S.detail.moveTo}</label>
          <select
            id={moveId}
            value={space}
            onChange={(e) => {
              setSpace(e.currentTarget.value);
            }}
          >
            <option value={NO_SPACE}>{S.detail.noSpace}</option>
            {spaces.map((s) => (
              <option key={s.path} value={s.path}>
                {s.path}
              </option>
            ))}
            {memory.space && !spaces.some((s) => s.path === memory.space) && <option value={memory.space}>{memory.space}</option>}
          </select>
          <button type="submit" class="plain" aria-label={S.detail.moveLabel(memory.text)} disabled={space === (memory.space ?? NO_SPACE)}>
            {S.detail.move}
          </button>
        </form>
      )}

      {store.can.expiry && (
        <ExpiryControl
          key={`${memory.id}:${memory.expiresAt ?? 'never'}`}
          memory={memory}
          setExpiry={(request) => store.setExpiry(request)}
          // (ExpiryControl saves only when given onChange.) The details show the expiry as saved at once.
          onChange={(saved) => {
            setDetail((d) => (d ? { ...d, memory: saved } : d));
          }}
        />
      )}

      {detail === null && !error ? (
        <p class="hint">{S.detail.loading}</p>
      ) : (
        detail && (
          <>
            <h3 class="detail-title">{S.detail.history}</h3>
            {detail.history.length === 0 ? (
              <p class="hint">{S.detail.noHistory}</p>
            ) : (
              <ol class="history" aria-label={S.detail.historyLabel(memory.text)} data-testid="history">
                {detail.history.map((entry, i) => (
                  <li key={entry.id ?? i} data-testid="history-entry">
                    <p class="memory-meta">
                      <DateTime at={entry.at} /> · {eventText(entry)}
                    </p>
                    {(entry.oldText !== null || entry.newText !== null) && (
                      <p class="change">
                        {entry.oldText !== null && (
                          <del>
                            <span class="visually-hidden">{S.detail.oldText}: </span>
                            {entry.oldText}
                          </del>
                        )}
                        {entry.oldText !== null && entry.newText !== null && <span aria-hidden="true"> → </span>}
                        {entry.newText !== null && (
                          <ins>
                            <span class="visually-hidden">{S.detail.newText}: </span>
                            {entry.newText}
                          </ins>
                        )}
                      </p>
                    )}
                  </li>
                ))}
              </ol>
            )}
            <h3 class="detail-title">{S.detail.injections}</h3>
            {detail.injections.length === 0 ? (
              <p class="hint">{S.detail.notInjected}</p>
            ) : (
              <>
                <p class="hint">{S.detail.injectedCount(detail.injections.length, formatCount(detail.injections.length))}</p>
                <ul class="uses-list" aria-label={S.detail.injectionsLabel(memory.text)}>
                  {detail.injections.map((u) => (
                    <li key={u.id}>
                      {SITE_NAMES[u.site]} · <DateTime at={u.at}>{when(u.at)}</DateTime>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )
      )}
    </div>
  );
}
