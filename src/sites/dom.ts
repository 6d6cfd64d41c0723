/**
 * Site-agnostic DOM helpers shared by the site adapters. They know nothing of any site: selectors
 * come from each site's `selectors.ts`.
 */

/** True when the element can take user input: attached, not inert, not hidden. */
export function isLive(el: Element): boolean {
  if (!el.isConnected) return false;
  if (el.closest('[inert], [aria-hidden="true"]')) return false;
  const style = el.ownerDocument.defaultView?.getComputedStyle(el);
  if (style && (style.display === 'none' || style.visibility === 'hidden')) return false;
  return true;
}

/** The first element matching any selector, in the order given, that passes `accept`. */
export function queryFirst(
  selectors: readonly string[],
  accept: (el: Element) => boolean = isLive,
  root: ParentNode = document,
): Element | null {
  for (const selector of selectors) {
    for (const el of root.querySelectorAll(selector)) {
      if (accept(el)) return el;
    }
  }
  return null;
}

/** Every element matching any selector, deduplicated, in document order. */
export function queryAll(selectors: readonly string[], root: ParentNode = document): Element[] {
  const seen = new Set<Element>();
  for (const selector of selectors) for (const el of root.querySelectorAll(selector)) seen.add(el);
  return [...seen].sort((a, b) =>
    a === b ? 0 : a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
  );
}

/** Elements that are lines of their own in an editor or a rendered reply. */
const BLOCKS = new Set([
  'P', 'DIV', 'LI', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'TABLE', 'THEAD', 'TBODY', 'TR', 'HR',
  'SECTION', 'ARTICLE', 'FIGURE', 'FIGCAPTION', 'DETAILS', 'SUMMARY', 'DL', 'DT', 'DD',
]);
/** Not text the user or the assistant wrote (controls, styles, the KaTeX source twin). */
const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'BUTTON', 'SVG', 'NOSCRIPT']);

/**
 * The text of an editor or a message as the user sees it, line by line: each paragraph, list item,
 * heading, code line and table row on its own line; a `<br>` (a Shift+Enter hard break) is a line
 * break, except the trailing one ProseMirror and browsers put at the end of a block; table cells
 * are separated by " | "; non-breaking spaces are spaces. A textarea gives its value.
 */
export function textOf(el: Element): string {
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) return el.value;
  const lines: string[] = [];
  let line = '';
  let open = false; // text (possibly empty) waiting in `line`
  const end = (): void => {
    if (open) lines.push(line);
    line = '';
    open = false;
  };
  const walk = (node: Node, pre: boolean): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) {
        const data = (child as Text).data;
        // Markup's indentation between blocks is not text (outside <pre>).
        if (!pre && !open && data.trim() === '') continue;
        line += data;
        open = true;
      } else if (child.nodeType === 1) {
        const element = child as Element;
        const tag = element.tagName.toUpperCase();
        if (SKIP.has(tag) || element.classList.contains('katex-mathml')) continue;
        if (tag === 'BR') {
          // A trailing break closes nothing: ProseMirror's <br class="ProseMirror-trailingBreak">.
          if (child.nextSibling === null && BLOCKS.has((child.parentElement?.tagName ?? '').toUpperCase())) {
            open = true;
            continue;
          }
          lines.push(line);
          line = '';
          open = true;
        } else if (tag === 'TD' || tag === 'TH') {
          if (line && child.previousSibling) line += ' | ';
          walk(child, pre);
          open = true;
        } else if (BLOCKS.has(tag)) {
          end();
          const before = lines.length;
          walk(child, pre || tag === 'PRE');
          // An empty paragraph is an empty line; a block made of blocks adds none of its own.
          if (lines.length === before && tag !== 'UL' && tag !== 'OL' && tag !== 'TABLE' && tag !== 'THEAD' && tag !== 'TBODY') open = true;
          end();
        } else {
          walk(child, pre);
        }
      }
    }
  };
  walk(el, false);
  end();
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

/** True when `target` is `el` or inside it. */
export function within(target: EventTarget | null, el: Element | null): boolean {
  return !!el && target instanceof Node && (target === el || el.contains(target));
}

/**
 * Replace the whole content of a composer so that the page's editor (ProseMirror, Tiptap, React)
 * updates its own state. `execCommand('insertText')` fires real `beforeinput`/`input` events that
 * editors listen to; where it is unavailable or ignored, the DOM is rewritten by hand and an
 * `InputEvent` is dispatched, which ProseMirror's DOM observer and React both pick up.
 */
export function replaceEditorText(el: HTMLElement, text: string): void {
  el.focus();
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) {
    // React tracks the value through the prototype's setter; assigning through it keeps React in sync.
    const proto = Object.getPrototypeOf(el) as HTMLTextAreaElement;
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'value');
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to `el` right here
    const setValue = descriptor?.set;
    if (setValue) Reflect.apply(setValue, el, [text]);
    else el.value = text;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
    return;
  }
  selectAllIn(el);
  let inserted = false;
  try {
    // Deprecated but still the one way to make the browser fire trusted beforeinput/input events
    // that ProseMirror, Tiptap and Lexical handle like typing.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    inserted = el.ownerDocument.execCommand('insertText', false, text);
  } catch {
    inserted = false;
  }
  if (inserted && normalise(textOf(el)) === normalise(text)) return;
  // Fallback: write paragraphs the way ProseMirror renders them, then tell the editor.
  el.replaceChildren(
    ...text.split('\n').map((line) => {
      const p = el.ownerDocument.createElement('p');
      if (line) p.textContent = line;
      else p.append(el.ownerDocument.createElement('br'));
      return p;
    }),
  );
  el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
}

/** Select everything in `el` (what a write then replaces). */
function selectAllIn(el: HTMLElement): void {
  const selection = el.ownerDocument.getSelection();
  if (!selection) return;
  const range = el.ownerDocument.createRange();
  range.selectNodeContents(el);
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * How many elements `accept` takes among the matches of the most specific selector of `list` that
 * takes any: an adapter uses the first, so two mean it may write into, or click, the wrong one.
 */
export function countCandidates(list: readonly string[], accept: (el: Element) => boolean, root: ParentNode = document): number {
  for (const selector of list) {
    const found = [...root.querySelectorAll(selector)].filter(accept).length;
    if (found > 0) return found;
  }
  return 0;
}

/**
 * Replace the whole content of an editor that keeps its own state and takes text only from real
 * input (Lexical: Perplexity), as a paste: everything selected, then a `paste` event carrying the
 * text, which the editor handles itself (its paste handler reads `clipboardData`, whoever sent it).
 * Nothing is put on the user's clipboard.
 */
export function pasteText(el: HTMLElement, text: string): void {
  el.focus();
  selectAllIn(el);
  const data = new DataTransfer();
  data.setData('text/plain', text);
  el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Wait for the page to react to an input event (React batches state updates to the next task). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Press Enter in `el` as a user would (untrusted, but editors handle it the same way). */
/**
 * Send as the user would, once the editor has taken the text: a click on the send button if there
 * is one, else an Enter in the composer (every adapter's `submit`).
 */
export async function sendLikeTheUser(site: string, findSendButton: () => HTMLElement | null, findComposer: () => HTMLElement | null): Promise<void> {
  await nextTask();
  const button = findSendButton();
  if (button) {
    button.click();
    return;
  }
  const composer = findComposer();
  if (!composer) throw new Error(`${site}: nothing to send with`);
  pressEnter(composer);
}

export function pressEnter(el: HTMLElement): void {
  const init: KeyboardEventInit = { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true };
  el.dispatchEvent(new KeyboardEvent('keydown', init));
  el.dispatchEvent(new KeyboardEvent('keyup', init));
}
