// @vitest-environment node
/**
 * Mem0 records both ways (src/data/mem0.ts): what `getAll` returns becomes memories to import,
 * with dates, scope, categories, expiry and metadata; Engram's memories go out in that shape and
 * come back with their provenance; bad and hostile records are skipped or refused with where.
 */
import { readFileSync } from 'node:fs';
import SparkMD5 from 'spark-md5';
import { describe, expect, it } from 'vitest';
import type { MemoryRecord } from '../../src/core/types';
import { ImportError } from '../../src/data/import-result';
import { addManyMemoryOf } from '../../src/data/imported';
import { parseMem0, previewMem0, toMem0Records } from '../../src/data/mem0';

const fixture = (): unknown => JSON.parse(readFileSync(new URL('../fixtures/exports/mem0-getall.json', import.meta.url), 'utf8')) as unknown;

const record = (over: Partial<MemoryRecord> = {}): MemoryRecord => ({
  id: 'm1',
  label: 1,
  text: 'I live in Berlin',
  hash: 'h',
  userId: 'me',
  agentId: null,
  runId: null,
  space: null,
  site: null,
  conversationId: null,
  sourceTurnIds: [],
  saidAt: Date.UTC(2025, 0, 1),
  categories: ['location'],
  metadata: {},
  createdAt: Date.UTC(2025, 0, 2),
  updatedAt: Date.UTC(2025, 0, 2),
  expiresAt: null,
  ...over,
});

describe('Mem0 records imported', () => {
  it('reads getAll’s results: text, dates, scope, categories, expiry and metadata', () => {
    const { items, warnings } = parseMem0(fixture());
    expect(warnings).toEqual([]);
    expect(items).toEqual([
      {
        source: 'mem0',
        text: 'Is allergic to peanuts',
        at: Date.UTC(2025, 0, 5, 10),
        updatedAt: Date.UTC(2025, 0, 6, 9, 30),
        metadata: { source: 'onboarding', confidence: 0.9 },
        categories: ['health'],
        scope: { userId: 'alice' },
        where: 'file.results[0]',
        importKey: 'mem0/2d3f6e1a-7b8c-4d9e-8f01-23456789abcd',
      },
      {
        source: 'mem0',
        text: 'Loves sci-fi movies, especially Dune',
        at: Date.UTC(2025, 1, 10, 18),
        metadata: {},
        scope: { userId: 'alice', agentId: 'movie-bot' },
        where: 'file.results[1]',
        importKey: 'mem0/7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b',
      },
      {
        source: 'mem0',
        text: 'Is planning a trip to Japan in April',
        at: Date.UTC(2025, 2, 1, 12),
        metadata: {},
        expirationDate: '2025-04-30',
        scope: { userId: 'alice', runId: 'trip-planning' },
        where: 'file.results[2]',
        importKey: 'mem0/aa11bb22-cc33-4dd4-8ee5-ff6677889900',
      },
    ]);
  });

  it('reads a bare list too, and previews', () => {
    const { results } = fixture() as { results: unknown[] };
    expect(parseMem0(results).items.map((m) => m.where)).toEqual(['file[0]', 'file[1]', 'file[2]']);
    expect(previewMem0(fixture())).toMatchObject({ count: 3, warnings: [] });
  });

  it('maps a record to an addMany item stored verbatim, with its date, expiry and metadata', () => {
    const third = parseMem0(fixture()).items[2]!;
    expect(addManyMemoryOf(third)).toEqual({
      messages: [{ role: 'user', content: 'Is planning a trip to Japan in April', id: 'mem0/aa11bb22-cc33-4dd4-8ee5-ff6677889900' }],
      saidAt: Date.UTC(2025, 2, 1, 12),
      expirationDate: '2025-04-30',
      metadata: { importedFrom: 'mem0' },
    });
  });
});

describe('Engram’s memories as Mem0 records', () => {
  it('have Mem0’s shape: md5 hash, ISO dates, snake_case scope, provenance in metadata, oldest first', () => {
    const records = toMem0Records([
      record({ id: 'm2', label: 2, createdAt: Date.UTC(2025, 5, 1), updatedAt: Date.UTC(2025, 5, 2), text: 'Works at Atlas', agentId: 'coach', space: 'work/atlas', site: 'claude', conversationId: 'c9', expiresAt: Date.UTC(2025, 6, 2), metadata: { pinned: true } }),
      record(),
    ]);
    expect(records).toEqual([
      { id: 'm1', memory: 'I live in Berlin', hash: SparkMD5.hash('I live in Berlin'), metadata: { said_at: '2025-01-01T00:00:00.000Z' }, categories: ['location'], created_at: '2025-01-02T00:00:00.000Z', updated_at: '2025-01-02T00:00:00.000Z', user_id: 'me' },
      {
        id: 'm2',
        memory: 'Works at Atlas',
        hash: SparkMD5.hash('Works at Atlas'),
        metadata: { pinned: true, site: 'claude', conversation_id: 'c9', said_at: '2025-01-01T00:00:00.000Z', space: 'work/atlas', expiration_date: '2025-07-01' },
        categories: ['location'],
        created_at: '2025-06-01T00:00:00.000Z',
        updated_at: '2025-06-02T00:00:00.000Z',
        user_id: 'me',
        agent_id: 'coach',
      },
    ]);
  });

  it('come back with their text, date, provenance, space and expiry', () => {
    const [item] = parseMem0({ results: toMem0Records([record({ site: 'chatgpt', conversationId: 'c1', space: 'home', expiresAt: Date.UTC(2030, 0, 2), metadata: { pinned: true } })]) }).items;
    expect(item).toEqual({
      source: 'mem0',
      text: 'I live in Berlin',
      at: Date.UTC(2025, 0, 1),
      updatedAt: Date.UTC(2025, 0, 2),
      metadata: { pinned: true },
      categories: ['location'],
      expirationDate: '2030-01-01',
      scope: { userId: 'me' },
      site: 'chatgpt',
      conversationId: 'c1',
      space: 'home',
      where: 'file.results[0]',
      importKey: 'mem0/m1',
    });
  });
});

describe('malformed or hostile Mem0 records', () => {
  it('are refused, saying where, when the file is not Mem0 records', () => {
    expect(() => parseMem0('x')).toThrow(new ImportError('file', 'is not Mem0 records: expected a list, or an object with “results”, found a string'));
    expect(() => parseMem0({ results: 'x' })).toThrow('file: results: expected a list, found a string');
    expect(() => parseMem0({ memories: 1 })).toThrow('file: is not Mem0 records: expected a list, or an object with “results”');
    expect(() => parseMem0([1, { memory: 2 }])).toThrow(new ImportError('file[0]', 'expected a record (an object), found a number'));
  });

  it('skip a record they cannot read, and keep the first of a repeated id', () => {
    const { items, warnings } = parseMem0([
      { id: 'a', memory: 'Likes tea' },
      { id: 'a', memory: 'Likes coffee' },
      { id: 'b', memory: 12 },
      { id: 'c', memory: '🙂' },
      { id: { x: 1 }, memory: 'Bad id' },
      { memory: 'No id, still a memory', created_at: 'long ago', user_id: 'has space', categories: 'food', expiration_date: '2025-02-30' },
    ]);
    expect(items.map((m) => [m.text, m.importKey, m.at, m.scope])).toEqual([
      ['Likes tea', 'mem0/a', undefined, undefined],
      ['No id, still a memory', `mem0/${encodeURIComponent(`md5:${SparkMD5.hash('No id, still a memory')}`)}`, undefined, undefined],
    ]);
    expect(warnings).toEqual([
      'file[1]: skipped: id a appears twice; the first was kept',
      'file[2].memory: skipped: expected a string, found a number',
      'file[3].memory: skipped: is not a memory in words',
      'file[4].id: skipped: expected an id (a short string)',
      'file[5].created_at: ignored: not a date',
      'file[5].user_id: ignored: not an id',
      'file[5].categories: ignored: expected a list, found a string',
      'file[5].expiration_date: ignored: expected a date as YYYY-MM-DD',
    ]);
  });

  it('drop metadata keys that could reach a prototype, and refuse metadata nested too deep', () => {
    let deep: unknown = 'end';
    for (let i = 0; i < 50; i++) deep = { d: deep };
    const { items, warnings } = parseMem0(JSON.parse(JSON.stringify([
      { id: 'a', memory: 'Safe', metadata: JSON.parse('{"__proto__": {"polluted": 1}, "ok": 2}') as unknown },
      { id: 'b', memory: 'Deep', metadata: deep },
    ])) as unknown);
    expect(items.map((m) => [m.text, m.metadata])).toEqual([['Safe', { ok: 2 }]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(warnings).toEqual([
      'file[0].metadata.__proto__: dropped (a key that could change how other objects behave)',
      'file[1].metadata.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d.d: skipped: nested more than 16 levels deep',
    ]);
  });

  it('split a memory longer than a memory may be, with a key per part', () => {
    const long = 'I volunteer at the animal shelter on Saturdays. '.repeat(100);
    const { items, warnings } = parseMem0([{ id: 'long', memory: long }]);
    expect(items.length).toBeGreaterThan(1);
    expect(items.map((m) => m.importKey)).toEqual(items.map((_, i) => `mem0/long#${i + 1}`));
    expect(warnings).toEqual([`file[0].memory: longer than a memory may be (2000 characters): kept as ${items.length} memories`]);
  });

  it('are refused when none can be read', () => {
    expect(() => parseMem0([{ id: 'a' }, { id: 'b', memory: '' }])).toThrow(new ImportError('file[0].memory', 'expected a string, found undefined'));
  });
});
