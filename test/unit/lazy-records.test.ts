// @vitest-environment node
/** The recall image's memories, parsed as looked up (engine/lazy-records.ts): a Map to everyone else. */
import { describe, expect, it } from 'vitest';
import { LazyRecords } from '../../src/engine/lazy-records';
import type { MemoryRecord } from '../../src/core/types';

const record = (label: number, text: string): MemoryRecord => ({
  id: `id-${label}`,
  label,
  text,
  hash: `h${label}`,
  userId: 'me',
  agentId: null,
  runId: null,
  space: null,
  site: null,
  conversationId: null,
  sourceTurnIds: [],
  saidAt: 1,
  categories: [],
  metadata: {},
  createdAt: 1,
  updatedAt: 1,
  expiresAt: null,
});

function lazy(n: number, corrupt: (error: Error) => void = () => undefined) {
  const records = Array.from({ length: n }, (_, i) => record(i + 1, `memory ${i + 1}`));
  return new LazyRecords(records.map((r) => r.label), records.map((r) => JSON.stringify(r)), corrupt);
}

describe('LazyRecords', () => {
  it('parses only what is looked up, and keeps the order when everything is walked', () => {
    const map = lazy(1000);
    expect(map.size).toBe(1000);
    expect(map.get(500)?.text).toBe('memory 500');
    expect(map.has(999)).toBe(true);
    expect(map.get(5000)).toBeUndefined();
    expect(map.unparsed).toBe(999);
    map.set(2000, record(2000, 'added later'));
    map.set(3, record(3, 'rewritten'));
    map.delete(4);
    expect([...map.values()].map((m) => m.text).slice(0, 4)).toEqual(['memory 1', 'memory 2', 'rewritten', 'memory 5']);
    expect([...map.keys()].at(-1)).toBe(2000);
    expect(map.size).toBe(1000);
    expect(map.unparsed).toBe(0);
    expect([...map.entries()].every(([label, m]) => label === m.label)).toBe(true);
  });

  it('reports a record that does not parse, and treats it as missing', () => {
    const errors: Error[] = [];
    const good = record(1, 'fine');
    const map = new LazyRecords([1, 2, 3], [JSON.stringify(good), '{"id": 2, "label": 2', JSON.stringify(record(7, 'wrong label'))], (e) => errors.push(e));
    expect(map.get(1)?.text).toBe('fine');
    expect(map.get(2)).toBeUndefined();
    expect(map.get(3)).toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/label 2 is malformed/), expect.stringMatching(/label 3 is malformed/)]);
    expect([...map.keys()]).toEqual([1]);
  });

  it('refuses labels and records that do not pair up', () => {
    expect(() => new LazyRecords([1, 2], ['{}'], () => undefined)).toThrow(/2 labels for 1 records/);
    expect(() => new LazyRecords([1.5], ['{}'], () => undefined)).toThrow(/malformed record 0/);
  });
});
