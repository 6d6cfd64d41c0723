import type { ComponentChildren } from 'preact';
import { effect } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { SiteId } from '../core/types';
import { SITE_NAMES } from '../core/site-names';
import { AskBeforeRemembering, PauseSwitch } from './control-panel';
import type { ControlStore } from './control-store';
import { DataPanel, RetentionControl } from './data-panel';
import { extensionDataStore, type DataStore } from './data-store';
import { ForgetEverything } from './forget-everything';
import { Inbox } from './inbox';
import type { InboxStore } from './inbox-store';
import { InjectionLog } from './injection-log';
import type { InjectionLogStore } from './injection-log-store';
import { InjectionSettings } from './injection-settings';
import { LlmPanel } from './llm-panel';
import type { LlmStore } from './llm-store';
import type { MemoryListStore } from './memory-list-store';
import { MemoryManager } from './memory-manager';
import { ModelPanel } from './model-panel';
import type { ModelStore } from './model-store';
import { SpacesPanel } from './spaces-panel';
import type { SpacesStore } from './spaces-store';
import { EncryptionPanel } from './encryption-panel';
import { extensionEncryptionStore, type EncryptionStore } from './encryption-store';
import { S } from './strings';

const ALL_SITES = Object.keys(SITE_NAMES) as SiteId[];

/** Whether the page runs in the extension (not in a test's document). */
const inExtension = (): boolean => typeof (globalThis as { chrome?: { runtime?: { id?: unknown } } }).chrome?.runtime?.id === 'string';

/** The options page's sections, in order: their anchors and titles. */
export const OPTION_SECTIONS = ['injection', 'spaces', 'models', 'privacy', 'data', 'memories'] as const;
type Section = (typeof OPTION_SECTIONS)[number];

function Section({ name, children }: { name: Section; children: ComponentChildren }) {
  return (
    <section id={name} class="page-section" aria-labelledby={`${name}-title`}>
      <h2 id={`${name}-title`}>{S.options.sections[name]}</h2>
      {children}
    </section>
  );
}

/**
 * The options page: how memories are added to prompts (mode per site, how many, the relevance
 * threshold, the token budget), spaces, models, privacy (what is stored where, the injection log,
 * "ask before remembering", forget everything), and the full memory manager with room to work.
 */
export function OptionsApp({
  control,
  memories,
  spaces,
  models,
  llm,
  log,
  inbox,
  sites = ALL_SITES,
  data = inExtension() ? extensionDataStore() : undefined,
  lock = extensionEncryptionStore(),
}: {
  control: ControlStore;
  memories: MemoryListStore;
  spaces: SpacesStore;
  models?: ModelStore;
  llm?: LlmStore;
  log?: InjectionLogStore;
  inbox?: InboxStore;
  sites?: readonly SiteId[];
  /** "Your data" (imports, exports, retention); the extension's own when the page runs in it. */
  data?: DataStore | undefined;
  /** Encryption at rest: the Lock block (the extension's own when the page runs in it). */
  lock?: EncryptionStore | undefined;
}) {
  useEffect(() => {
    void control.refresh();
    return () => {
      control.dispose();
    };
  }, [control]);
  useEffect(() => {
    void memories.load();
    return () => {
      memories.dispose();
    };
  }, [memories]);

  // A move, a delete or an undo in the manager changes what the spaces hold: once the manager has
  // read its filters' values again (after every change), the Spaces section reads the spaces again.
  useEffect(
    () =>
      effect(() => {
        if (memories.facets.value !== null) void spaces.refresh();
      }),
    [memories, spaces],
  );

  const forgetAll = async (): Promise<boolean> => {
    const ok = await memories.forgetAll();
    if (ok) {
      void log?.refresh();
      void inbox?.refresh();
      void spaces.refresh();
    }
    return ok;
  };

  return (
    <div class="engram-page">
      <header class="page-header">
        <h1>{S.options.title}</h1>
        <p class="tagline">{S.app.tagline}</p>
      </header>
      <nav class="page-nav" aria-label={S.options.nav}>
        <ul>
          {OPTION_SECTIONS.filter((name) => name !== 'data' || data).map((name) => (
            <li key={name}>
              <a href={`#${name}`}>{S.options.sections[name]}</a>
            </li>
          ))}
        </ul>
      </nav>
      <main class="page-main">
        <PauseSwitch store={control} />
        <Section name="injection">
          <InjectionSettings store={control} sites={sites} />
        </Section>
        <Section name="spaces">
          <SpacesPanel store={spaces} control={control} sites={sites} />
        </Section>
        <Section name="models">
          {models && <ModelPanel store={models} />}
          {llm && <LlmPanel store={llm} />}
        </Section>
        <Section name="privacy">
          <p>{S.privacy.intro}</p>
          <h3 class="detail-title">{S.privacy.storedTitle}</h3>
          <ul class="stored-list">
            {S.privacy.stored.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p class="hint">{S.privacy.network}</p>
          {lock && <EncryptionPanel store={lock} />}
          <AskBeforeRemembering store={control} id="privacy-ask" />
          {data && <RetentionControl store={data} />}
          {log && <InjectionLog store={log} />}
          <ForgetEverything count={memories.stored.value ?? memories.total.value} onForget={forgetAll} />
        </Section>
        {data && (
          <Section name="data">
            <DataPanel store={data} onChange={() => void memories.load()} />
          </Section>
        )}
        <Section name="memories">
          {inbox && <Inbox store={inbox} onAccepted={() => void memories.load()} />}
          <MemoryManager store={memories} log={log} showAbout={false} roomy />
        </Section>
      </main>
    </div>
  );
}
