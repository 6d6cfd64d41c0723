import { useEffect, useState } from 'preact/hooks';
import { stateOf, type SiteState } from '../core/control';
import { SITE_NAMES } from '../core/site-names';
import type { SiteId } from '../core/types';
import type { SiteIssue } from '../messaging/protocol';
import type { ControlStore } from './control-store';
import { formatCount } from './format';
import type { MemoryListStore } from './memory-list-store';
import type { ModelStore } from './model-store';
import { StatusLine, type StatusSource } from './status-line';
import { S } from './strings';

/** What Engram does on the site, in words; "needs an update" when its page no longer matches. */
export function siteStateText(state: SiteState, needsUpdate: boolean): string {
  if (needsUpdate && state !== 'paused' && state !== 'off') return S.glance.needsUpdate;
  return S.siteState[state];
}

/**
 * The popup's header line: how many memories are stored, what Engram does on the site the user is
 * on (active, review, manual, off, paused, needs an update), which extractor and which embedding
 * model are in use.
 */
export function StatusGlance({
  store,
  control,
  currentSite,
  siteIssues,
  models,
  status,
}: {
  store: MemoryListStore;
  control?: ControlStore | undefined;
  /** The chat site of the tab the user is on, if any. */
  currentSite?: (() => Promise<SiteId | null>) | undefined;
  siteIssues?: (() => Promise<SiteIssue[]>) | undefined;
  /** The embedding model in use (read by the Models panel). */
  models?: ModelStore | undefined;
  status?: StatusSource | undefined;
}) {
  const [site, setSite] = useState<SiteId | null>(null);
  const [issues, setIssues] = useState<SiteIssue[]>([]);
  useEffect(() => {
    let live = true;
    currentSite?.().then(
      (s) => {
        if (live) setSite(s);
      },
      () => undefined,
    );
    siteIssues?.().then(
      (list) => {
        if (live) setIssues(list);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [currentSite, siteIssues]);

  const stored = store.stored.value;
  const settings = control?.settings.value;
  const modelStatus = models?.status.value;
  const embedding = modelStatus ? (modelStatus.models.find((m) => m.id === modelStatus.active)?.label ?? modelStatus.active) : null;
  return (
    <section class="glance" aria-label={S.glance.label} data-testid="status-glance">
      <dl class="glance-facts">
        <div>
          <dt>{S.glance.stored}</dt>
          <dd data-testid="stored-count">{stored === null ? S.glance.loading : formatCount(stored)}</dd>
        </div>
        {site && settings && (
          <div>
            <dt>{S.glance.onSite(SITE_NAMES[site])}</dt>
            <dd data-testid="site-state">{siteStateText(stateOf(settings, site), issues.some((i) => i.site === site))}</dd>
          </div>
        )}
        {embedding && (
          <div>
            <dt>{S.glance.embedding}</dt>
            <dd data-testid="embedding-model">{embedding}</dd>
          </div>
        )}
      </dl>
      {status && <StatusLine load={status} />}
    </section>
  );
}
