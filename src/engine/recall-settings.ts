/** What recall injects before a send, at most. */
export interface RecallSettings {
  /** At most this many memories go into the prompt. */
  topK: number;
  /** The relevance gate's cosine when calibration fails (the bundled model's own calibration). */
  threshold: number;
  /**
   * When calibration fails, the bundled model's: what related pairs reach (median), what
   * unrelated prompts reach at best over a store (75th percentile), and what a request about the
   * user's life scores against a fact about something else (median): the floor a memory must pass
   * in a prompt read as about the user.
   */
  related: number;
  unrelated: number;
  floor: number;
  /** Ranked candidates considered before near-duplicates are dropped and the budget applied. */
  candidates: number;
  /** The memory block's budget, in tokens (≈ characters / 4), header and footer included. */
  budgetTokens: number;
  /**
   * A memory must score at least this share of the best one to go in: on the gate's tuning sets,
   * 0.4 sends a fifth fewer memories (4.8 → 3.6 a related prompt; needed share 0.24 → 0.30) for
   * two related prompts of 69 and one dev-set question of 97.
   */
  relativeFloor: number;
}

/**
 * The extension's recall settings. The gate is calibrated per model at run time
 * (engine/calibration.ts); `threshold` is the bundled model's calibrated value, used only when
 * calibration fails.
 */
export const RECALL: Readonly<RecallSettings> = {
  topK: 5,
  threshold: 0.365,
  related: 0.52,
  unrelated: 0.21,
  floor: 0.14,
  candidates: 10,
  budgetTokens: 300,
  relativeFloor: 0.25,
};
