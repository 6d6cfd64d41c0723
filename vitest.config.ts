import { defineConfig } from 'vitest/config';
import { hnswlibCsp } from './scripts/hnswlib/vite-plugin.ts';

export default defineConfig({
  plugins: [hnswlibCsp()],
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}'],
    environment: 'node',
    // A timeout here reports a slow machine, not a bug: a 2-core box busy with a build made the
    // 10 s default hook timeout trip (building a model in a beforeAll). Wide margins, so a loaded
    // machine never fails a test; one that really hangs still ends. Scale checks that take tens of
    // seconds belong in `npm run bench`, not here. (A timeout written in a test file overrides these.)
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    // hnswlib-wasm's glue must go through Vite (not native Node) for hnswlibCsp() to patch it.
    server: { deps: { inline: [/hnswlib-wasm/] } },
  },
});
