/**
 * `npm start -- --firefox`: as `npm start` does with Chromium, in Debian's firefox-esr: Engram's
 * Firefox development build installed as a temporary add-on (as about:debugging's "Load Temporary
 * Add-on" does) on a fresh profile, on the built-in demo chat site. With no display (or with
 * --headless) it runs the demo by itself and exits 0 when Engram captured and injected.
 *
 * Firefox is driven by puppeteer-core over WebDriver BiDi (as test/firefox does): with
 * `--remote-allow-system-access` it may open the extension's pages, whose UUID is pinned.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../setup.mjs';
import { DEV_FIREFOX_DIR } from './setup.mjs';

/** The add-on's moz-extension:// UUID for this run (any fixed one; Firefox picks a random one otherwise). */
const UUID = '0e7a6d1c-5f3b-4d8e-9a21-6c4b2f8e1d37';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `check` until it is truthy (false after `timeoutMs`). */
async function until(check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return true;
    await sleep(200);
  }
  return false;
}

/**
 * @param {{ firefox: string, headless: boolean }} options
 * @returns {Promise<number>} the exit code
 */
export async function startFirefox({ firefox, headless }) {
  const { default: puppeteer } = await import('puppeteer-core');
  const { startDemoServer } = await import('../demo-server.mjs');
  const manifest = JSON.parse(readFileSync(join(DEV_FIREFOX_DIR, 'manifest.json'), 'utf8'));
  const origin = `moz-extension://${UUID}`;
  const profile = mkdtempSync(join(tmpdir(), 'engram-demo-firefox-'));
  const server = await startDemoServer(Number(process.env.ENGRAM_DEMO_PORT ?? 0));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefox,
    headless,
    userDataDir: profile,
    defaultViewport: headless ? { width: 1100, height: 800 } : null,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [manifest.browser_specific_settings.gecko.id]: UUID }) },
  });
  const cleanUp = async () => {
    await browser.close().catch(() => undefined);
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  };
  await browser.installExtension(DEV_FIREFOX_DIR);
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  await page.goto(server.url);

  if (!headless) {
    console.log(`\nEngram is loaded in Firefox (a temporary add-on). Demo chat: ${server.url}`);
    console.log(`Popup: Engram's toolbar button (or the puzzle icon → Engram), or ${origin}/popup.html`);
    console.log('Close the browser window to stop.');
    await new Promise((resolve) => browser.once('disconnected', resolve));
    await cleanUp();
    return 0;
  }

  // A new install reviews what is added (see scripts/start.mjs): Enter after the panel showed the
  // memories sends them; a send before it is held once, and a second Enter sends.
  const assistant = '[data-message-author-role="assistant"]';
  const replies = () => page.$$eval(assistant, (nodes) => nodes.length);
  const say = async (text) => {
    const before = await replies();
    await page.click('#prompt-textarea');
    await page.keyboard.type(text, { delay: 20 });
    await sleep(600); // the pause before Enter: the panel has its memories
    await page.keyboard.press('Enter');
    if (!(await until(async () => (await replies()) > before, 5000))) {
      await page.keyboard.press('Enter');
      await until(async () => (await replies()) > before, 30_000);
    }
  };
  const memories = async () => {
    const popup = await browser.newPage();
    const url = `${origin}/popup.html`;
    // BiDi never reports a moz-extension:// navigation as done: the page's DOM says when it is.
    popup.goto(url, { timeout: 0 }).catch(() => undefined);
    await until(() => popup.evaluate((u) => location.href === u && !!document.querySelector('[data-testid="memory"], [data-testid="empty"]'), url), 30_000);
    const texts = await popup.$$eval('[data-testid="memory"] .memory-text', (nodes) => nodes.map((n) => n.textContent)).catch(() => []);
    await popup.close();
    return texts;
  };

  console.log(`\nEngram demo in Firefox (headless; no display found). Demo chat: ${server.url}`);
  await say("I'm vegetarian and I live in Berlin");
  let captured = [];
  for (let i = 0; i < 40 && captured.length === 0; i++) {
    captured = await memories();
    if (captured.length === 0) await sleep(250);
  }
  console.log('\nCaptured as memories:');
  for (const m of captured) console.log(`  • ${m}`);

  await page.goto(server.url); // a new chat
  await say('Can you suggest a restaurant near me for tonight?');
  console.log('\nThe prompt the chat site received for "Can you suggest a restaurant near me for tonight?":');
  console.log((server.prompts.at(-1) ?? '(none)').replace(/^/gm, '  │ '));

  const shots = join(ROOT, '.output');
  mkdirSync(shots, { recursive: true });
  const screenshot = join(shots, 'demo-screenshot-firefox.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`\nScreenshot: ${screenshot}`);
  await cleanUp();
  const injected = (server.prompts.at(-1) ?? '').startsWith('[Engram memory');
  if (captured.length === 0 || !injected) {
    console.error('\nThe demo did not capture or inject as expected.');
    return 1;
  }
  return 0;
}
