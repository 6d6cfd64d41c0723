/**
 * What the extension injects before a send: at most `topK` memories that pass the relevance
 * gate (`threshold`), without near-duplicates, within the token budget. Calibrated on the bundled GloVe model: related fact/question pairs score 0.32–0.63 and
 * unrelated ones at most 0.28 on the set in test/unit/memory-engine.test.ts.
 */
export const RECALL = {
  topK: 5,
  threshold: 0.3,
  /** Ranked candidates considered before near-duplicates are dropped and the budget applied. */
  candidates: 10,
  /** The memory block's budget, in tokens (≈ characters / 4). */
  budgetTokens: 300,
} as const;
