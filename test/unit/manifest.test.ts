// @vitest-environment node
/**
 * The manifests Engram ships, read from real builds: the store build (`wxt build`, mode
 * production) and the development build that `npm start` and `npm test` load (`wxt build --mode
 * development`), both built once into a temporary directory, never into .output.
 *
 * - The store build injects content scripts into the real chat sites only (https), never into a
 *   local page: the built-in demo site's content script exists only in the development build.
 * - The extension pages' CSP limits `connect-src` to the extension itself and the hosts an optional
 *   model may need (README: "Hosts Engram may contact"), so "no network" is not enforced by code
 *   alone.
 */
import { build, type Logger } from 'wxt';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_ORIGINS } from '../../src/engine/models';
import { INSERT_MEMORIES_COMMAND } from '../../src/core/control';
import { LOCAL_SERVER_ORIGINS, WEBLLM_HOST_ORIGINS } from '../../src/adapters/llm/hosts';

interface Manifest {
  content_scripts?: { matches: string[]; js: string[] }[];
  content_security_policy: { extension_pages: string };
  optional_host_permissions?: string[];
  host_permissions?: string[];
  permissions?: string[];
  commands?: Record<string, { suggested_key?: { default?: string }; description?: string }>;
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

const CHAT_SITES = ['chatgpt.com', 'chat.openai.com', 'claude.ai', 'gemini.google.com', 'www.perplexity.ai', 'perplexity.ai', 'chat.deepseek.com', 'grok.com'];
const LOOPBACK = /^[a-z*]+:\/\/(localhost|127\.0\.0\.1|\[::1\])(?::[\d*]+)?\//;

const contentScriptMatches = (m: Manifest): string[] => (m.content_scripts ?? []).flatMap((c) => c.matches);

/** The CSP's directives, each as its list of sources. */
function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources);
  }
  return map;
}

/** A manifest match pattern's origin (`https://huggingface.co/*` → `https://huggingface.co`). */
const originOf = (pattern: string): string => new URL(pattern.replace(/\/\*$/, '/')).origin;

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
    expect(new Set(matches)).toEqual(
      new Set([
        'https://chatgpt.com/*',
        'https://chat.openai.com/*',
        'https://claude.ai/*',
        'https://gemini.google.com/*',
        'https://www.perplexity.ai/*',
        'https://perplexity.ai/*',
        'https://chat.deepseek.com/*',
        'https://grok.com/*',
      ]),
    );
  });

  it('does not ship the demo content script at all', () => {
    const scripts = (built.store.manifest.content_scripts ?? []).flatMap((c) => c.js);
    expect(scripts).not.toContain('content-scripts/demo.js');
    expect(existsSync(join(built.store.dir, 'content-scripts', 'demo.js'))).toBe(false);
  });

  it('asks for no host permission up front, only optional ones', () => {
    expect(built.store.manifest.host_permissions ?? []).toEqual([]);
  });

  it('may ask for one https site at a time when the user turns Engram on there, never <all_urls>', () => {
    const optional = built.store.manifest.optional_host_permissions ?? [];
    expect(optional).toContain('https://*/*');
    expect(optional).not.toContain('<all_urls>');
    expect(JSON.stringify(built.store.manifest)).not.toContain('<all_urls>');
    // The run-time script is built, and is in no manifest content script.
    expect(existsSync(join(built.store.dir, 'content-scripts', 'generic.js'))).toBe(true);
    expect((built.store.manifest.content_scripts ?? []).flatMap((c) => c.js)).not.toContain('content-scripts/generic.js');
  });

  it('asks only for the permissions it uses (pause menu, run-time scripts for sites the user turns on, the current tab when asked)', () => {
    expect([...(built.store.manifest.permissions ?? [])].sort()).toEqual(['activeTab', 'alarms', 'contextMenus', 'offscreen', 'scripting', 'storage', 'unlimitedStorage']);
  });

  it('declares the "add memories" shortcut as an extension command the user can change', () => {
    const command = built.store.manifest.commands?.[INSERT_MEMORIES_COMMAND];
    expect(command?.suggested_key?.default).toBe('Alt+Shift+M');
    expect(command?.description).toMatch(/memories/i);
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

describe('content security policy of the extension pages, worker and offscreen document', () => {
  const csp = () => directives(built.store.manifest.content_security_policy.extension_pages);

  it("connect-src is exactly 'self' and the hosts of the optional models and local servers", () => {
    const hosted = [...HUB_ORIGINS, ...WEBLLM_HOST_ORIGINS].map(originOf);
    // A local model server listens on any port. Chromium's CSP has no syntax for an IPv6 literal
    // (it ignores `http://[::1]:*` as invalid), so [::1] is reached as localhost.
    const local = LOCAL_SERVER_ORIGINS.filter((p) => !p.includes('[')).map((p) => `${originOf(p)}:*`);
    const connect = csp().get('connect-src');
    expect(connect).toBeDefined();
    expect(connect!.length).toBe(new Set(connect).size);
    expect(new Set(connect)).toEqual(new Set(["'self'", ...hosted, ...local]));
    expect(new Set(local)).toEqual(new Set(['http://localhost:*', 'http://127.0.0.1:*']));
  });

  it('connect-src names no wildcard host, no scheme-wide source, and nothing the permissions do not', () => {
    // The other-sites range (https://*/*) is for content scripts the user turns on, never a connect-src.
    const permitted = new Set((built.store.manifest.optional_host_permissions ?? []).filter((p) => !p.includes('*/')).map(originOf));
    for (const source of csp().get('connect-src')!.filter((s) => s !== "'self'")) {
      expect(source, source).toMatch(/^https?:\/\/[a-z0-9.-]+(:\*)?$/);
      expect(permitted.has(source.replace(/:\*$/, '')), source).toBe(true);
      // Plain http only to a server on this machine; everything else is https.
      if (source.startsWith('http:')) expect(source, source).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\*$/);
    }
  });

  it("keeps scripts to the extension's own files, with WebAssembly compilation allowed", () => {
    expect(csp().get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp().get('object-src')).toEqual(["'self'"]);
  });
});
