import { describe, expect, it } from 'vitest';
import { memoryRecord } from '../support/records';
import type { MemoryRecord } from '../../src/core/types';
import { compileFilter, inSpace, matchesFilter, normalizeSpace, validateFilter, type MemoryFilter } from '../../src/engine/filters';

const JULY = Date.parse('2024-07-01');
const DAY = 86_400_000;

const rec = (id: string, over: Partial<MemoryRecord> = {}): MemoryRecord =>
  memoryRecord(`memory ${id}`, { id, hash: id, saidAt: JULY, createdAt: JULY, updatedAt: JULY, ...over });

const ALL: MemoryRecord[] = [
  rec('berlin', {
    text: 'I live in Berlin',
    userId: 'alice',
    space: 'personal',
    site: 'chatgpt',
    conversationId: 'c1',
    categories: ['personal_details'],
    metadata: { priority: 3, status: 'open', tags: ['home', 'Urgent'], pinned: true, due: '2024-07-10' },
    createdAt: JULY - 10 * DAY,
    updatedAt: JULY - 10 * DAY,
    saidAt: JULY - 10 * DAY,
  }),
  rec('atlas', {
    text: 'The Atlas launch is on Friday',
    userId: 'alice',
    agentId: 'claude',
    space: 'work/atlas',
    site: 'claude',
    categories: ['work', 'plans'],
    metadata: { priority: 5, status: 'done', project: { name: 'atlas' } },
    createdAt: JULY + 5 * DAY,
    updatedAt: JULY + 6 * DAY,
    saidAt: JULY + 5 * DAY,
  }),
  rec('peanuts', {
    text: 'I am allergic to PEANUTS',
    userId: 'bob',
    runId: 'chat-42',
    space: 'work',
    categories: ['health'],
    metadata: { priority: 1, status: null, tags: ['health'] },
    createdAt: JULY + 20 * DAY,
    updatedAt: JULY + 20 * DAY,
    saidAt: JULY + 20 * DAY,
    expiresAt: JULY + 21 * DAY,
  }),
  rec('plain', { text: 'I prefer concise answers', userId: 'bob', createdAt: JULY + 30 * DAY, updatedAt: JULY + 30 * DAY }),
];

/** Ids of the memories the filter keeps. */
const ids = (f: MemoryFilter | undefined): string[] => ALL.filter((m) => matchesFilter(m, f)).map((m) => m.id);
/** The error message a bad filter throws (from validateFilter and from matchesFilter alike). */
const problem = (f: unknown): string => {
  expect(() => matchesFilter(ALL[0]!, f as MemoryFilter)).toThrow(TypeError);
  try {
    validateFilter(f);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected validateFilter to throw');
};

describe('filters: existing semantics', () => {
  it('matches everything without a filter, and with an empty one', () => {
    expect(ids(undefined)).toHaveLength(4);
    expect(ids({})).toHaveLength(4);
    expect(ids({ AND: [] })).toHaveLength(4);
  });

  it('scope ids, with null for "none"', () => {
    expect(ids({ userId: 'alice' })).toEqual(['berlin', 'atlas']);
    expect(ids({ agentId: 'claude' })).toEqual(['atlas']);
    expect(ids({ agentId: null })).toEqual(['berlin', 'peanuts', 'plain']);
    expect(ids({ runId: 'chat-42' })).toEqual(['peanuts']);
    expect(ids({ site: 'claude', conversationId: undefined })).toEqual(['atlas']);
    expect(ids({ conversationId: 'c1' })).toEqual(['berlin']);
  });

  it('space holds its subtree, and null means no space', () => {
    expect(ids({ space: 'work' })).toEqual(['atlas', 'peanuts']);
    expect(ids({ space: ' work / atlas ' })).toEqual(['atlas']);
    expect(ids({ space: 'wor' })).toEqual([]);
    expect(ids({ space: null })).toEqual(['plain']);
    expect(inSpace('work/atlas', 'work')).toBe(true);
    expect(normalizeSpace('/a//b/')).toBe('a/b');
    expect(() => normalizeSpace('x'.repeat(65))).toThrow(/longer than 64/);
  });

  it('category, ranges, metadata equality and metadata in', () => {
    expect(ids({ category: 'health' })).toEqual(['peanuts']);
    expect(ids({ createdAt: { gte: JULY, lte: JULY + 20 * DAY } })).toEqual(['atlas', 'peanuts']);
    expect(ids({ updatedAt: { gte: JULY + 6 * DAY } })).toEqual(['atlas', 'peanuts', 'plain']);
    expect(ids({ saidAt: { lte: JULY } })).toEqual(['berlin', 'plain']);
    expect(ids({ createdAt: {} })).toHaveLength(4);
    expect(ids({ metadata: { pinned: true } })).toEqual(['berlin']);
    expect(ids({ metadata: { priority: { in: [1, 3] } } })).toEqual(['berlin', 'peanuts']);
    expect(ids({ metadata: { tags: ['home', 'Urgent'] } })).toEqual(['berlin']);
    expect(ids({ metadata: { status: null } })).toEqual(['peanuts']);
  });

  it('AND, OR and NOT (a filter or a list), nested', () => {
    expect(ids({ OR: [{ agentId: 'claude' }, { runId: 'chat-42' }] })).toEqual(['atlas', 'peanuts']);
    expect(ids({ NOT: { userId: 'alice' } })).toEqual(['peanuts', 'plain']);
    expect(ids({ NOT: [{ userId: 'alice' }, { space: 'work' }] })).toEqual(['plain']);
    expect(ids({ AND: [{ space: 'work' }, { NOT: { metadata: { status: 'done' } } }] })).toEqual(['peanuts']);
    expect(ids({ userId: 'bob', OR: [{ AND: [{ category: 'health' }, { NOT: [{ runId: null }] }] }, { memory: { contains: 'concise' } }] })).toEqual([
      'peanuts',
      'plain',
    ]);
    expect(ids({ $or: [{ user_id: 'alice' }], $not: [{ space: 'work' }], $and: [{ site: 'chatgpt' }] })).toEqual(['berlin']);
  });
});

describe('filters: operators', () => {
  it('eq and ne, on text, dates, categories and metadata; a missing value is "not equal"', () => {
    expect(ids({ userId: { eq: 'bob' } })).toEqual(['peanuts', 'plain']);
    expect(ids({ userId: { ne: 'bob' } })).toEqual(['berlin', 'atlas']);
    expect(ids({ agentId: { ne: null } })).toEqual(['atlas']);
    expect(ids({ space: { ne: 'work' } })).toEqual(['berlin', 'plain']);
    expect(ids({ createdAt: { eq: '2024-07-21' } })).toEqual(['peanuts']);
    expect(ids({ createdAt: { ne: JULY + 20 * DAY } })).toEqual(['berlin', 'atlas', 'plain']);
    expect(ids({ expiresAt: null })).toEqual(['berlin', 'atlas', 'plain']);
    expect(ids({ expiresAt: { ne: null } })).toEqual(['peanuts']);
    expect(ids({ categories: { eq: 'work' } })).toEqual(['atlas']);
    expect(ids({ categories: { ne: 'work' } })).toEqual(['berlin', 'peanuts', 'plain']);
    expect(ids({ metadata: { status: { eq: 'open' } } })).toEqual(['berlin']);
    expect(ids({ metadata: { status: { ne: 'open' } } })).toEqual(['atlas', 'peanuts', 'plain']);
    expect(ids({ metadata: { project: { eq: { name: 'atlas' } } } })).toEqual(['atlas']);
  });

  it('gt, gte, lt, lte on dates (ms, ISO strings, Dates) and on metadata numbers, strings and dates', () => {
    expect(ids({ createdAt: { gt: JULY } })).toEqual(['atlas', 'peanuts', 'plain']);
    expect(ids({ created_at: { gte: '2024-07-01', lt: '2024-07-21' } })).toEqual(['atlas']);
    expect(ids({ updated_at: { lte: new Date(JULY + 6 * DAY) } })).toEqual(['berlin', 'atlas']);
    expect(ids({ saidAt: { lt: '2024-06-30T00:00:00Z' } })).toEqual(['berlin']);
    expect(ids({ expiresAt: { gt: JULY } })).toEqual(['peanuts']);
    expect(ids({ metadata: { priority: { gt: 1, lte: 5 } } })).toEqual(['berlin', 'atlas']);
    expect(ids({ priority: { gte: 3 } })).toEqual(['berlin', 'atlas']);
    expect(ids({ priority: { lt: 3 } })).toEqual(['peanuts']);
    expect(ids({ status: { gt: 'done' } })).toEqual(['berlin']);
    expect(ids({ due: { lte: new Date('2024-07-31') } })).toEqual(['berlin']);
    expect(ids({ due: { gt: '2024-07-09' } })).toEqual(['berlin']);
    expect(ids({ priority: { gt: '0' } })).toEqual([]);
  });

  it('in and nin, with list shorthand', () => {
    expect(ids({ userId: { in: ['bob', 'carol'] } })).toEqual(['peanuts', 'plain']);
    expect(ids({ agentId: { nin: ['claude'] } })).toEqual(['berlin', 'peanuts', 'plain']);
    expect(ids({ run_id: ['chat-42', null] })).toEqual(['berlin', 'atlas', 'peanuts', 'plain']);
    expect(ids({ space: { in: ['personal', 'work/atlas'] } })).toEqual(['berlin', 'atlas']);
    expect(ids({ space: { nin: ['work', null] } })).toEqual(['berlin']);
    expect(ids({ site: ['claude', 'chatgpt'] })).toEqual(['berlin', 'atlas']);
    expect(ids({ categories: { in: ['health', 'plans'] } })).toEqual(['atlas', 'peanuts']);
    expect(ids({ categories: { nin: ['health', 'plans'] } })).toEqual(['berlin', 'plain']);
    expect(ids({ category: ['health'] })).toEqual(['peanuts']);
    expect(ids({ createdAt: { in: ['2024-07-21', JULY + 30 * DAY] } })).toEqual(['peanuts', 'plain']);
    expect(ids({ createdAt: { nin: [new Date(JULY + 30 * DAY)] } })).toEqual(['berlin', 'atlas', 'peanuts']);
    expect(ids({ status: { in: ['open', 'done'] } })).toEqual(['berlin', 'atlas']);
    expect(ids({ status: { nin: ['open', 'done'] } })).toEqual(['peanuts', 'plain']);
    expect(ids({ status: ['open', null] })).toEqual(['berlin', 'peanuts']);
    expect(ids({ memory: { in: ['I live in Berlin'] } })).toEqual(['berlin']);
    expect(ids({ userId: { in: [] } })).toEqual([]);
  });

  it('contains and icontains on text, space, categories, metadata strings and lists', () => {
    expect(ids({ memory: { contains: 'PEANUTS' } })).toEqual(['peanuts']);
    expect(ids({ memory: { contains: 'peanuts' } })).toEqual([]);
    expect(ids({ text: { icontains: 'peanuts' } })).toEqual(['peanuts']);
    expect(ids({ userId: { contains: 'li' } })).toEqual(['berlin', 'atlas']);
    expect(ids({ agentId: { icontains: 'CLA' } })).toEqual(['atlas']);
    expect(ids({ space: { contains: 'atl' } })).toEqual(['atlas']);
    expect(ids({ categories: { contains: 'work' } })).toEqual(['atlas']);
    expect(ids({ categories: { contains: 'wor' } })).toEqual([]);
    expect(ids({ categories: { icontains: 'HEALTH' } })).toEqual(['peanuts']);
    expect(ids({ status: { contains: 'pe' } })).toEqual(['berlin']);
    expect(ids({ status: { icontains: 'DON' } })).toEqual(['atlas']);
    expect(ids({ tags: { contains: 'health' } })).toEqual(['peanuts']);
    expect(ids({ tags: { contains: 'urgent' } })).toEqual([]);
    expect(ids({ tags: { icontains: 'urgent' } })).toEqual(['berlin']);
    expect(ids({ metadata: { priority: { contains: 3 } } })).toEqual([]);
  });

  it('* requires the field to be set (not null, not missing; categories non-empty)', () => {
    expect(ids({ agent_id: '*' })).toEqual(['atlas']);
    expect(ids({ runId: '*' })).toEqual(['peanuts']);
    expect(ids({ userId: '*' })).toHaveLength(4);
    expect(ids({ space: '*' })).toEqual(['berlin', 'atlas', 'peanuts']);
    expect(ids({ site: '*' })).toEqual(['berlin', 'atlas']);
    expect(ids({ categories: '*' })).toEqual(['berlin', 'atlas', 'peanuts']);
    expect(ids({ expiresAt: '*' })).toEqual(['peanuts']);
    expect(ids({ tags: '*' })).toEqual(['berlin', 'peanuts']);
    expect(ids({ metadata: { status: '*' } })).toEqual(['berlin', 'atlas']);
    expect(ids({ NOT: { tags: '*' } })).toEqual(['atlas', 'plain']);
  });

  it('unknown top-level keys are metadata keys; prototype names are not inherited', () => {
    expect(ids({ pinned: true })).toEqual(['berlin']);
    expect(ids({ constructor: '*' })).toEqual([]);
    expect(ids({ metadata: { toString: { ne: 1 } } })).toHaveLength(4);
  });

  it('snake_case aliases mean the camelCase fields', () => {
    const mem0: MemoryFilter = { user_id: 'alice', agent_id: { ne: 'claude' }, run_id: null, created_at: { lt: '2024-07-01' }, updated_at: { gte: 0 } };
    expect(ids(mem0)).toEqual(['berlin']);
    expect(ids({ AND: [{ user_id: 'bob' }, { OR: [{ run_id: '*' }, { categories: { in: ['health'] } }] }] })).toEqual(['peanuts']);
  });
});

describe('filters: errors name the path and the operator', () => {
  it.each<[unknown, RegExp]>([
    [null, /^Engram: filters: a filter must be an object, got null/],
    [[{ userId: 'me' }], /^Engram: filters: a filter must be an object/],
    [{ userId: { equals: 'me' } }, /^Engram: filters.userId: unknown operator "equals"/],
    [{ metadata: { project: { name: 'atlas' } } }, /^Engram: filters.metadata.project: unknown operator "name".*\{ eq: \{\.\.\.\} \}/],
    [{ priority: { $gt: 1 } }, /^Engram: filters.priority: unknown operator "\$gt"/],
    [{ userId: { in: 'me' } }, /^Engram: filters.userId.in: needs a list, got "me"/],
    [{ metadata: { p: { nin: 3 } } }, /^Engram: filters.metadata.p.nin: needs a list/],
    [{ userId: { in: ['me', 3] } }, /^Engram: filters.userId.in\[1\]: needs a string or null, got 3/],
    [{ userId: 42 }, /^Engram: filters.userId: needs a string or null, got 42/],
    [{ createdAt: { gt: true } }, /^Engram: filters.createdAt.gt: needs a date: ms since epoch, an ISO date string or a Date, got true/],
    [{ created_at: { gte: 'last week' } }, /^Engram: filters.created_at.gte: needs a date/],
    [{ saidAt: { lte: new Date('nope') } }, /^Engram: filters.saidAt.lte: needs a date/],
    [{ updatedAt: { in: [JULY, 'x'] } }, /^Engram: filters.updatedAt.in\[1\]: needs a date/],
    [{ createdAt: { contains: '2024' } }, /^Engram: filters.createdAt.contains: contains applies to text, categories and metadata, not to a date/],
    [{ userId: { gt: 'a' } }, /^Engram: filters.userId.gt: gt applies to numbers and dates .* not to text/],
    [{ categories: { lte: 'a' } }, /^Engram: filters.categories.lte: lte applies to numbers and dates .* not to categories/],
    [{ priority: { gt: [1] } }, /^Engram: filters.priority.gt: needs a number, a string or a Date, got \[1\]/],
    [{ priority: { gt: NaN } }, /^Engram: filters.priority.gt: needs a number, a string or a Date/],
    [{ memory: { contains: 3 } }, /^Engram: filters.memory.contains: needs a string, got 3/],
    [{ tags: { icontains: null } }, /^Engram: filters.tags.icontains: needs a string, got null/],
    [{ space: { in: ['work', 'x'.repeat(65)] } }, /^Engram: filters.space.in: Invalid space "x+": a part is longer than 64 characters/],
    [{ category: null }, /^Engram: filters.category: needs a string, got null/],
    [{ metadata: { due: { eq: new Date(JULY) } } }, /^Engram: filters.metadata.due.eq: needs a JSON value/],
    [{ metadata: 'pinned' }, /^Engram: filters.metadata: needs an object of metadata keys, got "pinned"/],
    [{ OR: [] }, /^Engram: filters.OR: needs at least one filter/],
    [{ NOT: [] }, /^Engram: filters.NOT: needs at least one filter/],
    [{ AND: { userId: 'me' } }, /^Engram: filters.AND: needs a list/],
    [{ OR: [{ userId: 'me' }, 'bob'] }, /^Engram: filters.OR\[1\]: a filter must be an object, got "bob"/],
    [{ AND: [{ NOT: [{ metadata: { p: { in: 1 } } }] }] }, /^Engram: filters.AND\[0\].NOT\[0\].metadata.p.in: needs a list, got 1/],
    [{ $or: [{ run_id: { gte: 1 } }] }, /^Engram: filters.\$or\[0\].run_id.gte: gte applies/],
  ])('%j', (filter, message) => {
    expect(problem(filter)).toMatch(message);
  });

  it('validates up front, even where no memory would reach the bad part', () => {
    expect(() => validateFilter({ OR: [{ userId: 'me' }, { createdAt: { gt: 'soon' } }] })).toThrow(/filters.OR\[1\].createdAt.gt/);
    expect(validateFilter(undefined)).toBeUndefined();
    const ok: MemoryFilter = { userId: 'me' };
    expect(validateFilter(ok)).toBe(ok);
  });

  it('compiles a filter once and reuses the test', () => {
    const f: MemoryFilter = { priority: { gte: 3 } };
    expect(compileFilter(f)).toBe(compileFilter(f));
    expect(ALL.filter(compileFilter(f)).map((m) => m.id)).toEqual(['berlin', 'atlas']);
  });
});
