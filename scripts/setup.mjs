/**
 * Set-up shared by `npm start` and `npm test`: installs what is missing (node modules, Debian's
 * Chromium), builds the bundled embedding model and the extension. Plain Node, no dependencies,
 * so it runs on a fresh clone before `npm ci`.
 *
 * Both use the development build (`wxt build --mode development`, into .output/chrome-mv3-dev): the
 * store build plus the content script of the built-in demo chat site (localhost/127.0.0.1), which
 * the store build (`npm run build`, .output/chrome-mv3) leaves out. See DEMO_MODE in wxt.config.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The development build `npm start` and `npm test` load (test/e2e/fixtures.ts: EXTENSION_DIR). */
export const DEV_EXTENSION_DIR = join(ROOT, '.output', 'chrome-mv3-dev');

/** Run a command in the project root; throw with its name when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
  return result;
}

const log = (message) => console.log(`\u001b[36m[engram]\u001b[0m ${message}`);

function ensureNodeModules() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing node modules (npm ci)…');
  // onnxruntime-node's postinstall must not download its CUDA libraries (see .npmrc): package.json's
  // allowScripts denies it on npm >= 11.16; this variable, which the script itself reads, on any npm.
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. Install it (Debian/Ubuntu: sudo apt-get install chromium) ` +
        'or point CHROMIUM_PATH at a Chromium or Chrome for Testing binary, then run this again.',
    );
  }
  log("installing Debian's chromium (apt-get)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env });
}

/** Everything `npm start` and `npm test` need before they run. */
export function ensureSetup({ browser = true } = {}) {
  ensureNodeModules();
  if (browser) ensureChromium();
  run('node', ['scripts/build-model.mjs']);
  log('building the extension (development build, with the demo site)…');
  run('npx', ['wxt', 'build', '--mode', 'development'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// `node scripts/setup.mjs --model-only`: install what is missing and build the bundled model.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '') && process.argv.includes('--model-only')) {
  ensureNodeModules();
  run('node', ['scripts/build-model.mjs']);
}
