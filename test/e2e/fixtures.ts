/**
 * Playwright fixtures for Engram's end-to-end tests: Debian's Chromium with the development build
 * of the extension (.output/chrome-mv3-dev, `npm run build:dev`) on a fresh profile, the chat
 * sites served at their real URLs from local fixture pages through request routing, and every
 * prompt the "site" received recorded.
 */
import { test as base, chromium, expect, type BrowserContext, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ControlSettings } from '../../src/core/control';

/**
 * The development build (`wxt build --mode development`), which `npm start` and `npm test` build:
 * the store build plus the built-in demo site's content script (see DEMO_MODE in wxt.config.ts).
 */
export const EXTENSION_DIR = resolve('.output/chrome-mv3-dev');
const FIXTURES = resolve('test/fixtures/sites');
const SCRIPTED_CHAT = resolve('demo/scripted-chat.js');

export interface ChatSite {
  name: 'ChatGPT' | 'Claude' | 'Gemini' | 'Perplexity' | 'DeepSeek' | 'Grok' | 'Other site';
  /** Where a new chat starts. */
  newChatUrl: string;
  origin: string;
  fixture: string;
  composer: string;
  sendButton: string;
  /** Turns the fixture renders, to wait for a reply. */
  assistantTurn: string;
  /** The endpoint path that receives the prompt. */
  endpoint: RegExp;
}

export const SITES: readonly ChatSite[] = [
  {
    name: 'ChatGPT',
    newChatUrl: 'https://chatgpt.com/',
    origin: 'https://chatgpt.com',
    fixture: 'chatgpt.html',
    composer: '#prompt-textarea',
    sendButton: '#composer-submit-button',
    assistantTurn: '[data-message-author-role="assistant"]',
    endpoint: /\/backend-api\/conversation$/,
  },
  {
    name: 'Claude',
    newChatUrl: 'https://claude.ai/new',
    origin: 'https://claude.ai',
    fixture: 'claude.html',
    composer: '#live-chat-input',
    sendButton: '#live-send',
    assistantTurn: '.font-claude-response',
    endpoint: /\/completion$/,
  },
  // The other sites' fixtures post to one test endpoint (their real APIs are of no concern to Engram).
  {
    name: 'Gemini',
    newChatUrl: 'https://gemini.google.com/app',
    origin: 'https://gemini.google.com',
    fixture: 'gemini.html',
    composer: 'rich-textarea .ql-editor',
    sendButton: 'button.send-button',
    assistantTurn: 'model-response',
    endpoint: /^\/__engram\/send\//,
  },
  {
    name: 'Perplexity',
    newChatUrl: 'https://www.perplexity.ai/',
    origin: 'https://www.perplexity.ai',
    fixture: 'perplexity.html',
    composer: '#ask-input',
    sendButton: 'button[aria-label="Submit"]',
    assistantTurn: '[id^="markdown-content-"]',
    endpoint: /^\/__engram\/send\//,
  },
  {
    name: 'DeepSeek',
    newChatUrl: 'https://chat.deepseek.com/',
    origin: 'https://chat.deepseek.com',
    fixture: 'deepseek.html',
    composer: '#chat-input',
    sendButton: '#send-control',
    assistantTurn: '.ds-assistant-message-main-content',
    endpoint: /^\/__engram\/send\//,
  },
  {
    name: 'Grok',
    newChatUrl: 'https://grok.com/',
    origin: 'https://grok.com',
    fixture: 'grok.html',
    composer: '#grok-composer',
    sendButton: '#grok-submit',
    assistantTurn: '[data-testid="assistant-message"]',
    endpoint: /^\/__engram\/send\//,
  },
];

/**
 * A chat site Engram has no adapter for, where the user turns the generic one on from the popup
 * (test/e2e/generic-site.spec.ts). Not in SITES: Engram does nothing there until then.
 */
export const OTHER_SITE: ChatSite = {
  name: 'Other site',
  newChatUrl: 'https://chat.example.org/',
  origin: 'https://chat.example.org',
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

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  // A software WebGPU adapter (SwiftShader), so the local-AI capability check has a GPU to find.
  '--enable-unsafe-webgpu',
];

/** Launch Chromium with the built extension on `profileDir`, with the chat sites routed. */
export async function launchWithExtension(
  profileDir: string,
  received: ReceivedPrompt[],
  /** What the scripted assistant answers, in order; then "Noted.". */
  replies: string[] = [],
  /** More Chromium switches (e.g. `--log-net-log=…`). */
  extraArgs: readonly string[] = [],
  /**
   * The user's control settings to start with (null: leave the profile's own, e.g. a fresh
   * install's review mode). Default: automatic, what most tests are about.
   */
  control: Partial<ControlSettings> | null = { mode: 'automatic' },
  /** Keep the onboarding tab a new install opens (closed by default: most tests are about other things). */
  keepOnboardingTab = false,
): Promise<BrowserContext> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`No extension build at ${EXTENSION_DIR}: run \`npm run build:dev\` (or \`npm test\`) first.`);
  }
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      ...extraArgs,
    ],
  });
  if (!keepOnboardingTab) {
    const closeOnboarding = (page: Page): void => {
      const close = (): void => {
        if (page.url().endsWith('/onboarding.html')) void page.close().catch(() => undefined);
      };
      close();
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) close();
      });
    };
    context.pages().forEach(closeOnboarding);
    context.on('page', closeOnboarding);
  }
  for (const site of [...SITES, OTHER_SITE]) {
    await context.route(`${site.origin}/**`, async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      if (url.pathname === '/__engram/scripted-chat.js') {
        return route.fulfill({ contentType: 'text/javascript', body: readFileSync(SCRIPTED_CHAT, 'utf8') });
      }
      if (request.method() === 'POST' && site.endpoint.test(url.pathname)) {
        const body = request.postDataJSON() as { prompt: string };
        received.push({ site: site.name, prompt: body.prompt });
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ reply: replies.shift() ?? 'Noted.' }) });
      }
      if (request.resourceType() === 'document') {
        return route.fulfill({ contentType: 'text/html', body: readFileSync(join(FIXTURES, site.fixture), 'utf8') });
      }
      return route.fulfill({ status: 404, body: '' });
    });
  }
  if (control) await setControl(context, control);
  return context;
}

/** Change the user's control settings (injection mode, pause, consent) as the popup would. */
export async function setControl(context: BrowserContext, change: Partial<ControlSettings>): Promise<void> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  await worker.evaluate(async (patch) => {
    const { control } = await chrome.storage.local.get<{ control?: object }>('control');
    await chrome.storage.local.set({ control: { ...(control ?? {}), onboarded: true, ...patch } });
  }, change);
}

/** The extension's id, read from its service worker's URL. */
export async function extensionIdOf(context: BrowserContext): Promise<string> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  return new URL(worker.url()).host;
}

export interface EngramFixtures {
  profileDir: string;
  received: ReceivedPrompt[];
  /** Push what the scripted assistant should answer next. */
  replies: string[];
  context: BrowserContext;
  extensionId: string;
  /** The control settings the browser starts with (`test.use({ control: { mode: 'review' } })`). */
  control: Partial<ControlSettings> | null;
}

export const test = base.extend<EngramFixtures>({
  // eslint-disable-next-line no-empty-pattern
  profileDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'engram-profile-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  // eslint-disable-next-line no-empty-pattern
  received: async ({}, use) => {
    await use([]);
  },
  // eslint-disable-next-line no-empty-pattern
  replies: async ({}, use) => {
    await use([]);
  },
  control: [{ mode: 'automatic' }, { option: true }],
  context: async ({ profileDir, received, replies, control }, use) => {
    const context = await launchWithExtension(profileDir, received, replies, [], control);
    await use(context);
    await context.close();
  },
  extensionId: async ({ context }, use) => {
    await use(await extensionIdOf(context));
  },
});

export { expect };

/** Type `text` into the site's composer and send it, with Enter or the send button. */
export async function sendPrompt(page: Page, site: ChatSite, text: string, via: 'enter' | 'button' = 'enter') {
  const before = await page.locator(site.assistantTurn).count();
  const composer = page.locator(site.composer);
  await composer.click();
  await page.keyboard.type(text);
  if (via === 'enter') await page.keyboard.press('Enter');
  else await page.locator(site.sendButton).click();
  await expect(page.locator(site.assistantTurn)).toHaveCount(before + 1);
}

/** Stop the extension's service worker, as Chrome does after about 30 idle seconds. */
export async function stopServiceWorkers(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

/** Open a new chat on `site` in a fresh tab. */
export async function openNewChat(context: BrowserContext, site: ChatSite): Promise<Page> {
  const page = await context.newPage();
  await page.goto(site.newChatUrl);
  await expect(page.locator(site.composer)).toBeVisible();
  return page;
}

/** The memory texts the popup lists, read from a fresh popup page. */
export async function popupMemories(context: BrowserContext, extensionId: string): Promise<string[]> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.locator('[data-testid="memory"], [data-testid="empty"]').first()).toBeVisible();
  const texts = await popup.locator('[data-testid="memory"] .memory-text').allTextContents();
  await popup.close();
  return texts;
}
