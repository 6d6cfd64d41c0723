/**
 * The send path in the built extension: memories are prefetched while the user types (and never
 * shown to the page before the send), a memory forgotten after its prefetch is not sent, and a send
 * after the service worker was stopped still carries its memories. Assertions are on what the chat
 * site receives, never on timings (those are `npm run bench`'s).
 */
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, openNewChat, popupMemories, sendPrompt, SITES, stopServiceWorkers, test } from './fixtures';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';


const [site] = SITES;
if (!site) throw new Error('no site');

test('a prompt typed at a human pace goes out with memories prefetched while typing, which the page never saw before the send', async ({
  context,
  extensionId,
  received,
}) => {
  await sendPrompt(await openNewChat(context, site), site, FACT);
  await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);

  const page = await openNewChat(context, site);
  await page.locator(site.composer).click();
  await page.keyboard.type(QUESTION, { delay: 60 });
  await page.waitForTimeout(400); // a pause before Enter: the prefetch of this text has answered
  // Prefetched, yet nothing of it is on the page: not in the composer, not anywhere in the DOM.
  expect(await page.locator(site.composer).textContent()).toBe(QUESTION);
  expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain('vegetarian');
  const before = received.length;
  await page.keyboard.press('Enter');
  await expect.poll(() => received.length).toBe(before + 1);
  const prompt = received.at(-1)?.prompt ?? '';
  expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
  expect(prompt).toContain('vegetarian');
  expect(prompt.endsWith(QUESTION)).toBe(true);
});

test('a memory forgotten in the popup after its prefetch is not sent', async ({ context, extensionId, received }) => {
  await sendPrompt(await openNewChat(context, site), site, FACT);
  await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);

  const page = await openNewChat(context, site);
  await page.locator(site.composer).click();
  await page.keyboard.type(QUESTION, { delay: 30 });
  await page.waitForTimeout(400); // prefetched, with both memories

  // The user forgets both in the popup while the prompt waits in the composer.
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const forget = popup.getByRole('button', { name: /^Forget/ });
  await forget.first().click();
  await expect(popup.getByTestId('memory')).toHaveCount(1);
  await forget.first().click();
  await expect(popup.getByTestId('empty')).toBeVisible();
  await popup.close();

  await page.bringToFront();
  await page.locator(site.composer).click();
  const before = received.length;
  await page.keyboard.press('Enter');
  await expect.poll(() => received.length).toBe(before + 1);
  expect(received.at(-1)?.prompt).toBe(QUESTION);
});

test('after the service worker was stopped, the next typed prompt still goes out with its memories', async ({ context, extensionId, received }) => {
  await sendPrompt(await openNewChat(context, site), site, FACT);
  await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);
  const page = await openNewChat(context, site);
  for (let i = 0; i < 2; i++) {
    await stopServiceWorkers(page); // as Chrome does after 30 s idle, while the user reads the answer
    await sendPrompt(page, site, `${QUESTION}${i ? ' Somewhere quiet, please.' : ''}`);
    const prompt = received.at(-1)?.prompt ?? '';
    expect(prompt.startsWith(BLOCK_HEADER), prompt).toBe(true);
    expect(prompt).toContain('Berlin');
  }
});
