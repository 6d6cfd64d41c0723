import { describe, expect, it } from 'vitest';
import { entitiesOf } from '../../src/pipeline/entities';

describe('entitiesOf', () => {
  it('finds the proper names a memory mentions, at any position', () => {
    expect(entitiesOf('I work on project Atlas with Priya')).toEqual(['atlas', 'priya']);
    expect(entitiesOf('Atlas is managed by Priya')).toEqual(['atlas', 'priya']);
    expect(entitiesOf("Caroline's painting was shown at the LGBTQ center")).toEqual(['caroline', 'lgbtq']);
  });

  it('does not take pronouns, sentence-initial verbs, days or months for names', () => {
    expect(entitiesOf('Running is fun. I run with Max in Berlin on Monday in May.')).toEqual(['max', 'berlin']);
    expect(entitiesOf("I'm vegetarian. My dog likes walks.")).toEqual([]);
  });
});
