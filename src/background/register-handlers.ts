import { DEFAULT_USER, pinnedFirst, type InjectionRecord } from '../core/types';
import { captures, stateOf } from '../core/control';
import { flagTab, recordSiteHealth, siteIssues } from './site-health';
import { disableGenericSite, enableGenericSite, genericOrigins, genericSenderSites, originOf } from './generic-sites';
import { SITE_NAMES } from '../core/site-names';
import { MAX_MEMORY_ID_CHARS, MAX_NOTED_IDS, MAX_REASON_CHARS, MAX_TURN_CHARS, onMessage, type CapturedTurn, type ProtocolMap } from '../messaging/protocol';
import type { GetDataType, GetReturnType } from '@webext-core/messaging';
import { callerOf, contentScriptSites, SenderRejected, type Caller, type ContentScriptSite } from './senders';
import type { ExtensionEngine } from './extension-engine';
import { RECALL } from '../engine/recall-settings';
import { MINE } from './manager/filter';
import { createMemoryManager, type MemoryManager } from './manager/manager';
import { MemoryRows } from './manager/memory-rows';
import { searchMemories } from './manager/search';
import { itemView as toView } from './manager/views';
import { DATA_SENDERS, registerDataHandlers } from './data/register-data-handlers';
import { LOCK_CALLERS, registerLockHandlers } from './lock/register-lock-handlers';
import { forgetImportedHistory } from './data/import-history';

/** At most this many memories answer a search in the popup. */
const SEARCH_RESULTS = 20;

/** At most this many entities in the popup's "About you". */
const ABOUT_ENTITIES = 10;

/** "new york" → "New York": entities are stored lower-cased. */
function displayName(name: string): string {
  return name.replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, first: string) => sep + first.toUpperCase());
}

/** Memories from chats waiting in the inbox for the user's consent. */
const WAITING = { user_id: DEFAULT_USER, metadata: { pending: true } };

const INJECTION_MODES: readonly InjectionRecord['mode'][] = ['automatic', 'review', 'manual'];

/** Every memory of the user, newest first (the popup's list). */
const EVERY = Number.MAX_SAFE_INTEGER;

/** Who may send each message: a chat site's content script, or Engram's own pages. */
export const ALLOWED_CALLERS = {
  captureTurn: 'content',
  confirmTurn: 'content',
  discardTurn: 'content',
  recall: 'content',
  noteInjected: 'content',
  logInjection: 'content',
  openInjectionLog: 'content',
  siteHealth: 'content',
  siteIssues: 'page',
  genericSites: 'page',
  enableGenericSite: 'page',
  disableGenericSite: 'page',
  warmUp: 'content',
  listInbox: 'page',
  acceptMemory: 'page',
  rejectMemory: 'page',
  injectionLog: 'page',
  listMemories: 'page',
  deleteMemory: 'page',
  forgetEverything: 'page',
  searchMemories: 'page',
  editMemory: 'page',
  pinMemory: 'page',
  aboutYou: 'page',
  memoryPage: 'page',
  memoryFacets: 'page',
  memoryDetail: 'page',
  deleteMemories: 'page',
  undoDelete: 'page',
  moveMemories: 'page',
  listSpaces: 'page',
  createSpace: 'page',
  renameSpace: 'page',
  deleteSpace: 'page',
  engineStatus: 'page',
  modelStatus: 'page',
  switchModel: 'page',
  llmStatus: 'page',
  llmEnable: 'page',
  llmCancel: 'page',
  llmDisable: 'page',
  llmDelete: 'page',
  llmUseLocalServer: 'page',
  ...DATA_SENDERS,
  ...LOCK_CALLERS,
} as const satisfies Record<keyof ProtocolMap, Caller['kind']>;

/** The ids of the extension and the sites of its content scripts, read from the runtime. */
export interface SenderPolicy {
  extension: { id: string; origin: string };
  sites: readonly ContentScriptSite[];
  /** Content scripts registered at run time (the sites the user turned Engram on for). */
  runtimeSites?: () => Promise<readonly ContentScriptSite[]>;
}

export function runtimeSenderPolicy(): SenderPolicy {
  return {
    extension: { id: chrome.runtime.id, origin: chrome.runtime.getURL('/').replace(/\/$/, '') },
    sites: contentScriptSites(chrome.runtime.getManifest()),
    runtimeSites: genericSenderSites,
  };
}

/** A handler, given the caller already checked against ALLOWED_CALLERS. */
type Handler<K extends keyof ProtocolMap> = (
  data: GetDataType<ProtocolMap[K]>,
  caller: Extract<Caller, { kind: (typeof ALLOWED_CALLERS)[K] }>,
) => GetReturnType<ProtocolMap[K]> | Promise<GetReturnType<ProtocolMap[K]>>;

type ContentCaller = Extract<Caller, { kind: 'content' }>;

/** A captured turn as a content script sent it, checked: its own site and sane fields (the queue bounds its text). */
function checkTurn(turn: unknown, caller: ContentCaller): CapturedTurn {
  const t = turn as Partial<CapturedTurn> | null;
  if (
    !t ||
    t.site !== caller.site ||
    typeof t.text !== 'string' ||
    typeof t.conversationId !== 'string' ||
    typeof t.sentAt !== 'number' ||
    !Number.isFinite(t.sentAt) ||
    (t.replyTo !== undefined && typeof t.replyTo !== 'string')
  ) {
    throw new Error('Engram: a malformed turn was refused');
  }
  return {
    site: t.site,
    conversationId: t.conversationId.slice(0, 200),
    text: t.text,
    sentAt: t.sentAt,
    ...(t.replyTo ? { replyTo: t.replyTo } : {}),
  };
}

/** The memory ids of a `noteInjected`, checked: at most MAX_NOTED_IDS strings of at most MAX_MEMORY_ID_CHARS. */
function checkIds(note: unknown): string[] {
  const ids: unknown = typeof note === 'object' && note !== null ? (note as { ids?: unknown }).ids : undefined;
  if (!Array.isArray(ids) || ids.length > MAX_NOTED_IDS || !ids.every((id): id is string => typeof id === 'string' && id.length <= MAX_MEMORY_ID_CHARS)) {
    throw new Error('Engram: a malformed noteInjected was refused');
  }
  return [...new Set(ids)].filter((id) => id.length > 0); // each memory used once per prompt; '' is no memory
}

/**
 * Answers every message the background handles, one handler per message of the protocol, each
 * only for the callers ALLOWED_CALLERS names (see senders.ts).
 */
export function registerHandlers(engine: ExtensionEngine, policy: SenderPolicy = runtimeSenderPolicy()): void {
  const { memory, embedder, models, ready, queue, extraction, log } = engine;
  /** Whether Engram works on the caller's site now (not paused, not turned off there). */
  const activeOn = async (caller: ContentCaller): Promise<boolean> => captures(stateOf(await engine.control(), caller.site));
  const on = <K extends keyof ProtocolMap>(type: K, handler: Handler<K>): void => {
    onMessage(type, async ({ data, sender }) => {
      let caller = callerOf(sender, policy.extension, policy.sites);
      // A tab on a site the user turned Engram on for: its script was registered at run time.
      if (!caller && sender.tab && policy.runtimeSites) caller = callerOf(sender, policy.extension, await policy.runtimeSites());
      if (caller?.kind !== ALLOWED_CALLERS[type]) throw new SenderRejected(type);
      return handler(data, caller as Parameters<Handler<K>>[1]);
    });
  };
  // The memory manager, made on its first message (registering touches nothing of the engine).
  let manager: MemoryManager | null = null;
  const managed = (): MemoryManager =>
    (manager ??= createMemoryManager({
      memory,
      store: engine.store,
      db: engine.db,
      log,
      // The extension's rows saw every write since the worker started; without them, rows read when asked.
      rows: engine.rows ?? new MemoryRows(engine.store, { saveDelayMs: null, observed: false }),
      ready,
      now: Date.now,
    }));

  on('captureTurn', async (data, caller) => {
    const turn = checkTurn(data, caller);
    // A paused or turned-off site is never remembered, whatever a content script says.
    if (!(await activeOn(caller))) return { queued: false };
    // Written to IndexedDB first, held until the send is confirmed; extraction happens later.
    return { queued: await queue.enqueue(turn, { held: true }) };
  });
  on('confirmTurn', async (data, caller) => {
    const confirmed = await queue.confirm(checkTurn(data, caller));
    void ready.then(() => queue.drain());
    return { confirmed };
  });
  on('discardTurn', async (data, caller) => ({ discarded: await queue.discard(checkTurn(data, caller)) }));
  on('engineStatus', async () => ({
    extractor: memory.extractorName,
    extractorNote: extraction.note,
    queue: await queue.stats(),
  }));
  // Everything the first recall needs, loaded once per worker (in parallel); later calls share it.
  let warming: Promise<void> | null = null;
  const warm = (): Promise<void> => {
    warming ??= (async () => {
      await Promise.all([embedder.load(), ready.then(() => memory.warmUp())]);
    })().catch((error: unknown) => {
      warming = null; // tried again by the next message
      throw error;
    });
    return warming;
  };

  on('recall', async (data, caller) => {
    if (data.site !== caller.site || typeof data.query !== 'string' || (data.prefetch !== undefined && typeof data.prefetch !== 'boolean')) {
      throw new Error('Engram: a malformed recall was refused');
    }
    // The model's files are the extension's own, not the user's: they are read at once, while the
    // checks below wait on storage (on a cold start, the database opening), not after them.
    embedder.prefetch?.();
    memory.readAhead(); // the recall image: the first read once the database is open (none while locked)
    if (!(await activeOn(caller))) return { memories: [] };
    if (await engine.lock?.gate()) return { memories: [], locked: true }; // locked: nothing recalled, the send goes untouched
    // A recall that woke the worker loads all it needs at once, not one part after another.
    void warm().catch(() => undefined);
    await ready;
    // How many memories, in what budget, past what threshold: the user's choice (the options page).
    const { injection } = await engine.control();
    // The one recall: the same call `npm run eval` and the tests make. A prefetch (the user is
    // still typing, and may never send this) counts no use: `noteInjected` does once it went out.
    const { memories } = await memory.recall(data.query.slice(0, MAX_TURN_CHARS), {
      filters: MINE,
      settings: { topK: injection.topK, budgetTokens: injection.budgetTokens, candidates: Math.max(RECALL.candidates, injection.topK) },
      ...(injection.threshold === null ? {} : { threshold: injection.threshold }),
      ...(data.prefetch === true ? { noteUse: false } : {}),
    });
    return { memories: memories.map((m) => ({ id: m.id, text: m.line, score: m.score })) };
  });
  on('noteInjected', (data) => {
    const ids = checkIds(data);
    // Unknown ids (a memory deleted since, or never one) are skipped by noteUse.
    if (ids.length > 0) memory.noteUseLater(ids); // written with other uses, off the send path
    return { noted: ids.length > 0 };
  });
  on('logInjection', async (data, caller) => {
    const ids = checkIds(data);
    const note = data as Partial<typeof data> | null;
    if (!note || !INJECTION_MODES.includes(note.mode as InjectionRecord['mode']) || typeof note.conversationId !== 'string') {
      throw new Error('Engram: a malformed logInjection was refused');
    }
    // The texts come from the store, never from the page: unknown or waiting memories are not logged.
    const items = await Promise.all(ids.map((id) => memory.get(id)));
    const memories = items.flatMap((m) => (m && m.metadata.pending !== true ? [{ id: m.id, text: m.memory }] : []));
    if (memories.length === 0) return { logged: false };
    await log.record({ at: Date.now(), site: caller.site, conversationId: note.conversationId.slice(0, 200), mode: note.mode as InjectionRecord['mode'], memories });
    return { logged: true };
  });
  on('siteHealth', async (data, caller) => {
    const report = data as Partial<typeof data> | null;
    if (!report || typeof report.ok !== 'boolean' || (report.reason !== undefined && typeof report.reason !== 'string')) {
      throw new Error('Engram: a malformed siteHealth was refused');
    }
    const checked = { ok: report.ok, ...(report.ok ? {} : { reason: (report.reason ?? '').slice(0, MAX_REASON_CHARS) }) };
    const url = new URL(caller.url);
    await recordSiteHealth(caller.site, checked, `${url.origin}${url.pathname}`);
    flagTab(caller.tabId, SITE_NAMES[caller.site], checked);
    return { recorded: true };
  });
  on('siteIssues', () => siteIssues());
  on('genericSites', async () => ({ origins: await genericOrigins() }));
  on('enableGenericSite', async (data) => {
    const request = data as { origin?: unknown; tabId?: unknown } | null;
    const origin = typeof request?.origin === 'string' ? originOf(request.origin) : null;
    if (!origin || origin !== request?.origin || (request.tabId !== undefined && typeof request.tabId !== 'number')) {
      throw new Error('Engram: a malformed enableGenericSite was refused');
    }
    await enableGenericSite(origin, request.tabId);
    return { enabled: true };
  });
  on('disableGenericSite', async (data) => {
    const origin = typeof data === 'string' ? originOf(data) : null;
    if (!origin) throw new Error('Engram: a malformed disableGenericSite was refused');
    await disableGenericSite(origin);
    return { disabled: true };
  });
  on('openInjectionLog', async () => {
    await chrome.tabs.create({ url: chrome.runtime.getURL('/popup.html#log') });
    return { opened: true };
  });
  on('listInbox', async () => {
    const { results } = await memory.getAll({ filters: WAITING, topK: EVERY });
    return results
      .map((m) => {
        const replaces = m.metadata.pendingReplaces;
        return typeof replaces === 'string' ? { ...toView(m), replaces } : toView(m);
      })
      .reverse();
  });
  on('acceptMemory', async (data) => {
    const accept = data as { id?: unknown; text?: unknown } | null;
    if (!accept || typeof accept.id !== 'string' || (accept.text !== undefined && typeof accept.text !== 'string')) {
      throw new Error('Engram: a malformed acceptMemory was refused');
    }
    await ready;
    const waiting = await memory.get(accept.id);
    if (!waiting) throw new Error('Engram: that memory is no longer waiting (it was forgotten meanwhile)');
    if (accept.text !== undefined && accept.text.trim() && accept.text.trim() !== waiting.memory) await memory.update(accept.id, accept.text.trim());
    return toView(await memory.setMetadata(accept.id, { pending: null, pendingReplaces: null }));
  });
  on('rejectMemory', async (data) => {
    if (typeof data !== 'string') throw new Error('Engram: a malformed rejectMemory was refused');
    const waiting = await memory.get(data);
    // Only a waiting memory is rejected here; an accepted one is forgotten with deleteMemory.
    if (waiting?.metadata.pending !== true) return { rejected: false };
    const replaces = waiting.metadata.pendingReplaces;
    if (typeof replaces === 'string') {
      // A change to a memory the user had accepted: the memory goes back to what they accepted.
      await ready;
      if (replaces !== waiting.memory) await memory.update(data, replaces);
      await memory.setMetadata(data, { pending: null, pendingReplaces: null });
    } else {
      await memory.delete(data); // new, never accepted: forgotten
    }
    return { rejected: true };
  });
  on('injectionLog', async (data) => {
    // A content script cannot send this; a page of Engram's may still send something odd.
    const query = data as unknown as { memoryId?: unknown; limit?: unknown } | null;
    const memoryId = query?.memoryId;
    const limit = query?.limit;
    return log.list({
      ...(typeof memoryId === 'string' ? { memoryId: memoryId.slice(0, MAX_MEMORY_ID_CHARS) } : {}),
      ...(typeof limit === 'number' && Number.isFinite(limit) ? { limit } : {}),
    });
  });
  on('warmUp', async () => {
    // Everything the first recall needs loads now, while the user is still typing.
    await warm();
    return { ready: true };
  });
  on('listMemories', async () => {
    const { results } = await memory.getAll({ filters: MINE, topK: EVERY });
    // Pinned first, then newest first.
    return results.map(toView).reverse().sort(pinnedFirst);
  });
  on('deleteMemory', async (data) => {
    if (!(await memory.get(data))) return { deleted: false };
    await memory.delete(data);
    return { deleted: true };
  });
  on('forgetEverything', async () => {
    await forgetImportedHistory(engine.db); // first: no imported message is queued again after the reset
    await memory.reset();
    await managed().forgetAll();
    return { forgotten: true };
  });
  on('searchMemories', async (data) => {
    await ready;
    if (typeof data !== 'string') throw new Error('Engram: a malformed searchMemories was refused');
    // What a prompt would find (the same gate, more results), and every memory naming all the words
    // of the search, those first; the ones only related in meaning are marked (manager/search.ts).
    const found = await searchMemories(memory, data.slice(0, MAX_TURN_CHARS), { ...MINE, AND: [] }, SEARCH_RESULTS);
    return found.slice(0, SEARCH_RESULTS).map(({ item, matched }) => ({ ...toView(item), matched }));
  });
  on('editMemory', async (data) => {
    await ready;
    await memory.update(data.id, data.text);
    const edited = await memory.get(data.id);
    if (!edited) throw new Error('Engram: the memory was deleted meanwhile');
    return toView(edited);
  });
  on('pinMemory', async (data) => toView(await memory.setMetadata(data.id, { pinned: data.pinned ? true : null })));
  on('aboutYou', async () => {
    // From the memories the manager lists first, not all of them: seconds of the worker's time at
    // 100,000, asked on every popup open and after every change (manager/about.ts).
    const { profile, entities } = await managed().about();
    return { profile, entities: entities.slice(0, ABOUT_ENTITIES).map((e) => ({ ...e, name: displayName(e.name) })) };
  });
  on('memoryPage', (data) => managed().page(data));
  on('memoryFacets', () => managed().facets());
  on('memoryDetail', (data) => managed().detail(data));
  on('deleteMemories', (data) => managed().deleteMemories(data));
  on('undoDelete', (data) => managed().undoDelete(data));
  on('moveMemories', (data) => managed().moveMemories(data));
  on('listSpaces', () => managed().listSpaces());
  on('createSpace', (data) => managed().createSpace(data));
  on('renameSpace', (data) => managed().renameSpace(data));
  on('deleteSpace', (data) => managed().deleteSpace(data));
  on('modelStatus', () => models.status());
  on('switchModel', async (data) => {
    await models.switchTo(data);
    return { started: true };
  });
  on('llmStatus', () => extraction.status());
  on('llmEnable', async (data) => {
    // WebGPU and consent are checked before anything downloads; the download then runs on.
    await extraction.startWebLlm(data);
    return { started: true };
  });
  on('llmCancel', () => {
    extraction.cancel();
    return { cancelled: true };
  });
  on('llmDisable', async () => {
    await extraction.disable();
    return { disabled: true };
  });
  on('llmDelete', async (data) => {
    await extraction.deleteModel(data);
    return { deleted: true };
  });
  on('llmUseLocalServer', async (data) => {
    await extraction.useLocalServer(data.baseUrl, data.model);
    return { using: memory.extractorName };
  });
  registerDataHandlers(engine, on);
  registerLockHandlers(engine.lock, on);
}
