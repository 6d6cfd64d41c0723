import { defineConfig } from '@playwright/test';

/** End-to-end tests: the built extension in Debian's Chromium, one worker, a fresh profile each. */
export default defineConfig({
  testDir: 'test/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : 'list',
  outputDir: 'test-results/e2e',
});
