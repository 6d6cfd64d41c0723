/**
 * The pure ranking stages (pipeline/candidates.ts): the gate, topics and the newest value of a
 * changed fact, hubness, and the entity hop that must pass the gate and rank below its source.
 */
import { describe, expect, it } from 'vitest';
import { EntityLinks } from '../../src/pipeline/entity-links';
import { hop, rank, TOPIC_BONUS, type Candidates } from '../../src/pipeline/candidates';
import { memoryRecord } from '../support/records';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30);

function candidates(overrides: Partial<Candidates>): Candidates {
  return {
    cosine: new Map(),
    bm25: new Map(),
    matched: new Map(),
    inWindow: new Set(),
    asksOwnPast: false,
    entityHits: new Map(),
    queryEntities: [],
    topics: [],
    present: true,
    ...overrides,
  };
}

describe('rank', () => {
  it('puts the newest of the memories on the topic asked first, in a question about now', () => {
    const graz = memoryRecord('We live in Graz', { saidAt: NOW - 400 * DAY });
    const vienna = memoryRecord("We're finally settled in Vienna", { saidAt: NOW - 30 * DAY });
    const byLabel = new Map([graz, vienna].map((m) => [m.label, m]));
    const c = candidates({ cosine: new Map([[graz.label, 0.4], [vienna.label, 0.35]]), topics: ['location'] });
    expect(rank(c, byLabel, undefined, NOW).map((r) => r.label)).toEqual([vienna.label, graz.label]);
    // About the past, the topic lifts both alike and the closer one stays first.
    const past = rank({ ...c, present: false }, byLabel, undefined, NOW);
    expect(past.map((r) => r.label)).toEqual([graz.label, vienna.label]);
    expect(past[0]!.score - 0.4).toBeGreaterThanOrEqual(TOPIC_BONUS - 0.06);
  });

  it('takes a memory’s hubness off its score', () => {
    const hubby = memoryRecord("I'm careful with money");
    const specific = memoryRecord('I drive a 2016 Subaru Outback');
    const byLabel = new Map([hubby, specific].map((m) => [m.label, m]));
    const c = candidates({ cosine: new Map([[hubby.label, 0.42], [specific.label, 0.36]]), hub: new Map([[hubby.label, 0.3], [specific.label, 0.1]]) });
    expect(rank(c, byLabel, undefined, NOW).map((r) => r.label)).toEqual([specific.label, hubby.label]);
  });

  it('keeps out what passes no gate', () => {
    const a = memoryRecord('I have a dog named Max');
    const byLabel = new Map([[a.label, a]]);
    expect(rank(candidates({ cosine: new Map([[a.label, 0.1]]) }), byLabel, { cosine: 0.2, lexical: true }, NOW)).toEqual([]);
  });
});

describe('hop', () => {
  it('draws a linked memory only when it passes the gate, and always below the one that drew it', () => {
    const atlas = memoryRecord('Atlas is managed by Priya');
    const lisbon = memoryRecord('Priya lives in Lisbon');
    const byLabel = new Map([atlas, lisbon].map((m) => [m.label, m]));
    const links = new EntityLinks();
    for (const m of byLabel.values()) links.link(m);
    const ranked = [{ label: atlas.label, score: 0.5 }];
    const accept = (): boolean => true;
    const gated = candidates({ cosine: new Map([[atlas.label, 0.5], [lisbon.label, 0.05]]) });
    expect(hop(links, ranked, byLabel, gated, 'Who manages Atlas?', accept, { cosine: 0.2, lexical: true }).map((r) => r.label)).toEqual([atlas.label]);
    const open = hop(links, [{ label: atlas.label, score: 0.5 }], byLabel, gated, 'Who manages Atlas?', accept);
    expect(open.map((r) => r.label)).toEqual([atlas.label, lisbon.label]);
    expect(open[1]!.score).toBeLessThan(open[0]!.score);
  });
});
