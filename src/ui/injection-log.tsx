import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { conversationUrl } from '../sites/conversation-url';
import type { MemoryView } from '../core/types';
import type { InjectionView } from '../messaging/protocol';
import { SITE_NAMES } from './control-store';
import type { InjectionLogStore } from './injection-log-store';
import { usePolledStore } from './use-store';
import { formatCount, formatDate } from './format';
import { S } from './strings';

/** The popup's URL hash that opens the log (the chat pages' indicator links to popup.html#log). */
export const LOG_HASH = '#log';

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', hour: 'numeric', minute: '2-digit' });
const DAY_MS = 86_400_000;

const startOfDay = (t: number): number => new Date(t).setHours(0, 0, 0, 0);

/** When, as a person says it: "Today, 14:05", "Yesterday, 09:12", "Monday 18:40", else the date. */
export function when(at: number, now = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(at)) / DAY_MS);
  if (days === 0) return S.log.today(timeFormat.format(at));
  if (days === 1) return S.log.yesterday(timeFormat.format(at));
  if (days > 1 && days < 7) return weekdayFormat.format(at);
  return formatDate(at);
}

/** Whether the popup's URL asks for the log (now, and after a hash change). */
function useLogLink(): boolean {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const follow = (): void => {
      setHash(window.location.hash);
    };
    window.addEventListener('hashchange', follow);
    return () => {
      window.removeEventListener('hashchange', follow);
    };
  }, []);
  return hash === LOG_HASH;
}

/**
 * "Sent with your prompts": every recent prompt that went out with memories, where, how (added
 * automatically, reviewed, inserted on request) and which memories. Collapsed, except when the
 * popup is opened at #log (the chat page's indicator links there).
 */
export function InjectionLog({ store }: { store: InjectionLogStore }) {
  usePolledStore(store);
  const linked = useLogLink();
  const [open, setOpen] = useState(linked);
  const section = useRef<HTMLElement>(null);
  const summary = useRef<HTMLElement>(null);
  const entries = store.entries.value;
  const loaded = entries !== null;

  useEffect(() => {
    if (linked) setOpen(true);
  }, [linked]);
  // Once its content is in, bring the log into view, and the keyboard focus to it.
  useEffect(() => {
    if (!linked || !loaded) return;
    summary.current?.focus({ preventScroll: true });
    section.current?.scrollIntoView({ block: 'start' });
  }, [linked, loaded]);

  return (
    <section class="log" ref={section} aria-labelledby="log-title" data-testid="injection-log">
      <details
        open={open}
        onToggle={(e) => {
          const nowOpen = e.currentTarget.open;
          setOpen(nowOpen);
          if (nowOpen) void store.refresh();
        }}
      >
        <summary id="log-title" class="count" ref={summary}>
          {S.log.title}
        </summary>
        {store.error.value && (
          <p role="alert" class="error">
            {store.error.value}
          </p>
        )}
        {entries === null ? (
          !store.error.value && <p class="hint">{S.log.loading}</p>
        ) : entries.length === 0 ? (
          <p class="empty" data-testid="log-empty">
            {S.log.empty}
          </p>
        ) : (
          <ul class="injections" aria-label={S.log.label}>
            {entries.map((entry) => (
              <li key={entry.id} class="injection" data-testid="injection">
                <p class="memory-meta">
                  <time dateTime={new Date(entry.at).toISOString()}>{when(entry.at)}</time> · {SITE_NAMES[entry.site]} ·{' '}
                  {S.log.mode[entry.mode]}
                  {conversationUrl(entry.site, entry.conversationId) && (
                    <>
                      {' · '}
                      <a href={conversationUrl(entry.site, entry.conversationId)!} target="_blank" rel="noreferrer">
                        {S.log.openConversation}
                      </a>
                    </>
                  )}
                </p>
                <ul class="sent" aria-label={S.log.sent}>
                  {entry.memories.map((m, i) => (
                    <li key={`${m.id}:${i}`}>{m.text ?? <em class="forgotten">{S.log.forgotten}</em>}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </details>
    </section>
  );
}

/** "Where was this used?" under a memory: the prompts that carried it, read when asked. */
export function MemoryUses({ memory, store }: { memory: MemoryView; store: InjectionLogStore }) {
  const [open, setOpen] = useState(false);
  const [uses, setUses] = useState<InjectionView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const toggle = async (): Promise<void> => {
    if (open) {
      setOpen(false);
      return;
    }
    setOpen(true);
    setUses(null);
    setError(null);
    try {
      setUses(await store.usesOf(memory.id));
    } catch (e) {
      setError(S.log.usesFailed(e instanceof Error ? e.message : String(e)));
    }
  };

  return (
    <div class="uses">
      <button
        type="button"
        class="link"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={S.log.usesLabel(memory.text)}
        onClick={() => void toggle()}
      >
        {S.log.usesButton}
      </button>
      {open && (
        <div id={id} data-testid="uses">
          {error ? (
            <p role="alert" class="error">
              {error}
            </p>
          ) : uses === null ? (
            <p class="hint">{S.log.looking}</p>
          ) : uses.length === 0 ? (
            <p class="hint" role="status">
              {S.log.notUsed}
            </p>
          ) : (
            <>
              <p class="hint" role="status">
                {S.log.usedIn(uses.length, formatCount(uses.length))}
              </p>
              <ul class="uses-list" aria-label={S.log.usesListLabel(memory.text)}>
                {uses.map((u) => (
                  <li key={u.id}>
                    {SITE_NAMES[u.site]} · <time dateTime={new Date(u.at).toISOString()}>{when(u.at)}</time>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
