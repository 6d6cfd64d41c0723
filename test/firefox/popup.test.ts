/**
 * The popup in Firefox (its page opened in a tab, as the Chromium tests do): it lists what was
 * remembered; a memory corrected there is injected as corrected; one forgotten there is never
 * injected again.
 */
import { afterEach, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { BLOCK_FOOTER, BLOCK_HEADER } from '../../src/inject/memory-block';
import { buttonNamed, CHATGPT, FirefoxEngram, waitFor } from './firefox';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';

let firefox: FirefoxEngram | null = null;
afterEach(async () => {
  await firefox?.close();
  firefox = null;
});

/** The memory texts the popup lists, once it has listed `count` (0: its empty state). */
async function listed(popup: Page, count: number): Promise<string[]> {
  return waitFor(async () => {
    const texts = await popup.$$eval('[data-testid="memory"] .memory-text', (nodes) => nodes.map((n) => n.textContent.trim()));
    if (count === 0) return texts.length === 0 && (await popup.$('[data-testid="empty"]')) !== null ? texts : null;
    return texts.length === count ? texts : null;
  }, `the popup to list ${count} memories`);
}

it('lists the memories; one corrected is injected as corrected, one forgotten never again', async () => {
  const engram = (firefox = await FirefoxEngram.launch());
  await engram.send(await engram.openChat(CHATGPT), CHATGPT, FACT);
  await engram.waitForMemories(2);

  const popup = await engram.extensionPage('/popup.html');
  expect((await listed(popup, 2)).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);

  // Edit: the field takes the place of the text; Enter saves.
  await (await buttonNamed(popup, 'Edit "I live in Berlin"')).click();
  const field = `textarea[aria-label=${JSON.stringify('Edit "I live in Berlin"')}]`;
  await popup.waitForSelector(field, { visible: true });
  await popup.$eval(field, (el) => {
    (el as HTMLTextAreaElement).select();
  });
  await popup.keyboard.type('I live in Munich');
  await popup.keyboard.press('Enter');
  await waitFor(async () => (await listed(popup, 2)).includes('I live in Munich'), 'the corrected memory in the list');

  // Forget.
  await (await buttonNamed(popup, 'Forget "I\'m vegetarian"')).click();
  expect(await listed(popup, 1)).toEqual(['I live in Munich']);
  expect(await engram.waitForMemories(1)).toEqual(['I live in Munich']);

  // The popup opened again shows the same.
  await popup.close();
  expect(await listed(await engram.extensionPage('/popup.html'), 1)).toEqual(['I live in Munich']);

  const prompt = await engram.send(await engram.openChat(CHATGPT), CHATGPT, QUESTION);
  expect(prompt.startsWith(BLOCK_HEADER), prompt).toBe(true);
  const block = prompt.slice(0, prompt.indexOf(BLOCK_FOOTER));
  expect(block).toContain('Munich');
  expect(prompt).not.toContain('Berlin');
  expect(prompt).not.toContain('vegetarian');
  expect(prompt.endsWith(QUESTION)).toBe(true);

  // Forgetting the last one leaves the popup empty, and the next prompt as typed.
  const again = await engram.extensionPage('/popup.html');
  await listed(again, 1);
  await (await buttonNamed(again, 'Forget "I live in Munich"')).click();
  await listed(again, 0);
  expect(await engram.send(await engram.openChat(CHATGPT), CHATGPT, QUESTION)).toBe(QUESTION);
});
