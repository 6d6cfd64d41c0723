/**
 * Engram in a real Firefox, for the Firefox end-to-end tests (test/firefox/*.test.ts, run by
 * `npm run test:firefox` and `npm test`; vitest.firefox.config.ts).
 *
 * Debian's firefox-esr, driven headless by puppeteer-core over WebDriver BiDi (no geckodriver), with
 * the Firefox development build (`wxt build -b firefox --mv3 --mode development`, into
 * .output/firefox-mv3-dev): installed as a temporary add-on (as about:debugging's "Load Temporary
 * Add-on" does), or into the profile as a permanent one (the restart test: the add-on stays
 * installed across the restart, as one from addons.mozilla.org does). The chat sites are served at
 * their real URLs from the same fixture pages as the Chromium tests (test/fixtures/sites, with
 * demo/scripted-chat.js), through request interception, so the manifest's own match patterns put
 * the content scripts in; every prompt a site receives is recorded.
 *
 * Extension pages: BiDi refuses to navigate a tab to moz-extension:// unless Firefox runs with
 * `--remote-allow-system-access`; even then it never reports the navigation as done, so a page is
 * waited for by its DOM. The add-on's UUID is pinned (pref `extensions.webextensions.uuids`) so its
 * pages have a known address. The background (an event page) is reached from an extension page with
 * `runtime.getBackgroundPage()`: `engram.memory` is on its global scope, as in Chrome's worker.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type HTTPRequest, type Page, type Target } from 'puppeteer-core';
import type { ControlSettings } from '../../src/core/control';

/** Debian's Firefox ESR (FIREFOX_PATH to use another Firefox 142 or newer). */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
/** The Firefox development build: the store build plus the demo site's script and the test site's permission. */
export const EXTENSION_DIR = resolve('.output/firefox-mv3-dev');
/** The add-on's moz-extension:// UUID in these tests (any fixed UUID: Firefox picks a random one otherwise). */
export const EXTENSION_UUID = '0e7a6d1c-5f3b-4d8e-9a21-6c4b2f8e1d37';
export const EXTENSION_ORIGIN = `moz-extension://${EXTENSION_UUID}`;

const FIXTURES = resolve('test/fixtures/sites');
const SCRIPTED_CHAT = resolve('demo/scripted-chat.js');

export interface ChatSite {
  name: 'ChatGPT' | 'Claude' | 'Other site';
  /** The site id Engram stores with a memory. */
  id: string;
  newChatUrl: string;
  host: string;
  fixture: string;
  composer: string;
  sendButton: string;
  /** The turns the fixture renders for the assistant, to wait for a reply. */
  assistantTurn: string;
  /** The endpoint path that receives the prompt. */
  endpoint: RegExp;
}

export const CHATGPT: ChatSite = {
  name: 'ChatGPT',
  id: 'chatgpt',
  newChatUrl: 'https://chatgpt.com/',
  host: 'chatgpt.com',
  fixture: 'chatgpt.html',
  composer: '#prompt-textarea',
  sendButton: '#composer-submit-button',
  assistantTurn: '[data-message-author-role="assistant"]',
  endpoint: /\/backend-api\/conversation$/,
};

export const CLAUDE: ChatSite = {
  name: 'Claude',
  id: 'claude',
  newChatUrl: 'https://claude.ai/new',
  host: 'claude.ai',
  fixture: 'claude.html',
  composer: '#live-chat-input',
  sendButton: '#live-send',
  assistantTurn: '.font-claude-response',
  endpoint: /\/completion$/,
};

export const SITES: readonly ChatSite[] = [CHATGPT, CLAUDE];

/**
 * A chat site Engram has no adapter for, where the user turns the generic one on from the popup
 * (the development build holds its permission already: a test cannot click the browser's prompt).
 */
export const OTHER_SITE: ChatSite = {
  name: 'Other site',
  id: 'generic',
  newChatUrl: 'https://chat.example.org/',
  host: 'chat.example.org',
  fixture: 'generic.html',
  composer: '#message',
  sendButton: '#send',
  assistantTurn: '.message.assistant',
  endpoint: /^\/__engram\/send\//,
};

/** A prompt as the chat site's server received it. */
export interface ReceivedPrompt {
  site: ChatSite['name'];
  prompt: string;
}

export interface LaunchOptions {
  /**
   * A profile directory kept by the caller (the restart test launches twice on one); absent: a
   * fresh profile, removed on close.
   */
  profileDir?: string;
  /**
   * `temporary`: installed over BiDi as a temporary add-on (gone when Firefox quits, like
   * about:debugging's). `profile`: in the profile's extensions folder, installed for good (unsigned
   * add-ons install on ESR with `xpinstall.signatures.required` off).
   */
  install?: 'temporary' | 'profile';
  /** The control settings to start with (null: the profile's own). Default: automatic mode. */
  control?: Partial<ControlSettings> | null;
  /** What the scripted assistant answers, in order; then "Noted.". */
  replies?: string[];
}

/** Poll `check` until it returns a truthy value (generous by default: a busy machine is slow, never wrong). */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The add-on's id, from the build's manifest (browser_specific_settings.gecko.id; GECKO_ID in wxt.config.ts). */
export function geckoId(): string {
  const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as { browser_specific_settings?: { gecko?: { id?: string } } };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${EXTENSION_DIR}/manifest.json has no gecko id: is it a Firefox build (wxt build -b firefox)?`);
  return id;
}

/**
 * Install the build into the profile for good: a proxy file (named by the add-on's id, holding the
 * build's path) in the profile's extensions folder, which Firefox reads at start-up like an XPI.
 */
function installInProfile(profileDir: string): void {
  const dir = join(profileDir, 'extensions');
  const proxy = join(dir, geckoId());
  if (existsSync(proxy) && readFileSync(proxy, 'utf8') === EXTENSION_DIR) return; // installed already: a restart
  mkdirSync(dir, { recursive: true });
  writeFileSync(proxy, EXTENSION_DIR);
}

/** Engram in a running Firefox. */
export class FirefoxEngram {
  readonly received: ReceivedPrompt[] = [];
  /** The tests' way into the background: an extension document with nothing running in it. */
  #bridge: Page | null = null;
  /** A page that may send Engram's messages (the background answers its own pages only). */
  #messenger: Page | null = null;

  private constructor(
    readonly browser: Browser,
    private readonly replies: string[],
    private readonly ownProfile: string | null,
  ) {}

  static async launch(options: LaunchOptions = {}): Promise<FirefoxEngram> {
    if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
      throw new Error(`No Firefox build at ${EXTENSION_DIR}: run \`npm run build:firefox:dev\` (or \`npm run test:firefox\`) first.`);
    }
    if (!existsSync(FIREFOX)) {
      throw new Error(`Firefox was not found at ${FIREFOX}: install it (Debian: apt-get install firefox-esr) or set FIREFOX_PATH.`);
    }
    const install = options.install ?? 'temporary';
    const ownProfile = options.profileDir ? null : mkdtempSync(join(tmpdir(), 'engram-firefox-'));
    const profileDir = options.profileDir ?? ownProfile!;
    if (install === 'profile') installInProfile(profileDir);
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      userDataDir: profileDir,
      // Firefox's own output (the background's console among it) when asked: ENGRAM_FIREFOX_LOG=1.
      dumpio: process.env.ENGRAM_FIREFOX_LOG === '1',
      args: ['--remote-allow-system-access'],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [geckoId()]: EXTENSION_UUID }),
        // The profile install: unsigned (ESR honours this), from the profile's folder, enabled.
        'xpinstall.signatures.required': false,
        'extensions.autoDisableScopes': 0,
        'extensions.enabledScopes': 15,
        // The background's console on Firefox's stdout (seen with ENGRAM_FIREFOX_LOG=1).
        'devtools.console.stdout.content': true,
        'devtools.console.stdout.chrome': true,
        'browser.dom.window.dump.enabled': true,
      },
    });
    const engram = new FirefoxEngram(browser, [...(options.replies ?? [])], ownProfile);
    try {
      if (install === 'temporary') await browser.installExtension(EXTENSION_DIR);
      // The background is up once it answers (its modules evaluated, `engram` on its scope).
      await waitFor(() => engram.background(() => true), 'the background page to start');
      if (options.control !== null) await engram.setControl(options.control ?? { mode: 'automatic' });
    } catch (error) {
      await engram.close();
      throw error;
    }
    return engram;
  }

  /** Say what the scripted assistant answers next. */
  reply(text: string): void {
    this.replies.push(text);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    if (this.ownProfile) rmSync(this.ownProfile, { recursive: true, force: true });
  }

  /** Open one of the extension's pages (`/popup.html`) in a new tab, and wait until it has loaded. */
  async extensionPage(path: string): Promise<Page> {
    const page = await this.browser.newPage();
    const url = `${EXTENSION_ORIGIN}${path}`;
    // Never reported as done over BiDi (see the top of this file): the DOM says when it is.
    page.goto(url, { timeout: 0 }).catch(() => undefined);
    await waitFor(
      () => page.evaluate((expected) => location.href === expected && document.readyState === 'complete', url),
      `${path} to load`,
    );
    return page;
  }

  /**
   * The popup in its own window, as a click on Engram's toolbar button opens it over the chat page.
   * The toolbar's popup is a panel of the browser window, so the tab the user is on stays the chat
   * page; a popup *window* takes the focus, and Firefox's `windows.getLastFocused` does not skip it
   * (it ignores `windowTypes`), so the chat page's window gets the focus back and the popup reads
   * the tab the user is on again.
   */
  async popupWindow(): Promise<Page> {
    const opened = new Promise<Page | null>((resolve) => {
      this.browser.once('targetcreated', (target: Target) => {
        resolve(target.page());
      });
    });
    const url = `${EXTENSION_ORIGIN}/popup.html`;
    await this.background(async (scope, address) => {
      const [normal] = await scope.chrome.windows.getAll({ windowTypes: ['normal'] });
      await scope.chrome.windows.create({ url: address, type: 'popup', width: 420, height: 640 });
      if (normal?.id !== undefined) await scope.chrome.windows.update(normal.id, { focused: true });
    }, url);
    const page = await opened;
    if (!page) throw new Error('the popup window opened no page');
    const loaded = (): Promise<boolean> =>
      page.evaluate((expected) => location.href === expected && document.readyState === 'complete' && !('engramTestReloaded' in window), url);
    await waitFor(loaded, 'the popup window to load');
    await page.evaluate(() => {
      Object.assign(window, { engramTestReloaded: true });
      location.reload();
    });
    await waitFor(loaded, 'the popup window to load again');
    return page;
  }

  /**
   * Run `fn` in an extension page with the background page's global scope (`engram`, `chrome`):
   * `fn` is serialised, so it must not close over anything; pass data as `arg`.
   */
  async background<T, A = undefined>(fn: (scope: BackgroundScope, arg: A) => T | Promise<T>, arg?: A): Promise<T> {
    this.#bridge ??= await this.#openBridge();
    const source = `(async () => {
      const scope = await chrome.runtime.getBackgroundPage();
      if (!scope || !scope.engram) throw new Error('the background page has not started Engram yet');
      return (${fn.toString()})(scope, ${JSON.stringify(arg ?? null)});
    })()`;
    return (await this.#bridge.evaluate(source)) as T;
  }

  async #openBridge(): Promise<Page> {
    // One of the extension's own files: it has the extension's APIs, and runs none of its code.
    return this.extensionPage('/icon/16.png');
  }

  /**
   * Send one of Engram's messages (src/messaging/protocol.ts) from an extension page, as the popup
   * and the options page do (the envelope is @webext-core/messaging's). Resolves with the reply, or
   * rejects with the background's error.
   */
  async message(type: string, data?: unknown): Promise<unknown> {
    this.#messenger ??= await this.extensionPage('/options.html');
    const reply = (await this.#messenger.evaluate(
      (t, d) => chrome.runtime.sendMessage({ id: Date.now(), type: t, data: d, timestamp: Date.now() }),
      type,
      data ?? null,
    )) as { res?: unknown; err?: { message?: string } } | undefined;
    if (!reply) throw new Error(`no reply to ${type}`);
    if (reply.err) throw new Error(reply.err.message ?? JSON.stringify(reply.err));
    return reply.res;
  }

  /** Change the user's control settings as the popup would (onboarded, so no first-run card). */
  async setControl(change: Partial<ControlSettings>): Promise<void> {
    await this.background(async (scope, patch) => {
      const { control } = await scope.chrome.storage.local.get<{ control?: object }>('control');
      await scope.chrome.storage.local.set({ control: { ...(control ?? {}), onboarded: true, ...patch } });
    }, change);
  }

  /** The memory texts in the store, read from the background. */
  async memories(): Promise<string[]> {
    return this.background(async (scope) => (await scope.engram.memory.getAll({ filters: { user_id: 'me' } })).results.map((m) => m.memory));
  }

  /** Wait until the store holds `count` memories, and return their texts. */
  async waitForMemories(count: number): Promise<string[]> {
    let texts: string[] = [];
    await waitFor(async () => (texts = await this.memories()).length === count, `${count} memories (have: ${JSON.stringify(texts)})`);
    return texts;
  }

  /** A new tab on `site`'s new-chat page, served from its fixture. */
  async openChat(site: ChatSite): Promise<Page> {
    const page = await this.browser.newPage();
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      void this.#route(request, site);
    });
    await page.goto(site.newChatUrl);
    await page.waitForSelector(site.composer, { visible: true });
    return page;
  }

  async #route(request: HTTPRequest, site: ChatSite): Promise<void> {
    const url = new URL(request.url());
    if (url.protocol === 'moz-extension:' || url.protocol === 'data:' || url.protocol === 'blob:') return request.continue();
    // Nothing leaves the machine: any other host gets a 404.
    if (url.hostname !== site.host) return request.respond({ status: 404, body: '' });
    if (url.pathname === '/__engram/scripted-chat.js') {
      return request.respond({ status: 200, contentType: 'text/javascript', body: readFileSync(SCRIPTED_CHAT, 'utf8') });
    }
    if (request.method() === 'POST' && site.endpoint.test(url.pathname)) {
      // BiDi has the body only on request (network.getData), not on the request event.
      const body = JSON.parse((await request.fetchPostData()) ?? '{}') as { prompt: string };
      this.received.push({ site: site.name, prompt: body.prompt });
      return request.respond({ status: 200, contentType: 'application/json', body: JSON.stringify({ reply: this.replies.shift() ?? 'Noted.' }) });
    }
    if (request.isNavigationRequest()) {
      return request.respond({ status: 200, contentType: 'text/html', body: readFileSync(join(FIXTURES, site.fixture), 'utf8') });
    }
    return request.respond({ status: 404, body: '' });
  }

  /** Type `text` into the composer and send it (Enter or the send button); wait for the reply. */
  async send(page: Page, site: ChatSite, text: string, via: 'enter' | 'button' = 'enter'): Promise<string> {
    const before = this.received.length;
    const replies = await page.$$eval(site.assistantTurn, (turns) => turns.length);
    await page.click(site.composer);
    await page.keyboard.type(text);
    if (via === 'enter') await page.keyboard.press('Enter');
    else await page.click(site.sendButton);
    await waitFor(() => this.received.length > before, `${site.name} to receive the prompt`);
    await waitFor(async () => (await page.$$eval(site.assistantTurn, (turns) => turns.length)) > replies, `${site.name}'s reply`);
    return this.received.at(-1)?.prompt ?? '';
  }
}

/** The button whose accessible name (aria-label, else its text) is `name`, once the page shows it. */
export async function buttonNamed(page: Page, name: string): Promise<ElementHandle<HTMLButtonElement>> {
  return waitFor(async () => {
    const handle = await page.evaluateHandle(
      (label) => [...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent.trim()) === label) ?? null,
      name,
    );
    const element = handle.asElement();
    if (element) return element as ElementHandle<HTMLButtonElement>;
    await handle.dispose();
    return null;
  }, `the button "${name}"`);
}

/** What the tests use of the background page's global scope. */
export interface BackgroundScope {
  chrome: typeof chrome;
  engram: {
    memory: {
      getAll(options: { filters: { user_id: string } }): Promise<{ results: { id: string; memory: string; site?: string; conversationId?: string }[] }>;
    };
  };
}
