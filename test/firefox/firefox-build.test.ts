/**
 * What differs in the Firefox build, checked on the build and in Firefox itself: its manifest
 * (the add-on id, the oldest Firefox, no data collected, an event page and no offscreen document),
 * JavaScript files small enough for addons.mozilla.org's linter, the toolbar button's badge, and
 * WebLLM hosted by the background page (src/background/llm-host.ts): the module imports and runs
 * there, and without WebGPU the local AI model says why and the rules extract.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBLLM_TIERS } from '../../src/adapters/llm/webllm-tiers';
import { NO_WEBGPU_IN_PAGE } from '../../src/background/llm-host';
import { AMO_MAX_JS_BYTES } from '../../scripts/firefox/vite-plugins';
import { FIREFOX_MIN_VERSION, GECKO_ID } from '../../wxt.config';
import { EXTENSION_DIR, FirefoxEngram, waitFor } from './firefox';

interface Manifest {
  manifest_version: number;
  permissions?: string[];
  background?: { scripts?: string[]; service_worker?: string; type?: string };
  browser_specific_settings?: { gecko?: { id?: string; strict_min_version?: string; data_collection_permissions?: { required?: string[] } } };
  content_scripts?: { matches: string[] }[];
}

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));

describe('the Firefox build', () => {
  const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Manifest;

  it('declares its add-on id, the oldest Firefox, and that it collects no data', () => {
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.browser_specific_settings?.gecko).toEqual({
      id: GECKO_ID,
      strict_min_version: FIREFOX_MIN_VERSION,
      data_collection_permissions: { required: ['none'] },
    });
  });

  it('has an event page, and no offscreen document or permission', () => {
    expect(manifest.background).toEqual({ type: 'module', scripts: ['background.js'] });
    expect(manifest.permissions).not.toContain('offscreen');
    expect(files(EXTENSION_DIR).map((f) => f.slice(EXTENSION_DIR.length))).not.toContain('/offscreen.html');
    expect(manifest.content_scripts?.flatMap((c) => c.matches)).toEqual(expect.arrayContaining(['https://chatgpt.com/*', 'https://claude.ai/*']));
  });

  it('has no JavaScript file too large for addons.mozilla.org to check', () => {
    const tooLarge = files(EXTENSION_DIR).filter((f) => f.endsWith('.js') && statSync(f).size > AMO_MAX_JS_BYTES);
    expect(tooLarge).toEqual([]);
  });
});

describe('the background page in Firefox', () => {
  let firefox: FirefoxEngram;
  beforeAll(async () => {
    firefox = await FirefoxEngram.launch();
  });
  afterAll(async () => {
    await firefox.close();
  });

  it('is hosted by the background page: no offscreen API, a document to import WebLLM into', async () => {
    const scope = await firefox.background((bg) => ({
      offscreen: typeof (bg.chrome as { offscreen?: unknown }).offscreen,
      document: typeof (bg as unknown as { document?: unknown }).document,
    }));
    expect(scope).toEqual({ offscreen: 'undefined', document: 'object' });
    // WebLLM's module (its WASM in chunks of its own) imports and runs in the background page:
    // deleting a model that was never downloaded reaches WebLLM's own code, which looks the model's
    // file list up on its host (done, or a fetch error on a machine with no internet). A module
    // that failed to import would say "error loading dynamically imported module".
    const outcome = await firefox.message('llmDelete', WEBLLM_TIERS[0]!.modelId).then(
      (reply) => JSON.stringify(reply),
      (error: unknown) => String(error),
    );
    expect(outcome).toMatch(/^\{"deleted":true\}$|NetworkError when attempting to fetch resource/);
  });

  it("shows a pause on the toolbar button's badge, as in Chrome", async () => {
    const badge = (): Promise<string> => firefox.background((bg) => bg.chrome.action.getBadgeText({}));
    await firefox.setControl({ paused: true });
    await waitFor(async () => (await badge()) === 'II', 'the paused badge');
    await firefox.setControl({ paused: false });
    await waitFor(async () => (await badge()) === '', 'the badge to clear');
  });

  it('says why it is unavailable without WebGPU, and the rules extract', async () => {
    const webgpu = await firefox.background((bg) => typeof (bg as unknown as { navigator: { gpu?: unknown } }).navigator.gpu);
    const status = (await firefox.message('llmStatus')) as { webgpu: { supported: boolean; reason?: string }; extractor: string };
    expect(status.extractor).toBe('rule-based');
    if (webgpu !== 'undefined') {
      // A Firefox with WebGPU in its background page: the check ran on the GPU itself.
      expect(typeof status.webgpu.supported).toBe('boolean');
      return;
    }
    expect(status.webgpu).toEqual({ supported: false, reason: NO_WEBGPU_IN_PAGE });
    await expect(firefox.message('llmEnable', 'default')).rejects.toThrow(/WebGPU/);
    // The options page tells the user.
    const options = await firefox.extensionPage('/options.html');
    await waitFor(async () => (await options.$eval('[data-testid="webgpu"]', (p) => p.textContent).catch(() => '')).includes(NO_WEBGPU_IN_PAGE), 'the options page to say why');
  });
});
