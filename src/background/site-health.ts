/**
 * Sites whose pages no longer match their adapters (SiteAdapter.health), as content scripts report
 * them: kept in the browser's session storage (cleared when the browser closes, kept across
 * service-worker restarts, out of reach of content scripts), shown by the popup and the
 * diagnostics, and flagged on the tab's toolbar badge.
 */
import type { SiteId } from '../core/types';
import type { SiteIssue } from '../messaging/protocol';

const KEY = 'siteIssues';

/** The session area when the browser has one (Chrome, Firefox ≥ 115); else a map for this worker. */
const memory = new Map<string, SiteIssue[]>();
const area = (): chrome.storage.StorageArea | null => (typeof chrome !== 'undefined' ? (chrome.storage as { session?: chrome.storage.StorageArea } | undefined)?.session ?? null : null);

async function read(): Promise<SiteIssue[]> {
  const session = area();
  if (!session) return memory.get(KEY) ?? [];
  const stored = (await session.get(KEY))[KEY] as SiteIssue[] | undefined;
  return Array.isArray(stored) ? stored : [];
}

async function write(issues: SiteIssue[]): Promise<void> {
  const session = area();
  if (!session) {
    memory.set(KEY, issues);
    return;
  }
  await session.set({ [KEY]: issues });
}

export async function siteIssues(): Promise<SiteIssue[]> {
  return (await read()).sort((a, b) => b.at - a.at);
}

/** Record what a site's page looks like now: an issue replaces the site's last one; ok clears it. */
export async function recordSiteHealth(site: SiteId, report: { ok: boolean; reason?: string }, page: string, at = Date.now()): Promise<void> {
  const others = (await read()).filter((issue) => issue.site !== site);
  await write(report.ok ? others : [...others, { site, reason: report.reason ?? 'the page does not look as expected', at, page }]);
}

/** The tab's badge: "!" and a title saying why, while its page does not match. */
export function flagTab(tabId: number, siteName: string, report: { ok: boolean; reason?: string }): void {
  if (typeof chrome === 'undefined' || !(chrome.action as typeof chrome.action | undefined)) return;
  void chrome.action.setBadgeText({ tabId, text: report.ok ? '' : '!' }).catch(() => undefined);
  if (!report.ok) void chrome.action.setBadgeBackgroundColor({ tabId, color: '#b45309' }).catch(() => undefined);
  void chrome.action
    .setTitle({ tabId, title: report.ok ? '' : `Engram needs an update for ${siteName}: ${report.reason ?? ''}. Your messages are sent untouched meanwhile.` })
    .catch(() => undefined);
}
