import { useEffect, useRef, useState } from 'preact/hooks';
import { MemoryEditForm } from './memory-edit-form';
import type { MemoryView, SiteId } from '../core/types';
import type { AboutYou } from '../messaging/protocol';
import type { MemoryListStore } from './memory-list-store';
import { LlmPanel } from './llm-panel';
import type { LlmStore } from './llm-store';
import { ModelPanel } from './model-panel';
import type { ModelStore } from './model-store';
import { StatusLine, type StatusSource } from './status-line';
import { SiteIssues } from './site-issues';
import { GenericSite, type GenericSiteBackend } from './generic-site';
import type { SiteIssue } from '../messaging/protocol';
import { ForgetEverything } from './forget-everything';
import { ControlPanel, PauseSwitch } from './control-panel';
import { SITE_NAMES, type ControlStore } from './control-store';
import { Onboarding } from './onboarding';
import { Inbox } from './inbox';
import type { InboxStore } from './inbox-store';
import { InjectionLog, MemoryUses } from './injection-log';
import type { InjectionLogStore } from './injection-log-store';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The popup: what Engram remembers, searched, corrected, pinned or forgotten one by one. */
export function PopupApp({
  store,
  models,
  status,
  llm,
  siteIssues,
  genericSites,
  control,
  inbox,
  log,
  sites,
}: {
  store: MemoryListStore;
  models?: ModelStore;
  status?: StatusSource;
  llm?: LlmStore;
  /** The sites whose pages no longer match what Engram expects. */
  siteIssues?: () => Promise<SiteIssue[]>;
  /** Turning Engram on (or off) for another chat site. */
  genericSites?: GenericSiteBackend;
  /** The user's control settings: pause, how memories are added, ask before remembering, first run. */
  control?: ControlStore;
  /** Memories waiting for the user's consent. */
  inbox?: InboxStore;
  /** The prompts sent with memories (and, under each memory, where it was used). */
  log?: InjectionLogStore;
  /** The sites the settings offer a mode for (default: every site Engram knows). */
  sites?: readonly SiteId[];
}) {
  useEffect(() => {
    void store.load();
  }, [store]);
  useEffect(() => {
    if (!control) return;
    void control.refresh();
    return () => {
      control.dispose();
    };
  }, [control]);

  const forgetAll = async (): Promise<boolean> => {
    const ok = await store.forgetAll();
    if (ok) {
      void inbox?.refresh();
      void log?.refresh();
    }
    return ok;
  };

  const memories = store.memories.value;
  const results = store.results.value;
  const shown = results ?? memories;
  const query = store.query.value.trim();
  return (
    <main class="engram-popup">
      <header>
        <h1>Engram</h1>
        <p class="tagline">Stays on this device.</p>
      </header>
      {control && <PauseSwitch store={control} />}
      {control?.settings.value?.onboarded === false && <Onboarding store={control} />}
      {status && <StatusLine load={status} />}
      {siteIssues && <SiteIssues load={siteIssues} />}
      {genericSites && <GenericSite backend={genericSites} />}
      {store.status.value === 'error' && (
        <p role="alert" class="error">
          {store.error.value}
        </p>
      )}
      {store.status.value === 'loading' && <p aria-live="polite">Loading memories…</p>}
      {inbox && <Inbox store={inbox} onAccepted={() => void store.load()} />}
      {store.status.value === 'ready' && memories.length === 0 && !results && (
        <p class="empty" data-testid="empty">
          No memories yet. Tell ChatGPT or Claude something about yourself, and Engram will remember it
          here.
        </p>
      )}
      {memories.length > 0 && (
        <search class="memory-search">
          <input
            type="search"
            aria-label="Search memories"
            placeholder="Search memories"
            value={store.query.value}
            onInput={(e) => void store.search(e.currentTarget.value)}
          />
        </search>
      )}
      {store.about.value && memories.length > 0 && !results && <AboutSection about={store.about.value} onPick={(name) => void store.search(name)} />}
      {(memories.length > 0 || results) && (
        <>
          <h2 class="count" data-testid="memory-count" aria-live="polite">
            {results
              ? results.length === 0
                ? `No memory matches “${query}”`
                : results.every((r) => r.matched === false)
                  ? `No memory mentions “${query}”; perhaps related:`
                  : `${results.length === 1 ? '1 match' : `${results.length.toLocaleString()} matches`} for “${query}”`
              : memories.length === 1
                ? '1 memory'
                : `${memories.length.toLocaleString()} memories`}
          </h2>
          <ul class="memories" aria-label={results ? 'Search results' : 'Memories'}>
            {shown.map((m) => (
              <MemoryItem
                key={m.id}
                memory={m}
                onDelete={() => void store.remove(m.id)}
                onEdit={(text) => store.edit(m.id, text)}
                onPin={(pinned) => void store.pin(m.id, pinned)}
                log={log}
              />
            ))}
          </ul>
        </>
      )}
      {control && <ControlPanel store={control} sites={sites} />}
      {log && <InjectionLog store={log} />}
      {models && <ModelPanel store={models} />}
      {llm && <LlmPanel store={llm} />}
      {store.status.value !== 'loading' && <ForgetEverything count={memories.length} onForget={forgetAll} />}
    </main>
  );
}

/** The profile Engram keeps (what a prompt is most likely to need), and who and what the user talks about. */
function AboutSection({ about, onPick }: { about: AboutYou; onPick: (name: string) => void }) {
  if (about.profile.length === 0 && about.entities.length === 0) return null;
  return (
    <section class="about" aria-labelledby="about-title">
      <h2 id="about-title" class="count">
        About you
      </h2>
      {about.profile.length > 0 && (
        <ul class="profile" aria-label="Profile" data-testid="profile">
          {about.profile.map((m) => (
            <li key={m.id}>{m.text}</li>
          ))}
        </ul>
      )}
      {about.entities.length > 0 && (
        <ul class="entities" aria-label="People, places and projects you mention">
          {about.entities.map((e) => (
            <li key={e.name}>
              <button
                type="button"
                class="entity"
                onClick={() => { onPick(e.name); }}
                aria-label={`Show memories about ${e.name} (${e.memories === 1 ? '1 memory' : `${e.memories} memories`})`}
              >
                {e.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MemoryItem({
  memory,
  onDelete,
  onEdit,
  onPin,
  log,
}: {
  memory: MemoryView;
  onDelete: () => void;
  onEdit: (text: string) => Promise<boolean>;
  onPin: (pinned: boolean) => void;
  /** Where the memory was used, shown on request. */
  log?: InjectionLogStore | undefined;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(memory.text);
  const [saving, setSaving] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (editing) field.current?.focus();
  }, [editing]);

  const startEditing = (): void => {
    setDraft(memory.text);
    setEditing(true);
  };
  const stopEditing = (): void => {
    setEditing(false);
    // Back to where the user was, for keyboard users.
    requestAnimationFrame(() => editButton.current?.focus());
  };
  const save = async (): Promise<void> => {
    if (draft.trim() === memory.text) {
      stopEditing();
      return;
    }
    setSaving(true);
    const saved = await onEdit(draft);
    setSaving(false);
    if (saved) stopEditing();
  };

  return (
    <li class={memory.pinned ? 'memory pinned' : 'memory'} data-testid="memory">
      <div class="memory-body">
        {editing ? (
          <MemoryEditForm
            text={memory.text}
            draft={draft}
            onDraft={setDraft}
            onSave={() => void save()}
            onCancel={stopEditing}
            saveLabel="Save"
            busy={saving}
            field={field}
          />
        ) : (
          <p class="memory-text">{memory.text}</p>
        )}
        <p class="memory-meta">
          {memory.pinned ? <span class="pin-badge">Pinned · </span> : null}
          {memory.site ? `${SITE_NAMES[memory.site]} · ` : null}
          <time dateTime={new Date(memory.createdAt).toISOString()}>{dateFormat.format(memory.createdAt)}</time>
        </p>
        {log && !editing && <MemoryUses memory={memory} store={log} />}
      </div>
      {!editing && (
        <div class="memory-actions">
          <button
            type="button"
            class="pin"
            aria-pressed={memory.pinned === true}
            aria-label={`Pin "${memory.text}"`}
            title={memory.pinned ? 'Pinned: always weighs in, however old' : 'Pin: always weighs in, however old'}
            onClick={() => { onPin(!memory.pinned); }}
          >
            {memory.pinned ? 'Unpin' : 'Pin'}
          </button>
          <button type="button" ref={editButton} class="edit" onClick={startEditing} aria-label={`Edit "${memory.text}"`}>
            Edit
          </button>
          <button type="button" class="delete" onClick={onDelete} aria-label={`Forget "${memory.text}"`}>
            Forget
          </button>
        </div>
      )}
    </li>
  );
}
