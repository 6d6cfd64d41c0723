import { defineConfig } from 'vitest/config';

/**
 * The Firefox end-to-end tests (test/firefox): the Firefox development build in Debian's
 * firefox-esr, driven by puppeteer-core over WebDriver BiDi (test/firefox/firefox.ts).
 * `npm run test:firefox` builds and runs them; `npm test` runs them after Chromium's.
 *
 * One file at a time, one Firefox at a time (a 2-core machine is shared). Timeouts are wide: they
 * report a stuck browser, not a slow one; no test times anything.
 */
export default defineConfig({
  test: {
    include: ['test/firefox/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
