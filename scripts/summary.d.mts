/** Types of scripts/summary.mjs, for the unit test that imports it (test/unit/test-summary.test.ts). */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  /** Failures that are not a failed test: a hook, an import, an error outside any test. */
  problems: string[];
}
export interface Step {
  name: string;
  /** null: killed by a signal. */
  exitCode: number | null;
  seconds: number;
  /** From the step's report, if it wrote one. */
  counts?: Counts;
}
export function countVitest(report: unknown): Counts;
export function countPlaywright(report: unknown): Counts;
export function summarize(steps: Step[]): { passed: number; failed: number; skipped: number; exitCode: 0 | 1; lines: string[] };
