import { useEffect } from 'preact/hooks';
import type { SiteId } from '../core/types';
import type { SiteIssue } from '../messaging/protocol';
import { ControlPanel, PauseSwitch } from './control-panel';
import type { ControlStore } from './control-store';
import { ForgetEverything } from './forget-everything';
import { GenericSite, type GenericSiteBackend } from './generic-site';
import { Inbox } from './inbox';
import type { InboxStore } from './inbox-store';
import { InjectionLog } from './injection-log';
import type { InjectionLogStore } from './injection-log-store';
import { LlmPanel } from './llm-panel';
import type { LlmStore } from './llm-store';
import type { MemoryListStore } from './memory-list-store';
import { MemoryManager } from './memory-manager';
import { ModelPanel } from './model-panel';
import type { ModelStore } from './model-store';
import { Onboarding } from './onboarding';
import { SiteIssues } from './site-issues';
import { StatusGlance } from './status-glance';
import type { StatusSource } from './status-line';
import { LockedBanner } from './encryption-panel';
import { extensionEncryptionStore, type EncryptionStore } from './encryption-store';
import { S } from './strings';

/**
 * The popup: Engram's status at a glance, the pause switch, the memories (searched, filtered,
 * corrected, pinned, moved or forgotten, one by one or many at once), and the quick settings; "All
 * settings" opens the options page.
 */
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
  currentSite,
  openOptions,
  lock = extensionEncryptionStore(),
  preloaded = false,
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
  /** The chat site of the tab the user is on (the status line says what Engram does there). */
  currentSite?: () => Promise<SiteId | null>;
  /** Open the options page. */
  openOptions?: () => void;
  /** Encryption at rest: while locked, the popup says so and unlocks (the extension's own store by default). */
  lock?: EncryptionStore | undefined;
  /** The list's first page was already asked for (the entrypoint does, before anything else): not again. */
  preloaded?: boolean;
}) {
  useEffect(() => {
    if (!preloaded) void store.load();
    return () => {
      store.dispose();
    };
  }, [store, preloaded]);
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

  return (
    <main class="engram-popup">
      <header class="popup-header">
        <div class="brand">
          <h1>{S.app.name}</h1>
          <p class="tagline">{S.app.tagline}</p>
        </div>
        {openOptions && (
          <button type="button" class="plain" title={S.app.allSettingsHint} onClick={openOptions}>
            {S.app.allSettings}
          </button>
        )}
      </header>
      {lock && <LockedBanner store={lock} onUnlocked={() => void store.load()} />}
      <StatusGlance store={store} control={control} currentSite={currentSite} siteIssues={siteIssues} models={models} status={status} />
      {control && <PauseSwitch store={control} />}
      {control?.settings.value?.onboarded === false && <Onboarding store={control} />}
      {siteIssues && <SiteIssues load={siteIssues} />}
      {genericSites && <GenericSite backend={genericSites} />}
      {inbox && <Inbox store={inbox} onAccepted={() => void store.load()} />}
      <MemoryManager store={store} log={log} />
      {control && <ControlPanel store={control} sites={sites} />}
      {log && <InjectionLog store={log} />}
      {models && <ModelPanel store={models} />}
      {llm && <LlmPanel store={llm} />}
      {store.status.value !== 'loading' && <ForgetEverything count={store.stored.value ?? store.total.value} onForget={forgetAll} />}
    </main>
  );
}
