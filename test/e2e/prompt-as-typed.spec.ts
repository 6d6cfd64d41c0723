/**
 * The prompt as typed: whatever the user writes reaches the site exactly (several lines made with
 * Shift+Enter, a code block, pasted text, emoji, right-to-left scripts), behind one memory block;
 * Enter while an input method is composing does not send; a double Enter, or Enter then a click on
 * the send button, sends once with one block. On the ChatGPT and Claude fixture pages.
 */
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, openNewChat, popupMemories, sendPrompt, SITES, test } from './fixtures';

const QUESTION = 'Where should I eat tonight near me?';

for (const site of SITES) {
  test.describe(site.name, () => {
    test.beforeEach(async ({ context, extensionId }) => {
      await sendPrompt(await openNewChat(context, site), site, "I'm vegetarian and I live in Berlin");
      await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);
    });

    test('lines, a code block, pasted text, emoji and right-to-left text arrive exactly as typed', async ({ context, received }) => {
      const page = await openNewChat(context, site);
      await page.locator(site.composer).click();
      const lines = [QUESTION, '```js', 'const budget = 30; // €', '```', 'Ideas welcome 🍕🥗 🇩🇪', 'שלום — مرحبا بك'];
      for (const [i, line] of lines.entries()) {
        if (i > 0) await page.keyboard.press('Shift+Enter'); // a new line, never a send
        if (i === 2) await page.keyboard.insertText(line); // pasted
        else await page.keyboard.type(line);
      }
      expect(received.filter((r) => r.prompt.includes('Ideas'))).toEqual([]);
      const typed = (await page.evaluate((sel) => document.querySelector<HTMLElement>(sel)!.innerText, site.composer)).trim();
      await page.keyboard.press('Enter');
      await expect.poll(() => received.at(-1)?.prompt ?? '').toContain('Ideas welcome');
      const prompt = received.at(-1)!.prompt;
      expect(prompt.split(BLOCK_HEADER)).toHaveLength(2); // one block
      expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
      for (const line of lines) expect(prompt).toContain(line);
      expect(prompt.endsWith(typed.replace(/\n+/g, '\n').split('\n').at(-1)!)).toBe(true);
      // The user's lines in their order, none lost or merged.
      const after = prompt.slice(prompt.indexOf(QUESTION)).split('\n').filter((l) => l.trim() !== '');
      expect(after).toEqual(lines);
    });

    test('a double Enter, or Enter then a click on send, sends once with one block', async ({ context, received }) => {
      const page = await openNewChat(context, site);
      await page.locator(site.composer).click();
      await page.keyboard.type(QUESTION);
      const before = received.length;
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await expect.poll(() => received.length).toBe(before + 1);

      const next = await openNewChat(context, site);
      await next.locator(site.composer).click();
      await next.keyboard.type(QUESTION);
      await next.keyboard.press('Enter');
      await next.locator(site.sendButton).click({ timeout: 2000 }).catch(() => undefined); // gone once sent
      await expect.poll(() => received.length).toBe(before + 2);
      await next.waitForTimeout(500); // nothing more arrives
      expect(received).toHaveLength(before + 2);
      for (const r of received.slice(before)) {
        expect(r.prompt.split(BLOCK_HEADER)).toHaveLength(2);
        expect(r.prompt.endsWith(QUESTION)).toBe(true);
      }
    });

    test('Enter while an input method is composing does not send; after the composition it does', async ({ context, received }) => {
      const page = await openNewChat(context, site);
      await page.locator(site.composer).click();
      await page.keyboard.type('Where should I eat ');
      const cdp = await context.newCDPSession(page);
      await cdp.send('Input.imeSetComposition', { text: 'きょう', selectionStart: 3, selectionEnd: 3 });
      const before = received.length;
      await page.keyboard.press('Enter'); // confirms the candidate, as Japanese input does
      await page.waitForTimeout(500);
      expect(received).toHaveLength(before);
      await cdp.send('Input.insertText', { text: '今日' });
      await page.keyboard.press('Enter');
      await expect.poll(() => received.length).toBe(before + 1);
      expect(received.at(-1)?.prompt).toContain('Where should I eat 今日');
    });
  });
}
