/**
 * The summary line of `npm test` (scripts/test.mjs), as pure functions so it can be unit-tested
 * (test/unit/test-summary.test.ts).
 *
 * A run passes only if every step exited 0 and nothing failed. Counting only failed *tests* is not
 * enough: vitest marks the tests of a suite whose beforeAll failed (or timed out) as skipped, a file
 * that throws on import has no tests at all, and an unhandled error fails the run (exit 1) with
 * every test passed. So a failed file without a failed test counts as one failure, a step that
 * exits non-zero with no failure counted counts as one more, and a step whose report is missing
 * counts as failed when it exited non-zero.
 */

/**
 * Counts from vitest's JSON reporter (`--reporter=json`).
 * @param {any} report
 * @returns {{ passed: number, failed: number, skipped: number, problems: string[] }}
 */
export function countVitest(report) {
  const problems = [];
  let failed = report.numFailedTests ?? 0;
  for (const file of report.testResults ?? []) {
    if (file.status !== 'failed') continue;
    if ((file.assertionResults ?? []).some((a) => a.status === 'failed')) continue;
    // The file failed outside any test: a hook, an import, a syntax error.
    failed += 1;
    problems.push(`${shortName(file.name)}: ${firstLine(file.message) || 'failed outside a test (a hook or the import)'}`);
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    problems,
  };
}

/**
 * Counts from Playwright's JSON reporter.
 * @param {any} report
 * @returns {{ passed: number, failed: number, skipped: number, problems: string[] }}
 */
export function countPlaywright(report) {
  const stats = report.stats ?? {};
  const errors = report.errors ?? [];
  return {
    passed: stats.expected ?? 0,
    // Errors outside a test (global set-up, a file that does not load) count too.
    failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0) + errors.length,
    skipped: stats.skipped ?? 0,
    problems: errors.map((e) => firstLine(e.message ?? String(e))),
  };
}

/**
 * @typedef {{ name: string, exitCode: number | null, seconds: number,
 *   counts?: { passed: number, failed: number, skipped: number, problems: string[] } }} Step
 *   exitCode null: killed by a signal. counts: from the step's report, if it wrote one.
 */

/**
 * @param {Step[]} steps
 * @returns {{ passed: number, failed: number, skipped: number, exitCode: 0 | 1, lines: string[] }}
 */
export function summarize(steps) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  for (const step of steps) {
    const counts = step.counts ?? { passed: 0, failed: 0, skipped: 0, problems: [] };
    const ok = step.exitCode === 0 && counts.failed === 0;
    let failed = counts.failed;
    const notes = [...counts.problems];
    if (step.exitCode !== 0 && failed === 0) {
      // Typecheck, lint, a crash, an unhandled error, a missing report: still a failure.
      failed = 1;
      notes.push(step.exitCode === null ? 'killed by a signal' : `exited with code ${step.exitCode} with no failed test`);
    }
    total.passed += counts.passed;
    total.failed += failed;
    total.skipped += counts.skipped;
    lines.push(`${ok ? '✔' : '✘'} ${step.name} (${step.seconds.toFixed(1)} s)`);
    for (const note of notes) lines.push(`    ${note}`);
  }
  lines.push(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return { ...total, exitCode: total.failed === 0 ? 0 : 1, lines };
}

function shortName(file) {
  const at = String(file).lastIndexOf('/test/');
  return at >= 0 ? String(file).slice(at + 1) : String(file);
}

function firstLine(text) {
  return String(text ?? '').trim().split('\n')[0].slice(0, 200);
}
