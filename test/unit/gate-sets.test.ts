/**
 * The gate's evaluation sets (test/fixtures/gate/) are well formed: personas of 40 facts, unique
 * ids and prompts (also across sets, so no tuning prompt leaks into the held-out set), needed facts
 * that exist and belong to the prompt's persona, the kinds of prompt the issue asks for, and at
 * least a third of the unrelated prompts world questions that share a word with a fact.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GateSet } from '../../src/eval/gate-eval';

const KINDS = ['coding', 'trivia', 'writing', 'maths', 'science', 'translation', 'summary', 'news', 'howto', 'world'];
const SETS: Record<string, { personas: number; unrelated: number; related: number; tuning: boolean }> = {
  tune: { personas: 2, unrelated: 160, related: 60, tuning: true },
  tune2: { personas: 3, unrelated: 180, related: 75, tuning: true },
  tune3: { personas: 3, unrelated: 180, related: 75, tuning: true },
  holdout: { personas: 3, unrelated: 330, related: 120, tuning: false },
};
const load = (name: string): GateSet => JSON.parse(readFileSync(new URL(`../fixtures/gate/${name}.json`, import.meta.url), 'utf8')) as GateSet;
const norm = (s: string): string => s.toLowerCase().replace(/\s+/g, ' ').trim();

describe.each(Object.entries(SETS))('gate set %s', (name, rules) => {
  const set = load(name);

  it('says what it is for', () => {
    expect(set.name).toBe(name);
    expect(set.provenance).toMatch(rules.tuning ? /tune the relevance gate; never used to score it/ : /to score the relevance gate; never used to calibrate or tune it/);
  });

  it('has personas of 40 distinct facts with ids of their own', () => {
    expect(set.personas).toHaveLength(rules.personas);
    const ids = new Set<string>();
    for (const p of set.personas) {
      expect(p.facts, p.id).toHaveLength(40);
      expect(new Set(p.facts.map((f) => norm(f.text))).size, p.id).toBe(40);
      for (const f of p.facts) {
        expect(f.id.startsWith(`${p.id}-`), f.id).toBe(true);
        expect(ids.has(f.id), f.id).toBe(false);
        ids.add(f.id);
      }
    }
  });

  it('has the prompts the issue asks for: enough of each, a third world questions, needs that exist', () => {
    const personas = new Map(set.personas.map((p) => [p.id, new Set(p.facts.map((f) => f.id))]));
    expect(set.unrelated.length).toBeGreaterThanOrEqual(rules.unrelated);
    expect(set.related.length).toBeGreaterThanOrEqual(rules.related);
    expect(set.unrelated.filter((u) => u.kind === 'world').length * 3).toBeGreaterThanOrEqual(set.unrelated.length);
    for (const u of set.unrelated) {
      expect(KINDS, u.prompt).toContain(u.kind);
      expect(personas.has(u.persona), u.prompt).toBe(true);
      if (!rules.tuning && u.kind === 'world') expect(u.shares, u.prompt).toBeTruthy();
    }
    for (const r of set.related) {
      expect(r.needs.length, r.prompt).toBeGreaterThanOrEqual(1);
      expect(r.needs.length, r.prompt).toBeLessThanOrEqual(3);
      for (const id of r.needs) expect(personas.get(r.persona)?.has(id), `${r.prompt}: ${id}`).toBe(true);
    }
  });
});

it('never repeats a prompt within a set or across sets (no tuning prompt is in the held-out set)', () => {
  const seen = new Map<string, string>();
  for (const name of Object.keys(SETS)) {
    const set = load(name);
    for (const { prompt } of [...set.unrelated, ...set.related]) {
      const key = norm(prompt);
      expect(seen.get(key), `${name}: ${prompt}`).toBeUndefined();
      seen.set(key, name);
    }
  }
});
