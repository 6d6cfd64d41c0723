// @vitest-environment node
/**
 * "Your data" through the background's messages (src/background/data/register-data-handlers.ts,
 * registered by registerHandlers with its sender check): export a profile, import the file into a
 * fresh profile, and every field is the same; Mem0 records and pasted saved memories; a chat
 * history sent in batches; a malformed or hostile file is refused, saying where, and changes
 * nothing; retention and a memory's expiry; with encryption at rest on, Engram's export is
 * encrypted with the passphrase (and a fresh profile imports it with it, a wrong one or a changed
 * file changing nothing) and Mem0's is written in clear only once the user confirmed it. The real
 * engine on Dexie (fake-indexeddb).
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DexieTurnStore } from '../../src/adapters/dexie-turn-store';
import { InjectionLog } from '../../src/background/injection-log';
import { contentScriptSites, type SenderInfo } from '../../src/background/senders';
import { TurnQueue } from '../../src/background/turn-queue';
import { Lock, memorySession } from '../../src/background/lock/lock';
import { decryptExport, type EncryptedExport } from '../../src/crypto/export-file';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import { parseControl, type ControlSettings } from '../../src/core/control';
import { parseChatGptExport } from '../../src/data/chatgpt-export';
import type { EngramExport } from '../../src/data/engram-export';
import type { Mem0Export } from '../../src/data/mem0';
import { historyMessageOf, MAX_CHUNK_CHARS, type ExportReady, type HistoryImportProgress } from '../../src/messaging/data-protocol';
import type { ProtocolMap } from '../../src/messaging/protocol';
import { HashingEmbedder } from '../support/fake-embedder';
import { freshDb, testEngine } from '../support/engine';

type Listener = (message: { data: unknown; sender: SenderInfo }) => unknown;
const listeners = new Map<string, Listener>();
const written: ControlSettings[] = [];

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
vi.mock('../../src/adapters/control-storage', () => ({
  readControl: () => Promise.resolve(parseControl({})),
  writeControl: (settings: ControlSettings) => {
    written.push(settings);
    return Promise.resolve();
  },
  watchControl: () => () => undefined,
}));

const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
const SITES = contentScriptSites({ content_scripts: [{ matches: ['https://chatgpt.com/*'], js: ['content-scripts/chatgpt.js'] }] });
const options: SenderInfo = { id: EXT.id, url: 'chrome-extension://engramid/options.html' };
const chatgptTab: SenderInfo = { id: EXT.id, url: 'https://chatgpt.com/c/123', tab: { id: 7 }, frameId: 0 };
const T0 = Date.UTC(2026, 2, 1, 12);
const DAY = 86_400_000;
const CONTROL = parseControl({ mode: 'automatic', sites: { claude: 'review' }, askBeforeRemembering: false, onboarded: true, injection: { topK: 7 } });

const read = (path: string): string => readFileSync(new URL(`../fixtures/exports/${path}`, import.meta.url), 'utf8');

/** Low for speed here (a real file has 600,000: encryption-export.test.ts). */
const FAST = { iterations: 1000, minIterations: 1000 };

/** A profile (engine, queue, log, and with `lock` encryption at rest, off until turned on) with the background's handlers registered for it. */
async function profile(control: ControlSettings = parseControl({}), { lock: withLock = false }: { lock?: boolean } = {}) {
  listeners.clear();
  let clock = T0;
  const db = freshDb();
  // As the extension wires it: the lock's middleware is on the database before it opens.
  const lock = withLock ? new Lock({ db, session: memorySession(), ...FAST }) : undefined;
  const engine = testEngine({ db, embedder: new HashingEmbedder(), hnsw: null, now: () => (clock += 1000) });
  const log = new InjectionLog(engine.db);
  const queue = new TurnQueue(new DexieTurnStore(engine.db), engine.memory, { schedule: () => undefined });
  const { registerHandlers } = await import('../../src/background/register-handlers');
  registerHandlers({ ...engine, lock, ready: Promise.resolve(), queue, log, control: () => Promise.resolve(control) } as never, { extension: EXT, sites: SITES });
  const call = <K extends keyof ProtocolMap>(type: K, data?: unknown, sender: SenderInfo = options) =>
    Promise.resolve().then(() => listeners.get(type)!({ data, sender })) as Promise<ReturnType<ProtocolMap[K]>>;
  return { ...engine, lock, log, queue, call };
}

type Profile = Awaited<ReturnType<typeof profile>>;

/** A prepared export, and the file the options page would download: every piece of it. */
async function prepare(p: Profile, request: Record<string, unknown>): Promise<{ ready: ExportReady; text: string }> {
  const ready = await p.call('exportData', request);
  let text = '';
  for (let index = 0; index < ready.chunks; index++) text += await p.call('exportChunk', { exportId: ready.exportId, index });
  return { ready, text };
}

async function download(p: Profile, format: 'engram' | 'mem0'): Promise<string> {
  return (await prepare(p, { format })).text;
}

/** Send a file's text as the options page does: in chunks, then the import names the upload. */
async function upload(p: Profile, text: string, uploadId = 'u1'): Promise<{ uploadId: string }> {
  for (let i = 0, index = 0; i < Math.max(text.length, 1); i += MAX_CHUNK_CHARS, index++) await p.call('uploadChunk', { uploadId, index, text: text.slice(i, i + MAX_CHUNK_CHARS) });
  return { uploadId };
}

/** A profile with every kind of thing a user's profile holds. */
async function filled(options: { lock?: boolean } = {}): Promise<Profile> {
  const p = await profile(CONTROL, options);
  const me = { userId: 'me' };
  const [berlin] = (await p.memory.add('I live in Berlin', { ...me, site: 'chatgpt', conversationId: 'c1', saidAt: T0 - 30 * DAY })).results;
  await p.memory.add('My dog is called Max', { ...me, site: 'claude', conversationId: 'c2', saidAt: T0 - 20 * DAY, space: 'home/pets', metadata: { pinned: true } });
  await p.memory.add('I work on the Atlas project', { ...me, space: 'work/atlas', saidAt: T0 - 10 * DAY, expirationDate: '2027-01-31' });
  const [cat] = (await p.memory.add('I have a cat called Luna', { ...me, saidAt: T0 - 5 * DAY })).results;
  await p.memory.add('I moved to Amsterdam', { ...me, site: 'chatgpt', conversationId: 'c3', saidAt: T0 - 2 * DAY });
  await p.memory.update(cat!.id, 'I have a cat called Luna and a hamster');
  await p.memory.noteUse([berlin!.id]);
  await p.log.record({ at: T0 - DAY, site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id: berlin!.id, text: 'I live in Berlin' }] });
  await p.call('setRetention', { unusedDays: 180 });
  await p.call('createSpace', 'reading');
  return p;
}

const withoutIds = <T extends { id?: number }>(rows: readonly T[]): Omit<T, 'id'>[] => rows.map(({ id: _id, ...rest }) => rest);
const unlabelled = (e: EngramExport) => e.memories.map(({ label: _label, ...m }) => m);

beforeEach(() => {
  written.length = 0;
});

describe('export, then import into a fresh profile, through the messages', () => {
  it('loses nothing: every field of every memory, the history, spaces, settings and the injection log', async () => {
    const source = await filled();
    const file = await download(source, 'engram');
    const first = JSON.parse(file) as EngramExport;
    expect(first.memories).toHaveLength(4); // Berlin became Amsterdam (an update, in history)
    expect(first.settings).toEqual({ retention: { unusedDays: 180 }, control: CONTROL });
    expect(file).not.toMatch(/"vector"|"jobs"/);

    const target = await profile();
    const restored = await target.call('importEngramExport', { file: await upload(target, file), name: 'engram-export.json', applySettings: true });
    expect(restored).toEqual({ memories: 4, skipped: 0, history: first.history.length, injections: 1, spaces: first.spaces.length, settings: ['control', 'retention'], warnings: [] });
    expect(written).toEqual([CONTROL]);
    expect(await target.call('getRetention')).toEqual({ unusedDays: 180 });

    const second = JSON.parse(await download(target, 'engram')) as EngramExport;
    expect(unlabelled(second)).toEqual(unlabelled(first));
    expect(withoutIds(second.history)).toEqual(withoutIds(first.history));
    expect(withoutIds(second.injections)).toEqual(withoutIds(first.injections));
    expect(second.spaces).toEqual(first.spaces);
    expect(second.spaces).toContain('reading');
    expect(second.settings).toEqual({ retention: { unusedDays: 180 }, control: parseControl({}) });
    // Recalled again, with vectors the engine computed.
    expect(await target.db.vectors.count()).toBe(4);
    const found = await target.memory.search('where do I live', { filters: { user_id: 'me' }, threshold: 0 });
    expect(found.results.map((r) => r.memory)).toContain('I moved to Amsterdam');

    // The same file again adds nothing; without "apply settings", none is written.
    const again = await target.call('importEngramExport', { file: { text: file }, applySettings: false });
    expect(again).toMatchObject({ memories: 0, skipped: 4, history: 0, injections: 0, settings: [] });
    expect(written).toHaveLength(1);
  });

  it('as Mem0 records, moves every memory with its dates, provenance and space', async () => {
    const source = await filled();
    const file = await download(source, 'mem0');
    const records = (JSON.parse(file) as Mem0Export).results;
    expect(records.map((r) => r.memory).sort()).toEqual(['I have a cat called Luna and a hamster', 'I moved to Amsterdam', 'I work on the Atlas project', 'My dog is called Max']);

    const target = await profile();
    expect(await target.call('importMemories', { kind: 'mem0', file: { text: file }, name: 'mem0.json' })).toEqual({ read: 4, added: 4, skipped: 0, warnings: [] });
    const byText = new Map((await target.db.memories.toArray()).map((m) => [m.text, m]));
    const sourceByText = new Map((await source.db.memories.toArray()).map((m) => [m.text, m]));
    for (const [text, m] of sourceByText) {
      expect(byText.get(text), text).toMatchObject({ saidAt: m.saidAt, site: m.site, conversationId: m.conversationId, space: m.space, expiresAt: m.expiresAt, userId: 'me' });
    }
    expect(await target.call('importMemories', { kind: 'mem0', file: { text: file } })).toMatchObject({ read: 4, added: 0, skipped: 4 });
  });
});

describe('with encryption at rest on', () => {
  const PASS = 'correct horse battery';

  it('exports Engram’s file encrypted with the passphrase, and a fresh profile imports it with it and loses nothing', async () => {
    const source = await filled({ lock: true });
    await source.call('enableEncryption', { passphrase: PASS });
    await source.lock!.settle();
    // No passphrase, or not Engram's: refused before anything is read.
    await expect(source.call('exportData', { format: 'engram' })).rejects.toThrow(/encryption is on, so the export is encrypted with your passphrase/);
    await expect(source.call('exportData', { format: 'engram', passphrase: 'not my passphrase' })).rejects.toThrow(/does not unlock Engram/);
    const { ready, text } = await prepare(source, { format: 'engram', passphrase: PASS });
    expect(ready).toMatchObject({ memories: 4, encrypted: true, fileName: expect.stringMatching(/^engram-export-\d{4}-\d{2}-\d{2}\.encrypted\.json$/) as unknown });
    const file = JSON.parse(text) as EncryptedExport;
    expect(file).toMatchObject({ format: 'engram-export-encrypted', v: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: FAST.iterations }, cipher: { name: 'AES-GCM' } });
    for (const clear of ['Amsterdam', 'Luna', 'home/pets', 'reading', 'memories']) expect(text).not.toContain(clear);
    // A fresh salt per file.
    const again = JSON.parse((await prepare(source, { format: 'engram', passphrase: PASS })).text) as EncryptedExport;
    expect(again.kdf.salt).not.toBe(file.kdf.salt);
    // Locked, nothing is exported, whatever the passphrase.
    await source.call('lock');
    await expect(source.call('exportData', { format: 'engram', passphrase: PASS })).rejects.toThrow(/Engram is locked/);

    // A fresh profile (encryption off): the file needs its passphrase; a wrong one, a changed
    // file, or none, and nothing is written.
    const target = await profile(parseControl({}), { lock: true });
    const tampered = JSON.stringify({ ...file, data: toBase64(fromBase64(file.data).map((b, i) => (i === 40 ? b ^ 1 : b))) });
    const refused: [unknown, RegExp][] = [
      [{ file: { text }, name: ready.fileName }, /^engram-export-.*\.encrypted\.json: is encrypted: enter the passphrase it was saved with/],
      [{ file: { text }, passphrase: 'not my passphrase' }, /^That passphrase does not open this file\. Nothing was imported\.$/],
      [{ file: { text: tampered }, passphrase: PASS }, /changed or damaged after Engram saved it/],
      [{ file: { text: JSON.stringify({ ...file, v: 9 }) }, passphrase: PASS }, /^v: this encrypted export is from a newer Engram/],
    ];
    for (const [request, error] of refused) await expect(target.call('importEngramExport', { applySettings: true, ...(request as object) })).rejects.toThrow(error);
    expect([await target.db.memories.count(), await target.db.history.count(), await target.db.injections.count()]).toEqual([0, 0, 0]);
    expect(written).toEqual([]);

    const restored = await target.call('importEngramExport', { file: await upload(target, text), name: ready.fileName, applySettings: true, passphrase: PASS });
    expect(restored).toMatchObject({ memories: 4, skipped: 0, injections: 1, settings: ['control', 'retention'], warnings: [] });
    // Every field, as a clear export of the source would have held it.
    const first = JSON.parse(await decryptExport(file, PASS, FAST)) as EngramExport;
    const second = JSON.parse(await download(target, 'engram')) as EngramExport;
    expect(unlabelled(second)).toEqual(unlabelled(first));
    expect(withoutIds(second.history)).toEqual(withoutIds(first.history));
    expect(withoutIds(second.injections)).toEqual(withoutIds(first.injections));
    expect(second.spaces).toEqual(first.spaces);
    expect(second.spaces).toEqual(expect.arrayContaining(['reading', 'home/pets', 'work/atlas']));
    expect(await target.call('getRetention')).toEqual({ unusedDays: 180 });
  });

  it('writes Mem0’s records, never encrypted, only once the user confirmed it; with encryption off, as before', async () => {
    const source = await filled({ lock: true });
    const before = await prepare(source, { format: 'engram' });
    expect(before.ready.encrypted).toBe(false);
    expect(before.text).toContain('Amsterdam');
    await source.call('enableEncryption', { passphrase: PASS });
    await source.lock!.settle();
    await expect(source.call('exportData', { format: 'mem0' })).rejects.toThrow(/confirm that this file will not be encrypted/);
    const { ready, text } = await prepare(source, { format: 'mem0', unencrypted: true });
    expect(ready.encrypted).toBe(false);
    expect((JSON.parse(text) as Mem0Export).results.map((r) => r.memory)).toContain('I moved to Amsterdam');
    // Turned off again: exports are in clear, and need neither.
    await source.call('disableEncryption', { passphrase: PASS });
    await source.lock!.settle();
    expect((await prepare(source, { format: 'engram' })).ready.encrypted).toBe(false);
    expect((await prepare(source, { format: 'mem0' })).text).toContain('Amsterdam');
  });
});

describe('imports through the messages', () => {
  it('adds pasted saved memories with their dates, once', async () => {
    const p = await profile();
    const text = read('claude-memories.txt');
    const first = await p.call('importMemories', { kind: 'saved-memories', file: { text } });
    expect(first.added).toBeGreaterThan(2);
    expect(first.added).toBe(first.read);
    const nurse = (await p.db.memories.toArray()).find((m) => m.text === 'Works as a nurse at Hospital de Santa Maria in Lisbon');
    expect(nurse).toMatchObject({ saidAt: Date.UTC(2025, 2, 14), metadata: { importedFrom: 'saved-memories' } });
    expect(await p.call('importMemories', { kind: 'saved-memories', file: { text } })).toMatchObject({ added: 0, skipped: first.read });
  });

  it('imports a chat history sent in batches, with progress, once', async () => {
    const p = await profile();
    const messages = parseChatGptExport(JSON.parse(read('chatgpt/conversations.json'))).items.map(historyMessageOf);
    const send = async () => {
      const { runId } = await p.call('importHistoryStart', { source: 'chatgpt', label: 'conversations.json', conversations: 2, messages: messages.length });
      const batch = await p.call('importHistoryBatch', { runId, messages });
      await p.call('importHistoryFinish', { runId });
      return batch;
    };
    expect(await send()).toEqual({ accepted: 4, duplicates: 0 });
    await expect.poll(async () => (await p.call('importHistoryProgress'))?.state).toBe('done');
    const progress = (await p.call('importHistoryProgress')) as HistoryImportProgress;
    expect(progress).toMatchObject({ total: 4, done: 4, failed: 0 });
    expect(progress.added).toBeGreaterThan(2);
    const count = await p.db.memories.count();
    expect(await send()).toEqual({ accepted: 0, duplicates: 4 });
    expect(await p.db.memories.count()).toBe(count);
    // Forget everything forgets the imported messages too: the file can be imported again.
    await p.call('forgetEverything');
    expect(await p.call('importHistoryProgress')).toBeNull();
    expect(await send()).toEqual({ accepted: 4, duplicates: 0 });
  });

  it('refuses a malformed or hostile file, saying where, and changes nothing', async () => {
    const p = await profile();
    const broken: [keyof ProtocolMap, unknown, RegExp][] = [
      ['importEngramExport', { file: { text: '{"format":"engram-export","version":1,' }, name: 'broken.json' }, /^broken\.json: is not valid JSON/],
      ['importEngramExport', { file: { text: JSON.stringify({ format: 'engram-export', version: 1, exportedAt: new Date(T0).toISOString(), memories: [{ id: 'm1', text: 42 }], history: [], spaces: [], settings: {}, injections: [] }) } }, /memories\[0\]/],
      ['importEngramExport', { file: { text: JSON.stringify({ format: 'mem0' }) } }, /^format: expected “engram-export”/],
      ['importEngramExport', { file: { text: `${'['.repeat(200_000)}${']'.repeat(200_000)}` }, name: 'deep.json' }, /^deep\.json: /],
      ['importMemories', { kind: 'mem0', file: { text: '{"results": "none"}' }, name: 'mem0.json' }, /^mem0\.json: results: expected a list/],
      ['importMemories', { kind: 'mem0', file: { text: JSON.stringify([{ id: 'a', memory: 7 }]) }, name: 'm.json' }, /^m\.json\[0\]\.memory: expected a string/],
      ['importMemories', { kind: 'saved-memories', file: { text: 'x\n'.repeat(60_000) } }, /^pasted text: has 60001 lines/],
      ['importMemories', { kind: 'other', file: { text: '[]' } }, /malformed importMemories/],
      ['importMemories', { kind: 'mem0', file: { text: 'x'.repeat(MAX_CHUNK_CHARS + 1) } }, /upload it in chunks/],
      ['importMemories', { kind: 'mem0', file: { uploadId: 'never-sent' } }, /was not received/],
      ['uploadChunk', { uploadId: 'u', index: 0, text: 'x'.repeat(MAX_CHUNK_CHARS + 1) }, /at most/],
      ['uploadChunk', { uploadId: 'u', index: 3, text: '{}' }, /out of order/],
      ['uploadChunk', { uploadId: 7, index: 0, text: '{}' }, /malformed uploadChunk/],
      ['exportChunk', { exportId: 'nope', index: 0 }, /no longer ready/],
      ['exportData', { format: 'csv' }, /malformed exportData/],
      ['setRetention', { unusedDays: -1 }, /whole number of days/],
      ['setExpiry', { id: 'm1', expiresAt: 'soon' }, /malformed setExpiry/],
    ];
    for (const [type, data, error] of broken) await expect(p.call(type, data), `${type} ${JSON.stringify(data).slice(0, 60)}`).rejects.toThrow(error);
    expect([await p.db.memories.count(), await p.db.history.count(), await p.db.injections.count(), await p.db.imports.count()]).toEqual([0, 0, 0, 0]);
    expect(await p.call('getRetention')).toEqual({ unusedDays: null });
  });

  it('answers none of its messages to a chat page', async () => {
    const p = await profile();
    for (const type of ['exportData', 'importMemories', 'importHistoryBatch', 'setRetention', 'setExpiry'] as const) {
      await expect(p.call(type, {}, chatgptTab), type).rejects.toThrow(/not answered for this sender/);
    }
  });
});

describe('a memory’s expiry, through the messages', () => {
  it('is set to a date, to the end of its conversation, or taken back', async () => {
    const p = await profile();
    const [added] = (await p.memory.add('I am in Tokyo this week', { userId: 'me', infer: false, site: 'chatgpt', conversationId: 'trip' })).results;
    const id = added!.id;
    expect(await p.call('setExpiry', { id, expiresAt: T0 + 7 * DAY })).toMatchObject({ id, expiresAt: T0 + 7 * DAY });
    const ends = await p.call('setExpiry', { id, untilConversationEnds: true });
    expect(ends.expiresAt).toBeGreaterThan(T0);
    expect(await p.call('setExpiry', { id, expiresAt: null })).toMatchObject({ id, expiresAt: null });
    expect((await p.db.memories.get(id))?.metadata).toEqual({});
  });
});
