/**
 * Engram's in-page panel in Firefox, as the user sees it. It lives in a closed shadow root, which
 * the page's scripts cannot enter; WebDriver BiDi can: a node serialised with
 * `includeShadowTree: 'all'` carries its shadow root, closed ones included (the BiDi counterpart of
 * the DevTools protocol's `pierce` that test/e2e/panel.ts uses in Chromium). The tests read the panel
 * through it and act on it as a user does: a real mouse click at a button's place on screen.
 *
 * puppeteer-core has no API for serialisation options, so this sends the BiDi command itself over
 * the browser's BiDi connection (`browser.connection`, internal to puppeteer: checked at run time).
 */
import type { Page } from 'puppeteer-core';

interface BidiNode {
  type: 'node';
  sharedId?: string;
  value?: {
    nodeType: number;
    localName?: string;
    nodeValue?: string;
    attributes?: Record<string, string>;
    children?: BidiNode[];
    shadowRoot?: BidiNode | null;
    /** A shadow root's mode. */
    mode?: 'open' | 'closed';
  };
}

interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

export interface PanelButton {
  /** Its accessible name (aria-label, else its text). */
  name: string;
  sharedId: string;
}

export interface PanelState {
  /** A panel host is on the page. */
  exists: boolean;
  /** The shadow root's mode, as the browser reports it. */
  shadowRootType: 'open' | 'closed' | null;
  visible: boolean;
  /** The memory texts listed (review mode). */
  memories: string[];
  buttons: PanelButton[];
  /** Every text in the panel, joined. */
  text: string;
  /** The live region's text (what a screen reader announces). */
  announced: string;
}

function connectionOf(page: Page): BidiConnection {
  const connection = (page.browser() as unknown as { connection?: BidiConnection }).connection;
  if (typeof connection?.send !== 'function') throw new Error('puppeteer-core no longer exposes its BiDi connection (browser.connection)');
  return connection;
}

function contextOf(page: Page): string {
  const id = (page.mainFrame() as unknown as { _id?: string })._id;
  if (typeof id !== 'string') throw new Error("puppeteer-core no longer exposes a frame's BiDi context id (frame._id)");
  return id;
}

const kids = (node: BidiNode): BidiNode[] => [...(node.value?.children ?? []), ...(node.value?.shadowRoot ? [node.value.shadowRoot] : [])];
const attr = (node: BidiNode, name: string): string | undefined => node.value?.attributes?.[name];

function textOf(node: BidiNode): string {
  if (node.value?.nodeType === 3) return node.value.nodeValue ?? '';
  if (node.value?.localName === 'style') return '';
  return kids(node).map(textOf).join('');
}

function find(node: BidiNode, test: (n: BidiNode) => boolean, out: BidiNode[] = []): BidiNode[] {
  if (test(node)) out.push(node);
  for (const child of kids(node)) find(child, test, out);
  return out;
}

export async function readPanel(page: Page): Promise<PanelState> {
  const reply = (await connectionOf(page).send('script.callFunction', {
    functionDeclaration: '() => document.getElementById("engram-panel-host")',
    awaitPromise: false,
    target: { context: contextOf(page) },
    serializationOptions: { maxDomDepth: 32, includeShadowTree: 'all' },
  })) as { result: { type: 'success'; result: BidiNode | { type: 'null' } } | { type: 'exception' } };
  const empty: PanelState = { exists: false, shadowRootType: null, visible: false, memories: [], buttons: [], text: '', announced: '' };
  if (reply.result.type !== 'success' || reply.result.result.type !== 'node') return empty;
  const host = reply.result.result;
  const shadow = host.value?.shadowRoot;
  if (!shadow) return { ...empty, exists: true };
  const section = find(shadow, (n) => n.value?.localName === 'section')[0];
  const live = find(shadow, (n) => attr(n, 'role') === 'status')[0];
  return {
    exists: true,
    shadowRootType: shadow.value?.mode ?? null,
    visible: section !== undefined && attr(section, 'hidden') === undefined,
    memories: section ? find(section, (n) => n.value?.localName === 'span' && attr(n, 'class') === 'text').map(textOf) : [],
    buttons: section
      ? find(section, (n) => n.value?.localName === 'button' && n.sharedId !== undefined).map((b) => ({ name: attr(b, 'aria-label') ?? textOf(b), sharedId: b.sharedId! }))
      : [],
    text: section ? textOf(section) : '',
    announced: live ? textOf(live) : '',
  };
}

/** Click a panel button with the real mouse, at its centre on screen. */
export async function clickPanelButton(page: Page, name: RegExp | string): Promise<void> {
  const panel = await readPanel(page);
  const button = panel.buttons.find((b) => (typeof name === 'string' ? b.name === name : name.test(b.name)));
  if (!button) throw new Error(`no panel button ${String(name)} among: ${panel.buttons.map((b) => b.name).join(', ')}`);
  const reply = (await connectionOf(page).send('script.callFunction', {
    functionDeclaration: 'function () { const r = this.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }',
    this: { sharedId: button.sharedId },
    awaitPromise: false,
    target: { context: contextOf(page) },
  })) as { result: { type: 'success'; result: { type: 'array'; value: { type: 'number'; value: number }[] } } | { type: 'exception' } };
  if (reply.result.type !== 'success') throw new Error(`could not place the panel button ${String(name)}`);
  const [x, y] = reply.result.result.value.map((v) => v.value) as [number, number];
  await page.mouse.click(x, y);
}
