import { useEffect, useState } from 'preact/hooks';

/** What the popup needs to offer Engram on the site the user is on (src/background/generic-sites.ts). */
export interface GenericSiteBackend {
  /** The tab the user is on (the popup's own window aside): its id and address, if the browser shows it. */
  currentTab(): Promise<{ id?: number; url?: string } | null>;
  /** Whether one of Engram's own chat-site adapters already serves that address. */
  isKnownSite(url: string): boolean;
  enabled(): Promise<string[]>;
  /** Ask the browser for this origin's permission (must run in the click's handler). */
  request(origin: string): Promise<boolean>;
  enable(origin: string, tabId?: number): Promise<void>;
  disable(origin: string): Promise<void>;
}

const hostOf = (origin: string): string => new URL(origin).host;

/**
 * "Use Engram on this site": for a chat site Engram has no adapter for, turn the generic one on for
 * that origin only (the browser asks the user for access to it), or off again.
 */
export function GenericSite({ backend }: { backend: GenericSiteBackend }) {
  const [tab, setTab] = useState<{ id?: number; origin: string } | null>(null);
  const [enabled, setEnabled] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const refresh = async (): Promise<void> => {
    setEnabled(await backend.enabled());
  };
  useEffect(() => {
    void (async () => {
      const current = await backend.currentTab();
      if (current?.url && /^https:\/\//.test(current.url) && !backend.isKnownSite(current.url)) {
        setTab({ ...(current.id === undefined ? {} : { id: current.id }), origin: new URL(current.url).origin });
      }
      await refresh();
    })().catch(() => undefined);
  }, [backend]);

  const turnOn = async (origin: string, tabId?: number): Promise<void> => {
    // Asked first, in the click itself: the browser only shows its prompt for a user's gesture.
    const granted = await backend.request(origin);
    if (!granted) {
      setMessage(`Engram was not allowed on ${hostOf(origin)}; nothing changed.`);
      return;
    }
    await backend.enable(origin, tabId);
    setMessage(`Engram is on for ${hostOf(origin)}. What you tell the assistant there is remembered, on this device.`);
    await refresh();
  };
  const turnOff = async (origin: string): Promise<void> => {
    await backend.disable(origin);
    setMessage(`Engram is off for ${hostOf(origin)}; its access to the site was given back.`);
    await refresh();
  };

  if (!tab && enabled.length === 0) return null;
  return (
    <section class="generic-sites" aria-labelledby="generic-title" data-testid="generic-sites">
      <h2 id="generic-title" class="count">
        Other chat sites
      </h2>
      {tab && !enabled.includes(tab.origin) && (
        <p>
          Use Engram on <strong>{hostOf(tab.origin)}</strong>?{' '}
          <button type="button" class="plain" onClick={() => void turnOn(tab.origin, tab.id)}>
            Turn on for {hostOf(tab.origin)}
          </button>
          <span class="hint"> Your browser will ask for access to this site only.</span>
        </p>
      )}
      {enabled.length > 0 && (
        <ul aria-label="Sites Engram is on for">
          {enabled.map((origin) => (
            <li key={origin}>
              {hostOf(origin)}{' '}
              <button type="button" class="plain" onClick={() => void turnOff(origin)}>
                Turn off for {hostOf(origin)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p class="hint" role="status" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
