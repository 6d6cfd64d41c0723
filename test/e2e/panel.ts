/**
 * Engram's in-page panel as the user sees it. It lives in a closed shadow root, which neither the
 * page's scripts nor Playwright's locators can enter; the DevTools protocol can (DOM.getDocument
 * with `pierce`), as a screen reader can. The tests read the panel through it and act on it as a
 * user does: real mouse clicks at a button's place on screen, real key presses.
 */
import type { CDPSession, Page } from '@playwright/test';

interface CdpNode {
  nodeId: number;
  backendNodeId: number;
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: CdpNode[];
  shadowRoots?: (CdpNode & { shadowRootType?: string })[];
}

export interface PanelButton {
  /** Its accessible name (aria-label, else its text). */
  name: string;
  backendNodeId: number;
}

export interface PanelState {
  /** No panel host on the page yet. */
  exists: boolean;
  /** The shadow root's mode, as the browser reports it. */
  shadowRootType: string | null;
  visible: boolean;
  /** The memory texts listed (review mode). */
  memories: string[];
  buttons: PanelButton[];
  /** Every text in the panel, joined. */
  text: string;
  /** The live region's text (what a screen reader announces). */
  announced: string;
  checkbox: { backendNodeId: number; checked: boolean } | null;
}

const attrs = (node: CdpNode): Map<string, string> => {
  const map = new Map<string, string>();
  const list = node.attributes ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) map.set(list[i]!, list[i + 1]!);
  return map;
};

function textOf(node: CdpNode): string {
  if (node.nodeType === 3) return node.nodeValue ?? '';
  if (node.nodeName === 'STYLE') return '';
  return (node.children ?? []).map(textOf).join('');
}

function find(node: CdpNode, test: (n: CdpNode) => boolean, out: CdpNode[] = []): CdpNode[] {
  if (test(node)) out.push(node);
  for (const child of node.children ?? []) find(child, test, out);
  for (const root of node.shadowRoots ?? []) find(root, test, out);
  return out;
}

const sessions = new WeakMap<Page, CDPSession>();
async function cdpOf(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = await page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

export async function readPanel(page: Page): Promise<PanelState> {
  const cdp = await cdpOf(page);
  const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
  const host = find(root, (n) => attrs(n).get('id') === 'engram-panel-host')[0];
  const shadow = host?.shadowRoots?.[0];
  const empty: PanelState = { exists: false, shadowRootType: null, visible: false, memories: [], buttons: [], text: '', announced: '', checkbox: null };
  if (!host || !shadow) return empty;
  const section = find(shadow, (n) => n.nodeName === 'SECTION')[0];
  const live = find(shadow, (n) => attrs(n).get('role') === 'status')[0];
  const visible = section !== undefined && !attrs(section).has('hidden');
  const box = section ? find(section, (n) => n.nodeName === 'INPUT' && attrs(n).get('type') === 'checkbox')[0] : undefined;
  let checkbox: PanelState['checkbox'] = null;
  if (box) {
    const { result } = (await cdp.send('DOM.resolveNode', { backendNodeId: box.backendNodeId }).then(({ object }) =>
      cdp.send('Runtime.callFunctionOn', { objectId: object.objectId!, functionDeclaration: 'function () { return this.checked; }', returnByValue: true }),
    )) as { result: { value: boolean } };
    checkbox = { backendNodeId: box.backendNodeId, checked: result.value };
  }
  return {
    exists: true,
    shadowRootType: shadow.shadowRootType ?? null,
    visible,
    memories: section ? find(section, (n) => n.nodeName === 'SPAN' && attrs(n).get('class') === 'text').map(textOf) : [],
    buttons: section
      ? find(section, (n) => n.nodeName === 'BUTTON').map((b) => ({ name: attrs(b).get('aria-label') ?? textOf(b), backendNodeId: b.backendNodeId }))
      : [],
    text: section ? textOf(section) : '',
    announced: live ? textOf(live) : '',
    checkbox,
  };
}

/** Click a panel element with the real mouse, at its centre on screen. */
export async function clickNode(page: Page, backendNodeId: number): Promise<void> {
  const cdp = await cdpOf(page);
  const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId })) as { model: { content: number[] } };
  const [x1, y1, , , x3, y3] = model.content as [number, number, number, number, number, number];
  await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
}

/** Click the panel's button whose name matches. */
export async function clickPanelButton(page: Page, name: RegExp | string): Promise<void> {
  const panel = await readPanel(page);
  const button = panel.buttons.find((b) => (typeof name === 'string' ? b.name === name : name.test(b.name)));
  if (!button) throw new Error(`no panel button ${String(name)} among: ${panel.buttons.map((b) => b.name).join(', ')}`);
  await clickNode(page, button.backendNodeId);
}

/** The name of the element that has focus, looking into shadow roots (closed ones included) through CDP. */
export async function focusedName(page: Page): Promise<string> {
  const cdp = await cdpOf(page);
  await cdp.send('Accessibility.enable');
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { name?: { value?: string }; properties?: { name: string; value: { value?: unknown } }[] }[];
  };
  // The deepest focused node (the page itself also reports `focused` while it has focus).
  const focused = nodes.filter((n) => n.properties?.some((p) => p.name === 'focused' && p.value.value === true)).at(-1);
  return focused?.name?.value ?? '';
}
