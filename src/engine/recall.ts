/**
 * What the extension injects before a send: at most `topK` memories, each at least `threshold`
 * similar. Calibrated on the bundled GloVe model: related fact/question pairs score 0.32–0.63 and
 * unrelated ones at most 0.28 on the set in test/unit/memory-engine.test.ts.
 */
export const RECALL = { topK: 5, threshold: 0.3 } as const;
