/**
 * The user in control, in the background, with the real engine (bundled model, Dexie on
 * fake-indexeddb): the control settings as stored; paused and turned-off sites neither recall nor
 * capture; "Ask before remembering" keeps new memories in the inbox, out of every recall, until
 * accepted (or rejected: forgotten); the injection log records what went, with the store's texts,
 * and loses a memory's text when it is forgotten.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { InjectionLog, MAX_LOG_ENTRIES } from '../../src/background/injection-log';
import { maintain } from '../../src/background/maintenance';
import { contentScriptSites, type SenderInfo } from '../../src/background/senders';
import { TurnQueue } from '../../src/background/turn-queue';
import { captures, DEFAULT_CONTROL, parseControl, stateOf, type ControlSettings } from '../../src/core/control';
import { DEFAULT_USER, type JsonValue } from '../../src/core/types';
import { MAX_REASON_CHARS, type ProtocolMap } from '../../src/messaging/protocol';
import { conversationUrl } from '../../src/sites/conversation-url';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';

type Listener = (message: { data: unknown; sender: SenderInfo }) => unknown;
const listeners = new Map<string, Listener>();

vi.mock('../../src/messaging/protocol', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/messaging/protocol')>();
  return {
    ...actual,
    onMessage: (type: string, listener: Listener) => {
      listeners.set(type, listener);
      return () => listeners.delete(type);
    },
  };
});

describe('control settings', () => {
  it('a new install reviews, pauses nothing and asks nothing', () => {
    expect(parseControl(undefined)).toEqual(DEFAULT_CONTROL);
    expect(DEFAULT_CONTROL).toMatchObject({ mode: 'review', paused: false, askBeforeRemembering: false, onboarded: false });
  });

  it('a malformed stored value falls back field by field, never breaking a page', () => {
    expect(parseControl({ mode: 'sometimes', sites: { chatgpt: 'manual', claude: 'loud', 'Bad Site!': 'off' }, paused: 'yes', askBeforeRemembering: true })).toEqual({
      mode: 'review',
      sites: { chatgpt: 'manual' },
      paused: false,
      askBeforeRemembering: true,
      onboarded: false,
      injection: DEFAULT_CONTROL.injection,
      spaceBySite: {},
    });
    for (const junk of [null, 42, 'review', [], { sites: null }, { sites: [1, 2] }]) expect(parseControl(junk)).toEqual(DEFAULT_CONTROL);
  });

  it('links back to a conversation only when it has an id of its own', () => {
    expect(conversationUrl('chatgpt', 'abc-123')).toBe('https://chatgpt.com/c/abc-123');
    expect(conversationUrl('claude', 'f00d')).toBe('https://claude.ai/chat/f00d');
    expect(conversationUrl('chatgpt', 'new-lx2-abc')).toBeNull(); // a new chat's page-local id
    expect(conversationUrl('claude', '../settings')).toBeNull();
    expect(conversationUrl('demo', 'abc')).toBeNull();
    expect(conversationUrl('perplexity', 'best-pizza-mYPmLT.ACodGl')).toBe('https://www.perplexity.ai/search/best-pizza-mYPmLT.ACodGl');
    expect(conversationUrl('perplexity', '..')).toBeNull();
    expect(conversationUrl('grok', 'f00d-1')).toBe('https://grok.com/c/f00d-1');
  });

  it('a site’s own mode wins over the default; pause wins over both', () => {
    const settings = parseControl({ mode: 'automatic', sites: { claude: 'off' } });
    expect(stateOf(settings, 'chatgpt')).toBe('automatic');
    expect(stateOf(settings, 'claude')).toBe('off');
    expect(stateOf({ ...settings, paused: true }, 'chatgpt')).toBe('paused');
    expect(['automatic', 'review', 'manual'].every((s) => captures(s as never))).toBe(true);
    expect(captures('off') || captures('paused')).toBe(false);
  });
});

const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
const SITES = contentScriptSites({
  content_scripts: [
    { matches: ['https://chatgpt.com/*'], js: ['content-scripts/chatgpt.js'] },
    { matches: ['https://claude.ai/*'], js: ['content-scripts/claude.js'] },
  ],
});
const chatgptTab: SenderInfo = { id: EXT.id, url: 'https://chatgpt.com/c/123', tab: { id: 7 }, frameId: 0 };
const claudeTab: SenderInfo = { id: EXT.id, url: 'https://claude.ai/chat/9', tab: { id: 8 }, frameId: 0 };
const popup: SenderInfo = { id: EXT.id, url: 'chrome-extension://engramid/popup.html' };

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

describe('the background, with the user’s settings', () => {
  let control: ControlSettings;
  let engine: ReturnType<typeof testEngine>;
  let log: InjectionLog;
  let queue: TurnQueue;
  let sentAt = Date.UTC(2026, 10, 30, 9);

  beforeEach(async () => {
    listeners.clear();
    control = parseControl({ mode: 'automatic' });
    engine = testEngine({ embedder });
    log = new InjectionLog(engine.db);
    queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, {
      schedule: () => undefined,
      metadata: (): Record<string, JsonValue> => (control.askBeforeRemembering ? { pending: true } : {}),
    });
    const { registerHandlers } = await import('../../src/background/register-handlers');
    registerHandlers(
      { ...engine, embedder, ready: Promise.resolve(), queue, log, control: () => Promise.resolve(control) } as never,
      { extension: EXT, sites: SITES },
    );
  });

  const call = <K extends keyof ProtocolMap>(type: K, sender: SenderInfo, data?: unknown) =>
    Promise.resolve().then(() => listeners.get(type)!({ data, sender })) as Promise<ReturnType<ProtocolMap[K]>>;

  /** The user says `text` on ChatGPT; the turn is confirmed and processed. */
  async function say(text: string, sender = chatgptTab): Promise<boolean> {
    const site = sender === chatgptTab ? 'chatgpt' : 'claude';
    const turn = { site, conversationId: 'c1', text, sentAt: sentAt++ };
    const { queued } = await call('captureTurn', sender, turn);
    if (!queued) return false;
    await call('confirmTurn', sender, turn);
    await queue.drain();
    return true;
  }
  const recall = async (query: string, sender = chatgptTab) =>
    (await call('recall', sender, { site: sender === chatgptTab ? 'chatgpt' : 'claude', query })).memories.map((m) => m.text);

  it('a paused or turned-off site gets no memories and has nothing remembered', async () => {
    await say("I'm vegetarian and I live in Berlin");
    expect((await recall('Can you suggest a restaurant near me?')).join(' ')).toContain('vegetarian');

    control = { ...control, sites: { claude: 'off' } };
    expect(await recall('Can you suggest a restaurant near me?', claudeTab)).toEqual([]);
    expect(await say('I have a cat named Tom', claudeTab)).toBe(false);

    control = { ...control, sites: {}, paused: true };
    expect(await recall('Can you suggest a restaurant near me?')).toEqual([]);
    expect(await say('I have a dog named Max')).toBe(false);
    const { results } = await engine.memory.getAll({ filters: { user_id: DEFAULT_USER } });
    expect(results.map((r) => r.memory).join(' ')).not.toMatch(/Tom|Max/);
  });

  it('ask before remembering: new memories wait in the inbox, unrecalled, until accepted; a rejected one is forgotten', async () => {
    control = { ...control, askBeforeRemembering: true };
    await say("I'm vegetarian and I live in Berlin");
    const inbox = await call('listInbox', popup);
    expect(inbox.map((m) => m.text).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect(await call('listMemories', popup)).toEqual([]);
    expect(await recall('Can you suggest a restaurant near me?')).toEqual([]);
    expect(await call('searchMemories', popup, 'vegetarian')).toEqual([]);

    const berlin = inbox.find((m) => m.text.includes('Berlin'))!;
    const vegetarian = inbox.find((m) => m.text.includes('vegetarian'))!;
    await expect(call('rejectMemory', popup, vegetarian.id)).resolves.toEqual({ rejected: true });
    await expect(call('acceptMemory', popup, { id: berlin.id, text: 'I live in Berlin, Kreuzberg' })).resolves.toMatchObject({
      text: 'I live in Berlin, Kreuzberg',
    });
    expect(await call('listInbox', popup)).toEqual([]);
    expect((await call('listMemories', popup)).map((m) => m.text)).toEqual(['I live in Berlin, Kreuzberg']);
    const recalled = (await recall('Can you suggest a restaurant near me?')).join(' ');
    expect(recalled).toContain('Kreuzberg');
    expect(recalled).not.toContain('vegetarian');
    expect(await engine.memory.get(vegetarian.id)).toBeNull();
    // An accepted memory is not "rejected" by the inbox's verb (forgetting it is the popup's delete).
    await expect(call('rejectMemory', popup, berlin.id)).resolves.toEqual({ rejected: false });
  });

  it('a change from a chat to an accepted memory waits too; rejecting it keeps what the user accepted', async () => {
    await say('I live in Berlin'); // remembered while the user did not ask to be asked
    control = { ...control, askBeforeRemembering: true };
    await say('I moved to Lisbon, I live in Lisbon now');
    const inbox = await call('listInbox', popup);
    const change = inbox.find((m) => m.replaces === 'I live in Berlin');
    expect(change, JSON.stringify(inbox)).toBeDefined();
    expect(change!.text).toMatch(/Lisbon/);
    expect((await recall('Where do I live?')).join(' ')).not.toMatch(/Lisbon/);

    await expect(call('rejectMemory', popup, change!.id)).resolves.toEqual({ rejected: true });
    expect(await call('listInbox', popup)).toEqual(inbox.filter((m) => m.id !== change!.id));
    const kept = await engine.memory.get(change!.id);
    expect(kept?.memory).toBe('I live in Berlin');
    expect(kept?.metadata.pending).toBeUndefined();
    expect((await recall('Where do I live?')).join(' ')).toContain('Berlin');
  });

  it('a page that no longer matches is recorded for the popup and the diagnostics, cleared once it matches again', async () => {
    await expect(call('siteHealth', claudeTab, { ok: false, reason: '2 message boxes on the page where one was expected' })).resolves.toEqual({ recorded: true });
    const [issue] = await call('siteIssues', popup);
    expect(issue).toMatchObject({ site: 'claude', reason: '2 message boxes on the page where one was expected', page: 'https://claude.ai/chat/9' });
    for (const bad of [null, {}, { ok: 'no' }, { ok: false, reason: 42 }]) {
      await expect(call('siteHealth', claudeTab, bad), JSON.stringify(bad)).rejects.toThrow(/refused/);
    }
    await call('siteHealth', claudeTab, { ok: false, reason: 'x'.repeat(5000) });
    expect((await call('siteIssues', popup))[0]!.reason).toHaveLength(MAX_REASON_CHARS);
    await call('siteHealth', claudeTab, { ok: true });
    expect(await call('siteIssues', popup)).toEqual([]);
    await expect(call('siteHealth', popup, { ok: true })).rejects.toThrow(/not answered/);
    await expect(call('siteIssues', claudeTab)).rejects.toThrow(/not answered/);
  });

  it('popup search finds a memory by a word it names, and says when nothing mentions the search', async () => {
    for (const text of ['My dog is called Max', 'I live in Berlin', "I'm vegetarian"]) {
      await engine.memory.add(text, { userId: DEFAULT_USER, infer: false });
    }
    const max = await call('searchMemories', popup, 'Max');
    expect(max.map((m) => [m.text, m.matched])).toEqual([['My dog is called Max', true]]);
    const berlin = await call('searchMemories', popup, 'berlin');
    expect(berlin[0]).toMatchObject({ text: 'I live in Berlin', matched: true });
    // Nothing names the sister or work: whatever is related in meaning is marked as such.
    const sister = await call('searchMemories', popup, 'Where does my sister work?');
    expect(sister.every((m) => m.matched === false)).toBe(true);
    // A question that names a word of a memory finds it first.
    const city = await call('searchMemories', popup, 'Which city do I live in?');
    expect(city[0]).toMatchObject({ text: 'I live in Berlin', matched: true });
    await expect(call('searchMemories', popup, { not: 'a string' })).rejects.toThrow(/refused/);
  });

  it('only Engram’s pages manage the inbox and read the log; only content scripts log an injection', async () => {
    for (const type of ['listInbox', 'acceptMemory', 'rejectMemory', 'injectionLog'] as const) {
      await expect(call(type, chatgptTab, {}), type).rejects.toThrow(/not answered/);
    }
    await expect(call('logInjection', popup, { ids: ['m1'], mode: 'automatic', conversationId: 'c' })).rejects.toThrow(/not answered/);
  });

  it('logs an injection with the store’s texts, never the page’s, and refuses malformed notes', async () => {
    await say("I'm vegetarian and I live in Berlin");
    const [a, b] = (await engine.memory.getAll({ filters: { user_id: DEFAULT_USER } })).results;
    await expect(call('logInjection', chatgptTab, { ids: [a!.id, b!.id, 'no-such-memory'], mode: 'review', conversationId: 'c1' })).resolves.toEqual({
      logged: true,
    });
    await expect(call('logInjection', chatgptTab, { ids: ['no-such-memory'], mode: 'review', conversationId: 'c1' })).resolves.toEqual({ logged: false });
    for (const bad of [{ ids: [a!.id], mode: 'sneaky', conversationId: 'c1' }, { ids: [a!.id], mode: 'review' }, { ids: 'x', mode: 'review', conversationId: 'c' }]) {
      await expect(call('logInjection', chatgptTab, bad), JSON.stringify(bad)).rejects.toThrow(/refused/);
    }
    const entries = await call('injectionLog', popup, {});
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ site: 'chatgpt', conversationId: 'c1', mode: 'review' });
    expect(entries[0]!.memories.map((m) => m.text).sort()).toEqual([a!.memory, b!.memory].sort());
    expect(await call('injectionLog', popup, { memoryId: a!.id })).toHaveLength(1);
    expect(await call('injectionLog', popup, { memoryId: 'other' })).toEqual([]);
  });
});

describe('the injection log', () => {
  const at = Date.UTC(2026, 10, 30, 10);

  it('lists newest first, finds where a memory went, and forgetting a memory removes its text', async () => {
    const engine = testEngine({ embedder });
    const log = new InjectionLog(engine.db);
    const { results } = await engine.memory.add('I live in Berlin', { userId: DEFAULT_USER, infer: false });
    const { results: more } = await engine.memory.add("I'm vegetarian", { userId: DEFAULT_USER, infer: false });
    const berlin = results[0]!.id;
    const veg = more[0]!.id;
    await log.record({ at, site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id: berlin, text: 'I live in Berlin' }] });
    await log.record({ at: at + 1, site: 'claude', conversationId: 'c2', mode: 'manual', memories: [{ id: berlin, text: 'I live in Berlin' }, { id: veg, text: "I'm vegetarian" }] });
    expect((await log.list()).map((e) => e.site)).toEqual(['claude', 'chatgpt']);
    expect(await log.list({ memoryId: veg })).toHaveLength(1);

    await engine.memory.delete(berlin);
    await log.forget([berlin]);
    const after = await log.list();
    expect(after[0]!.memories).toEqual([{ id: berlin, text: null }, { id: veg, text: "I'm vegetarian" }]);
    const raw = await engine.db.injections.toArray();
    expect(JSON.stringify(raw)).not.toContain('Berlin');
  });

  it('a forget interrupted before the log was cleaned: the text is never shown, and maintenance removes it', async () => {
    const engine = testEngine({ embedder });
    const log = new InjectionLog(engine.db);
    const { results } = await engine.memory.add('I live in Berlin', { userId: DEFAULT_USER, infer: false });
    const id = results[0]!.id;
    await log.record({ at, site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id, text: 'I live in Berlin' }] });
    await engine.memory.delete(id); // the worker stopped before log.forget ran
    expect((await log.list())[0]!.memories).toEqual([{ id, text: null }]);
    const queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, { schedule: () => undefined });
    await maintain({ queue, memory: engine.memory, store: engine.store, log });
    expect(JSON.stringify(await engine.db.injections.toArray())).not.toContain('Berlin');
  });

  it('keeps at most MAX_LOG_ENTRIES, dropping the oldest; forgetting everything empties it', async () => {
    const engine = testEngine({ embedder });
    const log = new InjectionLog(engine.db);
    await engine.db.injections.bulkAdd(
      Array.from({ length: MAX_LOG_ENTRIES }, (_, i) => ({ at: at + i, site: 'chatgpt' as const, conversationId: 'c', mode: 'automatic' as const, memories: [], memoryIds: [] })),
    );
    await log.record({ at: at + MAX_LOG_ENTRIES, site: 'claude', conversationId: 'c', mode: 'automatic', memories: [{ id: 'x', text: 'x' }] });
    expect(await engine.db.injections.count()).toBe(MAX_LOG_ENTRIES);
    expect(await engine.db.injections.where('at').equals(at).count()).toBe(0);
    await engine.memory.reset();
    expect(await engine.db.injections.count()).toBe(0);
  });
});
