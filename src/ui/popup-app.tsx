import { useEffect } from 'preact/hooks';
import type { MemoryView, SiteId } from '../engine/types';
import type { MemoryListStore } from './memory-list-store';
import { LlmPanel } from './llm-panel';
import type { LlmStore } from './llm-store';
import { ModelPanel } from './model-panel';
import type { ModelStore } from './model-store';
import { StatusLine, type StatusSource } from './status-line';

const SITE_NAMES: Record<SiteId, string> = { chatgpt: 'ChatGPT', claude: 'Claude', demo: 'Demo chat' };

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The popup: what Engram remembers, and a way to forget each item. */
export function PopupApp({
  store,
  models,
  status,
  llm,
}: {
  store: MemoryListStore;
  models?: ModelStore;
  status?: StatusSource;
  llm?: LlmStore;
}) {
  useEffect(() => {
    void store.load();
  }, [store]);

  const memories = store.memories.value;
  return (
    <main class="engram-popup">
      <header>
        <h1>Engram</h1>
        <p class="tagline">Stays on this device.</p>
      </header>
      {status && <StatusLine load={status} />}
      {store.status.value === 'error' && (
        <p role="alert" class="error">
          {store.error.value}
        </p>
      )}
      {store.status.value === 'loading' && <p aria-live="polite">Loading memories…</p>}
      {store.status.value === 'ready' && memories.length === 0 && (
        <p class="empty" data-testid="empty">
          No memories yet. Tell ChatGPT or Claude something about yourself, and Engram will remember it
          here.
        </p>
      )}
      {memories.length > 0 && (
        <>
          <h2 class="count" data-testid="memory-count">
            {memories.length === 1 ? '1 memory' : `${memories.length} memories`}
          </h2>
          <ul class="memories" aria-label="Memories">
            {memories.map((m) => (
              <MemoryItem key={m.id} memory={m} onDelete={() => void store.remove(m.id)} />
            ))}
          </ul>
        </>
      )}
      {models && <ModelPanel store={models} />}
      {llm && <LlmPanel store={llm} />}
    </main>
  );
}

function MemoryItem({ memory, onDelete }: { memory: MemoryView; onDelete: () => void }) {
  return (
    <li class="memory" data-testid="memory">
      <div class="memory-body">
        <p class="memory-text">{memory.text}</p>
        <p class="memory-meta">
          {memory.site ? `${SITE_NAMES[memory.site]} · ` : null}<time dateTime={new Date(memory.createdAt).toISOString()}>{dateFormat.format(memory.createdAt)}</time>
        </p>
      </div>
      <button type="button" class="delete" onClick={onDelete} aria-label={`Forget "${memory.text}"`}>
        Forget
      </button>
    </li>
  );
}
