// @vitest-environment node
/**
 * The manifests Engram ships, read from real builds: the store build (`wxt build`, mode
 * production) and the development build that `npm start` and `npm test` load (`wxt build --mode
 * development`), both built once into a temporary directory, never into .output.
 *
 * - The store build injects content scripts into the real chat sites only (https), never into a
 *   local page: the built-in demo site's content script exists only in the development build.
 */
import { build, type Logger } from 'wxt';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Manifest {
  content_scripts?: { matches: string[]; js: string[] }[];
  content_security_policy: { extension_pages: string };
  optional_host_permissions?: string[];
  host_permissions?: string[];
}

/** WXT's progress and file listing stay out of the test output; errors do not. */
const quiet: Logger = {
  debug: () => undefined,
  log: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  success: () => undefined,
  error: (...args: unknown[]) => { console.error(...args); },
  fatal: (...args: unknown[]) => { console.error(...args); },
  level: 0,
};

let outDir = '';
const built: Record<'store' | 'dev', { dir: string; manifest: Manifest }> = {} as never;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'engram-manifest-'));
  for (const [key, mode, folder] of [['store', 'production', 'chrome-mv3'], ['dev', 'development', 'chrome-mv3-dev']] as const) {
    await build({ root: process.cwd(), outDir, mode, logger: quiet });
    const dir = join(outDir, folder);
    built[key] = { dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest };
  }
}, 600_000); // two full builds; no speed is asserted

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const CHAT_SITES = ['chatgpt.com', 'chat.openai.com', 'claude.ai'];
const LOOPBACK = /^[a-z*]+:\/\/(localhost|127\.0\.0\.1|\[::1\])(?::[\d*]+)?\//;

const contentScriptMatches = (m: Manifest): string[] => (m.content_scripts ?? []).flatMap((c) => c.matches);

describe('store build (wxt build: npm run build, wxt zip)', () => {
  it('injects content scripts into the https chat sites only, never into a local page', () => {
    const matches = contentScriptMatches(built.store.manifest);
    expect(matches.length).toBeGreaterThan(0);
    for (const pattern of matches) {
      expect(pattern, pattern).toMatch(/^https:\/\/[^/*]+\//);
      expect(CHAT_SITES, pattern).toContain(new URL(pattern.replace(/\*$/, '')).hostname);
      expect(pattern, pattern).not.toMatch(LOOPBACK);
      expect(pattern).not.toContain('engram-demo');
    }
    expect(new Set(matches)).toEqual(new Set(['https://chatgpt.com/*', 'https://chat.openai.com/*', 'https://claude.ai/*']));
  });

  it('does not ship the demo content script at all', () => {
    const scripts = (built.store.manifest.content_scripts ?? []).flatMap((c) => c.js);
    expect(scripts).not.toContain('content-scripts/demo.js');
    expect(existsSync(join(built.store.dir, 'content-scripts', 'demo.js'))).toBe(false);
  });

  it('asks for no host permission up front, only optional ones', () => {
    expect(built.store.manifest.host_permissions ?? []).toEqual([]);
  });
});

describe('development build (npm start, npm test)', () => {
  it('adds the demo content script, for the built-in demo site on this machine', () => {
    const demo = (built.dev.manifest.content_scripts ?? []).find((c) => c.js.includes('content-scripts/demo.js'));
    expect(new Set(demo?.matches)).toEqual(new Set(['http://localhost/engram-demo/*', 'http://127.0.0.1/engram-demo/*']));
    expect(existsSync(join(built.dev.dir, 'content-scripts', 'demo.js'))).toBe(true);
  });

  it('is otherwise the store build: same chat-site content scripts, same CSP', () => {
    const realSites = (m: Manifest) => contentScriptMatches(m).filter((p) => !p.includes('engram-demo')).sort();
    expect(realSites(built.dev.manifest)).toEqual(realSites(built.store.manifest));
    expect(built.dev.manifest.content_security_policy).toEqual(built.store.manifest.content_security_policy);
  });
});
