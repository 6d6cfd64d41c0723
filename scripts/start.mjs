/**
 * `npm start`: installs what is missing, builds, and opens Chromium with Engram loaded on the
 * built-in demo chat site. With no display (or with --headless) it runs the demo by itself:
 * tells the assistant a fact, asks a question in a new chat, prints what Engram captured and
 * injected and where the screenshot is, and exits 0.
 *
 * `npm start -- --firefox`: the same in Debian's firefox-esr (scripts/firefox/start.mjs), with the
 * Firefox development build.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, DEV_EXTENSION_DIR, ensureSetup, ROOT } from './setup.mjs';
import { buildFirefoxDev, ensureFirefox } from './firefox/setup.mjs';

const headless = process.argv.includes('--headless') || !process.env.DISPLAY;

if (process.argv.includes('--firefox')) {
  ensureSetup({ browser: false });
  const firefox = ensureFirefox();
  if (!firefox.ok) {
    console.error(`\n${firefox.reason}`);
    process.exit(1);
  }
  buildFirefoxDev();
  const { startFirefox } = await import('./firefox/start.mjs');
  process.exit(await startFirefox({ firefox: firefox.path, headless }));
}

ensureSetup();
const { chromium } = await import('playwright-core');
const { startDemoServer } = await import('./demo-server.mjs');

const extension = DEV_EXTENSION_DIR;
const profile = mkdtempSync(join(tmpdir(), 'engram-demo-'));
const server = await startDemoServer(Number(process.env.ENGRAM_DEMO_PORT ?? 0));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless,
  viewport: headless ? { width: 1100, height: 800 } : null,
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--disable-extensions-except=${extension}`,
    `--load-extension=${extension}`,
  ],
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const extensionId = new URL(worker.url()).host;
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(server.url);

if (!headless) {
  console.log(`\nEngram is loaded. Demo chat: ${server.url}`);
  console.log(`Popup: chrome-extension://${extensionId}/popup.html  (or the toolbar's puzzle icon → Engram)`);
  console.log('Close the browser window to stop.');
  await new Promise((resolve) => context.on('close', resolve));
  await server.close();
  rmSync(profile, { recursive: true, force: true });
} else {
  // A new install reviews what is added: while the user types, a panel above the message box lists
  // the memories; Enter sends with them. A send before the panel showed them is held once, so the
  // user sees them first: then a second Enter sends (as the user would after reading the panel).
  const say = async (text) => {
    const replies = await page.locator('[data-message-author-role="assistant"]').count();
    await page.locator('#prompt-textarea').click();
    await page.keyboard.type(text, { delay: 20 });
    await page.waitForTimeout(600); // the pause before Enter: the panel has its memories
    await page.keyboard.press('Enter');
    const reply = page.locator('[data-message-author-role="assistant"]').nth(replies);
    const answered = await reply.waitFor({ timeout: 5000 }).then(() => true, () => false);
    if (!answered) {
      await page.keyboard.press('Enter');
      await reply.waitFor();
    }
  };
  const memories = async () => {
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    await popup.locator('[data-testid="memory"], [data-testid="empty"]').first().waitFor();
    const texts = await popup.locator('[data-testid="memory"] .memory-text').allTextContents();
    await popup.close();
    return texts;
  };

  console.log(`\nEngram demo (headless; no display found). Demo chat: ${server.url}`);
  await say("I'm vegetarian and I live in Berlin");
  let captured = [];
  for (let i = 0; i < 40 && captured.length === 0; i++) {
    captured = await memories();
    if (captured.length === 0) await page.waitForTimeout(250);
  }
  console.log('\nCaptured as memories:');
  for (const m of captured) console.log(`  • ${m}`);

  await page.goto(server.url); // a new chat
  await say('Can you suggest a restaurant near me for tonight?');
  console.log('\nThe prompt the chat site received for "Can you suggest a restaurant near me for tonight?":');
  console.log((server.prompts.at(-1) ?? '(none)').replace(/^/gm, '  │ '));

  const shots = join(ROOT, '.output');
  mkdirSync(shots, { recursive: true });
  const screenshot = join(shots, 'demo-screenshot.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`\nScreenshot: ${screenshot}`);
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
  const injected = (server.prompts.at(-1) ?? '').startsWith('[Engram memory');
  if (captured.length === 0 || !injected) {
    console.error('\nThe demo did not capture or inject as expected.');
    process.exit(1);
  }
}
