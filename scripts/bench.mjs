/**
 * `npm run bench [-- --quick]`: every benchmark, side by side in one run on this machine, into
 * bench/results.json (one stable shape) and bench/results.md.
 */
import { spawnSync } from 'node:child_process';
import { ensureSetup, ROOT } from './setup.mjs';

// The send path is measured in the built extension in Chromium: build it, and install Chromium if missing.
ensureSetup({ browser: true });
const passthrough = process.argv.slice(2);
const benches = [
  'bench/index-bench.ts',
  'bench/engine-bench.ts',
  'bench/extractor-bench.ts',
  'bench/secrets-bench.ts',
  'bench/gate.ts',
  'bench/composer-write.ts',
  'bench/send-path.ts',
  'bench/memory-manager.ts',
];
for (const bench of benches) {
  console.log(`\n▶ ${bench} ${passthrough.join(' ')}`);
  const { status } = spawnSync('npx', ['tsx', '--import', './scripts/hnswlib/node-loader.ts', bench, ...passthrough], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
console.log('\nResults: bench/results.json, bench/results.md');
