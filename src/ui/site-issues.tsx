import { useEffect, useState } from 'preact/hooks';
import { SITE_NAMES } from '../core/site-names';
import type { SiteIssue } from '../messaging/protocol';

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/**
 * "Engram needs an update for <site>": the sites whose pages no longer match what Engram expects
 * (a redesign), with why. Engram leaves those pages alone, so the user knows why nothing is added.
 */
export function SiteIssues({ load }: { load: () => Promise<SiteIssue[]> }) {
  const [issues, setIssues] = useState<SiteIssue[]>([]);
  useEffect(() => {
    load().then(setIssues, () => {
      setIssues([]);
    });
  }, [load]);
  if (issues.length === 0) return null;
  return (
    <section class="site-issues" aria-labelledby="site-issues-title" data-testid="site-issues">
      <h2 id="site-issues-title" class="count">
        Needs an update
      </h2>
      <ul>
        {issues.map((issue) => (
          <li key={issue.site} data-testid="site-issue">
            <strong>Engram needs an update for {SITE_NAMES[issue.site]}</strong>: {issue.reason} (seen at{' '}
            <time dateTime={new Date(issue.at).toISOString()}>{timeFormat.format(issue.at)}</time>). Your messages there are sent
            untouched, without memories, until then.
          </li>
        ))}
      </ul>
    </section>
  );
}
