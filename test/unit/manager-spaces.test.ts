// @vitest-environment node
/**
 * Spaces and the options page's settings (issue 15), with the real engine (bundled model, Dexie on
 * fake-indexeddb): moving memories (their hash follows the space), creating, nesting, renaming
 * (children and memories follow) and deleting spaces; the injection settings and default spaces
 * parsed tolerantly, recall using the user's settings, captured turns filed in their site's space.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { contentScriptSites, type SenderInfo } from '../../src/background/senders';
import { TurnQueue } from '../../src/background/turn-queue';
import { DEFAULT_CONTROL, DEFAULT_INJECTION, INJECTION_LIMITS, parseControl, type ControlSettings } from '../../src/core/control';
import { DEFAULT_USER, spacePath } from '../../src/core/types';
import { RECALL } from '../../src/engine/recall-settings';
import { factHash } from '../../src/pipeline/normalize';
import type { ProtocolMap } from '../../src/messaging/protocol';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';
import { managerSetup } from '../support/manager';

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

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

function setup() {
  const setup = managerSetup(embedder);
  const spaceOf = async (id: string): Promise<string | null> => (await setup.store.get(id))!.space;
  return { ...setup, spaceOf };
}

describe('moveMemories', () => {
  it('files memories in a space (their hash follows it), and the list, the facets and the spaces see it', async () => {
    const s = setup();
    const berlin = await s.remember('I live in Berlin', { site: 'chatgpt' });
    const max = await s.remember('My dog is called Max', { site: 'chatgpt' });
    const vegetarian = await s.remember("I'm vegetarian", { site: 'claude' });

    await expect(s.manager.moveMemories({ selection: { ids: [berlin, 'no-such-memory'] }, space: 'home' })).resolves.toEqual({ moved: 1 });
    const moved = (await s.store.get(berlin))!;
    expect(moved.space).toBe('home');
    expect(moved.hash).toBe(factHash('I live in Berlin', { ...moved, space: 'home' }));
    // The same fact in the same space is the same memory; in no space it is another.
    expect((await s.memory.add('I live in Berlin', { userId: DEFAULT_USER, infer: false, space: 'home' })).results).toEqual([]);
    expect((await s.manager.page({ filter: { space: 'home' }, offset: 0, limit: 10 })).items.map((m) => m.id)).toEqual([berlin]);
    expect((await s.manager.facets()).spaces).toEqual([
      { space: '', count: 2 },
      { space: 'home', count: 1 },
    ]);

    // "All that match": every memory said on ChatGPT, into a new nested space.
    await expect(s.manager.moveMemories({ selection: { filter: { site: 'chatgpt' } }, space: ' work / atlas ' })).resolves.toEqual({ moved: 2 });
    expect([await s.spaceOf(berlin), await s.spaceOf(max), await s.spaceOf(vegetarian)]).toEqual(['work/atlas', 'work/atlas', null]);
    expect(await s.manager.listSpaces()).toEqual([
      { path: 'home', memories: 0 },
      { path: 'work', memories: 0 },
      { path: 'work/atlas', memories: 2 },
    ]);
    await s.manager.moveMemories({ selection: { ids: [max] }, space: null });
    expect(await s.spaceOf(max)).toBeNull();
    expect((await s.manager.page({ filter: { space: '' }, offset: 0, limit: 10 })).items.map((m) => m.id)).toEqual([vegetarian, max]);
  });
});

describe('spaces', () => {
  it('are created and nested, renamed with everything under them (memories follow), and deleted (memories stay)', async () => {
    const s = setup();
    expect(await s.manager.createSpace('work')).toEqual([{ path: 'work', memories: 0 }]);
    expect(await s.manager.createSpace(' work / atlas ')).toEqual([
      { path: 'work', memories: 0 },
      { path: 'work/atlas', memories: 0 },
    ]);
    const atlas = await s.remember('I work at Atlas as a designer', { space: 'work/atlas' });
    const design = await s.remember('Atlas ships its redesign in May', { space: 'work/atlas/design' });
    const home = await s.remember('I live in Berlin', { space: 'home' });
    // Waiting for consent, yet filed in the space: it follows too.
    const waiting = await s.remember('Atlas has twelve people', { space: 'work/atlas', metadata: { pending: true } });
    expect(await s.manager.listSpaces()).toEqual([
      { path: 'home', memories: 1 },
      { path: 'work', memories: 0 },
      { path: 'work/atlas', memories: 1 },
      { path: 'work/atlas/design', memories: 1 },
    ]);

    expect(await s.manager.renameSpace({ from: 'work', to: 'job' })).toEqual([
      { path: 'home', memories: 1 },
      { path: 'job', memories: 0 },
      { path: 'job/atlas', memories: 1 },
      { path: 'job/atlas/design', memories: 1 },
    ]);
    expect([await s.spaceOf(atlas), await s.spaceOf(design), await s.spaceOf(waiting), await s.spaceOf(home)]).toEqual([
      'job/atlas',
      'job/atlas/design',
      'job/atlas',
      'home',
    ]);
    const renamed = (await s.store.get(design))!;
    expect(renamed.hash).toBe(factHash(renamed.text, renamed));
    expect((await s.manager.page({ filter: { space: 'job' }, offset: 0, limit: 10 })).total).toBe(2);
    // Deeper than five levels is refused, and nothing moves.
    await expect(s.manager.renameSpace({ from: 'job/atlas', to: 'a/b/c/d/e' })).rejects.toThrow(/more than 5 levels/);
    expect(await s.spaceOf(design)).toBe('job/atlas/design');

    expect(await s.manager.deleteSpace('job')).toEqual([{ path: 'home', memories: 1 }]);
    expect([await s.spaceOf(atlas), await s.spaceOf(design), await s.spaceOf(waiting)]).toEqual([null, null, null]);
    expect((await s.manager.page({ filter: {}, offset: 0, limit: 10 })).total).toBe(3);
    await expect(s.manager.deleteSpace('job')).rejects.toThrow(/no space/);
  });
});

describe('the options page’s settings', () => {
  it('default to recall’s own values, and a bad stored value falls back or is clamped', () => {
    expect(DEFAULT_INJECTION).toEqual({ topK: RECALL.topK, budgetTokens: RECALL.budgetTokens, threshold: null });
    expect(DEFAULT_CONTROL).toMatchObject({ injection: DEFAULT_INJECTION, spaceBySite: {} });
    expect(parseControl(undefined)).toEqual(DEFAULT_CONTROL);
    const parsed = parseControl({
      injection: { topK: 50, budgetTokens: 'lots', threshold: 2 },
      spaceBySite: { chatgpt: ' work / atlas ', claude: 'work/', 'Bad Site!': 'home', gemini: 5, grok: 'a/b/c/d/e/f' },
    });
    expect(parsed.injection).toEqual({ topK: INJECTION_LIMITS.topK.max, budgetTokens: DEFAULT_INJECTION.budgetTokens, threshold: 1 });
    expect(parsed.spaceBySite).toEqual({ chatgpt: 'work/atlas' });
    expect(parseControl({ injection: { topK: 3.6, budgetTokens: 10, threshold: 0.42 } }).injection).toEqual({ topK: 4, budgetTokens: 50, threshold: 0.42 });
    expect(parseControl({ injection: { threshold: 'calibrated' } }).injection.threshold).toBeNull();
    expect(parseControl({ injection: 'many', spaceBySite: ['work'] })).toMatchObject({ injection: DEFAULT_INJECTION, spaceBySite: {} });
    // A stored value round-trips.
    const settings: ControlSettings = { ...DEFAULT_CONTROL, injection: { topK: 8, budgetTokens: 600, threshold: 0.3 }, spaceBySite: { claude: 'work' } };
    expect(parseControl(JSON.parse(JSON.stringify(settings)))).toEqual(settings);
    expect([spacePath('work/atlas'), spacePath('/work'), spacePath('a//b'), spacePath('x'.repeat(60)), spacePath('tab\there')]).toEqual(['work/atlas', null, null, 'x'.repeat(60), null]);
  });

  it('file captured turns in their site’s default space', async () => {
    const s = setup();
    const control = parseControl({ spaceBySite: { chatgpt: 'work' } });
    const queue = new TurnQueue(new DexieTurnStore(s.db), s.memory, { schedule: () => undefined, space: (site) => control.spaceBySite[site] ?? null });
    await queue.enqueue({ site: 'chatgpt', conversationId: 'c1', text: 'I work at Atlas as a designer', sentAt: 1 });
    await queue.enqueue({ site: 'claude', conversationId: 'c2', text: 'I live in Berlin', sentAt: 2 });
    await queue.drain();
    const { results } = await s.memory.getAll({ filters: { user_id: DEFAULT_USER } });
    expect(results.map((m) => [m.memory, m.site, m.space])).toEqual([
      ['I work at Atlas as a designer', 'chatgpt', 'work'],
      ['I live in Berlin', 'claude', null],
    ]);
  });
});

const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
const SITES = contentScriptSites({ content_scripts: [{ matches: ['https://chatgpt.com/*'], js: ['content-scripts/chatgpt.js'] }] });
const chatgptTab: SenderInfo = { id: EXT.id, url: 'https://chatgpt.com/c/123', tab: { id: 7 }, frameId: 0 };

describe('recall, with the user’s injection settings', () => {
  let control: ControlSettings;
  let recall: ReturnType<typeof vi.fn>;

  beforeEach(async () => {
    listeners.clear();
    control = parseControl({ mode: 'automatic' });
    recall = vi.fn(() => Promise.resolve({ memories: [] }));
    const { registerHandlers } = await import('../../src/background/register-handlers');
    registerHandlers({ memory: { recall, readAhead: () => undefined }, embedder: { prefetch: () => undefined, load: () => Promise.resolve() }, ready: Promise.resolve(), control: () => Promise.resolve(control) } as never, { extension: EXT, sites: SITES });
  });

  const ask = () => Promise.resolve().then(() => listeners.get('recall')!({ data: { site: 'chatgpt', query: 'Where do I live?' }, sender: chatgptTab })) as Promise<ReturnType<ProtocolMap['recall']>>;

  it('asks for the user’s number of memories and budget, and their threshold when they set one', async () => {
    await ask();
    expect(recall.mock.lastCall?.[1]).toMatchObject({ settings: { topK: RECALL.topK, budgetTokens: RECALL.budgetTokens, candidates: RECALL.candidates } });
    expect(recall.mock.lastCall?.[1]).not.toHaveProperty('threshold');
    control = { ...control, injection: { topK: 15, budgetTokens: 800, threshold: 0.5 } };
    await ask();
    expect(recall.mock.lastCall?.[1]).toMatchObject({ settings: { topK: 15, budgetTokens: 800, candidates: 15 }, threshold: 0.5 });
  });

  it('injects at most the user’s number of memories (the real engine)', async () => {
    listeners.clear();
    const engine = testEngine({ embedder });
    for (const text of ['I live in Berlin', 'I moved to Berlin in 2020', 'My flat in Berlin is in Kreuzberg', 'I work in Berlin Mitte']) {
      await engine.memory.add(text, { userId: DEFAULT_USER, infer: false });
    }
    const { registerHandlers } = await import('../../src/background/register-handlers');
    registerHandlers({ ...engine, embedder, ready: Promise.resolve(), control: () => Promise.resolve(control) } as never, { extension: EXT, sites: SITES });
    const many = await ask();
    expect(many.memories.length).toBeGreaterThan(1);
    control = { ...control, injection: { ...control.injection, topK: 1 } };
    expect((await ask()).memories).toHaveLength(1);
  });
});
