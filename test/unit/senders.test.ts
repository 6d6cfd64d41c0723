/**
 * Every background handler answers only the callers it is meant for (issue 9, finding 5): a chat
 * site's content script may capture, confirm, discard, recall and warm up, for the site of its own
 * tab; the popup and the options page may manage memories; nothing else is answered.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProtocolMap } from '../../src/messaging/protocol';
import { callerOf, contentScriptSites, matchesPattern, type SenderInfo } from '../../src/background/senders';

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

const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
const MANIFEST = {
  content_scripts: [
    { matches: ['https://chatgpt.com/*', 'https://chat.openai.com/*'], js: ['content-scripts/chatgpt.js'] },
    { matches: ['https://claude.ai/*'], js: ['content-scripts/claude.js'] },
  ],
};
const SITES = contentScriptSites(MANIFEST);

const chatgptTab: SenderInfo = { id: EXT.id, url: 'https://chatgpt.com/c/123', tab: { id: 7 }, frameId: 0 };
const claudeTab: SenderInfo = { id: EXT.id, url: 'https://claude.ai/new', tab: { id: 8 }, frameId: 0 };
const popup: SenderInfo = { id: EXT.id, url: 'chrome-extension://engramid/popup.html' };
const optionsTab: SenderInfo = { id: EXT.id, url: 'chrome-extension://engramid/options.html', tab: { id: 9 }, frameId: 0 };

describe('callerOf', () => {
  it('knows a content script by the manifest site of its tab, and the popup by its page', () => {
    expect(SITES.map((s) => s.site)).toEqual(['chatgpt', 'claude']);
    expect(callerOf(chatgptTab, EXT, SITES)).toEqual({ kind: 'content', site: 'chatgpt', tabId: 7, url: 'https://chatgpt.com/c/123' });
    expect(callerOf({ ...chatgptTab, url: 'https://chat.openai.com/' }, EXT, SITES)).toMatchObject({ site: 'chatgpt' });
    expect(callerOf(claudeTab, EXT, SITES)).toMatchObject({ kind: 'content', site: 'claude' });
    expect(callerOf(popup, EXT, SITES)).toEqual({ kind: 'page', page: '/popup.html' });
    expect(callerOf(optionsTab, EXT, SITES)).toEqual({ kind: 'page', page: '/options.html' });
  });

  it('answers nobody else', () => {
    const strangers: SenderInfo[] = [
      { ...chatgptTab, id: 'another-extension' },
      { ...chatgptTab, frameId: 3 }, // a frame inside the page
      { ...chatgptTab, tab: undefined },
      { ...chatgptTab, url: 'https://chatgpt.com.evil.example/' },
      { ...chatgptTab, url: 'http://chatgpt.com/' },
      { ...chatgptTab, url: 'https://evil.example/https://chatgpt.com/' },
      { id: EXT.id, url: 'http://localhost:5173/engram-demo/', tab: { id: 1 }, frameId: 0 }, // no demo in this manifest
      { id: EXT.id, url: 'chrome-extension://engramid/offscreen.html' },
      { id: EXT.id, url: 'chrome-extension://otherid/popup.html' },
      { id: EXT.id },
      { id: EXT.id, url: 'not a url' },
    ];
    for (const sender of strangers) expect(callerOf(sender, EXT, SITES), JSON.stringify(sender)).toBeNull();
  });

  it('matches patterns like the browser: any port without one, paths as globs, subdomain wildcards', () => {
    expect(matchesPattern('http://localhost/engram-demo/*', new URL('http://localhost:4173/engram-demo/'))).toBe(true);
    expect(matchesPattern('http://localhost/engram-demo/*', new URL('http://localhost:4173/other/'))).toBe(false);
    expect(matchesPattern('*://*.example.com/*', new URL('https://a.b.example.com/x'))).toBe(true);
    expect(matchesPattern('*://*.example.com/*', new URL('https://example.com.evil/x'))).toBe(false);
  });
});

describe('registerHandlers', () => {
  beforeEach(async () => {
    listeners.clear();
    const { registerHandlers } = await import('../../src/background/register-handlers');
    const never = () => {
      throw new Error('the engine must not be reached');
    };
    const engine = new Proxy({}, { get: () => new Proxy(never, { get: () => never, apply: never }) });
    registerHandlers(engine as never, { extension: EXT, sites: SITES });
  });

  const call = (type: keyof ProtocolMap, sender: SenderInfo, data?: unknown) =>
    Promise.resolve().then(() => listeners.get(type)!({ data, sender }));

  it('registers one handler per message, each with its callers', async () => {
    const { ALLOWED_CALLERS } = await import('../../src/background/register-handlers');
    expect([...listeners.keys()].sort()).toEqual(Object.keys(ALLOWED_CALLERS).sort());
  });

  it('refuses every memory-managing message from a content script, before touching the engine', async () => {
    const { ALLOWED_CALLERS } = await import('../../src/background/register-handlers');
    const managing = Object.entries(ALLOWED_CALLERS).filter(([, who]) => who === 'page').map(([type]) => type as keyof ProtocolMap);
    expect(managing).toEqual(expect.arrayContaining(['listMemories', 'deleteMemory', 'searchMemories', 'editMemory', 'forgetEverything', 'aboutYou']));
    for (const type of managing) {
      await expect(call(type, chatgptTab, 'x'), type).rejects.toThrow(/not answered for this sender/);
    }
  });

  it('refuses the content scripts’ messages from the popup, a frame, or another extension', async () => {
    const turn = { site: 'chatgpt', conversationId: 'c', text: 'hi', sentAt: 1 };
    for (const sender of [popup, { ...chatgptTab, frameId: 2 }, { ...chatgptTab, id: 'other' }]) {
      await expect(call('recall', sender, { site: 'chatgpt', query: 'hi' })).rejects.toThrow(/not answered/);
      await expect(call('captureTurn', sender, turn)).rejects.toThrow(/not answered/);
      await expect(call('confirmTurn', sender, turn)).rejects.toThrow(/not answered/);
    }
  });

  it('refuses a content script speaking for another site than its tab’s', async () => {
    await expect(call('recall', claudeTab, { site: 'chatgpt', query: 'where do I live?' })).rejects.toThrow(/refused/);
    await expect(call('captureTurn', claudeTab, { site: 'chatgpt', conversationId: 'c', text: 'I live in Oslo', sentAt: 1 })).rejects.toThrow(
      /refused/,
    );
    await expect(call('captureTurn', chatgptTab, { site: 'chatgpt', conversationId: 'c', text: 42, sentAt: 1 })).rejects.toThrow(/refused/);
  });
});
