/**
 * A quiet, transient notice on the chat page ("Engram sent this prompt without memories…"). It
 * lives in a closed shadow root, so the page's scripts cannot read or restyle it; it is a polite
 * live region, so screen readers announce it; it never takes focus. It never holds a memory.
 */

const HOST_ID = 'engram-notice-host';
/** How long a notice stays on screen. */
export const NOTICE_MS = 6000;

const STYLE = `
  :host { all: initial; }
  .notice {
    position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; max-width: 360px;
    padding: 10px 14px; border-radius: 10px; background: #1f2937; color: #f9fafb;
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.25);
  }
  .notice[hidden] { display: none; }
  .brand { font-weight: 600; margin-right: 4px; }
`;

export interface Notice {
  /** Show `message` for a while (replacing any notice on screen). */
  show(message: string): void;
  /** What is on screen now, or null; for tests only (the page cannot reach the closed root). */
  readonly current: string | null;
}

/** The page's one notice area, created on first use. */
export function createNotice(doc: Document = document): Notice {
  let region: HTMLElement | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: string | null = null;

  const ensure = (): HTMLElement => {
    if (region?.isConnected) return region;
    const host = doc.createElement('div');
    host.id = HOST_ID;
    const root = host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = STYLE;
    region = doc.createElement('div');
    region.className = 'notice';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    region.hidden = true;
    root.append(style, region);
    // At document_start there may be no body yet.
    (doc.body as HTMLElement | null ?? doc.documentElement).append(host);
    return region;
  };

  return {
    show(message) {
      const el = ensure();
      const brand = doc.createElement('span');
      brand.className = 'brand';
      brand.textContent = 'Engram:';
      el.replaceChildren(brand, doc.createTextNode(message));
      el.hidden = false;
      current = message;
      clearTimeout(timer);
      timer = setTimeout(() => {
        el.hidden = true;
        current = null;
      }, NOTICE_MS);
    },
    get current() {
      return current;
    },
  };
}
