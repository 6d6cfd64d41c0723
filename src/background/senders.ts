/**
 * Who sent a message to the background. Every handler answers only the callers it is meant for:
 * a chat site's content script (capture, recall, warm-up, for the site of its own tab), or
 * Engram's own pages (the popup, the options page) for managing memories. Anything else (another
 * extension, a web page, a content script asking for the popup's verbs, the offscreen document)
 * gets no answer.
 */
import { MatchPattern } from 'wxt/utils/match-patterns';
import type { SiteId } from '../core/types';

export type Caller =
  | { kind: 'content'; site: SiteId; tabId: number; url: string }
  | { kind: 'page'; page: string };

/** What a sender looks like to the background (chrome.runtime.MessageSender's fields used). */
export interface SenderInfo {
  id?: string;
  url?: string;
  tab?: { id?: number };
  frameId?: number;
}

/** One content script of the manifest: the site it serves and where it runs. */
export interface ContentScriptSite {
  site: SiteId;
  matches: readonly string[];
}

/** The extension's own pages that may manage memories. */
export const MANAGING_PAGES = ['/popup.html', '/options.html', '/onboarding.html'] as const;

export class SenderRejected extends Error {
  constructor(message: string) {
    super(`Engram: ${message} is not answered for this sender`);
    this.name = 'SenderRejected';
  }
}

/**
 * The sites of the manifest's content scripts. WXT names each script after its entrypoint
 * (`content-scripts/chatgpt.js` for chatgpt.content.ts), which is the site's id.
 */
export function contentScriptSites(manifest: { content_scripts?: { matches?: string[]; js?: string[] }[] }): ContentScriptSite[] {
  return (manifest.content_scripts ?? []).flatMap((cs) => {
    const file = cs.js?.[0]?.split('/').pop();
    const site = file?.replace(/\.js$/, '');
    return site && cs.matches?.length ? [{ site: site as SiteId, matches: cs.matches }] : [];
  });
}

/** Who `sender` is, or null when it is nobody Engram answers. */
export function callerOf(sender: SenderInfo, extension: { id: string; origin: string }, sites: readonly ContentScriptSite[]): Caller | null {
  if (sender.id !== extension.id || !sender.url) return null;
  let url: URL;
  try {
    url = new URL(sender.url);
  } catch {
    return null;
  }
  // Not url.origin: for extension schemes it is "null" outside the browser.
  if (`${url.protocol}//${url.host}` === extension.origin) {
    return (MANAGING_PAGES as readonly string[]).includes(url.pathname) ? { kind: 'page', page: url.pathname } : null;
  }
  // A content script: the top frame of a tab on one of the manifest's chat sites.
  const tabId = sender.tab?.id;
  if (tabId === undefined || sender.frameId !== 0) return null;
  const site = sites.find((s) => s.matches.some((pattern) => matchesPattern(pattern, url)));
  return site ? { kind: 'content', site: site.site, tabId, url: url.href } : null;
}

/**
 * Whether `url` matches a WebExtension match pattern, as the browser decides for content scripts
 * (WXT's match-pattern implementation, @webext-core/match-patterns: a pattern without a port
 * matches any port). An invalid pattern matches nothing.
 */
export function matchesPattern(pattern: string, url: URL): boolean {
  try {
    return new MatchPattern(pattern).includes(url.href);
  } catch {
    return false;
  }
}
