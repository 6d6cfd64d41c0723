/**
 * `npm run lint:firefox` (the last step of `npm run check`, and a step of `npm test`): builds the
 * Firefox store build (`wxt build -b firefox --mv3`, into .output/firefox-mv3, what `npm run zip`
 * packages) and checks it with addons.mozilla.org's linter (`web-ext lint`), failing on any error or
 * warning. `--no-build` lints the build already there.
 *
 * The linter is run as it is, with no rule turned off: what it flagged in dependencies' code is
 * reshaped in the Firefox build instead (scripts/firefox/vite-plugins.ts).
 */
import { join } from 'node:path';
import { ROOT, run } from '../setup.mjs';

const STORE_FIREFOX_DIR = join(ROOT, '.output', 'firefox-mv3');

if (!process.argv.includes('--no-build')) {
  run('node', ['scripts/build-model.mjs']);
  run('npx', ['wxt', 'build', '-b', 'firefox', '--mv3'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
run('npx', ['web-ext', 'lint', '--source-dir', STORE_FIREFOX_DIR, '--warnings-as-errors', '--no-config-discovery', '--boring']);
