import { StaticEmbedder } from '../adapters/static-embedder';
import type { Embedder } from '../ports/embedder';
import type { JsonValue } from '../core/types';
import { sendToTab } from '../messaging/protocol';
import { EngramDatabase } from '../db/schema';
import { createEngine, type Engine } from '../engine/create-engine';
import type { EngineWrite } from '../engine/context';
import { ModelManager } from './model-manager';
import { TurnQueue } from './turn-queue';
import { DexieTurnStore } from '../adapters/dexie-turn-store';
import { ExtractionManager } from './extraction-manager';
import { openAiCompatibleChatModel, LOCAL_SERVER_ORIGINS } from '../adapters/llm/openai-compatible';
import { WEBLLM_HOST_ORIGINS } from '../adapters/llm/webllm-tiers';
import { webLlmHost } from './llm-host';
// Chrome's build swaps in hub-embedder.chrome.ts (the offscreen document): wxt.config.ts.
import { hubEmbedder } from './hub-embedder';
import { BUNDLED_MODEL, HUB_ORIGINS, modelInfo, type EmbeddingModelInfo } from '../engine/models';
import { InjectionLog } from './injection-log';
import { readControl, watchControl } from '../adapters/control-storage';
import type { ControlSettings } from '../core/control';
import { MemoryRows, readMemories } from './manager/memory-rows';
import { DexieMemoryStore } from '../adapters/dexie-store';
import { createExtensionLock } from './lock/extension-lock';
import type { Lock } from './lock/lock';

const HUB = 'https://huggingface.co/';

/** An embedder that can be loaded ahead of its first use. */
export type LoadableEmbedder = Embedder & { load(): Promise<unknown>; prefetch?(): void };

function embedderFor(info: EmbeddingModelInfo, onProgress?: (percent: number) => void): LoadableEmbedder {
  // A token table on this device needs no ONNX runtime: the same vectors, without its start-up.
  if (info.staticTable && info.source === 'bundled') {
    return new StaticEmbedder({ modelId: info.id, localModelPath: chrome.runtime.getURL('/models/'), ...(info.queryPrefix ? { queryPrefix: info.queryPrefix } : {}) });
  }
  // transformers.js: in Chrome's offscreen document, in Firefox's event page (hub-embedder.ts).
  // Only models from the hub are ever downloaded, and only after the user agreed.
  return hubEmbedder(info, info.source === 'hub' ? HUB : undefined, onProgress);
}

export interface ExtensionEngine extends Engine {
  embedder: LoadableEmbedder;
  models: ModelManager;
  queue: TurnQueue;
  extraction: ExtractionManager;
  /** Resolves once the chosen model is active; handlers wait for it. */
  ready: Promise<void>;
  /** Every prompt sent with memories. */
  log: InjectionLog;
  /** The user's control settings as last read (kept current by watching storage). */
  control: () => Promise<ControlSettings>;
  /** The database itself (the memory manager reads history, vectors and the log for an undo). */
  db: EngramDatabase;
  /** The memory manager's list of every memory (no text), kept current by every write from the start. */
  rows?: MemoryRows;
  /** Encryption at rest: locked, nothing is recalled (absent where there is none, e.g. tests). */
  lock?: Lock;
}

/** The control settings, read once and then kept current by storage's change events. */
function controlSource(): () => Promise<ControlSettings> {
  let current: Promise<ControlSettings> | null = null;
  watchControl((settings) => {
    current = Promise.resolve(settings);
  });
  return () => (current ??= readControl().catch((error: unknown) => {
    current = null;
    throw error;
  }));
}

let telling: ReturnType<typeof setTimeout> | null = null;

/**
 * Tell every chat page that memories were forgotten or changed (once per turn of the event loop,
 * however many writes): their prefetched answers may hold one. Tabs without Engram's content script
 * refuse the message, which is fine.
 */
function tellChatPages(): void {
  telling ??= setTimeout(() => {
    telling = null;
    void chrome.tabs.query({}).then((tabs) => {
      for (const tab of tabs) if (tab.id !== undefined) void sendToTab('memoriesChanged', undefined, tab.id).catch(() => undefined);
    });
  }, 0);
}

/** The memory engine as the extension runs it: Dexie storage, the chosen model on WASM. */
export function createExtensionEngine(): ExtensionEngine {
  const embedder = embedderFor(modelInfo(BUNDLED_MODEL));
  const db = new EngramDatabase();
  // Encryption at rest (off unless the user turned it on): every row goes through its vault.
  const lock = createExtensionLock(db, {
    // Locked: what the worker read of the memories is stale (read again, after the unlock), and
    // what the chat pages prefetched is dropped.
    onLocked: async () => {
      tellChatPages();
      if (engine.store instanceof DexieMemoryStore) await engine.store.invalidate();
      // The manager's search texts are the memories in clear: not kept in the worker while locked.
      rows.texts.drop();
    },
    // Unlocked: the pages ask again (they may hold a "locked" answer), and turns captured while
    // locked (sealed to the public key) are processed now.
    onUnlocked: () => {
      tellChatPages();
      // A downloaded model chosen before a restart (which locks) could not be restored while locked.
      void ready.then(() => models.restore()).catch((error: unknown) => {
        console.warn('[Engram] could not restore the chosen model', error);
      });
      void ready.then(() => queue.drain());
    },
    onError: (error) => {
      console.warn('[Engram] encryption', error);
    },
  });
  // For the service worker's DevTools console and the end-to-end tests, as `engram` is.
  Object.assign(globalThis, { engramLock: lock });
  const log = new InjectionLog(db);
  const control = controlSource();
  /** Told of every write, after the chat pages and the log (the memory manager's rows). */
  const writeObservers: ((change: EngineWrite) => void)[] = [];
  const engine = createEngine({
    db,
    // The service worker is the only writer: content scripts, the popup and the options page ask it.
    exclusive: true,
    onWrite: (change) => {
      // A memory forgotten, merged or reworded: the chat pages drop what they prefetched.
      if (change.delete?.length || change.history?.some((h) => h.event !== 'ADD')) tellChatPages();
      // A forgotten memory's text leaves the injection log too (maintenance catches an interrupted one).
      if (change.delete?.length) void log.forget(change.delete).catch((error: unknown) => {
        console.warn('[Engram] the injection log will be cleaned at the next maintenance', error);
      });
      for (const observe of writeObservers) observe(change);
    },
    embedder,
    onError: (error) => {
      console.warn('[Engram]', error);
    },
  });
  const rows = new MemoryRows(engine.store, { readAll: () => readMemories(db) });
  writeObservers.push((change) => {
    rows.observe(change);
  });
  const models = new ModelManager({
    memory: engine.memory,
    store: engine.store,
    hubOrigins: HUB_ORIGINS,
    consent: { granted: (origins) => chrome.permissions.contains({ origins: [...origins] }) },
    createEmbedder: embedderFor,
  });
  const consent = { granted: (origins: readonly string[]) => chrome.permissions.contains({ origins: [...origins] }) };
  const extraction = new ExtractionManager({
    memory: engine.memory,
    store: engine.store,
    consent,
    webllmOrigins: WEBLLM_HOST_ORIGINS,
    localOrigins: LOCAL_SERVER_ORIGINS,
    // WebLLM runs in an offscreen document (Chrome) or the background page itself (Firefox): llm-host.ts.
    ...webLlmHost(),
    localServer: (server) => openAiCompatibleChatModel(server),
  });
  const ready = models.restore().catch((error: unknown) => {
    console.warn('[Engram] could not restore the chosen model', error);
  });
  // The local AI model loads in the background; until it is ready the rules extract.
  void ready.then(() => extraction.restore());
  const queue = new TurnQueue(new DexieTurnStore(db), engine.memory, {
    onError: (error) => {
      console.warn('[Engram] a captured turn will be retried', error);
    },
    // "Ask before remembering": what a chat adds waits in the popup's inbox until accepted.
    metadata: async (): Promise<Record<string, JsonValue>> => ((await control()).askBeforeRemembering ? { pending: true } : {}),
    // The user's default space for the site the turn was said on (the options page).
    space: async (site) => (await control()).spaceBySite[site] ?? null,
  });
  // Turns captured before the worker was stopped are processed as soon as it starts again.
  void ready.then(() => queue.drain());
  return { ...engine, embedder, models, ready, queue, extraction, log, control, db, rows, lock };
}
