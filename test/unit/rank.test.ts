import { describe, expect, it } from 'vitest';
import { diversifyBySource, fusedScore, SAME_SOURCE_PENALTY, weightedScore } from '../../src/pipeline/rank';

const r = (id: string, score: number, source: string) => ({ id, score, sourceTurnIds: [source] });

describe('fusedScore', () => {
  it('adds a bounded lexical bonus to the cosine, and nothing without a lexical match', () => {
    expect(fusedScore({ label: 1, cosine: 0.32, bm25: 0 })).toBeCloseTo(0.32);
    const weak = fusedScore({ label: 1, cosine: 0.2, bm25: 2 });
    const strong = fusedScore({ label: 1, cosine: 0.2, bm25: 20 });
    expect(strong).toBeGreaterThan(weak);
    expect(fusedScore({ label: 1, cosine: 0.2, bm25: 1e9 }) - 0.2).toBeLessThan(1.51);
  });
});

describe('diversifyBySource', () => {
  it('lets a fact from another message pass the second and third facts of one message', () => {
    const sorted = [r('a1', 1.0, 'm1'), r('a2', 0.95, 'm1'), r('a3', 0.94, 'm1'), r('b', 0.9, 'm2')];
    const out = sorted.reduce<typeof sorted>(diversifyBySource, []);
    expect(out.map((x) => x.id)).toEqual(['a1', 'b', 'a2', 'a3']);
    expect(out[2]?.score).toBeCloseTo(0.95 - SAME_SOURCE_PENALTY);
    expect(out[3]?.score).toBeCloseTo(0.94 - 2 * SAME_SOURCE_PENALTY);
  });

  it('leaves results from different messages in their order', () => {
    const sorted = [r('a', 0.9, 'm1'), r('b', 0.8, 'm2'), r('c', 0.7, 'm3')];
    expect(sorted.reduce<typeof sorted>(diversifyBySource, []).map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('weightedScore', () => {
  const now = Date.UTC(2026, 10, 23);
  const day = 86_400_000;

  it('between equally relevant memories, the more recent wins', () => {
    expect(weightedScore(0.5, { saidAt: now - 10 * day }, now)).toBeGreaterThan(weightedScore(0.5, { saidAt: now - 400 * day }, now));
  });

  it('keeps a pinned or highly rated old memory above a slightly more relevant new one', () => {
    const oldPinned = weightedScore(0.5, { saidAt: now - 1000 * day, pinned: true }, now);
    const oldRated = weightedScore(0.5, { saidAt: now - 1000 * day, importance: 5 }, now);
    const fresh = weightedScore(0.55, { saidAt: now }, now);
    expect(oldPinned).toBeGreaterThan(fresh);
    expect(oldRated).toBeGreaterThan(weightedScore(0.52, { saidAt: now }, now));
  });

  it('never lets weighting outrank a clearly more relevant memory', () => {
    const maxBonus = weightedScore(0, { saidAt: now, pinned: true, importance: 5 }, now);
    expect(maxBonus).toBeLessThan(0.5);
  });
});
