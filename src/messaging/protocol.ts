/**
 * Every message exchanged between Engram's contexts (content scripts, background, popup), declared
 * once. `@webext-core/messaging` turns this map into a typed `sendMessage` / `onMessage` pair, so a
 * sender and its handler cannot disagree on a payload or a reply.
 */
import { defineExtensionMessaging } from '@webext-core/messaging';
import type { LlmStatus, ModelStatus, WebLlmTierId } from '../core/status';
import type { CapturedTurn, QueueStats } from '../core/turns';
import type { DataProtocolMap } from './data-protocol';
import type { LockProtocolMap } from './lock-protocol';
import type { HistoryEntry, InjectionRecord, MemoryFacets, MemoryFilter, MemoryPage, MemoryPageRequest, MemoryView, RecalledMemory, SiteId, SpaceInfo } from '../core/types';

export { MAX_REPLY_TO_CHARS, MAX_TURN_CHARS, type CapturedTurn } from '../core/turns';

export interface RecallRequest {
  site: SiteId;
  query: string;
  /**
   * Asked while the user types, before any send: the user may never send this text, so no memory
   * is counted as used (the content script sends `noteInjected` for those that went out).
   */
  prefetch?: boolean;
}

/** At most this many ids in one `noteInjected` (a prompt carries far fewer memories). */
export const MAX_NOTED_IDS = 20;

/** The longest memory id `noteInjected` accepts. */
export const MAX_MEMORY_ID_CHARS = 100;

/** The prefetched memories a send went out with. */
export interface InjectedNote {
  ids: string[];
}

/** A prompt went out with these memories (content script → background, for the injection log). */
export interface InjectionNote {
  ids: string[];
  mode: InjectionRecord['mode'];
  conversationId: string;
}

/** What the popup shows of one injection (the log, newest first). */
export type InjectionView = Required<Pick<InjectionRecord, 'id'>> & Omit<InjectionRecord, 'id' | 'memoryIds'>;

/** What a content script found of its page (SiteAdapter.health). */
export interface SiteHealthReport {
  ok: boolean;
  /** Why not, when not ok (at most MAX_REASON_CHARS). */
  reason?: string;
}

/** The longest reason a content script may give. */
export const MAX_REASON_CHARS = 300;

/** A site whose page no longer matches its adapter, as the popup and the diagnostics show it. */
export interface SiteIssue {
  site: SiteId;
  reason: string;
  /** When it was last seen, ms since epoch. */
  at: number;
  /** The page's address, without its query or fragment. */
  page: string;
}

export interface RecallResult {
  memories: RecalledMemory[];
  /** Engram is locked (encryption at rest): nothing is recalled until the user unlocks it. */
  locked?: boolean;
}

export interface EngineStatus {
  /** e.g. "rule-based" or "webllm:Qwen2.5-1.5B-Instruct-q4f16_1-MLC". */
  extractor: string;
  /** Why Engram is not using the local LLM right now, when it is not. */
  extractorNote: string | null;
  queue: QueueStats;
}

/** What the popup's "About you" shows. */
export interface AboutYou {
  profile: MemoryView[];
  /** People, places, projects and pets the memories name, most mentioned first. */
  entities: { name: string; memories: number }[];
}

/** How long a `deleteMemories` can be undone, in ms. */
export const UNDO_WINDOW_MS = 30_000;

/** The most rows one `memoryPage` returns. */
export const MAX_PAGE_SIZE = 500;

/** Which memories a bulk action applies to: these ids, or every memory matching a filter ("all that match"). */
export type MemorySelection = { ids: string[] } | { filter: MemoryFilter };

/** Everything the manager shows of one memory. */
export interface MemoryDetail {
  memory: MemoryView;
  /** Every change, oldest first (a forgotten memory's entries keep no text). */
  history: HistoryEntry[];
  /** Where it was injected, newest first. */
  injections: InjectionView[];
  /** A link to the conversation it came from, when its site has one. */
  conversationUrl: string | null;
}

export interface ProtocolMap extends DataProtocolMap, LockProtocolMap {
  /**
   * Content script → background: the user is sending this turn; store it durably but hold it
   * until `confirmTurn` says the send really left the page (held turns expire unprocessed).
   */
  captureTurn(turn: CapturedTurn): { queued: boolean };
  /** Content script → background: the send left the page; the turn may be remembered now. */
  confirmTurn(turn: CapturedTurn): { confirmed: boolean };
  /** Content script → background: that send failed after all; withdraw its held turn. */
  discardTurn(turn: CapturedTurn): { discarded: boolean };
  /** Content script → background: memories relevant to the text about to be sent (or, `prefetch`, being typed). */
  recall(request: RecallRequest): RecallResult;
  /**
   * Content script → background: a prompt went out with these prefetched memories (recalled with
   * `prefetch`, so not yet counted): count them as used. Unknown ids are ignored.
   */
  noteInjected(note: InjectedNote): { noted: boolean };
  /**
   * Content script → background: a prompt went out with these memories; record it in the
   * injection log (the texts are read from the store, never taken from the page).
   */
  logInjection(note: InjectionNote): { logged: boolean };
  /**
   * Content script → background: whether the page still looks as its site adapter expects. A page
   * that does not is left alone, and the toolbar badge and the popup say Engram needs an update.
   */
  siteHealth(report: SiteHealthReport): { recorded: boolean };
  /** Content script → background: the user clicked the indicator's link: open the injection log. */
  openInjectionLog(): { opened: boolean };
  /** Content script → background: load the models now, so the first send is not slowed. */
  warmUp(): { ready: boolean };
  /** Popup → background: every memory, newest first. */
  listMemories(): MemoryView[];
  /** Popup → background: memories from chats waiting for the user's consent ("Ask before remembering"), newest first. */
  listInbox(): MemoryView[];
  /** Popup → background: accept a waiting memory, with the user's edit if any; it is recalled from now on. */
  acceptMemory(accept: { id: string; text?: string }): MemoryView;
  /** Popup → background: reject a waiting memory: it is forgotten, never recalled. */
  rejectMemory(id: string): { rejected: boolean };
  /** Popup → background: the injection log, newest first (`memoryId`: only where that memory went). */
  injectionLog(query: { memoryId?: string; limit?: number }): InjectionView[];
  /** Popup → background: the origins the user turned Engram on for (the generic adapter). */
  genericSites(): { origins: string[] };
  /** Popup → background (after the user granted the origin's permission): turn Engram on there. */
  enableGenericSite(request: { origin: string; tabId?: number }): { enabled: boolean };
  /** Popup → background: turn Engram off for that origin, and give its permission back. */
  disableGenericSite(origin: string): { disabled: boolean };
  /** Popup → background: the sites whose pages no longer match their adapters, with why and when. */
  siteIssues(): SiteIssue[];
  /** Popup → background: forget one memory. */
  deleteMemory(id: string): { deleted: boolean };
  /** Popup → background (after the user confirmed): forget every memory, its history and every queued turn. */
  forgetEverything(): { forgotten: boolean };
  /** Popup → background: the memories most relevant to a search, best first. */
  searchMemories(query: string): MemoryView[];
  /** Popup → background: replace a memory's text with the user's correction. */
  editMemory(edit: { id: string; text: string }): MemoryView;
  /** Popup → background: pin a memory (it keeps its weight however old) or unpin it. */
  pinMemory(pin: { id: string; pinned: boolean }): MemoryView;
  /** Popup → background: the user's profile (current value of each attribute, pinned memories) and the entities they mention most. */
  aboutYou(): AboutYou;
  /** Manager → background: one window of the memories matching a filter (see MemoryPageRequest). */
  memoryPage(request: MemoryPageRequest): MemoryPage;
  /** Manager → background: the sites, spaces, categories and scopes in use, with counts. */
  memoryFacets(): MemoryFacets;
  /** Manager → background: one memory with its history, where it was injected and its conversation. */
  memoryDetail(id: string): MemoryDetail;
  /**
   * Manager → background: forget the selected memories. `undo` is a token valid for a short while
   * (UNDO_WINDOW_MS) and only in this worker's memory: nothing forgotten is kept on disk.
   */
  deleteMemories(selection: MemorySelection): { deleted: number; undo: string | null };
  /** Manager → background: put back what a `deleteMemories` forgot, exactly as it was (false when too late). */
  undoDelete(token: string): { restored: number };
  /** Manager → background: file the selected memories in a space (null: in none). */
  moveMemories(request: { selection: MemorySelection; space: string | null }): { moved: number };
  /** Manager → background: every space (created by the user or in use), sorted by path. */
  listSpaces(): SpaceInfo[];
  createSpace(path: string): SpaceInfo[];
  /** Rename a space and every space under it; its memories follow. */
  renameSpace(request: { from: string; to: string }): SpaceInfo[];
  /** Delete a space (and those under it); its memories stay, in no space. */
  deleteSpace(path: string): SpaceInfo[];
  /** Popup → background: which extractor runs (and why, after a fallback), and the turn queue. */
  engineStatus(): EngineStatus;
  /** Popup → background: the active embedding model, the choices, and any switch in progress. */
  modelStatus(): ModelStatus;
  /** Popup → background: switch to another model (after the user granted the download hosts). */
  switchModel(id: string): { started: boolean };
  /** Popup → background: WebGPU support, the local AI models, the extractor in use. */
  llmStatus(): LlmStatus;
  /** Popup → background: download (after consent) and use a local AI model of this tier. */
  llmEnable(tier: WebLlmTierId): { started: boolean };
  /** Popup → background: stop a model download (it resumes next time). */
  llmCancel(): { cancelled: boolean };
  /** Popup → background: back to the built-in rules. */
  llmDisable(): { disabled: boolean };
  /** Popup → background: remove a downloaded model from the cache. */
  llmDelete(modelId: string): { deleted: boolean };
  /** Popup → background: extract with a local OpenAI-compatible server (after consent). */
  llmUseLocalServer(server: { baseUrl: string; model: string }): { using: string };
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

/** What the background tells the chat pages' content scripts (chrome.tabs.sendMessage). */
export interface BroadcastMap {
  /** Memories were forgotten or their text changed: drop every prefetched answer. */
  memoriesChanged(): void;
  /** The user pressed the extension's "add memories" shortcut on this tab (manual insertion). */
  insertMemories(): void;
}

export const { sendMessage: sendToTab, onMessage: onBroadcast } = defineExtensionMessaging<BroadcastMap>();
