/**
 * Any other chat site, turned on from the popup: on https://chat.example.org (a chat page Engram has
 * no adapter for) nothing is captured or added until the user turns Engram on there from the popup,
 * which asks for that one site's permission (the development build holds it already: a test cannot
 * click the browser's prompt) and registers the generic content script for that origin only; then a
 * fact told is remembered and the next related prompt gets it; turned off, neither happens again.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, openNewChat, OTHER_SITE, popupMemories, sendPrompt, test } from './fixtures';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';

/** The popup as its own window, as a click on Engram's button opens it over the chat page. */
async function openPopup(context: BrowserContext, extensionId: string): Promise<Page> {
  const worker = context.serviceWorkers()[0]!;
  const opened = context.waitForEvent('page');
  await worker.evaluate((url) => chrome.windows.create({ url, type: 'popup', width: 420, height: 640 }), `chrome-extension://${extensionId}/popup.html`);
  const popup = await opened;
  await popup.waitForLoadState();
  return popup;
}

test('turned on for another chat site from the popup, Engram remembers and injects there; turned off, it does neither', async ({
  context,
  extensionId,
  received,
}) => {
  const page = await openNewChat(context, OTHER_SITE);
  await sendPrompt(page, OTHER_SITE, 'I have a cat named Tom');
  expect(received.at(-1)?.prompt).toBe('I have a cat named Tom');

  // The popup offers this site; the user turns Engram on.
  const popup = await openPopup(context, extensionId);
  const on = popup.getByRole('button', { name: 'Turn on for chat.example.org' });
  await expect(on).toBeVisible();
  await on.click();
  await expect(popup.getByRole('button', { name: 'Turn off for chat.example.org' })).toBeVisible();
  await expect(popup.getByRole('status')).toContainText('Engram is on for chat.example.org');
  const worker = context.serviceWorkers()[0]!;
  const registered = await worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches));
  expect(registered).toEqual([['https://chat.example.org/*']]);
  await popup.close();

  // The open page works at once, without a reload.
  await page.bringToFront();
  await sendPrompt(page, OTHER_SITE, FACT);
  await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);
  expect((await popupMemories(context, extensionId)).join(' ')).not.toContain('Tom'); // said before it was on
  const next = await openNewChat(context, OTHER_SITE);
  await sendPrompt(next, OTHER_SITE, QUESTION);
  const prompt = received.at(-1)?.prompt ?? '';
  expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
  expect(prompt).toContain('Berlin');
  expect(prompt.endsWith(QUESTION)).toBe(true);

  // Turned off: nothing is captured or added, even after a reload.
  const again = await openPopup(context, extensionId);
  await again.getByRole('button', { name: 'Turn off for chat.example.org' }).click();
  await expect(again.getByRole('status')).toContainText('Engram is off for chat.example.org');
  expect(await worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).length)).toBe(0);
  await again.close();
  const after = await openNewChat(context, OTHER_SITE);
  await sendPrompt(after, OTHER_SITE, QUESTION);
  expect(received.at(-1)?.prompt).toBe(QUESTION);
  await sendPrompt(after, OTHER_SITE, 'I work at the library');
  await after.waitForTimeout(1500);
  expect(await popupMemories(context, extensionId)).toHaveLength(2);
});
