// @vitest-environment node
/**
 * The frozen BM25 index (pipeline/frozen-bm25.ts) answers exactly as MiniSearch does for
 * TextIndex: same ids, same order (ties included), same scores to the last bit, same matched terms;
 * and a frozen index thawed by a write goes on as MiniSearch would.
 */
import { describe, expect, it } from 'vitest';
import { TextIndex } from '../../src/pipeline/text-index';
import { mulberry32 as createRandom } from '../../src/engine/random';

const WORDS = 'munich lisbon anna priya atlas dog max vegetarian peanuts restaurant sister brother live lives moved work works project 2012 2014 march berlin radiohead coffee tea guitar running marathon the a my i is in on with'.split(' ');

function sentence(rand: () => number): string {
  const n = 2 + Math.floor(rand() * 9);
  return Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]!).join(' ');
}

function randomIndex(seed: number, docs: number): { index: TextIndex; texts: Map<string, string> } {
  const rand = createRandom(seed);
  const index = new TextIndex();
  const texts = new Map<string, string>();
  for (let i = 0; i < docs; i++) {
    const id = String(i + 1);
    const text = sentence(rand);
    index.upsert(id, text);
    texts.set(id, text);
    // Rewrites and removals leave gaps in MiniSearch's short ids, as a long-lived store does.
    if (i > 5 && rand() < 0.2) {
      const other = String(1 + Math.floor(rand() * i));
      if (rand() < 0.5) {
        index.remove(other);
        texts.delete(other);
      } else {
        const again = sentence(rand);
        index.upsert(other, again);
        texts.set(other, again);
      }
    }
  }
  return { index, texts };
}

describe('the frozen BM25 index', () => {
  it('answers every query exactly as MiniSearch does, ties and filters included', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { index, texts } = randomIndex(seed, 300);
      const frozen = TextIndex.fromData(structuredClone(index.toData()), texts.size, () => texts);
      const rand = createRandom(seed * 101);
      for (let q = 0; q < 60; q++) {
        const query = q % 7 === 0 ? 'my sister sister lives in Lisbon since 2012' : sentence(rand);
        const accept = q % 3 === 0 ? (id: string) => Number(id) % 2 === 0 : undefined;
        for (const k of [5, 50, 1000]) expect(frozen.search(query, k, accept)).toEqual(index.search(query, k, accept));
      }
    }
  });

  it('becomes MiniSearch on its first write and goes on answering as the original', () => {
    const { index, texts } = randomIndex(9, 200);
    const frozen = TextIndex.fromData(structuredClone(index.toData()), texts.size, () => texts);
    for (const target of [index, frozen]) {
      target.upsert('5000', 'my sister moved to Lisbon in March');
      target.remove('3');
      target.upsert('4', 'Anna works on project Atlas');
    }
    for (const query of ['sister Lisbon', 'project atlas anna', 'march 2014']) expect(frozen.search(query, 20)).toEqual(index.search(query, 20));
    expect(frozen.size).toBe(index.size);
  });

  it('refuses data that does not fit: wrong documents, broken offsets, postings naming no document', () => {
    const { index, texts } = randomIndex(11, 50);
    const data = index.toData();
    expect(() => TextIndex.fromData(data, texts.size - 1, () => [...texts].slice(1))).toThrow(/documents/);
    expect(() => TextIndex.fromData({ ...data, starts: data.starts.slice(1) }, texts.size, () => texts)).toThrow(/corrupt/);
    const postings = data.postings.slice();
    postings[0] = 999_999;
    expect(() => TextIndex.fromData({ ...data, postings }, texts.size, () => texts)).toThrow(/corrupt/);
    expect(() => TextIndex.fromData({ ...data, freqs: [1, 2] as unknown as Uint32Array }, texts.size, () => texts)).toThrow(/corrupt/);
  });
});
