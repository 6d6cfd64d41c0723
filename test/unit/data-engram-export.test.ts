// @vitest-environment node
/**
 * Engram's own export (src/data/engram-export.ts): a profile exported, restored into a fresh
 * profile and exported again loses nothing (every field compared); vectors are recomputed by the
 * engine; a second restore adds nothing; a failed restore writes nothing; a malformed or hostile
 * file is refused, naming the field. On Dexie (fake-indexeddb) with a deterministic embedder.
 */
import { describe, expect, it, vi } from 'vitest';
import { InjectionLog } from '../../src/background/injection-log';
import type { JsonValue } from '../../src/core/types';
import { buildExport, controlOf, exportFileName, parseExport, previewExport, readExport, restoreExport, type EngramExport } from '../../src/data/engram-export';
import { ImportError } from '../../src/data/import-result';
import { HashingEmbedder } from '../support/fake-embedder';
import { testEngine } from '../support/engine';

const T0 = Date.UTC(2026, 2, 1, 12);
const DAY = 86_400_000;

/** An engine on a fresh database whose clock ticks a minute at every reading. */
function profile() {
  let clock = T0;
  const engine = testEngine({ embedder: new HashingEmbedder(), now: () => (clock += 60_000), hnsw: null });
  return { ...engine, log: new InjectionLog(engine.db) };
}

const CONTROL_SETTINGS = { mode: 'automatic', sites: { claude: 'review' }, paused: false, askBeforeRemembering: true, onboarded: true };
const CONTROL: Record<string, JsonValue> = { control: CONTROL_SETTINGS };

/** A profile with every kind of thing a user's profile holds. */
async function filled() {
  const p = profile();
  const { memory } = p;
  const me = { userId: 'me' };
  const [berlin] = (await memory.add([{ role: 'user', content: 'I live in Berlin', id: 'turn-1' }], { ...me, site: 'chatgpt', conversationId: 'c1', saidAt: T0 - 30 * DAY })).results;
  await memory.add('My dog is called Max', { ...me, site: 'claude', conversationId: 'c2', saidAt: T0 - 20 * DAY, space: 'home/pets', metadata: { pinned: true } });
  await memory.add('I work on the Atlas project', { ...me, space: 'work/atlas', saidAt: T0 - 10 * DAY, expirationDate: '2027-01-31' });
  await memory.add('Prefers answers in bullet points', { agentId: 'writing-coach', infer: false, metadata: { source: 'typed', tags: ['style', 'format'] } });
  await memory.add('I am staying in Lisbon until Friday', { ...me, runId: 'trip-7', sessionTtlMs: 7 * DAY, saidAt: T0 - DAY });
  const [secret] = (await memory.add('I have a cat called Luna', { ...me, saidAt: T0 - 5 * DAY })).results;
  // Changes: an update (history with old and new text), a correction, a forgotten memory (history without text).
  await memory.add('I moved to Amsterdam', { ...me, site: 'chatgpt', conversationId: 'c3', saidAt: T0 - 2 * DAY });
  await memory.update(secret!.id, 'I have a cat called Luna and a hamster');
  await memory.delete(secret!.id);
  await p.log.record({ at: T0 - DAY, site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id: berlin!.id, text: 'I live in Berlin' }] });
  await p.log.record({ at: T0, site: 'claude', conversationId: 'c9', mode: 'review', memories: [{ id: 'gone', text: 'a forgotten one' }] });
  await p.db.settings.bulkPut([
    { key: 'extractionChoice', value: { kind: 'webllm', modelId: 'Qwen2.5-0.5B' } },
    // Spaces the user created (the memory manager's list), and a cache of the manager's that is not the user's.
    { key: 'spaces', value: ['personal', 'home'] },
    { key: 'managerRows', value: { cached: ['I live in Berlin'] } },
  ]);
  return p;
}

const withoutIds = <T extends { id?: number }>(rows: readonly T[]): Omit<T, 'id'>[] => rows.map(({ id: _id, ...rest }) => rest);

describe('an Engram export', () => {
  it('holds every memory field, history, spaces, settings and the injection log, and never vectors', async () => {
    const { db } = await filled();
    const exported = await buildExport(db, { now: () => T0, spaces: [' work / atlas ', 'reading'], settings: CONTROL });
    expect(exported).toMatchObject({ format: 'engram-export', version: 1, exportedAt: new Date(T0).toISOString() });
    expect(exported.memories).toEqual((await db.memories.toArray()).sort((a, b) => a.label - b.label));
    expect(exported.memories.map((m) => m.text)).toEqual(['I moved to Amsterdam', 'My dog is called Max', 'I work on the Atlas project', 'Prefers answers in bullet points', 'I am staying in Lisbon until Friday']);
    expect(exported.history).toEqual(await db.history.toArray());
    expect(exported.history.map((h) => h.event)).toEqual(['ADD', 'ADD', 'ADD', 'ADD', 'ADD', 'ADD', 'UPDATE', 'UPDATE', 'DELETE']);
    expect(exported.spaces).toEqual(['home', 'home/pets', 'personal', 'reading', 'work/atlas']);
    // The user's settings (the caller's, and the store's own), never the store's counters or caches.
    expect(exported.settings).toEqual({ extractionChoice: { kind: 'webllm', modelId: 'Qwen2.5-0.5B' }, ...CONTROL });
    expect(exported.injections).toHaveLength(2);
    const text = JSON.stringify(exported);
    expect(text).not.toMatch(/vector|snapshot|"jobs"/i);
    expect(exportFileName(T0)).toBe('engram-export-2026-03-01.json');
  });

  it('restored into a fresh profile and exported again, loses nothing', async () => {
    const source = await filled();
    const first = await buildExport(source.db, { now: () => T0, settings: CONTROL });
    const parsed = parseExport(JSON.parse(JSON.stringify(first)));
    expect(parsed.warnings).toEqual([]);
    expect(previewExport(parsed)).toMatchObject({ count: 5, warnings: [] });

    const target = profile();
    const restored = await restoreExport(target, parsed);
    expect(restored).toEqual({ memories: 5, skipped: [], history: 9, injections: 2, embedded: { done: 5, total: 5 }, settings: first.settings, spaces: first.spaces });
    const second = await buildExport(target.db, { now: () => T0, settings: CONTROL });

    // Every field of every memory, history entry and injection is the same, except what a fresh
    // store numbers itself: memory labels (vector index keys) and the history's and log's row ids.
    const unlabelled = (e: EngramExport) => e.memories.map(({ label: _label, ...m }) => m);
    expect(unlabelled(second)).toEqual(unlabelled(first));
    expect(new Set(second.memories.map((m) => m.label)).size).toBe(5);
    expect(withoutIds(second.history)).toEqual(withoutIds(first.history));
    expect(withoutIds(second.injections)).toEqual(withoutIds(first.injections));
    expect(second.spaces).toEqual(first.spaces);
    expect((await target.db.settings.get('spaces'))?.value).toEqual(first.spaces);
    // Settings are handed back, not applied: the store's own ones are the caller's to apply.
    expect(second.settings).toEqual(CONTROL);
    expect(controlOf(restored.settings)).toMatchObject(CONTROL_SETTINGS);

    // Vectors were recomputed by the engine, the same as the source's under the same model.
    const vectors = async (db: typeof source.db) => new Map((await db.vectors.toArray()).map((v) => [v.memoryId, Array.from(v.vector)]));
    expect(await vectors(target.db)).toEqual(await vectors(source.db));
    // And the restored memories are found.
    const found = await target.memory.search('which city do I live in', { filters: { user_id: 'me' }, threshold: 0 });
    expect(found.results.map((r) => r.memory)).toContain('I moved to Amsterdam');
    expect((await target.memory.history(second.memories[0]!.id)).map((h) => h.action)).toEqual(['UPDATE', 'ADD']);
  });

  it('restored twice adds nothing the second time', async () => {
    const source = await filled();
    const parsed = parseExport(JSON.parse(JSON.stringify(await buildExport(source.db))));
    const target = profile();
    await restoreExport(target, parsed);
    const again = await restoreExport(target, parsed);
    expect(again.memories).toBe(0);
    expect(again.history).toBe(0);
    expect(again.injections).toBe(0);
    expect(again.skipped.map((s) => s.reason)).toEqual(new Array(5).fill('already in this profile'));
    expect(await target.db.memories.count()).toBe(5);
    expect(await target.db.history.count()).toBe(9);
    expect(await target.db.injections.count()).toBe(2);
  });

  it('restored into a profile that already knows a fact, leaves that one out', async () => {
    const source = profile();
    await source.memory.add('I play the cello', { userId: 'me', infer: false });
    await source.memory.add('I speak Portuguese', { userId: 'me', infer: false });
    const parsed = parseExport(JSON.parse(JSON.stringify(await buildExport(source.db))));
    const target = profile();
    await target.memory.add('I play the cello.', { userId: 'me', infer: false });
    const restored = await restoreExport(target, parsed);
    expect(restored.memories).toBe(1);
    expect(restored.skipped).toEqual([{ id: parsed.items[0]!.id, reason: 'already remembered (the same words in the same scope)' }]);
    expect((await target.db.memories.toArray()).map((m) => m.text).sort()).toEqual(['I play the cello.', 'I speak Portuguese']);
  });

  it('that fails to write changes nothing: no memory, no history, no injection', async () => {
    const source = await filled();
    const parsed = parseExport(JSON.parse(JSON.stringify(await buildExport(source.db))));
    const target = profile();
    vi.spyOn(target.store, 'write').mockRejectedValueOnce(new Error('disk full'));
    await expect(restoreExport(target, parsed)).rejects.toThrow('disk full');
    expect([await target.db.memories.count(), await target.db.history.count(), await target.db.injections.count(), await target.db.vectors.count()]).toEqual([0, 0, 0, 0]);
  });

  it('is read from a file, and a file that is not JSON says where', async () => {
    const source = await filled();
    const file = new File([JSON.stringify(await buildExport(source.db))], 'engram-export.json');
    expect((await readExport(file)).items).toHaveLength(5);
    await expect(readExport(new File(['{\n "format": "engram-export",\n "version": 1,\n}'], 'broken.json'))).rejects.toThrow(/^broken\.json: is not valid JSON/);
  });
});

describe('a malformed or hostile Engram export', () => {
  /** A valid export of one memory to break. */
  const valid = (): Record<string, unknown> => ({
    format: 'engram-export',
    version: 1,
    exportedAt: '2026-03-01T12:00:00.000Z',
    memories: [
      {
        id: 'm1', label: 1, text: 'I live in Berlin', hash: 'x', userId: 'me', agentId: null, runId: null, space: null, site: 'chatgpt', conversationId: 'c1',
        sourceTurnIds: ['t1'], saidAt: T0, categories: ['location'], metadata: {}, createdAt: T0, updatedAt: T0, expiresAt: null,
      },
    ],
    history: [{ id: 1, memoryId: 'm1', event: 'ADD', oldText: null, newText: 'I live in Berlin', at: T0, reason: 'new fact' }],
    spaces: [],
    settings: {},
    injections: [{ id: 1, at: T0, site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id: 'm1', text: 'I live in Berlin' }], memoryIds: ['m1'] }],
  });
  const broken = (change: (e: Record<string, unknown> & { memories: Record<string, unknown>[]; history: Record<string, unknown>[]; injections: Record<string, unknown>[] }) => void): unknown => {
    const e = valid() as Parameters<typeof change>[0];
    change(e);
    return JSON.parse(JSON.stringify(e));
  };

  it('reads a valid one, recomputing the hash', () => {
    const parsed = parseExport(valid());
    expect(parsed.items[0]!.hash).not.toBe('x');
    expect(parsed.warnings).toEqual([]);
  });

  it('is refused when it is not an Engram export, or from a newer Engram', () => {
    expect(() => parseExport([])).toThrow(new ImportError('file', 'is not an Engram export: expected an object, found a list'));
    expect(() => parseExport({ ...valid(), format: 'mem0' })).toThrow('format: expected “engram-export”: this is not an Engram export');
    expect(() => parseExport({ ...valid(), version: 2 })).toThrow('version: this export is from a newer Engram (version 2); update Engram to import it');
    expect(() => parseExport({ ...valid(), version: '1' })).toThrow('version: expected 1, found a string');
    expect(() => parseExport({ ...valid(), exportedAt: 'soon' })).toThrow('exportedAt: is not a date');
  });

  it('names the field that is wrong', () => {
    const cases: [(e: Parameters<Parameters<typeof broken>[0]>[0]) => void, string][] = [
      [(e) => (e.memories[0]!.text = 42), 'memories[0].text: expected a string, found a number'],
      [(e) => (e.memories[0]!.text = '   '), 'memories[0].text: is not a memory in words'],
      [(e) => (e.memories[0]!.text = 'word '.repeat(500)), 'memories[0].text: is 2499 characters long; a memory is at most 2000'],
      [(e) => (e.memories[0]!.text = 'x'.repeat(5000)), 'memories[0].text: is 5000 characters long; at most 4000'],
      [(e) => (e.memories[0]!.label = -1), 'memories[0].label: expected a whole number of at least 1, found a number'],
      [(e) => (e.memories[0]!.userId = null), 'memories[0]: has no scope (userId, agentId or runId)'],
      [(e) => (e.memories[0]!.userId = 'two words'), 'memories[0].userId: is not a scope id (it has white space)'],
      [(e) => (e.memories[0]!.site = 'myspace'), 'memories[0].site: expected one of “chatgpt”, “claude”, “gemini”, “perplexity”, “deepseek”, “grok”, “generic”, “demo”, found a string'],
      [(e) => (e.memories[0]!.saidAt = '2026-01-01'), 'memories[0].saidAt: expected a time (ms since 1970), found a string'],
      [(e) => (e.memories[0]!.sourceTurnIds = [1]), 'memories[0].sourceTurnIds[0]: expected a string, found a number'],
      [(e) => (e.memories[0]!.space = `${'x'.repeat(65)}/y`), 'memories[0].space: a part is longer than 64 characters'],
      [(e) => (e.memories[0]!.metadata = []), 'memories[0].metadata: expected an object, found a list'],
      [(e) => (e.memories[0]!.id = 'a\u0000b'), 'memories[0].id: is not an id (empty, or with control characters)'],
      [(e) => (e.memories[0]!.relations = [{ subject: 'user', predicate: 'lives in' }]), 'memories[0].relations[0].object: expected a string, found undefined'],
      [(e) => (e.memories = {} as never), 'memories: expected a list, found an object'],
      [(e) => (e.history[0]!.event = 'NONE'), 'history[0].event: expected one of “ADD”, “UPDATE”, “DELETE”, found a string'],
      [(e) => (e.history[0]!.correction = 'yes'), 'history[0].correction: expected true or false, found a string'],
      [(e) => (e.injections[0]!.mode = 'off'), 'injections[0].mode: expected one of “automatic”, “review”, “manual”, found a string'],
      [(e) => (e.injections[0]!.memories = [{ text: 'x' }]), 'injections[0].memories[0].id: expected an id (a string), found undefined'],
      [(e) => (e.spaces = ['ok', 7]), 'spaces[1]: expected a string, found a number'],
      [(e) => (e.settings = 'on'), 'settings: expected an object, found a string'],
    ];
    for (const [change, message] of cases) {
      expect(() => parseExport(broken(change)), message).toThrow(message);
      try {
        parseExport(broken(change));
      } catch (error) {
        expect(error).toBeInstanceOf(ImportError);
      }
    }
  });

  it('keeps the first of two memories with the same id, and says so', () => {
    const parsed = parseExport(broken((e) => e.memories.push({ ...e.memories[0]!, text: 'I live in Paris' })));
    expect(parsed.items.map((m) => m.text)).toEqual(['I live in Berlin']);
    expect(parsed.warnings).toEqual(['memories[1]: skipped: id m1 appears twice; the first was kept']);
  });

  it('drops prototype keys and unknown fields, cleans control characters, and says so', () => {
    const parsed = parseExport(
      JSON.parse(
        JSON.stringify(valid())
          .replace('"metadata":{}', '"metadata":{"__proto__":{"polluted":true},"ok":1},"injected":"<script>"')
          .replace('"I live in Berlin","hash"', '"I live\\u0000 in Berlin\\u202e","hash"')
          .replace('"settings":{}', '"settings":{"constructor":{"prototype":{"polluted":true}}}'),
      ) as unknown,
    );
    expect(parsed.items[0]).toMatchObject({ text: 'I live in Berlin', metadata: { ok: 1 } });
    expect(parsed.items[0]).not.toHaveProperty('injected');
    expect(parsed.settings).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.warnings).toEqual([
      'memories[0].metadata.__proto__: dropped (a key that could change how other objects behave)',
      'settings.constructor: dropped (a key that could change how other objects behave)',
      'memories: the field “injected” of 1 item was ignored (not a field Engram knows)',
      '1 memory had control or invisible characters, removed',
    ]);
  });

  it('refuses metadata nested too deep, without recursing through it', () => {
    const deep = `{"deep": ${'{"d": '.repeat(100_000)}1${'}'.repeat(100_000)}}`;
    const data = JSON.parse(JSON.stringify(valid()).replace('"metadata":{}', `"metadata":${deep}`)) as unknown;
    expect(() => parseExport(data)).toThrow(/^memories\[0\]\.metadata\.deep(\.d)+: nested more than 16 levels deep$/);
  });
});
