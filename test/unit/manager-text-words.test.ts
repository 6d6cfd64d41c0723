// @vitest-environment node
/**
 * The words of the manager's texts (manager/texts.ts): which listed memories name every word of a
 * search is looked up, not scanned for. Whatever was written since the texts were read (edits,
 * forgets, memories added, the same memory written many times over), the answer is exactly what a
 * pass over every text finds: whole words only, never a word a memory no longer holds.
 */
import { describe, expect, it } from 'vitest';
import { MemoryTexts } from '../../src/background/manager/texts';
import { mentionCount, searchWords } from '../../src/core/search-words';
import type { MemoryRecord } from '../../src/core/types';

/** Just what the texts read of a record: its id and text (and the listed test below). */
const record = (id: string, text: string, userId = 'me'): MemoryRecord => ({ id, text, userId }) as unknown as MemoryRecord;
const listed = (m: MemoryRecord): boolean => m.userId === 'me';

/** An in-memory store's listAfter: records in id order. */
function storeOf(records: MemoryRecord[]) {
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    listAfter: (after: string | null, limit: number) => Promise.resolve(sorted.filter((m) => after === null || m.id > after).slice(0, limit)),
  };
}

/** What a pass over every text held finds (the reference). */
function scanned(texts: ReadonlyMap<string, string>, query: string): string[] {
  const words = searchWords(query);
  if (words.length === 0) return [];
  return [...texts].filter(([, text]) => mentionCount(text, words) === words.length).map(([id]) => id).sort();
}

const PEOPLE = ['Priya', 'Tom', 'Ana', 'Max', "Max's", 'Zoë'];
const PLACES = ['Berlin', 'Lisbon', 'Porto', 'Oslo', 'Kyoto', 'São Paulo'];

function textOf(i: number): string {
  const who = PEOPLE[i % PEOPLE.length]!;
  const where = PLACES[(i * 7) % PLACES.length]!;
  return i % 4 === 0 ? `My friend ${who} lives in ${where}` : i % 4 === 1 ? `I flew to ${where} with ${who} in ${2000 + (i % 30)}` : i % 4 === 2 ? `${who} cooks ramen in ${where}` : `Lisboners and Berliners: ${who}`;
}

const QUERIES = ['Berlin', 'lisbon', 'Priya Lisbon', 'Max', "max's", 'zoë', 'são paulo', 'ramen Kyoto', 'Where does Tom live?', 'Lisbo', 'berliners', '2007', 'nothing here', 'the', ''];

describe('the words of the manager’s texts', () => {
  it('name exactly what a pass over every text finds, before and after edits, forgets and additions', async () => {
    const records = Array.from({ length: 2500 }, (_, i) => record(`m${String(i).padStart(5, '0')}`, textOf(i)));
    records.push(record('other', 'Someone else in Berlin', 'someone-else'));
    const texts = new MemoryTexts(storeOf(records), listed);
    await texts.read(0);
    const held = texts.at(0)!;
    expect(held.size).toBe(2500);
    const check = (): void => {
      for (const q of QUERIES) expect([...texts.naming(searchWords(q))].sort(), q).toEqual(scanned(held, q));
    };
    check();
    expect(texts.naming(searchWords('Berlin'))).not.toContain('other');
    // Edits that drop a word (the old word must not find them), forgets, additions, rewrites.
    let revision = 0;
    for (let i = 0; i < 300; i++) {
      const id = records[i * 7]!.id;
      texts.observe(i % 3 === 0 ? { delete: [id] } : { put: [record(id, i % 3 === 1 ? `I moved to Reykjavik (${i})` : textOf(i + 1))] });
      revision++;
    }
    texts.observe({ put: [record('new1', 'Priya moved to Lisbon'), record('new2', 'Tom and Priya in Lisbon')] });
    revision++;
    expect(texts.at(revision)).toBe(held);
    check();
    expect(texts.naming(searchWords('Priya Lisbon'))).toEqual(expect.arrayContaining(['new1', 'new2']));
    expect(texts.naming(searchWords('reykjavik'))).toHaveLength(100);
  });

  it('stay exact when one memory is rewritten many times over (the index rebuilt from the texts)', async () => {
    const texts = new MemoryTexts(storeOf([record('a', 'I live in Berlin'), record('b', 'My sister lives in Berlin')]), listed);
    await texts.read(0);
    // Thousands of writes of the same memory, each with words of its own: far more entries than memories.
    for (let i = 0; i < 3000; i++) texts.observe({ put: [record('a', `Note ${i}: word${i} alpha${i} beta${i} gamma${i} delta${i}`)] });
    expect(texts.naming(searchWords('Berlin'))).toEqual(['b']);
    expect(texts.naming(searchWords('word2999'))).toEqual(['a']);
    expect(texts.naming(searchWords('word5'))).toEqual([]);
    expect(texts.naming(searchWords('note'))).toEqual(['a']);
  });

  it('name nothing before the texts are read, and nothing once dropped', async () => {
    const texts = new MemoryTexts(storeOf([record('a', 'I live in Berlin')]), listed);
    expect(texts.naming(['berlin'])).toEqual([]);
    await texts.read(0);
    expect(texts.naming(['berlin'])).toEqual(['a']);
    texts.drop();
    expect(texts.naming(['berlin'])).toEqual([]);
  });
});
