/**
 * Sites the user turned Engram on for from the popup (the generic adapter). Each is one origin
 * whose host permission the user granted at that moment; its content script is registered for that
 * origin only, kept across browser restarts, and removed with the permission (whether the user
 * turned it off in the popup or took the permission back in the browser's settings).
 */
import type { ContentScriptSite } from './senders';

/** The generic content script, as WXT builds it (entrypoints/generic.content.ts). */
export const GENERIC_SCRIPT = 'content-scripts/generic.js';
const ID_PREFIX = 'engram-generic:';

/** `https://chat.example.org` from a page address; null for anything but an http(s) page. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

const patternOf = (origin: string): string => `${origin}/*`;
const idOf = (origin: string): string => `${ID_PREFIX}${origin}`;

/** The origins turned on now (their registered scripts). */
export async function genericOrigins(): Promise<string[]> {
  const scripts = await chrome.scripting.getRegisteredContentScripts();
  return scripts.filter((s) => s.id.startsWith(ID_PREFIX)).map((s) => s.id.slice(ID_PREFIX.length)).sort();
}

/** The generic sites as senders.ts matches a content script's sender. */
export async function genericSenderSites(): Promise<ContentScriptSite[]> {
  const origins = await genericOrigins();
  return origins.length === 0 ? [] : [{ site: 'generic', matches: origins.map(patternOf) }];
}

/**
 * Turn Engram on for `origin`, whose permission the user just granted (the popup asked): register
 * the script, and run it in the tab the user is on, so the page works without a reload.
 */
export async function enableGenericSite(origin: string, tabId?: number): Promise<void> {
  if (!(await chrome.permissions.contains({ origins: [patternOf(origin)] }))) {
    throw new Error(`Engram may not run on ${origin}: the permission was not granted`);
  }
  if (!(await genericOrigins()).includes(origin)) {
    await chrome.scripting.registerContentScripts([
      { id: idOf(origin), matches: [patternOf(origin)], js: [GENERIC_SCRIPT], runAt: 'document_idle', persistAcrossSessions: true },
    ]);
  }
  if (tabId !== undefined) await chrome.scripting.executeScript({ target: { tabId }, files: [GENERIC_SCRIPT] }).catch(() => undefined);
}

/** Turn it off: the script goes, and the permission with it (kept only if the browser requires it). */
export async function disableGenericSite(origin: string): Promise<void> {
  if ((await genericOrigins()).includes(origin)) await chrome.scripting.unregisterContentScripts({ ids: [idOf(origin)] });
  await chrome.permissions.remove({ origins: [patternOf(origin)] }).catch(() => false);
}

/** The user took a permission back in the browser: the script for that origin goes too. */
export function followPermissionRemovals(): void {
  chrome.permissions.onRemoved.addListener((removed) => {
    for (const pattern of removed.origins ?? []) {
      const origin = originOf(pattern.replace(/\/\*$/, '/'));
      if (origin) void chrome.scripting.unregisterContentScripts({ ids: [idOf(origin)] }).catch(() => undefined);
    }
  });
}
