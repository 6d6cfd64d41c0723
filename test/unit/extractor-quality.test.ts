/**
 * Quality of the rule-based extractor on the labelled set (test/fixtures/extraction/): precision
 * and recall of the facts it keeps, overall and per kind of message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../src/pipeline/extract';
import { factTokens, scoreExtraction, type LabelledUtterance } from '../../src/pipeline/extraction-score';

const items = JSON.parse(
  readFileSync(new URL('../fixtures/extraction/utterances.json', import.meta.url), 'utf8'),
) as LabelledUtterance[];

const FACT_KINDS = ['preference', 'personal', 'plan', 'work', 'health', 'relation', 'project', 'place', 'pet'];
const NON_FACT_KINDS = ['question', 'request', 'greeting', 'smalltalk', 'filler'];
const OTHER_KINDS = ['negation', 'change', 'third_party', 'hypothetical', 'joke', 'memory_block', 'multi_fact'];
const KINDS = [...FACT_KINDS, ...NON_FACT_KINDS, ...OTHER_KINDS];

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

describe('the labelled set', () => {
  it('has at least 150 utterances of every kind, in at least 3 languages besides English', () => {
    expect(items.length).toBeGreaterThanOrEqual(150);
    const kinds = new Set(items.map((i) => i.kind));
    for (const kind of KINDS) expect(kinds, kind).toContain(kind);
    expect([...kinds].filter((k) => !KINDS.includes(k))).toEqual([]);
    const langs = new Set(items.map((i) => i.lang));
    expect([...langs].filter((l) => l !== 'en').length).toBeGreaterThanOrEqual(3);
    for (const lang of ['de', 'fr', 'es']) expect(langs).toContain(lang);
  });

  it('is well formed: expected facts are in the words of the message, non-fact kinds expect none', () => {
    for (const item of items) {
      expect(typeof item.text, item.text).toBe('string');
      expect(Array.isArray(item.expected), item.text).toBe(true);
      const words = factTokens(item.text);
      for (const fact of item.expected) {
        for (const token of factTokens(fact)) expect(words, `${fact} ← ${item.text}`).toContain(token);
      }
      if (NON_FACT_KINDS.includes(item.kind) || ['hypothetical', 'joke'].includes(item.kind)) {
        expect(item.expected, item.text).toEqual([]);
      }
      if (FACT_KINDS.includes(item.kind)) expect(item.expected.length, item.text).toBeGreaterThan(0);
    }
    expect(new Set(items.map((i) => i.text)).size).toBe(items.length);
  });
});

describe('rule-based extractor quality', () => {
  const score = scoreExtraction(items, extractFacts);

  it('reaches precision ≥ 0.9 and recall ≥ 0.7', () => {
    const rows = Object.entries(score.byKind).map(
      ([kind, c]) => `  ${kind.padEnd(13)} n=${String(c.n).padStart(3)}  P ${pct(c.precision).padStart(6)}  R ${pct(c.recall).padStart(6)}  fp ${c.fp}  fn ${c.fn}`,
    );
    console.log(
      [
        `extractor quality on ${score.n} utterances: precision ${pct(score.precision)}, recall ${pct(score.recall)} (tp ${score.tp}, fp ${score.fp}, fn ${score.fn})`,
        ...rows,
        ...score.errors.map((e) => `  ✗ [${e.kind}/${e.lang}] ${JSON.stringify(e.text)} fp=${JSON.stringify(e.falsePositives)} fn=${JSON.stringify(e.falseNegatives)}`),
      ].join('\n'),
    );
    expect(score.precision).toBeGreaterThanOrEqual(0.9);
    expect(score.recall).toBeGreaterThanOrEqual(0.7);
  });

  it('stores nothing from messages that hold no fact about the user', () => {
    for (const kind of [...NON_FACT_KINDS, 'hypothetical', 'joke']) {
      expect(score.byKind[kind]?.fp, kind).toBe(0);
    }
  });
});

describe('scoreExtraction', () => {
  const item = (expected: string[]): LabelledUtterance => ({ text: '', lang: 'en', kind: 'x', expected });

  it('matches facts one to one, tolerating small wording differences but not merged clauses', () => {
    const s = scoreExtraction([item(['I live in Berlin', "I'm vegetarian"])], () => [
      'Btw I live in Berlin',
      'I live in Berlin',
      "I'm vegetarian and my sister is vegan",
    ]);
    expect({ tp: s.tp, fp: s.fp, fn: s.fn }).toEqual({ tp: 1, fp: 2, fn: 1 });
    expect(s.precision).toBeCloseTo(1 / 3);
    expect(s.recall).toBeCloseTo(1 / 2);
  });

  it('counts precision 1 when nothing is extracted and recall 1 when nothing is expected', () => {
    const s = scoreExtraction([item([])], () => []);
    expect(s).toMatchObject({ n: 1, precision: 1, recall: 1, tp: 0, fp: 0, fn: 0 });
    expect(s.byKind.x).toMatchObject({ n: 1, precision: 1, recall: 1 });
  });
});
