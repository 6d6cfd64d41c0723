import { defineConfig } from 'vitest/config';
import { hnswlibCsp } from './src/adapters/hnswlib/vite-plugin.ts';

export default defineConfig({
  plugins: [hnswlibCsp()],
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    pool: 'forks',
    // hnswlib-wasm's glue must go through Vite (not native Node) for hnswlibCsp() to patch it.
    server: { deps: { inline: [/hnswlib-wasm/] } },
  },
});
