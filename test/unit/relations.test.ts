/**
 * Relations stated by a fact (src/pipeline/relations.ts).
 */
import { describe, expect, it } from 'vitest';
import { relationsOf } from '../../src/pipeline/relations';

const edges = (fact: string): string[] => relationsOf(fact).map((r) => `${r.subject} –${r.predicate}→ ${r.object}`);

describe('relationsOf', () => {
  it('reads the chain user → works on → Atlas → managed by → Priya → lives in → Lisbon', () => {
    expect(edges("I'm working on project Atlas")).toEqual(['user –working on→ atlas']);
    expect(edges('Atlas is managed by Priya')).toEqual(['atlas –managed by→ priya']);
    expect(edges('Priya lives in Lisbon')).toEqual(['priya –lives in→ lisbon']);
  });
  it('reads the people and pets the user has, and what is said of them', () => {
    expect(edges('My sister Anna lives in Porto')).toEqual(['user –sister→ anna', 'anna –lives in→ porto']);
    expect(edges('My best friend Jonas works at Google')).toEqual(['user –best friend→ jonas', 'jonas –works at→ google']);
    expect(edges('My dog is called Max')).toEqual(['user –dog→ max']);
    expect(edges('We adopted a rescue greyhound called Pepper last spring')).toEqual(['user –greyhound→ pepper']);
  });
  it('takes the preposition before the object, and only the first entity after the verb', () => {
    expect(edges('I work as a software engineer at Siemens')).toEqual(['user –work at→ siemens']);
    expect(edges('I went to Woodhaven, a small town in the Midwest')).toEqual(['user –went to→ woodhaven']);
  });
  it('states nothing for a fact without a named entity, in another language, or empty', () => {
    expect(relationsOf("I'm vegetarian")).toEqual([]);
    expect(relationsOf('Ich wohne in München')).toEqual([]);
    expect(relationsOf('')).toEqual([]);
    expect(relationsOf('🙂 ‮ Lisbon')).toEqual([]);
  });
  it('returns for the longest text a memory may hold', () => {
    expect(Array.isArray(relationsOf(`I moved to Lisbon ${'and then some more words '.repeat(80)}`))).toBe(true);
  });
});
