import { usePolledStore } from './use-store';
import type { ModelJob } from '../core/status';
import type { ModelStore } from './model-store';

/** The embedding model in use, stronger ones to download with consent, and switch progress. */
export function ModelPanel({ store }: { store: ModelStore }) {
  usePolledStore(store);
  const status = store.status.value;
  if (!status) return null;
  const active = status.models.find((m) => m.id === status.active);
  const busy = status.job?.phase === 'downloading' || status.job?.phase === 'reembedding';
  return (
    <section class="models" aria-labelledby="models-title">
      <h2 id="models-title" class="count">
        Understanding model
      </h2>
      <p class="model-active" data-testid="active-model">
        In use: <strong>{active?.label ?? status.active}</strong>
      </p>
      {status.job && <JobLine job={status.job} label={status.models.find((m) => m.id === status.job?.model)?.label ?? ''} />}
      {store.error.value && (
        <p role="alert" class="error">
          {store.error.value}
        </p>
      )}
      <ul class="model-options">
        {status.models
          .filter((m) => m.source === 'hub' && m.id !== status.active)
          .map((m) => (
            <li key={m.id}>
              <span>
                {m.label} · {m.downloadMB} MB{m.mtebRetrieval ? ` · retrieval score ${m.mtebRetrieval.toFixed(1)}` : ''}
              </span>
              <button
                type="button"
                class="plain"
                disabled={busy}
                onClick={() => void store.choose(m.id)}
                aria-label={`Download ${m.label} (${m.downloadMB} MB from huggingface.co) and use it`}
              >
                Download
              </button>
            </li>
          ))}
      </ul>
      <p class="memory-meta">Downloads come from huggingface.co only after you agree; your memories never leave this device.</p>
    </section>
  );
}

function JobLine({ job, label }: { job: ModelJob; label: string }) {
  switch (job.phase) {
    case 'downloading':
      return (
        <p>
          Downloading {label}…{' '}
          <progress max={100} value={job.percent} aria-label={`Downloading ${label}`} />
        </p>
      );
    case 'reembedding':
      return (
        <p>
          Updating memories for {label}: {job.done} of {job.total}{' '}
          <progress max={job.total} value={job.done} aria-label="Updating memories" />
        </p>
      );
    case 'done':
      return <p aria-live="polite">Now using {label}.</p>;
    case 'error':
      return (
        <p role="alert" class="error">
          {job.error}
        </p>
      );
  }
}
