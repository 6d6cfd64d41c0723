import { defineConfig } from 'wxt';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { HUB_ORIGINS } from './src/engine/models.ts';
import { LOCAL_SERVER_ORIGINS, WEBLLM_HOST_ORIGINS } from './src/adapters/llm/hosts.ts';
import { hnswlibCsp } from './scripts/hnswlib/vite-plugin.ts';
import { firefoxPlugins } from './scripts/firefox/vite-plugins.ts';
import { INSERT_MEMORIES_COMMAND } from './src/core/control.ts';

/**
 * onnxruntime-web's bundled build locates its WASM with
 * `new URL('ort-wasm-simd-threaded.wasm', import.meta.url)`. Vite (library mode, which WXT uses
 * for the background) would inline that 14 MB file into the service worker as base64. Engram hands
 * the runtime its WASM bytes itself (see src/adapters/transformers-embedder.ts), so the reference
 * is made opaque to Vite and the file is shipped once, under /ort/.
 */
function keepOrtWasmExternal(): Plugin {
  return {
    name: 'engram:keep-ort-wasm-external',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('onnxruntime-web')) return null;
      const out = code.replace(/new URL\((["'])(ort-wasm[\w.-]*\.wasm)\1,/g, 'new URL(String("$2"),');
      return out === code ? null : { code: out, map: null };
    },
  };
}

/**
 * Modules with a per-browser implementation, chosen at build time so that a browser's bundle holds
 * only its own: in Chrome's build each becomes its `.chrome.ts` sibling, so that Chrome's service
 * worker carries no transformers.js at all (even unevaluated, it was parsed at every worker start).
 * `src/background/hub-embedder.ts` (transformers.js in the background itself, as Firefox's event
 * page runs it) becomes the offscreen document's client; `src/engine/library-embedder.ts` (the
 * embedder `new Memory(config)` builds from a model name, never in the extension) a clear refusal.
 * TypeScript, the unit tests and Firefox's build see the files themselves.
 */
const PER_BROWSER_MODULES = ['src/background/hub-embedder.ts', 'src/engine/library-embedder.ts'];
const PER_BROWSER_NAMES = PER_BROWSER_MODULES.map((file) => path.basename(file, '.ts'));

function perBrowserModules(browser: string): Plugin {
  const root = path.dirname(fileURLToPath(import.meta.url));
  // Every browser but Firefox runs the background as a service worker, as Chrome does.
  const swapped = new Map(browser === 'firefox' ? [] : PER_BROWSER_MODULES.map((file) => [path.join(root, file), path.join(root, file.replace(/\.ts$/, '.chrome.ts'))]));
  return {
    name: 'engram:per-browser-modules',
    enforce: 'pre',
    resolveId: {
      // Only the imports that can name one of them reach the handler (a hook filter, read by rolldown).
      filter: { id: new RegExp(`(${PER_BROWSER_NAMES.join('|')})(\\.ts)?$`) },
      async handler(source, importer, options) {
        if (!importer) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        const target = resolved && swapped.get(resolved.id);
        if (target && !existsSync(target)) throw new Error(`engram:per-browser-modules: ${target} is missing`);
        return target ?? null;
      },
    },
  };
}

/**
 * The build mode whose output carries the demo content script (entrypoints/demo.content.ts, for the
 * built-in demo chat site on localhost/127.0.0.1). `npm start` and `npm test` build with
 * `wxt build --mode development` into .output/chrome-mv3-dev; the store build (`npm run build`,
 * `wxt build`, `wxt zip`: mode production, .output/chrome-mv3) runs on the real chat sites only.
 */
export const DEMO_MODE = 'development';

/** Any https site the user may turn Engram on for (an optional permission, one origin at a time). */
const GENERIC_SITES_RANGE = 'https://*/*';

/**
 * The end-to-end tests' "other chat site" (test/e2e/generic-site.spec.ts). The development build
 * holds its permission already, because a test cannot click the browser's permission prompt; the
 * popup still asks (granted at once), and registers the script as for any site.
 */
export const GENERIC_TEST_ORIGIN = 'https://chat.example.org';

/** A match pattern (`https://huggingface.co/*`) as a CSP source (`https://huggingface.co`). */
function cspSource(pattern: string, anyPort = false): string {
  const origin = pattern.replace(/\/\*$/, '');
  return anyPort ? `${origin}:*` : origin;
}

/**
 * `connect-src` of the extension's pages, service worker and offscreen document: the extension
 * itself, and only the hosts an optional model may need (README: "Hosts Engram may contact"), built
 * from the same constants as `optional_host_permissions` so the two cannot drift. Local model
 * servers listen on any port. Chromium's CSP cannot express an IPv6 literal (`http://[::1]:*` is
 * an invalid source it ignores), so the loopback address is reachable as localhost or 127.0.0.1.
 */
export const CONNECT_SRC: readonly string[] = [
  "'self'",
  ...new Set([...HUB_ORIGINS, ...WEBLLM_HOST_ORIGINS].map((pattern) => cspSource(pattern))),
  ...LOCAL_SERVER_ORIGINS.filter((pattern) => !pattern.includes('[')).map((pattern) => cspSource(pattern, true)),
];

/**
 * Engram's add-on id in Firefox (browser_specific_settings.gecko.id). addons.mozilla.org ties the
 * listing to it for good with the first upload; the Firefox end-to-end tests pin the extension's
 * moz-extension:// UUID by it (test/firefox/firefox.ts).
 */
export const GECKO_ID = 'engram@on-device-memory';

/**
 * The oldest Firefox the Firefox build installs in: 142, the first whose desktop and Android builds
 * both read `data_collection_permissions` (required by addons.mozilla.org for new add-ons). The
 * background page, MV3 `action`, `scripting.registerContentScripts` and `wasm-unsafe-eval` are older.
 */
export const FIREFOX_MIN_VERSION = '142.0';

export default defineConfig({
  imports: false,
  // One code base, two builds: `wxt build` (Chrome: a service worker and an offscreen document for
  // WebLLM) and `wxt build -b firefox --mv3` (Firefox: an event page that hosts WebLLM itself, see
  // src/background/llm-host.ts). Only the manifest and the build's plugins differ here.
  manifest: ({ browser }) => ({
    name: 'Engram',
    description:
      'On-device memory for ChatGPT, Claude, Gemini, Perplexity, DeepSeek and Grok: remembers what you tell them, and never sends it anywhere.',
    // contextMenus: "Pause Engram" on the toolbar button's menu. scripting: the content script of a
    // site the user turns Engram on for, registered for that origin only. activeTab: the popup sees
    // which site the user is on when they click Engram's button, to offer turning it on there.
    // offscreen (Chrome only): the document that hosts WebLLM; Firefox's background page hosts it.
    permissions: ['storage', 'unlimitedStorage', 'alarms', ...(browser === 'firefox' ? [] : ['offscreen']), 'contextMenus', 'scripting', 'activeTab'],
    commands: {
      // Manual mode: put the memories for what is in the composer into it. Changeable at
      // chrome://extensions/shortcuts (and Firefox's add-on shortcut settings).
      [INSERT_MEMORIES_COMMAND]: {
        suggested_key: { default: 'Alt+Shift+M' },
        description: 'Add the relevant memories to the message you are writing',
      },
    },
    // Asked for only when the user chooses to download a stronger embedding model (README: hosts),
    // or turns Engram on for another chat site: then for that one origin (https://*/* is only the
    // range an optional request may come from; nothing is granted at install).
    optional_host_permissions: [...new Set([...HUB_ORIGINS, ...WEBLLM_HOST_ORIGINS, ...LOCAL_SERVER_ORIGINS]), GENERIC_SITES_RANGE],
    content_security_policy: {
      extension_pages: `script-src 'self' 'wasm-unsafe-eval'; object-src 'self'; connect-src ${CONNECT_SRC.join(' ')}`,
    },
    action: { default_title: 'Engram memories' },
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            // Engram collects nothing: what it remembers stays in this browser (README: privacy).
            gecko: { id: GECKO_ID, strict_min_version: FIREFOX_MIN_VERSION, data_collection_permissions: { required: ['none'] } },
          },
        }
      : {}),
  }),
  zip: {
    // `wxt zip -b firefox` also packs the sources addons.mozilla.org asks for with a bundled add-on;
    // what is generated (the bundled model: `npm run build:firefox` rebuilds it) or left by tests is not sources.
    excludeSources: ['test-results/**', 'playwright-report/**', 'public/models/**', 'bench/results.raw.json', 'web-ext-artifacts/**'],
  },
  vite: ({ browser }) => ({
    // Firefox: three dependencies reshaped (not changed in what they do) for addons.mozilla.org's linter.
    plugins: [keepOrtWasmExternal(), hnswlibCsp(), perBrowserModules(browser), ...(browser === 'firefox' ? firefoxPlugins() : [])],
    resolve: {
      // The embedder runs on the CPU (WASM); the WebGPU/JSEP build would add 14 MB for nothing.
      alias: { 'onnxruntime-web/webgpu': 'onnxruntime-web/wasm' },
    },
    // Vite warns about chunks over this size (kB), a hint for pages downloaded over a network. An
    // extension's files are read from its package, and its two big chunks are whole runtimes that
    // cannot be split: the offscreen document holds WebLLM (@mlc-ai/web-llm with its TVM runtime,
    // ~6.1 MB, loaded only when the user turns on the on-device LLM, and in Chrome transformers.js
    // with onnxruntime-web's JS, ~1.8 MB unminified; its 14 MB WASM is shipped apart, under /ort/).
    // The limit sits above both, so the warning only fires if a bundle grows well past them.
    build: { chunkSizeWarningLimit: 8192, ...(process.env.ENGRAM_NO_MINIFY ? { minify: false } : {}) },
  }),
  hooks: {
    'build:manifestGenerated': (wxt, manifest) => {
      if (wxt.config.mode === DEMO_MODE) manifest.host_permissions = [...((manifest.host_permissions as string[] | undefined) ?? []), `${GENERIC_TEST_ORIGIN}/*`];
    },
    'entrypoints:resolved': (wxt, entrypoints) => {
      // Removed rather than marked skipped: a skipped entrypoint makes every build and `wxt
      // prepare` (run by npm install) print a warning, though leaving it out is intended. The demo
      // site's script is in the development build only; the offscreen document in Chrome's only.
      const leftOut = [...(wxt.config.mode === DEMO_MODE ? [] : ['demo']), ...(wxt.config.browser === 'firefox' ? ['offscreen'] : [])];
      for (const name of leftOut) {
        const at = entrypoints.findIndex((entrypoint) => entrypoint.name === name);
        if (at >= 0) entrypoints.splice(at, 1);
      }
    },
    'build:publicAssets': (_wxt, files) => {
      files.push({
        absoluteSrc: new URL(
          './node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
          import.meta.url,
        ).pathname,
        relativeDest: 'ort/ort-wasm-simd-threaded.wasm',
      });
    },
  },
});
