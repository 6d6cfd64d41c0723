/**
 * Firefox for `npm test` and `npm start -- --firefox`: Debian's firefox-esr, installed with apt when
 * it is missing and this runs as root on Debian/Ubuntu (as scripts/setup.mjs does for Chromium), and
 * the Firefox development build. Plain Node, no dependencies.
 *
 * Unlike Chromium, a missing Firefox does not stop `npm test`: `ensureFirefox` says why it is
 * missing, and the caller skips the Firefox tests with a visible notice.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run } from '../setup.mjs';

/** Debian's Firefox ESR (FIREFOX_PATH: another Firefox 142 or newer). */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The Firefox development build (`wxt build -b firefox --mv3 --mode development`), as test/firefox loads it. */
export const DEV_FIREFOX_DIR = join(ROOT, '.output', 'firefox-mv3-dev');

const log = (message) => console.log(`\u001b[36m[engram]\u001b[0m ${message}`);

/**
 * Firefox, installed if it can be. Resolves to `{ ok: true, path }`, or `{ ok: false, reason }`
 * saying what is missing and how to get it.
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
export function ensureFirefox() {
  if (existsSync(FIREFOX)) return { ok: true, path: FIREFOX };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hint = 'install it (Debian/Ubuntu: sudo apt-get install firefox-esr) or point FIREFOX_PATH at a Firefox 142 or newer';
  if (process.env.FIREFOX_PATH || !isRoot || !existsSync('/usr/bin/apt-get')) {
    return { ok: false, reason: `Firefox was not found at ${FIREFOX}: ${hint}` };
  }
  log("installing Debian's firefox-esr (apt-get)…");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'firefox-esr']]) {
    const { status } = spawnSync('apt-get', args, { cwd: ROOT, stdio: 'inherit', env });
    if (status !== 0) return { ok: false, reason: `apt-get ${args.join(' ')} failed (exit ${status}); ${hint}` };
  }
  return existsSync(FIREFOX) ? { ok: true, path: FIREFOX } : { ok: false, reason: `firefox-esr installed, but not at ${FIREFOX}; ${hint}` };
}

/** Build the Firefox development build (the model is built by ensureSetup before). */
export function buildFirefoxDev() {
  log('building the extension for Firefox (development build, with the demo site)…');
  run('npx', ['wxt', 'build', '-b', 'firefox', '--mv3', '--mode', 'development'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
