import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { conversationUrl } from '../sites/conversation-url';
import type { MemoryView } from '../core/types';
import type { InjectionView } from '../messaging/protocol';
import { SITE_NAMES } from './control-store';
import type { InjectionLogStore } from './injection-log-store';
import { usePolledStore } from './use-store';
import { formatDate } from './format';

/** The popup's URL hash that opens the log (the chat pages' indicator links to popup.html#log). */
export const LOG_HASH = '#log';

const MODE_TEXT: Record<InjectionView['mode'], string> = {
  automatic: 'added automatically',
  review: 'you reviewed',
  manual: 'you inserted',
};

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', hour: 'numeric', minute: '2-digit' });
const DAY_MS = 86_400_000;

const startOfDay = (t: number): number => new Date(t).setHours(0, 0, 0, 0);

/** When, as a person says it: "Today, 14:05", "Yesterday, 09:12", "Monday 18:40", else the date. */
export function when(at: number, now = Date.now()): string {
  const days = Math.round((startOfDay(now) - startOfDay(at)) / DAY_MS);
  if (days === 0) return `Today, ${timeFormat.format(at)}`;
  if (days === 1) return `Yesterday, ${timeFormat.format(at)}`;
  if (days > 1 && days < 7) return weekdayFormat.format(at);
  return formatDate(at);
}

const prompts = (n: number): string => (n === 1 ? '1 prompt' : `${n} prompts`);

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
          Sent with your prompts
        </summary>
        {store.error.value && (
          <p role="alert" class="error">
            {store.error.value}
          </p>
        )}
        {entries === null ? (
          !store.error.value && <p class="hint">Loading…</p>
        ) : entries.length === 0 ? (
          <p class="empty" data-testid="log-empty">
            No prompt has been sent with memories yet.
          </p>
        ) : (
          <ul class="injections" aria-label="Prompts sent with memories, newest first">
            {entries.map((entry) => (
              <li key={entry.id} class="injection" data-testid="injection">
                <p class="memory-meta">
                  <time dateTime={new Date(entry.at).toISOString()}>{when(entry.at)}</time> · {SITE_NAMES[entry.site]} ·{' '}
                  {MODE_TEXT[entry.mode]}
                  {conversationUrl(entry.site, entry.conversationId) && (
                    <>
                      {' · '}
                      <a href={conversationUrl(entry.site, entry.conversationId)!} target="_blank" rel="noreferrer">
                        open the conversation
                      </a>
                    </>
                  )}
                </p>
                <ul class="sent" aria-label="Memories sent">
                  {entry.memories.map((m, i) => (
                    <li key={`${m.id}:${i}`}>{m.text ?? <em class="forgotten">a memory you forgot</em>}</li>
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
      setError(`Engram could not read where it was used: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  return (
    <div class="uses">
      <button
        type="button"
        class="link"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={`Where was this used? "${memory.text}"`}
        onClick={() => void toggle()}
      >
        Where was this used?
      </button>
      {open && (
        <div id={id} data-testid="uses">
          {error ? (
            <p role="alert" class="error">
              {error}
            </p>
          ) : uses === null ? (
            <p class="hint">Looking…</p>
          ) : uses.length === 0 ? (
            <p class="hint" role="status">
              Not used in any prompt yet
            </p>
          ) : (
            <>
              <p class="hint" role="status">
                Used in {prompts(uses.length)}:
              </p>
              <ul class="uses-list" aria-label={`Prompts that carried "${memory.text}"`}>
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
