/**
 * Extraction quality: precision and recall of extracted facts against a labelled set
 * (test/fixtures/extraction/utterances.json).
 *
 * Matching rule: an extracted fact matches an expected one when their token Jaccard similarity is
 * at least {@link MATCH_JACCARD} (0.7), after normalisation (NFKD without diacritics, lower case,
 * typographic apostrophes made plain, punctuation dropped; tokens are runs of letters, digits and
 * apostrophes, so "I'm" is one token). Why Jaccard and not the alternatives:
 * - exact equality after normalisation punishes harmless differences a reader would not count
 *   ("Btw I live in Berlin" vs "I live in Berlin": Jaccard 0.8);
 * - "one side contains the other" rewards an extractor that keeps whole run-on sentences ("I live
 *   in Berlin and my sister is vegan" contains "I live in Berlin" but also smuggles in a
 *   third-party fact; Jaccard 0.44, no match), and lets a fragment ("I live") match a fact;
 * - 0.7 tolerates one extra or missing word in a five-word fact but not a missing half, so
 *   merged clauses and truncated facts both count as errors.
 * Matching is one-to-one and greedy per item: all (extracted, expected) pairs at or above the
 * threshold, best similarity first (ties: earlier extracted, then earlier expected), each fact
 * used at most once. Unmatched extracted facts are false positives, unmatched expected facts are
 * false negatives.
 */

import { jaccard } from './similarity';

export interface LabelledUtterance {
  text: string;
  lang: string;
  kind: string;
  expected: readonly string[];
}

export interface ScoreCounts {
  /** Utterances. */
  n: number;
  tp: number;
  fp: number;
  fn: number;
  /** tp / (tp + fp); 1 when nothing was extracted (no false claim was made). */
  precision: number;
  /** tp / (tp + fn); 1 when nothing was expected. */
  recall: number;
}

export interface ExtractionScore extends ScoreCounts {
  byKind: Record<string, ScoreCounts>;
  /** Per utterance, what was extracted and which facts were missed or wrongly kept. */
  errors: { text: string; kind: string; lang: string; falsePositives: string[]; falseNegatives: string[] }[];
}

export const MATCH_JACCARD = 0.7;

/** The tokens a fact is compared on. */
export function factTokens(text: string): Set<string> {
  const normal = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'");
  const tokens = normal.match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
  return new Set(tokens);
}

/** Token Jaccard similarity of two facts (0 when either has no tokens). */
export function factSimilarity(a: string, b: string): number {
  return jaccard(factTokens(a), factTokens(b));
}

/** Greedy one-to-one matching of extracted to expected facts; returns the matched pairs' indices. */
export function matchFacts(extracted: readonly string[], expected: readonly string[]): [number, number][] {
  const pairs: { i: number; j: number; s: number }[] = [];
  extracted.forEach((e, i) => {
    expected.forEach((x, j) => {
      const s = factSimilarity(e, x);
      if (s >= MATCH_JACCARD) pairs.push({ i, j, s });
    });
  });
  pairs.sort((a, b) => b.s - a.s || a.i - b.i || a.j - b.j);
  const usedE = new Set<number>();
  const usedX = new Set<number>();
  const matched: [number, number][] = [];
  for (const { i, j } of pairs) {
    if (usedE.has(i) || usedX.has(j)) continue;
    usedE.add(i);
    usedX.add(j);
    matched.push([i, j]);
  }
  return matched;
}

function counts(n: number, tp: number, fp: number, fn: number): ScoreCounts {
  return {
    n,
    tp,
    fp,
    fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

/** Precision and recall of `extract` over `items`, overall and per kind. */
export function scoreExtraction(
  items: readonly LabelledUtterance[],
  extract: (text: string) => readonly string[],
): ExtractionScore {
  const totals = { n: 0, tp: 0, fp: 0, fn: 0 };
  const perKind = new Map<string, { n: number; tp: number; fp: number; fn: number }>();
  const errors: ExtractionScore['errors'] = [];
  for (const item of items) {
    const extracted = extract(item.text);
    const matched = matchFacts(extracted, item.expected);
    const tp = matched.length;
    const fp = extracted.length - tp;
    const fn = item.expected.length - tp;
    const kind = perKind.get(item.kind) ?? { n: 0, tp: 0, fp: 0, fn: 0 };
    for (const c of [totals, kind]) {
      c.n++;
      c.tp += tp;
      c.fp += fp;
      c.fn += fn;
    }
    perKind.set(item.kind, kind);
    if (fp > 0 || fn > 0) {
      const mE = new Set(matched.map(([i]) => i));
      const mX = new Set(matched.map(([, j]) => j));
      errors.push({
        text: item.text,
        kind: item.kind,
        lang: item.lang,
        falsePositives: extracted.filter((_, i) => !mE.has(i)),
        falseNegatives: item.expected.filter((_, j) => !mX.has(j)),
      });
    }
  }
  const byKind: Record<string, ScoreCounts> = {};
  for (const [kind, c] of [...perKind].sort(([a], [b]) => a.localeCompare(b))) byKind[kind] = counts(c.n, c.tp, c.fp, c.fn);
  return { ...counts(totals.n, totals.tp, totals.fp, totals.fn), byKind, errors };
}
