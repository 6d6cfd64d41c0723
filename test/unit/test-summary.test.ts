// @vitest-environment node
/** The summary line of `npm test` (scripts/summary.mjs): every kind of failure counts. */
import { describe, expect, it } from 'vitest';
import { countPlaywright, countVitest, summarize } from '../../scripts/summary.mjs';

/** A vitest JSON report, shaped as `vitest run --reporter=json` writes it. */
function vitestReport(files: { name: string; status: 'passed' | 'failed'; message?: string; tests: ('passed' | 'failed' | 'skipped')[] }[]) {
  const all = files.flatMap((f) => f.tests);
  return {
    numPassedTests: all.filter((t) => t === 'passed').length,
    numFailedTests: all.filter((t) => t === 'failed').length,
    numPendingTests: all.filter((t) => t === 'skipped').length,
    numTodoTests: 0,
    success: files.every((f) => f.status === 'passed'),
    testResults: files.map((f) => ({
      name: `/work/main/test/unit/${f.name}`,
      status: f.status,
      message: f.message ?? '',
      assertionResults: f.tests.map((status, i) => ({ title: `t${i}`, status })),
    })),
  };
}

const passing = { passed: 10, failed: 0, skipped: 0, problems: [] };

describe('countVitest', () => {
  it('counts failed tests', () => {
    const counts = countVitest(vitestReport([{ name: 'a.test.ts', status: 'failed', tests: ['passed', 'failed'] }]));
    expect(counts).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
  });

  it('counts a file whose hook timed out as a failure, though its tests were only skipped', () => {
    const counts = countVitest(
      vitestReport([
        { name: 'ok.test.ts', status: 'passed', tests: ['passed', 'passed'] },
        { name: 'vector-search.test.ts', status: 'failed', tests: ['passed', 'skipped', 'skipped'] },
      ]),
    );
    expect(counts).toMatchObject({ passed: 3, failed: 1, skipped: 2 });
    expect(counts.problems[0]).toMatch(/^test\/unit\/vector-search\.test\.ts: /);
  });

  it('counts a file that fails on import (no tests at all) as a failure, with its message', () => {
    const counts = countVitest(vitestReport([{ name: 'broken.test.ts', status: 'failed', message: 'Error: import boom\n  at x', tests: [] }]));
    expect(counts.failed).toBe(1);
    expect(counts.problems).toEqual(['test/unit/broken.test.ts: Error: import boom']);
  });

  it('does not count a file twice when a test in it failed', () => {
    expect(countVitest(vitestReport([{ name: 'a.test.ts', status: 'failed', tests: ['failed', 'skipped'] }])).failed).toBe(1);
  });
});

describe('countPlaywright', () => {
  it('counts unexpected and flaky tests, and errors outside any test', () => {
    const counts = countPlaywright({ stats: { expected: 5, unexpected: 1, flaky: 1, skipped: 2 }, errors: [{ message: 'globalSetup failed\nstack' }] });
    expect(counts).toEqual({ passed: 5, failed: 3, skipped: 2, problems: ['globalSetup failed'] });
  });
});

describe('summarize', () => {
  it('passes when every step exits 0 and nothing failed', () => {
    const s = summarize([
      { name: 'lint', exitCode: 0, seconds: 1 },
      { name: 'unit', exitCode: 0, seconds: 60, counts: passing },
    ]);
    expect(s).toMatchObject({ passed: 10, failed: 0, exitCode: 0 });
    expect(s.lines.at(-1)).toBe('total: 10 passed, 0 failed, 0 skipped');
  });

  it('counts a step that exits non-zero with 0 failed tests (an unhandled error) as a failure', () => {
    const s = summarize([{ name: 'unit', exitCode: 1, seconds: 60, counts: passing }]);
    expect(s).toMatchObject({ passed: 10, failed: 1, exitCode: 1 });
    expect(s.lines).toContain('✘ unit (60.0 s)');
    expect(s.lines.at(-1)).toBe('total: 10 passed, 1 failed, 0 skipped');
  });

  it('counts a failed step without a report (typecheck, lint, a crash before the report, a signal)', () => {
    const s = summarize([
      { name: 'typecheck', exitCode: 2, seconds: 5 },
      { name: 'e2e', exitCode: null, seconds: 5 },
    ]);
    expect(s).toMatchObject({ failed: 2, exitCode: 1 });
    expect(s.lines.join('\n')).toMatch(/killed by a signal/);
  });

  it('adds nothing for the exit code when the failures are already counted', () => {
    const s = summarize([{ name: 'unit', exitCode: 1, seconds: 1, counts: { passed: 3, failed: 2, skipped: 0, problems: [] } }]);
    expect(s).toMatchObject({ failed: 2, exitCode: 1 });
  });

  it('fails on a counted failure even if the step exited 0', () => {
    expect(summarize([{ name: 'e2e', exitCode: 0, seconds: 1, counts: { passed: 1, failed: 1, skipped: 0, problems: [] } }]).exitCode).toBe(1);
  });

  it('the hook timeout of the report: a failed unit step no longer reads "0 failed"', () => {
    const unit = countVitest(
      vitestReport([
        { name: 'other.test.ts', status: 'passed', tests: Array<'passed'>(600).fill('passed') },
        { name: 'vector-search.test.ts', status: 'failed', message: '', tests: ['passed', 'passed', 'passed', 'passed', 'skipped', 'skipped'] },
      ]),
    );
    const s = summarize([{ name: 'unit', exitCode: 1, seconds: 65, counts: unit }]);
    expect(s.failed).toBe(1);
    expect(s.exitCode).toBe(1);
  });
});
